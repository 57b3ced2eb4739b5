// Per-service request metrics, kept lock-free because every front-door worker updates them on
// the request path: counters, and fixed-bucket histograms for /metrics (Prometheus).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace ggufd::supervisor {

/// A cumulative histogram of durations with fixed upper bounds (Prometheus `le`), in seconds.
class Histogram {
public:
    static constexpr std::array<double, 14> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25,  0.5,    1,     2.5,  5,     10,  30};
    void observe(std::chrono::nanoseconds duration);
    /// Observations at or below kBounds[i] (not cumulative; the exporter sums them).
    uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum_seconds() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

private:
    std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_ns_{0};
};

struct RequestMetrics {
    std::atomic<uint64_t> requests{0};          ///< relayed to the child
    std::atomic<uint64_t> errors{0};            ///< ended in 5xx from the child or ggufd, or cut off
    std::atomic<uint64_t> tokens_generated{0};  ///< from the answers' usage / timings
    Histogram duration;                         ///< whole exchange
    Histogram time_to_first_token;              ///< streams: request to first event
};

}  // namespace ggufd::supervisor
