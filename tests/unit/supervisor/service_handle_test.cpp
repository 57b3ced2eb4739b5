// ServiceHandle's admission protocol as a specification: a request is admitted only while the
// service is ready, and the supervisor can mark it stopping only while no request is in flight,
// so an idle unload and a new request can never both proceed, even when they race.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "ggufd/supervisor/service_handle.h"

namespace ggufd::supervisor {
namespace {

config::ServiceConfig config_named(const std::string& name) {
    config::ServiceConfig config;
    config.name = name;
    return config;
}

void publish_state(ServiceHandle& handle, ServiceState state) {
    ServiceStatus status;
    status.state = state;
    handle.publish(status);
}

TEST(ServiceHandle, StartsStoppedAndRefusesRequests) {
    ServiceHandle handle(config_named("gemma"));
    EXPECT_EQ(handle.name(), "gemma");
    EXPECT_EQ(handle.state(), ServiceState::stopped);
    EXPECT_EQ(handle.port(), 0);
    EXPECT_FALSE(handle.try_begin_request());
    EXPECT_EQ(handle.in_flight(), 0) << "a refused request leaves no slot behind";
}

TEST(ServiceHandle, OnlyAReadyServiceAdmitsRequests) {
    ServiceHandle handle(config_named("gemma"));
    for (ServiceState state : {ServiceState::starting, ServiceState::unhealthy, ServiceState::stopping,
                               ServiceState::failed, ServiceState::stopped}) {
        publish_state(handle, state);
        EXPECT_FALSE(handle.try_begin_request()) << to_string(state);
        EXPECT_EQ(handle.in_flight(), 0);
    }
    publish_state(handle, ServiceState::ready);
    EXPECT_TRUE(handle.try_begin_request());
    EXPECT_TRUE(handle.try_begin_request());
    EXPECT_EQ(handle.in_flight(), 2);
    handle.end_request();
    handle.end_request();
    EXPECT_EQ(handle.in_flight(), 0);
}

TEST(ServiceHandle, ABusyServiceIsNotMarkedStopping) {
    ServiceHandle handle(config_named("gemma"));
    publish_state(handle, ServiceState::ready);
    ASSERT_TRUE(handle.try_begin_request());
    EXPECT_FALSE(handle.try_mark_stopping_if_idle());
    EXPECT_EQ(handle.state(), ServiceState::ready) << "unchanged when refused";
    EXPECT_TRUE(handle.try_begin_request()) << "still serving";
    handle.end_request();
    handle.end_request();
    EXPECT_TRUE(handle.try_mark_stopping_if_idle());
    EXPECT_EQ(handle.state(), ServiceState::stopping);
    EXPECT_FALSE(handle.try_begin_request()) << "no request is admitted once stopping";
}

TEST(ServiceHandle, RequestsRecordWhenTheServiceWasLastUsed) {
    ServiceHandle handle(config_named("gemma"));
    publish_state(handle, ServiceState::ready);
    const auto before = std::chrono::steady_clock::now();
    ASSERT_TRUE(handle.try_begin_request());
    const auto begun = handle.last_used();
    EXPECT_GE(begun, before);
    handle.end_request();
    EXPECT_GE(handle.last_used(), begun) << "the end of a request counts too: idle time starts there";
    EXPECT_LE(handle.last_used(), std::chrono::steady_clock::now());
}

TEST(ServiceHandle, StatusIsTheLastPublishedSnapshot) {
    ServiceHandle handle(config_named("gemma"));
    ServiceStatus status;
    status.state = ServiceState::failed;
    status.cause = StopCause::restart_limit;
    status.reason = "gave up after 5 restarts within 10m 0s";
    status.restarts = 5;
    handle.publish(status);
    handle.set_port(2007);
    ServiceStatus copy = handle.status();
    EXPECT_EQ(copy.state, ServiceState::failed);
    EXPECT_EQ(copy.cause, StopCause::restart_limit);
    EXPECT_EQ(copy.reason, status.reason);
    EXPECT_EQ(copy.restarts, 5);
    EXPECT_EQ(handle.state(), ServiceState::failed);
    EXPECT_EQ(handle.port(), 2007);
}

// The front door and the supervisor hammer the protocol from two threads. Whenever the
// supervisor succeeds in marking the service stopping, no request may hold a slot, and none may
// be admitted until it publishes `ready` again.
TEST(ServiceHandle, AnIdleUnloadAndARequestNeverBothProceed) {
    ServiceHandle handle(config_named("gemma"));
    publish_state(handle, ServiceState::ready);
    std::atomic<bool> done{false};
    std::atomic<int> holding{0};
    std::atomic<uint64_t> admitted{0};
    std::atomic<int> violations{0};

    std::thread front_door([&] {
        while (!done.load()) {
            if (!handle.try_begin_request()) continue;
            holding.fetch_add(1);
            admitted.fetch_add(1);
            holding.fetch_sub(1);
            handle.end_request();
            std::this_thread::yield();  // give the supervisor its turn at an idle service
        }
    });

    // Until both sides have won many races (bounded in time: a loaded machine may starve one).
    constexpr int kEnough = 20000;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int marked = 0;
    while ((marked < kEnough || admitted.load() < kEnough) && std::chrono::steady_clock::now() < deadline) {
        if (!handle.try_mark_stopping_if_idle()) continue;
        ++marked;
        const uint64_t admitted_when_marked = admitted.load();
        for (int spin = 0; spin < 200; ++spin) {
            if (holding.load() != 0 || handle.state() != ServiceState::stopping) violations.fetch_add(1);
        }
        if (admitted.load() != admitted_when_marked) violations.fetch_add(1);
        publish_state(handle, ServiceState::ready);
        std::this_thread::yield();  // give the front door its turn at a ready service
    }
    done.store(true);
    front_door.join();

    EXPECT_EQ(violations.load(), 0) << "a request was admitted while the service was stopping";
    EXPECT_GT(marked, 0) << "the supervisor never got a chance: the test proved nothing";
    EXPECT_GT(admitted.load(), 0u) << "the front door never got a chance: the test proved nothing";
    EXPECT_EQ(handle.in_flight(), 0);
}

TEST(ServiceState, EveryStateAndCauseHasAName) {
    EXPECT_EQ(to_string(ServiceState::ready), "ready");
    EXPECT_EQ(to_string(ServiceState::failed), "failed");
    EXPECT_EQ(to_string(StopCause::idle), "idle-unload");
    EXPECT_EQ(to_string(StopCause::user), "stopped-by-user");
    EXPECT_EQ(to_string(StopCause::restart_limit), "restart-limit");
}

}  // namespace
}  // namespace ggufd::supervisor
