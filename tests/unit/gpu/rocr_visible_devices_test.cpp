#include "rocr_visible_devices.h"

#include <gtest/gtest.h>

using ggufd::gpu::apply_rocr_visible_devices;
using Order = std::vector<size_t>;

namespace {
const std::vector<std::string> kUuids = {"GPU-4a2f0c1e9d3b7765", "GPU-4a2f0c1e9d3b8801", "", "GPU-00ffee0011223344"};
}  // namespace

TEST(RocrVisibleDevices, IndicesSelectAndReorder) {
    EXPECT_EQ(apply_rocr_visible_devices("1", kUuids).visible, Order({1}));
    EXPECT_EQ(apply_rocr_visible_devices("3,0", kUuids).visible, Order({3, 0}));
    EXPECT_EQ(apply_rocr_visible_devices(" 2 , 1 ", kUuids).visible, Order({2, 1}));
    EXPECT_EQ(apply_rocr_visible_devices("0x1", kUuids).visible, Order({1}));  // strtol base 0, as ROCr
}

TEST(RocrVisibleDevices, UuidPrefixesMatchCaseInsensitively) {
    EXPECT_EQ(apply_rocr_visible_devices("gpu-00ff", kUuids).visible, Order({3}));
    EXPECT_EQ(apply_rocr_visible_devices("GPU-4a2f0c1e9d3b8801,0", kUuids).visible, Order({1, 0}));
}

TEST(RocrVisibleDevices, StopsAtTheFirstBadTokenAndSaysWhich) {
    auto ambiguous = apply_rocr_visible_devices("3,GPU-4a2f,0", kUuids);
    EXPECT_EQ(ambiguous.visible, Order({3}));
    EXPECT_NE(ambiguous.ignored.find("\"GPU-4A2F\" matches no single GPU's UUID"), std::string::npos);

    auto out_of_range = apply_rocr_visible_devices("0,7,1", kUuids);
    EXPECT_EQ(out_of_range.visible, Order({0}));
    EXPECT_NE(out_of_range.ignored.find("\"7\" is not the index of a GPU"), std::string::npos);

    EXPECT_EQ(apply_rocr_visible_devices("1,1,2", kUuids).visible, Order({1}));
    EXPECT_EQ(apply_rocr_visible_devices("-1", kUuids).visible, Order({}));
    EXPECT_EQ(apply_rocr_visible_devices("0,,1", kUuids).visible, Order({0}));
}

TEST(RocrVisibleDevices, EmptyValueHidesEverything) {
    auto result = apply_rocr_visible_devices("", kUuids);
    EXPECT_TRUE(result.visible.empty());
    EXPECT_TRUE(result.ignored.empty());
}

TEST(RocrVisibleDevices, ReadsNoMoreTokensThanThereAreGpus) {
    // ROCr loops min(GPUs, tokens) times: with 2 GPUs the third token is never looked at.
    auto result = apply_rocr_visible_devices("1,0,junk", {"GPU-1", "GPU-2"});
    EXPECT_EQ(result.visible, Order({1, 0}));
    EXPECT_TRUE(result.ignored.empty());
}
