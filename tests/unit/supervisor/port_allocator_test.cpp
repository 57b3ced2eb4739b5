// PortAllocator as a specification, with an injected "is this port free" so that no socket is
// touched: fixed ports, the lowest free port of the range, ports kept across restarts, reserved
// ports never handed out, and an exhausted range explained.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "port_allocator.h"

namespace ggufd::supervisor {
namespace {

// Ports some other program holds; everything else is free (unless the daemon is out of
// descriptors, when nothing can be checked).
struct Machine {
    std::set<uint16_t> busy;
    bool out_of_descriptors = false;
    std::function<PortState(uint16_t)> is_free() {
        return [this](uint16_t port) {
            if (out_of_descriptors) return PortState::unknown;
            return busy.count(port) ? PortState::in_use : PortState::free;
        };
    }
};

TEST(PortAllocator, AFixedPortIsUsedWhenFree) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    PortAllocator::Result result = ports.acquire("gemma", 2007);
    EXPECT_EQ(result.port, 2007);
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(ports.acquire("vllm", 8000).port, 8000) << "a fixed port may lie outside port_range";
}

TEST(PortAllocator, ABusyFixedPortIsAnErrorThatSaysWhatToDo) {
    Machine machine{{2007}};
    PortAllocator ports(2000, 2099, {2007}, machine.is_free());
    PortAllocator::Result result = ports.acquire("gemma", 2007);
    EXPECT_EQ(result.port, 0);
    EXPECT_NE(result.error.find("2007"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("port"), std::string::npos) << result.error;
    machine.busy.clear();
    EXPECT_EQ(ports.acquire("gemma", 2007).port, 2007) << "once the other program is gone";
}

TEST(PortAllocator, TheLowestFreePortOfTheRange) {
    Machine machine{{2000, 2002}};
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2001);
    EXPECT_EQ(ports.acquire("b", std::nullopt).port, 2003) << "not 2001 again: a holds it";
    EXPECT_EQ(ports.acquire("c", std::nullopt).port, 2004);
}

TEST(PortAllocator, ReservedPortsAreNeverHandedOut) {
    Machine machine;
    PortAllocator ports(2000, 2099, {2000, 2001, 2003}, machine.is_free());
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2002);
    EXPECT_EQ(ports.acquire("b", std::nullopt).port, 2004);
}

TEST(PortAllocator, AServiceKeepsItsPortAcrossRestarts) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2000);
    EXPECT_EQ(ports.acquire("b", std::nullopt).port, 2001);
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2000);
    EXPECT_EQ(ports.acquire("b", std::nullopt).port, 2001) << "clients that talk to it directly keep working";
}

TEST(PortAllocator, AKeptPortThatWasTakenMeanwhileIsReplaced) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    ASSERT_EQ(ports.acquire("a", std::nullopt).port, 2000);
    ASSERT_EQ(ports.acquire("b", std::nullopt).port, 2001);
    machine.busy = {2000};
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2002);
}

TEST(PortAllocator, ReleasedPortsAreHandedOutAgain) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    ports.acquire("a", std::nullopt);
    ports.acquire("b", std::nullopt);
    ports.release("a");
    EXPECT_EQ(ports.acquire("c", std::nullopt).port, 2000);
    ports.release("never-had-one");  // harmless
}

TEST(PortAllocator, AFixedPortIsNotHandedToAnother) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    ASSERT_EQ(ports.acquire("fixed", 2000).port, 2000);
    EXPECT_EQ(ports.acquire("ranged", std::nullopt).port, 2001);
}

TEST(PortAllocator, AnExhaustedRangeIsExplained) {
    Machine machine{{2002}};
    PortAllocator ports(2000, 2002, {2001}, machine.is_free());
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 2000);
    PortAllocator::Result result = ports.acquire("b", std::nullopt);
    EXPECT_EQ(result.port, 0);
    EXPECT_NE(result.error.find("2000-2002"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("port_range"), std::string::npos) << "names the setting to change: " << result.error;
}

TEST(PortAllocator, TheTopOfThePortSpaceEndsTheSearch) {
    Machine machine{{65534, 65535}};
    PortAllocator ports(65534, 65535, {}, machine.is_free());
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 0) << "no wrap-around past 65535";
    machine.busy = {65534};
    EXPECT_EQ(ports.acquire("a", std::nullopt).port, 65535);
}

// EMFILE is the daemon's shortage, not a taken port: the caller is told to retry, and the
// service's port is not given away meanwhile.
TEST(PortAllocator, APortThatCannotBeCheckedIsToBeRetriedNotReportedTaken) {
    Machine machine;
    PortAllocator ports(2000, 2099, {}, machine.is_free());
    ASSERT_EQ(ports.acquire("gemma", std::nullopt).port, 2000);
    machine.out_of_descriptors = true;
    for (std::optional<uint16_t> fixed : {std::optional<uint16_t>(), std::optional<uint16_t>(2007)}) {
        PortAllocator::Result result = ports.acquire("gemma", fixed);
        EXPECT_EQ(result.port, 0);
        EXPECT_TRUE(result.retry);
        EXPECT_EQ(result.error.find("in use"), std::string::npos) << result.error;
    }
    machine.out_of_descriptors = false;
    EXPECT_EQ(ports.acquire("gemma", std::nullopt).port, 2000);
}

}  // namespace
}  // namespace ggufd::supervisor
