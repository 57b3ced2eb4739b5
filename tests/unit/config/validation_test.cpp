// Every validation rule, asserted on the exact line users see: file:line:col: key: message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace ggufd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The rendered errors of loading `toml`; a file with errors never yields a Config.
std::vector<std::string> errors(const std::string& toml, const Environment& env = no_discovery()) {
    LoadResult result = load(toml, env);
    EXPECT_EQ(result.config.has_value(), result.errors.empty());
    return rendered(result.errors);
}

const std::string kFile = "/etc/ggufd/test.toml:";

TEST(Validation, SyntaxErrorsCarryTomlsPosition) {
    EXPECT_THAT(errors("listen = \"127.0.0.1:8080\"\nport_range = [1,\n"),
                ElementsAre(kFile + "2:18: TOML syntax error: Error while parsing array: encountered end-of-file"));
    EXPECT_THAT(errors("workers = 1\nworkers = 2\n"),
                ElementsAre(kFile + "2:11: TOML syntax error: Error while parsing key-value pair: cannot redefine "
                                    "existing integer 'workers'"));
}

TEST(Validation, WrongTypesSayWhatWasExpected) {
    EXPECT_THAT(errors(R"([services.gemma]
model = "/m/gemma.gguf"
port = "2007"
aliases = "g"
ctx_size = 4096.0
env = { HIP_VISIBLE_DEVICES = 0 }
stop_timeout = 10
memory = true
)"),
                ElementsAre(kFile + "3:8: services.gemma.port: expected an integer, got a string",
                            kFile + "4:11: services.gemma.aliases: expected an array of strings, got a string (write [\"g\"])",
                            kFile + "5:12: services.gemma.ctx_size: expected an integer, got a floating-point number",
                            kFile + "6:31: services.gemma.env.HIP_VISIBLE_DEVICES: expected a string, got an integer (quote it)",
                            kFile + "7:16: services.gemma.stop_timeout: expected a duration such as \"30s\" or \"10m\", got an integer",
                            kFile + "8:10: services.gemma.memory: expected a size such as \"512MiB\" or a number of bytes, got a boolean"));
    EXPECT_THAT(errors("services = 3\ndefaults = []\nmemory = \"1GiB\"\n"),
                ElementsAre(kFile + "1:12: services: expected a table, got an integer",
                            kFile + "2:12: defaults: expected a table, got an array",
                            kFile + "3:10: memory: expected a table, got a string"));
}

TEST(Validation, OutOfRangeNumbers) {
    EXPECT_THAT(errors(R"(workers = 300
[services.a]
model = "/m/a.gguf"
port = 70000
n_gpu_layers = -2
ctx_size = -1
parallel = 0
health_failures = 0
restart_limit = -1
gpus = [0, -1, 0]
)"),
                ElementsAre(kFile + "1:11: workers: must be between 0 and 256, got 300",
                            kFile + "4:8: services.a.port: must be between 1 and 65535, got 70000",
                            kFile + "5:16: services.a.n_gpu_layers: must be at least -1, got -2",
                            kFile + "6:12: services.a.ctx_size: must be at least 0, got -1",
                            kFile + "7:12: services.a.parallel: must be at least 1, got 0",
                            kFile + "8:19: services.a.health_failures: must be at least 1, got 0",
                            kFile + "9:17: services.a.restart_limit: must be at least 0, got -1",
                            kFile + "10:12: services.a.gpus[1]: must be at least 0, got -1"));
    EXPECT_THAT(errors("[services.a]\nmodel = \"/m/a.gguf\"\ngpus = [1, 0, 1]\n"),
                ElementsAre(kFile + "3:15: services.a.gpus[2]: GPU 1 is listed twice"));
}

