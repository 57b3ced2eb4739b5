// One agent check from HAProxy (or anyone who connects): read a query line, answer it, close.
// Bounded by construction: at most kMaxQueryBytes are read, and a deadline closes a peer that
// does not finish its line in time.
#pragma once

#include <cstdint>
#include <string>

#include "ggufd/net/event_loop.h"
#include "ggufd/net/unique_fd.h"

namespace ggufd::agent {

class AgentLoop;

class AgentConnection : public net::IoHandler {
public:
    AgentConnection(AgentLoop& owner, net::UniqueFd fd, uint64_t id);
    ~AgentConnection() override;  ///< leaves the loop: no more events or deadline for it

    void on_io(uint32_t events) override;
    /// The deadline passed: a line without its line end is answered as it is, silence is not.
    void on_deadline();

private:
    void reply_and_close(std::string_view line);

    AgentLoop& owner_;
    net::UniqueFd fd_;
    const uint64_t id_;
    std::string buffer_;
    net::EventLoop::TimerId deadline_ = 0;
    bool done_ = false;
};

}  // namespace ggufd::agent
