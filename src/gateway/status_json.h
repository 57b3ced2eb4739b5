// The JSON that describes services to people and scripts: one shape for GET /services,
// GET /services/<name> and the extra fields of GET /v1/models, so they never disagree.
#pragma once

#include <nlohmann/json.hpp>

#include "ggufd/supervisor/service_handle.h"

namespace ggufd::gateway {

/// State, reason, pid, port, uptime, restarts, last exit, in-flight, GPUs, settings.
nlohmann::json service_json(supervisor::ServiceHandle& service);

/// Seconds since the epoch, as OpenAI's `created` and our timestamps use.
int64_t unix_seconds(supervisor::WallClock::time_point at);

}  // namespace ggufd::gateway
