// The results of one benchmark run, reduced from raw records (one JSON line per measurement,
// written by scripts/bench.sh) to one row per workload, concurrency and target: the median over
// rounds of each figure, and figures relative to the direct and nginx targets of the same round.
// Pure: JSON in, rows out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ggufd::bench {

/// One figure a workload reports. Latencies are compared by what a target adds to direct;
/// throughputs by their ratio to direct and to nginx; a proxy's own costs (its CPU time per
/// request), which direct does not have, by their ratio to nginx's.
struct MetricSpec {
    enum class Kind { latency, throughput, cost };
    std::string name;     ///< "p50_us"
    std::string pointer;  ///< where it sits in a record's result: "/ttfb_us/p50"
    Kind kind;
};

/// The figures of each workload kind ("chat", "stream"), in table order.
const std::vector<MetricSpec>& metrics_of(const std::string& kind);

/// Counters summed over rounds (errors, broken streams): any non-zero is worth a look.
const std::vector<std::string>& counters_of(const std::string& kind);

struct Row {
    std::string kind;
    std::string upstream;
    int concurrency = 0;
    std::string target;
    int rounds = 0;
    /// Medians over rounds: each metric by name; for latencies also "added_<name>" (minus the
    /// direct target) and "added_<name>_vs_nginx"; for throughputs "<name>_vs_direct" and
    /// "<name>_vs_nginx"; for costs "<name>_vs_nginx". A relative figure is absent when its
    /// reference was not measured.
    std::map<std::string, double> figures;
    std::map<std::string, double> counters;  ///< summed over rounds
    std::optional<double> rss_max_kib;       ///< the largest sample over rounds, if sampled
    std::map<std::string, long> problems;    ///< what went wrong, summed over rounds
};

struct Results {
    nlohmann::json meta = nlohmann::json::object();
    std::vector<Row> rows;             ///< by kind, upstream, concurrency, then target order
    /// Idle resident memory: target → phase ("start", "end") → KiB, from the first upstream
    /// that measured the target.
    std::map<std::string, std::map<std::string, double>> idle_rss_kib;
    std::vector<std::string> missing;  ///< measurements that produced no figures, in words
};

/// Target order in tables: the reference first, then the proxies.
int target_rank(const std::string& target);

/// Reduces raw records. Unknown kinds are ignored; a record whose result is null (the tool
/// failed) is listed in `missing`.
Results reduce(const std::vector<nlohmann::json>& records);

/// JSON form of the reduced results, for the .json results file.
nlohmann::json to_json(const Results& results);

}  // namespace ggufd::bench
