// Reading the estimate's inputs from llama-server command lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ggufd/memory/estimate.h"

namespace ggufd::memory {
namespace {

using gguf::GgmlType;

EstimateParams parse(std::vector<std::string> args, EstimateParams base = {}) { return params_from_args(args, base); }

TEST(EstimateArgs, DefaultsAreLlamaServers) {
    const EstimateParams p = parse({});
    EXPECT_EQ(p.n_gpu_layers, -1);
    EXPECT_FALSE(p.ctx_size);
    EXPECT_FALSE(p.parallel);
    EXPECT_FALSE(p.kv_unified);
    EXPECT_EQ(p.cache_type_k, GgmlType::F16);
    EXPECT_EQ(p.cache_type_v, GgmlType::F16);
    EXPECT_EQ(p.ubatch, 512u);
    EXPECT_TRUE(p.flash_attention);
    EXPECT_TRUE(p.kv_offload);
    EXPECT_TRUE(p.projector_offload);
}

TEST(EstimateArgs, ShortAndLongForms) {
    const EstimateParams p = parse({"--jinja", "-c", "8192", "-np", "2", "-ngl", "20", "-ctk", "q8_0", "-ctv", "q4_0",
                                    "-ub", "256", "-b", "1024", "-fa", "off", "-kvu", "-nkvo", "--swa-full",
                                    "--no-mmproj-offload", "--host", "127.0.0.1"});
    EXPECT_EQ(p.ctx_size, 8192u);
    EXPECT_EQ(p.parallel, 2u);
    EXPECT_EQ(p.n_gpu_layers, 20);
    EXPECT_EQ(p.cache_type_k, GgmlType::Q8_0);
    EXPECT_EQ(p.cache_type_v, GgmlType::Q4_0);
    EXPECT_EQ(p.ubatch, 256u);
    EXPECT_EQ(p.batch, 1024u);
    EXPECT_FALSE(p.flash_attention);
    EXPECT_EQ(p.kv_unified, true);
    EXPECT_FALSE(p.kv_offload);
    EXPECT_TRUE(p.swa_full);
    EXPECT_FALSE(p.projector_offload);
    EXPECT_TRUE(parse({"--no-mmproj-offload", "--mmproj-offload"}).projector_offload);

    const EstimateParams q = parse({"--ctx-size", "100", "--parallel", "-1", "--n-gpu-layers", "all", "--cache-type-k",
                                    "bf16", "--flash-attn", "auto", "--no-kv-unified", "--ubatch-size", "64"});
    EXPECT_EQ(q.ctx_size, 100u);
    EXPECT_FALSE(q.parallel);
    EXPECT_EQ(q.n_gpu_layers, -1);
    EXPECT_EQ(q.cache_type_k, GgmlType::BF16);
    EXPECT_TRUE(q.flash_attention);
    EXPECT_EQ(q.kv_unified, false);
    EXPECT_EQ(q.ubatch, 64u);
    EXPECT_EQ(parse({"--gpu-layers", "auto"}).n_gpu_layers, -1);
}

TEST(EstimateArgs, LaterFlagsWinAndBaseIsKept) {
    EstimateParams base;
    base.gpu = GpuBackend::cuda;
    base.ctx_size = 4096;
    const EstimateParams p = parse({"-c", "1024", "--ctx-size", "2048"}, base);
    EXPECT_EQ(p.ctx_size, 2048u);
    EXPECT_EQ(p.gpu, GpuBackend::cuda);
}

TEST(EstimateArgs, MalformedValuesNameTheFlag) {
    auto message = [](std::vector<std::string> args) {
        try {
            params_from_args(args);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    using ::testing::HasSubstr;
    EXPECT_THAT(message({"-c", "lots"}), HasSubstr("-c lots: expected a number"));
    EXPECT_THAT(message({"--ctx-size"}), HasSubstr("--ctx-size needs a value"));
    EXPECT_THAT(message({"-ctk", "q4_k"}), HasSubstr("-ctk q4_k: expected one of f32, f16"));
    EXPECT_THAT(message({"-fa", "maybe"}), HasSubstr("-fa maybe: expected on, off or auto"));
    EXPECT_THAT(message({"-np", "0"}), HasSubstr("-np 0: expected a positive number"));
    EXPECT_THAT(message({"-ngl", "many"}), HasSubstr("-ngl many: expected a number"));
}

}  // namespace
}  // namespace ggufd::memory
