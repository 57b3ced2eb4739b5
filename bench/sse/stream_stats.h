// What one load-generator run measured, reduced to the figures the report shows: time to first
// byte, per-event delay against a reference schedule, events per second, and the count of
// streams whose events did not arrive intact. Pure arithmetic over recorded timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ggufd::bench {

/// One stream that completed inside the measurement window. Times are nanoseconds since the
/// stream began (just before connect()).
struct StreamRecord {
    int64_t first_byte_ns = 0;
    std::vector<int64_t> event_ns;  ///< arrival of each event, in order
};

/// A per-event arrival schedule: the median arrival of event k (µs after the stream began) over
/// the streams of one run. A run against the upstream directly provides the reference that runs
/// through proxies are compared with.
using Schedule = std::vector<double>;

struct Percentiles {
    double p50 = 0;
    double p90 = 0;
    double p99 = 0;
    double max = 0;
};

struct RunSummary {
    size_t streams = 0;                  ///< intact streams measured
    Percentiles ttfb_us;                 ///< first response byte after the stream began
    Schedule schedule_us;                ///< this run's own per-event medians
    Percentiles event_delay_us;          ///< arrival minus the reference schedule, every event
    Percentiles gap_us;                  ///< time between consecutive events of a stream, every pair
};

/// The median arrival of each event over `streams`, which must all have `events` events.
Schedule median_schedule(const std::vector<StreamRecord>& streams, size_t events);

/// Summarises intact streams (each with exactly `events` events). Event delay is measured
/// against `reference` when given (it must have `events` entries), else against the run's own
/// schedule, so that a direct run's delays centre on zero.
RunSummary summarise(const std::vector<StreamRecord>& streams, size_t events,
                     const std::optional<Schedule>& reference);

/// How a stream's events differ from what was expected: the right number of events, the last
/// one `data: [DONE]`, and (when `check_index`) content tokens numbered 0, 1, 2... with none
/// missing, repeated or reordered.
struct StreamCheck {
    size_t expected_events = 0;
    bool check_index = false;

    /// Empty when the stream is intact, else what was wrong ("31 events, expected 35").
    std::string verdict(size_t events, bool ended_with_done, const std::vector<long>& token_indices) const;
};

}  // namespace ggufd::bench
