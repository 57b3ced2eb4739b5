// CORS for the front door's model APIs (/v1/* and /upstream/*): which browser origins may read
// their answers (`cors_origins`, docs/CONFIG.md), and ggufd's own answer to a browser's
// preflight. Pure: the dispatcher decides where it applies; the admin API never gets any of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ggufd/net/http_message.h"
#include "response.h"

namespace ggufd::gateway {

/// Whether `origin` (the request's Origin header) is in `allowed` ("*" allows every origin).
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

/// The headers an answer to a request from `origin` carries: none when the request sent no
/// Origin (not a browser) or its origin is not allowed; otherwise Access-Control-Allow-Origin
/// ("*", or the origin itself plus `Vary: Origin` when only listed origins are allowed) and
/// Access-Control-Expose-Headers, so that a page can read Retry-After. Never
/// Access-Control-Allow-Credentials: keys travel in headers, not cookies.
std::vector<net::Header> cors_headers(const std::vector<std::string>& allowed, std::string_view origin);

/// ggufd's answer to OPTIONS on a CORS route, which never needs an API key (browsers send none
/// with a preflight): from an allowed origin, 204 with the CORS headers, `methods` as
/// Access-Control-Allow-Methods, the requested headers as Access-Control-Allow-Headers and
/// Access-Control-Max-Age (and Access-Control-Allow-Private-Network when Chrome asks for it and
/// the origin is listed by name, not just allowed by "*"); from another origin, 403 naming
/// cors_origins; without an Origin (not a browser), 204 with Allow.
Response preflight_response(const std::vector<std::string>& allowed, const net::RequestHead& request,
                            std::string_view methods);

/// How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours).
inline constexpr int kPreflightMaxAgeSeconds = 7200;

}  // namespace ggufd::gateway
