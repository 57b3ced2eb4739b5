// The agent's answers as a table: every service state and stop cause, in both roles, drained or
// not, with the daemon running or shutting down; and the weight from free slots.
#include <gtest/gtest.h>

#include "agent_policy.h"

namespace ggufd::agent {
namespace {

using supervisor::ServiceState;
using supervisor::StopCause;
using Kind = Answer::Kind;

ServiceView view(ServiceState state, StopCause cause = StopCause::none, int slots = 1, int held = 0) {
    return ServiceView{state, cause, "because", slots, held};
}

struct Row {
    ServiceState state;
    StopCause cause;
    Kind serve;
    Kind standby;
};

// What each lifecycle state tells the two server lines of a model's backends (docs/SCALE-OUT.md).
const Row kTable[] = {
    {ServiceState::ready, StopCause::none, Kind::up, Kind::up},
    {ServiceState::starting, StopCause::none, Kind::drain, Kind::up},
    {ServiceState::unhealthy, StopCause::unhealthy, Kind::down, Kind::down},
    {ServiceState::failed, StopCause::restart_limit, Kind::down, Kind::down},
    {ServiceState::failed, StopCause::load_failed, Kind::down, Kind::down},
    // Stopped on purpose or resting: drained in the main backend; startable ones stand by.
    {ServiceState::stopped, StopCause::not_started, Kind::drain, Kind::up},
    {ServiceState::stopped, StopCause::idle, Kind::drain, Kind::up},
    {ServiceState::stopped, StopCause::evicted, Kind::drain, Kind::up},
    {ServiceState::stopped, StopCause::no_memory, Kind::drain, Kind::up},
    {ServiceState::stopped, StopCause::user, Kind::drain, Kind::drain},
    {ServiceState::stopped, StopCause::removed, Kind::drain, Kind::drain},
    {ServiceState::stopping, StopCause::user, Kind::drain, Kind::drain},
    {ServiceState::stopping, StopCause::idle, Kind::drain, Kind::up},
    {ServiceState::stopping, StopCause::evicted, Kind::drain, Kind::up},
    {ServiceState::stopping, StopCause::shutdown, Kind::drain, Kind::drain},
    // Broken, waiting for its restart: down here; a request sent on standby waits for it.
    {ServiceState::stopped, StopCause::crashed, Kind::down, Kind::up},
    {ServiceState::stopped, StopCause::load_failed, Kind::down, Kind::up},
};

TEST(AgentPolicy, EveryStateInBothRoles) {
    for (const Row& row : kTable) {
        std::string label = std::string(to_string(row.state)) + "/" + std::string(to_string(row.cause));
        EXPECT_EQ(decide(view(row.state, row.cause), Role::serve, false, false).kind, row.serve) << label;
        EXPECT_EQ(decide(view(row.state, row.cause), Role::standby, false, false).kind, row.standby) << label;
    }
}

TEST(AgentPolicy, DrainAndShutdownOverrideEverything) {
    for (const Row& row : kTable) {
        for (Role role : {Role::serve, Role::standby}) {
            EXPECT_EQ(decide(view(row.state, row.cause), role, true, false).kind, Kind::drain);
            EXPECT_EQ(decide(view(row.state, row.cause), role, true, true).kind, Kind::maint);
            EXPECT_EQ(decide(view(row.state, row.cause), role, false, true).kind, Kind::maint);
        }
    }
}

TEST(AgentPolicy, DownSaysWhy) {
    Answer answer = decide(view(ServiceState::failed, StopCause::restart_limit), Role::serve, false, false);
    EXPECT_EQ(answer.why, "failed: because");
    EXPECT_TRUE(answer.keeps_new_requests_away());
    EXPECT_FALSE(decide(view(ServiceState::ready), Role::serve, false, false).keeps_new_requests_away());
}

TEST(AgentPolicy, AReadyServiceIsWeightedByFreeSlots) {
    EXPECT_EQ(decide(view(ServiceState::ready, StopCause::none, 4, 1), Role::serve, false, false).weight_percent, 75);
    EXPECT_EQ(decide(view(ServiceState::ready, StopCause::none, 4, 1), Role::standby, false, false).weight_percent, 100)
        << "standby lines are picked in order, not by weight";
}

TEST(AgentPolicy, WeightFromSlots) {
    EXPECT_EQ(weight_from_slots(1, 0), 100);
    EXPECT_EQ(weight_from_slots(1, 1), 1) << "full, yet still a place to queue when every node is full";
    EXPECT_EQ(weight_from_slots(4, 1), 75);
    EXPECT_EQ(weight_from_slots(4, 2), 50);
    EXPECT_EQ(weight_from_slots(3, 1), 67);
    EXPECT_EQ(weight_from_slots(4, 9), 1) << "more in flight than slots: queued in the child";
    EXPECT_EQ(weight_from_slots(0, 0), 100) << "a nonsensical slot count counts as one";
    EXPECT_EQ(weight_from_slots(2, -1), 100);
}

TEST(AgentPolicy, SlotsComeFromParallel) {
    config::ServiceConfig service;
    EXPECT_EQ(slots_of(service), 4) << "llama-server's default";
    service.parallel = 2;
    EXPECT_EQ(slots_of(service), 2);
}

TEST(AgentPolicy, UnknownNamesAndTheNode) {
    Answer unknown = unknown_service("gemma", false);
    EXPECT_EQ(unknown.kind, Kind::down);
    EXPECT_EQ(unknown.why, "no service named \"gemma\" on this node");
    EXPECT_EQ(unknown_service("gemma", true).kind, Kind::maint);
    EXPECT_EQ(node_answer(false, false), (Answer{Kind::up, 100, ""}));
    EXPECT_EQ(node_answer(true, false).kind, Kind::drain);
    EXPECT_EQ(node_answer(true, true).kind, Kind::maint);
}

}  // namespace
}  // namespace ggufd::agent
