// Each command's environment variables and exit codes (see command_help.h). docs/CLI.md says the
// same in prose; exit_codes.h holds the numbers.
#include "command_help.h"

#include <algorithm>
#include <map>

namespace ggufd::cli {
namespace {

const HelpEntry kConfigHome{"XDG_CONFIG_HOME",
                            "without -c, the config is $XDG_CONFIG_HOME/ggufd/ggufd.toml (default "
                            "~/.config/ggufd/ggufd.toml), else /etc/ggufd/ggufd.toml, else built-in defaults"};
const HelpEntry kLlamaServer{"GGUFD_LLAMA_SERVER", "the llama-server program, overriding the config's llama_server"};
const HelpEntry kModelsDir{"GGUFD_MODELS_DIR", "the models directory, overriding the config's models_dir (default ~/models)"};
const HelpEntry kRocmFallbacks{"ROCM_LLAMA_SERVER_PATH, ROCM_MODEL_DIR",
                               "used for llama_server and models_dir when neither the config nor GGUFD_* sets them"};
const HelpEntry kApiKey{"GGUFD_API_KEY",
                        "the key sent to the daemon (default: the config's first admin_api_keys entry, else api_keys)"};

const HelpEntry kOk{"0", "done"};
const HelpEntry kUsageCode{"2", "bad command line"};
const HelpEntry kNoDaemon{"3", "no daemon answered at the URL"};
const HelpEntry kNoService{"4", "no such service"};

std::vector<HelpEntry> config_environment() { return {kConfigHome, kLlamaServer, kModelsDir, kRocmFallbacks}; }

CommandHelp client_command(std::vector<HelpEntry> codes) {
    return {{kApiKey, kConfigHome}, std::move(codes)};
}

const std::map<std::string, CommandHelp, std::less<>>& table() {
    static const std::map<std::string, CommandHelp, std::less<>> commands = {
        {"",
         {config_environment(),
          {kOk, {"1", "the action was carried out and failed"}, {"2", "bad command line, or an invalid configuration"},
           kNoDaemon, kNoService, {"5", "`ggufd doctor` found a problem"}}}},
        {"serve",
         {[] {
              auto env = config_environment();
              env.push_back({"JOURNAL_STREAM", "set by systemd: log without timestamps, with syslog priorities"});
              env.push_back({"NOTIFY_SOCKET, WATCHDOG_USEC",
                             "set by systemd (Type=notify, WatchdogSec): READY=1, RELOADING=1, STOPPING=1, STATUS= "
                             "and watchdog pings; never passed on to the services"});
              return env;
          }(),
          {{"0", "stopped by SIGTERM or SIGINT"}, {"1", "the front door could not listen"},
           {"2", "bad command line, or an invalid configuration (nothing was started)"}}}},
        {"check-config", {config_environment(), {{"0", "the file is valid"}, {"2", "the file is invalid, or bad command line"}}}},
        {"doctor",
         {config_environment(),
          {{"0", "everything needed to serve is in order (warnings allowed)"}, {"5", "at least one problem"}, kUsageCode}}},
        {"models", {config_environment(), {{"0", "listed"}, {"2", "config errors, or bad command line"}}}},
        {"status", client_command({kOk, kUsageCode, kNoDaemon, kNoService})},
        {"logs", client_command({kOk, kUsageCode, kNoDaemon, kNoService})},
        {"start", client_command({{"0", "the service is ready"}, {"1", "it did not start (the reason is printed)"},
                                  kUsageCode, kNoDaemon, kNoService})},
        {"stop", client_command({{"0", "the service has stopped"}, {"1", "it could not be stopped"}, kUsageCode, kNoDaemon,
                                 kNoService})},
        {"restart", client_command({{"0", "the service is ready again"}, {"1", "it did not start again"}, kUsageCode,
                                    kNoDaemon, kNoService})},
        {"reload", client_command({{"0", "applied"}, {"1", "the daemon cannot reload now (shutting down, or busy)"},
                                   {"2", "the file is invalid (nothing changed), or bad command line"}, kNoDaemon})},
        {"drain", client_command({{"0", "drained: no request in flight, every balancer told"},
                                  {"1", "--timeout passed first (the drain stays in force)"}, kUsageCode, kNoDaemon,
                                  kNoService})},
        {"undrain", client_command({kOk, kUsageCode, kNoDaemon, kNoService})},
        {"haproxy-config",
         {{{"GGUFD_API_KEY", "the admin key sent to the nodes, when they need one"}},
          {{"0", "written"}, {"1", "HAProxy refused the config, or a file could not be written (the old one is kept)"},
           {"2", "bad command line, nodes that contradict each other, or nodes with api_keys and no --api-keys-file"},
           {"3", "a node did not answer"}}}},
        {"chat",
         {{{"GGUFD_API_KEY", "the key sent to the front door (default: the config's first api_keys entry)"}, kConfigHome},
          {{"0", "done"}, {"1", "a reply failed (the reason is printed)"}, kUsageCode, kNoDaemon,
           {"4", "no such model"}}}},
        {"systemd", {{}, {kUsageCode}}},
        {"systemd install",
         {{kConfigHome,
           {"XDG_DATA_HOME", "the man page goes to $XDG_DATA_HOME/man/man1 (default ~/.local/share/man/man1)"},
           kLlamaServer, kModelsDir,
           {"PATH", "where llama-server is found when the config names it without a directory"}},
          {{"0", "installed (and, without --no-start, enabled and started)"},
           {"1", "the files were written, but systemctl failed (its message is printed)"},
           {"2", "bad command line, or a file could not be written"}}}},
    };
    return commands;
}

// Appends "  NAME  meaning" lines, the meanings aligned and wrapped at about 100 columns.
void append_entries(std::string& out, const std::vector<HelpEntry>& entries) {
    size_t width = 0;
    for (const auto& entry : entries) width = std::max(width, std::min<size_t>(entry.name.size(), 22));
    constexpr size_t kLineWidth = 100;
    for (const auto& entry : entries) {
        std::string line = "  " + entry.name;
        const size_t indent = width + 4;
        if (entry.name.size() > width) {
            out += line + "\n";
            line.clear();
        }
        line.resize(indent, ' ');
        size_t start = 0;
        const std::string& text = entry.meaning;
        while (start < text.size()) {
            size_t room = kLineWidth - indent;
            size_t end = text.size() - start <= room ? text.size() : text.rfind(' ', start + room);
            if (end == std::string::npos || end <= start) end = std::min(text.size(), start + room);
            line += text.substr(start, end - start);
            out += line + "\n";
            line.assign(indent, ' ');
            start = text.find_first_not_of(' ', end);
            if (start == std::string::npos) break;
        }
    }
}

}  // namespace

const CommandHelp& help_for(std::string_view command) {
    static const CommandHelp none;
    auto it = table().find(command);
    return it == table().end() ? none : it->second;
}

std::string render_help_footer(const CommandHelp& help) {
    std::string out;
    if (!help.environment.empty()) {
        out += "Environment:\n";
        append_entries(out, help.environment);
    }
    if (!help.exit_codes.empty()) {
        out += (out.empty() ? "" : "\n") + std::string("Exit codes:\n");
        append_entries(out, help.exit_codes);
    }
    return out;
}

}  // namespace ggufd::cli