TEST(Validation, PortRanges) {
    EXPECT_THAT(errors("port_range = \"2100-2000\"\n"),
                ElementsAre(kFile + "1:14: port_range: \"2100-2000\": the first port must not be above the last"));
    EXPECT_THAT(errors("port_range = \"2000\"\n"),
                ElementsAre(kFile + "1:14: port_range: \"2000\": expected first-last, e.g. \"2000-2099\""));
    EXPECT_THAT(errors("port_range = \"0-10\"\n"),
                ElementsAre(kFile + "1:14: port_range: \"0-10\": ports must be between 1 and 65535"));
}

TEST(Validation, UnknownKeysSuggestTheNearestOne) {
    EXPECT_THAT(errors(R"(listne = "127.0.0.1:8080"
ctx_size = 4096
frobnicate = 1
[memory]
reserv = "1GiB"
[defaults]
n_gpu_layer = 10
[services.a]
model = "/m/a.gguf"
ctx-size = 4096
)"),
                ElementsAre(kFile + "1:1: listne: unknown setting; did you mean \"listen\"?",
                            kFile + "2:1: ctx_size: unknown setting; it is a service setting: put it under [defaults] or "
                                    "[services.NAME]",
                            kFile + "3:1: frobnicate: unknown setting",
                            kFile + "5:1: memory.reserv: unknown setting; did you mean \"reserve\"?",
                            kFile + "7:1: defaults.n_gpu_layer: unknown setting; did you mean \"n_gpu_layers\"?",
                            kFile + "10:1: services.a.ctx-size: unknown setting; did you mean \"ctx_size\"?"));
}

TEST(Validation, UnquotedDottedServiceNamesGetAHint) {
    EXPECT_THAT(errors("[services.gemma3.4b]\nmodel = \"/m/g.gguf\"\n"),
                ElementsAre(kFile + "1:18: services.gemma3.4b: unknown setting; a service name containing \".\" must "
                                    "be quoted: [services.\"gemma3.4b\"]"));
}

TEST(Validation, PerServiceKeysAreRefusedInDefaults) {
    EXPECT_THAT(errors("[defaults]\nport = 2000\nmodel = \"/m/a.gguf\"\n"),
                ElementsAre(kFile + "2:8: defaults.port: can only be set per service, in [services.NAME]",
                            kFile + "3:9: defaults.model: can only be set per service, in [services.NAME]"));
}

TEST(Validation, ChoicesListWhatIsAccepted) {
    EXPECT_THAT(errors("[services.a]\nmodel = \"/m/a.gguf\"\nload = \"sometimes\"\nrestart = \"on_failure\"\n"),
                ElementsAre(kFile + "3:8: services.a.load: expected one of \"eager\", \"lazy\", got \"sometimes\"",
                            kFile + "4:11: services.a.restart: expected one of \"never\", \"on-failure\", \"always\", got "
                                    "\"on_failure\" (did you mean \"on-failure\"?)"));
}

TEST(Validation, BadDurationsAndSizesUseTheUnitsMessages) {
    EXPECT_THAT(errors(R"(max_body_size = 0
upstream_timeout = "0"
[memory]
budget = { gpu0 = "1GiB", "1" = "6 parsecs" }
[services.a]
model = "/m/a.gguf"
start_timeout = "10 minutes"
idle_unload = "sometimes"
)"),
                ElementsAre(kFile + "1:17: max_body_size: must be more than 0 bytes",
                            kFile + "2:20: upstream_timeout: must be longer than 0, got \"0\"",
                            kFile + "4:19: memory.budget.gpu0: expected a GPU index such as \"0\" as the key, got \"gpu0\"",
                            kFile + "4:33: memory.budget.1: \"6 parsecs\": expected a number of bytes with an "
                                    "optional unit (e.g. \"512MiB\", \"15GB\", \"1.5GiB\")",
                            kFile + "7:17: services.a.start_timeout: \"10 minutes\": expected a number followed by ms, "
                                    "s, m, h or d (e.g. \"30s\", \"10m\", \"1h30m\")",
                            kFile + "8:15: services.a.idle_unload: \"sometimes\": expected a number followed by ms, s, m, "
                                    "h or d (e.g. \"30s\", \"10m\", \"1h30m\"), or \"never\""));
}

