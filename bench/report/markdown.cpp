#include "markdown.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>

namespace ggufd::bench {
namespace {

std::string fmt(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::optional<double> get(const Row& row, const std::string& name) {
    auto it = row.figures.find(name);
    return it == row.figures.end() ? std::nullopt : std::optional(it->second);
}

/// Microseconds: one decimal below 10, whole numbers above; "+" for added figures.
std::string us(std::optional<double> v, bool signed_value = false) {
    if (!v) return "—";
    if (std::fabs(*v) < 10) return fmt(signed_value ? "%+.1f" : "%.1f", *v);
    return fmt(signed_value ? "%+.0f" : "%.0f", *v);
}

std::string ratio(std::optional<double> v) { return v ? fmt("%.2f×", *v) : "—"; }
std::string count(double v) { return fmt("%.0f", v); }
std::string rate(std::optional<double> v) { return v ? fmt("%.0f", *v) : "—"; }
std::string mib(double kib) { return fmt("%.1f MiB", kib / 1024.0); }

/// The reference rows have no relative figures of their own; show them as such.
std::string relative(const Row& row, const std::string& reference, std::string text) {
    return row.target == reference ? "1" : text;
}

std::string upstream_title(const std::string& upstream) {
    if (upstream == "fake") return "fake llama-server answering as fast as it can";
    if (upstream == "real") return "real llama-server on a tiny model";
    return upstream;
}

void chat_table(std::ostringstream& out, const std::vector<const Row*>& rows) {
    out << "| c | target | req/s | p50 µs | p99 µs | added p50 µs | added p99 µs | req/s ÷ direct | "
           "req/s ÷ nginx | added p50 ÷ nginx's | proxy CPU µs/request | ÷ nginx's | errors |\n"
        << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* r : rows) {
        out << "| " << r->concurrency << " | " << r->target << " | " << rate(get(*r, "rps")) << " | "
            << us(get(*r, "p50_us")) << " | " << us(get(*r, "p99_us")) << " | "
            << us(get(*r, "added_p50_us"), true) << " | " << us(get(*r, "added_p99_us"), true) << " | "
            << relative(*r, "direct", ratio(get(*r, "rps_vs_direct"))) << " | "
            << relative(*r, "nginx", ratio(get(*r, "rps_vs_nginx"))) << " | "
            << (r->target == "direct" ? "—" : relative(*r, "nginx", ratio(get(*r, "added_p50_us_vs_nginx")))) << " | "
            << us(get(*r, "cpu_us_per_request")) << " | "
            << relative(*r, "nginx", ratio(get(*r, "cpu_us_per_request_vs_nginx"))) << " | "
            << count(r->counters.at("errors")) << " |\n";
    }
}

void stream_table(std::ostringstream& out, const std::vector<const Row*>& rows) {
    out << "| c | target | TTFB p50 µs | TTFB p99 µs | added TTFB p50 µs | added event delay p50 µs | "
           "added event delay p99 µs | events/s | ÷ direct | ÷ nginx | proxy CPU µs/event | ÷ nginx's | "
           "streams | lost/merged | failed |\n"
        << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* r : rows) {
        out << "| " << r->concurrency << " | " << r->target << " | " << us(get(*r, "ttfb_p50_us")) << " | "
            << us(get(*r, "ttfb_p99_us")) << " | " << us(get(*r, "added_ttfb_p50_us"), true) << " | "
            << us(get(*r, "added_delay_p50_us"), true) << " | " << us(get(*r, "added_delay_p99_us"), true) << " | "
            << rate(get(*r, "events_per_s")) << " | "
            << relative(*r, "direct", ratio(get(*r, "events_per_s_vs_direct"))) << " | "
            << relative(*r, "nginx", ratio(get(*r, "events_per_s_vs_nginx"))) << " | "
            << us(get(*r, "cpu_us_per_event")) << " | "
            << relative(*r, "nginx", ratio(get(*r, "cpu_us_per_event_vs_nginx"))) << " | "
            << count(r->counters.at("streams")) << " | " << count(r->counters.at("broken")) << " | "
            << count(r->counters.at("failed")) << " |\n";
    }
}

void memory_table(std::ostringstream& out, const Results& results) {
    std::set<std::string> targets;
    for (const auto& [target, phases] : results.idle_rss_kib) targets.insert(target);
    std::map<std::string, std::map<std::string, double>> loaded;  // target → upstream → KiB
    int top = 0;
    for (const auto& row : results.rows) {
        if (row.kind == "stream") top = std::max(top, row.concurrency);
    }
    for (const auto& row : results.rows) {
        if (row.kind == "stream" && row.concurrency == top && row.rss_max_kib) {
            loaded[row.target][row.upstream] = *row.rss_max_kib;
            targets.insert(row.target);
        }
    }
    if (targets.empty()) return;
    out << "\n## Resident memory\n\nThe proxy's own processes (nginx: master and workers; router: the router, "
           "not its children).\n\n| target | idle, after start | idle, after the load | under " << top
        << " streams, fake upstream | under " << top << " streams, real upstream |\n|---|---:|---:|---:|---:|\n";
    for (const auto& target : targets) {
        auto cell = [](const std::map<std::string, double>& m, const std::string& key) {
            auto it = m.find(key);
            return it == m.end() ? std::string("—") : mib(it->second);
        };
        std::map<std::string, double> none;
        auto idle = results.idle_rss_kib.count(target) ? results.idle_rss_kib.at(target) : none;
        auto under = loaded.count(target) ? loaded.at(target) : none;
        out << "| " << target << " | " << cell(idle, "start") << " | " << cell(idle, "end") << " | "
            << cell(under, "fake") << " | " << cell(under, "real") << " |\n";
    }
}

}  // namespace

