#include "app.h"

#include <CLI/CLI.hpp>

#include "check_config.h"
#include "config_source.h"
#include "daemon_client.h"
#include "doctor.h"
#include "drain_command.h"
#include "exit_codes.h"
#include "haproxy_command.h"
#include "models_command.h"
#include "serve.h"
#include "service_commands.h"

namespace ggufd::cli {
namespace {

// Options every client command shares: where the daemon is, and how to answer.
struct ClientOptions {
    std::string url;
    std::string config_path;
    bool json = false;
};

void add_client_options(CLI::App* command, ClientOptions& options) {
    command->add_option("--url", options.url, "Daemon URL (default: from the config's admin_listen or listen)");
    command->add_option("-c,--config", options.config_path, "Config file to read the daemon's address from");
    command->add_flag("--json", options.json, "Machine-readable output");
}

DaemonClient client_for(const ClientOptions& options) {
    std::optional<config::Config> config;
    if (options.url.empty()) {
        LoadedConfig loaded = load_config(options.config_path);
        config = loaded.result.config;
    }
    return DaemonClient(options.url, config);
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"ggufd: one front door for a fleet of llama-server models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ggufd 0.1.0");

    ServeOptions serve;
    auto* serve_command = app.add_subcommand("serve", "Run the daemon in the foreground");
    serve_command->add_option("-c,--config", serve.config_path, "Config file (default: $XDG_CONFIG_HOME/ggufd/ggufd.toml, then /etc/ggufd/ggufd.toml)");
    serve_command->add_option("--log-level", serve.log_level, "trace, debug, info, warn or error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

    std::string check_path;
    bool check_json = false;
    auto* check_command = app.add_subcommand("check-config", "Validate a config file without starting anything");
    check_command->add_option("file", check_path, "Config file (default: the one `serve` would read)");
    check_command->add_flag("--json", check_json, "Machine-readable output");

    DoctorOptions doctor;
    auto* doctor_command = app.add_subcommand("doctor", "Check that everything needed to serve is in order");
    doctor_command->add_option("-c,--config", doctor.config_path, "Config file (default: the one `serve` would read)");
    doctor_command->add_flag("--json", doctor.json, "Machine-readable output");

    ModelsOptions models;
    auto* models_command = app.add_subcommand("models", "List the models with GGUF metadata and memory estimates");
    models_command->add_option("-c,--config", models.config_path, "Config file (default: the one `serve` would read)");
    models_command->add_flag("--json", models.json, "Machine-readable output");

    ClientOptions status_options;
    std::string status_service;
    auto* status_command = app.add_subcommand("status", "Show every service (or one) of a running daemon");
    status_command->add_option("service", status_service, "Only this service, in detail");
    add_client_options(status_command, status_options);

    ClientOptions action_options;
    std::string action_service;
    std::string action;
    for (const char* name : {"start", "stop", "restart"}) {
        auto* command = app.add_subcommand(name, std::string(name) + " a service and wait until it is done");
        command->add_option("service", action_service, "Service name")->required();
        add_client_options(command, action_options);
        command->callback([&action, name] { action = name; });
    }

    ClientOptions logs_options;
    std::string logs_service;
    int logs_tail = 100;
    bool logs_follow = false;
    auto* logs_command = app.add_subcommand("logs", "Print a service's recent output");
    logs_command->add_option("service", logs_service, "Service name")->required();
    logs_command->add_option("-n,--tail", logs_tail, "How many recent lines")->check(CLI::NonNegativeNumber);
    logs_command->add_flag("-f,--follow", logs_follow, "Keep printing new lines as they come");
    add_client_options(logs_command, logs_options);

    ClientOptions reload_options;
    auto* reload_command = app.add_subcommand("reload", "Make a running daemon re-read its config file");
    add_client_options(reload_command, reload_options);

    // Scale-out (docs/SCALE-OUT.md).
    ClientOptions drain_client;
    DrainOptions drain;
    auto* drain_command = app.add_subcommand("drain", "Take the node (or one service) out of its load balancer and wait "
                                                      "until no request is in flight");
    drain_command->add_option("service", drain.service, "Only this service");
    drain_command->add_option("--timeout", drain.timeout, "How long to wait for requests in flight")->capture_default_str();
    add_client_options(drain_command, drain_client);

    ClientOptions undrain_client;
    std::string undrain_service;
    auto* undrain_command = app.add_subcommand("undrain", "Put the node (or one service) back into its load balancer");
    undrain_command->add_option("service", undrain_service, "Only this service");
    add_client_options(undrain_command, undrain_client);

    HaproxyConfigOptions haproxy;
    auto* haproxy_command = app.add_subcommand("haproxy-config", "Write a HAProxy config for a fleet of ggufd nodes");
    haproxy_command->add_option("--node", haproxy.nodes, "A node's URL (its front door or admin_listen); repeat per node")
        ->required();
    haproxy_command->add_option("--listen", haproxy.listen, "Where HAProxy takes clients")->capture_default_str();
    haproxy_command->add_option("--out", haproxy.out, "Write the config here (default: standard output)");
    haproxy_command->add_option("--data-dir", haproxy.data_dir,
                                "Where the /v1/models files go (default: ggufd/ beside --out, else ./ggufd-haproxy)");
    haproxy_command->add_option("--check-interval", haproxy.check_interval, "Health and agent check interval")
        ->capture_default_str();
    haproxy_command->add_option("--max-body", haproxy.max_body, "Largest request body HAProxy reads to find \"model\"")
        ->capture_default_str();
    haproxy_command->add_option("--stats-socket", haproxy.stats_socket, "Give HAProxy an admin socket here");
    haproxy_command->add_option("--api-keys-file", haproxy.api_keys_file,
                                "The nodes' API keys, one per line, for what HAProxy answers itself");
    haproxy_command->add_option("--watch", haproxy.watch_seconds, "Ask the nodes again every SECONDS and rewrite on change")
        ->check(CLI::PositiveNumber);
    haproxy_command->add_option("--reload", haproxy.reload_command,
                                "With --watch: run this after each change (e.g. \"systemctl reload haproxy\")");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }

    if (serve_command->parsed()) return run_serve(serve);
    if (check_command->parsed()) return run_check_config(check_path, check_json);
    if (doctor_command->parsed()) return run_doctor(doctor);
    if (models_command->parsed()) return run_models(models);
    if (status_command->parsed()) return run_status(client_for(status_options), status_service, status_options.json);
    if (!action.empty()) return run_service_action(client_for(action_options), action_service, action, action_options.json);
    if (logs_command->parsed()) return run_logs(client_for(logs_options), logs_service, logs_tail, logs_follow);
    if (reload_command->parsed()) return run_reload(client_for(reload_options), reload_options.json);
    if (drain_command->parsed()) return run_drain(client_for(drain_client), drain, drain_client.json);
    if (undrain_command->parsed()) return run_undrain(client_for(undrain_client), undrain_service, undrain_client.json);
    if (haproxy_command->parsed()) return run_haproxy_config(haproxy);
    return kUsage;
}

}  // namespace ggufd::cli
