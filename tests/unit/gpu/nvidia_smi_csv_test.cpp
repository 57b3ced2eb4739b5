#include "nvidia_smi_csv.h"

#include <gtest/gtest.h>

using ggufd::gpu::parse_nvidia_smi_csv;

TEST(NvidiaSmiCsv, ReadsTheRecordedH200Output) {
    auto table = parse_nvidia_smi_csv(
        "0, NVIDIA H200, GPU-123e1095-1ac7-4fa0-f249-90b9b2832a09, 00000000:00:06.0, 143771, 0, 143156\n"
        "1, NVIDIA H200, GPU-c88c6320-3fac-7dc7-b673-6dfc8015143d, 00000000:00:07.0, 143771, 0, 143156\n");
    ASSERT_TRUE(table.errors.empty());
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[1].index, 1);
    EXPECT_EQ(table.rows[1].name, "NVIDIA H200");
    EXPECT_EQ(table.rows[1].uuid, "GPU-c88c6320-3fac-7dc7-b673-6dfc8015143d");
    EXPECT_EQ(table.rows[1].pci_bus_id, "00000000:00:07.0");
    EXPECT_EQ(table.rows[1].total_mib, 143771u);
    EXPECT_EQ(table.rows[1].used_mib, 0u);
    EXPECT_EQ(table.rows[1].free_mib, 143156u);
}

TEST(NvidiaSmiCsv, BracketedWordsAreUnknownNotZero) {
    auto table = parse_nvidia_smi_csv(
        "0, NVIDIA GB10, GPU-2dee1e25-b3b5-007e-2b55-79f2d0f2ebe5, 0000000F:01:00.0, [N/A], [N/A], [N/A]\n"
        "1, Orin, GPU-1, 00000000:00:00.0, [Not Supported], [Not Supported], N/A\r\n");
    ASSERT_TRUE(table.errors.empty());
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[0].total_mib, std::nullopt);
    EXPECT_EQ(table.rows[0].used_mib, std::nullopt);
    EXPECT_EQ(table.rows[1].free_mib, std::nullopt);
}

TEST(NvidiaSmiCsv, KeepsANameWithCommasWhole) {
    auto table = parse_nvidia_smi_csv("0, Tesla K80, rev 2, GPU-9, 00000000:04:00.0, 11441, 10, 11431\n");
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0].name, "Tesla K80, rev 2");
    EXPECT_EQ(table.rows[0].uuid, "GPU-9");
}

TEST(NvidiaSmiCsv, ReportsBadLinesAndKeepsTheGoodOnes) {
    auto table = parse_nvidia_smi_csv(
        "0, NVIDIA H100 80GB HBM3, GPU-7e754ec4, 00000000:00:06.0, 81559, 0, 81079\n"
        "\n"
        "1, NVIDIA H100 80GB HBM3, GPU-8, 00000000:00:07.0, 81559 MiB, 0 MiB, 81079 MiB\n"
        "Field \"bogus\" is not a valid field to query.\n"
        "x, NVIDIA H100, GPU-9, 00000000:00:08.0, 1, 1, 1\n");
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0].name, "NVIDIA H100 80GB HBM3");
    ASSERT_EQ(table.errors.size(), 3u);
    EXPECT_NE(table.errors[0].find("line 3"), std::string::npos) << table.errors[0];
    EXPECT_NE(table.errors[0].find("MiB numbers"), std::string::npos);
    EXPECT_NE(table.errors[1].find("expected 7 comma-separated fields"), std::string::npos);
    EXPECT_NE(table.errors[2].find("\"x\" is not a GPU index"), std::string::npos);
}

TEST(NvidiaSmiCsv, NoOutputMeansNoGpus) {
    auto table = parse_nvidia_smi_csv("");
    EXPECT_TRUE(table.rows.empty());
    EXPECT_TRUE(table.errors.empty());
}
