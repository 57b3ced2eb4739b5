// The doctor report's exit code and renderings.
#include <gtest/gtest.h>

#include "doctor_report.h"
#include "exit_codes.h"

namespace ggufd::cli {
namespace {

DoctorReport report_of(std::vector<Finding> findings) {
    DoctorReport report;
    report.config_source = "/etc/ggufd/ggufd.toml";
    report.add(std::move(findings));
    return report;
}

const Finding kFine{"gpu", "NVIDIA GPU 0", Severity::ok, "NVIDIA H100, discrete, 80.0 GiB", ""};
const Finding kWarn{"port", "127.0.0.1:8080", Severity::warning, "listen: in use by a running ggufd", "stop it"};
const Finding kBroken{"model", "broken", Severity::problem, "/m/broken.gguf: not a GGUF file", "remove it"};

TEST(DoctorReport, OnlyProblemsFail) {
    EXPECT_EQ(report_of({kFine}).exit_code(), ggufd::cli::kOk);
    EXPECT_EQ(report_of({kFine, kWarn}).exit_code(), ggufd::cli::kOk);
    EXPECT_EQ(report_of({kFine, kWarn, kBroken}).exit_code(), ggufd::cli::kProblems);
}

TEST(DoctorReport, TextHasATableWithFixesUnderTheirFindingsAndAVerdict) {
    std::string text = render_text(report_of({kFine, kWarn, kBroken}));
    EXPECT_EQ(text.rfind("config: /etc/ggufd/ggufd.toml\n\nSTATUS   CHECK  SUBJECT         FINDING\n", 0), 0u) << text;
    EXPECT_NE(text.find("ok       gpu    NVIDIA GPU 0    NVIDIA H100, discrete, 80.0 GiB\n"), std::string::npos) << text;
    EXPECT_NE(text.find("PROBLEM  model  broken          /m/broken.gguf: not a GGUF file\n"
                        "                                fix: remove it\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("1 problem, 1 warning: fix the problems above"), std::string::npos) << text;
}

TEST(DoctorReport, VerdictWithoutProblems) {
    EXPECT_NE(render_text(report_of({kFine})).find("Everything is in order: ggufd can serve."), std::string::npos);
    EXPECT_NE(render_text(report_of({kFine, kWarn})).find("1 warning, no problems: ggufd can serve."),
              std::string::npos);
}

TEST(DoctorReport, InfoActionsAreNotesNotFixes) {
    Finding info{"gpu", "AMD GPU 1", Severity::info, "masked by default", "set gpus = [1]"};
    EXPECT_NE(render_text(report_of({info})).find("note: set gpus = [1]"), std::string::npos);
}

TEST(DoctorReport, Json) {
    auto json = to_json(report_of({kFine, kBroken}));
    EXPECT_EQ(json["config"], "/etc/ggufd/ggufd.toml");
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["problems"], 1);
    EXPECT_EQ(json["warnings"], 0);
    ASSERT_EQ(json["findings"].size(), 2u);
    EXPECT_EQ(json["findings"][1],
              (nlohmann::json{{"area", "model"}, {"subject", "broken"}, {"status", "problem"},
                              {"message", "/m/broken.gguf: not a GGUF file"}, {"action", "remove it"}}));
}

}  // namespace
}  // namespace ggufd::cli
