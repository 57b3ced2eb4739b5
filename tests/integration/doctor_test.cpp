// `ggufd doctor` and `ggufd models` as a user runs them: the real binary on a config of the
// test's own, with tiny models written by gguf::tiny_llama, a file that is not GGUF, a port
// taken by the test, a running ggufd, and (through a stand-in nvidia-smi on PATH) a GPU.
// llama-server is the real one (find_llama_server()); without it the tests are skipped.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"
#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/net/socket.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int kProblems = 5;  // docs/CLI.md: doctor found something that stops serving
constexpr int kUsage = 2;

struct CommandRun : CliResult {
    /// The JSON document in the output (stderr warnings may come before it).
    json document() const {
        size_t start = output.find("{\n");
        return start == std::string::npos ? json() : json::parse(output.substr(start), nullptr, false);
    }
};

class DoctorTest : public testing::Test {
protected:
    void SetUp() override {
        auto lookup = find_llama_server();
        if (!lookup.path) GTEST_SKIP() << "no llama-server (searched " << lookup.searched << ")";
        llama_server = lookup.path->string();
        models = dir.path() / "models";
        std::filesystem::create_directories(models);
        env = {{"GGUFD_LLAMA_SERVER", llama_server}, {"GGUFD_MODELS_DIR", models.string()}};
    }

    void write_tiny(const std::string& name, ggufd::gguf::TinyLlamaSpec spec = {}) const {
        ggufd::gguf::tiny_llama(spec).write(models / name);
    }

    std::filesystem::path write_config(const std::string& rest) {
        return dir.write("ggufd.toml", "listen = \"127.0.0.1:" + std::to_string(free_port()) + "\"\n" + rest);
    }

    CommandRun run(const std::vector<std::string>& args) const { return {run_ggufd(dir, args, env, 60s)}; }

    TempDir dir;
    std::filesystem::path models;
    std::string llama_server;
    std::map<std::string, std::string> env;
};

// The findings of one area and subject.
std::vector<json> findings(const json& report, const std::string& area, const std::string& subject) {
    std::vector<json> found;
    for (const auto& finding : report["findings"]) {
        if (finding["area"] == area && finding["subject"] == subject) found.push_back(finding);
    }
    return found;
}

bool has_status(const std::vector<json>& found, const std::string& status) {
    return std::any_of(found.begin(), found.end(), [&](const json& f) { return f["status"] == status; });
}

