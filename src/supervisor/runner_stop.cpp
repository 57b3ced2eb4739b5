// ServiceRunner's way down: SIGTERM and the grace period, SIGKILL, a retired child's drain, and
// what an exit means: a stop reported with how it ended, or a failure restarted by policy.
#include <signal.h>

#include "ggufd/util/log.h"
#include "ggufd/util/units.h"
#include "service_runner.h"

namespace ggufd::supervisor {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kDrainPollInterval = std::chrono::milliseconds(100);

}  // namespace

void ServiceRunner::arm_kill_timer() {
    stop_.signalled = true;
    stop_.requested_at = SteadyClock::now();
    kill_timer_ = ctx_.loop.add_timer(config().stop_timeout, resume([](ServiceRunner& self) {
        self.kill_timer_ = 0;
        self.raise(Event::kill_due);
    }));
}

std::optional<Event> ServiceRunner::terminate() {
    publish(ServiceState::stopping, stop_.cause, stop_.reason);
    if (stop_.signalled || !child_) return std::nullopt;
    if (health_timer_) ctx_.loop.cancel_timer(health_timer_);
    health_timer_ = 0;
    ctx_.loop.retire(std::move(probe_));
    ctx_.loop.retire(std::move(inference_probe_));
    child_->signal_group(SIGTERM);
    // A SIGSTOPped child acts on SIGTERM only once continued.
    child_->signal_group(SIGCONT);
    arm_kill_timer();
    return std::nullopt;
}

std::optional<Event> ServiceRunner::kill_for_failure() {
    stop_.failure = true;
    for (auto* timer : {&health_timer_, &start_timer_, &inference_timer_}) {
        if (*timer) ctx_.loop.cancel_timer(*timer);
        *timer = 0;
    }
    ctx_.loop.retire(std::move(probe_));
    ctx_.loop.retire(std::move(inference_probe_));
    if (child_->is_stopped()) {
        // A stopped child that failed its checks gets no grace: SIGTERM would wait for a SIGCONT
        // that resumes whatever hung it.
        spdlog::warn("service {}: pid {} is stopped (SIGSTOP); killing it with SIGKILL at once", config().name,
                     child_->pid());
        child_->signal_group(SIGKILL);
        stop_.sigkill_sent = true;
    } else {
        child_->signal_group(SIGTERM);
        child_->signal_group(SIGCONT);
    }
    arm_kill_timer();
    return std::nullopt;
}

std::optional<Event> ServiceRunner::escalate() {
    if (!child_ || stop_.sigkill_sent) return std::nullopt;
    spdlog::warn("service {}: still running {} after SIGTERM; sending SIGKILL", config().name,
                 units::format_duration(config().stop_timeout));
    stop_.sigkill_sent = true;
    child_->signal_group(SIGKILL);
    return std::nullopt;
}

std::optional<Event> ServiceRunner::note_stop() {
    // A deliberate stop overrides a kill for failure in progress: the child will not be restarted.
    stop_.failure = false;
    publish(ServiceState::stopping, stop_.cause, stop_.reason);
    return std::nullopt;
}

// A retired child may finish what it is doing: new requests already go elsewhere.
std::optional<Event> ServiceRunner::drain() {
    int in_flight = handle_->in_flight();
    std::string detail = in_flight > 0 ? ": finishing " + std::to_string(in_flight) +
                                             " request(s) in flight first (at most " +
                                             units::format_duration(drain_timeout_) + ")"
                                       : "";
    publish(ServiceState::stopping, stop_.cause, stop_.reason + detail);
    if (in_flight == 0) return Event::drained;
    drain_deadline_ = SteadyClock::now() + drain_timeout_;
    schedule_drain_poll();
    return std::nullopt;
}

void ServiceRunner::schedule_drain_poll() {
    drain_timer_ = ctx_.loop.add_timer(kDrainPollInterval, resume([](ServiceRunner& self) {
        self.drain_timer_ = 0;
        if (self.phase_ != Phase::draining) return;
        int in_flight = self.handle_->in_flight();
        if (in_flight > 0 && SteadyClock::now() < self.drain_deadline_) return self.schedule_drain_poll();
        if (in_flight > 0) {
            spdlog::warn("service {} (old definition): {} request(s) still in flight after {}; stopping it anyway",
                         self.config().name, in_flight, units::format_duration(self.drain_timeout_));
        }
        self.raise(Event::drained);
    }));
}

