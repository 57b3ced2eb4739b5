// The admin API of a daemon that has no admin keys is protected by where requests come from: a
// web page on another site must not stop services through the user's browser (cross-site
// requests), nor through a name that it makes resolve to 127.0.0.1 (DNS rebinding). Pure
// functions of the request head, unit-tested; docs/LIMITS.md describes the rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ggufd/net/http_message.h"

namespace ggufd::gateway {

/// "localhost", "*.localhost", 127.0.0.0/8 written as a dotted quad, or "::1" (with or without
/// brackets): names only this machine can be reached by. Strict: "127.0.0.1.example.com" is not.
bool is_loopback_name(std::string_view host);

/// The host part of a Host header value: "[::1]:8080" -> "[::1]", "localhost:8080" -> "localhost".
std::string_view host_without_port(std::string_view authority);

/// Why a request to a keyless admin API is refused (the text of the 403), or nullopt when it may
/// pass. A request from a browser page must come from the daemon's own origin (the Origin header
/// names the Host the request was sent to) or one of `allowed_origins`; a no-cors request that a
/// browser marks Sec-Fetch-Site: cross-site is refused too. On a loopback listener the Host must
/// be a loopback name or address, which a rebinding page cannot produce. Clients that are not
/// browsers (curl, ggufd's own CLI) send no Origin and pass.
std::optional<std::string> admin_refusal(const net::RequestHead& request, bool loopback_listener,
                                         const std::vector<std::string>& allowed_origins);

}  // namespace ggufd::gateway
