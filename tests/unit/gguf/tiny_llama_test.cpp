// The tiny llama generator: the metadata llama.cpp needs, the tensor set, zeroed output rows
// for control and byte tokens, determinism and seed sensitivity.
#include "ggufd/gguf/tiny_llama.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ggufd/gguf/reader.h"

namespace ggufd::gguf {
namespace {

using ::testing::HasSubstr;

TEST(TinyLlama, HasTheMetadataLlamaCppReads) {
    TinyLlamaSpec spec;
    spec.layers = 3;
    spec.kv_heads = 2;
    const auto bytes = tiny_llama(spec).to_bytes();
    const GgufFile file = parse(bytes, "tiny.gguf");
    const Metadata& md = file.metadata;
    EXPECT_EQ(*md.get_string("general.architecture"), "llama");
    EXPECT_EQ(md.get_unsigned("llama.block_count"), 3u);
    EXPECT_EQ(md.get_unsigned("llama.embedding_length"), 64u);
    EXPECT_EQ(md.get_unsigned("llama.attention.head_count"), 4u);
    EXPECT_EQ(md.get_unsigned("llama.attention.head_count_kv"), 2u);
    EXPECT_EQ(md.get_unsigned("llama.rope.dimension_count"), 16u);
    EXPECT_EQ(md.get_unsigned("general.file_type"), 0u);
    EXPECT_EQ(*md.get_string("tokenizer.ggml.model"), "llama");

    const auto& tokens = *md.get_array("tokenizer.ggml.tokens")->get_if<std::string>();
    const auto& types = *md.get_array("tokenizer.ggml.token_type")->get_if<int32_t>();
    ASSERT_EQ(tokens.size(), 312u);
    ASSERT_EQ(types.size(), 312u);
    EXPECT_EQ(md.get_array("tokenizer.ggml.scores")->size(), 312u);
    EXPECT_EQ(tokens[0], "<unk>");
    EXPECT_EQ(tokens[2], "</s>");
    EXPECT_EQ(tokens[3], "<0x00>");
    EXPECT_EQ(tokens[258], "<0xFF>");
    EXPECT_EQ(tokens[259], "\xe2\x96\x81");
    EXPECT_EQ(types[1], 3);   // control
    EXPECT_EQ(types[100], 6); // byte
    EXPECT_EQ(types[300], 1); // normal
    EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size()) << "tokens are unique";

    EXPECT_EQ(file.tensors.size(), 3u + 3 * 9);
    EXPECT_EQ(file.find_tensor("blk.2.attn_k.weight")->dims, (std::vector<uint64_t>{64, 32}));
    EXPECT_EQ(file.find_tensor("blk.0.ffn_down.weight")->dims, (std::vector<uint64_t>{128, 64}));
    EXPECT_EQ(file.find_tensor("output.weight")->dims, (std::vector<uint64_t>{64, 312}));
}

TEST(TinyLlama, LargeVocabulariesStayUnique) {
    TinyLlamaSpec spec;
    spec.vocab = 32000;
    const auto bytes = tiny_llama(spec).to_bytes();
    const GgufFile file = parse(bytes, "v.gguf");
    const auto& tokens = *file.metadata.get_array("tokenizer.ggml.tokens")->get_if<std::string>();
    EXPECT_EQ(tokens.size(), 32000u);
    EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size());
}

class WeightTypes : public ::testing::TestWithParam<GgmlType> {};

TEST_P(WeightTypes, OutputRowsOfControlAndByteTokensAreZero) {
    TinyLlamaSpec spec;
    spec.weight_type = GetParam();
    const auto bytes = tiny_llama(spec).to_bytes();
    const GgufFile file = parse(bytes, "t.gguf");
    const TensorInfo& output = *file.find_tensor("output.weight");
    EXPECT_EQ(output.type, GetParam());
    EXPECT_EQ(file.find_tensor("output_norm.weight")->type, GgmlType::F32);
    const uint64_t row = output.n_bytes / spec.vocab;
    const uint8_t* data = bytes.data() + file.data_offset + output.offset;
    EXPECT_TRUE(std::all_of(data, data + kFirstTextToken * row, [](uint8_t b) { return b == 0; }));
    EXPECT_FALSE(std::all_of(data + kFirstTextToken * row, data + output.n_bytes, [](uint8_t b) { return b == 0; }));
}

INSTANTIATE_TEST_SUITE_P(All, WeightTypes,
                         ::testing::Values(GgmlType::F32, GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_0),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(TinyLlama, SameSpecSameBytesOtherSeedOtherWeights) {
    TinyLlamaSpec spec;
    const auto a = tiny_llama(spec).to_bytes(1);
    EXPECT_EQ(a, tiny_llama(spec).to_bytes(3));
    spec.seed = 2;
    const auto b = tiny_llama(spec).to_bytes();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_NE(a, b);
}

TEST(TinyLlama, ValidateExplainsBadShapes) {
    auto message = [](auto change) {
        TinyLlamaSpec spec;
        change(spec);
        try {
            validate(spec);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_THAT(message([](auto& s) { s.embedding = 66; }), HasSubstr("embedding (66) must be a multiple of heads (4)"));
    EXPECT_THAT(message([](auto& s) { s.kv_heads = 3; }), HasSubstr("kv_heads (3) must divide heads (4)"));
    EXPECT_THAT(message([](auto& s) { s.vocab = 259; }), HasSubstr("vocab must be at least 260"));
    EXPECT_THAT(message([](auto& s) { s.weight_type = GgmlType::Q4_K; }), HasSubstr("not Q4_K"));
    EXPECT_THAT(message([](auto& s) { s.weight_type = GgmlType::Q8_0; s.feed_forward = 100; }),
                HasSubstr("multiples of 32 for Q8_0"));
    EXPECT_THAT(message([](auto& s) { s.embedding = 12; s.heads = 4; }), HasSubstr("must be even"));
    EXPECT_EQ(message([](auto&) {}), "accepted");
}

}  // namespace
}  // namespace ggufd::gguf
