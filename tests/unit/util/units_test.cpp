#include "ggufd/util/units.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using ggufd::units::parse_duration;
using ggufd::units::parse_size;

TEST(ParseDuration, AcceptsEachUnitAndCombinations) {
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("500ms")), 500ms);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("30s")), 30s);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("10m")), 10min);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("1h30m")), 90min);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("1.5s")), 1500ms);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("2d")), 48h);
    EXPECT_EQ(std::get<std::chrono::milliseconds>(parse_duration("0")), 0ms);
}

TEST(ParseDuration, RejectsWhatItCannotReadWithAHint) {
    for (const char* bad : {"", "10", "ten minutes", "10 minutes", "5x", "-3s", "s"}) {
        auto result = parse_duration(bad);
        ASSERT_TRUE(std::holds_alternative<std::string>(result)) << bad;
        EXPECT_NE(std::get<std::string>(result).find("e.g."), std::string::npos);
    }
}

TEST(ParseSize, AcceptsDecimalAndBinaryUnits) {
    EXPECT_EQ(std::get<uint64_t>(parse_size("512MiB")), 512ull << 20);
    EXPECT_EQ(std::get<uint64_t>(parse_size("15GB")), 15'000'000'000ull);
    EXPECT_EQ(std::get<uint64_t>(parse_size("1.5GiB")), 3ull << 29);
    EXPECT_EQ(std::get<uint64_t>(parse_size("1024")), 1024u);
    EXPECT_EQ(std::get<uint64_t>(parse_size("2 KiB")), 2048u);
}

TEST(ParseSize, RejectsUnknownUnits) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_size("12 parsecs")));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_size("GiB")));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_size("")));
}

TEST(Format, IsShortAndReadable) {
    EXPECT_EQ(ggufd::units::format_duration(450ms), "450ms");
    EXPECT_EQ(ggufd::units::format_duration(3200ms), "3.2s");
    EXPECT_EQ(ggufd::units::format_duration(62min), "1h 2m");
    EXPECT_EQ(ggufd::units::format_bytes(17), "17 B");
    EXPECT_EQ(ggufd::units::format_bytes(3ull << 29), "1.5 GiB");
}
