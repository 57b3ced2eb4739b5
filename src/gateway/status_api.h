// The read-only endpoints anyone may poll: GET /v1/models (OpenAI's list plus our fields),
// GET /health and GET /health/<service> (what orchestrators check).
#pragma once

#include "route.h"

namespace ggufd::gateway {

class ClientConnection;

void handle_status_request(ClientConnection& connection, const Route& route);

}  // namespace ggufd::gateway
