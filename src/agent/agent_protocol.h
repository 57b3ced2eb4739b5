// HAProxy's agent-check protocol as ggufd speaks it (docs/SCALE-OUT.md): the line HAProxy sends
// (its `agent-send` string) and the line ggufd answers. Pure text, unit-tested and bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "agent_policy.h"

namespace ggufd::agent {

/// The longest query line accepted; a peer that sends more without a line end is cut off.
inline constexpr size_t kMaxQueryBytes = 256;

/// What a check asks: a service (by name or alias) in a role, or the node (`service` empty).
struct Query {
    std::string service;
    Role role = Role::serve;
    bool operator==(const Query&) const = default;
};

/// Parses one query line without its line end: "" (the node), "<name>" or "<name> standby".
/// Words may be separated by spaces or tabs. nullopt when it is anything else.
std::optional<Query> parse_query(std::string_view line);

/// The reply line, "\n"-terminated: "ready up 75%", "drain", "maint" or "down#<why>". The why is
/// cut to printable ASCII without '#' and to a length HAProxy shows in full.
std::string render(const Answer& answer);

/// The reply to a line that is not a query: down, saying what the agent expects.
std::string malformed_query_reply();

}  // namespace ggufd::agent
