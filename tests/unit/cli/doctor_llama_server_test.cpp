// Doctor's look at llama-server: parsing what it prints, and the verdicts on a missing, broken,
// old, flag-lacking or GPU-blind binary. Command outputs are scripted; real ones are quoted from
// llama.cpp b10472 (../shared/llama.cpp).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <map>

#include "doctor_llama_server.h"
#include "temp_dir.h"

namespace ggufd::cli {
namespace {

using gpu::CommandResult;

constexpr const char* kVersionOutput = "version: 10472 (d32676d)\nbuilt with GNU 12.2.0 for Linux x86_64\n";

// Excerpts of b10472's --help, with the layout (flag column, indented continuation lines) intact.
constexpr const char* kHelp =
    "-c,    --ctx-size N                     size of the prompt context (default: 0, 0 = loaded from model)\n"
    "                                        (env: LLAMA_ARG_CTX_SIZE)\n"
    "-ngl,  --gpu-layers, --n-gpu-layers N   max. number of layers to store in VRAM, either an exact number,\n"
    "                                        'auto', or 'all' (default: auto)\n"
    "                                        (env: LLAMA_ARG_N_GPU_LAYERS)\n"
    "-sm,   --split-mode {none,layer,row,tensor}\n"
    "-m,    --model FNAME                    model path to load\n"
    "-mu,   --model-url MODEL_URL            model download url (default: unused)\n"
    "-mm,   --mmproj FILE                    path to a multimodal projector file. see tools/mtmd/README.md\n"
    "-a,    --alias STRING                   set model name aliases, comma-separated (to be used by API)\n"
    "-dev,  --device <dev1,dev2,..>          comma-separated list of devices to use for offloading (none = don't\n"
    "                                        offload)\n"
    "--host HOST                             ip address to listen, or bind to an UNIX socket if the address ends\n"
    "--port PORT                             port to listen (default: 8080)\n";

// An older build's wording: a number only.
constexpr const char* kOldHelp =
    "-ngl,  --gpu-layers, --n-gpu-layers N   number of layers to store in VRAM\n"
    "-m,    --model FNAME                    model path (default: `models/$filename`)\n"
    "--host HOST                             ip address to listen (default: 127.0.0.1)\n"
    "--port PORT                             port to listen (default: 8080)\n";

CommandResult exited(int code, std::string out, std::string err = "") {
    CommandResult result;
    result.exit_code = code;
    result.out = std::move(out);
    result.err = std::move(err);
    return result;
}

// Answers each llama-server flag with a scripted result, and remembers what was run.
class ScriptedRunner : public gpu::CommandRunner {
public:
    std::map<std::string, CommandResult> answers;
    mutable std::vector<std::string> asked;

    CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds) const override {
        asked.push_back(argv.at(1));
        auto it = answers.find(argv.at(1));
        return it == answers.end() ? exited(1, "", "error: invalid argument: " + argv.at(1)) : it->second;
    }
};

LlamaServerProbe probe_with(std::optional<CommandResult> version, std::optional<CommandResult> help,
                            std::optional<CommandResult> devices) {
    LlamaServerProbe probe;
    probe.configured = "llama-server";
    probe.path = "/usr/local/bin/llama-server";
    probe.found_on_path = true;
    probe.version = std::move(version);
    probe.help = std::move(help);
    probe.devices = std::move(devices);
    return probe;
}

LlamaServerProbe healthy_probe() {
    return probe_with(exited(0, "", kVersionOutput), exited(0, kHelp),
                      exited(0, "Available devices:\n  CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)\n"));
}

const Finding* with_severity(const std::vector<Finding>& findings, Severity severity) {
    for (const Finding& f : findings) {
        if (f.severity == severity) return &f;
    }
    return nullptr;
}

TEST(ParseBuildNumber, FromVersionOutput) {
    EXPECT_EQ(parse_build_number(kVersionOutput), 10472);
    EXPECT_EQ(parse_build_number("ggml_cuda_init: found 1 CUDA devices:\nversion: 9749 (abc)\n"), 9749);
    EXPECT_EQ(parse_build_number("llama-server 1.0\n"), std::nullopt);
    EXPECT_EQ(parse_build_number("version: unknown\n"), std::nullopt);
}

TEST(MissingFlags, NoneInARecentHelp) {
    EXPECT_TRUE(missing_flags(kHelp, required_flags({true, true, {}, true})).empty());
}

TEST(MissingFlags, WholeNamesOnly) {
    // --model-url does not count as --model, nor --aliases as --alias.
    EXPECT_EQ(missing_flags("-mu, --model-url URL  download\n--aliases A\n", {"--model", "--alias"}),
              (std::vector<std::string>{"--model", "--alias"}));
}

TEST(MissingFlags, AnOldBuildLacksAliasAndAllLayers) {
    EXPECT_EQ(missing_flags(kOldHelp, required_flags({true, false, {}})),
              (std::vector<std::string>{"--alias", "--n-gpu-layers all"}));
}

TEST(MissingFlags, MmprojOnlyWhenAServiceHasAProjector) {
    EXPECT_EQ(required_flags({true, false, {}}).size() + 1, required_flags({true, true, {}}).size());
    EXPECT_EQ(missing_flags(kOldHelp, {"--mmproj"}), std::vector<std::string>{"--mmproj"});
}

TEST(MissingFlags, DeviceOnlyWhenAServiceRunsOnTheCpu) {
    LlamaServerNeeds cpu_only;
    cpu_only.cpu_only = true;
    EXPECT_EQ(required_flags({}).size() + 1, required_flags(cpu_only).size());
    EXPECT_EQ(missing_flags(kOldHelp, required_flags(cpu_only)),
              (std::vector<std::string>{"--alias", "--n-gpu-layers all", "--device"}));
}

TEST(ParseDeviceList, GpuBuildCpuBuildAndNoList) {
    EXPECT_EQ(parse_device_list("Available devices:\n  CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)\n"
                                "  CUDA1: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)\n"),
              (std::vector<std::string>{"CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)",
                                        "CUDA1: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)"}));
    EXPECT_EQ(parse_device_list("Available devices:\n  (none)\n"), std::vector<std::string>{});
    EXPECT_EQ(parse_device_list("error: invalid argument: --list-devices\n"), std::nullopt);
    // Log lines after the list are not devices.
    EXPECT_EQ(parse_device_list("Available devices:\n  ROCm0: AMD Radeon RX 7800 XT (16368 MiB, 15000 MiB free)\n"
                                "main: exiting\n"),
              std::vector<std::string>{"ROCm0: AMD Radeon RX 7800 XT (16368 MiB, 15000 MiB free)"});
}

TEST(CheckLlamaServer, AHealthyGpuBuildIsAllOk) {
    auto findings = check_llama_server(healthy_probe(), {true, false, {"GPU 0 (NVIDIA H100)"}});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[0].message, "build 10472 (found on PATH)");
    EXPECT_EQ(findings[0].subject, "/usr/local/bin/llama-server");
    EXPECT_EQ(findings[1].severity, Severity::ok);
    EXPECT_EQ(findings[1].message, "sees CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)");
}

TEST(CheckLlamaServer, NotFoundIsAProblemThatSaysWhereToSetIt) {
    LlamaServerProbe probe;
    probe.configured = "llama-server";
    auto findings = check_llama_server(probe, {});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_EQ(findings[0].message, "\"llama-server\" was not found on PATH");
    EXPECT_NE(findings[0].action.find("GGUFD_LLAMA_SERVER"), std::string::npos);

    probe.configured = "/opt/llama/llama-server";
    EXPECT_NE(check_llama_server(probe, {})[0].message.find("does not exist or is not an executable"), std::string::npos);
}

TEST(CheckLlamaServer, NotFoundIsOnlyInfoWhenEveryServiceRunsItsOwnCommand) {
    LlamaServerProbe probe;
    probe.configured = "llama-server";
    LlamaServerNeeds needs;
    needs.used = false;
    EXPECT_EQ(check_llama_server(probe, needs).at(0).severity, Severity::info);
}

TEST(CheckLlamaServer, ABinaryThatCannotRunQuotesItsLastWords) {
    CommandResult broken = exited(127, "", "./llama-server: error while loading shared libraries: libcudart.so.13: "
                                           "cannot open shared object file: No such file or directory\n");
    auto findings = check_llama_server(probe_with(broken, std::nullopt, std::nullopt), {});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_NE(findings[0].message.find("exited with code 127 (./llama-server: error while loading shared libraries"),
              std::string::npos)
        << findings[0].message;
    EXPECT_NE(findings[0].action.find("--version` by hand"), std::string::npos);
}

TEST(CheckLlamaServer, AHungBinaryIsAProblem) {
    CommandResult hung;
    hung.status = CommandResult::Status::timed_out;
    auto findings = check_llama_server(probe_with(hung, std::nullopt, std::nullopt), {});
    EXPECT_EQ(findings.at(0).severity, Severity::problem);
    EXPECT_NE(findings[0].message.find("did not finish within 10 s"), std::string::npos);
}

