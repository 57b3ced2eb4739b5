// The admin endpoints of scale-out (docs/SCALE-OUT.md): GET /node tells `ggufd haproxy-config`
// what this node serves and where its agent listens; POST /drain, /undrain and
// /services/<name>/drain|undrain set the drain flags the agent reports; GET /drain says how far
// a drain has come (balancers told, requests still in flight), for `ggufd drain` to wait on.
#pragma once

#include "route.h"

namespace ggufd::gateway {

class ClientConnection;

void handle_node_request(ClientConnection& connection, const Route& route);

}  // namespace ggufd::gateway
