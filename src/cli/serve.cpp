// `ggufd serve`: the daemon. Owns the startup and shutdown order (docs/ARCHITECTURE.md):
// signals blocked -> config -> front door bound -> supervisor and eager services -> READY=1.
// The main thread then only waits: SIGHUP or POST /reload reloads the config; SIGTERM/SIGINT:
// stop accepting -> drain -> stop every child in parallel -> exit 0 (a second signal skips the
// drain).
#include "serve.h"

#include <future>

#include "config_reload.h"
#include "config_source.h"
#include "daemon_events.h"
#include "exit_codes.h"
#include "gpu_setup.h"
#include "models_follower.h"
#include "systemd_notify.h"
#include "ggufd/agent/agent_server.h"
#include "ggufd/gateway/gateway.h"
#include "ggufd/gpu/discovery.h"
#include "ggufd/net/fd_limit.h"
#include "ggufd/net/socket.h"
#include "ggufd/supervisor/supervisor.h"
#include "ggufd/util/log.h"
#include "ggufd/util/logging.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

using namespace std::chrono_literals;

void log_gpus(const gpu::Discovery& discovery) {
    if (discovery.devices.empty()) spdlog::info("no GPUs found: services run on the CPU");
    for (const auto& device : discovery.devices) {
        spdlog::info("GPU {} {}: {} ({}{})", gpu::to_string(device.vendor), device.index, device.name,
                     device.integrated ? "integrated" : "discrete",
                     device.memory.total_bytes ? ", " + units::format_bytes(*device.memory.total_bytes) : "");
    }
    for (const auto& note : discovery.notes) {
        if (note.level == gpu::Note::Level::warning) spdlog::warn("{}", note.text);
        else spdlog::info("{}", note.text);
    }
}

// `drain_timeout` is the latest configuration's: a reload may have changed it.
void shut_down(gateway::Gateway& gateway, supervisor::Supervisor& supervisor, config::Duration drain_timeout,
               DaemonEvents& events, agent::AgentServer* agent) {
    notify_systemd(notify_text::stopping());
    if (agent) agent->shutting_down();  // balancers stop sending while requests in flight finish
    gateway.start_draining();
    int in_flight = gateway.active_requests();
    if (in_flight > 0) {
        spdlog::info("shutting down: waiting up to {} for {} request(s) in flight (signal again to skip)",
                     units::format_duration(drain_timeout), in_flight);
        auto deadline = std::chrono::steady_clock::now() + drain_timeout;
        while (!gateway.wait_drained(100ms)) {
            DaemonEvents::Event event = events.wait(0ms);
            for (auto& reply : event.reloads) reply(503, R"({"ok":false,"error":"the daemon is shutting down"})");
            if (event.signal == SIGTERM || event.signal == SIGINT) {
                spdlog::warn("second signal: not waiting for {} request(s) in flight", gateway.active_requests());
                break;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                spdlog::warn("drain_timeout passed with {} request(s) still in flight", gateway.active_requests());
                break;
            }
        }
    } else {
        spdlog::info("shutting down");
    }
    std::promise<void> children_stopped;
    supervisor.stop_all([&children_stopped] { children_stopped.set_value(); });
    children_stopped.get_future().wait();
    gateway.stop();
    if (agent) agent->stop();
    spdlog::info("all services stopped; exiting");
}

}  // namespace

