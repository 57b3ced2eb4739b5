// Every key of the config file reaches its Config field, [defaults] are inherited, and the
// built-in defaults hold when the file says nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace ggufd::config::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

const Config& loaded(const LoadResult& result) {
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    EXPECT_TRUE(result.config.has_value());
    static const Config kNone;
    return result.config ? *result.config : kNone;
}
// A temporary LoadResult would die before its Config is read.
const Config& loaded(const LoadResult&&) = delete;

const ServiceConfig& service(const Config& config, const std::string& name) {
    for (const ServiceConfig& candidate : config.services) {
        if (candidate.name == name) return candidate;
    }
    ADD_FAILURE() << "no service " << name;
    static const ServiceConfig kNone;
    return kNone;
}

TEST(Settings, EveryTopLevelKeyIsRead) {
    Environment env;
    env.home = "/home/tester";
    auto result = load(R"(
listen = "0.0.0.0:9000"
admin_listen = "[::1]:9001"
llama_server = "/opt/llama/llama-server"
models_dir = ""
port_range = "3000-3010"
api_keys = ["k1", "k2"]
admin_api_keys = ["admin"]
max_body_size = "1MiB"
upstream_timeout = "2m"
drain_timeout = "0"
workers = 2
cors_origins = ["https://Chat.Example.com", "http://localhost:3000", "http://[::1]:8000"]
watch_models_dir = false

[memory]
reserve = "1GiB"
budget = { "0" = "15GiB", "1" = 1024 }
)", env);
    const Config& config = loaded(result);
    EXPECT_EQ(config.source_file, "/etc/ggufd/test.toml");
    EXPECT_EQ(config.listen.host, "0.0.0.0");
    EXPECT_EQ(config.listen.port, 9000);
    ASSERT_TRUE(config.admin_listen);
    EXPECT_EQ(config.admin_listen->host, "::1");
    EXPECT_EQ(config.admin_listen->port, 9001);
    EXPECT_EQ(config.llama_server, "/opt/llama/llama-server");
    EXPECT_EQ(config.models_dir, "");
    EXPECT_EQ(config.port_range_first, 3000);
    EXPECT_EQ(config.port_range_last, 3010);
    EXPECT_THAT(config.api_keys, ElementsAre("k1", "k2"));
    EXPECT_THAT(config.admin_api_keys, ElementsAre("admin"));
    EXPECT_EQ(config.max_body_bytes, 1u << 20);
    EXPECT_EQ(config.upstream_timeout, 2min);
    EXPECT_EQ(config.drain_timeout, 0ms);
    EXPECT_EQ(config.workers, 2);
    EXPECT_THAT(config.cors_origins, ElementsAre("https://chat.example.com", "http://localhost:3000", "http://[::1]:8000"))
        << "origins are compared as browsers send them: lowercase";
    EXPECT_FALSE(config.watch_models_dir);
    EXPECT_EQ(config.memory.reserve_bytes, 1ull << 30);
    EXPECT_THAT(config.memory.budget_bytes, ElementsAre(Pair(0, 15ull << 30), Pair(1, 1024u)));
    EXPECT_THAT(config.services, IsEmpty());
    EXPECT_THAT(result.warnings, IsEmpty()) << "api_keys are set, so 0.0.0.0 is fine";
}

