// `ggufd drain`: which services this node asks its load balancer to keep new requests away from,
// and whether the balancer has been told yet (the agent answered "drain" since). The admin API
// sets it, the HAProxy agent reads it and records what it answered (docs/SCALE-OUT.md).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ggufd::agent {

/// The question one HAProxy server line asks the agent about a service (its agent-send string).
enum class Role {
    serve,    ///< "<name>": send new requests here now? Answered with a weight from free slots.
    standby,  ///< "<name> standby": could this node serve it, starting it first if need be?
};

std::string_view to_string(Role role);

/// Drain flags for the node and for single services, with what the agent last told the balancer
/// about each. Thread-safe. Held in memory only: a daemon restarts undrained, which is what a
/// rolling restart wants. Keyed by service name, so a drain survives a reload of the service.
class DrainState {
public:
    using Clock = std::chrono::steady_clock;

    void drain_node();
    /// Ends the node's drain and every service's.
    void undrain_all();
    void drain_service(const std::string& name);
    /// Ends this service's own drain (a node drain still applies).
    void undrain_service(const std::string& name);

    bool node_drained() const;
    /// Whether the service is drained, by itself or with the whole node.
    bool drained(const std::string& service) const;

    /// Agent: it answered a check about `service` for `role`; `kept_away` when the answer keeps
    /// new requests away (drain, maint, down).
    void record_answer(const std::string& service, Role role, bool kept_away);

    struct Progress {
        bool drained = false;
        std::optional<Clock::time_point> since;  ///< when the drain that applies began
        bool checked = false;                    ///< a balancer has ever asked about this service
        std::vector<Role> not_yet_told;          ///< roles asked about that have not heard "drain" since
    };
    Progress progress(const std::string& service) const;

private:
    std::optional<Clock::time_point> since_locked(const std::string& service) const;

    struct Told {
        Clock::time_point at;
        bool kept_away;
    };
    mutable std::mutex mutex_;
    std::optional<Clock::time_point> node_since_;
    std::map<std::string, Clock::time_point> service_since_;
    std::map<std::pair<std::string, Role>, Told> last_answer_;
};

}  // namespace ggufd::agent
