// The log rate limit: a burst of ten seconds' worth passes, a flood beyond it is counted rather
// than logged, the bucket refills with time, and 0 means no limit.
#include <gtest/gtest.h>

#include "log_limiter.h"

namespace ggufd::supervisor {
namespace {

using namespace std::chrono_literals;
const LogLimiter::TimePoint t0 = LogLimiter::TimePoint() + 1h;

TEST(LogLimiter, ABurstOfTenSecondsWorthPassesAndTheRestIsCounted) {
    LogLimiter limiter(100);
    int logged = 0;
    for (int i = 0; i < 5000; ++i) logged += limiter.admit(t0) ? 1 : 0;
    EXPECT_EQ(logged, 1000);
    EXPECT_EQ(limiter.suppressed(), 4000u);
    EXPECT_EQ(limiter.take_suppressed(), 4000u);
    EXPECT_EQ(limiter.take_suppressed(), 0u) << "taking the count resets it";
}

TEST(LogLimiter, TheBucketRefillsAtTheRateAndNeverBeyondTheBurst) {
    LogLimiter limiter(100);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.admit(t0));
    EXPECT_FALSE(limiter.admit(t0));
    // Half a second later: 50 more lines.
    int logged = 0;
    for (int i = 0; i < 200; ++i) logged += limiter.admit(t0 + 500ms) ? 1 : 0;
    EXPECT_EQ(logged, 50);
    // An hour of silence refills at most a burst.
    logged = 0;
    for (int i = 0; i < 5000; ++i) logged += limiter.admit(t0 + 2h) ? 1 : 0;
    EXPECT_EQ(logged, 1000);
}

TEST(LogLimiter, ASteadyFlowBelowTheRateIsNeverHeldBack) {
    LogLimiter limiter(10);
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.admit(t0 + i * 100ms)) << i;
    EXPECT_EQ(limiter.suppressed(), 0u);
}

TEST(LogLimiter, ZeroMeansNoLimit) {
    LogLimiter limiter(0);
    for (int i = 0; i < 100000; ++i) ASSERT_TRUE(limiter.admit(t0));
}

}  // namespace
}  // namespace ggufd::supervisor
