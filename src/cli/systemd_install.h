// `ggufd systemd install`: the user unit (the shipped systemd/ggufd.service with this machine's
// paths filled in), the config when there is none, and the man page, under the user's home (XDG
// paths); then `systemctl --user daemon-reload` and `enable --now`, or why that could not be done.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ggufd::cli {

struct SystemdInstallOptions {
    bool no_start = false;
    std::string config_path;  ///< empty: $XDG_CONFIG_HOME/ggufd/ggufd.toml
    std::string man_page;     ///< ggufd(1) as roff, rendered by the caller from the CLI itself
};

int run_systemd_install(const SystemdInstallOptions& options);

/// Where the files go, from HOME, XDG_CONFIG_HOME and XDG_DATA_HOME (relative XDG values are
/// ignored, as the XDG specification says). nullopt without a usable HOME.
struct InstallPaths {
    std::filesystem::path unit;      ///< $XDG_CONFIG_HOME/systemd/user/ggufd.service
    std::filesystem::path config;    ///< $XDG_CONFIG_HOME/ggufd/ggufd.toml
    std::filesystem::path man_page;  ///< $XDG_DATA_HOME/man/man1/ggufd.1
};
std::optional<InstallPaths> install_paths(const std::optional<std::string>& home,
                                          const std::optional<std::string>& xdg_config_home,
                                          const std::optional<std::string>& xdg_data_home);

/// What the unit needs to know about this machine.
struct UnitSettings {
    std::filesystem::path ggufd;     ///< this binary, absolute
    std::filesystem::path config;    ///< absolute
    /// Environment= lines, in order: the user manager's PATH does not find a llama-server that
    /// the user's shell finds, and GGUFD_* set in the shell must hold under systemd too.
    std::vector<std::pair<std::string, std::string>> environment;
};

/// The shipped unit with ExecStart/ExecReload pointing at `settings.ggufd` and the config, and
/// the environment added to [Service]. Every other line is kept as shipped.
std::string render_unit(std::string_view shipped, const UnitSettings& settings);

/// One Environment= line, quoted and with systemd's specifier character escaped.
std::string environment_line(const std::string& name, const std::string& value);

/// The environment the unit needs, given the shell's variables (name -> value, unset ones
/// absent) and where the config's llama_server was found. `found_on_path`: the directory that
/// holds a llama-server named without a directory.
std::vector<std::pair<std::string, std::string>> unit_environment(
    const std::vector<std::pair<std::string, std::string>>& shell,
    const std::optional<std::filesystem::path>& found_on_path);

}  // namespace ggufd::cli
