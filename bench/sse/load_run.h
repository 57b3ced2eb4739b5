// The load itself: `concurrency` streams kept in flight against one HTTP endpoint for a fixed
// time, each on its own TCP connection, all on one epoll loop in the calling thread. It records
// when each response's first byte and each event arrived; stream_stats.h turns that into figures.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stream_stats.h"

namespace ggufd::bench {

struct LoadOptions {
    std::string host = "127.0.0.1";  ///< an IPv4 address: the benchmark runs on loopback
    uint16_t port = 0;
    std::string request;             ///< the complete HTTP request each stream sends
    int concurrency = 1;
    std::chrono::nanoseconds warmup{std::chrono::milliseconds(500)};   ///< streams begun earlier are not measured
    std::chrono::nanoseconds duration{std::chrono::seconds(4)};        ///< the measurement window
    std::chrono::nanoseconds stream_timeout{std::chrono::seconds(10)}; ///< a stream this old has hung
    /// true: a stream's connection carries the next stream of its slot (HTTP/1.1 keep-alive, as
    /// SDK clients pool connections); false: every stream opens a new connection.
    bool keep_alive = true;
    StreamCheck check;
    std::vector<pid_t> watch_pids;   ///< processes (the proxy) whose memory and CPU are sampled in the window
};

/// What a run saw. Every stream begun inside the window is judged, once it ends (streams still
/// running when the window closes may finish; no new ones begin): intact (the right events, in
/// order), broken (events lost, merged or out of order) or failed (no complete 200 response).
struct LoadResult {
    std::vector<StreamRecord> intact;
    size_t broken = 0;
    size_t failed = 0;
    size_t timed_out = 0;          ///< failed because they outlived stream_timeout
    size_t reconnects = 0;         ///< kept-alive connections the server had closed: retried anew
    std::map<std::string, size_t> problems;  ///< what went wrong, by kind, with counts
    size_t events_in_window = 0;   ///< events of any stream that arrived inside the window
    size_t events_total = 0;       ///< events received in the whole run, warm-up and drain too
    double window_s = 0;
    long watched_rss_max_kib = 0;  ///< summed over the watched processes
    double watched_rss_mean_kib = 0;
    double watched_cpu_s = 0;      ///< CPU time the watched processes used in the window
    bool watched_process_gone = false;
};

/// Runs the load. Throws std::runtime_error when the endpoint cannot be used at all (bad
/// address, epoll failure); connection errors of single streams are counted, not thrown.
LoadResult run_load(const LoadOptions& options);

}  // namespace ggufd::bench
