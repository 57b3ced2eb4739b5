// What every front-door worker shares: the configuration, the supervisor, and the counters that
// shutdown drains on. Everything here is either immutable or thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "ggufd/agent/drain_state.h"
#include "ggufd/config/config.h"
#include "ggufd/gateway/gateway.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::gateway {

struct GatewayContext {
    GatewayContext(const config::Config& config, supervisor::Supervisor& supervisor, const gpu::DeviceMonitor& devices,
                   agent::DrainState& drains, ReloadRequester reload)
        : config(config), supervisor(supervisor), devices(devices), drains(drains), request_reload(std::move(reload)) {}

    const config::Config& config;
    supervisor::Supervisor& supervisor;
    const gpu::DeviceMonitor& devices;
    agent::DrainState& drains;  ///< `ggufd drain` (docs/SCALE-OUT.md)
    const ReloadRequester request_reload;
    const supervisor::WallClock::time_point started_at = supervisor::WallClock::now();

    std::atomic<bool> accepting{true};
    std::atomic<int> active_requests{0};
    std::mutex drain_mutex;
    std::condition_variable drained;  ///< notified when active_requests reaches 0
};

}  // namespace ggufd::gateway
