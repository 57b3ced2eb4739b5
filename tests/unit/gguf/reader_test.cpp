// Round trips through the writer and the reader: every value type, nested arrays, both
// versions, tensor layout, and reading from a file in growing chunks.
#include "ggufd/gguf/reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ggufd/gguf/writer.h"
#include "temp_dir.h"

namespace ggufd::gguf {
namespace {

Writer every_value_type(uint32_t version) {
    Writer w(version);
    w.add("t.u8", uint8_t{200});
    w.add("t.i8", int8_t{-100});
    w.add("t.u16", uint16_t{60000});
    w.add("t.i16", int16_t{-30000});
    w.add("t.u32", uint32_t{4000000000u});
    w.add("t.i32", int32_t{-2000000000});
    w.add("t.f32", 0.25f);
    w.add("t.bool", true);
    w.add("t.str", "héllo");
    w.add("t.u64", uint64_t{1} << 60);
    w.add("t.i64", int64_t{-(int64_t{1} << 60)});
    w.add("t.f64", -1.5e300);
    w.add("t.empty_str", "");
    w.add("t.arr_u8", Array(std::vector<uint8_t>{1, 2, 3}));
    w.add("t.arr_i16", Array(std::vector<int16_t>{-1, 1}));
    w.add("t.arr_f32", Array(std::vector<float>{0.5f, -0.5f}));
    w.add("t.arr_bool", Array(std::vector<bool>{true, false, true}));
    w.add("t.arr_str", Array(std::vector<std::string>{"a", "", "ccc"}));
    w.add("t.arr_u64", Array(std::vector<uint64_t>{~uint64_t{0}}));
    w.add("t.arr_f64", Array(std::vector<double>{1e-300}));
    w.add("t.arr_empty", Array(std::vector<int32_t>{}));
    w.add("t.nested", Array(std::vector<Array>{Array(std::vector<uint32_t>{1, 2}),
                                               Array(std::vector<std::string>{"x"}),
                                               Array(std::vector<Array>{Array(std::vector<int8_t>{-1})})}));
    return w;
}

class EveryValueType : public ::testing::TestWithParam<uint32_t> {};

TEST_P(EveryValueType, RoundTrips) {
    const Writer writer = every_value_type(GetParam());
    const auto bytes = writer.to_bytes();
    const GgufFile file = parse(bytes, "values.gguf");

    EXPECT_EQ(file.version, GetParam());
    EXPECT_EQ(file.name, "values.gguf");
    EXPECT_EQ(file.file_size, bytes.size());
    EXPECT_TRUE(file.tensors.empty());
    EXPECT_EQ(file.data_offset, bytes.size());
    ASSERT_EQ(file.metadata.size(), 22u);
    EXPECT_EQ(file.metadata.entries()[0].key, "t.u8");  // file order is kept
    EXPECT_EQ(file.metadata.entries()[21].key, "t.nested");

    const Metadata& md = file.metadata;
    EXPECT_EQ(md.find("t.u8")->value, Value(uint8_t{200}));
    EXPECT_EQ(md.find("t.i8")->value, Value(int8_t{-100}));
    EXPECT_EQ(md.find("t.u16")->value, Value(uint16_t{60000}));
    EXPECT_EQ(md.find("t.i16")->value, Value(int16_t{-30000}));
    EXPECT_EQ(md.get_unsigned("t.u32"), 4000000000u);
    EXPECT_EQ(md.get_signed("t.i32"), -2000000000);
    EXPECT_EQ(md.get_float("t.f32"), 0.25);
    EXPECT_EQ(md.get_bool("t.bool"), true);
    EXPECT_EQ(*md.get_string("t.str"), "héllo");
    EXPECT_EQ(md.get_unsigned("t.u64"), uint64_t{1} << 60);
    EXPECT_EQ(md.get_signed("t.i64"), -(int64_t{1} << 60));
    EXPECT_EQ(md.get_float("t.f64"), -1.5e300);
    EXPECT_EQ(*md.get_string("t.empty_str"), "");
    EXPECT_EQ(*md.get_array("t.arr_bool")->get_if<bool>(), (std::vector<bool>{true, false, true}));
    EXPECT_EQ(*md.get_array("t.arr_str")->get_if<std::string>(), (std::vector<std::string>{"a", "", "ccc"}));
    EXPECT_EQ(md.get_array("t.arr_empty")->element_type(), ValueType::int32);
    EXPECT_TRUE(md.get_array("t.arr_empty")->empty());

    const auto* nested = md.get_array("t.nested")->get_if<Array>();
    ASSERT_NE(nested, nullptr);
    ASSERT_EQ(nested->size(), 3u);
    EXPECT_EQ((*nested)[0], Array(std::vector<uint32_t>{1, 2}));
    EXPECT_EQ((*nested)[1], Array(std::vector<std::string>{"x"}));
    EXPECT_EQ((*nested)[2], Array(std::vector<Array>{Array(std::vector<int8_t>{-1})}));
}

INSTANTIATE_TEST_SUITE_P(Versions, EveryValueType, ::testing::Values(2u, 3u));

TEST(Metadata, GettersRejectWrongTypesWithKeyAndOffset) {
    Writer w;
    w.add("general.architecture", "llama");
    w.add("llama.block_count", "two");
    const auto bytes = w.to_bytes();
    const GgufFile file = parse(bytes, "m.gguf");
    EXPECT_EQ(file.metadata.get_unsigned("missing"), std::nullopt);
    EXPECT_EQ(file.metadata.get_string("missing"), nullptr);
    try {
        (void)file.metadata.get_unsigned("llama.block_count");
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.file(), "m.gguf");
        EXPECT_EQ(e.offset(), file.metadata.find("llama.block_count")->offset);
        EXPECT_STREQ(e.what(), ("m.gguf: offset " + std::to_string(e.offset()) +
                                ": key 'llama.block_count' is str \"two\", expected a non-negative integer")
                                   .c_str());
    }
    EXPECT_THROW((void)file.metadata.get_bool("general.architecture"), FormatError);
    EXPECT_THROW((void)file.metadata.get_array("general.architecture"), FormatError);
}

TEST(Reader, TensorInfosAndDataSection) {
    Writer w;
    w.add("general.alignment", uint32_t{64});
    w.add_tensor("a", {64, 3}, GgmlType::Q8_0);
    w.add_tensor("b", {5}, GgmlType::F32);
    w.add_tensor("c", {256, 2, 2}, GgmlType::Q4_K);
    w.add_tensor("scalar", {}, GgmlType::F16);
    const auto bytes = w.to_bytes();
    const GgufFile file = parse(bytes, "t.gguf");

    EXPECT_EQ(file.alignment, 64u);
    EXPECT_EQ(file.data_offset % 64, 0u);
    EXPECT_EQ(file.data_offset, w.data_offset());
    ASSERT_EQ(file.tensors.size(), 4u);
    const TensorInfo& a = file.tensors[0];
    EXPECT_EQ(a.name, "a");
    EXPECT_EQ(a.dims, (std::vector<uint64_t>{64, 3}));
    EXPECT_EQ(a.type, GgmlType::Q8_0);
    EXPECT_EQ(a.n_elements, 192u);
    EXPECT_EQ(a.n_bytes, 6u * 34);
    EXPECT_EQ(a.offset, 0u);
    EXPECT_EQ(file.tensors[1].offset, 256u);  // 204 bytes padded to 64
    EXPECT_EQ(file.tensors[2].n_bytes, 4u * 144);
    EXPECT_EQ(file.tensors[3].n_elements, 1u);
    EXPECT_EQ(file.tensors[3].n_bytes, 2u);
    EXPECT_EQ(file.tensor_bytes(), 204u + 20 + 576 + 2);
    EXPECT_EQ(file.find_tensor("c"), &file.tensors[2]);
    EXPECT_EQ(file.find_tensor("d"), nullptr);
}

TEST(Reader, ReadsFilesWhoseHeaderOutgrowsTheFirstRead) {
    // A header of ~3 MiB makes the file source grow its buffer twice.
    Writer w;
    std::vector<std::string> tokens;
    for (int i = 0; i < 200000; ++i) tokens.push_back("token-" + std::to_string(i));
    w.add("tokenizer.ggml.tokens", Array(std::move(tokens)));
    w.add_tensor("x", {32}, GgmlType::F32, [](uint64_t, std::span<uint8_t> out) { std::fill(out.begin(), out.end(), 7); });
    test::TempDir dir;
    const auto path = dir / "big-header.gguf";
    w.write(path);

    const GgufFile from_file = read_header(path);
    const auto bytes = w.to_bytes();
    const GgufFile from_bytes = parse(bytes, path.string());
    EXPECT_GT(from_file.data_offset, 2u << 20);
    EXPECT_EQ(from_file.name, path.string());
    EXPECT_EQ(from_file.file_size, bytes.size());
    EXPECT_EQ(from_file.data_offset, from_bytes.data_offset);
    EXPECT_EQ(from_file.metadata.get_array("tokenizer.ggml.tokens")->size(), 200000u);
    EXPECT_EQ(from_file.metadata.entries()[0].value, from_bytes.metadata.entries()[0].value);
}

TEST(Reader, MissingAndNonRegularFilesAreIoErrorsNamingThePath) {
    test::TempDir dir;
    try {
        read_header(dir / "absent.gguf");
        FAIL() << "expected an error";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("absent.gguf: cannot open"), std::string::npos) << e.what();
    }
    EXPECT_THROW(read_header(dir / ""), std::system_error);
}

TEST(BlockIndex, ParsesLayerTensors) {
    EXPECT_EQ(block_index("blk.0.attn_q.weight"), 0u);
    EXPECT_EQ(block_index("blk.31.ffn_down.weight"), 31u);
    EXPECT_EQ(block_index("token_embd.weight"), std::nullopt);
    EXPECT_EQ(block_index("blk.x.attn"), std::nullopt);
    EXPECT_EQ(block_index("blk.12"), std::nullopt);
    EXPECT_EQ(block_index("blk..a"), std::nullopt);
}

}  // namespace
}  // namespace ggufd::gguf
