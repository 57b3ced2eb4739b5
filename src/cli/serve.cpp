// `ggufd serve`: the daemon. Owns the startup and shutdown order (docs/ARCHITECTURE.md):
// config -> front door bound -> supervisor and eager services -> READY=1; on SIGTERM/SIGINT:
// stop accepting -> drain -> stop every child in parallel -> exit 0. A second signal skips the
// drain. The main thread does nothing but wait for signals.
#include "serve.h"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

#include <future>

#include "config_source.h"
#include "exit_codes.h"
#include "gpu_setup.h"
#include "ggufd/gateway/gateway.h"
#include "ggufd/gpu/discovery.h"
#include "ggufd/net/socket.h"
#include "ggufd/supervisor/supervisor.h"
#include "ggufd/util/logging.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

using namespace std::chrono_literals;

// Signals are taken synchronously by the main thread; every other thread inherits the mask, so
// none of them is ever interrupted by one.
sigset_t block_daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A client that vanishes mid-write must cost an EPIPE, not the process.
    signal(SIGPIPE, SIG_IGN);
    return set;
}

// Waits up to `timeout` for one of `set`; 0 when none came.
int wait_for_signal(const sigset_t& set, std::chrono::milliseconds timeout) {
    timespec wait{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1'000'000};
    int sig = sigtimedwait(&set, nullptr, &wait);
    return sig > 0 ? sig : 0;
}

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
               const sigset_t& signals) {
    sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
    gateway.stop_accepting();
    int in_flight = gateway.active_requests();
    if (in_flight > 0) {
        spdlog::info("shutting down: waiting up to {} for {} request(s) in flight (signal again to skip)",
                     units::format_duration(config.drain_timeout), in_flight);
        auto deadline = std::chrono::steady_clock::now() + config.drain_timeout;
        while (!gateway.wait_drained(100ms)) {
            if (wait_for_signal(signals, 0ms)) {
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
    spdlog::info("all services stopped; exiting");
}

}  // namespace

int run_serve(const ServeOptions& options) {
    // First of all: every thread started from here on (the log flusher included) inherits the
    // mask, so SIGTERM/SIGINT/SIGHUP reach only the main thread's sigtimedwait.
    sigset_t signals = block_daemon_signals();
    logging::setup(options.log_level);
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
    for (const auto& budget : supervisor.budgets()) {
        spdlog::info("GPU {}: memory budget {} ({})", budget.device, units::format_bytes(budget.bytes), budget.source);
    }
    gateway::Gateway gateway(config, supervisor, monitor);
    try {
        gateway.start();
    } catch (const net::SocketError& e) {
        spdlog::critical("cannot open the front door: {}. Is another ggufd running? Change `listen` in {}.",
                         e.what(), loaded.described_source);
        return kFailed;
    }
    spdlog::info("front door listening on {}:{} ({} worker(s))", config.listen.host, config.listen.port,
                 gateway.worker_count());
    supervisor.start([] {
        sd_notify(0, "READY=1\nSTATUS=Serving");
        spdlog::info("eager services settled: ready");
    });

    WatchdogPinger watchdog;
    while (true) {
        watchdog.maybe_ping();
        int sig = wait_for_signal(signals, watchdog.tick());
        if (sig == SIGTERM || sig == SIGINT) {
            spdlog::info("received {}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            break;
        }
        if (sig == SIGHUP) spdlog::warn("SIGHUP: configuration reload is not supported yet; restart ggufd to apply changes");
    }
    shut_down(gateway, supervisor, config, signals);
    spdlog::shutdown();  // joins the periodic flusher and flushes what is buffered
    return kOk;
}

}  // namespace ggufd::cli
