// `ggufd models`' renderings and the RAM reading behind its estimates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "models_command.h"
#include "models_host_memory.h"

namespace ggufd::cli {
namespace {

using namespace test;

std::vector<ModelSurvey> two_models() {
    SurveyContext context;
    FakeFiles files;
    files.add("junk.gguf", std::vector<uint8_t>(64, 'x'));
    context.read_header = files.reader();
    auto discovered = service("junk", "junk.gguf");
    discovered.discovered = true;
    return {survey_model(service("tiny", "tiny.gguf"), context), survey_model(discovered, context)};
}

TEST(RenderModels, ATableThenTheFilesThatCannotBeUsed) {
    std::string text = render_models(two_models());
    EXPECT_EQ(text.rfind("NAME  ARCH   PARAMS  QUANT  CTX   LAYERS  SIZE", 0), 0u) << text;
    EXPECT_NE(text.find("tiny  llama  "), std::string::npos) << text;
    EXPECT_NE(text.find(" F32    2048  2  "), std::string::npos) << text;
    EXPECT_NE(text.find(" on CPU  tiny.gguf\n"), std::string::npos) << text;
    EXPECT_THAT(text, testing::ContainsRegex("\njunk +- +- +- +- +- +- +\\(unreadable\\) +junk.gguf\n"));
    EXPECT_NE(text.find("\nnot usable as they are:\n  junk: junk.gguf: offset 0: "), std::string::npos) << text;
}

TEST(ModelsJson, MetadataEstimateAndErrors) {
    auto surveys = two_models();
    auto tiny = to_json(surveys[0]);
    EXPECT_EQ(tiny["name"], "tiny");
    EXPECT_EQ(tiny["architecture"], "llama");
    EXPECT_EQ(tiny["layers"], 2);
    EXPECT_EQ(tiny["context_length"], 2048);
    EXPECT_EQ(tiny["quantization"], "F32");
    EXPECT_EQ(tiny["where"], "CPU");
    EXPECT_EQ(tiny["fit"], "cpu");
    EXPECT_TRUE(tiny["error"].is_null());
    EXPECT_GT(tiny["estimate"]["host_bytes"].get<uint64_t>(), 0u);
    EXPECT_EQ(tiny["estimate"]["gpu_bytes"], 0);

    auto junk = to_json(surveys[1]);
    EXPECT_EQ(junk["discovered"], true);
    EXPECT_TRUE(junk["architecture"].is_null());
    EXPECT_TRUE(junk["estimate"].is_null());
    EXPECT_NE(junk["error"].get<std::string>().find("junk.gguf: offset 0"), std::string::npos);
}

TEST(ParseMemTotal, KibibytesToBytes) {
    EXPECT_EQ(parse_mem_total("MemTotal:       24684084 kB\nMemFree:        20113296 kB\n"), 24684084ull << 10);
    EXPECT_EQ(parse_mem_total("MemFree: 1 kB\nMemTotal: 2 kB\n"), 2048u);
    EXPECT_EQ(parse_mem_total("MemFree: 1 kB\n"), std::nullopt);
    EXPECT_EQ(parse_mem_total("MemTotal: lots\n"), std::nullopt);
    EXPECT_EQ(parse_mem_total("MemTotal: 12 MB\n"), std::nullopt);
    EXPECT_EQ(parse_mem_total("XMemTotal: 12 kB\n"), std::nullopt);
}

}  // namespace
}  // namespace ggufd::cli
