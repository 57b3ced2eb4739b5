// The read-only endpoints anyone may poll: GET /v1/models (OpenAI's list plus our fields) and
// GET /v1/models/<id> (one entry), GET /health and GET /health/<service> (what load balancers
// and orchestrators check; the verdict itself is health_verdict.h's).
#pragma once

#include "route.h"

namespace ggufd::gateway {

class ClientConnection;

void handle_status_request(ClientConnection& connection, const Route& route);

}  // namespace ggufd::gateway
