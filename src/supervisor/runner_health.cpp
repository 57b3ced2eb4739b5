// ServiceRunner's watch over a running child: /health on a fixed cadence, requests that get no
// response head (first_byte_timeout), the optional idle-time inference probe, and fatal lines in
// its output, which also goes (within log_rate_limit) to the daemon's log and to the ring.
#include <array>

#include "ggufd/util/log.h"
#include "ggufd/util/units.h"
#include "service_runner.h"

namespace ggufd::supervisor {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Output that means the child can no longer generate even if /health still answers.
constexpr std::array<std::string_view, 5> kFatalPatterns = {
    "CUDA error", "HIP error", "ROCm error", "GGML_ASSERT", "out of memory",
};

bool is_fatal_line(std::string_view line) {
    for (auto pattern : kFatalPatterns) {
        if (line.find(pattern) != std::string_view::npos) return true;
    }
    return false;
}

bool watches_health(Phase phase) {
    return phase == Phase::loading || phase == Phase::ready || phase == Phase::degraded || phase == Phase::draining;
}

// The inference probe: the cheapest completion there is, through the OpenAI route every
// OpenAI-compatible server has.
const ProbeRequest kInferenceProbe{"POST", "/v1/completions", R"({"prompt":"ping","max_tokens":1,"temperature":0})"};

}  // namespace

void ServiceRunner::schedule_health_check(std::chrono::milliseconds delay) {
    if (health_timer_) ctx_.loop.cancel_timer(health_timer_);
    health_timer_ = ctx_.loop.add_timer(delay, resume([](ServiceRunner& self) {
        self.health_timer_ = 0;
        self.run_health_check();
    }));
}

void ServiceRunner::run_health_check() {
    if (!watches_health(phase_) || probe_) return;
    probe_started_at_ = SteadyClock::now();
    probe_ = std::make_unique<HealthProbe>(
        ctx_.loop, status_.port, ProbeRequest{"GET", config().health_path, ""}, config().health_timeout,
        resume([](ServiceRunner& self, const HealthResult& result) { self.on_health(result); }));
}

void ServiceRunner::on_health(const HealthResult& result) {
    ctx_.loop.retire(std::move(probe_));
    if (!watches_health(phase_)) return;
    bool healthy = result.outcome == HealthResult::Outcome::healthy;
    if (phase_ == Phase::loading) {
        // 503 "Loading model" and refused connections both mean: not yet.
        if (healthy) return raise(Event::healthy);
        return schedule_health_check(ctx_.start_poll_interval);
    }
    if (result.outcome == HealthResult::Outcome::local_error) {
        // Our shortage (no descriptor for the probe) says nothing about the child.
        if (!std::exchange(local_probe_error_logged_, true)) {
            spdlog::warn("service {}: cannot check its health: {} (not counted against it)", config().name,
                         result.detail);
        }
    } else if (healthy) {
        consecutive_health_failures_ = 0;
        local_probe_error_logged_ = false;
        raise(Event::healthy);
    } else if (++consecutive_health_failures_ >= config().health_failures) {
        unhealthy_reason_ = "failed " + std::to_string(consecutive_health_failures_) +
                            " consecutive health checks (last: " + result.detail + ")";
        raise(Event::unhealthy);
    } else {
        spdlog::warn("service {}: health check {} of {} failed: {}", config().name, consecutive_health_failures_,
                     config().health_failures, result.detail);
    }
    if (!watches_health(phase_) || phase_ == Phase::loading) return;
    // Checks start every health_interval, however long the last took: a hang is known within
    // health_interval x health_failures + health_timeout.
    auto since_start = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - probe_started_at_);
    schedule_health_check(std::max(config().health_interval - since_start, std::chrono::milliseconds(0)));
}

std::optional<Event> ServiceRunner::mark_unhealthy() {
    bool keep = config().restart == config::RestartPolicy::never;
    publish(ServiceState::unhealthy, StopCause::unhealthy,
            unhealthy_reason_ + (keep ? "; not restarted (restart = \"never\")" : ""));
    if (keep) return std::nullopt;
    stop_.cause = StopCause::unhealthy;
    stop_.reason = "unhealthy: " + unhealthy_reason_;
    return Event::recycle;
}

