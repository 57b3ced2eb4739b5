// Turns a request into its answer: as soon as its head is here, the checks that may refuse it
// (shutdown, the API key, the admin API's browser rules, the listener rules); once it is
// complete, a hand-off to the proxy, the status endpoints or the admin API.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ggufd/supervisor/service_handle.h"
#include "response.h"

namespace ggufd::gateway {

class ClientConnection;

/// Called when the request's head is complete, before any of its body is read: finds its route
/// (kept in the connection) and returns the refusal to answer with, if any (503 while shutting
/// down, 401 without a valid key, 403 for a cross-site admin request). The connection answers a
/// refusal and closes, without reading the body.
std::optional<Response> screen(ClientConnection& connection);

/// Called when the whole request is here and screen() let it pass.
void dispatch(ClientConnection& connection);

/// Relays the current request to `service` at `target`, first waiting for the service to be
/// ready (starting it if it is lazy). Used by the model API and /upstream/.
void proxy_to_service(ClientConnection& connection, std::shared_ptr<supervisor::ServiceHandle> service,
                      std::string target);

}  // namespace ggufd::gateway
