#include "health_verdict.h"

namespace ggufd::gateway {
namespace {

using supervisor::ServiceState;
using supervisor::StopCause;

bool stopped_on_purpose(StopCause cause) {
    return cause == StopCause::user || cause == StopCause::shutdown || cause == StopCause::removed;
}

bool up_as_configured(const ServiceCondition& service) {
    return service.state == ServiceState::ready ||
           (service.state == ServiceState::stopped && service.cause == StopCause::idle);
}

std::string names_with_states(const std::vector<const ServiceCondition*>& services) {
    std::string text;
    for (const ServiceCondition* service : services) {
        text += (text.empty() ? "" : ", ") + service->name + " (" + std::string(supervisor::to_string(service->state)) + ")";
    }
    return text;
}

}  // namespace

bool can_serve(ServiceState state, StopCause cause) {
    switch (state) {
        case ServiceState::ready:
        case ServiceState::starting:
            return true;
        case ServiceState::stopping:
        case ServiceState::stopped:
            return !stopped_on_purpose(cause);  // idle, evicted, crashed, not started: started on demand
        case ServiceState::unhealthy:
        case ServiceState::failed:
            return false;
    }
    return false;
}

HealthVerdict judge_health(const std::vector<ServiceCondition>& services, bool accepting, bool all) {
    nlohmann::json list = nlohmann::json::array();
    std::vector<const ServiceCondition*> blocking;  // what makes the answer 503
    size_t serving = 0;
    for (const ServiceCondition& service : services) {
        const bool able = can_serve(service.state, service.cause);
        serving += able;
        nlohmann::json entry = {{"name", service.name}, {"state", supervisor::to_string(service.state)}, {"can_serve", able}};
        if (service.state != ServiceState::ready) entry["reason"] = service.reason;
        list.push_back(std::move(entry));
        if (all && service.eager && !up_as_configured(service)) blocking.push_back(&service);
    }
    HealthVerdict verdict;
    std::string reason;
    if (!accepting) {
        reason = "ggufd is shutting down";
    } else if (all && !blocking.empty()) {
        reason = std::to_string(blocking.size()) + " eager service(s) not ready: " + names_with_states(blocking);
    } else if (!all && serving == 0) {
        reason = services.empty() ? "no services are configured or discovered" : "no service can serve";
    }
    verdict.status = reason.empty() ? 200 : 503;
    verdict.body = {{"status", reason.empty() ? "ok" : "unavailable"}};
    if (!reason.empty()) verdict.body["reason"] = reason;
    verdict.body["services"] = std::move(list);
    return verdict;
}

}  // namespace ggufd::gateway
