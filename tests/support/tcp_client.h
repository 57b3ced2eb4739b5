// Raw TCP as the agent-check tests speak it: one exchange (send, read until the peer closes),
// and connections held open on purpose to play silent or slow peers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ggufd/net/unique_fd.h"

namespace ggufd::test {

struct TcpReply {
    bool connected = false;
    std::string received;
    bool closed_by_peer = false;  ///< false: `timeout` passed first
};

/// Connects to host:port, sends `bytes`, and reads until the peer closes or `timeout` passes.
TcpReply tcp_exchange(const std::string& host, uint16_t port, std::string_view bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A blocking connection to host:port (invalid when it fails), for a test to hold open.
net::UniqueFd tcp_connect(const std::string& host, uint16_t port);

/// Whether the peer has closed `fd` within `timeout` (reads and discards what arrives).
bool wait_peer_closed(int fd, std::chrono::milliseconds timeout);

}  // namespace ggufd::test
