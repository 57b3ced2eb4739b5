#include "log_limiter.h"

#include <algorithm>

namespace ggufd::supervisor {

LogLimiter::LogLimiter(int lines_per_second)
    : rate_(std::max(lines_per_second, 0)), tokens_(static_cast<double>(rate_) * kBurstSeconds) {}

bool LogLimiter::admit(TimePoint now) {
    if (rate_ == 0) return true;
    const double capacity = static_cast<double>(rate_) * kBurstSeconds;
    if (started_) {
        std::chrono::duration<double> elapsed = now - last_;
        tokens_ = std::min(capacity, tokens_ + std::max(elapsed.count(), 0.0) * rate_);
    }
    started_ = true;
    last_ = now;
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return true;
    }
    ++suppressed_;
    return false;
}

uint64_t LogLimiter::take_suppressed() {
    uint64_t count = suppressed_;
    suppressed_ = 0;
    return count;
}

}  // namespace ggufd::supervisor
