// When the models_dir watcher rescans: once the directory has been quiet for a moment (a copy, an
// unpacking, a `mv` of several files settle first), but never later than a bound after the first
// change, so that a directory that never quiets down is still rescanned. Pure: time is passed in.
#pragma once

#include <chrono>
#include <optional>

namespace ggufd::cli {

class RescanSchedule {
public:
    using Clock = std::chrono::steady_clock;

    RescanSchedule(Clock::duration quiet, Clock::duration at_most) : quiet_(quiet), at_most_(at_most) {}

    /// Something in the directory changed at `now`.
    void note_change(Clock::time_point now);
    /// When the rescan is due; nullopt when nothing is pending.
    std::optional<Clock::time_point> due_at() const;
    /// True once, when a rescan is due at `now`; the changes are then forgotten.
    bool take_due(Clock::time_point now);

private:
    Clock::duration quiet_;
    Clock::duration at_most_;
    std::optional<Clock::time_point> first_;
    Clock::time_point last_{};
};

}  // namespace ggufd::cli
