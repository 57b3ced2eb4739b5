// `ggufd serve`: the daemon. Owns the startup and shutdown order (docs/ARCHITECTURE.md):
// signals blocked -> config -> front door bound -> supervisor and eager services -> READY=1.
// The main thread then only waits: SIGHUP or POST /reload reloads the config; SIGTERM/SIGINT:
// stop accepting -> drain -> stop every child in parallel -> exit 0 (a second signal skips the
// drain).
#include "serve.h"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

#include <future>

#include "config_reload.h"
#include "config_source.h"
#include "daemon_events.h"
#include "exit_codes.h"
#include "gpu_setup.h"
#include "models_follower.h"
#include "ggufd/agent/agent_server.h"
#include "ggufd/gateway/gateway.h"
#include "ggufd/gpu/discovery.h"
#include "ggufd/net/fd_limit.h"
#include "ggufd/net/socket.h"
#include "ggufd/supervisor/supervisor.h"
#include "ggufd/util/logging.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

using namespace std::chrono_literals;

class WatchdogPinger {
public:
    WatchdogPinger() {
        uint64_t usec = 0;
        if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) interval_ = std::chrono::microseconds(usec / 2);
    }
    void maybe_ping() {
        if (interval_.count() == 0) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < interval_) return;
        last_ = now;
        sd_notify(0, "WATCHDOG=1");
    }
    std::chrono::milliseconds tick() const {
        return interval_.count() ? std::min<std::chrono::milliseconds>(
                                       std::chrono::duration_cast<std::chrono::milliseconds>(interval_), 1000ms)
                                 : 1000ms;
    }

private:
    std::chrono::microseconds interval_{0};
    std::chrono::steady_clock::time_point last_{};
};

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

void shut_down(gateway::Gateway& gateway, supervisor::Supervisor& supervisor, const config::Config& config,
               DaemonEvents& events, agent::AgentServer* agent) {
    sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
    if (agent) agent->shutting_down();  // balancers stop sending while requests in flight finish
    gateway.start_draining();
    int in_flight = gateway.active_requests();
    if (in_flight > 0) {
        spdlog::info("shutting down: waiting up to {} for {} request(s) in flight (signal again to skip)",
                     units::format_duration(config.drain_timeout), in_flight);
        auto deadline = std::chrono::steady_clock::now() + config.drain_timeout;
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
    logging::setup(options.log_level);
    spdlog::info("{}", net::raise_fd_limit().describe());
    LoadedConfig loaded = load_config(options.config_path);
    if (!report_load(loaded)) return kUsage;
    const config::Config& config = *loaded.result.config;
    for (const auto& warning : loaded.result.warnings) spdlog::warn("{}", warning);
    spdlog::info("ggufd starting with {} ({} service(s))", loaded.described_source, config.services.size());

    auto discovery_options = gpu::DiscoveryOptions::from_environment();
    gpu::Discovery gpus = gpu::discover(discovery_options);
    log_gpus(gpus);
    gpu::DeviceMonitor monitor(gpus.devices, discovery_options);
    monitor.refresh_every(std::chrono::seconds(5));

    supervisor::Supervisor supervisor(config, make_gpu_assigner(gpus.devices), make_memory_options(config, monitor));
    for (const auto& budget : *supervisor.budgets()) {
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
        sd_notify(0, "READY=1\nSTATUS=Serving");
        spdlog::info("eager services settled: ready");
    });

    WatchdogPinger watchdog;
    ModelsDirFollower models(config, supervisor, monitor);
    while (true) {
        watchdog.maybe_ping();
        DaemonEvents::Event event = events.wait(std::min(watchdog.tick(), models.due_in().value_or(watchdog.tick())),
                                                models.fd());
        if (event.also_readable) models.on_readable();
        models.on_due();
        if (event.signal == SIGTERM || event.signal == SIGINT) {
            spdlog::info("received {}", event.signal == SIGTERM ? "SIGTERM" : "SIGINT");
            for (auto& reply : event.reloads) reply(503, R"({"ok":false,"error":"the daemon is shutting down"})");
            break;
        }
        if (event.signal == SIGHUP || !event.reloads.empty()) {
            spdlog::info("reloading the configuration ({})", event.signal == SIGHUP ? "SIGHUP" : "POST /reload");
            sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
            ReloadOutcome outcome = reload_config(options.config_path, config, supervisor, monitor);
            sd_notify(0, "READY=1\nSTATUS=Serving");
            for (auto& reply : event.reloads) reply(outcome.http_status, outcome.json);
            if (outcome.applied) models.config_changed(*outcome.applied);
        }
    }
    shut_down(gateway, supervisor, config, events, agent.get());
    spdlog::shutdown();  // joins the periodic flusher and flushes what is buffered
    return kOk;
}

}  // namespace ggufd::cli
