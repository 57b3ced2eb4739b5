// The in-flight low-water mark the HAProxy agent weighs a node by: a slot counts as taken only
// when a request held it through a whole window, so short requests leave room and streams do not.
#include <gtest/gtest.h>

#include <memory>

#include "ggufd/supervisor/service_handle.h"

namespace ggufd::supervisor {
namespace {

std::unique_ptr<ServiceHandle> ready_handle() {
    auto handle = std::make_unique<ServiceHandle>(config::ServiceConfig{});
    ServiceStatus status;
    status.state = ServiceState::ready;
    handle->publish(status);
    return handle;
}

TEST(InFlightLowWater, AStreamHeldThroughTheWindowCounts) {
    auto owned = ready_handle();
    ServiceHandle& handle = *owned;
    ASSERT_TRUE(handle.try_begin_request());
    EXPECT_EQ(handle.take_in_flight_low_water(), 0) << "the window began before the request";
    EXPECT_EQ(handle.take_in_flight_low_water(), 1) << "held for the whole next window";
    handle.end_request();
    EXPECT_EQ(handle.take_in_flight_low_water(), 0);
}

TEST(InFlightLowWater, ShortRequestsLeaveRoom) {
    auto owned = ready_handle();
    ServiceHandle& handle = *owned;
    ASSERT_TRUE(handle.try_begin_request());  // a stream that stays
    handle.take_in_flight_low_water();
    for (int i = 0; i < 3; ++i) {  // one short request after another beside it
        ASSERT_TRUE(handle.try_begin_request());
        handle.end_request();
    }
    ASSERT_TRUE(handle.try_begin_request());  // and one still running when the window ends
    EXPECT_EQ(handle.take_in_flight_low_water(), 1) << "only the stream held its slot all along";
    EXPECT_EQ(handle.in_flight(), 2);
}

TEST(InFlightLowWater, RefusedRequestsDoNotMoveIt) {
    ServiceHandle handle(config::ServiceConfig{});
    EXPECT_FALSE(handle.try_begin_request());
    EXPECT_EQ(handle.take_in_flight_low_water(), 0);
    EXPECT_EQ(handle.in_flight(), 0);
}

}  // namespace
}  // namespace ggufd::supervisor
