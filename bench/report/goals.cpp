#include "goals.h"

#include <cstdio>
#include <optional>

namespace ggufd::bench {
namespace {

/// The goals are about the proxy alone, so they are judged on the fake upstream.
constexpr const char* kUpstream = "fake";
constexpr double kMaxAddedEventDelayP99Us = 100.0;

const Row* find_row(const Results& results, const std::string& kind, int concurrency, const std::string& target) {
    for (const auto& row : results.rows) {
        if (row.kind == kind && row.upstream == kUpstream && row.concurrency == concurrency && row.target == target) {
            return &row;
        }
    }
    return nullptr;
}

std::optional<double> figure(const Row* row, const std::string& name) {
    if (!row) return std::nullopt;
    auto it = row->figures.find(name);
    return it == row->figures.end() ? std::nullopt : std::optional(it->second);
}

std::string format(const char* pattern, double a, double b = 0) {
    char text[160];
    std::snprintf(text, sizeof text, pattern, a, b);
    return text;
}

std::vector<int> concurrencies(const Results& results, const std::string& kind) {
    std::vector<int> out;
    for (const auto& row : results.rows) {
        if (row.kind == kind && row.upstream == kUpstream && row.target == "ggufd") out.push_back(row.concurrency);
    }
    return out;
}

}  // namespace

std::vector<GoalVerdict> check_goals(const Results& results) {
    std::vector<GoalVerdict> goals;
    for (int c : {1, 8}) {
        GoalVerdict g("non-streaming: added p50 latency at c=" + std::to_string(c) + " no higher than nginx's");
        auto ours = figure(find_row(results, "chat", c, "ggufd"), "added_p50_us");
        auto theirs = figure(find_row(results, "chat", c, "nginx"), "added_p50_us");
        if (ours && theirs) {
            g.measured = true;
            g.met = *ours <= *theirs;
            g.detail = format("ggufd %+.1f µs, nginx %+.1f µs", *ours, *theirs);
        }
        goals.push_back(g);
    }
    {
        GoalVerdict g("non-streaming: requests/s at c=64 at least nginx's");
        auto ratio = figure(find_row(results, "chat", 64, "ggufd"), "rps_vs_nginx");
        if (ratio) {
            g.measured = true;
            g.met = *ratio >= 1.0;
            g.detail = format("ggufd at %.3f× nginx", *ratio);
        }
        goals.push_back(g);
    }
    for (int c : concurrencies(results, "stream")) {
        GoalVerdict g("streaming: added delay per event at p99 under 100 µs at c=" + std::to_string(c));
        auto added = figure(find_row(results, "stream", c, "ggufd"), "added_delay_p99_us");
        if (added) {
            g.measured = true;
            g.met = *added < kMaxAddedEventDelayP99Us;
            auto nginx = figure(find_row(results, "stream", c, "nginx"), "added_delay_p99_us");
            g.detail = format("ggufd %+.1f µs", *added) + (nginx ? format(", nginx %+.1f µs", *nginx) : "");
        }
        goals.push_back(g);
    }
    {
        // Judged on the fake, whose numbered tokens make every loss visible; a real model may
        // itself emit two tokens as one event now and then (direct shows it too).
        GoalVerdict g("streaming: no event lost or merged through ggufd");
        double streams = 0, bad = 0;
        for (const auto& row : results.rows) {
            if (row.kind != "stream" || row.upstream != kUpstream || row.target != "ggufd") continue;
            g.measured = true;
            streams += row.counters.at("streams");
            bad += row.counters.at("broken") + row.counters.at("failed");
        }
        g.met = g.measured && bad == 0;
        g.detail = format("%.0f streams checked event by event, %.0f broken or failed", streams, bad);
        goals.push_back(g);
    }
    return goals;
}

}  // namespace ggufd::bench
