// The lifecycle table (lifecycle.h). Each phase lists the events it acts on; every other event
// is ignored there and leaves the phase as it is (a late health result, a timer made moot).
#include "lifecycle.h"

#include <initializer_list>

namespace ggufd::supervisor {
namespace {

struct Row {
    Event event;
    Action action;
    Phase next;
};

using A = Action;
using E = Event;
using P = Phase;

// clang-format off
const std::initializer_list<Row> kIdle = {
    {E::start,           A::launch,           P::admitting},
    {E::stop,            A::report_stop,      P::idle},       // e.g. `ggufd stop` of a failed service
    {E::retire,          A::none,             P::idle},
};
const std::initializer_list<Row> kBackoff = {
    {E::start,           A::launch,           P::admitting},  // a start by hand does not wait
    {E::restart_due,     A::launch,           P::admitting},
    {E::give_up,         A::none,             P::idle},       // judge_exit already said why
    {E::stop,            A::cancel_start,     P::idle},
    {E::retire,          A::cancel_start,     P::idle},
};
const std::initializer_list<Row> kAdmitting = {
    {E::start,           A::none,             P::admitting},
    {E::admitted,        A::spawn,            P::loading},
    {E::refused,         A::refuse_start,     P::idle},
    {E::launch_failed,   A::fail_start,       P::idle},
    {E::launch_deferred, A::defer_start,      P::backoff},
    {E::stop,            A::cancel_start,     P::idle},       // its eviction steps see a stale ticket
    {E::retire,          A::cancel_start,     P::idle},
};
const std::initializer_list<Row> kLoading = {
    {E::start,           A::none,             P::loading},
    {E::launch_failed,   A::fail_start,       P::idle},       // spawn failed: no child after all
    {E::launch_deferred, A::defer_start,      P::backoff},
    {E::healthy,         A::become_ready,     P::ready},
    {E::start_timeout,   A::kill_for_failure, P::killing},
    {E::exited,          A::judge_exit,       P::backoff},
    {E::stop,            A::terminate,        P::stopping},
    {E::retire,          A::terminate,        P::stopping},   // nothing in flight yet: no drain
};
const std::initializer_list<Row> kReady = {
    {E::start,           A::none,             P::ready},
    {E::healthy,         A::none,             P::ready},
    {E::unhealthy,       A::mark_unhealthy,   P::degraded},
    {E::exited,          A::judge_exit,       P::backoff},
    {E::stop,            A::terminate,        P::stopping},
    {E::retire,          A::drain,            P::draining},
};
const std::initializer_list<Row> kDegraded = {
    {E::start,           A::none,             P::degraded},
    {E::healthy,         A::recover,          P::ready},
    {E::unhealthy,       A::none,             P::degraded},
    {E::recycle,         A::kill_for_failure, P::killing},
    {E::exited,          A::judge_exit,       P::backoff},
    {E::stop,            A::terminate,        P::stopping},
    {E::retire,          A::terminate,        P::stopping},   // unhealthy: not worth draining
};
const std::initializer_list<Row> kDraining = {
    {E::drained,         A::terminate,        P::stopping},
    {E::unhealthy,       A::terminate,        P::stopping},
    {E::exited,          A::report_stop,      P::idle},
    {E::stop,            A::terminate,        P::stopping},
    {E::retire,          A::none,             P::draining},
};
const std::initializer_list<Row> kStopping = {
    {E::start,           A::none,             P::restarting}, // e.g. a request during an idle unload
    {E::exited,          A::report_stop,      P::idle},
    {E::kill_due,        A::escalate,         P::stopping},
    {E::stop,            A::note_stop,        P::stopping},
    {E::retire,          A::note_stop,        P::stopping},
};
const std::initializer_list<Row> kRestarting = {
    {E::start,           A::none,             P::restarting},
    {E::exited,          A::relaunch,         P::admitting},
    {E::kill_due,        A::escalate,         P::restarting},
    {E::stop,            A::note_stop,        P::stopping},   // the later stop wins: no restart
    {E::retire,          A::note_stop,        P::stopping},
};
const std::initializer_list<Row> kKilling = {
    {E::start,           A::none,             P::restarting}, // by hand: start as soon as it is gone
    {E::exited,          A::judge_exit,       P::backoff},
    {E::kill_due,        A::escalate,         P::killing},
    {E::stop,            A::note_stop,        P::stopping},   // deliberate now: not restarted
    {E::retire,          A::note_stop,        P::stopping},
};
// clang-format on

const std::initializer_list<Row>& rows_of(Phase phase) {
    switch (phase) {
        case P::idle: return kIdle;
        case P::backoff: return kBackoff;
        case P::admitting: return kAdmitting;
        case P::loading: return kLoading;
        case P::ready: return kReady;
        case P::degraded: return kDegraded;
        case P::draining: return kDraining;
        case P::stopping: return kStopping;
        case P::restarting: return kRestarting;
        case P::killing: return kKilling;
    }
    return kIdle;
}

}  // namespace

Transition transition(Phase phase, Event event) {
    for (const Row& row : rows_of(phase)) {
        if (row.event == event) return {row.action, row.next};
    }
    return {Action::ignore, phase};
}

std::string_view to_string(Phase phase) {
    switch (phase) {
        case P::idle: return "idle";
        case P::backoff: return "backoff";
        case P::admitting: return "admitting";
        case P::loading: return "loading";
        case P::ready: return "ready";
        case P::degraded: return "degraded";
        case P::draining: return "draining";
        case P::stopping: return "stopping";
        case P::restarting: return "restarting";
        case P::killing: return "killing";
    }
    return "?";
}

std::string_view to_string(Event event) {
    switch (event) {
        case E::start: return "start";
        case E::admitted: return "admitted";
        case E::refused: return "refused";
        case E::launch_failed: return "launch_failed";
        case E::launch_deferred: return "launch_deferred";
        case E::healthy: return "healthy";
        case E::unhealthy: return "unhealthy";
        case E::recycle: return "recycle";
        case E::start_timeout: return "start_timeout";
        case E::exited: return "exited";
        case E::give_up: return "give_up";
        case E::stop: return "stop";
        case E::retire: return "retire";
        case E::drained: return "drained";
        case E::kill_due: return "kill_due";
        case E::restart_due: return "restart_due";
    }
    return "?";
}

std::string_view to_string(Action action) {
    switch (action) {
        case A::none: return "none";
        case A::ignore: return "ignore";
        case A::launch: return "launch";
        case A::spawn: return "spawn";
        case A::fail_start: return "fail_start";
        case A::refuse_start: return "refuse_start";
        case A::defer_start: return "defer_start";
        case A::become_ready: return "become_ready";
        case A::mark_unhealthy: return "mark_unhealthy";
        case A::recover: return "recover";
        case A::kill_for_failure: return "kill_for_failure";
        case A::terminate: return "terminate";
        case A::escalate: return "escalate";
        case A::note_stop: return "note_stop";
        case A::drain: return "drain";
        case A::report_stop: return "report_stop";
        case A::relaunch: return "relaunch";
        case A::judge_exit: return "judge_exit";
        case A::cancel_start: return "cancel_start";
    }
    return "?";
}

}  // namespace ggufd::supervisor
