#include "restart_policy.h"

#include "ggufd/util/units.h"

namespace ggufd::supervisor {

RestartTracker::RestartTracker(config::RestartPolicy policy, int limit, std::chrono::milliseconds window)
    : policy_(policy), limit_(limit), window_(window) {}

RestartDecision RestartTracker::on_exit(bool failure, std::chrono::milliseconds ready_for, TimePoint now) {
    RestartDecision decision;
    bool wanted = policy_ == config::RestartPolicy::always ||
                  (policy_ == config::RestartPolicy::on_failure && failure);
    if (!wanted) {
        decision.explanation = policy_ == config::RestartPolicy::never
                                   ? "not restarted (restart = \"never\")"
                                   : "not restarted: it exited cleanly (restart = \"on-failure\")";
        return decision;
    }
    while (!recent_.empty() && now - recent_.front() >= window_) recent_.pop_front();
    if (static_cast<int>(recent_.size()) >= limit_) {
        decision.limit_reached = true;
        decision.explanation = "gave up after " + std::to_string(recent_.size()) + " restarts within " +
                               units::format_duration(window_) + " (restart_limit = " + std::to_string(limit_) +
                               "); start it by hand once the cause is fixed";
        return decision;
    }
    if (ready_for >= kStablePeriod) consecutive_ = 0;
    auto delay = kFirstDelay;
    for (int i = 0; i < consecutive_ && delay < kMaxDelay; ++i) delay *= 2;
    if (delay > kMaxDelay) delay = kMaxDelay;
    ++consecutive_;
    recent_.push_back(now);
    ++total_restarts_;

    decision.restart = true;
    decision.delay = delay;
    decision.explanation = "restart " + std::to_string(recent_.size()) + " of " + std::to_string(limit_) + " within " +
                           units::format_duration(window_) + ", in " + units::format_duration(delay);
    return decision;
}

void RestartTracker::reset() {
    recent_.clear();
    consecutive_ = 0;
}

}  // namespace ggufd::supervisor
