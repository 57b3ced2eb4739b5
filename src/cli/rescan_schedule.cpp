#include "rescan_schedule.h"

#include <algorithm>

namespace ggufd::cli {

void RescanSchedule::note_change(Clock::time_point now) {
    if (!first_) first_ = now;
    last_ = now;
}

std::optional<RescanSchedule::Clock::time_point> RescanSchedule::due_at() const {
    if (!first_) return std::nullopt;
    return std::min(last_ + quiet_, *first_ + at_most_);
}

bool RescanSchedule::take_due(Clock::time_point now) {
    auto due = due_at();
    if (!due || now < *due) return false;
    first_.reset();
    return true;
}

}  // namespace ggufd::cli
