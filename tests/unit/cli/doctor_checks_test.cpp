// Doctor's verdicts on the config, the GPUs and the ports, from injected facts.
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "doctor_checks.h"
#include "temp_dir.h"

namespace ggufd::cli {
namespace {

using namespace test;

LoadedConfig load(const std::string& toml, const std::filesystem::path& models_dir) {
    config::Environment env;
    env.home = "/home/tester";
    env.ggufd_models_dir = models_dir.string();
    return {config::load_string(toml, "/etc/ggufd/ggufd.toml", env), "/etc/ggufd/ggufd.toml"};
}

TEST(CheckConfig, EveryErrorIsAProblemWithItsLine) {
    ggufd::test::TempDir models;
    auto findings = check_config(load("listen = \"nowhere\"\n[services.a]\nport = 70000\nmodel = \"/m/a.gguf\"\n", models.path()));
    ASSERT_GE(findings.size(), 2u);
    for (const Finding& f : findings) {
        EXPECT_EQ(f.severity, Severity::problem) << f.message;
        EXPECT_EQ(f.area, "config");
        EXPECT_FALSE(f.action.empty());
    }
    EXPECT_EQ(findings[0].subject, "/etc/ggufd/ggufd.toml:1");
    EXPECT_EQ(findings[0].message.rfind("listen: ", 0), 0u) << findings[0].message;
}

TEST(CheckConfig, AValidConfigCountsConfiguredAndDiscoveredServices) {
    ggufd::test::TempDir models;
    models.write("one.gguf", "x");
    models.write("two.gguf", "x");
    auto findings = check_config(load("[services.a]\nmodel = \"/m/a.gguf\"\n", models.path()));
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[0].message, "valid: 1 configured service(s), 2 discovered in " + models.path().string());
}

TEST(CheckConfig, NothingToServeIsAWarningAndAMissingModelsDirToo) {
    auto findings = check_config(load("", "/nonexistent/models"));
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].severity, Severity::warning);
    EXPECT_NE(findings[0].message.find("/nonexistent/models does not exist"), std::string::npos) << findings[0].message;
    EXPECT_EQ(findings[1].severity, Severity::warning);
    EXPECT_NE(findings[1].message.find("nothing to serve"), std::string::npos);
    EXPECT_NE(findings[1].action.find("/nonexistent/models"), std::string::npos);
}

gpu::Discovery machine(std::vector<gpu::Device> devices) {
    gpu::Discovery discovery;
    discovery.devices = std::move(devices);
    return discovery;
}

TEST(CheckGpus, NoGpuIsInfoWithAHint) {
    auto findings = check_gpus(machine({}), false);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::info);
    EXPECT_EQ(findings[0].message, "no GPUs found: every service runs on the CPU");
}

TEST(CheckGpus, DiscreteGpusWithTheirMemory) {
    auto findings = check_gpus(machine({nvidia(0, 80 * kGiB, "NVIDIA H100 80GB HBM3")}), false);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].subject, "NVIDIA GPU 0");
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[0].message, "NVIDIA H100 80GB HBM3, discrete, 80.0 GiB, 0 B in use");
}

TEST(CheckGpus, AnIntegratedGpuBesideADiscreteOneIsMaskedAndSaysHowToUseIt) {
    auto findings = check_gpus(machine({amd(0, false, 16 * kGiB, "gfx1101"), amd(1, true, 94 * kGiB, "gfx1036")}), true);
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[1].severity, Severity::info);
    EXPECT_NE(findings[1].message.find("(gfx1036), integrated"), std::string::npos) << findings[1].message;
    EXPECT_NE(findings[1].message.find("masked by default"), std::string::npos);
    EXPECT_NE(findings[1].action.find("gpus = [1]"), std::string::npos);
}

TEST(CheckGpus, TheOnlyGpuIsUsedEvenWhenIntegrated) {
    auto findings = check_gpus(machine({amd(0, true, 96 * kGiB, "gfx1151")}), true);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_NE(findings[0].message.find("used by default"), std::string::npos);
}

TEST(CheckGpus, GpuMemoryThatIsNotReportedIsSaidSo) {
    auto findings = check_gpus(machine({nvidia(0, std::nullopt, "NVIDIA GB10")}), false);
    EXPECT_NE(findings.at(0).message.find("memory not reported"), std::string::npos) << findings[0].message;
}

gpu::Discovery locked_kfd(bool with_amd_gpu) {
    gpu::Discovery discovery = machine({});
    if (with_amd_gpu) discovery.devices.push_back(amd(0, false, 16 * kGiB, "gfx1101"));
    discovery.kfd = {"/dev/kfd", true, false};
    discovery.notes.push_back({gpu::Note::Level::warning, "/dev/kfd exists but is not readable and writable by uid 1000: "
                                                          "add the user to the render and video groups"});
    discovery.notes.push_back({gpu::Note::Level::info, "nvidia-smi not found: no NVIDIA GPUs"});
    return discovery;
}

