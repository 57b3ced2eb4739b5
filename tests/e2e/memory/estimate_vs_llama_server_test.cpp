// The memory estimate against a real llama-server (CPU build): for models of different depth,
// width, context, weight type and slot layout, each component and the total must be within
// 10 % of what llama-server itself reports at -lv 4, and the process must stay within the
// estimate's total (overhead included) after serving a request.
#include <gtest/gtest.h>
#include <httplib.h>

#include "ggufd/gguf/reader.h"
#include "ggufd/memory/estimate.h"
#include "llama_log.h"
#include "llama_server_process.h"
#include "llama_server_test.h"

namespace ggufd::test {
namespace {

using gguf::GgmlType;
using gguf::TinyLlamaSpec;

struct Case {
    const char* name;
    TinyLlamaSpec spec;
    std::vector<std::string> args;
};

TinyLlamaSpec spec(uint32_t layers, uint32_t embedding, uint32_t heads, uint32_t kv_heads, uint32_t ff,
                   uint32_t context, uint32_t vocab, GgmlType type) {
    TinyLlamaSpec s;
    s.layers = layers;
    s.embedding = embedding;
    s.heads = heads;
    s.kv_heads = kv_heads;
    s.feed_forward = ff;
    s.context = context;
    s.vocab = vocab;
    s.weight_type = type;
    return s;
}

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }  // test names, not byte dumps

class EstimateVsLlamaServer : public LlamaServerTest, public ::testing::WithParamInterface<Case> {};

void expect_within_10_percent(double estimated_mib, double reported_mib, const char* what) {
    EXPECT_NEAR(estimated_mib, reported_mib, 0.10 * reported_mib)
        << what << ": estimated " << estimated_mib << " MiB, llama-server reported " << reported_mib << " MiB";
}

TEST_P(EstimateVsLlamaServer, ComponentsAndTotalWithinTenPercent) {
    const Case& c = GetParam();
    const auto model = write_model(c.spec, std::string(c.name) + ".gguf");
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"-lv", "4", "--threads", "1"});
    LlamaServerProcess server(server_, model, args, dir_ / "llama-server.log");

    // One short request, so that the peak RSS includes a real decode.
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(std::chrono::seconds(30));
    auto res = client.Post("/v1/completions", R"({"prompt":"hello world","max_tokens":8,"temperature":0})",
                           "application/json");
    ASSERT_TRUE(res) << "no answer from llama-server";
    EXPECT_EQ(res->status, 200) << res->body;
    const uint64_t peak_rss = server.peak_rss_bytes();
    server.stop();

    const auto report = read_memory_report(server.log());
    ASSERT_GE(report.lines_seen, 4) << "llama-server did not log its memory plan; see " << server.log();
    ASSERT_TRUE(report.projected_mib);

    const auto estimate = memory::estimate(gguf::read_header(model), memory::params_from_args(c.args));
    constexpr double kMiB = 1 << 20;
    const auto& host = estimate.host;
    expect_within_10_percent(host.weights / kMiB, report.model_mib, "weights");
    expect_within_10_percent(host.kv_cache / kMiB, report.kv_mib, "KV cache");
    expect_within_10_percent(host.compute / kMiB, report.compute_mib + report.output_mib, "compute");
    // llama-server's projection is model + context + compute, without process overhead.
    expect_within_10_percent((host.total() - host.overhead) / kMiB, *report.projected_mib, "total");
    EXPECT_EQ(estimate.device.total(), 0u);
    EXPECT_LE(peak_rss, estimate.total()) << "the process used more than the estimate's total: " << estimate.explanation;
    std::printf("[ %-14s ] estimate: %s; llama-server: model %.2f + KV %.2f + compute %.2f (+%.2f) = %.0f MiB projected, "
                "peak RSS %.1f MiB\n",
                c.name, estimate.explanation.c_str(), report.model_mib, report.kv_mib, report.compute_mib,
                report.output_mib, *report.projected_mib, peak_rss / kMiB);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, EstimateVsLlamaServer,
    ::testing::Values(
        Case{"shallow_narrow", spec(2, 256, 8, 4, 1024, 2048, 1000, GgmlType::F32), {}},
        Case{"deep_f16_slots", spec(8, 512, 8, 2, 1536, 4096, 4000, GgmlType::F16), {"-np", "2"}},
        Case{"wide_q8_long", spec(3, 1024, 16, 4, 2816, 8192, 2000, GgmlType::Q8_0),
             {"-c", "6000", "-ctk", "q8_0", "-ctv", "q8_0"}},
        Case{"gqa_small_ubatch", spec(4, 768, 12, 4, 3072, 2048, 32000, GgmlType::F16), {"-ub", "128", "-np", "1"}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ggufd::test
