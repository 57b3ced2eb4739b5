// The memory estimate: placement of weights, KV cache and compute per llama.cpp's rules, the
// KV cache's shape, and calibration points measured with llama-server b10472 (CPU build).
#include "ggufd/memory/estimate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/tiny_llama.h"

namespace ggufd::memory {
namespace {

using gguf::GgmlType;
using gguf::GgufFile;
using gguf::TinyLlamaSpec;
using ::testing::HasSubstr;

constexpr double kMiB = 1 << 20;

GgufFile header_of(const gguf::Writer& writer) { return gguf::parse(writer.to_bytes(), "model.gguf"); }

GgufFile tiny(TinyLlamaSpec spec = {}) { return header_of(gguf::tiny_llama(spec)); }

uint64_t bytes_of(const GgufFile& file, auto predicate) {
    uint64_t total = 0;
    for (const auto& t : file.tensors) {
        if (predicate(t.name)) total += t.n_bytes;
    }
    return total;
}

TEST(Estimate, CpuOnlyKeepsEverythingOnTheHost) {
    TinyLlamaSpec spec;
    spec.layers = 3;
    spec.kv_heads = 2;  // 2 x 16 = 32 wide K and V rows
    spec.context = 1000;
    const GgufFile file = tiny(spec);
    EstimateParams p;
    p.n_gpu_layers = 99;  // ignored without a GPU
    const Estimate e = estimate(file, p);

    EXPECT_EQ(e.device.total(), 0u);
    EXPECT_EQ(e.host.weights, file.tensor_bytes());
    EXPECT_EQ(e.context, 1024u);  // the training context, padded to 256
    EXPECT_EQ(e.host.kv_cache, 1024u * 3 * (32 + 32) * 2);
    EXPECT_GT(e.host.compute, 0u);
    EXPECT_EQ(e.host.overhead, kHostOverheadBytes + 312 * kHostOverheadBytesPerToken);  // grows with the vocabulary
    EXPECT_EQ(e.offloaded_layers, 0u);
    EXPECT_FALSE(e.output_offloaded);
    EXPECT_EQ(e.total(), e.host.total());
    EXPECT_THAT(e.explanation, HasSubstr("no GPU offload"));
}

// Buffer sizes llama-server b10472 (CPU) reported for models written by gguf-mkmodel:
// compute = "CPU compute buffer size" + "CPU output buffer size" (docs/MEMORY.md).
struct Calibration {
    const char* name;
    TinyLlamaSpec spec;
    std::vector<std::string> args;
    double weights_mib, kv_mib, compute_mib;
};

void PrintTo(const Calibration& c, std::ostream* out) { *out << c.name; }  // test names, not byte dumps

class CalibrationPoints : public ::testing::TestWithParam<Calibration> {};

TEST_P(CalibrationPoints, MatchLlamaServersOwnReport) {
    const auto& c = GetParam();
    const Estimate e = estimate(tiny(c.spec), params_from_args(c.args));
    EXPECT_NEAR(e.host.weights / kMiB, c.weights_mib, 0.01);
    EXPECT_NEAR(e.host.kv_cache / kMiB, c.kv_mib, 0.01);
    EXPECT_NEAR(e.host.compute / kMiB, c.compute_mib, 0.02);
}

TinyLlamaSpec shape(uint32_t embedding, uint32_t heads, uint32_t kv_heads, uint32_t ff, uint32_t vocab,
                    uint32_t layers = 2, GgmlType type = GgmlType::F32) {
    TinyLlamaSpec s;
    s.embedding = embedding;
    s.heads = heads;
    s.kv_heads = kv_heads;
    s.feed_forward = ff;
    s.vocab = vocab;
    s.layers = layers;
    s.weight_type = type;
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    LlamaServerB10472, CalibrationPoints,
    ::testing::Values(
        Calibration{"narrow", shape(256, 8, 4, 512, 312), {}, 5.11, 2.00, 6.01},
        Calibration{"wide_ffn", shape(256, 8, 4, 2048, 312), {}, 14.11, 2.00, 16.01},
        Calibration{"mid", shape(1024, 16, 4, 2816, 2000), {"-c", "4096"}, 101.64, 8.00, 28.54},
        Calibration{"four_layers", shape(512, 8, 2, 1536, 2000, 4), {"-c", "1024"}, 53.83, 2.00, 14.04},
        Calibration{"three_slots", shape(256, 8, 4, 512, 312), {"-np", "3", "-c", "5000"}, 5.11, 5.25, 5.77},
        Calibration{"no_flash_attention", shape(256, 8, 4, 512, 312), {"-fa", "off"}, 5.11, 2.00, 38.51},
        Calibration{"small_ubatch", shape(256, 8, 4, 512, 312), {"-ub", "256"}, 5.11, 2.00, 3.01},
        Calibration{"q8_0_cache", shape(256, 8, 4, 512, 312), {"-ctk", "q8_0", "-ctv", "q8_0"}, 5.11, 1.06, 6.01},
        Calibration{"q8_0_cache_wide_ffn", shape(1024, 16, 4, 2816, 2000, 3), {"-c", "6000", "-ctk", "q8_0", "-ctv", "q8_0"},
                    144.65, 9.56, 28.54},
        Calibration{"q4_0_v_cache", shape(512, 8, 2, 1536, 2000, 4), {"-c", "1024", "-ctv", "q4_0"}, 53.83, 1.28, 13.03},
        Calibration{"q8_0_k_cache", shape(512, 8, 2, 1536, 2000, 4), {"-c", "1024", "-ctk", "q8_0"}, 53.83, 1.53, 14.03},
        Calibration{"q8_0_weights", shape(256, 8, 4, 512, 312, 2, GgmlType::Q8_0), {}, 1.36, 2.00, 6.01}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Estimate, AllLayersOnTheGpu) {
    TinyLlamaSpec spec;
    spec.layers = 4;
    const GgufFile file = tiny(spec);
    EstimateParams p;
    p.gpu = GpuBackend::cuda;
    const Estimate e = estimate(file, p);

    const uint64_t embd = file.find_tensor("token_embd.weight")->n_bytes;
    EXPECT_EQ(e.host.weights, embd);  // the input layer never leaves the host
    EXPECT_EQ(e.device.weights, file.tensor_bytes() - embd);
    EXPECT_EQ(e.offloaded_layers, 4u);
    EXPECT_TRUE(e.output_offloaded);
    EXPECT_EQ(e.host.kv_cache, 0u);
    EXPECT_GT(e.device.kv_cache, 0u);
    EXPECT_GT(e.device.compute, e.host.compute);
    EXPECT_EQ(e.device.overhead, kCudaOverheadBytes);
    EXPECT_THAT(e.explanation, HasSubstr("4/4 layers + output"));
    EXPECT_THAT(e.explanation, HasSubstr("CUDA overhead 590.0 MiB"));

    p.gpu = GpuBackend::rocm;
    EXPECT_EQ(estimate(file, p).device.overhead, kRocmOverheadBytes);
}

TEST(Estimate, NGpuLayersCountsTheOutputLayerFirst) {
    TinyLlamaSpec spec;
    spec.layers = 4;
    const GgufFile file = tiny(spec);
    const auto layer_bytes = [&](int layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        return bytes_of(file, [&](const std::string& n) { return n.starts_with(prefix); });
    };
    const uint64_t output = bytes_of(file, [](const std::string& n) { return n.starts_with("output"); });
    EstimateParams p;
    p.gpu = GpuBackend::cuda;

    p.n_gpu_layers = 1;  // llama.cpp: the output layer alone
    Estimate e = estimate(file, p);
    EXPECT_EQ(e.device.weights, output);
    EXPECT_EQ(e.offloaded_layers, 0u);
    EXPECT_EQ(e.device.kv_cache, 0u);
    EXPECT_EQ(e.host.compute, e.device.compute + uint64_t{312} * 4 * 4);  // the host runs the layers too

    p.n_gpu_layers = 3;  // output + the last two blocks
    e = estimate(file, p);
    EXPECT_EQ(e.device.weights, output + layer_bytes(2) + layer_bytes(3));
    EXPECT_EQ(e.offloaded_layers, 2u);
    EXPECT_EQ(e.device.kv_cache, e.host.kv_cache);  // two layers each

    p.n_gpu_layers = 0;
    e = estimate(file, p);
    EXPECT_EQ(e.device.total(), 0u);
}

TEST(Estimate, TiedEmbeddingsAreLoadedTwiceWhenTheOutputIsOffloaded) {
    TinyLlamaSpec spec;
    const GgufFile full = tiny(spec);
    gguf::Writer tied;  // the same model without output.weight
    for (const auto& kv : full.metadata.entries()) tied.add(kv.key, kv.value);
    for (const auto& t : full.tensors) {
        if (t.name != "output.weight") tied.add_tensor(t.name, t.dims, t.type);
    }
    const GgufFile file = header_of(tied);
    EstimateParams p;
    p.gpu = GpuBackend::cuda;
    const Estimate e = estimate(file, p);
    const uint64_t embd = file.find_tensor("token_embd.weight")->n_bytes;
    EXPECT_EQ(e.device.weights, file.tensor_bytes());  // everything but token_embd, plus its copy
    EXPECT_EQ(e.host.weights, embd);
    p.gpu = GpuBackend::none;
    EXPECT_EQ(estimate(file, p).host.weights, file.tensor_bytes());  // one mapping on the host
}

TEST(Estimate, NoKvOffloadKeepsTheCacheOnTheHost) {
    EstimateParams p;
    p.gpu = GpuBackend::cuda;
    p.kv_offload = false;
    const Estimate e = estimate(tiny(), p);
    EXPECT_EQ(e.device.kv_cache, 0u);
    EXPECT_GT(e.host.kv_cache, 0u);
}

TEST(Estimate, AProjectorGoesToTheGpuWheneverThereIsOne) {
    const GgufFile file = tiny();
    constexpr uint64_t kProjector = 851ull << 20;
    EstimateParams p;
    p.gpu = GpuBackend::cuda;
    const Estimate without = estimate(file, p);
    p.projector_bytes = kProjector;
    Estimate e = estimate(file, p);
    EXPECT_EQ(e.device.weights, without.device.weights + kProjector);
    EXPECT_EQ(e.host.weights, without.host.weights);
    EXPECT_THAT(e.explanation, HasSubstr("+ output, incl. projector 851.0 MiB"));
    EXPECT_EQ(e.device_projector, kProjector);
    EXPECT_EQ(e.device_share(2), (e.device.total() - kProjector) / 2 + kProjector) << "mtmd puts it on one GPU";

    p.n_gpu_layers = 0;  // mtmd offloads the projector whatever -ngl says, so the GPU runtime is loaded too
    e = estimate(file, p);
    EXPECT_EQ(e.device.weights, kProjector);
    EXPECT_EQ(e.device.overhead, kCudaOverheadBytes);
    EXPECT_EQ(e.device.compute, 0u);

    p.n_gpu_layers = -1;
    p.projector_offload = false;  // --no-mmproj-offload
    e = estimate(file, p);
    EXPECT_EQ(e.device.weights, without.device.weights);
    EXPECT_EQ(e.host.weights, without.host.weights + kProjector);
    EXPECT_EQ(e.device_projector, 0u);
    EXPECT_THAT(e.explanation, HasSubstr(", incl. projector 851.0 MiB"));

    p.gpu = GpuBackend::none;
    p.projector_offload = true;
    e = estimate(file, p);
    EXPECT_EQ(e.device.total(), 0u);
    EXPECT_EQ(e.host.weights, file.tensor_bytes() + kProjector);
    EXPECT_THAT(e.explanation, HasSubstr(", incl. projector 851.0 MiB, KV"));
}

TEST(Estimate, ContextShapes) {
    TinyLlamaSpec spec;
    spec.context = 2048;
    const GgufFile file = tiny(spec);
    EstimateParams p;
    const uint64_t per_cell = 2 * (64 + 64) * 2;  // 2 layers, K and V of 64 f16
    p.ctx_size = 3000;  // padded to 3072
    EXPECT_EQ(estimate(file, p).host.kv_cache, 3072 * per_cell);
    p.parallel = 3;  // own stream per slot: pad256(3072 / 3) = 1024 cells each
    EXPECT_EQ(estimate(file, p).context, 3072u);
    p.ctx_size = 5000;  // 5120 / 3 = 1706 -> 1792 cells each
    EXPECT_EQ(estimate(file, p).context, 5376u);
    p.kv_unified = true;
    EXPECT_EQ(estimate(file, p).context, 5120u);
    p.ctx_size = 0;  // 0 means the model's own context
    EXPECT_EQ(estimate(file, p).context, 2048u);
    p.cache_type_k = p.cache_type_v = GgmlType::Q8_0;
    EXPECT_EQ(estimate(file, p).host.kv_cache, 2048u * 2 * (68 + 68));
}

TEST(Estimate, SlidingWindowLayersCacheOnlyTheWindow) {
    gguf::Writer w;
    w.add("general.architecture", "gemma3");
    w.add("gemma3.block_count", uint32_t{6});
    w.add("gemma3.context_length", uint32_t{8192});
    w.add("gemma3.embedding_length", uint32_t{64});
    w.add("gemma3.feed_forward_length", uint32_t{256});
    w.add("gemma3.attention.head_count", uint32_t{4});
    w.add("gemma3.attention.head_count_kv", uint32_t{1});
    w.add("gemma3.attention.sliding_window", uint32_t{512});
    const GgufFile file = header_of(w);
    const uint64_t row = 2 * 16 * 2;  // K and V, one head of 16, f16
    EstimateParams p;
    // Unified cache with 4 auto slots: pad256(min(8192, 512 * 4 + 512)) = 2560 cells for the
    // five windowed layers, 8192 for the sixth.
    EXPECT_EQ(estimate(file, p).host.kv_cache, row * (5 * 2560 + 8192));
    p.swa_full = true;
    EXPECT_EQ(estimate(file, p).host.kv_cache, row * 6 * 8192);
}

TEST(Estimate, FlashAttentionOffMaterialisesScores) {
    EstimateParams on, off;
    off.flash_attention = false;
    const GgufFile file = tiny();
    EXPECT_GT(estimate(file, off).host.compute, estimate(file, on).host.compute + 4 * 2048 * 512 * 4);
}

TEST(Estimate, ModelsWithoutAShapeAreRejected) {
    gguf::Writer w;
    w.add("general.architecture", "llama");
    w.add("llama.block_count", uint32_t{2});
    try {
        estimate(header_of(w), {});
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("model.gguf: cannot estimate memory: architecture 'llama' has no "
                                        "llama.embedding_length"));
    }
    EXPECT_THROW(estimate(header_of(gguf::Writer()), {}), std::invalid_argument);
}

TEST(Estimate, AbsurdShapesSaturateInsteadOfWrapping) {
    gguf::Writer w;
    w.add("general.architecture", "llama");
    w.add("llama.block_count", uint32_t{65536});
    w.add("llama.context_length", uint32_t{0xffffffff});
    w.add("llama.embedding_length", uint32_t{0xffffffff});
    w.add("llama.attention.head_count", uint32_t{0xffffffff});
    w.add("llama.attention.key_length", uint32_t{0xffffffff});
    w.add("llama.attention.value_length", uint32_t{0xffffffff});
    const Estimate e = estimate(header_of(w), {});
    EXPECT_EQ(e.host.kv_cache, UINT64_MAX);
    EXPECT_EQ(e.total(), UINT64_MAX);
}

}  // namespace
}  // namespace ggufd::memory
