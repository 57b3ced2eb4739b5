// Thin, error-reporting wrappers over the socket calls ggufd makes: listening sockets for the
// front door, non-blocking loopback connections to children, and the "is this port free" check.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "ggufd/net/unique_fd.h"

namespace ggufd::net {

/// A failed socket call, with what was attempted: "listen on 127.0.0.1:8080: Address already in use".
class SocketError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A non-blocking listening socket. `reuse_port` lets several event loops each own a listener
/// on the same address (the kernel spreads connections across them). Throws SocketError.
UniqueFd listen_tcp(const std::string& host, uint16_t port, bool reuse_port, int backlog = 1024);

/// The port a socket is bound to (for listeners opened on port 0).
uint16_t local_port(int fd);

/// A non-blocking connection attempt: `error` is 0 when it succeeded or is still in progress
/// (wait for writability, then check connect_result()), else the errno that ended it.
struct ConnectAttempt {
    UniqueFd fd;
    int error = 0;
};

/// Starts a non-blocking TCP connection to 127.0.0.1:port with TCP_NODELAY set.
ConnectAttempt connect_loopback(uint16_t port);

/// 0 when the asynchronous connect on `fd` succeeded, else its errno.
int connect_result(int fd);

/// True when nothing on this machine listens on host:port and we may bind it.
bool port_is_free(const std::string& host, uint16_t port);

void set_nonblocking(int fd);
void set_nodelay(int fd);

}  // namespace ggufd::net