TEST_F(DoctorTest, AllInOrderOnACpuMachine) {
    write_tiny("tiny.gguf");
    auto config = write_config("");
    auto result = run({"doctor", "-c", config.string()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("Everything is in order: ggufd can serve."), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("build 10472"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("llama, "), std::string::npos) << result.output;

    auto json_result = run({"doctor", "--config", config.string(), "--json"});
    EXPECT_EQ(json_result.exit_code, 0) << json_result.output;
    json report = json_result.document();
    ASSERT_TRUE(report.is_object()) << json_result.output;
    EXPECT_EQ(report["ok"], true);
    EXPECT_EQ(report["problems"], 0);
    EXPECT_TRUE(has_status(findings(report, "model", "tiny"), "ok")) << report.dump(2);
    EXPECT_TRUE(has_status(findings(report, "llama-server", llama_server), "ok")) << report.dump(2);
}

TEST_F(DoctorTest, ABrokenModelAndATakenPortAreProblemsThatSayWhatToDo) {
    write_tiny("tiny.gguf");
    dir.write("models/notes.gguf", "these are my notes, not a model\n");
    uint16_t taken = free_port();
    auto holder = ggufd::net::listen_tcp("127.0.0.1", taken, false);
    auto config = write_config("[services.fixed]\nmodel = \"" + (models / "tiny.gguf").string() +
                               "\"\nport = " + std::to_string(taken) + "\nload = \"lazy\"\n");

    auto result = run({"doctor", "-c", config.string()});
    EXPECT_EQ(result.exit_code, kProblems) << result.output;
    EXPECT_NE(result.output.find("not a GGUF file"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("fix: remove it from the models directory"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("in use by another program"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("2 problems"), std::string::npos) << result.output;

    json report = run({"doctor", "-c", config.string(), "--json"}).document();
    auto notes = findings(report, "model", "notes");
    ASSERT_EQ(notes.size(), 1u) << report.dump(2);
    EXPECT_EQ(notes[0]["status"], "problem");
    EXPECT_NE(notes[0]["message"].get<std::string>().find((models / "notes.gguf").string()), std::string::npos);
    auto port = findings(report, "port", "127.0.0.1:" + std::to_string(taken));
    ASSERT_EQ(port.size(), 1u) << report.dump(2);
    EXPECT_EQ(port[0]["status"], "problem");
    EXPECT_NE(port[0]["action"].get<std::string>().find(config.string() + ":"), std::string::npos) << port[0];
    // The healthy model beside them is still reported as such.
    EXPECT_TRUE(has_status(findings(report, "model", "fixed"), "ok")) << report.dump(2);
}

TEST_F(DoctorTest, AMissingLlamaServerIsAProblemNotACrash) {
    write_tiny("tiny.gguf");
    env["GGUFD_LLAMA_SERVER"] = (dir.path() / "no-such-llama-server").string();
    auto result = run({"doctor", "-c", write_config("").string()});
    EXPECT_EQ(result.exit_code, kProblems) << result.output;
    EXPECT_NE(result.output.find("does not exist or is not an executable file"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("GGUFD_LLAMA_SERVER"), std::string::npos) << result.output;
}

TEST_F(DoctorTest, NoModelsDirectoryIsReportedAndNothingFails) {
    env["GGUFD_MODELS_DIR"] = (dir.path() / "no-models-here").string();
    auto config = write_config("");
    auto doctor = run({"doctor", "-c", config.string()});
    EXPECT_EQ(doctor.exit_code, 0) << doctor.output;
    EXPECT_NE(doctor.output.find("no-models-here does not exist"), std::string::npos) << doctor.output;
    EXPECT_NE(doctor.output.find("nothing to serve"), std::string::npos) << doctor.output;

    auto models_result = run({"models", "-c", config.string()});
    EXPECT_EQ(models_result.exit_code, 0) << models_result.output;
    EXPECT_NE(models_result.output.find("No models:"), std::string::npos) << models_result.output;
}

TEST_F(DoctorTest, AnInvalidConfigListsEveryError) {
    auto config = dir.write("bad.toml", "listen = \"nowhere\"\n[services.x]\nport = 70000\n");
    auto doctor = run({"doctor", "-c", config.string()});
    EXPECT_EQ(doctor.exit_code, kProblems) << doctor.output;
    EXPECT_NE(doctor.output.find(config.string() + ":1"), std::string::npos) << doctor.output;
    EXPECT_NE(doctor.output.find(config.string() + ":3"), std::string::npos) << doctor.output;
    EXPECT_NE(doctor.output.find("not checked"), std::string::npos) << doctor.output;

    EXPECT_EQ(run({"models", "-c", config.string()}).exit_code, kUsage);
}

TEST_F(DoctorTest, ThisConfigsRunningGgufdIsNotAWarning) {
    write_tiny("tiny.gguf");
    const uint16_t fixed_port = free_port();
    DaemonOptions options("[services.fixed]\nmodel = \"" + (models / "tiny.gguf").string() +
                          "\"\nport = " + std::to_string(fixed_port) + "\n");
    options.models_dir = models.string();
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_state("fixed", "ready")) << daemon.log();

    json report = run({"doctor", "-c", daemon.config_file().string(), "--json"}).document();
    ASSERT_TRUE(report.is_object());
    auto listen = findings(report, "port", "127.0.0.1:" + std::to_string(daemon.port()));
    ASSERT_EQ(listen.size(), 1u) << report.dump(2);
    EXPECT_EQ(listen[0]["status"], "ok");
    EXPECT_NE(listen[0]["message"].get<std::string>().find("in use by this config's running ggufd"), std::string::npos);
    auto fixed = findings(report, "port", "127.0.0.1:" + std::to_string(fixed_port));
    ASSERT_EQ(fixed.size(), 1u) << report.dump(2);
    EXPECT_EQ(fixed[0]["status"], "ok") << fixed[0].dump();
    EXPECT_NE(fixed[0]["message"].get<std::string>().find("in use by that service"), std::string::npos);
    EXPECT_EQ(report["ok"], true) << report.dump(2);
}

TEST_F(DoctorTest, ModelsListsMetadataEstimatesAndMalformedFiles) {
    write_tiny("tiny.gguf");
    ggufd::gguf::TinyLlamaSpec wider;
    wider.embedding = 128;
    wider.layers = 3;
    wider.weight_type = ggufd::gguf::GgmlType::Q8_0;
    wider.context = 4096;
    write_tiny("wider.gguf", wider);
    dir.write("models/notes.gguf", "these are my notes, not a model\n");
    auto config = write_config("");

    auto table = run({"models", "-c", config.string()});
    EXPECT_EQ(table.exit_code, 0) << table.output;
    EXPECT_NE(table.output.find("NAME   ARCH   PARAMS  QUANT  CTX   LAYERS  SIZE"), std::string::npos) << table.output;
    EXPECT_NE(table.output.find("on CPU"), std::string::npos) << table.output;
    EXPECT_NE(table.output.find("not usable as they are:\n  notes: "), std::string::npos) << table.output;

    auto result = run({"models", "-c", config.string(), "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    json listing = result.document();
    ASSERT_TRUE(listing.is_object()) << result.output;
    ASSERT_EQ(listing["models"].size(), 3u) << listing.dump(2);
    std::map<std::string, json> by_name;
    for (const auto& model : listing["models"]) by_name[model["name"]] = model;
    EXPECT_EQ(by_name["wider"]["quantization"], "Q8_0");
    EXPECT_EQ(by_name["wider"]["layers"], 3);
    EXPECT_EQ(by_name["wider"]["context_length"], 4096);
    EXPECT_EQ(by_name["wider"]["where"], "CPU");
    EXPECT_GT(by_name["wider"]["estimate"]["host_bytes"].get<uint64_t>(),
              by_name["tiny"]["estimate"]["host_bytes"].get<uint64_t>());
    EXPECT_TRUE(by_name["notes"]["architecture"].is_null());
    EXPECT_NE(by_name["notes"]["error"].get<std::string>().find("not a GGUF file"), std::string::npos);
}

// A stand-in nvidia-smi first on PATH prints what the project's H100 machine printed
// (tests/fixtures/gpu/nvidia-h100/nvidia-smi.out), so discovery finds that GPU.
TEST_F(DoctorTest, OnAGpuTheModelMustFitTheBudget) {
    std::filesystem::create_directories(dir.path() / "bin");
    auto smi = dir.write("bin/nvidia-smi",
                         "#!/bin/sh\necho '0, NVIDIA H100 80GB HBM3, GPU-7e754ec4-d467-2940-009a-e75f7623e20c, "
                         "00000000:00:06.0, 81559, 0, 81079'\n");
    ::chmod(smi.c_str(), 0755);
    const char* path = std::getenv("PATH");
    env["PATH"] = (dir.path() / "bin").string() + ":" + (path ? path : "/usr/bin:/bin");
    write_tiny("tiny.gguf");
    auto config = write_config("[memory]\nbudget = { \"0\" = \"100MiB\" }\n");

    auto result = run({"doctor", "-c", config.string(), "--json"});
    EXPECT_EQ(result.exit_code, kProblems) << result.output;
    json report = result.document();
    auto gpu = findings(report, "gpu", "NVIDIA GPU 0");
    ASSERT_EQ(gpu.size(), 1u) << report.dump(2);
    EXPECT_NE(gpu[0]["message"].get<std::string>().find("NVIDIA H100 80GB HBM3, discrete, 79.6 GiB"), std::string::npos)
        << gpu[0];
    auto tiny = findings(report, "model", "tiny");
    ASSERT_EQ(tiny.size(), 1u) << report.dump(2);
    EXPECT_EQ(tiny[0]["status"], "problem");
    EXPECT_NE(tiny[0]["message"].get<std::string>().find("on GPU 0 but the budget there is 100.0 MiB"),
              std::string::npos)
        << tiny[0];
    // The CPU build of llama-server cannot use that GPU, and doctor says so.
    EXPECT_TRUE(has_status(findings(report, "llama-server", llama_server), "warning")) << report.dump(2);

    json listing = run({"models", "-c", config.string(), "--json"}).document();
    ASSERT_EQ(listing["models"].size(), 1u) << listing.dump(2);
    EXPECT_EQ(listing["models"][0]["where"], "GPU 0");
    EXPECT_EQ(listing["models"][0]["fit"], "too_big");
    EXPECT_EQ(listing["models"][0]["budget_bytes"], 100 << 20);
}

}  // namespace
