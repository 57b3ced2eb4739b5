// The command line: every subcommand, its options with their defaults, and the environment and
// exit-code sections of its --help (command_help.h). The same definitions render ggufd(1)
// (`ggufd --man-page`, and `ggufd systemd install`), so the man page says what --help says.
#include "app.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>

#include "chat.h"
#include "check_config.h"
#include "command_help.h"
#include "config_source.h"
#include "daemon_client.h"
#include "doctor.h"
#include "exit_codes.h"
#include "man_page.h"
#include "models_command.h"
#include "serve.h"
#include "service_commands.h"
#include "systemd_install.h"

namespace ggufd::cli {
namespace {

constexpr const char* kVersion = "0.1.0";
constexpr const char* kConfigDefault = "default: $XDG_CONFIG_HOME/ggufd/ggufd.toml, else /etc/ggufd/ggufd.toml";

// Options every client command shares: where the daemon is, and how to answer.
struct ClientOptions {
    std::string url;
    std::string config_path;
    bool json = false;
};

void add_client_options(CLI::App* command, ClientOptions& options) {
    command->add_option("--url", options.url, "The daemon's URL (default: from the config's admin_listen, else listen)")
        ->type_name("URL");
    command->add_option("-c,--config", options.config_path,
                        std::string("Config file to take the address and key from (") + kConfigDefault + ")")
        ->type_name("FILE");
    command->add_flag("--json", options.json, "Print the daemon's JSON answer instead of a table");
}

DaemonClient client_for(const ClientOptions& options) {
    std::optional<config::Config> config;
    if (options.url.empty()) config = load_config(options.config_path).result.config;
    return DaemonClient(options.url, config);
}

// "systemd install" for the install subcommand of systemd; "" for ggufd itself.
std::string command_path(const CLI::App* command) {
    std::string path;
    for (; command && command->get_parent(); command = command->get_parent()) {
        path = command->get_name() + (path.empty() ? "" : " " + path);
    }
    return path;
}

// Every command's --help ends with its environment variables and exit codes.
void add_footers(CLI::App* command) {
    command->footer("\n" + render_help_footer(help_for(command_path(command))));
    for (CLI::App* sub : command->get_subcommands({})) add_footers(sub);
}

ManCommand describe(const CLI::App* command) {
    ManCommand man{command_path(command), "ggufd " + command_path(command), command->get_description(), {},
                   help_for(command_path(command))};
    std::string positionals;
    for (const CLI::Option* option : command->get_options()) {
        if (option->get_name() == "--help" || option->get_group().empty()) continue;
        std::string text = option->get_description();
        if (!option->get_default_str().empty()) text += " (default: " + option->get_default_str() + ")";
        if (!option->get_envname().empty()) text += " (environment: " + option->get_envname() + ")";
        if (option->get_positional()) {
            std::string name = option->get_type_name();
            positionals += " " + (option->get_required() ? name : "[" + name + "]");
            man.options.push_back({name, "", text});
            continue;
        }
        std::string names = option->get_name(false, true);
        for (size_t at = names.find(','); at != std::string::npos; at = names.find(',', at + 2)) names.insert(at + 1, " ");
        man.options.push_back({names, option->get_type_size() == 0 ? "" : option->get_type_name(), text});
    }
    man.usage += " [OPTIONS]" + positionals;
    return man;
}

ManPage describe_all(const CLI::App& app) {
    ManPage page{kVersion, app.get_description(), {}, help_for("")};
    std::vector<const CLI::App*> pending = {&app};
    while (!pending.empty()) {
        const CLI::App* command = pending.front();
        pending.erase(pending.begin());
        auto subcommands = command->get_subcommands({});
        if (command != &app && subcommands.empty()) page.commands.push_back(describe(command));
        pending.insert(pending.end(), subcommands.begin(), subcommands.end());
    }
    return page;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"one OpenAI-compatible front door for a fleet of llama-server models", "ggufd"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", std::string("ggufd ") + kVersion);
    bool man_page = false;
    app.add_flag("--man-page", man_page, "Print ggufd(1) as roff")->group("");

    ServeOptions serve;
    auto* serve_command = app.add_subcommand("serve", "Run the daemon in the foreground (what the systemd unit runs)");
    serve_command->add_option("-c,--config", serve.config_path, std::string("Config file (") + kConfigDefault +
                                                                    ", else built-in defaults)")
        ->type_name("FILE");
    serve_command->add_option("--log-level", serve.log_level, "trace, debug, info, warn or error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->type_name("LEVEL")
        ->capture_default_str();

    std::string check_path;
    bool check_json = false;
    auto* check_command = app.add_subcommand("check-config", "Validate a config file without starting anything");
    check_command->add_option("file", check_path, std::string("Config file (") + kConfigDefault + ")")->type_name("FILE");
    check_command->add_flag("--json", check_json, "Machine-readable output");

    DoctorOptions doctor;
    auto* doctor_command = app.add_subcommand("doctor", "Check that everything needed to serve is in order");
    doctor_command->add_option("-c,--config", doctor.config_path, std::string("Config file (") + kConfigDefault + ")")
        ->type_name("FILE");
    doctor_command->add_flag("--json", doctor.json, "Machine-readable output");

    ModelsOptions models;
    auto* models_command = app.add_subcommand("models", "List the models with GGUF metadata and memory estimates");
    models_command->add_option("-c,--config", models.config_path, std::string("Config file (") + kConfigDefault + ")")
        ->type_name("FILE");
    models_command->add_flag("--json", models.json, "Machine-readable output");

    ClientOptions status_options;
    std::string status_service;
    auto* status_command = app.add_subcommand("status", "Show every service (or one) of a running daemon");
    status_command->add_option("service", status_service, "Only this service (or alias), in detail")->type_name("SERVICE");
    add_client_options(status_command, status_options);

    ClientOptions action_options;
    std::string action_service;
    std::string action;
    for (const char* name : {"start", "stop", "restart"}) {
        std::string verb = name;
        verb[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(verb[0])));
        auto* command = app.add_subcommand(name, verb + " a service and wait until it is done");
        command->add_option("service", action_service, "Service name or alias")->required()->type_name("SERVICE");
        add_client_options(command, action_options);
        command->callback([&action, name] { action = name; });
    }

    ClientOptions logs_options;
    std::string logs_service;
    int logs_tail = 100;
    bool logs_follow = false;
    auto* logs_command = app.add_subcommand("logs", "Print a service's recent output");
    logs_command->add_option("service", logs_service, "Service name or alias")->required()->type_name("SERVICE");
    logs_command->add_option("-n,--tail", logs_tail, "How many recent lines")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N")
        ->capture_default_str();
    logs_command->add_flag("-f,--follow", logs_follow, "Keep printing new lines as they come");
    add_client_options(logs_command, logs_options);

    ClientOptions reload_options;
    auto* reload_command = app.add_subcommand("reload", "Make a running daemon re-read its config file");
    add_client_options(reload_command, reload_options);

    ChatOptions chat;
    auto* chat_command = app.add_subcommand("chat", "Chat with a model in the terminal, through the front door");
    chat_command->add_option("model", chat.model, "Model name or alias (default: the only model there is)")
        ->type_name("MODEL");
    chat_command->add_option("--url", chat.url, "The front door's URL (default: from the config's listen)")
        ->type_name("URL");
    chat_command->add_option("-c,--config", chat.config_path,
                             std::string("Config file to take the address and key from (") + kConfigDefault + ")")
        ->type_name("FILE");
    chat_command->add_option("--system", chat.system_prompt, "A system prompt that starts the conversation")
        ->type_name("TEXT");
    chat_command->add_option("--set", chat.parameters,
                             "A request field for every reply, e.g. --set temperature=0.2 --set max_tokens=512 "
                             "(the value is JSON when it parses as JSON, else a string)")
        ->type_name("KEY=VALUE");

    SystemdInstallOptions install;
    auto* systemd_command = app.add_subcommand("systemd", "Run ggufd under systemd as a user service");
    systemd_command->require_subcommand(1);
    auto* install_command = systemd_command->add_subcommand(
        "install", "Write the user unit, the config (if absent) and the man page, then enable and start the unit");
    install_command->add_flag("--no-start", install.no_start, "Write the files, but do not run systemctl");
    install_command->add_option("-c,--config", install.config_path,
                                "The config the unit serves (default: $XDG_CONFIG_HOME/ggufd/ggufd.toml; written "
                                "from the shipped template when absent)")
        ->type_name("FILE");

    add_footers(&app);
    app.footer("\nRun `ggufd COMMAND --help` for a command's options, defaults, environment and exit codes.\n\n" +
               render_help_footer(help_for("")));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }

    if (man_page) {
        std::fputs(render_man_page(describe_all(app)).c_str(), stdout);
        return kOk;
    }
    if (serve_command->parsed()) return run_serve(serve);
    if (check_command->parsed()) return run_check_config(check_path, check_json);
    if (doctor_command->parsed()) return run_doctor(doctor);
    if (models_command->parsed()) return run_models(models);
    if (status_command->parsed()) return run_status(client_for(status_options), status_service, status_options.json);
    if (!action.empty()) return run_service_action(client_for(action_options), action_service, action, action_options.json);
    if (logs_command->parsed()) return run_logs(client_for(logs_options), logs_service, logs_tail, logs_follow);
    if (reload_command->parsed()) return run_reload(client_for(reload_options), reload_options.json);
    if (chat_command->parsed()) return run_chat(chat);
    if (install_command->parsed()) {
        install.man_page = render_man_page(describe_all(app));
        return run_systemd_install(install);
    }
    std::fputs(app.help().c_str(), stderr);
    return kUsage;
}

}  // namespace ggufd::cli
