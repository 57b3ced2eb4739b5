// How many requests a service serves at once, as the agent weighs it and GET /node reports it.
#pragma once

#include "ggufd/config/config.h"

namespace ggufd::agent {

/// `parallel` when set, else llama-server's default (`--parallel -1`, "auto": 4 slots). Set
/// `parallel` for a `command` service whose server takes another number of requests at once.
int slots_of(const config::ServiceConfig& service);

}  // namespace ggufd::agent
