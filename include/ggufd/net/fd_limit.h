// The process's file-descriptor limit (RLIMIT_NOFILE): raised at start as far as the system
// allows, and read back to size the front door's max_connections (docs/LIMITS.md).
#pragma once

#include <cstdint>
#include <string>

namespace ggufd::net {

struct FdLimitChange {
    uint64_t before = 0;  ///< the soft limit the daemon was started with
    uint64_t after = 0;   ///< the soft limit now
    uint64_t hard = 0;
    std::string error;    ///< why raising failed, if it did

    /// One line for the log: what the limit is and where it came from.
    std::string describe() const;
};

/// Raises the soft RLIMIT_NOFILE to the hard limit (systemd starts services with a soft limit
/// of 1024 and a much higher hard one). Children inherit the raised limit.
FdLimitChange raise_fd_limit();

/// The soft RLIMIT_NOFILE now.
uint64_t fd_limit();

}  // namespace ggufd::net
