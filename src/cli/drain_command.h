// `ggufd drain [NAME]` and `ggufd undrain [NAME]` (docs/SCALE-OUT.md): take the node (or one
// service) out of its load balancer's rotation through the agent, and wait until the balancer
// has been told and no request is in flight, so that it can be stopped without failing any.
#pragma once

#include <string>

#include "daemon_client.h"

namespace ggufd::cli {

struct DrainOptions {
    std::string service;           ///< empty: the whole node
    std::string timeout = "5m";    ///< how long to wait for requests in flight
};

/// kOk once drained; kFailed when the timeout passed first (the drain stays in force).
int run_drain(const DaemonClient& client, const DrainOptions& options, bool json);
int run_undrain(const DaemonClient& client, const std::string& service, bool json);

}  // namespace ggufd::cli
