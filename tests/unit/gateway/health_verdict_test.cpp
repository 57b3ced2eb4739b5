// /health's two meanings as a specification: the default (can this front door serve anything?)
// for load balancers, and ?all=1 (is every eager service up?) for orchestrators.
#include <gtest/gtest.h>

#include "health_verdict.h"

namespace ggufd::gateway {
namespace {

using supervisor::ServiceState;
using supervisor::StopCause;

ServiceCondition service(std::string name, ServiceState state, StopCause cause = StopCause::none, bool eager = true) {
    return {std::move(name), state, cause, eager, "because"};
}

TEST(HealthVerdict, WhatCanServe) {
    EXPECT_TRUE(can_serve(ServiceState::ready, StopCause::none));
    EXPECT_TRUE(can_serve(ServiceState::starting, StopCause::none));
    for (StopCause cause : {StopCause::not_started, StopCause::idle, StopCause::evicted, StopCause::crashed,
                            StopCause::load_failed, StopCause::no_memory}) {
        EXPECT_TRUE(can_serve(ServiceState::stopped, cause)) << "started on demand: " << supervisor::to_string(cause);
        EXPECT_TRUE(can_serve(ServiceState::stopping, cause)) << supervisor::to_string(cause);
    }
    for (StopCause cause : {StopCause::user, StopCause::shutdown, StopCause::removed}) {
        EXPECT_FALSE(can_serve(ServiceState::stopped, cause)) << supervisor::to_string(cause);
        EXPECT_FALSE(can_serve(ServiceState::stopping, cause)) << supervisor::to_string(cause);
    }
    EXPECT_FALSE(can_serve(ServiceState::unhealthy, StopCause::unhealthy));
    EXPECT_FALSE(can_serve(ServiceState::failed, StopCause::restart_limit));
}

TEST(HealthVerdict, OneFailedServiceDoesNotTakeTheFrontDoorDown) {
    auto verdict = judge_health({service("good", ServiceState::ready), service("bad", ServiceState::failed, StopCause::load_failed)},
                                true, false);
    EXPECT_EQ(verdict.status, 200);
    EXPECT_EQ(verdict.body["status"], "ok");
    ASSERT_EQ(verdict.body["services"].size(), 2u);
    EXPECT_EQ(verdict.body["services"][0]["name"], "good");
    EXPECT_EQ(verdict.body["services"][0]["state"], "ready");
    EXPECT_EQ(verdict.body["services"][0]["can_serve"], true);
    EXPECT_FALSE(verdict.body["services"][0].contains("reason"));
    EXPECT_EQ(verdict.body["services"][1]["state"], "failed");
    EXPECT_EQ(verdict.body["services"][1]["can_serve"], false);
    EXPECT_EQ(verdict.body["services"][1]["reason"], "because");
}

TEST(HealthVerdict, LazyServicesNotYetStartedCount) {
    EXPECT_EQ(judge_health({service("lazy", ServiceState::stopped, StopCause::not_started, false)}, true, false).status, 200);
}

TEST(HealthVerdict, NothingThatCanServeIs503) {
    auto verdict = judge_health({service("a", ServiceState::failed, StopCause::restart_limit),
                                 service("b", ServiceState::stopped, StopCause::user),
                                 service("c", ServiceState::unhealthy, StopCause::unhealthy)},
                                true, false);
    EXPECT_EQ(verdict.status, 503);
    EXPECT_EQ(verdict.body["status"], "unavailable");
    EXPECT_EQ(verdict.body["reason"], "no service can serve");
    EXPECT_EQ(verdict.body["services"].size(), 3u);

    auto empty = judge_health({}, true, false);
    EXPECT_EQ(empty.status, 503);
    EXPECT_EQ(empty.body["reason"], "no services are configured or discovered");
}

TEST(HealthVerdict, ShuttingDownIs503WhateverTheServices) {
    for (bool all : {false, true}) {
        auto verdict = judge_health({service("a", ServiceState::ready)}, false, all);
        EXPECT_EQ(verdict.status, 503);
        EXPECT_EQ(verdict.body["reason"], "ggufd is shutting down");
    }
}

TEST(HealthVerdict, AllAsksEveryEagerServiceToBeUp) {
    std::vector<ServiceCondition> fleet = {service("a", ServiceState::ready),
                                           service("lazy", ServiceState::stopped, StopCause::not_started, false),
                                           service("idle", ServiceState::stopped, StopCause::idle)};
    EXPECT_EQ(judge_health(fleet, true, true).status, 200) << "lazy ones are not asked; idle unloads are as configured";

    fleet.push_back(service("b", ServiceState::starting));
    fleet.push_back(service("c", ServiceState::failed, StopCause::load_failed));
    auto verdict = judge_health(fleet, true, true);
    EXPECT_EQ(verdict.status, 503);
    EXPECT_EQ(verdict.body["reason"], "2 eager service(s) not ready: b (starting), c (failed)");
    EXPECT_EQ(judge_health(fleet, true, false).status, 200) << "the default meaning is satisfied meanwhile";
}

}  // namespace
}  // namespace ggufd::gateway
