#include "ggufd/supervisor/service_state.h"

namespace ggufd::supervisor {

std::string_view to_string(ServiceState state) {
    switch (state) {
        case ServiceState::stopped: return "stopped";
        case ServiceState::starting: return "starting";
        case ServiceState::ready: return "ready";
        case ServiceState::unhealthy: return "unhealthy";
        case ServiceState::stopping: return "stopping";
        case ServiceState::failed: return "failed";
    }
    return "unknown";
}

std::string_view to_string(StopCause cause) {
    switch (cause) {
        case StopCause::none: return "none";
        case StopCause::not_started: return "not-started";
        case StopCause::user: return "stopped-by-user";
        case StopCause::idle: return "idle-unload";
        case StopCause::evicted: return "evicted";
        case StopCause::crashed: return "crashed";
        case StopCause::load_failed: return "load-failed";
        case StopCause::unhealthy: return "unhealthy";
        case StopCause::restart_limit: return "restart-limit";
        case StopCause::no_memory: return "no-memory";
        case StopCause::shutdown: return "shutdown";
        case StopCause::removed: return "removed";
        case StopCause::environment: return "environment";
    }
    return "unknown";
}

}  // namespace ggufd::supervisor
