#include "amdgpu_ids.h"

#include <gtest/gtest.h>

using ggufd::gpu::find_marketing_name;

namespace {
// Lines as libdrm's data/amdgpu.ids has them, including one with spaces instead of tabs.
constexpr const char* kTable =
    "# List of AMDGPU IDs\n#\n# Syntax:\n# device_id,\trevision_id,\tproduct_name\n\n1.0.0\n"
    "1586,\tC1,\tAMD Radeon 8060S Graphics\n"
    "747E,\tC8,\tAMD Radeon RX 7800 XT\n"
    "747E,\tFF,\tAMD Radeon RX 7700 XT\n"
    "7481,   C7,     AMD Steam Machine\n";
}  // namespace

TEST(AmdgpuIds, FindsTheNameForDeviceAndRevision) {
    EXPECT_EQ(find_marketing_name(kTable, 0x747e, 0xc8), "AMD Radeon RX 7800 XT");
    EXPECT_EQ(find_marketing_name(kTable, 0x747e, 0xff), "AMD Radeon RX 7700 XT");
    EXPECT_EQ(find_marketing_name(kTable, 0x1586, 0xc1), "AMD Radeon 8060S Graphics");
    EXPECT_EQ(find_marketing_name(kTable, 0x7481, 0xc7), "AMD Steam Machine");
}

TEST(AmdgpuIds, UnknownDeviceOrRevisionHasNoName) {
    EXPECT_EQ(find_marketing_name(kTable, 0x164e, 0xc1), std::nullopt);
    EXPECT_EQ(find_marketing_name(kTable, 0x747e, 0x00), std::nullopt);
    EXPECT_EQ(find_marketing_name("", 0x747e, 0xc8), std::nullopt);
}
