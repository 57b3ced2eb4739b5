// ModelInfo: llama.cpp's keys and defaults, per-layer arrays, quantisation names and the
// sliding-window patterns.
#include "ggufd/gguf/model_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/tiny_llama.h"

namespace ggufd::gguf {
namespace {

ModelInfo info_of(const Writer& writer) {
    const auto bytes = writer.to_bytes();
    return summarize(parse(bytes, "m.gguf"));
}

TEST(ModelInfo, SummarisesATinyLlama) {
    TinyLlamaSpec spec;
    spec.layers = 3;
    spec.kv_heads = 2;
    spec.context = 4096;
    spec.weight_type = GgmlType::Q8_0;
    spec.name = "tiny";
    const Writer writer = tiny_llama(spec);
    const ModelInfo info = info_of(writer);
    EXPECT_EQ(info.architecture, "llama");
    EXPECT_EQ(info.name, "tiny");
    EXPECT_EQ(info.parameter_count, writer.total_elements());
    EXPECT_EQ(info.file_size, writer.file_size());
    EXPECT_EQ(info.context_length, 4096u);
    EXPECT_EQ(info.block_count, 3u);
    EXPECT_EQ(info.embedding_length, 64u);
    EXPECT_EQ(info.feed_forward_length, (std::vector<uint32_t>{128, 128, 128}));
    EXPECT_EQ(info.head_count, (std::vector<uint32_t>{4, 4, 4}));
    EXPECT_EQ(info.head_count_kv, (std::vector<uint32_t>{2, 2, 2}));
    EXPECT_EQ(info.key_length, 16u);
    EXPECT_EQ(info.value_length, 16u);
    EXPECT_EQ(info.vocab_size, 312u);
    EXPECT_EQ(info.file_type, 7u);
    EXPECT_EQ(info.quantization, "Q8_0");
    EXPECT_TRUE(info.has_token_embedding);
    EXPECT_TRUE(info.has_output);
    EXPECT_FALSE(info.sliding_window);
    EXPECT_TRUE(info.sliding_window_layers.empty());
}

TEST(ModelInfo, PerLayerArraysAndExplicitHeadWidths) {
    Writer w;
    w.add("general.architecture", "qwen3next");
    w.add("qwen3next.block_count", uint32_t{4});
    w.add("qwen3next.embedding_length", uint32_t{2048});
    w.add("qwen3next.attention.head_count", Array(std::vector<int32_t>{16, 16, 16, 16}));
    w.add("qwen3next.attention.head_count_kv", Array(std::vector<uint32_t>{0, 0, 0, 2}));
    w.add("qwen3next.attention.key_length", uint32_t{256});
    w.add("qwen3next.attention.value_length", uint32_t{128});
    w.add("qwen3next.feed_forward_length", uint64_t{5120});
    const ModelInfo info = info_of(w);
    EXPECT_EQ(info.head_count, (std::vector<uint32_t>{16, 16, 16, 16}));
    EXPECT_EQ(info.head_count_kv, (std::vector<uint32_t>{0, 0, 0, 2}));
    EXPECT_EQ(info.key_length, 256u);
    EXPECT_EQ(info.value_length, 128u);
    EXPECT_EQ(info.feed_forward_length, (std::vector<uint32_t>(4, 5120)));
    EXPECT_EQ(info.quantization, "");  // no file type, no tensors
    EXPECT_FALSE(info.context_length);
}

TEST(ModelInfo, KvHeadsDefaultToHeads) {
    Writer w;
    w.add("general.architecture", "llama");
    w.add("llama.block_count", uint32_t{2});
    w.add("llama.embedding_length", uint32_t{64});
    w.add("llama.attention.head_count", uint32_t{8});
    const ModelInfo info = info_of(w);
    EXPECT_EQ(info.head_count_kv, (std::vector<uint32_t>{8, 8}));
    EXPECT_EQ(info.key_length, 8u);
}

TEST(ModelInfo, QuantisationFromFileTypeElseFromTheLargestTensorType) {
    Writer named;
    named.add("general.file_type", uint32_t{15});
    EXPECT_EQ(info_of(named).quantization, "Q4_K_M");

    Writer guessed;
    guessed.add("general.file_type", uint32_t{4});  // removed: fall back to the tensors
    guessed.add_tensor("a", {32}, GgmlType::F32);
    guessed.add_tensor("b", {32}, GgmlType::F32);
    guessed.add_tensor("c", {256, 4}, GgmlType::Q6_K);
    EXPECT_EQ(info_of(guessed).quantization, "Q6_K");
}

TEST(ModelInfo, TiedEmbeddingsHaveNoOutputTensor) {
    Writer w;
    w.add_tensor("token_embd.weight", {32, 4}, GgmlType::F16);
    const ModelInfo info = info_of(w);
    EXPECT_TRUE(info.has_token_embedding);
    EXPECT_FALSE(info.has_output);
}

TEST(ModelInfo, Gemma3SlidingWindowEverySixthLayerIsGlobal) {
    Writer w;
    w.add("general.architecture", "gemma3");
    w.add("gemma3.block_count", uint32_t{8});
    w.add("gemma3.attention.sliding_window", uint32_t{1024});
    const ModelInfo info = info_of(w);
    EXPECT_EQ(info.sliding_window, 1024u);
    EXPECT_EQ(info.sliding_window_layers, (std::vector<bool>{true, true, true, true, true, false, true, true}));
}

TEST(ModelInfo, SlidingWindowPatternFromTheFile) {
    Writer w;
    w.add("general.architecture", "gemma2");  // window defaults to 4096
    w.add("gemma2.block_count", uint32_t{3});
    w.add("gemma2.attention.sliding_window_pattern", Array(std::vector<bool>{false, true, true}));
    const ModelInfo info = info_of(w);
    EXPECT_EQ(info.sliding_window, 4096u);
    EXPECT_EQ(info.sliding_window_layers, (std::vector<bool>{false, true, true}));

    Writer unknown;  // an architecture without a known pattern keeps full attention
    unknown.add("general.architecture", "llama");
    unknown.add("llama.block_count", uint32_t{2});
    unknown.add("llama.attention.sliding_window", uint32_t{512});
    EXPECT_FALSE(info_of(unknown).sliding_window);
}

TEST(ModelInfo, MalformedHyperParametersAreFormatErrors) {
    Writer wrong_length;
    wrong_length.add("general.architecture", "llama");
    wrong_length.add("llama.block_count", uint32_t{3});
    wrong_length.add("llama.attention.head_count", Array(std::vector<uint32_t>{8, 8}));
    try {
        (void)info_of(wrong_length);
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr(
                                  "key 'llama.attention.head_count' has 2 entries, expected one per layer (3)"));
    }
    Writer too_deep;  // found by fuzz_gguf: a scalar expanded to 4 billion layers
    too_deep.add("general.architecture", "llama");
    too_deep.add("llama.block_count", uint32_t{0xffffffff});
    too_deep.add("llama.feed_forward_length", uint32_t{32});
    try {
        (void)info_of(too_deep);
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("key 'llama.block_count' is 4294967295, more than 65536 layers"));
    }
    Writer wrong_type;
    wrong_type.add("general.architecture", "llama");
    wrong_type.add("llama.context_length", "long");
    EXPECT_THROW((void)info_of(wrong_type), FormatError);
}

}  // namespace
}  // namespace ggufd::gguf
