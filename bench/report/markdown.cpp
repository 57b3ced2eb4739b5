#include "markdown.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

namespace ggufd::bench {
namespace {

std::string fmt(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::optional<double> get(const Row* row, const std::string& name) {
    if (!row) return std::nullopt;
    auto it = row->figures.find(name);
    return it == row->figures.end() ? std::nullopt : std::optional(it->second);
}

/// Microseconds: one decimal below 10, whole numbers above; "+" for added figures.
std::string us(std::optional<double> v, bool signed_value = false) {
    if (!v) return "—";
    if (std::fabs(*v) < 10) return fmt(signed_value ? "%+.1f" : "%.1f", *v);
    return fmt(signed_value ? "%+.0f" : "%.0f", *v);
}

std::string ms(std::optional<double> us_value, bool signed_value = false) {
    return us_value ? fmt(signed_value ? "%+.1f" : "%.1f", *us_value / 1000) : "—";
}

std::string ratio(std::optional<double> v) { return v ? fmt("%.2f×", *v) : "—"; }
std::string count(double v) { return fmt("%.0f", v); }
std::string rate(std::optional<double> v) { return v ? fmt("%.0f", *v) : "—"; }
std::string mib(double kib) { return fmt("%.1f MiB", kib / 1024.0); }

/// A figure relative to `reference`: "1" in the reference's own row, "—" in direct's (which is
/// no proxy, for the ratios of what a proxy adds or spends).
std::string relative(const Row& row, const std::string& reference, const std::string& figure, bool direct_has_it = true) {
    if (row.target == reference) return "1";
    if (!direct_has_it && row.target == "direct") return "—";
    return ratio(get(&row, figure + "_vs_" + reference));
}

std::string upstream_title(const std::string& upstream) {
    if (upstream == "fake") return "fake llama-server answering as fast as it can";
    if (upstream == "real") return "real llama-server on a tiny model";
    return upstream;
}

std::string loops_title(int loops) {
    if (loops == 0) return "";
    return loops == 1 ? ", one event loop per proxy" : ", " + std::to_string(loops) + " event loops per proxy";
}

void chat_table(std::ostringstream& out, const std::vector<const Row*>& rows) {
    out << "| c | target | req/s | p50 µs | p99 µs | added p50 µs | added p99 µs | req/s ÷ direct | ÷ nginx | ÷ HAProxy | "
           "added p50 ÷ nginx's | ÷ HAProxy's | proxy CPU µs/request | ÷ nginx's | ÷ HAProxy's | errors |\n"
        << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* r : rows) {
        out << "| " << r->concurrency << " | " << r->target << " | " << rate(get(r, "rps")) << " | "
            << us(get(r, "p50_us")) << " | " << us(get(r, "p99_us")) << " | " << us(get(r, "added_p50_us"), true)
            << " | " << us(get(r, "added_p99_us"), true) << " | "
            << (r->target == "direct" ? "1" : ratio(get(r, "rps_vs_direct"))) << " | "
            << relative(*r, "nginx", "rps") << " | " << relative(*r, "haproxy", "rps") << " | "
            << relative(*r, "nginx", "added_p50_us", false) << " | " << relative(*r, "haproxy", "added_p50_us", false)
            << " | " << us(get(r, "cpu_us_per_request")) << " | " << relative(*r, "nginx", "cpu_us_per_request", false)
            << " | " << relative(*r, "haproxy", "cpu_us_per_request", false) << " | "
            << count(r->counters.at("errors")) << " |\n";
    }
}

void stream_table(std::ostringstream& out, const std::vector<const Row*>& rows) {
    out << "| c | target | TTFB p50 µs | TTFB p99 µs | added TTFB p50 µs | added event delay p50 µs | "
           "added event delay p99 µs | events/s | ÷ direct | ÷ nginx | ÷ HAProxy | proxy CPU µs/event | ÷ nginx's | "
           "÷ HAProxy's | streams | lost/merged | failed |\n"
        << "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* r : rows) {
        out << "| " << r->concurrency << " | " << r->target << " | " << us(get(r, "ttfb_p50_us")) << " | "
            << us(get(r, "ttfb_p99_us")) << " | " << us(get(r, "added_ttfb_p50_us"), true) << " | "
            << us(get(r, "added_delay_p50_us"), true) << " | " << us(get(r, "added_delay_p99_us"), true) << " | "
            << rate(get(r, "events_per_s")) << " | "
            << (r->target == "direct" ? "1" : ratio(get(r, "events_per_s_vs_direct"))) << " | "
            << relative(*r, "nginx", "events_per_s") << " | " << relative(*r, "haproxy", "events_per_s") << " | "
            << us(get(r, "cpu_us_per_event")) << " | " << relative(*r, "nginx", "cpu_us_per_event", false) << " | "
            << relative(*r, "haproxy", "cpu_us_per_event", false) << " | " << count(r->counters.at("streams")) << " | "
            << count(r->counters.at("broken")) << " | " << count(r->counters.at("failed")) << " |\n";
    }
}

void big_body_table(std::ostringstream& out, const std::vector<const Row*>& rows) {
    out << "Streams' gaps between consecutive events, with bodies of each size routed on the same event loop "
           "meanwhile (0 MB: none); \"added\" is against the same target without big bodies in the same round.\n\n"
        << "| target | bodies | routed / sent | body time p50 s | worst gap ms | added worst gap ms | p99 gap ms | "
           "added p99 gap ms | streams | lost/merged | failed |\n"
        << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* r : rows) {
        const auto body_seconds = get(r, "body_seconds_p50");  // none when no body was routed
        out << "| " << r->target << " | " << r->body_mb << " MB | "
            << (r->body_mb == 0 ? "—" : count(r->counters.at("bodies_routed")) + " / " + count(r->counters.at("bodies_sent")))
            << " | " << (r->body_mb == 0 || !body_seconds ? "—" : fmt("%.2f", *body_seconds)) << " | "
            << ms(get(r, "gap_max_us")) << " | " << (r->body_mb == 0 ? "—" : ms(get(r, "added_gap_max_us"), true))
            << " | " << ms(get(r, "gap_p99_us")) << " | "
            << (r->body_mb == 0 ? "—" : ms(get(r, "added_gap_p99_us"), true)) << " | "
            << count(r->counters.at("streams")) << " | " << count(r->counters.at("broken")) << " | "
            << count(r->counters.at("failed")) << " |\n";
    }
}

