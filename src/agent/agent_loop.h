// The agent's event loop: its listener, its open check connections (bounded in number, each with
// a deadline) and the snapshot of every service it answers from. Everything here runs on the
// agent's own thread; only AgentServer touches it from outside, through the loop's post/stop.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent_policy.h"
#include "slot_history.h"
#include "ggufd/agent/drain_state.h"
#include "ggufd/net/event_loop.h"
#include "ggufd/net/unique_fd.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::agent {

class AgentConnection;

class AgentLoop : public net::IoHandler {
public:
    AgentLoop(net::UniqueFd listener, const supervisor::Supervisor& supervisor, DrainState& drains,
              const std::atomic<bool>& shutting_down);
    ~AgentLoop() override;

    net::EventLoop& loop() { return loop_; }
    /// Registers the listener and the snapshot refresh; call before loop().run().
    void begin();

    /// The reply line for one query line (the bytes before its line end).
    std::string answer(std::string_view line);
    /// A connection is done (answered, timed out, or its peer left): drop it after this batch.
    void close(uint64_t id);
    /// A connection's deadline passed (by id: it may have closed meanwhile).
    void expire(uint64_t id);

    void on_io(uint32_t events) override;  ///< the listener: accept what is queued

private:
    void refresh();

    net::EventLoop loop_;
    net::UniqueFd listener_;
    const supervisor::Supervisor& supervisor_;
    DrainState& drains_;
    const std::atomic<bool>& shutting_down_;

    std::map<uint64_t, std::unique_ptr<AgentConnection>> connections_;  ///< by id: oldest first
    uint64_t next_id_ = 1;
    std::unordered_map<std::string, ServiceView> views_;      ///< by service name
    std::unordered_map<std::string, SlotHistory> slots_;      ///< by service name, across reloads
    std::unordered_map<std::string, std::string> canonical_;  ///< name or alias -> service name
};

}  // namespace ggufd::agent
