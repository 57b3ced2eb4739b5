// A service runner's lifecycle as one table: for every phase and every event, the action to take
// and the phase that follows (docs/ARCHITECTURE.md, "A service's life"). Pure data and a lookup,
// so a unit test can walk every pair; ServiceRunner only performs the actions it names.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace ggufd::supervisor {

/// Where a runner is. Finer than the public ServiceState: several phases publish the same state
/// (admitting and loading are both `starting`), and the phase alone says whether a child runs.
enum class Phase {
    idle,        ///< no child, nothing pending: `stopped` or `failed`
    backoff,     ///< no child, a restart is due when its timer fires: `stopped`
    admitting,   ///< no child yet, waiting for the memory budget (or a predecessor's port): `starting`
    loading,     ///< child running, /health not yet 200: `starting`
    ready,       ///< child serving: `ready`
    degraded,    ///< child running but unhealthy (kept when restart = "never"): `unhealthy`
    draining,    ///< retired by a reload: the child finishes its requests, then is stopped: `stopping`
    stopping,    ///< child sent SIGTERM for a deliberate stop: `stopping`
    restarting,  ///< child sent SIGTERM; starts again once it has exited: `stopping`
    killing,     ///< child sent SIGTERM (or SIGKILL) because it failed: `unhealthy`
};
inline constexpr size_t kPhaseCount = 10;

/// Something that happened to a runner. Some are raised by an action as its follow-up
/// (launch_failed, launch_deferred, give_up, recycle, drained), so that every branch an action
/// can take is a row of the table too.
enum class Event {
    start,            ///< a start was asked for: by hand, by a request, by a reload
    admitted,         ///< the memory budget let the child start
    refused,          ///< the memory budget cannot make room now
    launch_failed,    ///< it cannot be started: a missing file, a taken port, exec failed
    launch_deferred,  ///< it cannot be started *now* for a cause of the machine's (EMFILE, ...)
    healthy,          ///< a health check passed
    unhealthy,        ///< health_failures failed checks in a row, or a fatal line in its output
    recycle,          ///< an unhealthy child is to be replaced (its restart policy allows it)
    start_timeout,    ///< not ready within start_timeout
    exited,           ///< the child and every process of its group have ended
    give_up,          ///< after an exit: the restart policy says no more restarts
    stop,             ///< a deliberate stop: user, idle unload, eviction, shutdown
    retire,           ///< a reload replaced or removed the service: finish, then go
    drained,          ///< a retired child has no request in flight (or the drain timeout passed)
    kill_due,         ///< the SIGTERM grace period passed
    restart_due,      ///< the backoff timer fired
};
inline constexpr size_t kEventCount = 16;

/// What the runner does on a transition (ServiceRunner::perform).
enum class Action {
    none,             ///< nothing: the event is expected here and changes nothing (or only the phase)
    ignore,           ///< a stale or irrelevant event (a late probe result, a timer already moot)
    launch,           ///< check files, take a port, ask the memory budget
    spawn,            ///< fork/exec the child
    fail_start,       ///< publish `failed` with the reason; answer waiters
    refuse_start,     ///< publish `stopped` (no memory); answer waiters with 503
    defer_start,      ///< publish `stopped`, retry the start after a backoff that does not count
    become_ready,     ///< publish `ready`; answer waiters; start health checks
    mark_unhealthy,   ///< publish `unhealthy`; raise recycle unless restart = "never"
    recover,          ///< publish `ready` again
    kill_for_failure, ///< SIGTERM the group (SIGKILL when it is SIGSTOPped); restart by policy on exit
    terminate,        ///< SIGTERM the group (SIGCONT too) for a deliberate stop; SIGKILL after the grace
    escalate,         ///< SIGKILL the group
    note_stop,        ///< a deliberate stop now overrides the stop in progress (its cause is recorded)
    drain,            ///< wait for requests in flight (bounded); raise drained when there are none
    report_stop,      ///< publish `stopped` with how the child ended; answer waiters; stop callbacks
    relaunch,         ///< report_stop, then launch
    judge_exit,       ///< an exit nobody asked for: restart by policy (backoff) or raise give_up
    cancel_start,     ///< drop the pending start (admission, restart timer); publish `stopped`
};

struct Transition {
    Action action = Action::ignore;
    Phase next = Phase::idle;
};

/// The table's entry for `event` in `phase`. Total: every pair has one.
Transition transition(Phase phase, Event event);

/// Whether a child process (or its group) may be running in `phase`.
constexpr bool has_child(Phase phase) {
    return phase != Phase::idle && phase != Phase::backoff && phase != Phase::admitting;
}

std::string_view to_string(Phase phase);
std::string_view to_string(Event event);
std::string_view to_string(Action action);

inline constexpr std::array<Phase, kPhaseCount> kAllPhases = {
    Phase::idle,     Phase::backoff,  Phase::admitting, Phase::loading,    Phase::ready,
    Phase::degraded, Phase::draining, Phase::stopping,  Phase::restarting, Phase::killing,
};
inline constexpr std::array<Event, kEventCount> kAllEvents = {
    Event::start,         Event::admitted, Event::refused,   Event::launch_failed, Event::launch_deferred,
    Event::healthy,       Event::unhealthy, Event::recycle,  Event::start_timeout, Event::exited,
    Event::give_up,       Event::stop,      Event::retire,   Event::drained,       Event::kill_due,
    Event::restart_due,
};

}  // namespace ggufd::supervisor
