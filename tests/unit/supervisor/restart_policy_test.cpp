// RestartTracker as a specification (README.md, docs/CONFIG.md): which exits are restarted, the
// backoff (1 s doubling to 60 s, reset after a stable run), and the limit of restarts within a
// sliding window after which the service is `failed` until started by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "restart_policy.h"

namespace ggufd::supervisor {
namespace {

using namespace std::chrono_literals;
using config::RestartPolicy;
using std::chrono::milliseconds;

const RestartTracker::TimePoint kStart{std::chrono::hours(1000)};
constexpr bool kFailed = true;
constexpr bool kClean = false;

TEST(RestartPolicy, NeverRestartsNothing) {
    RestartTracker tracker(RestartPolicy::never, 5, 10min);
    for (bool failure : {kFailed, kClean}) {
        RestartDecision decision = tracker.on_exit(failure, 0ms, kStart);
        EXPECT_FALSE(decision.restart);
        EXPECT_FALSE(decision.limit_reached);
        EXPECT_NE(decision.explanation.find("never"), std::string::npos) << decision.explanation;
    }
    EXPECT_EQ(tracker.total_restarts(), 0);
}

TEST(RestartPolicy, OnFailureRestartsOnlyFailures) {
    RestartTracker tracker(RestartPolicy::on_failure, 5, 10min);
    RestartDecision clean = tracker.on_exit(kClean, 5s, kStart);
    EXPECT_FALSE(clean.restart);
    EXPECT_NE(clean.explanation.find("cleanly"), std::string::npos) << clean.explanation;
    RestartDecision failed = tracker.on_exit(kFailed, 5s, kStart);
    EXPECT_TRUE(failed.restart);
    EXPECT_EQ(failed.delay, 1s);
    EXPECT_EQ(tracker.total_restarts(), 1);
}

TEST(RestartPolicy, AlwaysRestartsCleanExitsToo) {
    RestartTracker tracker(RestartPolicy::always, 5, 10min);
    EXPECT_TRUE(tracker.on_exit(kClean, 0ms, kStart).restart);
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 1s).restart);
    EXPECT_EQ(tracker.total_restarts(), 2);
}

TEST(RestartPolicy, BackoffDoublesFromOneSecondToSixty) {
    RestartTracker tracker(RestartPolicy::on_failure, 100, 10min);
    std::vector<milliseconds> delays;
    for (int i = 0; i < 9; ++i) delays.push_back(tracker.on_exit(kFailed, 0ms, kStart + i * 1s).delay);
    EXPECT_EQ(delays, (std::vector<milliseconds>{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s}));
}

TEST(RestartPolicy, CleanExitsUnderAlwaysBackOffToo) {
    RestartTracker tracker(RestartPolicy::always, 100, 10min);
    EXPECT_EQ(tracker.on_exit(kClean, 0ms, kStart).delay, 1s);
    EXPECT_EQ(tracker.on_exit(kClean, 0ms, kStart + 1s).delay, 2s) << "a child exiting at once is a loop, not a service";
}

TEST(RestartPolicy, AStableRunStartsTheBackoffOver) {
    RestartTracker tracker(RestartPolicy::on_failure, 100, 10min);
    for (int i = 0; i < 4; ++i) tracker.on_exit(kFailed, 0ms, kStart + i * 1s);
    EXPECT_EQ(tracker.on_exit(kFailed, 59s, kStart + 10s).delay, 16s) << "59 s of readiness is not stable yet";
    EXPECT_EQ(tracker.on_exit(kFailed, RestartTracker::kStablePeriod, kStart + 2min).delay, 1s);
    EXPECT_EQ(tracker.on_exit(kFailed, 0ms, kStart + 3min).delay, 2s) << "and doubles again from there";
}

TEST(RestartPolicy, GivesUpAfterTheLimitWithinTheWindow) {
    RestartTracker tracker(RestartPolicy::on_failure, 5, 10min);
    for (int i = 0; i < 5; ++i) {
        RestartDecision decision = tracker.on_exit(kFailed, 0ms, kStart + i * 1min);
        ASSERT_TRUE(decision.restart) << "restart " << i + 1;
        EXPECT_FALSE(decision.limit_reached);
    }
    RestartDecision decision = tracker.on_exit(kFailed, 0ms, kStart + 5min);
    EXPECT_FALSE(decision.restart);
    EXPECT_TRUE(decision.limit_reached);
    EXPECT_NE(decision.explanation.find("5 restarts"), std::string::npos) << decision.explanation;
    EXPECT_NE(decision.explanation.find("restart_limit"), std::string::npos) << decision.explanation;
    EXPECT_NE(decision.explanation.find("by hand"), std::string::npos) << "says what to do: " << decision.explanation;
    EXPECT_EQ(tracker.total_restarts(), 5) << "giving up is not a restart";
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 6min).limit_reached) << "and stays given up";
}

TEST(RestartPolicy, TheWindowSlides) {
    RestartTracker tracker(RestartPolicy::on_failure, 2, 10min);
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart).restart);
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 4min).restart);
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 9min).limit_reached) << "2 restarts in the last 10 minutes";
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 10min).restart) << "the first one has left the window";
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 13min).limit_reached) << "4 and 10 are still inside";
    EXPECT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 14min).restart);
}

TEST(RestartPolicy, ResetForgetsPastFailures) {
    RestartTracker tracker(RestartPolicy::on_failure, 2, 10min);
    tracker.on_exit(kFailed, 0ms, kStart);
    tracker.on_exit(kFailed, 0ms, kStart + 1s);
    ASSERT_TRUE(tracker.on_exit(kFailed, 0ms, kStart + 2s).limit_reached);
    tracker.reset();
    RestartDecision decision = tracker.on_exit(kFailed, 0ms, kStart + 3s);
    EXPECT_TRUE(decision.restart) << "a start by hand clears `failed`";
    EXPECT_EQ(decision.delay, 1s) << "and the backoff";
    EXPECT_EQ(tracker.total_restarts(), 3) << "the lifetime count is kept for status and metrics";
}

TEST(RestartPolicy, ALimitOfZeroNeverRestarts) {
    RestartTracker tracker(RestartPolicy::always, 0, 10min);
    RestartDecision decision = tracker.on_exit(kFailed, 0ms, kStart);
    EXPECT_FALSE(decision.restart);
    EXPECT_TRUE(decision.limit_reached);
}

TEST(RestartPolicy, ExplanationsCountAndTime) {
    RestartTracker tracker(RestartPolicy::on_failure, 5, 10min);
    tracker.on_exit(kFailed, 0ms, kStart);
    RestartDecision decision = tracker.on_exit(kFailed, 0ms, kStart + 1s);
    EXPECT_NE(decision.explanation.find("2 of 5"), std::string::npos) << decision.explanation;
    EXPECT_NE(decision.explanation.find("2.0s"), std::string::npos) << decision.explanation;
}

}  // namespace
}  // namespace ggufd::supervisor
