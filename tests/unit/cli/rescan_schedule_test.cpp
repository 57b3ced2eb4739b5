// The models_dir watcher's timing as a specification: quiet for a moment, or at most a bound.
#include <gtest/gtest.h>

#include "rescan_schedule.h"

namespace ggufd::cli {
namespace {

using namespace std::chrono_literals;
using Clock = RescanSchedule::Clock;

TEST(RescanSchedule, NothingPendingNothingDue) {
    RescanSchedule schedule(1s, 5s);
    EXPECT_FALSE(schedule.due_at());
    EXPECT_FALSE(schedule.take_due(Clock::time_point{} + 1h));
}

TEST(RescanSchedule, DueOnceTheDirectoryIsQuiet) {
    RescanSchedule schedule(1s, 5s);
    const Clock::time_point t0{};
    schedule.note_change(t0);
    schedule.note_change(t0 + 600ms);  // a burst of events pushes the rescan back
    EXPECT_EQ(schedule.due_at(), t0 + 1600ms);
    EXPECT_FALSE(schedule.take_due(t0 + 1500ms));
    EXPECT_TRUE(schedule.take_due(t0 + 1600ms));
    EXPECT_FALSE(schedule.due_at()) << "taken: nothing pending any more";
    EXPECT_FALSE(schedule.take_due(t0 + 2s));
}

TEST(RescanSchedule, ADirectoryThatNeverQuietsIsRescannedAtTheBound) {
    RescanSchedule schedule(1s, 5s);
    const Clock::time_point t0{};
    for (auto t = 0ms; t <= 6s; t += 500ms) schedule.note_change(t0 + t);
    EXPECT_EQ(schedule.due_at(), t0 + 5s);
    EXPECT_TRUE(schedule.take_due(t0 + 6s));
    schedule.note_change(t0 + 6500ms);
    EXPECT_EQ(schedule.due_at(), t0 + 7500ms) << "the bound counts from the first change after a rescan";
}

}  // namespace
}  // namespace ggufd::cli