TEST(CheckLlamaServer, AnOldBuildWithoutTheFlagsIsAProblem) {
    auto findings = check_llama_server(probe_with(exited(0, "", "version: 3000 (abc)\n"), exited(0, kOldHelp),
                                                  exited(1, "", "error: invalid argument: --list-devices")),
                                       {});
    const Finding* old = with_severity(findings, Severity::warning);
    ASSERT_TRUE(old);
    EXPECT_NE(old->message.find("build 3000"), std::string::npos);
    const Finding* flags = with_severity(findings, Severity::problem);
    ASSERT_TRUE(flags);
    EXPECT_EQ(flags->message, "does not accept --alias, --n-gpu-layers all, which ggufd passes to llama-server");
    EXPECT_NE(flags->action.find("b10472"), std::string::npos);
    EXPECT_TRUE(with_severity(findings, Severity::info));  // the device list could not be read
}

TEST(CheckLlamaServer, NoBuildNumberIsAWarning) {
    auto findings = check_llama_server(probe_with(exited(0, "my-server 2.0\n"), exited(0, kHelp), std::nullopt), {});
    EXPECT_EQ(findings.at(0).severity, Severity::warning);
    EXPECT_NE(findings[0].message.find("my-server 2.0"), std::string::npos);
}

TEST(CheckLlamaServer, ACpuBuildOnAGpuMachineIsAWarning) {
    auto probe = healthy_probe();
    probe.devices = exited(0, "Available devices:\n  (none)\n");
    auto findings = check_llama_server(probe, {true, false, {"GPU 0 (AMD Radeon RX 7800 XT)"}});
    const Finding* blind = with_severity(findings, Severity::warning);
    ASSERT_TRUE(blind);
    EXPECT_EQ(blind->message,
              "sees no GPU, yet services would be given GPU 0 (AMD Radeon RX 7800 XT): every model will run on the CPU");
    EXPECT_NE(blind->action.find("--list-devices"), std::string::npos);

    // Without GPUs in use the same answer is fine.
    findings = check_llama_server(probe, {});
    EXPECT_FALSE(with_severity(findings, Severity::warning));
}

TEST(CheckLlamaServer, TheCudaRuntimesOwnDeviceLinesOnStderrAreNotTheList) {
    auto probe = healthy_probe();
    probe.devices = exited(0, "Available devices:\n  CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)\n",
                           "ggml_cuda_init: found 1 CUDA devices:\n"
                           "  Device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes\n");
    auto findings = check_llama_server(probe, {});
    EXPECT_EQ(findings.at(1).message, "sees CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB free)");
}

TEST(ProbeLlamaServer, RunsTheThreeQuestionsOnlyWhenVersionWorks) {
    ggufd::test::TempDir dir;
    auto binary = dir.write("llama-server", "#!/bin/sh\n");
    ::chmod(binary.c_str(), 0755);

    ScriptedRunner runner;
    runner.answers["--version"] = exited(0, "", kVersionOutput);
    runner.answers["--help"] = exited(0, kHelp);
    runner.answers["--list-devices"] = exited(0, "Available devices:\n  (none)\n");
    LlamaServerProbe probe = probe_llama_server(binary.string(), runner);
    EXPECT_EQ(probe.path, binary.string());
    EXPECT_FALSE(probe.found_on_path);
    EXPECT_EQ(runner.asked, (std::vector<std::string>{"--version", "--help", "--list-devices"}));

    runner.asked.clear();
    runner.answers["--version"] = exited(1, "");
    probe = probe_llama_server(binary.string(), runner);
    EXPECT_EQ(runner.asked, std::vector<std::string>{"--version"});
    EXPECT_FALSE(probe.help);
}

TEST(FindExecutable, SearchesThePathListForAnExecutableFile) {
    ggufd::test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "a");
    std::filesystem::create_directories(dir.path() / "b");
    auto not_executable = dir.write("a/llama-server", "");
    auto executable = dir.write("b/llama-server", "#!/bin/sh\n");
    ::chmod(not_executable.c_str(), 0644);
    ::chmod(executable.c_str(), 0755);
    std::filesystem::create_directories(dir.path() / "c/llama-server");  // a directory is no program

    const std::string a = (dir.path() / "a").string(), b = (dir.path() / "b").string(), c = (dir.path() / "c").string();
    EXPECT_EQ(find_executable("llama-server", c + ":" + a + ":" + b), executable.string());
    EXPECT_EQ(find_executable("llama-server", a + ":" + c), std::nullopt);
    EXPECT_EQ(find_executable(executable.string(), ""), executable.string());
    EXPECT_EQ(find_executable(not_executable.string(), b), std::nullopt);
    EXPECT_EQ(find_executable("", b), std::nullopt);
}

}  // namespace
}  // namespace ggufd::cli
