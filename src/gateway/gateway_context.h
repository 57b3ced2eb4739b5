// What every front-door worker shares: the configuration, the supervisor, and the counters that
// shutdown drains on. Everything here is either immutable or thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ggufd/agent/drain_state.h"
#include "ggufd/config/config.h"
#include "ggufd/gateway/gateway.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/net/request_reader.h"
#include "body_validator.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::gateway {

struct GatewayContext {
    GatewayContext(const config::Config& config, supervisor::Supervisor& supervisor, const gpu::DeviceMonitor& devices,
                   agent::DrainState& drains, ReloadRequester reload)
        : config(config),
          supervisor(supervisor),
          devices(devices),
          drains(drains),
          request_reload(std::move(reload)),
          request_limits{.max_body_bytes = config.max_body_bytes} {}

    const config::Config& config;
    supervisor::Supervisor& supervisor;
    const gpu::DeviceMonitor& devices;
    agent::DrainState& drains;  ///< `ggufd drain` (docs/SCALE-OUT.md)
    const ReloadRequester request_reload;
    const supervisor::WallClock::time_point started_at = supervisor::WallClock::now();
    const net::RequestLimits request_limits;
    /// Each worker's share of max_connections, as it fits the descriptor limit (set by
    /// Gateway::start before any worker runs).
    size_t connections_per_worker = 1;

    /// False once shutdown has begun: /health answers 503, new requests get 503 and every
    /// connection closes after its answer.
    std::atomic<bool> accepting{true};
    std::atomic<int> active_requests{0};
    std::mutex drain_mutex;
    std::condition_variable drained;  ///< notified when active_requests reaches 0

    /// Reads big request bodies off the workers' loops; stopped after the workers, before they
    /// are destroyed (its answers are posted to their loops).
    BodyValidator body_validator{BodyValidator::threads_for(std::thread::hardware_concurrency())};
};

}  // namespace ggufd::gateway