TEST(Validation, StringRulesOfServices) {
    EXPECT_THAT(errors(R"([services.a]
model = "/m/a.gguf"
health = "health"
cpu_affinity = "0-7,x"
mmproj = ""
command = []
)"),
                ElementsAre(kFile + "3:10: services.a.health: must be a URL path starting with \"/\", e.g. \"/health\", "
                                    "got \"health\"",
                            kFile + "4:16: services.a.cpu_affinity: \"0-7,x\": expected CPU numbers and ranges, e.g. \"0-7,16\"",
                            kFile + "5:10: services.a.mmproj: must not be empty",
                            kFile + "6:11: services.a.command: must start with the program to run, e.g. [\"/opt/server\", "
                                    "\"--port\", \"{port}\"]"));
}

TEST(Validation, MmprojIsAPathOrFalse) {
    EXPECT_THAT(errors("[services.a]\nmodel = \"/m/a.gguf\"\nmmproj = true\n[services.b]\nmodel = \"/m/b.gguf\"\nmmproj = 1\n"),
                ElementsAre(kFile + "3:10: services.a.mmproj: true is not a projector: write its path, or false for none",
                            kFile + "6:10: services.b.mmproj: expected a string, got an integer (quote it)"));
}

TEST(Validation, ServiceNamesAndAliasesMustBeUrlSafe) {
    EXPECT_THAT(errors(R"([services."gem ma"]
model = "/m/a.gguf"
[services."a/b"]
model = "/m/b.gguf"
[services.ok]
model = "/m/c.gguf"
aliases = ["fine:v1", "not/fine", ".."]
)"),
                ElementsAre(kFile + "1:1: services.\"gem ma\": service name \"gem ma\" may contain only letters, digits, "
                                    "'-', '_', '.' and ':' (names appear in URLs such as /health/<name>)",
                            kFile + "3:1: services.\"a/b\": service name \"a/b\" may contain only letters, digits, '-', "
                                    "'_', '.' and ':' (names appear in URLs such as /health/<name>)",
                            kFile + "7:23: services.ok.aliases[1]: \"not/fine\" may contain only letters, digits, '-', "
                                    "'_', '.' and ':' (names appear in URLs such as /health/<name>)",
                            kFile + "7:35: services.ok.aliases[2]: \"..\" is not a usable name (it means a directory in "
                                    "URLs)"));
}

TEST(Validation, NamesAndAliasesMustRouteToOneService) {
    EXPECT_THAT(errors(R"([services.gemma]
model = "/m/gemma.gguf"
aliases = ["default", "gemma", "g", "g"]
[services.llama]
model = "/m/llama.gguf"
aliases = ["gemma", "default"]
)"),
                ElementsAre(kFile + "3:23: services.gemma.aliases[1]: \"gemma\" is already this service's name",
                            kFile + "3:37: services.gemma.aliases[3]: \"g\" is listed twice",
                            kFile + "6:12: services.llama.aliases[0]: \"gemma\" is already the name of service \"gemma\" "
                                    "(line 1); a model name must route to one service",
                            kFile + "6:21: services.llama.aliases[1]: \"default\" is already an alias of service \"gemma\" "
                                    "(line 3); a model name must route to one service"));
}

TEST(Validation, FixedPortsBelongToOneListener) {
    EXPECT_THAT(errors(R"(listen = "127.0.0.1:8080"
admin_listen = "127.0.0.1:8080"
[services.a]
model = "/m/a.gguf"
port = 2007
[services.b]
model = "/m/b.gguf"
port = 2007
[services.c]
model = "/m/c.gguf"
port = 8080
)"),
                ElementsAre(kFile + "2:16: admin_listen: is the same address as listen; leave admin_listen out to serve "
                                    "the admin API on the front door",
                            kFile + "8:8: services.b.port: port 2007 is already taken by service \"a\" (line 5)",
                            kFile + "11:8: services.c.port: port 8080 is already taken by ggufd's own listen address "
                                    "(listen, line 1)"));
}

