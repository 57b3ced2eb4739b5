// The results of one benchmark run, reduced from raw records (one JSON line per measurement,
// written by scripts/bench.sh) to one row per workload, event-loop count, concurrency and target:
// the median over rounds of each figure, and figures relative to the direct, nginx, HAProxy and
// baseline targets of the same round. Pure: JSON in, rows out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ggufd::bench {

/// One figure a workload reports. Latencies are compared by what a target adds to direct;
/// throughputs by their ratio to direct and to each reference proxy; a proxy's own costs (its CPU
/// time per request), which direct does not have, by their ratio to each reference proxy's.
struct MetricSpec {
    enum class Kind { latency, throughput, cost };
    std::string name;     ///< "p50_us"
    std::string pointer;  ///< where it sits in a record's result: "/ttfb_us/p50"
    Kind kind;
};

/// The figures of each workload kind ("chat", "stream", "bigbody"), in table order.
const std::vector<MetricSpec>& metrics_of(const std::string& kind);

/// Counters summed over rounds (errors, broken streams): any non-zero is worth a look.
const std::vector<std::string>& counters_of(const std::string& kind);

/// The targets other targets are compared with, besides direct: the two reference proxies and
/// ggufd as it was before the front-door rewrite (scripts/bench.sh --baseline).
const std::vector<std::string>& reference_targets();

struct Row {
    std::string kind;
    std::string upstream;
    int loops = 0;        ///< event loops per proxy (0: each proxy's default, in older runs)
    int concurrency = 0;
    int body_mb = 0;      ///< bigbody: the size of the bodies routed meanwhile (0: none)
    std::string target;
    int rounds = 0;
    /// Medians over rounds: each metric by name; for latencies also "added_<name>" (minus the
    /// direct target; for bigbody, minus the same target without big bodies) and
    /// "added_<name>_vs_<reference>"; for throughputs "<name>_vs_direct" and
    /// "<name>_vs_<reference>"; for costs "<name>_vs_<reference>". A relative figure is absent
    /// when its reference was not measured.
    std::map<std::string, double> figures;
    std::map<std::string, double> counters;  ///< summed over rounds
    std::optional<double> rss_max_kib;       ///< the largest sample over rounds, if sampled
    std::map<std::string, long> problems;    ///< what went wrong, summed over rounds
};

struct Results {
    nlohmann::json meta = nlohmann::json::object();
    std::vector<Row> rows;             ///< by kind, upstream, loops, concurrency, size, then target
    /// Idle resident memory: target → phase ("start", "end") → KiB, from the first upstream
    /// that measured the target.
    std::map<std::string, std::map<std::string, double>> idle_rss_kib;
    std::vector<std::string> missing;  ///< measurements that produced no figures, in words
};

/// Target order in tables: the reference first, then ggufd, then the other proxies.
int target_rank(const std::string& target);

/// Reduces raw records. Unknown kinds are ignored; a record whose result is null (the tool
/// failed) is listed in `missing`.
Results reduce(const std::vector<nlohmann::json>& records);

/// The row of one measurement, or nullptr.
const Row* find_row(const Results& results, const std::string& kind, const std::string& upstream, int loops,
                    int concurrency, const std::string& target, int body_mb = 0);

/// The event-loop counts measured for a kind and upstream, in increasing order.
std::vector<int> loop_counts(const Results& results, const std::string& kind, const std::string& upstream);

/// JSON form of the reduced results, for the .json results file.
nlohmann::json to_json(const Results& results);

}  // namespace ggufd::bench
