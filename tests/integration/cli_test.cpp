// The command line's own promises (docs/CLI.md): the service commands take aliases as `status`
// does, a missing daemon gets advice rather than a library's error name, and every command's
// --help shows its defaults, environment variables and exit codes; serve logs each config warning once.
#include <gtest/gtest.h>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int kUnreachable = 3;  // docs/CLI.md: no daemon answered

class Cli : public testing::Test {
protected:
    TempDir dir;
};

}  // namespace

TEST_F(Cli, ServiceCommandsAcceptAliases) {
    Daemon daemon(dir, DaemonOptions("[services.one]\nmodel = \"" + dir.write("one.gguf", "x").string() +
                                     "\"\naliases = [\"uno\"]\n"));
    ASSERT_TRUE(daemon.wait_state("one", "ready")) << daemon.log();
    auto stop = run_cli(dir, daemon, {"stop", "uno"});
    EXPECT_EQ(stop.exit_code, 0) << stop.output;
    EXPECT_EQ(daemon.service("one")["state"], "stopped");
    auto start = run_cli(dir, daemon, {"start", "uno"});
    EXPECT_EQ(start.exit_code, 0) << start.output;
    EXPECT_NE(start.output.find("uno: ready"), std::string::npos) << start.output;
    const json pid = daemon.service("one")["pid"];
    auto restart = run_cli(dir, daemon, {"restart", "uno"});
    EXPECT_EQ(restart.exit_code, 0) << restart.output;
    EXPECT_NE(daemon.service("one")["pid"], pid);
    auto logs = run_cli(dir, daemon, {"logs", "uno", "-n", "5"});
    EXPECT_EQ(logs.exit_code, 0) << logs.output;
    auto status = run_cli(dir, daemon, {"status", "uno"});
    EXPECT_EQ(status.exit_code, 0) << status.output;
}

TEST_F(Cli, NoDaemonSaysWhereItLookedAndWhatToDo) {
    const std::string url = "http://127.0.0.1:" + std::to_string(free_port());
    auto result = run_ggufd(dir, {"status", "--url", url});
    EXPECT_EQ(result.exit_code, kUnreachable) << result.output;
    EXPECT_NE(result.output.find("no daemon answered at " + url + " (from --url): could not connect"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("ggufd serve"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("(Connection)"), std::string::npos) << "a library's error name is no advice";

    // Without --url the address comes from the config, and the message says which key of which file.
    const uint16_t port = free_port();
    auto config = dir.write("ggufd.toml", "listen = \"127.0.0.1:" + std::to_string(port) + "\"\nmodels_dir = \"\"\n");
    auto from_config = run_ggufd(dir, {"reload", "-c", config.string()});
    EXPECT_EQ(from_config.exit_code, kUnreachable) << from_config.output;
    EXPECT_NE(from_config.output.find("(from `listen` in " + config.string() + ")"), std::string::npos)
        << from_config.output;
}

TEST_F(Cli, EveryHelpShowsDefaultsEnvironmentAndExitCodes) {
    const std::vector<std::vector<std::string>> commands = {
        {}, {"serve"}, {"check-config"}, {"doctor"}, {"models"}, {"status"}, {"start"}, {"stop"},
        {"restart"}, {"logs"}, {"reload"}, {"chat"}, {"systemd", "install"}, {"drain"}, {"undrain"},
        {"haproxy-config"}};
    for (auto command : commands) {
        command.push_back("--help");
        auto result = run_ggufd(dir, command);
        EXPECT_EQ(result.exit_code, 0) << command.front() << ": " << result.output;
        EXPECT_NE(result.output.find("\nExit codes:\n  0  "), std::string::npos) << command.front() << ": " << result.output;
        EXPECT_NE(result.output.find("\nEnvironment:\n"), std::string::npos) << command.front() << ": " << result.output;
    }
    EXPECT_NE(run_ggufd(dir, {"logs", "--help"}).output.find("--tail N:NONNEGATIVE=100"), std::string::npos);
    EXPECT_NE(run_ggufd(dir, {"serve", "--help"}).output.find("=info"), std::string::npos);
    EXPECT_NE(run_ggufd(dir, {"status", "--help"}).output.find("GGUFD_API_KEY"), std::string::npos);
}

TEST_F(Cli, TheManPageDescribesEveryCommand) {
    auto result = run_ggufd(dir, {"--man-page"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    for (const char* command : {"serve", "check-config", "doctor", "models", "status", "start", "stop", "restart",
                                "logs", "reload", "chat", "systemd install"}) {
        std::string roff = command;  // hyphens are written \- in roff
        for (size_t at = roff.find('-'); at != std::string::npos; at = roff.find('-', at + 2)) roff.insert(at, "\\");
        EXPECT_NE(result.output.find(".SS \"ggufd " + roff + " [OPTIONS]"), std::string::npos) << command;
    }
    EXPECT_EQ(result.output, read_file(build_binary("ggufd.1"))) << "the build writes the same page (build/ggufd.1)";
}

TEST_F(Cli, ServeWarnsOfAMissingModelsDirOnce) {
    DaemonOptions options;
    options.models_dir = (dir.path() / "no-models-here").string();
    Daemon daemon(dir, options);
    // The warning is logged before the front door listens; the log is flushed within a second.
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("front door listening") != std::string::npos; }, 30s))
        << daemon.log();
    const std::string log = daemon.log();
    const std::string warning = "no-models-here does not exist: no models discovered";
    const size_t first = log.find(warning);
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find(warning, first + 1), std::string::npos) << "logged twice:\n" << log;
}