/// The names of one kind's figures in the baseline tables: throughput, added latency, CPU.
struct BaselineFigures {
    const char* rate;
    const char* p50;
    const char* p99;
    const char* cpu;
};
constexpr BaselineFigures kChatFigures{"rps", "added_p50_us", "added_p99_us", "cpu_us_per_request"};
constexpr BaselineFigures kStreamFigures{"events_per_s", "added_delay_p50_us", "added_delay_p99_us", "cpu_us_per_event"};

void baseline_row(std::ostringstream& out, const Row* now, const Row* before, const BaselineFigures& figures) {
    const std::string vs = "_vs_baseline";
    out << "| " << now->loops << " | " << now->concurrency << " | " << rate(get(now, figures.rate)) << " | "
        << rate(get(before, figures.rate)) << " | " << ratio(get(now, figures.rate + vs)) << " | "
        << us(get(now, figures.p50), true) << " | " << us(get(before, figures.p50), true) << " | "
        << us(get(now, figures.p99), true) << " | " << us(get(before, figures.p99), true) << " | "
        << us(get(now, figures.cpu)) << " | " << us(get(before, figures.cpu)) << " | "
        << ratio(get(now, figures.cpu + vs)) << " |\n";
}

/// ggufd against the baseline target, measurement by measurement (issue 11's before and after).
void baseline_tables(std::ostringstream& out, const Results& results) {
    std::vector<std::pair<const Row*, const Row*>> chat, stream;  // (ggufd, baseline)
    for (const auto& row : results.rows) {
        if (row.target != "ggufd" || row.upstream != "fake" || (row.kind != "chat" && row.kind != "stream")) continue;
        const Row* before = find_row(results, row.kind, row.upstream, row.loops, row.concurrency, "baseline");
        if (before) (row.kind == "chat" ? chat : stream).emplace_back(&row, before);
    }
    if (chat.empty() && stream.empty()) return;
    out << "\n## ggufd against the baseline (" << results.meta.value("baseline", std::string("ggufd before")) << ")\n\n"
        << "The same run's fake-upstream measurements side by side; \"÷ baseline\" is the median of the per-round "
           "ratios.\n\n"
        << "| event loops | c | req/s | baseline | ÷ baseline | added p50 µs | baseline | added p99 µs | baseline | "
           "CPU µs/request | baseline | ÷ baseline |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [now, before] : chat) baseline_row(out, now, before, kChatFigures);
    out << "\n| event loops | c | events/s | baseline | ÷ baseline | added event delay p50 µs | baseline | "
           "added event delay p99 µs | baseline | CPU µs/event | baseline | ÷ baseline |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [now, before] : stream) baseline_row(out, now, before, kStreamFigures);
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
            double& kib = loaded[row.target][row.upstream];
            kib = std::max(kib, *row.rss_max_kib);
            targets.insert(row.target);
        }
    }
    if (targets.empty()) return;
    out << "\n## Resident memory\n\nThe proxy's own processes (nginx: master and workers; router: the router, "
           "not its children); under load, the most over every event-loop count.\n\n| target | idle, after start | "
           "idle, after the load | under "
        << top << " streams, fake upstream | under " << top << " streams, real upstream |\n|---|---:|---:|---:|---:|\n";
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

