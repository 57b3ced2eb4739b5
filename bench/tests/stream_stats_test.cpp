// Stream figures: a proxy that delays every event by a constant shows exactly that delay against
// the direct schedule, and the stream check names what was lost or reordered.
#include <gtest/gtest.h>

#include "../common/percentile.h"
#include "../sse/stream_stats.h"

namespace ggufd::bench {
namespace {

std::vector<StreamRecord> streams(int count, int64_t offset_ns) {
    std::vector<StreamRecord> out;
    for (int s = 0; s < count; ++s) {
        StreamRecord r;
        r.first_byte_ns = 50'000 + offset_ns + s * 1000;
        for (int k = 0; k < 4; ++k) r.event_ns.push_back(r.first_byte_ns + k * 1'000'000);
        out.push_back(r);
    }
    return out;
}

TEST(Percentile, NearestRank) {
    std::vector<double> v{5, 1, 4, 2, 3};
    EXPECT_EQ(percentile(v, 50), 3);
    EXPECT_EQ(percentile(v, 99), 5);
    EXPECT_EQ(percentile(v, 1), 1);
    std::vector<double> empty;
    EXPECT_EQ(percentile(empty, 50), 0);
    EXPECT_EQ(median({1, 2, 3, 10}), 2.5);
}

TEST(Summarise, DirectRunCentresOnZero) {
    auto direct = summarise(streams(101, 0), 4, std::nullopt);
    EXPECT_EQ(direct.streams, 101u);
    EXPECT_DOUBLE_EQ(direct.event_delay_us.p50, 0);
    EXPECT_DOUBLE_EQ(direct.ttfb_us.p50, 100);  // 50 µs + the median stream's 50 µs
    ASSERT_EQ(direct.schedule_us.size(), 4u);
    EXPECT_DOUBLE_EQ(direct.schedule_us[1], 1100);
}

TEST(Summarise, ConstantProxyDelayShowsAgainstTheDirectSchedule) {
    auto direct = summarise(streams(101, 0), 4, std::nullopt);
    auto proxied = summarise(streams(101, 30'000), 4, direct.schedule_us);
    EXPECT_DOUBLE_EQ(proxied.event_delay_us.p50 - direct.event_delay_us.p50, 30);
    EXPECT_DOUBLE_EQ(proxied.event_delay_us.p99 - direct.event_delay_us.p99, 30);
    // Against its own schedule the same run would hide the delay: that is why a reference exists.
    EXPECT_DOUBLE_EQ(summarise(streams(101, 30'000), 4, std::nullopt).event_delay_us.p50, 0);
}

TEST(Summarise, TheWorstGapBetweenEventsIsTheStall) {
    auto runs = streams(101, 0);  // events 1 ms apart
    runs[7].event_ns[2] += 40'000'000;  // one stream stalls 40 ms before its third event...
    runs[7].event_ns[3] += 40'000'000;  // ...and the rest of it follows on time after that
    auto summary = summarise(runs, 4, std::nullopt);
    EXPECT_DOUBLE_EQ(summary.gap_us.p50, 1000);
    EXPECT_DOUBLE_EQ(summary.gap_us.max, 41000);
}

TEST(StreamCheck, NamesLostMergedAndReorderedEvents) {
    StreamCheck check{5, true};
    EXPECT_EQ(check.verdict(5, true, {0, 1}), "");
    EXPECT_EQ(check.verdict(4, true, {0, 1}), "4 events, expected 5");
    EXPECT_EQ(check.verdict(5, false, {0, 1}), "the last event is not data: [DONE]");
    EXPECT_EQ(check.verdict(5, true, {0, 2}), "token 1 carries index 2");
    EXPECT_NE(check.verdict(5, true, {}), "");
    EXPECT_EQ((StreamCheck{5, false}).verdict(5, true, {}), "");
}

}  // namespace
}  // namespace ggufd::bench
