// What the agent tells HAProxy about one service on this node: a table from the service's state,
// the drain flags and the daemon's shutdown to "up with a weight", "drain", "down" or "maint".
// Pure, so every combination is unit-tested; the listener that asks lives in agent_server.cpp.
#pragma once

#include <string>
#include <string_view>

#include "ggufd/agent/drain_state.h"
#include "ggufd/agent/slots.h"
#include "ggufd/config/config.h"
#include "ggufd/supervisor/service_state.h"

namespace ggufd::agent {

/// What the supervisor last published about one service, and how busy it has been.
struct ServiceView {
    supervisor::ServiceState state = supervisor::ServiceState::stopped;
    supervisor::StopCause cause = supervisor::StopCause::not_started;
    std::string reason;
    int slots = 1;  ///< requests it serves at once (`parallel`)
    int held = 0;   ///< slots held without a free moment for the last 5 s (SlotHistory)
};

/// One answer, before it is written as HAProxy's words (agent_protocol.h).
struct Answer {
    enum class Kind {
        up,     ///< "ready up N%": serve, with this share of the server's configured weight
        drain,  ///< no new requests; those in flight finish
        down,   ///< cannot serve; `why` is shown on HAProxy's stats page
        maint,  ///< the daemon is shutting down
    };
    Kind kind = Kind::up;
    int weight_percent = 100;
    std::string why;

    bool keeps_new_requests_away() const { return kind != Kind::up; }
    bool operator==(const Answer&) const = default;
};

/// The answer for a known service asked about in `role`.
Answer decide(const ServiceView& service, Role role, bool drained, bool shutting_down);

/// The answer for a name this node does not serve.
Answer unknown_service(std::string_view name, bool shutting_down);

/// The answer for the node as a whole (a check that names no service).
Answer node_answer(bool drained, bool shutting_down);

/// The weight of a ready service: its share of free slots, never below 1 % so that a node whose
/// slots are all busy still takes requests (queued there) when every node is as busy.
int weight_from_slots(int slots, int held);

}  // namespace ggufd::agent
