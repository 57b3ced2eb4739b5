// `ggufd systemd install`'s pure parts as a specification: where the files go (XDG), the unit
// written from the shipped one, and the environment the user manager needs.
#include <gtest/gtest.h>

#include "shipped_files.h"
#include "systemd_install.h"

namespace ggufd::cli {
namespace {

TEST(InstallPaths, XdgDirectoriesOrTheirDefaultsUnderHome) {
    auto defaults = install_paths("/home/me", std::nullopt, std::nullopt);
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->unit, "/home/me/.config/systemd/user/ggufd.service");
    EXPECT_EQ(defaults->config, "/home/me/.config/ggufd/ggufd.toml");
    EXPECT_EQ(defaults->man_page, "/home/me/.local/share/man/man1/ggufd.1");
    auto xdg = install_paths("/home/me", "/cfg", "/data");
    EXPECT_EQ(xdg->unit, "/cfg/systemd/user/ggufd.service");
    EXPECT_EQ(xdg->man_page, "/data/man/man1/ggufd.1");
    auto relative = install_paths("/home/me", "cfg", "data");
    EXPECT_EQ(relative->config, "/home/me/.config/ggufd/ggufd.toml") << "relative XDG values are ignored";
    EXPECT_FALSE(install_paths(std::nullopt, std::nullopt, std::nullopt));
    EXPECT_FALSE(install_paths("", std::nullopt, std::nullopt));
}

TEST(RenderUnit, ThisMachinesPathsAndEnvironmentInTheShippedUnit) {
    UnitSettings settings{"/home/me/.local/bin/ggufd", "/home/me/.config/ggufd/ggufd.toml",
                          {{"PATH", "/opt/llama:/usr/bin"}, {"GGUFD_MODELS_DIR", "/data/models"}}};
    std::string unit = render_unit(kShippedUnit, settings);
    EXPECT_NE(unit.find("\nExecStart=/home/me/.local/bin/ggufd serve --config /home/me/.config/ggufd/ggufd.toml\n"),
              std::string::npos)
        << unit;
    EXPECT_NE(unit.find("\nExecReload=/home/me/.local/bin/ggufd reload --config /home/me/.config/ggufd/ggufd.toml\n"),
              std::string::npos)
        << "reload waits for the result instead of sending SIGHUP and returning";
    size_t service = unit.find("\n[Service]\n");
    size_t path = unit.find("\nEnvironment=\"PATH=/opt/llama:/usr/bin\"\n");
    ASSERT_NE(service, std::string::npos);
    ASSERT_NE(path, std::string::npos);
    EXPECT_GT(path, service);
    EXPECT_NE(unit.find("\nEnvironment=\"GGUFD_MODELS_DIR=/data/models\"\n"), std::string::npos);
    for (const char* line : {"\nType=notify\n", "\nWatchdogSec=", "\nLimitNOFILE=", "\nKillMode=mixed\n",
                             "\nDocumentation=man:ggufd(1)\n", "\nWantedBy=default.target\n"}) {
        EXPECT_NE(unit.find(line), std::string::npos) << line;
    }
}

TEST(RenderUnit, PathsWithSpacesAndPercentSignsAreQuotedAndEscaped) {
    UnitSettings settings{"/home/me/my bin/ggufd", "/home/me/100%/ggufd.toml", {}};
    std::string unit = render_unit(kShippedUnit, settings);
    EXPECT_NE(unit.find("ExecStart=\"/home/me/my bin/ggufd\" serve --config /home/me/100%%/ggufd.toml"), std::string::npos)
        << unit;
    EXPECT_EQ(environment_line("A", "x \"y\" 5%\\"), "Environment=\"A=x \\\"y\\\" 5%%\\\\\"");
}

TEST(UnitEnvironment, TheLlamaServerDirectoryAndTheShellsGgufdVariables) {
    auto environment = unit_environment({{"GGUFD_LLAMA_SERVER", "/opt/llama/llama-server"}, {"HOME", "/home/me"}},
                                        std::filesystem::path("/opt/llama"));
    ASSERT_EQ(environment.size(), 2u);
    EXPECT_EQ(environment[0].first, "PATH");
    EXPECT_TRUE(environment[0].second.starts_with("/opt/llama:/usr/local/sbin:")) << environment[0].second;
    EXPECT_EQ(environment[1], (std::pair<std::string, std::string>{"GGUFD_LLAMA_SERVER", "/opt/llama/llama-server"}));
    EXPECT_TRUE(unit_environment({}, std::filesystem::path("/usr/bin")).empty())
        << "the user manager finds programs in /usr/bin already";
    EXPECT_TRUE(unit_environment({}, std::nullopt).empty());
}

}  // namespace
}  // namespace ggufd::cli
