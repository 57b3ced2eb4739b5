// `ggufd systemd install` (see systemd_install.h): the pure parts (paths, the unit's text, its
// environment) first, then the command that writes the files and asks systemctl.
#include "systemd_install.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "config_source.h"
#include "doctor_llama_server.h"
#include "exit_codes.h"
#include "ggufd/gpu/command_runner.h"
#include "shipped_files.h"

namespace ggufd::cli {
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> xdg_dir(const std::optional<std::string>& value, const fs::path& fallback) {
    if (value && fs::path(*value).is_absolute()) return fs::path(*value);
    return fallback;
}

// The systemd user manager's own PATH: a directory found here needs no Environment=PATH.
constexpr std::string_view kManagerPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace

std::optional<InstallPaths> install_paths(const std::optional<std::string>& home,
                                          const std::optional<std::string>& xdg_config_home,
                                          const std::optional<std::string>& xdg_data_home) {
    if (!home || home->empty() || !fs::path(*home).is_absolute()) return std::nullopt;
    const fs::path config_home = *xdg_dir(xdg_config_home, fs::path(*home) / ".config");
    const fs::path data_home = *xdg_dir(xdg_data_home, fs::path(*home) / ".local" / "share");
    return InstallPaths{config_home / "systemd" / "user" / "ggufd.service", config_home / "ggufd" / "ggufd.toml",
                        data_home / "man" / "man1" / "ggufd.1"};
}

std::string environment_line(const std::string& name, const std::string& value) {
    std::string quoted;
    for (char c : name + "=" + value) {
        if (c == '"' || c == '\\') quoted += '\\';
        if (c == '%') quoted += '%';  // "%h" and friends are systemd specifiers
        quoted += c;
    }
    return "Environment=\"" + quoted + "\"";
}

std::string render_unit(std::string_view shipped, const UnitSettings& settings) {
    auto argument = [](const fs::path& path) {
        std::string text;
        for (char c : path.string()) text += c == '%' ? std::string("%%") : std::string(1, c);
        return text.find_first_of(" \t\"'\\") == std::string::npos ? text : "\"" + text + "\"";
    };
    const std::string ggufd = argument(settings.ggufd);
    const std::string config = argument(settings.config);
    std::string out;
    size_t start = 0;
    while (start < shipped.size()) {
        size_t end = shipped.find('\n', start);
        std::string_view line = shipped.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? shipped.size() : end + 1;
        if (line.starts_with("ExecStart=")) {
            out += "ExecStart=" + ggufd + " serve --config " + config + "\n";
        } else if (line.starts_with("ExecReload=")) {
            out += "ExecReload=" + ggufd + " reload --config " + config + "\n";
        } else {
            out += std::string(line) + "\n";
            if (line == "[Service]" && !settings.environment.empty()) {
                out += "# Written by `ggufd systemd install` from the environment it ran in.\n";
                for (const auto& [name, value] : settings.environment) out += environment_line(name, value) + "\n";
            }
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> unit_environment(
    const std::vector<std::pair<std::string, std::string>>& shell, const std::optional<fs::path>& found_on_path) {
    std::vector<std::pair<std::string, std::string>> environment;
    if (found_on_path) {
        const std::string dir = found_on_path->string();
        bool known = false;
        for (std::string_view rest = kManagerPath; !rest.empty();) {
            size_t colon = rest.find(':');
            known = known || rest.substr(0, colon) == dir;
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
        if (!known) environment.emplace_back("PATH", dir + ":" + std::string(kManagerPath));
    }
    for (const auto& [name, value] : shell) {
        if (name == "GGUFD_LLAMA_SERVER" || name == "GGUFD_MODELS_DIR" || name == "ROCM_LLAMA_SERVER_PATH" ||
            name == "ROCM_MODEL_DIR") {
            environment.emplace_back(name, value);
        }
    }
    return environment;
}

namespace {

std::optional<std::string> variable(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

// Writes `text` to `path` (creating its directories); false, with the reason printed, if it cannot.
bool write_file(const fs::path& path, const std::string& text, const char* what) {
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (error || !out) {
        std::fprintf(stderr, "ggufd: cannot write the %s to %s%s%s\n", what, path.c_str(), error ? ": " : "",
                     error ? error.message().c_str() : "");
        return false;
    }
    std::printf("wrote the %s: %s\n", what, path.c_str());
    return true;
}

std::string user_name() {
    if (const passwd* entry = ::getpwuid(::getuid())) return entry->pw_name;
    return variable("USER").value_or("$USER");
}

// `systemctl --user ARGS...`; false, with systemctl's own words and what to do, when it fails.
bool systemctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"systemctl", "--user"};
    argv.insert(argv.end(), args.begin(), args.end());
    gpu::CommandResult result = gpu::process_runner().run(argv, std::chrono::seconds(60));
    std::string command;
    for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;
    if (result.succeeded()) {
        std::printf("ran: %s\n", command.c_str());
        return true;
    }
    std::string why = result.status == gpu::CommandResult::Status::not_found ? "systemctl is not installed"
                      : result.status == gpu::CommandResult::Status::timed_out ? "it did not finish within 60 s"
                      : !result.err.empty() ? result.err
                                            : "exit code " + std::to_string(result.exit_code);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    std::fprintf(stderr, "ggufd: `%s` failed: %s\n", command.c_str(), why.c_str());
    return false;
}

}  // namespace

int run_systemd_install(const SystemdInstallOptions& options) {
    auto paths = install_paths(variable("HOME"), variable("XDG_CONFIG_HOME"), variable("XDG_DATA_HOME"));
    if (!paths) {
        std::fprintf(stderr, "ggufd: HOME is not set to an absolute path: the user unit, config and man page go under it\n");
        return kUsage;
    }
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (error) {
        std::fprintf(stderr, "ggufd: cannot tell where this ggufd binary is (/proc/self/exe: %s)\n", error.message().c_str());
        return kUsage;
    }
    const fs::path config = options.config_path.empty() ? paths->config : fs::absolute(options.config_path);

    if (!fs::exists(config, error) && !write_file(config, std::string(kShippedConfig), "config")) return kUsage;
    LoadedConfig loaded = load_config(config.string());
    if (!report_load(loaded)) {
        std::fprintf(stderr, "fix %s, then run `ggufd systemd install` again\n", config.c_str());
        return kUsage;
    }

    // The unit must find the llama-server this shell finds.
    const std::string llama_server = loaded.result.config->llama_server.string();
    std::optional<fs::path> found_dir;
    if (auto found = find_executable(llama_server, variable("PATH").value_or(std::string(kManagerPath)))) {
        if (llama_server.find('/') == std::string::npos) found_dir = fs::absolute(*found).parent_path();
        std::printf("llama-server: %s\n", fs::absolute(*found).c_str());
    } else {
        std::fprintf(stderr,
                     "warning: llama-server (\"%s\") was not found: services will fail to start until it is "
                     "installed; then set llama_server in %s and run `systemctl --user restart ggufd`\n",
                     llama_server.c_str(), config.c_str());
    }
    std::vector<std::pair<std::string, std::string>> shell;
    for (const char* name : {"GGUFD_LLAMA_SERVER", "GGUFD_MODELS_DIR", "ROCM_LLAMA_SERVER_PATH", "ROCM_MODEL_DIR"}) {
        if (auto value = variable(name)) shell.emplace_back(name, *value);
    }
    UnitSettings settings{self, config, unit_environment(shell, found_dir)};

    if (!write_file(paths->unit, render_unit(kShippedUnit, settings), "user unit") ||
        !write_file(paths->man_page, options.man_page, "man page")) {
        return kUsage;
    }

    // man(1) finds ~/.local/share/man through ~/.local/bin on PATH; say so when it does not yet.
    gpu::CommandResult man = gpu::process_runner().run({"man", "-w", "ggufd"}, std::chrono::seconds(10));
    if (man.status != gpu::CommandResult::Status::not_found && man.out.find(paths->man_page.string()) == std::string::npos) {
        std::printf("note: `man ggufd` does not find the page yet: it will with %s on PATH, or with %s in MANPATH\n",
                    (fs::path(*variable("HOME")) / ".local" / "bin").c_str(),
                    paths->man_page.parent_path().parent_path().c_str());
    }

    const std::string user = user_name();
    if (fs::exists("/var/lib/systemd/linger/" + user, error)) {
        std::printf("lingering is enabled for %s: ggufd starts at boot and keeps running after you log out\n", user.c_str());
    } else {
        std::printf("to start ggufd at boot and keep it running after you log out: loginctl enable-linger %s\n",
                    user.c_str());
    }
    if (options.no_start) {
        std::printf("not started (--no-start); to start it: systemctl --user daemon-reload && "
                    "systemctl --user enable --now ggufd\n");
        return kOk;
    }
    if (!systemctl({"daemon-reload"}) || !systemctl({"enable", "--now", "ggufd.service"})) {
        std::fprintf(stderr,
                     "the files are in place, but the unit was not started. Without a user service manager (a "
                     "container, or an ssh session of a user without lingering): loginctl enable-linger %s, log in "
                     "again, then: systemctl --user daemon-reload && systemctl --user enable --now ggufd\n",
                     user.c_str());
        return kFailed;
    }
    std::printf("ggufd is enabled and running: `ggufd status`, `journalctl --user -u ggufd -f`; after upgrading "
                "ggufd or changing the unit: systemctl --user restart ggufd\n");
    return kOk;
}

}  // namespace ggufd::cli
