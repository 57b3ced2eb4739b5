// When to restart a child that ended on its own: the policy (never / on-failure / always),
// exponential backoff (1 s doubling to 60 s, reset after a stable period) and the limit of
// restarts within a window after which the service is `failed`. Pure: time is passed in.
#pragma once

#include <chrono>
#include <deque>
#include <string>

#include "ggufd/config/config.h"

namespace ggufd::supervisor {

struct RestartDecision {
    bool restart = false;
    std::chrono::milliseconds delay{0};
    /// "restart 2 of 5 within 10m, in 2.0s" or "gave up: 5 restarts within 10m (restart_limit)".
    std::string explanation;
    bool limit_reached = false;
};

class RestartTracker {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    static constexpr std::chrono::milliseconds kFirstDelay{1000};
    static constexpr std::chrono::milliseconds kMaxDelay{60'000};
    /// A child that stayed ready this long before failing starts the backoff over at 1 s.
    static constexpr std::chrono::milliseconds kStablePeriod{60'000};

    RestartTracker(config::RestartPolicy policy, int limit, std::chrono::milliseconds window);

    /// The child ended without being asked to. `failure` is false only for a clean exit (code 0);
    /// `ready_for` is how long it had been ready (zero if it never was).
    RestartDecision on_exit(bool failure, std::chrono::milliseconds ready_for, TimePoint now);

    /// A start by hand: forget past failures.
    void reset();

    int total_restarts() const { return total_restarts_; }

private:
    config::RestartPolicy policy_;
    int limit_;
    std::chrono::milliseconds window_;
    std::deque<TimePoint> recent_;  // restarts within the window
    int consecutive_ = 0;           // failures since the last stable period, for backoff
    int total_restarts_ = 0;
};

}  // namespace ggufd::supervisor
