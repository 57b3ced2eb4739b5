// Drain flags and what the balancer has been told: `ggufd drain` waits until every server line
// that checks a drained service has heard "drain" since the drain began.
#include <gtest/gtest.h>

#include "ggufd/agent/drain_state.h"

namespace ggufd::agent {
namespace {

TEST(DrainState, NodeAndServiceDrains) {
    DrainState drains;
    EXPECT_FALSE(drains.drained("gemma"));
    drains.drain_service("gemma");
    EXPECT_TRUE(drains.drained("gemma"));
    EXPECT_FALSE(drains.drained("qwen"));
    EXPECT_FALSE(drains.node_drained());
    drains.drain_node();
    EXPECT_TRUE(drains.drained("qwen"));
    drains.undrain_service("gemma");
    EXPECT_TRUE(drains.drained("gemma")) << "the node's drain still applies";
    drains.drain_service("gemma");
    drains.undrain_all();
    EXPECT_FALSE(drains.drained("gemma"));
    EXPECT_FALSE(drains.node_drained());
}

TEST(DrainState, UncheckedServicesHaveNobodyToTell) {
    DrainState drains;
    drains.drain_node();
    auto progress = drains.progress("gemma");
    EXPECT_TRUE(progress.drained);
    EXPECT_FALSE(progress.checked);
    EXPECT_TRUE(progress.not_yet_told.empty());
}

TEST(DrainState, EveryRoleThatChecksMustHearDrainAfterItBegan) {
    DrainState drains;
    drains.record_answer("gemma", Role::serve, false);
    drains.record_answer("gemma", Role::standby, false);
    drains.drain_service("gemma");
    auto progress = drains.progress("gemma");
    EXPECT_TRUE(progress.checked);
    EXPECT_EQ(progress.not_yet_told, (std::vector<Role>{Role::serve, Role::standby}));

    drains.record_answer("gemma", Role::serve, true);
    EXPECT_EQ(drains.progress("gemma").not_yet_told, std::vector<Role>{Role::standby});
    drains.record_answer("gemma", Role::standby, true);
    EXPECT_TRUE(drains.progress("gemma").not_yet_told.empty());
}

TEST(DrainState, AnAnswerBeforeTheDrainDoesNotCount) {
    DrainState drains;
    drains.record_answer("gemma", Role::serve, true);  // down, say, before the drain
    drains.drain_service("gemma");
    EXPECT_EQ(drains.progress("gemma").not_yet_told, std::vector<Role>{Role::serve});
}

TEST(DrainState, ARepeatedDrainKeepsItsStart) {
    DrainState drains;
    drains.drain_node();
    auto since = drains.progress("gemma").since;
    drains.drain_node();
    drains.drain_service("gemma");
    EXPECT_EQ(drains.progress("gemma").since, since);
}

}  // namespace
}  // namespace ggufd::agent