void goals_list(std::ostringstream& out, const std::vector<GoalVerdict>& goals) {
    std::string issue;
    for (const auto& g : goals) {
        if (g.issue != issue) {
            issue = g.issue;
            out << "\n## Goals of " << issue << "\n\n";
        }
        out << "- " << (!g.measured ? "[ ] not measured: " : g.met ? "[x] met: " : "[ ] NOT met: ") << g.goal
            << (g.detail.empty() ? "" : " (" + g.detail + ")") << "\n";
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
    goals_list(out, goals);

    using Section = std::tuple<std::string, std::string, int>;  // kind, upstream, loops
    std::set<Section> seen;
    std::vector<Section> order;  // in row order
    for (const auto& row : results.rows) {
        if (seen.insert({row.kind, row.upstream, row.loops}).second) order.emplace_back(row.kind, row.upstream, row.loops);
    }
    for (const auto& [kind, upstream, loops] : order) {
        std::vector<const Row*> rows;
        for (const auto& row : results.rows) {
            if (row.kind == kind && row.upstream == upstream && row.loops == loops) rows.push_back(&row);
        }
        const std::string where = upstream_title(upstream) + loops_title(loops);
        if (kind == "chat") {
            out << "\n## Non-streaming chat completion, " << where << "\n\n";
            chat_table(out, rows);
        } else if (kind == "stream") {
            out << "\n## Streaming chat completion, " << where << "\n\n";
            stream_table(out, rows);
        } else {
            out << "\n## Big bodies beside streams, " << where << "\n\n";
            big_body_table(out, rows);
        }
    }
    baseline_tables(out, results);
    memory_table(out, results);

    bool any_problem = !results.missing.empty();
    for (const auto& row : results.rows) any_problem = any_problem || !row.problems.empty();
    if (any_problem) {
        out << "\n## Problems seen\n\n";
        for (const auto& m : results.missing) out << "- no figures: " << m << "\n";
        for (const auto& row : results.rows) {
            for (const auto& [what, n] : row.problems) {
                out << "- " << row.kind << " " << row.upstream << (row.loops ? " loops=" + std::to_string(row.loops) : "")
                    << " c=" << row.concurrency << (row.kind == "bigbody" ? " " + std::to_string(row.body_mb) + " MB" : "")
                    << " " << row.target << ": " << what << " (" << n << "×)\n";
            }
        }
    }
    return out.str();
}

}  // namespace ggufd::bench