std::string render_markdown(const Results& results, const std::vector<GoalVerdict>& goals) {
    std::ostringstream out;
    const auto& meta = results.meta;
    out << "# ggufd benchmark: " << meta.value("date", "?") << ", commit " << meta.value("commit", "?") << "\n\n";
    for (const auto& [key, value] : meta.items()) {
        if (key == "date" || key == "commit") continue;
        out << "- " << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
    out << "\nMedians over rounds; \"added\" is a target's figure minus direct's in the same round; "
           "docs/PERFORMANCE.md explains the method.\n";

    out << "\n## Goals (issue 6)\n\n";
    for (const auto& g : goals) {
        out << "- " << (!g.measured ? "[ ] not measured: " : g.met ? "[x] met: " : "[ ] NOT met: ") << g.goal
            << (g.detail.empty() ? "" : " (" + g.detail + ")") << "\n";
    }

    std::set<std::pair<std::string, std::string>> sections;  // (kind, upstream), in row order
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& row : results.rows) {
        if (sections.insert({row.kind, row.upstream}).second) order.emplace_back(row.kind, row.upstream);
    }
    for (const auto& [kind, upstream] : order) {
        std::vector<const Row*> rows;
        for (const auto& row : results.rows) {
            if (row.kind == kind && row.upstream == upstream) rows.push_back(&row);
        }
        if (kind == "chat") {
            out << "\n## Non-streaming chat completion, " << upstream_title(upstream) << "\n\n";
            chat_table(out, rows);
        } else {
            out << "\n## Streaming chat completion, " << upstream_title(upstream) << "\n\n";
            stream_table(out, rows);
        }
    }
    memory_table(out, results);

    bool any_problem = !results.missing.empty();
    for (const auto& row : results.rows) any_problem = any_problem || !row.problems.empty();
    if (any_problem) {
        out << "\n## Problems seen\n\n";
        for (const auto& m : results.missing) out << "- no figures: " << m << "\n";
        for (const auto& row : results.rows) {
            for (const auto& [what, n] : row.problems) {
                out << "- " << row.kind << " " << row.upstream << " c=" << row.concurrency << " " << row.target << ": "
                    << what << " (" << n << "×)\n";
            }
        }
    }
    return out.str();
}

}  // namespace ggufd::bench
