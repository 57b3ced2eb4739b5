#include "results.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "../common/percentile.h"

namespace ggufd::bench {
namespace {

/// Below this, an added latency is within clock resolution: a ratio to it would be noise.
constexpr double kMeaningfulAddedUs = 1.0;

struct GroupKey {
    std::string kind, upstream;
    int loops, concurrency, body_mb;
    auto operator<=>(const GroupKey&) const = default;
};

using TargetResults = std::map<std::string, const nlohmann::json*>;

/// The number at `pointer` in `result`, or NaN when it is absent. (NaN rather than std::optional:
/// GCC 12 reports false "may be used uninitialized" warnings on optional<double> arithmetic.)
double number_at(const nlohmann::json* result, const std::string& pointer) {
    auto ptr = nlohmann::json::json_pointer(pointer);
    if (!result || !result->contains(ptr) || !(*result)[ptr].is_number()) return std::nan("");
    return (*result)[ptr].get<double>();
}

std::string describe(const nlohmann::json& record) {
    std::string loops = record.contains("loops") ? " loops=" + std::to_string(record.value("loops", 0)) : "";
    std::string size = record.contains("body_mb") ? " " + std::to_string(record.value("body_mb", 0)) + " MB" : "";
    return record.value("kind", "?") + " " + record.value("upstream", "?") + loops + " c=" +
           std::to_string(record.value("concurrency", 0)) + size + " " + record.value("target", "?") + " round " +
           std::to_string(record.value("round", 0));
}

const nlohmann::json* find_result(const TargetResults& targets, const std::string& target) {
    auto it = targets.find(target);
    return it == targets.end() ? nullptr : it->second;
}

/// Per-round figures of one target. `base` is what latencies are added to (the round's direct
/// run; for big bodies, the same target without them); `round` holds the round's other targets,
/// for the ratios to direct and to each reference.
std::map<std::string, double> round_figures(const std::string& kind, const nlohmann::json& result,
                                            const nlohmann::json* base, const TargetResults& round) {
    std::map<std::string, double> out;
    for (const auto& m : metrics_of(kind)) {
        const double value = number_at(&result, m.pointer);
        if (std::isnan(value)) continue;
        out[m.name] = value;
        if (m.kind == MetricSpec::Kind::latency) {
            const double base_value = number_at(base, m.pointer);
            if (std::isnan(base_value)) continue;
            const double added = value - base_value;
            out["added_" + m.name] = added;
            for (const auto& reference : reference_targets()) {
                // NaN without the reference: the comparison is false.
                const double reference_added = number_at(find_result(round, reference), m.pointer) - base_value;
                if (reference_added >= kMeaningfulAddedUs) out["added_" + m.name + "_vs_" + reference] = added / reference_added;
            }
            continue;
        }
        const double direct_value = number_at(find_result(round, "direct"), m.pointer);
        if (m.kind == MetricSpec::Kind::throughput && direct_value > 0) out[m.name + "_vs_direct"] = value / direct_value;
        for (const auto& reference : reference_targets()) {
            const double reference_value = number_at(find_result(round, reference), m.pointer);
            if (reference_value > 0) out[m.name + "_vs_" + reference] = value / reference_value;
        }
    }
    return out;
}

}  // namespace

const std::vector<MetricSpec>& metrics_of(const std::string& kind) {
    using K = MetricSpec::Kind;
    static const std::vector<MetricSpec> chat = {
        {"rps", "/rps", K::throughput},
        {"p50_us", "/p50_us", K::latency},
        {"p99_us", "/p99_us", K::latency},
        {"cpu_us_per_request", "/cpu_us_per_request", K::cost},
    };
    static const std::vector<MetricSpec> stream = {
        {"ttfb_p50_us", "/ttfb_us/p50", K::latency},
        {"ttfb_p99_us", "/ttfb_us/p99", K::latency},
        {"delay_p50_us", "/event_delay_us/p50", K::latency},
        {"delay_p99_us", "/event_delay_us/p99", K::latency},
        {"events_per_s", "/events_per_s", K::throughput},
        {"cpu_us_per_event", "/cpu_us_per_event", K::cost},
    };
    static const std::vector<MetricSpec> bigbody = {
        {"gap_max_us", "/gap_us/max", K::latency},
        {"gap_p99_us", "/gap_us/p99", K::latency},
        {"body_seconds_p50", "/body_seconds_p50", K::cost},
    };
    static const std::vector<MetricSpec> none;
    return kind == "chat" ? chat : kind == "stream" ? stream : kind == "bigbody" ? bigbody : none;
}

const std::vector<std::string>& counters_of(const std::string& kind) {
    static const std::vector<std::string> chat = {"requests", "errors"};
    static const std::vector<std::string> stream = {"streams", "broken", "failed", "timed_out"};
    static const std::vector<std::string> bigbody = {"streams", "broken", "failed", "bodies_sent", "bodies_routed"};
    static const std::vector<std::string> none;
    return kind == "chat" ? chat : kind == "stream" ? stream : kind == "bigbody" ? bigbody : none;
}

const std::vector<std::string>& reference_targets() {
    static const std::vector<std::string> references = {"nginx", "haproxy", "baseline"};
    return references;
}

int target_rank(const std::string& target) {
    static const std::vector<std::string> order = {"direct", "ggufd", "baseline", "nginx", "haproxy", "router"};
    auto it = std::find(order.begin(), order.end(), target);
    return static_cast<int>(it - order.begin());
}

Results reduce(const std::vector<nlohmann::json>& records) {
    Results results;
    // group → round → target → result
    std::map<GroupKey, std::map<int, TargetResults>> measured;
    for (const auto& record : records) {
        auto kind = record.value("kind", "");
        if (kind == "meta") {
            results.meta.update(record.value("meta", nlohmann::json::object()));
        } else if (kind == "rss") {
            // The first upstream measured (the fake) speaks for a target; later ones add only
            // targets it did not have (the router).
            results.idle_rss_kib[record.value("target", "")].emplace(record.value("phase", ""), record.value("kib", 0.0));
        } else if (kind == "chat" || kind == "stream" || kind == "bigbody") {
            if (!record.contains("result") || !record["result"].is_object()) {
                results.missing.push_back(describe(record) + ": " + record.value("error", "no result"));
                continue;
            }
            GroupKey key{kind, record.value("upstream", ""), record.value("loops", 0), record.value("concurrency", 0),
                         record.value("body_mb", 0)};
            measured[key][record.value("round", 0)][record.value("target", "")] = &record["result"];
        }
    }

    for (const auto& [key, rounds] : measured) {
        std::map<std::string, Row> rows;  // by target
        std::map<std::string, std::map<std::string, std::vector<double>>> samples;
        // Big bodies add to what the same target showed without them, in the same round.
        const GroupKey without{key.kind, key.upstream, key.loops, key.concurrency, 0};
        for (const auto& [round, targets] : rounds) {
            for (const auto& [target, result] : targets) {
                Row& row = rows[target];
                row.kind = key.kind;
                row.upstream = key.upstream;
                row.loops = key.loops;
                row.concurrency = key.concurrency;
                row.body_mb = key.body_mb;
                row.target = target;
                ++row.rounds;
                const nlohmann::json* base = find_result(targets, "direct");
                if (key.kind == "bigbody") {
                    auto same_round = measured.find(without);
                    base = same_round == measured.end() || !same_round->second.count(round)
                               ? nullptr
                               : find_result(same_round->second.at(round), target);
                }
                for (const auto& [name, value] : round_figures(key.kind, *result, base, targets)) {
                    samples[target][name].push_back(value);
                }
                for (const auto& counter : counters_of(key.kind)) {
                    const double n = number_at(result, "/" + counter);
                    row.counters[counter] += std::isnan(n) ? 0 : n;
                }
                if (const double rss = number_at(result, "/rss_max_kib"); !std::isnan(rss)) {
                    row.rss_max_kib = std::max(row.rss_max_kib.value_or(0), rss);
                }
                if (result->contains("problems") && (*result)["problems"].is_object()) {
                    for (const auto& [what, count] : (*result)["problems"].items()) {
                        row.problems[what] += count.is_number() ? count.get<long>() : 1;
                    }
                }
            }
        }
        for (auto& [target, row] : rows) {
            for (auto& [name, values] : samples[target]) row.figures[name] = median(values);
            results.rows.push_back(std::move(row));
        }
    }
    std::stable_sort(results.rows.begin(), results.rows.end(), [](const Row& a, const Row& b) {
        return std::tuple(a.kind, a.upstream, a.loops, a.concurrency, a.body_mb, target_rank(a.target), a.target) <
               std::tuple(b.kind, b.upstream, b.loops, b.concurrency, b.body_mb, target_rank(b.target), b.target);
    });
    return results;
}

const Row* find_row(const Results& results, const std::string& kind, const std::string& upstream, int loops,
                    int concurrency, const std::string& target, int body_mb) {
    for (const auto& row : results.rows) {
        if (row.kind == kind && row.upstream == upstream && row.loops == loops && row.concurrency == concurrency &&
            row.target == target && row.body_mb == body_mb) {
            return &row;
        }
    }
    return nullptr;
}

std::vector<int> loop_counts(const Results& results, const std::string& kind, const std::string& upstream) {
    std::vector<int> out;
    for (const auto& row : results.rows) {
        if (row.kind == kind && row.upstream == upstream && std::find(out.begin(), out.end(), row.loops) == out.end()) {
            out.push_back(row.loops);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::json to_json(const Results& results) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : results.rows) {
        nlohmann::json r = {{"kind", row.kind},         {"upstream", row.upstream}, {"loops", row.loops},
                            {"concurrency", row.concurrency}, {"body_mb", row.body_mb},  {"target", row.target},
                            {"rounds", row.rounds},     {"figures", row.figures},   {"counters", row.counters},
                            {"problems", row.problems}};
        if (row.rss_max_kib) r["rss_max_kib"] = *row.rss_max_kib;
        rows.push_back(std::move(r));
    }
    return {{"meta", results.meta}, {"rows", rows}, {"idle_rss_kib", results.idle_rss_kib},
            {"missing", results.missing}};
}

}  // namespace ggufd::bench