TEST(Settings, EveryServiceKeyIsRead) {
    auto result = load(R"(
[services.gemma]
model = "/data/gemma.gguf"
mmproj = "/data/mmproj-gemma.gguf"
port = 2007
load = "lazy"
aliases = ["g", "default"]
args = ["--jinja", "--flash-attn", "on"]
env = { TORCH_ROCM_AOTRITON_ENABLE_EXPERIMENTAL = "1" }
gpus = [1, 0]
ctx_size = 8192
n_gpu_layers = 20
parallel = 4
cpu_affinity = "0-7,16"
command = ["/opt/server", "--port", "{port}", "--model", "{model}"]
health = "/healthz"
restart = "always"
restart_limit = 2
restart_window = "1h"
start_timeout = "90s"
stop_timeout = "0"
health_interval = "500ms"
health_timeout = "1s"
health_failures = 5
idle_unload = "10m"
memory = "6GiB"
)");
    const ServiceConfig& s = service(loaded(result), "gemma");
    EXPECT_EQ(s.defined_at.file, "/etc/ggufd/test.toml");
    EXPECT_EQ(s.defined_at.line, 2);
    EXPECT_FALSE(s.discovered);
    EXPECT_EQ(s.model, "/data/gemma.gguf");
    EXPECT_EQ(s.mmproj, std::filesystem::path("/data/mmproj-gemma.gguf"));
    EXPECT_EQ(s.port, 2007);
    EXPECT_EQ(s.load, LoadMode::lazy);
    EXPECT_THAT(s.aliases, ElementsAre("g", "default"));
    EXPECT_THAT(s.args, ElementsAre("--jinja", "--flash-attn", "on"));
    EXPECT_THAT(s.env, ElementsAre(Pair("TORCH_ROCM_AOTRITON_ENABLE_EXPERIMENTAL", "1")));
    ASSERT_TRUE(s.gpus);
    EXPECT_THAT(*s.gpus, ElementsAre(1, 0));
    EXPECT_EQ(s.ctx_size, 8192);
    EXPECT_EQ(s.n_gpu_layers, 20);
    EXPECT_EQ(s.parallel, 4);
    EXPECT_EQ(s.cpu_affinity, "0-7,16");
    EXPECT_THAT(s.command, ElementsAre("/opt/server", "--port", "{port}", "--model", "{model}"));
    EXPECT_EQ(s.health_path, "/healthz");
    EXPECT_EQ(s.restart, RestartPolicy::always);
    EXPECT_EQ(s.restart_limit, 2);
    EXPECT_EQ(s.restart_window, 1h);
    EXPECT_EQ(s.start_timeout, 90s);
    EXPECT_EQ(s.stop_timeout, 0ms);
    EXPECT_EQ(s.health_interval, 500ms);
    EXPECT_EQ(s.health_timeout, 1s);
    EXPECT_EQ(s.health_failures, 5);
    EXPECT_EQ(s.idle_unload, 10min);
    EXPECT_EQ(s.memory_bytes, 6ull << 30);
}

TEST(Settings, BuiltInDefaultsHoldWhenTheFileIsSilent) {
    auto result = load("[services.a]\nmodel = \"/m/a.gguf\"\n");
    const Config& config = loaded(result);
    EXPECT_EQ(config.listen.host, "127.0.0.1");
    EXPECT_EQ(config.listen.port, 8080);
    EXPECT_FALSE(config.admin_listen);
    EXPECT_EQ(config.llama_server, "llama-server");
    EXPECT_EQ(config.max_body_bytes, 64u << 20);
    EXPECT_THAT(config.cors_origins, ElementsAre("*")) << "any origin, as llama-server allows";
    EXPECT_TRUE(config.watch_models_dir) << "models dropped into models_dir are picked up on their own";
    const ServiceConfig& a = service(config, "a");
    EXPECT_EQ(a.load, LoadMode::eager) << "configured services start with the daemon";
    EXPECT_FALSE(a.gpus) << "no gpus key: the default mask (discrete GPUs)";
    EXPECT_FALSE(a.port);
    EXPECT_EQ(a.restart, RestartPolicy::on_failure);
    EXPECT_EQ(a.health_path, "/health");
    EXPECT_EQ(a.idle_unload, 0ms);
    EXPECT_EQ(a.n_gpu_layers, -1);
}

