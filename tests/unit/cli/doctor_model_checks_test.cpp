// Doctor's verdicts on each service's model, from surveys built by hand: each problem names the
// file and says what to change, and a well model gets one summary line.
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "doctor_checks.h"

namespace ggufd::cli {
namespace {

using namespace test;

ModelSurvey readable(const std::string& name) {
    SurveyContext context;
    FakeFiles files;
    context.read_header = files.reader();
    context.devices = {nvidia(0, 80 * kGiB)};
    return survey_model(service(name, "tiny.gguf"), context);
}

ModelSurvey unreadable(std::string error) {
    ModelSurvey survey;
    survey.service = "broken";
    survey.file = "/m/broken.gguf";
    survey.defined_at = {"/etc/ggufd/ggufd.toml", 12};
    survey.error = std::move(error);
    return survey;
}

TEST(CheckModels, AWellModelGetsOneSummary) {
    auto findings = check_models({readable("tiny")});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[0].subject, "tiny");
    EXPECT_EQ(findings[0].message.rfind("llama, ", 0), 0u) << findings[0].message;
    EXPECT_NE(findings[0].message.find(", 2 layers, context 2048: "), std::string::npos) << findings[0].message;
    EXPECT_NE(findings[0].message.find(" on GPU 0 + "), std::string::npos) << findings[0].message;
    EXPECT_NE(findings[0].message.find("within its 79.5 GiB budget"), std::string::npos) << findings[0].message;
}

TEST(CheckModels, AMissingConfiguredModelPointsAtItsLine) {
    auto survey = unreadable("/m/broken.gguf: cannot open: No such file or directory");
    survey.failure = ReadFailure::missing;
    auto findings = check_models({survey});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_EQ(findings[0].message, "/m/broken.gguf: cannot open: No such file or directory");
    EXPECT_EQ(findings[0].action, "correct model in /etc/ggufd/ggufd.toml:12, or mount the disk it lives on");
}

TEST(CheckModels, AnUnreadableModelSaysWhoMustReadIt) {
    auto survey = unreadable("/m/broken.gguf: cannot open: Permission denied");
    survey.failure = ReadFailure::permission;
    auto findings = check_models({survey});
    EXPECT_EQ(findings.at(0).severity, Severity::problem);
    EXPECT_NE(findings[0].action.find("readable by the user ggufd runs as"), std::string::npos);
}

TEST(CheckModels, ANonGgufFileIsAProblemForLlamaServerButOnlyAWarningForAnotherServer) {
    auto survey = unreadable("/m/broken.gguf: offset 0: not a GGUF file (magic 0x6c6c6568, expected \"GGUF\")");
    survey.failure = ReadFailure::format;
    survey.discovered = true;
    auto findings = check_models({survey});
    EXPECT_EQ(findings.at(0).severity, Severity::problem);
    EXPECT_NE(findings[0].action.find("remove it from the models directory"), std::string::npos);

    survey.own_command = true;
    EXPECT_EQ(check_models({survey}).at(0).severity, Severity::warning);
}

TEST(CheckModels, ABrokenProjectorIsAProblem) {
    auto survey = readable("vision");
    survey.mmproj = "/m/mmproj.gguf";
    survey.mmproj_error = "/m/mmproj.gguf: cannot open: No such file or directory";
    auto findings = check_models({survey});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_EQ(findings[0].message, "projector /m/mmproj.gguf: cannot open: No such file or directory");
}

TEST(CheckModels, GpusThatCannotBeHonouredAreAProblem) {
    auto survey = readable("tiny");
    survey.placement.error = "gpus = [3]: there is no GPU 3; the GPUs are: GPU 0 NVIDIA H100 (discrete)";
    survey.fit = Fit::unknown;
    auto findings = check_models({survey});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_EQ(findings[0].action, "change gpus in /etc/ggufd/ggufd.toml:12");

    survey.discovered = true;
    EXPECT_EQ(check_models({survey}).at(0).action, "add [services.tiny] with gpus to the config file");
}

TEST(CheckModels, TooBigForItsBudgetExplainsTheEstimateAndTheWaysOut) {
    SurveyContext context;
    FakeFiles files;
    context.read_header = files.reader();
    context.devices = {nvidia(0, 80 * kGiB)};
    context.memory.budget_bytes[0] = 1 << 20;
    auto findings = check_models({survey_model(service("tiny", "tiny.gguf"), context)});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_NE(findings[0].message.find("on GPU 0 but the budget there is 1.0 MiB: GPU "), std::string::npos)
        << findings[0].message;
    EXPECT_NE(findings[0].message.find("CUDA overhead"), std::string::npos) << findings[0].message;
    EXPECT_NE(findings[0].action.find("ctx_size"), std::string::npos);
    EXPECT_NE(findings[0].action.find("[memory] budget"), std::string::npos);
}

TEST(CheckModels, NoEstimateIsAWarningThatSuggestsSettingMemory) {
    auto survey = readable("odd");
    survey.estimate.reset();
    survey.estimate_error = "the model has no llama.attention.head_count";
    survey.gpu_need_bytes.reset();
    survey.fit = Fit::unknown;
    auto findings = check_models({survey});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[1].severity, Severity::warning);
    EXPECT_EQ(findings[1].message, "memory not estimated: the model has no llama.attention.head_count");
    EXPECT_EQ(findings[1].action,
              "change memory = \"NGiB\" in /etc/ggufd/ggufd.toml:12 so that ggufd can budget for it");
}

TEST(CheckModels, MoreThanTheRamIsAWarning) {
    auto survey = readable("tiny");
    survey.host_memory_short = true;
    auto findings = check_models({survey});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[1].severity, Severity::warning);
    EXPECT_NE(findings[1].message.find("more than this machine has"), std::string::npos);
}

}  // namespace
}  // namespace ggufd::cli