void ServiceRunner::on_child_exit(const ExitStatus& status, const std::string& group_note) {
    last_exit_ = status;
    group_note_ = group_note;
    ctx_.loop.retire(std::move(child_));
    cancel_timers();
    ctx_.loop.retire(std::move(probe_));
    ctx_.loop.retire(std::move(inference_probe_));
    report_suppressed_lines();
    status_.pid.reset();
    status_.ready_since.reset();
    status_.last_exit = ExitInfo{status.signaled, status.code, WallClock::now(), status.describe()};
    raise(Event::exited);
}

std::string ServiceRunner::how_it_ended() const {
    std::string how;
    if (!stop_.signalled) {
        how = "it had already exited: " + (last_exit_ ? last_exit_->describe() : std::string("unknown status"));
    } else if (stop_.sigkill_sent) {
        how = "killed with SIGKILL after the " + units::format_duration(config().stop_timeout) + " grace period";
    } else {
        auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - stop_.requested_at);
        how = "exited " + units::format_duration(elapsed) + " after SIGTERM";
    }
    return group_note_.empty() ? how : how + "; " + group_note_;
}

std::optional<Event> ServiceRunner::report_stop(bool answer_waiters) {
    status_.ready_since.reset();
    // How the child ended, when one just did (not for a stop of a service that had none).
    std::string reason = supervisor::has_child(previous_phase_) ? stop_.reason + " (" + how_it_ended() + ")"
                                                                 : stop_.reason;
    publish(ServiceState::stopped, stop_.cause, std::move(reason));
    if (answer_waiters) finish_waiters({false, 503, "service \"" + config().name + "\" " + status_.reason, 0});
    return std::nullopt;
}

// An exit nobody asked for, or the end of a kill for failure: restart by policy, or give up.
std::optional<Event> ServiceRunner::judge_exit() {
    const ExitStatus exit = last_exit_.value_or(ExitStatus{});
    StopCause cause;
    std::string what;
    bool failure;
    if (stop_.failure) {
        cause = stop_.cause;
        what = stop_.reason + " (" + how_it_ended() + ")";
        failure = true;
    } else {
        bool loading = previous_phase_ == Phase::loading;
        cause = loading ? StopCause::load_failed : StopCause::crashed;
        what = (loading ? "failed to load: " : "crashed: ") + exit.describe();
        if (!group_note_.empty()) what += "; " + group_note_;
        std::string last_lines = last_output_lines(5);
        if (!last_lines.empty()) what += "; last output: " + last_lines;
        failure = !exit.clean();
    }
    RestartDecision decision = restarts_.on_exit(failure, ready_for(), SteadyClock::now());
    status_.restarts = restarts_.total_restarts();
    status_.last_error = what;
    std::string reason = what + "; " + decision.explanation;
    if (!decision.restart) {
        publish(failure ? ServiceState::failed : ServiceState::stopped,
                decision.limit_reached ? StopCause::restart_limit : cause, reason);
        finish_waiters({false, 503, "service \"" + config().name + "\" " + reason, 0});
        return Event::give_up;
    }
    status_.next_restart_at = WallClock::now() + decision.delay;
    publish(ServiceState::stopped, cause, reason);
    // Requests waiting for it keep waiting only for a restart that is near.
    if (decision.delay > kMostBackoffToWaitFor) {
        int retry = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(decision.delay).count()) + 1;
        finish_waiters({false, 503, "service \"" + config().name + "\" " + what, retry});
    }
    restart_timer_ = ctx_.loop.add_timer(decision.delay, resume([](ServiceRunner& self) {
        self.restart_timer_ = 0;
        self.raise(Event::restart_due);
    }));
    return std::nullopt;
}

}  // namespace ggufd::supervisor
