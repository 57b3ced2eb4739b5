#include "amd_integrated.h"

#include <gtest/gtest.h>

using ggufd::gpu::classify_amd;

namespace {
constexpr uint64_t GiB = 1ull << 30;
constexpr uint64_t MiB = 1ull << 20;
}  // namespace

TEST(ClassifyAmd, DiscreteCardWhoseKfdMemoryIsItsVram) {
    auto verdict = classify_amd({"gfx1101", 0, 16 * GiB, 16 * GiB});
    EXPECT_FALSE(verdict.integrated);
    EXPECT_NE(verdict.reason.find("gfx1101 is not an APU-only target"), std::string::npos) << verdict.reason;
}

TEST(ClassifyAmd, RaphaelIgpuFiresBothTheTargetAndTheMemorySignal) {
    // Kernel >= 6.10: KFD offers half the system RAM (96 GiB of 192) on a 512 MiB carve-out.
    auto verdict = classify_amd({"gfx1036", 0, 96 * GiB, 512 * MiB});
    EXPECT_TRUE(verdict.integrated);
    EXPECT_TRUE(verdict.memory_is_system_ram);
    EXPECT_NE(verdict.reason.find("gfx1036 only exists as integrated graphics"), std::string::npos);
    EXPECT_NE(verdict.reason.find("KFD offers 96.0 GiB of device memory but it has 512.0 MiB of VRAM"),
              std::string::npos) << verdict.reason;
}

TEST(ClassifyAmd, StrixHaloWithA96GiBCarveOutIsKnownByItsTargetAlone) {
    auto verdict = classify_amd({"gfx1151", 0, 96 * GiB, 96 * GiB});
    EXPECT_TRUE(verdict.integrated);
    EXPECT_FALSE(verdict.memory_is_system_ram);
    EXPECT_EQ(verdict.reason.find("KFD offers"), std::string::npos);
}

TEST(ClassifyAmd, AnUnlistedApuIsCaughtByItsSystemMemory) {
    auto verdict = classify_amd({"gfx1153", 0, 32 * GiB, 2 * GiB});
    EXPECT_TRUE(verdict.integrated);
}

TEST(ClassifyAmd, AKfdNodeWithCpuCoresIsAnApu) {
    auto verdict = classify_amd({"gfx801", 4, std::nullopt, std::nullopt});
    EXPECT_TRUE(verdict.integrated);
    EXPECT_NE(verdict.reason.find("4 CPU cores"), std::string::npos);
}

TEST(ClassifyAmd, PartitionedInstinctReportsLessThanItsVramAndStaysDiscrete) {
    EXPECT_FALSE(classify_amd({"gfx942", 0, 48 * GiB, 192 * GiB}).integrated);
}

TEST(ClassifyAmd, SaysSoWhenMemoryCouldNotBeRead) {
    auto verdict = classify_amd({"gfx1100", 0, std::nullopt, 24 * GiB});
    EXPECT_FALSE(verdict.integrated);
    EXPECT_NE(verdict.reason.find("memory sizes not readable"), std::string::npos);
}
