// The survey behind `ggufd models` and doctor's model checks: where a service would run, what
// its model is, what it needs there and whether that fits the budget.
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "ggufd/util/units.h"
#include "gpu_setup.h"
#include "models_survey.h"

namespace ggufd::cli {
namespace {

using namespace test;

class Survey : public testing::Test {
protected:
    SurveyContext context() const {
        SurveyContext c;
        c.devices = devices;
        c.memory = memory;
        c.host_memory_bytes = host_memory;
        c.read_header = files.reader();
        return c;
    }
    ModelSurvey survey(const config::ServiceConfig& s) const { return survey_model(s, context()); }

    FakeFiles files;
    std::vector<gpu::Device> devices;
    config::MemoryConfig memory;
    std::optional<uint64_t> host_memory = 64 * kGiB;
};

TEST_F(Survey, ReadsTheHeaderAndEstimatesOnTheCpuWhenThereIsNoGpu) {
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    ASSERT_TRUE(s.error.empty()) << s.error;
    ASSERT_TRUE(s.info);
    EXPECT_EQ(s.info->architecture, "llama");
    EXPECT_EQ(s.info->block_count, 2u);
    EXPECT_EQ(s.info->context_length, 2048u);
    EXPECT_EQ(s.placement.where, "CPU");
    ASSERT_TRUE(s.estimate);
    EXPECT_EQ(s.estimate->device.total(), 0u);
    EXPECT_GT(s.estimate->host.total(), 0u);
    EXPECT_EQ(s.fit, Fit::cpu);
    EXPECT_FALSE(s.gpu_need_bytes);
    EXPECT_EQ(describe_need(s), ggufd::units::format_bytes(s.estimate->host.total()) + " on CPU");
}

TEST_F(Survey, ADiscreteGpuWithRoomFits) {
    devices = {nvidia(0)};
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    EXPECT_EQ(s.placement.where, "GPU 0");
    EXPECT_EQ(s.placement.backend, memory::GpuBackend::cuda);
    ASSERT_TRUE(s.placement.budget_bytes);
    EXPECT_EQ(*s.placement.budget_bytes, 80 * kGiB - memory.reserve_bytes);
    ASSERT_TRUE(s.gpu_need_bytes);
    EXPECT_EQ(*s.gpu_need_bytes, s.estimate->device.total());
    EXPECT_EQ(s.fit, Fit::fits);
}

TEST_F(Survey, AModelOverTheConfiguredBudgetIsTooBig) {
    devices = {nvidia(0)};
    memory.budget_bytes[0] = 1 << 20;  // 1 MiB: less than the CUDA overhead alone
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    EXPECT_EQ(*s.placement.budget_bytes, 1u << 20);
    EXPECT_EQ(s.fit, Fit::too_big);
    EXPECT_NE(describe_need(s).find("(over its 1.0 MiB budget)"), std::string::npos) << describe_need(s);
}

TEST_F(Survey, TheServicesOwnMemoryOverridesTheEstimate) {
    devices = {nvidia(0, 8 * kGiB)};
    auto s = service("big", "tiny.gguf");
    s.memory_bytes = 9 * kGiB;
    ModelSurvey result = survey(s);
    EXPECT_TRUE(result.need_configured);
    EXPECT_EQ(*result.gpu_need_bytes, 9 * kGiB);
    EXPECT_EQ(result.fit, Fit::too_big);
    EXPECT_EQ(describe_need(result), "9.0 GiB on GPU 0 (configured) (over its 7.5 GiB budget)");
}

TEST_F(Survey, TwoGpusAddTheirBudgets) {
    devices = {nvidia(0, 16 * kGiB), nvidia(1, 16 * kGiB)};
    memory.reserve_bytes = kGiB;
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    EXPECT_EQ(s.placement.where, "GPUs 0, 1");
    EXPECT_EQ(*s.placement.budget_bytes, 30 * kGiB);
}

TEST_F(Survey, AGpuThatReportsNoMemoryLeavesTheFitUnknown) {
    auto gb10 = nvidia(0, std::nullopt, "NVIDIA GB10");
    devices = {gb10};
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    EXPECT_EQ(s.placement.where, "GPU 0");  // the only GPU, integrated: used
    EXPECT_FALSE(s.placement.budget_bytes);
    EXPECT_TRUE(s.gpu_need_bytes);
    EXPECT_EQ(s.fit, Fit::unknown);
}

TEST_F(Survey, TheIntegratedGpuIsMaskedSoTheEstimateIsForTheDiscreteOne) {
    devices = {amd(0, false, 16 * kGiB, "gfx1101"), amd(1, true, 94 * kGiB, "gfx1036")};
    ModelSurvey s = survey(service("tiny", "tiny.gguf"));
    EXPECT_EQ(s.placement.gpus, std::vector<int>{0});
    EXPECT_EQ(s.placement.backend, memory::GpuBackend::rocm);
    EXPECT_NE(s.placement.reason.find("masked"), std::string::npos) << s.placement.reason;
}

TEST_F(Survey, GpusThatDoNotExistAreAnErrorAndNothingIsJudged) {
    devices = {nvidia(0)};
    auto s = service("tiny", "tiny.gguf");
    s.gpus = std::vector<int>{3};
    ModelSurvey result = survey(s);
    EXPECT_NE(result.placement.error.find("there is no GPU 3"), std::string::npos) << result.placement.error;
    EXPECT_EQ(result.fit, Fit::unknown);
    EXPECT_TRUE(result.info);  // the model itself is still described
    EXPECT_EQ(describe_need(result), "");
}

TEST_F(Survey, EmptyGpusMeansCpu) {
    devices = {nvidia(0)};
    auto s = service("tiny", "tiny.gguf");
    s.gpus = std::vector<int>{};
    ModelSurvey result = survey(s);
    EXPECT_EQ(result.placement.where, "CPU");
    EXPECT_EQ(result.fit, Fit::cpu);
}

TEST_F(Survey, AFileThatIsNotGgufCarriesTheReadersMessage) {
    files.add("notes.gguf", {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!',
                             '!', '!', '!', '!', '!', '!', '!', '!'});
    ModelSurvey s = survey(service("notes", "notes.gguf"));
    EXPECT_EQ(s.failure, ReadFailure::format);
    EXPECT_NE(s.error.find("notes.gguf"), std::string::npos) << s.error;
    EXPECT_FALSE(s.info);
    EXPECT_FALSE(s.estimate);
}

TEST_F(Survey, MissingAndUnreadableFilesAreToldApart) {
    files.deny("secret.gguf");
    ModelSurvey missing = survey(service("gone", "gone.gguf"));
    EXPECT_EQ(missing.failure, ReadFailure::missing);
    ModelSurvey denied = survey(service("secret", "secret.gguf"));
    EXPECT_EQ(denied.failure, ReadFailure::permission);
}

TEST_F(Survey, AProjectorIsReadToo) {
    auto s = service("vision", "tiny.gguf");
    s.mmproj = "mmproj-missing.gguf";
    ModelSurvey result = survey(s);
    EXPECT_TRUE(result.error.empty());
    EXPECT_NE(result.mmproj_error.find("mmproj-missing.gguf"), std::string::npos) << result.mmproj_error;
}

TEST_F(Survey, AProjectorsWeightsAreBudgetedOnTheGpu) {
    gguf::Writer projector;
    projector.add("general.architecture", "clip");
    projector.add_tensor("v.patch_embd.weight", {1024, 1024}, gguf::GgmlType::F16);  // 2 MiB
    files.add("mmproj-tiny.gguf", projector.to_bytes());
    devices = {nvidia(0)};
    auto s = service("vision", "tiny.gguf");
    const uint64_t text_only = *survey(s).gpu_need_bytes;
    s.mmproj = "mmproj-tiny.gguf";
    ModelSurvey result = survey(s);
    EXPECT_TRUE(result.mmproj_error.empty()) << result.mmproj_error;
    EXPECT_EQ(*result.gpu_need_bytes, text_only + (2u << 20));
}

TEST_F(Survey, AServiceWithItsOwnCommandIsDescribedButNotEstimated) {
    devices = {nvidia(0)};
    auto s = service("dlm", "tiny.gguf");
    s.command = {"/opt/dlm/dlm_server", "--port", "{port}"};
    ModelSurvey result = survey(s);
    EXPECT_TRUE(result.own_command);
    EXPECT_TRUE(result.info);
    EXPECT_FALSE(result.estimate);
    EXPECT_FALSE(result.estimate_error.empty());
    EXPECT_EQ(result.fit, Fit::unknown);
}

TEST_F(Survey, ServiceArgsReachTheEstimate) {
    auto base = survey(service("tiny", "tiny.gguf"));
    auto s = service("tiny", "tiny.gguf");
    s.args = {"--ctx-size", "256"};
    auto shorter = survey(s);
    EXPECT_LT(shorter.estimate->context, base.estimate->context);
    s.args = {"--ctx-size", "lots"};
    auto malformed = survey(s);
    EXPECT_FALSE(malformed.estimate);
    EXPECT_NE(malformed.estimate_error.find("--ctx-size"), std::string::npos) << malformed.estimate_error;
}

TEST_F(Survey, MoreThanTheMachinesRamIsNoted) {
    host_memory = 1 << 20;
    EXPECT_TRUE(survey(service("tiny", "tiny.gguf")).host_memory_short);
    host_memory = std::nullopt;
    EXPECT_FALSE(survey(service("tiny", "tiny.gguf")).host_memory_short);
}

TEST_F(Survey, OnlyServicesWithAModelFileAreSurveyed) {
    config::Config config;
    config.services = {service("a", "tiny.gguf"), service("cmd", "")};
    config.services[1].command = {"/bin/server", "{port}"};
    auto surveys = survey_models(config, context());
    ASSERT_EQ(surveys.size(), 1u);
    EXPECT_EQ(surveys[0].service, "a");
}

TEST(DeviceBudget, ConfiguredBudgetThenTotalMinusReserveThenUnknown) {
    config::MemoryConfig memory;
    memory.reserve_bytes = kGiB;
    EXPECT_EQ(device_budget(nvidia(0, 16 * kGiB), memory), 15 * kGiB);
    EXPECT_EQ(device_budget(nvidia(0, kGiB / 2), memory), 0u);
    EXPECT_EQ(device_budget(nvidia(0, std::nullopt), memory), std::nullopt);
    memory.budget_bytes[0] = 12 * kGiB;
    EXPECT_EQ(device_budget(nvidia(0, std::nullopt), memory), 12 * kGiB);
    EXPECT_EQ(device_budget(nvidia(1, 16 * kGiB), memory), 15 * kGiB);
}

TEST(FormatParameters, AsModelCardsWriteThem) {
    EXPECT_EQ(format_parameters(950), "950");
    EXPECT_EQ(format_parameters(137'000), "137K");
    EXPECT_EQ(format_parameters(4'200'000), "4.2M");
    EXPECT_EQ(format_parameters(7'615'616'512), "7.6B");
    EXPECT_EQ(format_parameters(405'000'000'000), "405B");
    EXPECT_EQ(format_parameters(1'000'000'000'000), "1.0T");
}

}  // namespace
}  // namespace ggufd::cli
