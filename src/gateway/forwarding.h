// What crosses the proxy, rewritten only where HTTP requires it: hop-by-hop headers are dropped
// and framing is re-declared for each side; everything else, bodies included, passes unchanged.
// Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ggufd/net/http_message.h"

namespace ggufd::gateway {

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus framing
/// headers that the proxy sets itself.
bool is_hop_by_hop(std::string_view name);

/// The headers that carry a client's API key to ggufd: Authorization and X-Api-Key.
bool is_client_credential(std::string_view name);

/// The request head sent to a child on 127.0.0.1:port: the client's method, `target`, and
/// end-to-end headers, with Host and Content-Length set for the (already complete) body. The
/// client's credentials are for ggufd, not for the child: they are dropped unless
/// `forward_credentials` (the config key of that name) says the children want them.
std::string upstream_request_head(const net::RequestHead& request, std::string_view target, uint16_t port,
                                  uint64_t body_bytes, bool forward_credentials = false);

/// How the relayed body is framed towards the client.
enum class ClientFraming {
    none,            ///< no body (HEAD, 204, 304)
    content_length,  ///< the child's Content-Length, bytes copied as they come
    chunked,         ///< each piece the child sends becomes one chunk
    close,           ///< raw bytes, connection closed at the end (HTTP/1.0 clients)
};

ClientFraming choose_client_framing(const net::ResponseHead& upstream, bool head_request, int client_version_minor);

/// The response head for the client: the child's status and end-to-end headers, plus our own
/// framing and connection headers. The child's own CORS headers (llama-server allows every
/// origin) are replaced by `cors`, the front door's (cors.h), so that cors_origins holds.
std::string client_response_head(const net::ResponseHead& upstream, ClientFraming framing, bool keep_alive,
                                 const std::vector<net::Header>& cors = {});

}  // namespace ggufd::gateway
