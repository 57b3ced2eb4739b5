// LogRing as a specification: the last `capacity` lines, oldest first, and followers that get
// every new line (and no old ones) until they unsubscribe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ggufd/supervisor/log_ring.h"

namespace ggufd::supervisor {
namespace {

using Lines = std::vector<std::string>;

TEST(LogRing, KeepsTheLastCapacityLinesOldestFirst) {
    LogRing ring(3);
    EXPECT_EQ(ring.tail(10), Lines{});
    for (const char* line : {"one", "two", "three", "four", "five"}) ring.append(line);
    EXPECT_EQ(ring.tail(10), (Lines{"three", "four", "five"}));
    EXPECT_EQ(ring.tail(3), (Lines{"three", "four", "five"}));
    EXPECT_EQ(ring.tail(2), (Lines{"four", "five"}));
    EXPECT_EQ(ring.tail(0), Lines{});
}

TEST(LogRing, TheDefaultCapacityIsFiveHundred) {
    LogRing ring;
    for (int i = 0; i < 600; ++i) ring.append(std::to_string(i));
    Lines lines = ring.tail(1000);
    ASSERT_EQ(lines.size(), 500u);
    EXPECT_EQ(lines.front(), "100");
    EXPECT_EQ(lines.back(), "599");
}

TEST(LogRing, SubscribersGetNewLinesInOrderUntilTheyUnsubscribe) {
    LogRing ring(10);
    ring.append("before");
    Lines first, second;
    uint64_t a = ring.subscribe([&](const std::string& line) { first.push_back(line); });
    uint64_t b = ring.subscribe([&](const std::string& line) { second.push_back(line); });
    EXPECT_NE(a, b);
    ring.append("x");
    ring.append("y");
    ring.unsubscribe(a);
    ring.append("z");
    EXPECT_EQ(first, (Lines{"x", "y"})) << "no past lines, none after unsubscribing";
    EXPECT_EQ(second, (Lines{"x", "y", "z"}));
    ring.unsubscribe(a);       // twice: harmless
    ring.unsubscribe(424242);  // unknown: harmless
    ring.append("w");
    EXPECT_EQ(second.back(), "w");
}

TEST(LogRing, SubscribersAreCalledWithoutTheLockHeld) {
    LogRing ring(10);
    Lines seen_by_follower;
    uint64_t id = 0;
    id = ring.subscribe([&](const std::string&) {
        seen_by_follower = ring.tail(10);  // would deadlock if the ring's lock were held
        ring.unsubscribe(id);
    });
    ring.append("first");
    ring.append("second");
    EXPECT_EQ(seen_by_follower, (Lines{"first"})) << "the line is in the ring before followers hear of it";
}

}  // namespace
}  // namespace ggufd::supervisor
