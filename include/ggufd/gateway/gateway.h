// The front door: OpenAI-compatible routing by `model`, streaming relay, health, status and the
// admin API, served by a few event-loop workers (one thread each) that share nothing but the
// configuration and the supervisor.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <memory>
#include <vector>

#include "ggufd/agent/drain_state.h"
#include "ggufd/config/config.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::gateway {

struct GatewayContext;
class Worker;

/// The answer to POST /reload: an HTTP status and a JSON body. May be called from any thread.
using ReloadReply = std::function<void(int status, const std::string& json)>;
/// Asks whoever owns the configuration to reload it, and to answer through the reply.
using ReloadRequester = std::function<void(ReloadReply reply)>;

class Gateway {
public:
    /// `devices` is read for GET /gpus and status output; `drains` is set by POST /drain; both
    /// must outlive the gateway. `reload` carries out POST /reload.
    Gateway(const config::Config& config, supervisor::Supervisor& supervisor, const gpu::DeviceMonitor& devices,
            agent::DrainState& drains, ReloadRequester reload);
    ~Gateway();  ///< stops the workers

    /// Binds the listeners and starts the workers. Throws net::SocketError ("listen on
    /// 127.0.0.1:8080: Address already in use") before anything is started.
    void start();
    /// Shutdown, step 1: requests in flight continue and their connections close after them;
    /// idle keep-alive connections are closed. Connections are still accepted, but /health
    /// answers 503 and every other new request 503 with Retry-After and Connection: close.
    void start_draining();
    /// Requests still being answered.
    int active_requests() const;
    /// Waits until no request is in flight, or `timeout` passes. True when drained.
    bool wait_drained(std::chrono::milliseconds timeout);
    /// Shutdown, last step: ends the workers; anything still open is dropped.
    void stop();

    int worker_count() const { return static_cast<int>(workers_.size()); }

private:
    std::unique_ptr<GatewayContext> context_;
    std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace ggufd::gateway
