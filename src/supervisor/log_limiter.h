// How many of a child's output lines reach the daemon's log: a token bucket (log_rate_limit
// lines per second on average, bursts of ten seconds' worth, so llama-server's start-up report
// passes whole) and a count of what was held back, for one "suppressed N lines" line. Pure:
// time is passed in. The service's ring of recent lines keeps every line regardless.
#pragma once

#include <chrono>
#include <cstdint>

namespace ggufd::supervisor {

class LogLimiter {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    /// Bursts may reach this many seconds' worth of lines.
    static constexpr int kBurstSeconds = 10;

    /// `lines_per_second` 0: no limit.
    explicit LogLimiter(int lines_per_second);

    /// A line at `now`: true when it may be logged; false when it is held back (and counted).
    bool admit(TimePoint now);
    /// Lines held back since the last call; resets the count.
    uint64_t take_suppressed();
    uint64_t suppressed() const { return suppressed_; }
    int lines_per_second() const { return rate_; }

private:
    int rate_;
    double tokens_;
    TimePoint last_{};
    bool started_ = false;
    uint64_t suppressed_ = 0;
};

}  // namespace ggufd::supervisor
