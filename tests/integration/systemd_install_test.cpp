// `ggufd systemd install` as a user runs it, in a home directory of the test's own: the unit,
// config and man page land in the XDG paths, the unit passes `systemd-analyze verify` and finds
// llama-server where the shell found it, and systemctl is asked to reload and enable it (a
// stand-in systemctl on PATH records what it was asked, or fails as a machine without a user
// manager does).
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <fstream>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int kFailed = 1;  // docs/CLI.md: written, but systemctl failed

void write_executable(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0755);
}

class SystemdInstall : public testing::Test {
protected:
    void SetUp() override {
        home = dir.path() / "home";
        fs::create_directories(home / "models");
        // llama-server is found on PATH in a directory the user manager does not search.
        fs::create_directories(dir.path() / "llama");
        fs::create_symlink(fake_llama_server(), dir.path() / "llama" / "llama-server");
        set_systemctl("exit 0");
    }

    // The stand-in systemctl records its arguments, one call per line, then runs `then`.
    void set_systemctl(const std::string& then) const {
        write_executable(dir.path() / "bin" / "systemctl",
                         "#!/bin/sh\necho \"$*\" >> '" + (dir.path() / "systemctl.calls").string() + "'\n" + then + "\n");
    }

    std::map<std::string, std::string> environment() const {
        return {{"HOME", home.string()},
                {"PATH", (dir.path() / "bin").string() + ":" + (dir.path() / "llama").string() + ":/usr/bin:/bin"},
                {"XDG_CONFIG_HOME", ""},
                {"XDG_DATA_HOME", ""},
                {"GGUFD_LLAMA_SERVER", ""},
                {"GGUFD_MODELS_DIR", ""}};
    }

    std::string calls() const {
        return fs::exists(dir.path() / "systemctl.calls") ? read_file(dir.path() / "systemctl.calls") : "";
    }

    TempDir dir;
    fs::path home;
};

}  // namespace

TEST_F(SystemdInstall, WritesUnitConfigAndManPageThenEnablesTheUnit) {
    auto result = run_ggufd(dir, {"systemd", "install"}, environment());
    ASSERT_EQ(result.exit_code, 0) << result.output;

    const fs::path unit_file = home / ".config/systemd/user/ggufd.service";
    const fs::path config = home / ".config/ggufd/ggufd.toml";
    const fs::path man_page = home / ".local/share/man/man1/ggufd.1";
    ASSERT_TRUE(fs::exists(unit_file)) << result.output;
    EXPECT_EQ(read_file(config), read_file(source_file("config/ggufd.toml")))
        << "the shipped config, when there was none";
    EXPECT_TRUE(read_file(man_page).starts_with(".TH GGUFD 1"));

    const std::string unit = read_file(unit_file);
    const std::string ggufd = build_binary("ggufd").string();
    EXPECT_NE(unit.find("ExecStart=" + ggufd + " serve --config " + config.string() + "\n"), std::string::npos) << unit;
    EXPECT_NE(unit.find("ExecReload=" + ggufd + " reload --config " + config.string() + "\n"), std::string::npos) << unit;
    EXPECT_NE(unit.find("Environment=\"PATH=" + (dir.path() / "llama").string() + ":"), std::string::npos)
        << "the user manager's PATH would not find llama-server:\n" << unit;

    EXPECT_EQ(calls(), "--user daemon-reload\n--user enable --now ggufd.service\n");
    EXPECT_NE(result.output.find("loginctl enable-linger"), std::string::npos) << result.output;
}

TEST_F(SystemdInstall, TheUnitPassesSystemdAnalyzeVerify) {
    if (!fs::exists("/usr/bin/systemd-analyze")) {
        std::fprintf(stderr, "\n*** SKIPPED: systemd-analyze not installed (Debian package systemd) ***\n\n");
        GTEST_SKIP() << "systemd-analyze not installed";
    }
    ASSERT_EQ(run_ggufd(dir, {"systemd", "install", "--no-start"}, environment()).exit_code, 0);
    EXPECT_EQ(calls(), "") << "--no-start runs no systemctl";
    // verify looks the man page up with man(1) and needs a runtime directory for --user.
    fs::create_directories(dir.path() / "runtime");
    ::chmod((dir.path() / "runtime").c_str(), 0700);
    auto env = environment();
    env["XDG_RUNTIME_DIR"] = (dir.path() / "runtime").string();
    env["MANPATH"] = (home / ".local/share/man").string() + ":";
    ChildProcess verify({"/usr/bin/systemd-analyze", "--user", "verify", (home / ".config/systemd/user/ggufd.service").string()},
                        dir.path() / "verify.log", env);
    auto status = verify.wait(60s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << verify.log();
}

TEST_F(SystemdInstall, KeepsAnExistingConfigAndSaysPlainlyWhenSystemctlFails) {
    fs::create_directories(home / ".config/ggufd");
    const std::string mine = "listen = \"127.0.0.1:18080\"\nmodels_dir = \"~/models\"\n";
    std::ofstream(home / ".config/ggufd/ggufd.toml") << mine;
    set_systemctl("echo 'Failed to connect to bus: No medium found' >&2; exit 1");

    auto result = run_ggufd(dir, {"systemd", "install"}, environment());
    EXPECT_EQ(result.exit_code, kFailed) << result.output;
    EXPECT_EQ(read_file(home / ".config/ggufd/ggufd.toml"), mine);
    EXPECT_TRUE(fs::exists(home / ".config/systemd/user/ggufd.service"));
    EXPECT_NE(result.output.find("`systemctl --user daemon-reload` failed: Failed to connect to bus"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("the files are in place, but the unit was not started"), std::string::npos);
}

TEST_F(SystemdInstall, AnInvalidConfigStopsTheInstallBeforeAnythingIsWritten) {
    fs::create_directories(home / ".config/ggufd");
    std::ofstream(home / ".config/ggufd/ggufd.toml") << "listen = 8080\n";
    auto result = run_ggufd(dir, {"systemd", "install"}, environment());
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_FALSE(fs::exists(home / ".config/systemd/user/ggufd.service"));
    EXPECT_EQ(calls(), "");
}
