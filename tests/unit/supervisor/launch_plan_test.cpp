// build_launch_plan as a specification (docs/CONFIG.md, docs/GPU-DISCOVERY.md): the exact argv a
// child gets from a service's settings or from its own command, and its environment, where the
// GPU part's masking variables override the service's env, which overrides the daemon's.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "launch_plan.h"

namespace ggufd::supervisor {
namespace {

using Strings = std::vector<std::string>;

config::ServiceConfig service(const std::string& name = "gemma") {
    config::ServiceConfig s;
    s.name = name;
    s.model = "/data/gguf/Gemma3-4B-Q4_K_M.gguf";
    return s;
}

using Variables = std::vector<std::pair<std::string, std::string>>;

// The masking variables come from the GPU part (gpu/mask.h); here they are whatever it decided.
LaunchPlan plan(const config::ServiceConfig& s, std::vector<int> devices = {0}, Strings inherited = {},
                Variables masking = {}) {
    LaunchInputs inputs;
    inputs.service = &s;
    inputs.llama_server = "/opt/llama.cpp/llama-server";
    inputs.port = 2007;
    inputs.gpus.devices = std::move(devices);
    inputs.gpus.environment = std::move(masking);
    inputs.inherited_env = std::move(inherited);
    return build_launch_plan(inputs);
}

// The value after `flag` in argv, or "<absent>".
std::string flag_value(const Strings& argv, std::string_view flag) {
    auto it = std::find(argv.begin(), argv.end(), flag);
    if (it == argv.end() || it + 1 == argv.end()) return "<absent>";
    return *(it + 1);
}

// Every entry of `env` for `name`, as the values they set.
Strings env_values(const Strings& env, const std::string& name) {
    Strings found;
    for (const auto& entry : env) {
        if (entry.starts_with(name + "=")) found.push_back(entry.substr(name.size() + 1));
    }
    return found;
}

TEST(LaunchPlan, EverySettingMapsToItsLlamaServerFlag) {
    config::ServiceConfig s = service();
    s.ctx_size = 8192;
    s.n_gpu_layers = 20;
    s.parallel = 4;
    s.mmproj = "/data/gguf/mmproj-gemma3.gguf";
    s.args = {"--jinja", "--flash-attn", "on"};
    LaunchPlan p = plan(s);
    EXPECT_EQ(p.argv, (Strings{"/opt/llama.cpp/llama-server", "--host", "127.0.0.1", "--port", "2007", "--model",
                               "/data/gguf/Gemma3-4B-Q4_K_M.gguf", "--ctx-size", "8192", "--n-gpu-layers", "20",
                               "--parallel", "4", "--alias", "gemma", "--mmproj", "/data/gguf/mmproj-gemma3.gguf",
                               "--jinja", "--flash-attn", "on"}));
    EXPECT_EQ(p.executable, "/opt/llama.cpp/llama-server");
}

TEST(LaunchPlan, UnsetSettingsLeaveLlamaServersDefaults) {
    LaunchPlan p = plan(service());
    EXPECT_EQ(p.argv, (Strings{"/opt/llama.cpp/llama-server", "--host", "127.0.0.1", "--port", "2007", "--model",
                               "/data/gguf/Gemma3-4B-Q4_K_M.gguf", "--n-gpu-layers", "all", "--alias", "gemma"}));
    EXPECT_TRUE(p.cpu_affinity.empty());
}

TEST(LaunchPlan, GpuLayers) {
    config::ServiceConfig s = service();
    s.n_gpu_layers = -1;
    EXPECT_EQ(flag_value(plan(s).argv, "--n-gpu-layers"), "all");
    s.n_gpu_layers = 0;
    EXPECT_EQ(flag_value(plan(s).argv, "--n-gpu-layers"), "0");
    s.n_gpu_layers = 33;
    EXPECT_EQ(flag_value(plan(s, {0, 1}).argv, "--n-gpu-layers"), "33");
    EXPECT_EQ(flag_value(plan(s, {}).argv, "--device"), "none") << "CPU only: nothing can be offloaded";
    EXPECT_EQ(flag_value(plan(s, {}).argv, "--n-gpu-layers"), "<absent>")
        << "-ngl on a server without a usable GPU prints three warnings";
    s.n_gpu_layers = -1;
    EXPECT_EQ(flag_value(plan(s, {}).argv, "--device"), "none");
    EXPECT_EQ(flag_value(plan(s).argv, "--device"), "<absent>") << "with a GPU, llama-server picks the visible ones";
}

TEST(LaunchPlan, AliasIsTheServiceName) {
    config::ServiceConfig s = service("qwen2.5-7b");
    s.aliases = {"qwen", "default"};
    LaunchPlan p = plan(s);
    EXPECT_EQ(flag_value(p.argv, "--alias"), "qwen2.5-7b");
    EXPECT_EQ(std::count(p.argv.begin(), p.argv.end(), "--alias"), 1);
}

TEST(LaunchPlan, AFullCommandIsTakenAsWrittenWithItsPlaceholdersFilled) {
    config::ServiceConfig s = service("bitnet-dlm");
    s.model = "/data/gguf/bitnet-2b.gguf";
    s.command = {"/opt/dlm/dlm_server", "--model-path", "{model}", "--port", "{port}",
                 "--url=http://127.0.0.1:{port}/v1?m={model}&p={port}", "{PORT}", "{ port }"};
    s.args = {"--threads", "8"};
    s.ctx_size = 4096;
    LaunchPlan p = plan(s);
    EXPECT_EQ(p.argv, (Strings{"/opt/dlm/dlm_server", "--model-path", "/data/gguf/bitnet-2b.gguf", "--port", "2007",
                               "--url=http://127.0.0.1:2007/v1?m=/data/gguf/bitnet-2b.gguf&p=2007", "{PORT}",
                               "{ port }"}))
        << "neither llama-server flags nor `args` are added to someone else's server";
    EXPECT_EQ(p.executable, "/opt/dlm/dlm_server");
}

TEST(LaunchPlan, PlaceholderTextInsideSubstitutedValuesIsLeftAlone) {
    config::ServiceConfig s = service();
    s.model = "/models/{model}/{port}.gguf";
    s.command = {"server", "{model}"};
    EXPECT_EQ(plan(s).argv, (Strings{"server", "/models/{model}/{port}.gguf"}));
}

TEST(LaunchPlan, EnvironmentPrecedenceDaemonThenServiceThenGpuMask) {
    config::ServiceConfig s = service();
    s.env = {{"FOO", "service"}, {"HIP_VISIBLE_DEVICES", "5"}, {"TORCH_ROCM_AOTRITON_ENABLE_EXPERIMENTAL", "1"}};
    LaunchPlan p = plan(s, {1},
                        {"PATH=/usr/bin:/bin", "FOO=daemon", "HIP_VISIBLE_DEVICES=3", "CUDA_VISIBLE_DEVICES=7",
                         "EMPTY=", "WITH_EQUALS=a=b"},
                        {{"HIP_VISIBLE_DEVICES", "1"}, {"CUDA_VISIBLE_DEVICES", "1"}});
    EXPECT_EQ(env_values(p.env, "PATH"), Strings{"/usr/bin:/bin"});
    EXPECT_EQ(env_values(p.env, "FOO"), Strings{"service"}) << "the service's env overrides the daemon's";
    EXPECT_EQ(env_values(p.env, "TORCH_ROCM_AOTRITON_ENABLE_EXPERIMENTAL"), Strings{"1"});
    EXPECT_EQ(env_values(p.env, "HIP_VISIBLE_DEVICES"), Strings{"1"}) << "GPU masking overrides both";
    EXPECT_EQ(env_values(p.env, "CUDA_VISIBLE_DEVICES"), Strings{"1"});
    EXPECT_EQ(env_values(p.env, "EMPTY"), Strings{""});
    EXPECT_EQ(env_values(p.env, "WITH_EQUALS"), Strings{"a=b"});
    EXPECT_EQ(p.env.size(), 7u) << "each variable exactly once";
}

TEST(LaunchPlan, MalformedInheritedEntriesAreSkipped) {
    LaunchPlan p = plan(service(), {0}, {"NOEQUALS", "=nameless", "OK=1"});
    EXPECT_EQ(env_values(p.env, "OK"), Strings{"1"});
    for (const auto& entry : p.env) {
        EXPECT_NE(entry, "NOEQUALS");
        EXPECT_FALSE(entry.starts_with("=")) << entry;
    }
}

TEST(LaunchPlan, CpuAffinityIsParsed) {
    config::ServiceConfig s = service();
    s.cpu_affinity = "0-3,8";
    EXPECT_EQ(plan(s).cpu_affinity, (std::vector<int>{0, 1, 2, 3, 8}));
}

TEST(LaunchPlan, CpuOnlyMaskingHidesEveryDevice) {
    LaunchPlan p = plan(service(), {}, {"HIP_VISIBLE_DEVICES=0"},
                        {{"HIP_VISIBLE_DEVICES", "-1"}, {"CUDA_VISIBLE_DEVICES", "-1"}});
    EXPECT_EQ(env_values(p.env, "HIP_VISIBLE_DEVICES"), Strings{"-1"});
    EXPECT_EQ(env_values(p.env, "CUDA_VISIBLE_DEVICES"), Strings{"-1"});
    EXPECT_EQ(flag_value(p.argv, "--device"), "none");
}

TEST(LaunchPlan, SystemdsVariablesStayWithTheDaemon) {
    LaunchPlan p = plan(service(), {0},
                        {"PATH=/usr/bin", "NOTIFY_SOCKET=/run/user/1000/systemd/notify", "WATCHDOG_USEC=2000000",
                         "WATCHDOG_PID=41", "LISTEN_FDS=1", "LISTEN_PID=41", "LISTEN_FDNAMES=door", "NOTIFY=x"});
    EXPECT_EQ(p.env, (Strings{"PATH=/usr/bin", "NOTIFY=x"}))
        << "a child that saw NOTIFY_SOCKET could tell systemd that ggufd is ready or stopping";
}

TEST(CpuList, TasksetForms) {
    EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
    EXPECT_EQ(parse_cpu_list("0-3"), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(parse_cpu_list("0-1,4,6-7"), (std::vector<int>{0, 1, 4, 6, 7}));
    EXPECT_EQ(parse_cpu_list("5-5"), (std::vector<int>{5}));
    EXPECT_EQ(parse_cpu_list("4095").size(), 1u);
}

// The header's contract: "Returns an empty vector for malformed text". The config rejects the
// same texts (config::cpu_list_problem); the two must agree.
TEST(CpuList, MalformedTextGivesNothing) {
    for (const char* bad : {"", ",", "0-", "-3", "7-0", "0,,1", "a", "99999999999"}) {
        EXPECT_TRUE(parse_cpu_list(bad).empty()) << "\"" << bad << "\"";
    }
    for (const char* bad : {"0-7,", "1x", "0-3-5", "0-3x", " 1", "+1"}) {
        EXPECT_TRUE(parse_cpu_list(bad).empty()) << "\"" << bad << "\" was partly parsed";
    }
}

}  // namespace
}  // namespace ggufd::supervisor
