// Turns a complete request into its answer: authentication, the listener rules, and a hand-off
// to the proxy, the status endpoints or the admin API.
#pragma once

#include <memory>
#include <string>

#include "ggufd/supervisor/service_handle.h"

namespace ggufd::gateway {

class ClientConnection;

void dispatch(ClientConnection& connection);

/// Relays the current request to `service` at `target`, first waiting for the service to be
/// ready (starting it if it is lazy). Used by the model API and /upstream/.
void proxy_to_service(ClientConnection& connection, std::shared_ptr<supervisor::ServiceHandle> service,
                      std::string target);

}  // namespace ggufd::gateway
