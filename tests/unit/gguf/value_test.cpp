// Metadata values: conversions between integer types and the renderings used in messages.
#include "ggufd/gguf/value.h"

#include <gtest/gtest.h>

namespace ggufd::gguf {
namespace {

TEST(Value, TypeFollowsTheStoredAlternative) {
    EXPECT_EQ(Value(uint8_t{1}).type(), ValueType::uint8);
    EXPECT_EQ(Value(int32_t{-1}).type(), ValueType::int32);
    EXPECT_EQ(Value(1.5f).type(), ValueType::float32);
    EXPECT_EQ(Value(2.5).type(), ValueType::float64);
    EXPECT_EQ(Value(true).type(), ValueType::boolean);
    EXPECT_EQ(Value("llama").type(), ValueType::string);
    EXPECT_EQ(Value(uint64_t{1}).type(), ValueType::uint64);
    EXPECT_EQ(Value(Array(std::vector<float>{1, 2})).type(), ValueType::array);
}

TEST(Value, IntegersConvertWhenTheyFit) {
    EXPECT_EQ(Value(uint32_t{4096}).as_unsigned(), 4096u);
    EXPECT_EQ(Value(int16_t{-3}).as_unsigned(), std::nullopt);
    EXPECT_EQ(Value(int16_t{-3}).as_signed(), -3);
    EXPECT_EQ(Value(~uint64_t{0}).as_signed(), std::nullopt);
    EXPECT_EQ(Value(~uint64_t{0}).as_unsigned(), ~uint64_t{0});
    EXPECT_EQ(Value(true).as_unsigned(), std::nullopt);
    EXPECT_EQ(Value("8").as_unsigned(), std::nullopt);
    EXPECT_EQ(Value(0.5f).as_float(), 0.5);
}

TEST(Value, DescribeIsShort) {
    EXPECT_EQ(Value(uint32_t{4096}).describe(), "u32 4096");
    EXPECT_EQ(Value(int8_t{-2}).describe(), "i8 -2");
    EXPECT_EQ(Value("llama").describe(), "str \"llama\"");
    EXPECT_EQ(Value(true).describe(), "bool true");
    EXPECT_EQ(Value(Array(std::vector<std::string>(3))).describe(), "arr[str,3]");
    EXPECT_EQ(Value(std::string(100, 'x')).describe(), "str \"" + std::string(60, 'x') + "...\"");
}

TEST(Array, IntegerAtReadsAnyIntegerElementType) {
    const Array heads(std::vector<int32_t>{8, 8, 4});
    EXPECT_EQ(heads.size(), 3u);
    EXPECT_EQ(heads.element_type(), ValueType::int32);
    EXPECT_EQ(heads.integer_at(2), 4);
    EXPECT_EQ(heads.integer_at(3), std::nullopt);
    EXPECT_EQ(Array(std::vector<float>{1}).integer_at(0), std::nullopt);
    ASSERT_NE(heads.get_if<int32_t>(), nullptr);
    EXPECT_EQ(heads.get_if<uint32_t>(), nullptr);
}

}  // namespace
}  // namespace ggufd::gguf
