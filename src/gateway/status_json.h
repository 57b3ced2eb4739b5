// The JSON that describes services to people and scripts: one shape for GET /services,
// GET /services/<name> and the extra fields of GET /v1/models, so they never disagree.
#pragma once

#include <nlohmann/json.hpp>

#include "gateway_context.h"
#include "ggufd/supervisor/service_handle.h"

namespace ggufd::gateway {

/// State, reason, pid, port, uptime, restarts, last exit, in-flight, GPUs, model and memory.
nlohmann::json service_json(supervisor::ServiceHandle& service);

/// The GGUF summary and memory estimate (or why they are missing).
nlohmann::json model_json(const supervisor::ModelFacts& facts);

/// Every GPU (discovered or budgeted): memory as the device reports it, the budget, and what
/// the running services are charged on it.
nlohmann::json gpus_json(const GatewayContext& context);

/// Seconds since the epoch, as OpenAI's `created` and our timestamps use.
int64_t unix_seconds(supervisor::WallClock::time_point at);

}  // namespace ggufd::gateway