TEST(Validation, ServicesMustBeRunnable) {
    EXPECT_THAT(errors(R"([services.nothing]
ctx_size = 4096
[services.nowhere]
command = ["/opt/server", "--model", "{model}"]
model = "/m/a.gguf"
[services.no-model]
command = ["/opt/server", "--model", "{model}", "--port", "{port}"]
)"),
                ElementsAre(kFile + "1:1: services.nothing: needs a model file (model = \"/path/to/model.gguf\") or a "
                                    "full command (command = [...])",
                            kFile + "4:11: services.nowhere.command: has no \"{port}\" placeholder and the service has no "
                                    "fixed port, so ggufd cannot know where it listens: put \"{port}\" in the command or "
                                    "set port = N",
                            kFile + "7:11: services.no-model.command: uses \"{model}\" but the service sets no model"));
}

TEST(Validation, ListenAddresses) {
    EXPECT_THAT(errors("listen = \"localhost\"\n"),
                ElementsAre(kFile + "1:10: listen: \"localhost\": expected host:port, e.g. \"127.0.0.1:8080\" (this "
                                    "machine only), \"0.0.0.0:8080\" (every interface) or \"[::1]:8080\""));
    EXPECT_THAT(errors("listen = \":8080\"\n"),
                ElementsAre(kFile + "1:10: listen: \":8080\": give the host too: \"127.0.0.1:8080\" (this machine "
                                    "only) or \"0.0.0.0:8080\" (every interface)"));
    EXPECT_THAT(errors("listen = \"::1:8080\"\n"),
                ElementsAre(kFile + "1:10: listen: \"::1:8080\": put an IPv6 address in brackets, e.g. \"[::1]:8080\""));
    EXPECT_THAT(errors("admin_listen = \"127.0.0.1:99999\"\n"),
                ElementsAre(kFile + "1:16: admin_listen: \"127.0.0.1:99999\": the port must be a number from 0 to 65535"));
}

TEST(Validation, ApiKeysMustBeUsableInAHeader) {
    EXPECT_THAT(errors("api_keys = [\"\", \"has space\"]\nadmin_api_keys = [\"ok\", 7]\n"),
                ElementsAre(kFile + "1:13: api_keys[0]: an API key must not be empty",
                            kFile + "1:17: api_keys[1]: an API key must not contain spaces or control characters",
                            kFile + "2:25: admin_api_keys[1]: expected a string, got an integer (quote it)"));
}

TEST(Validation, CorsOriginsAreOriginsAsBrowsersSendThem) {
    EXPECT_THAT(errors("cors_origins = [\"https://a.example/\", \"null\", \"a.example\"]\n"),
                ElementsAre(kFile + "1:17: cors_origins[0]: \"https://a.example/\": remove the trailing \"/\": an "
                                    "origin has no path",
                            kFile + "1:39: cors_origins[1]: \"null\" cannot be allowed: sandboxed pages and file:// "
                                    "pages all send it, so any page could claim it; serve the page over http(s) and "
                                    "list that origin",
                            kFile + "1:47: cors_origins[2]: \"a.example\": expected an origin as a browser sends it"
                                    ", scheme://host[:port], e.g. \"https://chat.example.com\" or "
                                    "\"http://localhost:3000\""));
    EXPECT_TRUE(errors("cors_origins = []\n").empty()) << "an empty list switches CORS off";
}

TEST(Validation, HomeRelativePathsNeedHome) {
    Environment env = no_discovery();
    env.home.reset();
    EXPECT_THAT(errors("[services.a]\nmodel = \"~/m/a.gguf\"\n[services.b]\nmodel = \"~bob/b.gguf\"\n", env),
                ElementsAre(kFile + "2:9: services.a.model: \"~/m/a.gguf\": cannot expand \"~\" because HOME is not "
                                    "set; write the full path",
                            kFile + "4:9: services.b.model: \"~bob/b.gguf\": only \"~\" and \"~/...\" are expanded; "
                                    "write the full path"));
}