int run_serve(const ServeOptions& options) {
    // First of all: every thread started from here on (the log flusher included) inherits the
    // mask, so SIGTERM/SIGINT/SIGHUP reach only the main thread.
    sigset_t signals = block_daemon_signals();
    DaemonEvents events(signals);
    // Pings from a thread of its own, from now on: loading the config, discovering GPUs, reloads
    // and drains all keep the main thread busy for as long as they take.
    WatchdogPinger watchdog;
    logging::setup(options.log_level);
    spdlog::info("{}", net::raise_fd_limit().describe());
    LoadedConfig loaded = load_config(options.config_path);
    if (!loaded.result.errors.empty()) {
        report_load(loaded);
        return kUsage;
    }
    const config::Config& config = *loaded.result.config;
    // Into the log only: printing them to stderr as well showed each warning twice.
    for (const auto& warning : loaded.result.warnings) spdlog::warn("{}", warning);
    spdlog::info("ggufd starting with {} ({} service(s))", loaded.described_source, config.services.size());

    auto discovery_options = gpu::DiscoveryOptions::from_environment();
    gpu::Discovery gpus = gpu::discover(discovery_options);
    log_gpus(gpus);
    gpu::DeviceMonitor monitor(gpus.devices, discovery_options);
    monitor.refresh_every(std::chrono::seconds(5));

    supervisor::Supervisor supervisor(config, make_gpu_assigner(gpus.devices), make_memory_options(config, monitor));
    auto budgets = supervisor.budgets();  // held for the loop: a reload may replace it meanwhile
    for (const auto& budget : *budgets) {
        spdlog::info("GPU {}: memory budget {} ({})", budget.device, units::format_bytes(budget.bytes), budget.source);
    }
    agent::DrainState drains;
    gateway::Gateway gateway(config, supervisor, monitor, drains,
                             [&events](gateway::ReloadReply reply) { events.request_reload(std::move(reply)); });
    std::unique_ptr<agent::AgentServer> agent;
    if (config.agent_listen) agent = std::make_unique<agent::AgentServer>(*config.agent_listen, supervisor, drains);
    try {
        gateway.start();
    } catch (const net::SocketError& e) {
        spdlog::critical("cannot open the front door: {}. Is another ggufd running? Change `listen` in {}.",
                         e.what(), loaded.described_source);
        return kFailed;
    }
    spdlog::info("front door listening on {}:{} ({} worker(s))", config.listen.host, config.listen.port,
                 gateway.worker_count());
    if (agent) {
        try {
            agent->start();
        } catch (const net::SocketError& e) {
            spdlog::critical("cannot open the HAProxy agent: {}. Change `agent_listen` in {}.", e.what(),
                             loaded.described_source);
            return kFailed;
        }
        spdlog::info("HAProxy agent listening on {}:{}", config.agent_listen->host, config.agent_listen->port);
    }
    supervisor.start([] {
        notify_systemd(notify_text::ready("Serving"));
        spdlog::info("eager services settled: ready");
    });

    config::Duration drain_timeout = config.drain_timeout;  // a reload may change it
    ModelsDirFollower models(config, supervisor, monitor);
    while (true) {
        DaemonEvents::Event event = events.wait(models.due_in().value_or(std::chrono::milliseconds(-1)), models.fd());
        if (event.also_readable) models.on_readable();
        models.on_due();
        if (event.signal == SIGTERM || event.signal == SIGINT) {
            spdlog::info("received {}", event.signal == SIGTERM ? "SIGTERM" : "SIGINT");
            for (auto& reply : event.reloads) reply(503, R"({"ok":false,"error":"the daemon is shutting down"})");
            break;
        }
        if (event.signal == SIGHUP || !event.reloads.empty()) {
            spdlog::info("reloading the configuration ({})", event.signal == SIGHUP ? "SIGHUP" : "POST /reload");
            notify_systemd(notify_text::reloading(monotonic_usec()));
            ReloadOutcome outcome = reload_config(options.config_path, config, supervisor, monitor);
            notify_systemd(notify_text::ready(outcome.status));
            for (auto& reply : event.reloads) reply(outcome.http_status, outcome.json);
            if (outcome.applied) {
                drain_timeout = outcome.applied->drain_timeout;
                models.config_changed(*outcome.applied);
            }
        }
    }
    shut_down(gateway, supervisor, drain_timeout, events, agent.get());
    spdlog::shutdown();  // joins the periodic flusher and flushes what is buffered
    return kOk;
}

}  // namespace ggufd::cli
