// The command line: every subcommand, its options with their defaults, and the environment and
// exit-code sections of its --help (command_help.h). The same definitions render ggufd(1)
// (`ggufd --man-page`, and `ggufd systemd install`), so the man page says what --help says.
#include "app.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <functional>
#include <memory>

#include "chat.h"
#include "check_config.h"
#include "command_help.h"
#include "config_source.h"
#include "daemon_client.h"
#include "doctor.h"
#include "drain_command.h"
#include "exit_codes.h"
#include "haproxy_command.h"
#include "man_page.h"
#include "models_command.h"
#include "serve.h"
#include "service_commands.h"
#include "systemd_install.h"

namespace ggufd::cli {
namespace {

constexpr const char* kVersion = "0.1.0";
constexpr const char* kConfigDefault = "default: $XDG_CONFIG_HOME/ggufd/ggufd.toml, else /etc/ggufd/ggufd.toml";

std::string config_help(const std::string& lead = "Config file", const std::string& otherwise = "") {
    return lead + " (" + kConfigDefault + otherwise + ")";
}

// Options every client command shares: where the daemon is, and how to answer.
struct ClientOptions {
    std::string url;
    std::string config_path;
    bool json = false;
};

void add_client_options(CLI::App* command, ClientOptions& options) {
    command->add_option("--url", options.url, "The daemon's URL (default: from the config's admin_listen, else listen)")
        ->type_name("URL");
    command->add_option("-c,--config", options.config_path, config_help("Config file to take the address and key from"))
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

// What the parsed command line asks to run; set by the chosen subcommand's callback.
using Chosen = std::function<int()>;

// Commands that work on this machine and its config: serve, check-config, doctor, models.
void add_local_commands(CLI::App& app, Chosen& chosen) {
    auto serve = std::make_shared<ServeOptions>();
    auto* command = app.add_subcommand("serve", "Run the daemon in the foreground (what the systemd unit runs)");
    command->add_option("-c,--config", serve->config_path, config_help("Config file", ", else built-in defaults"))->type_name("FILE");
    command->add_option("--log-level", serve->log_level, "trace, debug, info, warn or error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->type_name("LEVEL")
        ->capture_default_str();
    command->callback([&chosen, serve] { chosen = [serve] { return run_serve(*serve); }; });

    struct CheckOptions {
        std::string config_path;
        bool json = false;
    };
    auto check = std::make_shared<CheckOptions>();
    command = app.add_subcommand("check-config", "Validate a config file without starting anything");
    command->add_option("file", check->config_path, config_help())->type_name("FILE");
    command->add_flag("--json", check->json, "Machine-readable output");
    command->callback([&chosen, check] { chosen = [check] { return run_check_config(check->config_path, check->json); }; });

    auto doctor = std::make_shared<DoctorOptions>();
    command = app.add_subcommand("doctor", "Check that everything needed to serve is in order");
    command->add_option("-c,--config", doctor->config_path, config_help())->type_name("FILE");
    command->add_flag("--json", doctor->json, "Machine-readable output");
    command->callback([&chosen, doctor] { chosen = [doctor] { return run_doctor(*doctor); }; });

    auto models = std::make_shared<ModelsOptions>();
    command = app.add_subcommand("models", "List the models with GGUF metadata and memory estimates");
    command->add_option("-c,--config", models->config_path, config_help())->type_name("FILE");
    command->add_flag("--json", models->json, "Machine-readable output");
    command->callback([&chosen, models] { chosen = [models] { return run_models(*models); }; });
}

// A client command's options and what it names: a service, and logs' own.
struct ClientCommand {
    ClientOptions client;
    std::string service;
    int tail = 100;
    bool follow = false;
};

// Commands that talk to a running daemon's admin API: status, start/stop/restart, logs, reload.
void add_client_commands(CLI::App& app, Chosen& chosen) {
    auto status = std::make_shared<ClientCommand>();
    auto* command = app.add_subcommand("status", "Show every service (or one) of a running daemon");
    command->add_option("service", status->service, "Only this service (or alias), in detail")->type_name("SERVICE");
    add_client_options(command, status->client);
    command->callback([&chosen, status] {
        chosen = [status] { return run_status(client_for(status->client), status->service, status->client.json); };
    });

    for (std::string action : {"start", "stop", "restart"}) {
        auto options = std::make_shared<ClientCommand>();
        std::string verb = action;
        verb[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(verb[0])));
        command = app.add_subcommand(action, verb + " a service and wait until it is done");
        command->add_option("service", options->service, "Service name or alias")->required()->type_name("SERVICE");
        add_client_options(command, options->client);
        command->callback([&chosen, options, action] {
            chosen = [options, action] {
                return run_service_action(client_for(options->client), options->service, action, options->client.json);
            };
        });
    }

    auto logs = std::make_shared<ClientCommand>();
    command = app.add_subcommand("logs", "Print a service's recent output");
    command->add_option("service", logs->service, "Service name or alias")->required()->type_name("SERVICE");
    command->add_option("-n,--tail", logs->tail, "How many recent lines")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N")
        ->capture_default_str();
    command->add_flag("-f,--follow", logs->follow, "Keep printing new lines as they come");
    add_client_options(command, logs->client);
    command->callback([&chosen, logs] {
        chosen = [logs] { return run_logs(client_for(logs->client), logs->service, logs->tail, logs->follow); };
    });

    auto reload = std::make_shared<ClientCommand>();
    command = app.add_subcommand("reload", "Make a running daemon re-read its config file");
    add_client_options(command, reload->client);
    command->callback([&chosen, reload] {
        chosen = [reload] { return run_reload(client_for(reload->client), reload->client.json); };
    });
}

void add_chat_command(CLI::App& app, Chosen& chosen) {
    auto chat = std::make_shared<ChatOptions>();
    auto* command = app.add_subcommand("chat", "Chat with a model in the terminal, through the front door");
    command->add_option("model", chat->model, "Model name or alias (default: the only model there is)")
        ->type_name("MODEL");
    command->add_option("--url", chat->url, "The front door's URL (default: from the config's listen)")->type_name("URL");
    command->add_option("-c,--config", chat->config_path, config_help("Config file to take the address and key from"))
        ->type_name("FILE");
    command->add_option("--system", chat->system_prompt, "A system prompt that starts the conversation")
        ->type_name("TEXT");
    command->add_option("--set", chat->parameters,
                        "A request field for every reply, e.g. --set temperature=0.2 --set max_tokens=512 "
                        "(the value is JSON when it parses as JSON, else a string)")
        ->type_name("KEY=VALUE");
    command->callback([&chosen, chat] { chosen = [chat] { return run_chat(*chat); }; });
}

void add_systemd_commands(CLI::App& app, Chosen& chosen) {
    auto install = std::make_shared<SystemdInstallOptions>();
    auto* systemd = app.add_subcommand("systemd", "Run ggufd under systemd as a user service");
    systemd->require_subcommand(1);
    auto* command = systemd->add_subcommand(
        "install", "Write the user unit, the config (if absent) and the man page, then enable and start the unit");
    command->add_flag("--no-start", install->no_start, "Write the files, but do not run systemctl");
    command->add_option("-c,--config", install->config_path,
                        "The config the unit serves (default: $XDG_CONFIG_HOME/ggufd/ggufd.toml; written from the "
                        "shipped template when absent)")
        ->type_name("FILE");
    command->callback([&app, &chosen, install] {
        chosen = [&app, install] {
            install->man_page = render_man_page(describe_all(app));
            return run_systemd_install(*install);
        };
    });
}

// Scale-out (docs/SCALE-OUT.md): drain and undrain talk to a node; haproxy-config to several.
void add_scale_out_commands(CLI::App& app, Chosen& chosen) {
    struct Drain {
        ClientOptions client;
        DrainOptions options;
    };
    auto drain = std::make_shared<Drain>();
    auto* command = app.add_subcommand("drain", "Take the node (or one service) out of its load balancer and wait "
                                                "until no request is in flight");
    command->add_option("service", drain->options.service, "Only this service")->type_name("SERVICE");
    command->add_option("--timeout", drain->options.timeout, "How long to wait for requests in flight")
        ->capture_default_str();
    add_client_options(command, drain->client);
    command->callback([&chosen, drain] {
        chosen = [drain] { return run_drain(client_for(drain->client), drain->options, drain->client.json); };
    });

    auto undrain = std::make_shared<ClientCommand>();
    command = app.add_subcommand("undrain", "Put the node (or one service) back into its load balancer");
    command->add_option("service", undrain->service, "Only this service")->type_name("SERVICE");
    add_client_options(command, undrain->client);
    command->callback([&chosen, undrain] {
        chosen = [undrain] { return run_undrain(client_for(undrain->client), undrain->service, undrain->client.json); };
    });

    auto haproxy = std::make_shared<HaproxyConfigOptions>();
    command = app.add_subcommand("haproxy-config", "Write a HAProxy config for a fleet of ggufd nodes");
    command->add_option("--node", haproxy->nodes, "A node's URL (its front door or admin_listen); repeat per node")
        ->required()
        ->type_name("URL");
    command->add_option("--listen", haproxy->listen, "Where HAProxy takes clients")->capture_default_str();
    command->add_option("--out", haproxy->out, "Write the config here (default: standard output)")->type_name("FILE");
    command->add_option("--data-dir", haproxy->data_dir,
                        "Where the /v1/models files go (default: ggufd/ beside --out, else ./ggufd-haproxy)")
        ->type_name("DIR");
    command->add_option("--check-interval", haproxy->check_interval, "Health and agent check interval")
        ->capture_default_str();
    command->add_option("--max-body", haproxy->max_body, "Largest request body HAProxy reads to find \"model\"")
        ->capture_default_str();
    command->add_option("--stats-socket", haproxy->stats_socket, "Give HAProxy an admin socket here")->type_name("PATH");
    command->add_option("--api-keys-file", haproxy->api_keys_file,
                        "The nodes' API keys, one per line, for what HAProxy answers itself")
        ->type_name("FILE");
    command->add_option("--watch", haproxy->watch_seconds, "Ask the nodes again every SECONDS and rewrite on change")
        ->check(CLI::PositiveNumber)
        ->type_name("SECONDS");
    command->add_option("--reload", haproxy->reload_command,
                        "With --watch: run this after each change (e.g. \"systemctl reload haproxy\")")
        ->type_name("COMMAND");
    command->callback([&chosen, haproxy] { chosen = [haproxy] { return run_haproxy_config(*haproxy); }; });
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"one OpenAI-compatible front door for a fleet of llama-server models", "ggufd"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", std::string("ggufd ") + kVersion);
    bool man_page = false;
    app.add_flag("--man-page", man_page, "Print ggufd(1) as roff")->group("");

    Chosen chosen;
    add_local_commands(app, chosen);
    add_client_commands(app, chosen);
    add_chat_command(app, chosen);
    add_systemd_commands(app, chosen);
    add_scale_out_commands(app, chosen);
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
    if (chosen) return chosen();
    std::fputs(app.help().c_str(), stderr);
    return kUsage;
}

}  // namespace ggufd::cli
