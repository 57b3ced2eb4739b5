// Held slots from the in-flight low-water marks of the last windows: quick to show a slot free,
// slow (5 s of windows) to call it held.
#include <gtest/gtest.h>

#include "slot_history.h"

namespace ggufd::agent {
namespace {

TEST(SlotHistory, FreeUntilHeldThroughEveryWindow) {
    SlotHistory history;
    EXPECT_EQ(history.held(), 0);
    for (size_t i = 1; i < SlotHistory::kWindows; ++i) {
        history.add(1);
        EXPECT_EQ(history.held(), 0) << "held for " << i << " window(s) only";
    }
    history.add(1);
    EXPECT_EQ(history.held(), 1) << "held through all of them: a stream";
}

TEST(SlotHistory, OneFreeMomentFreesTheSlotAtOnce) {
    SlotHistory history;
    for (size_t i = 0; i < SlotHistory::kWindows; ++i) history.add(2);
    EXPECT_EQ(history.held(), 2);
    history.add(1);
    EXPECT_EQ(history.held(), 1);
    for (size_t i = 1; i < SlotHistory::kWindows; ++i) history.add(2);
    EXPECT_EQ(history.held(), 1) << "until the free moment leaves the remembered windows";
    history.add(2);
    EXPECT_EQ(history.held(), 2);
}

}  // namespace
}  // namespace ggufd::agent
