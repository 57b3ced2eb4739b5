// Hands out the ports children listen on: a service's fixed port, or the lowest free one in
// port_range. A service keeps its port across restarts, so clients that talk to it directly
// keep working; ports are checked free (by binding) before a child is started on them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ggufd::supervisor {

/// What binding a port showed. `unknown`: it could not be tried for a cause of ours (no
/// descriptor left), which says nothing about the port.
enum class PortState { free, in_use, unknown };

/// Binds 127.0.0.1:port for a moment.
PortState probe_port(uint16_t port);

class PortAllocator {
public:
    /// `probe` is injectable for tests; by default probe_port().
    PortAllocator(uint16_t first, uint16_t last, std::set<uint16_t> reserved,
                  std::function<PortState(uint16_t)> probe = {});

    struct Result {
        uint16_t port = 0;    ///< 0: none
        std::string error;    ///< why not, in words
        bool retry = false;   ///< the ports could not be checked now: try again later
    };

    /// The port for `service`: its `fixed` port if given, else the one it had, else the lowest
    /// free port in the range that no other service holds.
    Result acquire(const std::string& service, std::optional<uint16_t> fixed);
    /// Forgets the service's port (it was removed from the config).
    void release(const std::string& service);
    /// A reload's new range and reserved ports; ports already given out stay with their services.
    void reconfigure(uint16_t first, uint16_t last, std::set<uint16_t> reserved);

private:
    uint16_t first_, last_;
    std::set<uint16_t> reserved_;  // fixed ports of configured services and the daemon's own
    std::function<PortState(uint16_t)> probe_;
    std::map<std::string, uint16_t> assigned_;
};

}  // namespace ggufd::supervisor