std::optional<Event> ServiceRunner::recover() {
    consecutive_health_failures_ = 0;
    publish(ServiceState::ready, StopCause::none, "healthy again on port " + std::to_string(status_.port));
    return std::nullopt;
}

void ServiceRunner::on_stall() {
    if (phase_ != Phase::ready && phase_ != Phase::degraded) return;
    int stalls = handle_->stalls_in_a_row();
    const std::string timeout = units::format_duration(config().first_byte_timeout);
    if (stalls >= config().health_failures && phase_ == Phase::ready) {
        unhealthy_reason_ = std::to_string(stalls) + " requests in a row got no response head within " + timeout +
                            " (first_byte_timeout)";
        return raise(Event::unhealthy);
    }
    spdlog::warn("service {}: a request got no response head within {} (first_byte_timeout; {} of {} in a row)",
                 config().name, timeout, stalls, config().health_failures);
}

void ServiceRunner::schedule_inference_probe() {
    if (config().inference_probe.count() <= 0) return;
    if (inference_timer_) ctx_.loop.cancel_timer(inference_timer_);
    // Due once the service has been idle that long; real requests are probe enough.
    auto idle_for = SteadyClock::now() - handle_->last_used();
    auto delay = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(config().inference_probe - idle_for),
                          std::chrono::milliseconds(1));
    inference_timer_ = ctx_.loop.add_timer(delay, resume([](ServiceRunner& self) {
        self.inference_timer_ = 0;
        self.run_inference_probe();
    }));
}

void ServiceRunner::run_inference_probe() {
    if (phase_ != Phase::ready || inference_probe_) return;
    bool idle_long_enough = SteadyClock::now() - handle_->last_used() >= config().inference_probe;
    if (handle_->in_flight() > 0 || !idle_long_enough) return schedule_inference_probe();
    inference_probe_ = std::make_unique<HealthProbe>(
        ctx_.loop, status_.port, kInferenceProbe, config().inference_probe_timeout,
        resume([](ServiceRunner& self, const HealthResult& result) { self.on_inference_probe(result); }));
}

void ServiceRunner::on_inference_probe(const HealthResult& result) {
    ctx_.loop.retire(std::move(inference_probe_));
    if (phase_ != Phase::ready) return;
    using Outcome = HealthResult::Outcome;
    if (result.outcome == Outcome::healthy) {
        handle_->note_response_head();
    } else if (result.outcome != Outcome::loading && result.outcome != Outcome::local_error) {
        int failures = handle_->note_stall();
        spdlog::warn("service {}: inference probe failed: {} ({} of {} in a row)", config().name, result.detail,
                     failures, config().health_failures);
        if (failures >= config().health_failures) {
            unhealthy_reason_ = "its inference probe (a one-token completion) failed " + std::to_string(failures) +
                                " times in a row (last: " + result.detail + ")";
            raise(Event::unhealthy);
        }
    }
    if (phase_ == Phase::ready) schedule_inference_probe();
}

void ServiceRunner::on_output_line(std::string line) {
    bool fatal = is_fatal_line(line);
    if (log_limiter_.admit(SteadyClock::now())) {
        spdlog::info("[{}] {}", config().name, line);
    } else if (!suppressed_timer_) {
        suppressed_timer_ = ctx_.loop.add_timer(std::chrono::seconds(1), resume([](ServiceRunner& self) {
            self.suppressed_timer_ = 0;
            self.report_suppressed_lines();
        }));
    }
    handle_->logs().append(std::move(line));
    if (fatal && phase_ == Phase::ready) {
        unhealthy_reason_ = "printed a fatal error: " + handle_->logs().tail(1).front();
        raise(Event::unhealthy);
    }
}

void ServiceRunner::report_suppressed_lines() {
    uint64_t suppressed = log_limiter_.take_suppressed();
    if (suppressed == 0) return;
    spdlog::warn("[{}] ({} lines of output not logged: over log_rate_limit = {} lines/s; `ggufd logs {}` shows the "
                 "latest)",
                 config().name, suppressed, log_limiter_.lines_per_second(), config().name);
}

}  // namespace ggufd::supervisor
