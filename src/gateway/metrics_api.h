// GET /metrics: Prometheus text exposition of the front door's and each service's figures
// (requests, errors, latency and time-to-first-token histograms, tokens, restarts, state,
// in-flight) and of each GPU's memory and budget.
#pragma once

#include <string>

namespace ggufd::gateway {

struct GatewayContext;

std::string prometheus_metrics(const GatewayContext& context);

}  // namespace ggufd::gateway
