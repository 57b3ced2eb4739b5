#include "ggufd/supervisor/request_metrics.h"

namespace ggufd::supervisor {

void Histogram::observe(std::chrono::nanoseconds duration) {
    double seconds = static_cast<double>(duration.count()) / 1e9;
    for (size_t i = 0; i < kBounds.size(); ++i) {
        if (seconds <= kBounds[i]) {
            buckets_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(duration.count()), std::memory_order_relaxed);
}

}  // namespace ggufd::supervisor