TEST(Settings, ServicesInheritDefaultsAndOverrideThem) {
    auto result = load(R"(
[defaults]
gpus = [0]
ctx_size = 4096
restart = "never"
idle_unload = "30m"
args = ["--jinja"]
env = { A = "from-defaults", B = "from-defaults" }
load = "lazy"

[services.plain]
model = "/m/plain.gguf"

[services.custom]
model = "/m/custom.gguf"
gpus = []
ctx_size = 2048
idle_unload = "never"
args = ["--no-webui"]
env = { B = "from-service", C = "from-service" }
load = "eager"
)");
    const Config& config = loaded(result);
    const ServiceConfig& plain = service(config, "plain");
    EXPECT_EQ(plain.gpus, std::vector<int>{0});
    EXPECT_EQ(plain.ctx_size, 4096);
    EXPECT_EQ(plain.restart, RestartPolicy::never);
    EXPECT_EQ(plain.idle_unload, 30min);
    EXPECT_THAT(plain.args, ElementsAre("--jinja"));
    EXPECT_EQ(plain.load, LoadMode::lazy);

    const ServiceConfig& custom = service(config, "custom");
    ASSERT_TRUE(custom.gpus);
    EXPECT_THAT(*custom.gpus, IsEmpty()) << "an empty list means CPU only, not 'inherit'";
    EXPECT_EQ(custom.ctx_size, 2048);
    EXPECT_EQ(custom.restart, RestartPolicy::never);
    EXPECT_EQ(custom.idle_unload, 0ms);
    EXPECT_THAT(custom.args, ElementsAre("--no-webui")) << "args replace the defaults' args";
    EXPECT_THAT(custom.env, ElementsAre(Pair("A", "from-defaults"), Pair("B", "from-service"), Pair("C", "from-service")))
        << "env is merged key by key";
    EXPECT_EQ(custom.load, LoadMode::eager);
}

TEST(Settings, ServicesKeepTheOrderOfTheFile) {
    auto result = load(R"(
[services.zeta]
model = "/m/z.gguf"
[services.alpha]
model = "/m/a.gguf"
[services."mid.dle"]
model = "/m/m.gguf"
)");
    const Config& config = loaded(result);
    ASSERT_EQ(config.services.size(), 3u);
    EXPECT_EQ(config.services[0].name, "zeta");
    EXPECT_EQ(config.services[1].name, "alpha");
    EXPECT_EQ(config.services[2].name, "mid.dle");
}

TEST(Settings, SizesAndDurationsAcceptTheirSpellings) {
    auto result = load(R"(
max_body_size = 1048576
[memory]
reserve = 0
[services.a]
model = "/m/a.gguf"
memory = "1.5GiB"
idle_unload = "0"
restart_window = "1h30m"
)");
    const Config& config = loaded(result);
    EXPECT_EQ(config.max_body_bytes, 1u << 20);
    EXPECT_EQ(config.memory.reserve_bytes, 0u);
    const ServiceConfig& a = service(config, "a");
    EXPECT_EQ(a.memory_bytes, 3ull << 29);
    EXPECT_EQ(a.idle_unload, 0ms);
    EXPECT_EQ(a.restart_window, 90min);
}

TEST(Settings, PathsExpandHomeAndAreRelativeToTheConfigFile) {
    Environment env = no_discovery();
    env.home = "/home/tester";
    auto result = load_string(R"(
llama_server = "./bin/llama-server"
[services.home]
model = "~/models/a.gguf"
[services.relative]
model = "models/../gguf/b.gguf"
mmproj = "~/proj.gguf"
)", "/srv/ggufd/ggufd.toml", env);
    const Config& config = loaded(result);
    EXPECT_EQ(config.llama_server, "/srv/ggufd/bin/llama-server");
    EXPECT_EQ(service(config, "home").model, "/home/tester/models/a.gguf");
    EXPECT_EQ(service(config, "relative").model, "/srv/ggufd/gguf/b.gguf");
    EXPECT_EQ(service(config, "relative").mmproj, std::filesystem::path("/home/tester/proj.gguf"));
}