TEST(Validation, EveryProblemIsReportedInOneGo) {
    LoadResult result = load(R"(listen = "127.0.0.1"
[defaults]
restart = "sometimes"
[services.a]
model = "/m/a.gguf"
port = 0
[services.b]
port = 2001
)");
    EXPECT_FALSE(result.config);
    EXPECT_THAT(rendered(result.errors),
                ElementsAre(kFile + "1:10: listen: \"127.0.0.1\": expected host:port, e.g. \"127.0.0.1:8080\" (this "
                                    "machine only), \"0.0.0.0:8080\" (every interface) or \"[::1]:8080\"",
                            kFile + "3:11: defaults.restart: expected one of \"never\", \"on-failure\", \"always\", got "
                                    "\"sometimes\"",
                            kFile + "6:8: services.a.port: must be between 1 and 65535, got 0",
                            kFile + "7:1: services.b: needs a model file (model = \"/path/to/model.gguf\") or a full "
                                    "command (command = [...])"));
}

TEST(Validation, AnOpenFrontDoorWithoutKeysIsAWarningNotAnError) {
    LoadResult result = load("listen = \"0.0.0.0:8080\"\nadmin_listen = \"192.168.1.5:8081\"\n");
    EXPECT_TRUE(result.config);
    EXPECT_THAT(result.warnings,
                ElementsAre(kFile + "1:10: listen: 0.0.0.0:8080 can be reached from other machines and api_keys is "
                                    "empty: anyone who can connect can use your models. Set api_keys, or listen on "
                                    "127.0.0.1",
                            kFile + "2:16: admin_listen: 192.168.1.5:8081 can be reached from other machines and no API "
                                    "keys are set: anyone who can connect can stop and start your services. Set "
                                    "admin_api_keys"));
    EXPECT_THAT(load("listen = \"[::1]:8080\"\n").warnings, IsEmpty());
    EXPECT_THAT(load("listen = \"localhost:8080\"\n").warnings, IsEmpty());
}

TEST(Validation, UnreadableFilesAreReportedByName) {
    LoadResult result = load_file("/nonexistent/ggufd.toml", no_discovery());
    EXPECT_FALSE(result.config);
    EXPECT_THAT(rendered(result.errors),
                ElementsAre("/nonexistent/ggufd.toml: cannot read the config file: No such file or directory"));
    TempDir directory;
    EXPECT_THAT(rendered(load_file(directory.path(), no_discovery()).errors),
                ElementsAre(directory.path().string() + ": cannot read the config file: it is a directory"));
}

TEST(Validation, FrontDoorLimits) {
    EXPECT_THAT(errors("header_timeout = \"0\"\nmax_connections = 0\nforward_credentials = \"yes\"\n"
                       "admin_origins = [\"localhost:3000\", \"http://a.example/\", \"http://ok.example:1\", \"*\"]\n"),
                ElementsAre(kFile + "1:18: header_timeout: must be longer than 0, got \"0\"",
                            kFile + "2:19: max_connections: must be between 1 and 1000000, got 0",
                            kFile + "3:23: forward_credentials: expected true or false",
                            kFile + "4:18: admin_origins[0]: \"localhost:3000\": expected an origin as a browser "
                                    "sends it, scheme://host[:port], e.g. \"https://chat.example.com\" or "
                                    "\"http://localhost:3000\"",
                            kFile + "4:36: admin_origins[1]: \"http://a.example/\": remove the trailing \"/\": an origin "
                                    "has no path",
                            kFile + "4:80: admin_origins[3]: \"*\" cannot be allowed here: list the origins of the "
                                    "tools you use"));
}

}  // namespace
}  // namespace ggufd::config::test
