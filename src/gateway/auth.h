// API keys (docs/CONFIG.md): the front door and the admin API each accept a configured set of bearer
// keys, compared in constant time so that response timing reveals nothing about them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ggufd/net/http_message.h"

namespace ggufd::gateway {

/// The key a request presents: "Authorization: Bearer <key>", else "x-api-key: <key>" (as
/// Anthropic-style clients send on /v1/messages). Empty when none.
std::string_view presented_key(const net::RequestHead& request);

/// True when `keys` is empty (no authentication configured) or `presented` matches one of them.
bool key_accepted(const std::vector<std::string>& keys, std::string_view presented);

bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace ggufd::gateway
