// Logging an event that a client can make happen thousands of times a second (a full
// connection table, descriptors running out) at most once per interval, with a count, so that
// an attack cannot fill the disk with the daemon's log. Pure: the caller passes the time.
#pragma once

#include <cstdint>

#include "ggufd/net/event_loop.h"

namespace ggufd::gateway {

/// LogThrottle counts occurrences of one event and says when a line may be written: the first
/// occurrence at once, then at most one line per interval, each reporting how many occurrences
/// it stands for.
class LogThrottle {
public:
    explicit LogThrottle(net::Clock::duration interval) : interval_(interval) {}

    /// Counts one occurrence at `now`. Returns 0 when no line is due; otherwise the number of
    /// occurrences the line reports (this one and the ones not logged before it).
    uint64_t record(net::Clock::time_point now) {
        ++unreported_;
        if (logged_ && now - last_line_ < interval_) return 0;
        logged_ = true;
        last_line_ = now;
        uint64_t count = unreported_;
        unreported_ = 0;
        return count;
    }

private:
    const net::Clock::duration interval_;
    bool logged_ = false;
    net::Clock::time_point last_line_{};
    uint64_t unreported_ = 0;
};

}  // namespace ggufd::gateway
