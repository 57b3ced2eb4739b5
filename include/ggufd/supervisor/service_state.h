// The lifecycle states of a service (README.md) and the reasons a service is not serving, which
// status output must always be able to name: peers conflate these, ggufd must not.
#pragma once

#include <string_view>

namespace ggufd::supervisor {

/// stopped -> starting -> ready <-> unhealthy -> stopping -> stopped, plus failed (gave up).
enum class ServiceState { stopped, starting, ready, unhealthy, stopping, failed };

/// Why a service last left (or never reached) `ready`. The free-text detail (exit code, last
/// log lines, the deadline that passed) travels beside it in ServiceStatus::reason.
enum class StopCause {
    none,            ///< serving, or never started
    not_started,     ///< lazy: waits for its first request
    user,            ///< stopped by a user (admin API / CLI)
    idle,            ///< unloaded after idle_unload without requests
    evicted,         ///< stopped to make memory room for another service
    crashed,         ///< the child exited or was killed without being asked to
    load_failed,     ///< the child never became healthy (exit, timeout, missing file)
    unhealthy,       ///< killed after failing health checks or printing a fatal error
    restart_limit,   ///< crashed too often: `failed` until started by hand
    no_memory,       ///< could not start: its GPU's memory budget is held by busy services
    shutdown,        ///< the daemon is stopping
    removed,         ///< removed from the config by a reload
    environment,     ///< could not start for the machine's shortage (EMFILE, ...): retried, not counted
};

std::string_view to_string(ServiceState state);
std::string_view to_string(StopCause cause);

}  // namespace ggufd::supervisor
