// The type table against numbers checked by hand from ggml-common.h's block structs.
#include "ggufd/gguf/ggml_type.h"

#include <gtest/gtest.h>

namespace ggufd::gguf {
namespace {

struct Expected {
    GgmlType type;
    uint32_t block_size;
    uint32_t block_bytes;
};

TEST(GgmlType, BlockSizesMatchGgml) {
    const Expected expected[] = {
        {GgmlType::F32, 1, 4},       {GgmlType::F16, 1, 2},       {GgmlType::BF16, 1, 2},
        {GgmlType::Q4_0, 32, 18},    {GgmlType::Q4_1, 32, 20},    {GgmlType::Q5_0, 32, 22},
        {GgmlType::Q5_1, 32, 24},    {GgmlType::Q8_0, 32, 34},    {GgmlType::Q8_1, 32, 36},
        {GgmlType::Q2_K, 256, 84},   {GgmlType::Q3_K, 256, 110},  {GgmlType::Q4_K, 256, 144},
        {GgmlType::Q5_K, 256, 176},  {GgmlType::Q6_K, 256, 210},  {GgmlType::Q8_K, 256, 292},
        {GgmlType::IQ2_XXS, 256, 66}, {GgmlType::IQ2_XS, 256, 74}, {GgmlType::IQ2_S, 256, 82},
        {GgmlType::IQ3_XXS, 256, 98}, {GgmlType::IQ3_S, 256, 110}, {GgmlType::IQ1_S, 256, 50},
        {GgmlType::IQ1_M, 256, 56},  {GgmlType::IQ4_NL, 32, 18},  {GgmlType::IQ4_XS, 256, 136},
        {GgmlType::TQ1_0, 256, 54},  {GgmlType::TQ2_0, 256, 66},  {GgmlType::MXFP4, 32, 17},
        {GgmlType::NVFP4, 64, 36},   {GgmlType::Q1_0, 128, 18},   {GgmlType::Q2_0, 64, 18},
        {GgmlType::I8, 1, 1},        {GgmlType::I16, 1, 2},       {GgmlType::I32, 1, 4},
        {GgmlType::I64, 1, 8},       {GgmlType::F64, 1, 8},
    };
    for (const auto& e : expected) {
        const auto& info = ggml_type_info(e.type);
        EXPECT_EQ(info.block_size, e.block_size) << info.name;
        EXPECT_EQ(info.block_bytes, e.block_bytes) << info.name;
    }
    EXPECT_EQ(ggml_types().size(), std::size(expected));
}

TEST(GgmlType, RemovedAndUnassignedIdsAreUnknown) {
    for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 43u, 1000u}) {
        EXPECT_EQ(ggml_type_info(id), nullptr) << id;
    }
    EXPECT_EQ(ggml_type_info(12u)->name, "Q4_K");
}

TEST(GgmlType, BytesOfQuantisedTensorsAreExact) {
    // A 4096 x 4096 Q4_K matrix: 65536 super-blocks of 144 bytes.
    EXPECT_EQ(ggml_bytes(GgmlType::Q4_K, 4096ull * 4096), 65536ull * 144);
    EXPECT_EQ(ggml_bytes(GgmlType::Q8_0, 64), 68u);
    EXPECT_EQ(ggml_bytes(GgmlType::F16, 3), 6u);
}

TEST(GgmlType, NamesParseCaseInsensitively) {
    EXPECT_EQ(ggml_type_from_name("q8_0"), GgmlType::Q8_0);
    EXPECT_EQ(ggml_type_from_name("F16"), GgmlType::F16);
    EXPECT_EQ(ggml_type_from_name("iq4_nl"), GgmlType::IQ4_NL);
    EXPECT_EQ(ggml_type_from_name("q4_2"), std::nullopt);
    EXPECT_EQ(to_string(GgmlType::BF16), "BF16");
}

TEST(FileType, NamesFollowLlamaFtype) {
    EXPECT_EQ(file_type_name(0), "F32");
    EXPECT_EQ(file_type_name(1), "F16");
    EXPECT_EQ(file_type_name(7), "Q8_0");
    EXPECT_EQ(file_type_name(15), "Q4_K_M");
    EXPECT_EQ(file_type_name(18), "Q6_K");
    EXPECT_EQ(file_type_name(32), "BF16");
    EXPECT_EQ(file_type_name(36), "TQ1_0");
    EXPECT_EQ(file_type_name(38), "MXFP4_MOE");
    EXPECT_EQ(file_type_name(4), std::nullopt);   // Q4_1_SOME_F16, removed
    EXPECT_EQ(file_type_name(34), std::nullopt);  // Q4_0_4_8, removed
    EXPECT_EQ(file_type_name(42), std::nullopt);
}

}  // namespace
}  // namespace ggufd::gguf
