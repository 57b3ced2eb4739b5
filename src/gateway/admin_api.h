// The admin API (README.md): service status, start/stop/restart, logs (with SSE follow), GPUs,
// metrics and reload. Actions are carried out by the supervisor; answers come back here.
#pragma once

#include "route.h"

namespace ggufd::gateway {

class ClientConnection;

void handle_admin_request(ClientConnection& connection, const Route& route);

}  // namespace ggufd::gateway
