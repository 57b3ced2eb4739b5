#include "stream_stats.h"

#include "../common/percentile.h"

namespace ggufd::bench {
namespace {

constexpr double kNsPerUs = 1000.0;

Percentiles percentiles_of(std::vector<double> values) {
    Percentiles out;
    if (values.empty()) return out;
    out.p50 = percentile(values, 50);
    out.p90 = percentile(values, 90);
    out.p99 = percentile(values, 99);
    out.max = percentile(values, 100);
    return out;
}

}  // namespace

Schedule median_schedule(const std::vector<StreamRecord>& streams, size_t events) {
    Schedule schedule(events, 0.0);
    std::vector<double> arrivals;
    arrivals.reserve(streams.size());
    for (size_t k = 0; k < events; ++k) {
        arrivals.clear();
        for (const auto& stream : streams) arrivals.push_back(static_cast<double>(stream.event_ns[k]) / kNsPerUs);
        schedule[k] = median(arrivals);
    }
    return schedule;
}

RunSummary summarise(const std::vector<StreamRecord>& streams, size_t events,
                     const std::optional<Schedule>& reference) {
    RunSummary summary;
    summary.streams = streams.size();
    summary.schedule_us = median_schedule(streams, events);
    const Schedule& against = reference ? *reference : summary.schedule_us;

    std::vector<double> ttfb;
    std::vector<double> delays;
    std::vector<double> gaps;
    ttfb.reserve(streams.size());
    delays.reserve(streams.size() * events);
    gaps.reserve(streams.size() * events);
    for (const auto& stream : streams) {
        ttfb.push_back(static_cast<double>(stream.first_byte_ns) / kNsPerUs);
        for (size_t k = 0; k < events; ++k) {
            delays.push_back(static_cast<double>(stream.event_ns[k]) / kNsPerUs - against[k]);
            if (k > 0) gaps.push_back(static_cast<double>(stream.event_ns[k] - stream.event_ns[k - 1]) / kNsPerUs);
        }
    }
    summary.ttfb_us = percentiles_of(std::move(ttfb));
    summary.event_delay_us = percentiles_of(std::move(delays));
    summary.gap_us = percentiles_of(std::move(gaps));
    return summary;
}

std::string StreamCheck::verdict(size_t events, bool ended_with_done, const std::vector<long>& token_indices) const {
    if (events != expected_events) {
        return std::to_string(events) + " events, expected " + std::to_string(expected_events);
    }
    if (!ended_with_done) return "the last event is not data: [DONE]";
    if (!check_index) return "";
    for (size_t i = 0; i < token_indices.size(); ++i) {
        if (token_indices[i] != static_cast<long>(i)) {
            return "token " + std::to_string(i) + " carries index " + std::to_string(token_indices[i]);
        }
    }
    if (token_indices.empty()) return "no numbered tokens (is the upstream the fake llama-server?)";
    return "";
}

}  // namespace ggufd::bench