TEST(CheckGpus, ALockedKfdIsAProblemWhenAServiceNeedsTheAmdGpu) {
    auto findings = check_gpus(locked_kfd(true), true);
    ASSERT_EQ(findings.size(), 3u);  // the GPU, /dev/kfd, the nvidia note (the kfd note is not repeated)
    EXPECT_EQ(findings[1].subject, "/dev/kfd");
    EXPECT_EQ(findings[1].severity, Severity::problem);
    EXPECT_NE(findings[1].action.find("render and video groups"), std::string::npos);
    EXPECT_NE(findings[1].action.find("usermod -aG render,video"), std::string::npos);
    EXPECT_EQ(findings[2].severity, Severity::info);
    EXPECT_EQ(findings[2].message, "nvidia-smi not found: no NVIDIA GPUs");
}

TEST(CheckGpus, ALockedKfdIsAWarningWhenNoServiceNeedsIt) {
    auto findings = check_gpus(locked_kfd(false), false);
    bool seen = false;
    for (const Finding& f : findings) {
        if (f.subject != "/dev/kfd") continue;
        seen = true;
        EXPECT_EQ(f.severity, Severity::warning);
    }
    EXPECT_TRUE(seen);
}

AddressCheck address(std::string owner, uint16_t port, PortProbe probe, bool is_service = false) {
    AddressCheck check;
    check.owner = std::move(owner);
    check.is_service = is_service;
    check.host = "127.0.0.1";
    check.port = port;
    check.probe = std::move(probe);
    if (is_service) check.defined_at = {"/etc/ggufd/ggufd.toml", 7};
    return check;
}

const PortProbe kFree{};
const PortProbe kTaken{false, true, "listen on 127.0.0.1:8080: Address already in use"};

TEST(CheckPorts, FreeAddressesAreOk) {
    auto findings = check_ports({address("listen", 8080, kFree), address("gemma", 2007, kFree, true)}, {}, "/c.toml");
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].subject, "127.0.0.1:8080");
    EXPECT_EQ(findings[0].message, "listen: free");
    EXPECT_EQ(findings[1].message, "port of service \"gemma\": free");
    EXPECT_EQ(findings[1].severity, Severity::ok);
}

TEST(CheckPorts, TakenByAnotherProgramIsAProblemThatSaysHowToFindIt) {
    auto findings = check_ports({address("listen", 8080, kTaken), address("gemma", 2007, kTaken, true)}, {}, "/c.toml");
    EXPECT_EQ(findings[0].severity, Severity::problem);
    EXPECT_EQ(findings[0].message, "listen: in use by another program: ggufd could not listen there");
    EXPECT_NE(findings[0].action.find("ss -ltnp 'sport = :8080'"), std::string::npos);
    EXPECT_NE(findings[0].action.find("change listen in /c.toml"), std::string::npos);
    EXPECT_EQ(findings[1].severity, Severity::problem);
    EXPECT_NE(findings[1].action.find("change port in /etc/ggufd/ggufd.toml:7"), std::string::npos) << findings[1].action;
}

TEST(CheckPorts, TakenByThisConfigsRunningGgufdIsFine) {
    RunningGgufd running{true, {{2007, "gemma"}}};
    auto findings = check_ports({address("listen", 8080, kTaken), address("admin_listen", 8081, kTaken),
                                 address("gemma", 2007, kTaken, true)},
                                running, "/c.toml");
    EXPECT_EQ(findings[0].severity, Severity::ok);
    EXPECT_EQ(findings[0].message, "listen: in use by this config's running ggufd (its /health answered)");
    EXPECT_EQ(findings[1].severity, Severity::ok);
    EXPECT_EQ(findings[2].severity, Severity::ok);
    EXPECT_EQ(findings[2].message, "port of service \"gemma\": in use by that service, run by this config's running ggufd");
}

TEST(CheckPorts, AServicePortTakenWhileGgufdRunsIsAWarningUnlessItsOwnServiceHoldsIt) {
    auto unknown = check_ports({address("gemma", 2007, kTaken, true)}, RunningGgufd{true, {}}, "/c.toml");
    EXPECT_EQ(unknown[0].severity, Severity::warning);
    EXPECT_NE(unknown[0].message.find("not by one of its services that it reports"), std::string::npos);
    EXPECT_NE(unknown[0].action.find("ggufd status"), std::string::npos);
    auto other = check_ports({address("gemma", 2007, kTaken, true)}, RunningGgufd{true, {{2007, "qwen"}}}, "/c.toml");
    EXPECT_EQ(other[0].severity, Severity::warning);
    EXPECT_NE(other[0].message.find("by its service \"qwen\""), std::string::npos) << other[0].message;
}

TEST(CheckPorts, AnAddressThatCannotBeBoundForAnotherReason) {
    PortProbe foreign{false, false, "listen on 10.9.9.9:8080: Cannot assign requested address"};
    auto findings = check_ports({address("listen", 8080, foreign)}, {}, "/c.toml");
    EXPECT_EQ(findings.at(0).severity, Severity::problem);
    EXPECT_NE(findings[0].message.find("Cannot assign requested address"), std::string::npos);
    EXPECT_NE(findings[0].action.find("an address of this machine"), std::string::npos);
}

TEST(DescribeLocation, FileAndLineWhenKnown) {
    EXPECT_EQ(describe_location({"/c.toml", 3}), "/c.toml:3");
    EXPECT_EQ(describe_location({"/c.toml", 0}), "/c.toml");
    EXPECT_EQ(describe_location({}), "the config file");
}

}  // namespace
}  // namespace ggufd::cli
