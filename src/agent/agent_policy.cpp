#include "agent_policy.h"

#include <algorithm>

namespace ggufd::agent {
namespace {

using supervisor::ServiceState;
using supervisor::StopCause;

// llama-server's --parallel default (-1, "auto") gives 4 slots.
constexpr int kLlamaServerDefaultSlots = 4;

Answer up(int weight_percent) { return Answer{Answer::Kind::up, weight_percent, ""}; }
Answer drain() { return Answer{Answer::Kind::drain, 0, ""}; }
Answer maint() { return Answer{Answer::Kind::maint, 0, ""}; }
Answer down(const ServiceView& service) {
    std::string why(supervisor::to_string(service.state));
    if (!service.reason.empty()) why += ": " + service.reason;
    return Answer{Answer::Kind::down, 0, why};
}

// Broken rather than resting: it crashed, failed to load or was killed as unhealthy.
bool broken(StopCause cause) {
    return cause == StopCause::crashed || cause == StopCause::load_failed || cause == StopCause::unhealthy ||
           cause == StopCause::restart_limit;
}

// The user or the daemon took it away on purpose: a request would be refused, not served.
bool withdrawn(StopCause cause) {
    return cause == StopCause::user || cause == StopCause::shutdown || cause == StopCause::removed;
}

// "<name>": only a ready service takes new requests; one on its way up or down is drained (it is
// coming, or leaving, and the standby line covers the time no node serves it); a broken one is down.
Answer serve_answer(const ServiceView& service) {
    switch (service.state) {
        case ServiceState::ready:
            return up(weight_from_slots(service.slots, service.held));
        case ServiceState::unhealthy:
        case ServiceState::failed:
            return down(service);
        case ServiceState::starting:
            return drain();
        case ServiceState::stopping:
        case ServiceState::stopped:
            return broken(service.cause) ? down(service) : drain();
    }
    return drain();
}

// "<name> standby": anything that a request sent now would end up served by, once the service has
// (re)started, is up; a service stopped on purpose is drained; one that cannot serve is down.
Answer standby_answer(const ServiceView& service) {
    switch (service.state) {
        case ServiceState::unhealthy:
        case ServiceState::failed:
            return down(service);
        case ServiceState::ready:
        case ServiceState::starting:
            return up(100);
        case ServiceState::stopping:
        case ServiceState::stopped:
            return withdrawn(service.cause) ? drain() : up(100);
    }
    return drain();
}

}  // namespace

Answer decide(const ServiceView& service, Role role, bool drained, bool shutting_down) {
    if (shutting_down) return maint();
    if (drained) return drain();
    return role == Role::serve ? serve_answer(service) : standby_answer(service);
}

Answer unknown_service(std::string_view name, bool shutting_down) {
    if (shutting_down) return maint();
    return Answer{Answer::Kind::down, 0, "no service named \"" + std::string(name) + "\" on this node"};
}

Answer node_answer(bool drained, bool shutting_down) {
    if (shutting_down) return maint();
    return drained ? drain() : up(100);
}

int weight_from_slots(int slots, int held) {
    slots = std::max(slots, 1);
    int free = slots - std::clamp(held, 0, slots);
    return std::max(1, (100 * free + slots / 2) / slots);
}

int slots_of(const config::ServiceConfig& service) {
    if (service.parallel && *service.parallel > 0) return *service.parallel;
    return kLlamaServerDefaultSlots;
}

}  // namespace ggufd::agent
