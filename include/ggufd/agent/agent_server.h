// HAProxy's agent-check endpoint (`agent_listen`, docs/SCALE-OUT.md): its own listener and event
// loop on its own thread. Each check is one short connection: a query line in, one answer out.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "ggufd/agent/drain_state.h"
#include "ggufd/config/config.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::agent {

class AgentLoop;

/// Answers HAProxy's agent checks from what the supervisor already published (a snapshot of
/// every service, refreshed every 250 ms on the agent's loop), never by asking a child. A ready
/// service is weighted by its slots not held for the last 5 s (SlotHistory). Every
/// peer is bounded: a query line of at most 256 bytes sent within 2 s, and at most 64 open
/// connections, the oldest being dropped for a new one. Owned by `serve`, which starts and stops
/// it; `supervisor` and `drains` must outlive it.
class AgentServer {
public:
    AgentServer(config::ListenAddress address, const supervisor::Supervisor& supervisor, DrainState& drains);
    ~AgentServer();  ///< stops the thread

    /// Binds the listener (throws net::SocketError) and starts the thread.
    void start();
    /// Thread-safe: the daemon is shutting down; every answer is "maint" from now on.
    void shutting_down();
    /// Thread-safe: ends the loop and joins the thread.
    void stop();

private:
    const config::ListenAddress address_;
    const supervisor::Supervisor& supervisor_;
    DrainState& drains_;
    std::atomic<bool> shutting_down_{false};
    std::unique_ptr<AgentLoop> loop_;
    std::thread thread_;
};

}  // namespace ggufd::agent