TEST(Settings, ABareLlamaServerNameIsLeftForPathLookup) {
    auto result = load_string("llama_server = \"llama-server-rocm\"\n", "/srv/ggufd/ggufd.toml", no_discovery());
    EXPECT_EQ(loaded(result).llama_server, "llama-server-rocm");
}

TEST(Settings, CommandServicesNeedNoModel) {
    auto result = load(R"(
[services.vllm]
command = ["vllm", "serve", "--port", "{port}"]
[services.fixed]
command = ["/opt/server"]
port = 8000
)");
    const Config& config = loaded(result);
    EXPECT_TRUE(service(config, "vllm").model.empty());
    EXPECT_EQ(service(config, "fixed").port, 8000);
}

TEST(Settings, SameSettingsIgnoresWhatRunsNoDifferently) {
    ServiceConfig a;
    a.name = "vision";
    a.model = "/m/vision.gguf";
    ServiceConfig b = a;
    b.defined_at = {"/etc/ggufd/ggufd.toml", 12};
    b.projector_beside_model = false;  // `mmproj = false` where there is no projector anyway
    EXPECT_TRUE(same_settings(a, b));
    b.mmproj = "/m/mmproj-vision.gguf";
    EXPECT_FALSE(same_settings(a, b));
}

TEST(Settings, EnumNamesRoundTrip) {
    EXPECT_EQ(to_string(LoadMode::eager), "eager");
    EXPECT_EQ(to_string(LoadMode::lazy), "lazy");
    EXPECT_EQ(to_string(RestartPolicy::never), "never");
    EXPECT_EQ(to_string(RestartPolicy::on_failure), "on-failure");
    EXPECT_EQ(to_string(RestartPolicy::always), "always");
}

TEST(Settings, ErrorsRenderLikeCompilerDiagnostics) {
    EXPECT_EQ((ConfigError{"/etc/g.toml", 3, 8, "services.a.port", "bad"}).to_string(), "/etc/g.toml:3:8: services.a.port: bad");
    EXPECT_EQ((ConfigError{"/etc/g.toml", 0, 0, "", "cannot read"}).to_string(), "/etc/g.toml: cannot read");
    EXPECT_EQ((ConfigError{"", 0, 0, "GGUFD_MODELS_DIR", "bad"}).to_string(), "GGUFD_MODELS_DIR: bad");
}

// The front door's per-client bounds (docs/LIMITS.md), in a block of their own.
TEST(Settings, FrontDoorLimitsAreRead) {
    auto result = load(R"(
header_timeout = "10s"
body_timeout = "1m"
keepalive_timeout = "5s"
send_timeout = "30s"
max_connections = 64
admin_origins = ["http://localhost:3000", "https://admin.example:8443"]
forward_credentials = true
)");
    const Config& config = loaded(result);
    EXPECT_EQ(config.header_timeout, 10s);
    EXPECT_EQ(config.body_timeout, 1min);
    EXPECT_EQ(config.keepalive_timeout, 5s);
    EXPECT_EQ(config.send_timeout, 30s);
    EXPECT_EQ(config.max_connections, 64);
    EXPECT_THAT(config.admin_origins, ElementsAre("http://localhost:3000", "https://admin.example:8443"));
    EXPECT_TRUE(config.forward_credentials);
}

TEST(Settings, FrontDoorLimitsDefaultToNginxLikeValues) {
    const LoadResult result = load("");
    const Config& config = loaded(result);
    EXPECT_EQ(config.header_timeout, 60s) << "nginx's client_header_timeout";
    EXPECT_EQ(config.body_timeout, 5min) << "64 MiB at 1.8 Mbit/s";
    EXPECT_EQ(config.keepalive_timeout, 75s) << "nginx's keepalive_timeout";
    EXPECT_EQ(config.send_timeout, 60s) << "nginx's send_timeout";
    EXPECT_EQ(config.max_connections, 1024);
    EXPECT_THAT(config.admin_origins, IsEmpty());
    EXPECT_FALSE(config.forward_credentials);
}

}  // namespace
}  // namespace ggufd::config::test
