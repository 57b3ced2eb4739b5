// What GET /health answers, decided from the services' states alone (pure, unit-tested). Two
// meanings (README.md, "Health checks"): the default asks "can this front door serve anything?",
// for load balancers; `?all=1` asks "is every eager service up?", for orchestrators that want
// the whole configured fleet running.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ggufd/supervisor/service_state.h"

namespace ggufd::gateway {

/// One service as /health sees it.
struct ServiceCondition {
    std::string name;
    supervisor::ServiceState state = supervisor::ServiceState::stopped;
    supervisor::StopCause cause = supervisor::StopCause::not_started;
    bool eager = false;
    std::string reason;
};

/// Whether a request naming the service would be served, now or after a start on demand: not
/// when it has failed, is unhealthy, or was stopped by a user, a reload or the shutdown.
bool can_serve(supervisor::ServiceState state, supervisor::StopCause cause);

struct HealthVerdict {
    int status = 200;     ///< 200 or 503
    nlohmann::json body;  ///< {"status":"ok"|"unavailable", "reason"?, "services":[{name, state, ...}]}
};

/// `accepting`: false once shutdown has begun (always 503). `all`: the strict meaning, 200 only
/// when every eager service is ready (or unloaded for idleness, as its idle_unload asks);
/// otherwise 200 when at least one service can serve.
HealthVerdict judge_health(const std::vector<ServiceCondition>& services, bool accepting, bool all);

}  // namespace ggufd::gateway
