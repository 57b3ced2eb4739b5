// gguf-fuzz-seeds DIR: writes the small GGUF files that seed the fuzz_gguf corpus
// (tests/fuzz/corpus/gguf/): every value type in both versions, a tiny model, per-layer and
// sliding-window hyper-parameters, a custom alignment. Regenerate after changing the writer.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/gguf/writer.h"

namespace {

using namespace ggufd::gguf;

void save(const std::filesystem::path& dir, const std::string& name, const Writer& writer) {
    const auto bytes = writer.to_bytes();
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                      static_cast<std::streamsize>(bytes.size()));
    std::printf("%s: %zu bytes\n", (dir / name).c_str(), bytes.size());
}

Writer all_values(uint32_t version) {
    Writer w(version);
    w.add("general.architecture", "llama");
    w.add("a.u8", uint8_t{1});
    w.add("a.i8", int8_t{-1});
    w.add("a.u16", uint16_t{2});
    w.add("a.i16", int16_t{-2});
    w.add("a.u32", uint32_t{3});
    w.add("a.i32", int32_t{-3});
    w.add("a.f32", 0.5f);
    w.add("a.bool", true);
    w.add("a.str", "text");
    w.add("a.u64", uint64_t{4});
    w.add("a.i64", int64_t{-4});
    w.add("a.f64", 0.25);
    w.add("a.strs", Array(std::vector<std::string>{"x", "yz"}));
    w.add("a.nested", Array(std::vector<Array>{Array(std::vector<int32_t>{1, 2}), Array(std::vector<bool>{true})}));
    w.add_tensor("blk.0.attn_q.weight", {32, 2}, GgmlType::Q8_0);
    w.add_tensor("output_norm.weight", {4}, GgmlType::F32);
    return w;
}

Writer layered() {
    Writer w;
    w.add("general.architecture", "gemma3");
    w.add("general.alignment", uint32_t{64});
    w.add("general.file_type", uint32_t{15});
    w.add("gemma3.block_count", uint32_t{3});
    w.add("gemma3.context_length", uint32_t{8192});
    w.add("gemma3.embedding_length", uint32_t{64});
    w.add("gemma3.feed_forward_length", Array(std::vector<uint32_t>{128, 128, 256}));
    w.add("gemma3.attention.head_count", Array(std::vector<int32_t>{4, 4, 4}));
    w.add("gemma3.attention.head_count_kv", uint32_t{2});
    w.add("gemma3.attention.key_length", uint32_t{32});
    w.add("gemma3.attention.value_length", uint32_t{32});
    w.add("gemma3.attention.sliding_window", uint32_t{512});
    w.add("tokenizer.ggml.tokens", Array(std::vector<std::string>{"a", "b"}));
    for (int layer = 0; layer < 3; ++layer) {
        w.add_tensor("blk." + std::to_string(layer) + ".attn_k.weight", {256, 1}, GgmlType::Q4_K);
    }
    w.add_tensor("token_embd.weight", {64, 2}, GgmlType::F16);
    return w;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gguf-fuzz-seeds DIR\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    save(dir, "values-v2.gguf", all_values(2));
    save(dir, "values-v3.gguf", all_values(3));
    save(dir, "gemma3-layers.gguf", layered());
    TinyLlamaSpec spec;
    spec.layers = 1;
    spec.embedding = 32;
    spec.heads = 2;
    spec.kv_heads = 1;
    spec.feed_forward = 32;
    spec.vocab = 264;
    spec.weight_type = GgmlType::Q4_0;
    save(dir, "tiny-llama-q4_0.gguf", tiny_llama(spec));
    return 0;
}
