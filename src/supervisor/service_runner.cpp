// ServiceRunner's public calls and its engine: each call becomes an Event, the lifecycle table
// (lifecycle.h) says which Action to perform and where the runner goes next. The actions live
// in runner_start.cpp, runner_stop.cpp and runner_health.cpp.
#include "service_runner.h"

#include "ggufd/util/log.h"
#include "ggufd/util/units.h"

namespace ggufd::supervisor {
namespace {

using SteadyClock = std::chrono::steady_clock;

spdlog::level::level_enum level_for(ServiceState state, StopCause cause) {
    if (state == ServiceState::failed || state == ServiceState::unhealthy) return spdlog::level::warn;
    if (cause == StopCause::crashed || cause == StopCause::load_failed || cause == StopCause::unhealthy ||
        cause == StopCause::environment) {
        return spdlog::level::warn;
    }
    return spdlog::level::info;
}

int seconds_until(std::optional<WallClock::time_point> when) {
    if (!when) return 1;
    auto left = std::chrono::ceil<std::chrono::seconds>(*when - WallClock::now()).count();
    return static_cast<int>(std::max<int64_t>(left, 1));
}

}  // namespace

ServiceRunner::ServiceRunner(RunnerContext& context, std::shared_ptr<ServiceHandle> handle, uint64_t generation)
    : ctx_(context),
      handle_(std::move(handle)),
      token_{handle_->name(), generation},
      restarts_(config().restart, config().restart_limit, config().restart_window),
      log_limiter_(config().log_rate_limit) {
    status_.state = ServiceState::stopped;
    status_.cause = StopCause::not_started;
    status_.reason = config().load == config::LoadMode::lazy ? "not started: starts on its first request"
                                                             : "not started yet";
    GpuAssignment gpus = ctx_.assign_gpus(config());
    status_.gpus = gpus.devices;
    status_.gpu_reason = gpus.error.empty() ? gpus.reason : gpus.error;
    refresh_model_facts();
    handle_->publish(status_);
}

// Only the core destroys a runner, and never inside a step of its own (it collects retired
// runners from a task of their own), so the probes and the child may go at once. A child that
// still runs (at daemon exit) is killed with its group by ~Child.
ServiceRunner::~ServiceRunner() { cancel_timers(); }

// --- the core's calls ----------------------------------------------------------------------

void ServiceRunner::start(bool by_hand) {
    if (retired_) return;
    if (by_hand) {
        restarts_.reset();
        deferrals_ = 0;
    }
    raise(Event::start);
}

void ServiceRunner::ensure_ready(OutcomeCallback callback) {
    const std::string& name = config().name;
    switch (phase_) {
        case Phase::ready:
            return callback({true, 200, "ready", 0});
        case Phase::degraded:
        case Phase::killing:
            return callback({false, 503, "service \"" + name + "\" is unhealthy: " + status_.reason, 5});
        case Phase::admitting:
        case Phase::loading:
        case Phase::restarting:
            waiters_.push_back(std::move(callback));
            return;
        case Phase::draining:
            return ctx_.reroute(name, std::move(callback));
        case Phase::stopping:
            // An idle unload or an eviction gives way to a request; a user's or a reload's stop does not.
            if (stop_.cause == StopCause::idle || stop_.cause == StopCause::evicted) {
                waiters_.push_back(std::move(callback));
                return raise(Event::start);
            }
            if (retired_) return ctx_.reroute(name, std::move(callback));
            return callback({false, 503, "service \"" + name + "\" is stopping: " + stop_.reason, 5});
        case Phase::backoff:
            if (status_.next_restart_at && *status_.next_restart_at - WallClock::now() <= kMostBackoffToWaitFor) {
                waiters_.push_back(std::move(callback));
                return;
            }
            return callback({false, 503,
                             "service \"" + name + "\" is waiting to be restarted: " + status_.reason,
                             seconds_until(status_.next_restart_at)});
        case Phase::idle:
            break;
    }
    if (retired_) return ctx_.reroute(name, std::move(callback));
    if (status_.state == ServiceState::failed) {
        if (start_problem_) return callback({false, 503, "service \"" + name + "\" cannot start: " + status_.reason, 0});
        return callback({false, 503,
                         "service \"" + name + "\" has failed: " + status_.reason + ". Start it by hand (`ggufd start " +
                             name + "`) once the cause is fixed.",
                         0});
    }
    if (status_.cause == StopCause::user) {
        return callback({false, 503,
                         "service \"" + name + "\" was stopped by a user; start it with `ggufd start " + name + "`", 0});
    }
    waiters_.push_back(std::move(callback));
    raise(Event::start);
}

void ServiceRunner::start_by_hand(OutcomeCallback callback) {
    if (retired_) return ctx_.reroute(config().name, std::move(callback));
    restarts_.reset();
    deferrals_ = 0;
    if (phase_ == Phase::ready) return callback({true, 200, "ready", 0});
    if (phase_ == Phase::degraded) {
        // Kept running although unhealthy (restart = "never"): only a restart replaces its child.
        return callback({false, 503,
                         "service \"" + config().name + "\" runs but is unhealthy: " + status_.reason +
                             "; `ggufd restart " + config().name + "` replaces its child",
                         0});
    }
    // Waiting first, so that a start that fails at once answers with what still fails.
    waiters_.push_back(std::move(callback));
    raise(Event::start);
}

void ServiceRunner::stop(StopCause cause, std::string reason, std::function<void()> done) {
    if (done) exit_callbacks_.push_back(std::move(done));
    stop_.cause = cause;
    stop_.reason = std::move(reason);
    stop_.failure = false;
    raise(Event::stop);
}

void ServiceRunner::retire(std::string reason, std::chrono::milliseconds drain_timeout) {
    retired_ = true;
    drain_timeout_ = drain_timeout;
    stop_.cause = StopCause::removed;
    stop_.reason = std::move(reason);
    stop_.failure = false;
    // Whoever waits for this definition is served by the next one (or told it is gone).
    for (auto& waiter : std::exchange(waiters_, {})) ctx_.reroute(config().name, std::move(waiter));
    raise(Event::retire);
}

void ServiceRunner::after_exit(std::function<void()> done) {
    exit_callbacks_.push_back(std::move(done));
    if (raising_ == 0) settle();
}

void ServiceRunner::check_idle(SteadyClock::time_point now) {
    const auto idle_after = config().idle_unload;
    if (idle_after.count() <= 0 || phase_ != Phase::ready) return;
    if (handle_->in_flight() > 0 || now - handle_->last_used() < idle_after) return;
    if (!handle_->try_mark_stopping_if_idle()) return;  // a request slipped in: stay up
    stop(StopCause::idle, "unloaded after " + units::format_duration(idle_after) + " without requests", {});
}

// --- the engine ----------------------------------------------------------------------------

void ServiceRunner::raise(Event event) {
    ++raising_;
    std::optional<Event> next = event;
    while (next) {
        Transition step = transition(phase_, *next);
        if (step.action != Action::ignore) {
            spdlog::debug("service {}: {} + {} -> {} ({})", config().name, to_string(phase_), to_string(*next),
                          to_string(step.next), to_string(step.action));
        }
        previous_phase_ = phase_;
        phase_ = step.next;
        next = perform(step.action);
    }
    if (--raising_ == 0) settle();
}

std::optional<Event> ServiceRunner::perform(Action action) {
    switch (action) {
        case Action::none:
        case Action::ignore: return std::nullopt;
        case Action::launch: return launch();
        case Action::spawn: return spawn();
        case Action::fail_start: return fail_start();
        case Action::refuse_start: return refuse_start();
        case Action::defer_start: return defer_start();
        case Action::become_ready: return become_ready();
        case Action::mark_unhealthy: return mark_unhealthy();
        case Action::recover: return recover();
        case Action::kill_for_failure: return kill_for_failure();
        case Action::terminate: return terminate();
        case Action::escalate: return escalate();
        case Action::note_stop: return note_stop();
        case Action::drain: return drain();
        case Action::report_stop: return report_stop(true);
        case Action::relaunch:
            report_stop(false);  // the waiters wait for the new child
            return launch();
        case Action::judge_exit: return judge_exit();
        case Action::cancel_start: return cancel_start();
    }
    return std::nullopt;
}

// Once the outermost step is over and no child runs, whoever waited for that is told. Posted,
// so that a callback that calls back into the supervisor meets a runner at rest.
void ServiceRunner::settle() {
    if (has_child() || exit_callbacks_.empty()) return;
    for (auto& callback : std::exchange(exit_callbacks_, {})) ctx_.loop.post(std::move(callback));
}

void ServiceRunner::publish(ServiceState state, StopCause cause, std::string reason) {
    bool changed = state != status_.state || reason != status_.reason;
    status_.state = state;
    status_.cause = cause;
    status_.reason = std::move(reason);
    handle_->publish(status_);
    if (changed) {
        spdlog::log(level_for(state, cause), "service {}{}: {}: {}", config().name, retired_ ? " (old definition)" : "",
                    to_string(state), status_.reason);
    }
    if (ctx_.on_transition) ctx_.on_transition();
}

void ServiceRunner::finish_waiters(const Outcome& outcome) {
    for (auto& waiter : std::exchange(waiters_, {})) waiter(outcome);
}

void ServiceRunner::cancel_timers() {
    for (auto* timer : {&health_timer_, &start_timer_, &kill_timer_, &restart_timer_, &drain_timer_, &inference_timer_,
                        &suppressed_timer_}) {
        if (*timer) ctx_.loop.cancel_timer(*timer);
        *timer = 0;
    }
}

std::string ServiceRunner::last_output_lines(size_t count) const {
    std::string joined;
    for (const auto& line : handle_->logs().tail(count)) joined += (joined.empty() ? "" : " | ") + line;
    return joined;
}

std::chrono::milliseconds ServiceRunner::ready_for() const {
    if (!ready_at_) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - *ready_at_);
}

}  // namespace ggufd::supervisor
