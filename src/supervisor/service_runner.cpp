#include "service_runner.h"

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>

#include "ggufd/util/units.h"
#include "ggufd/supervisor/model_facts.h"
#include "launch_plan.h"

namespace ggufd::supervisor {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Output that means the child can no longer generate even if /health still answers (README.md).
constexpr std::array<std::string_view, 5> kFatalPatterns = {
    "CUDA error", "HIP error", "ROCm error", "GGML_ASSERT", "out of memory",
};

bool is_fatal_line(std::string_view line) {
    for (auto pattern : kFatalPatterns) {
        if (line.find(pattern) != std::string_view::npos) return true;
    }
    return false;
}

std::string join_devices(const std::vector<int>& devices) {
    if (devices.empty()) return "none (CPU only)";
    std::string text;
    for (int device : devices) text += (text.empty() ? "" : ",") + std::to_string(device);
    return text;
}

spdlog::level::level_enum level_for(ServiceState state, StopCause cause) {
    if (state == ServiceState::failed || state == ServiceState::unhealthy) return spdlog::level::warn;
    if (cause == StopCause::crashed || cause == StopCause::load_failed || cause == StopCause::unhealthy) {
        return spdlog::level::warn;
    }
    return spdlog::level::info;
}

}  // namespace

ServiceRunner::ServiceRunner(RunnerContext& context, std::shared_ptr<ServiceHandle> handle)
    : ctx_(context),
      handle_(std::move(handle)),
      restarts_(config().restart, config().restart_limit, config().restart_window) {
    status_.state = ServiceState::stopped;
    status_.cause = StopCause::not_started;
    status_.reason = config().load == config::LoadMode::lazy ? "not started: starts on its first request"
                                                             : "not started yet";
    GpuAssignment gpus = ctx_.assign_gpus(config());
    status_.gpus = gpus.devices;
    status_.gpu_reason = gpus.error.empty() ? gpus.reason : gpus.error;
    status_.model = inspect_model(config(), gpus.devices, gpus.backend);
    handle_->publish(status_);
}

ServiceRunner::~ServiceRunner() {
    cancel_timers();
    release_child_watchers();
    // A remaining Process is killed (SIGKILL to its group) and reaped by its destructor.
}

void ServiceRunner::start(bool by_hand) {
    if (by_hand) restarts_.reset();
    switch (status_.state) {
        case ServiceState::ready:
        case ServiceState::starting:
        case ServiceState::unhealthy:
            return;
        case ServiceState::stopping:
            start_after_stop_ = true;
            return;
        case ServiceState::stopped:
        case ServiceState::failed:
            if (!awaiting_admission_) launch();
            return;
    }
}

void ServiceRunner::ensure_ready(OutcomeCallback callback) {
    switch (status_.state) {
        case ServiceState::ready:
            callback({true, 200, "ready", 0});
            return;
        case ServiceState::unhealthy:
            callback({false, 503, "service \"" + config().name + "\" is unhealthy: " + status_.reason, 5});
            return;
        case ServiceState::failed:
            callback({false, 503,
                      "service \"" + config().name + "\" has failed: " + status_.reason +
                          ". Start it by hand (`ggufd start " + config().name + "`) once the cause is fixed.",
                      0});
            return;
        case ServiceState::starting:
        case ServiceState::stopping:
            waiters_.push_back(std::move(callback));
            return;
        case ServiceState::stopped:
            if (status_.cause == StopCause::user) {
                callback({false, 503,
                          "service \"" + config().name + "\" was stopped by a user; start it with `ggufd start " +
                              config().name + "`",
                          0});
                return;
            }
            waiters_.push_back(std::move(callback));
            // Otherwise a pending restart or admission will serve it.
            if (!restart_timer_ && !awaiting_admission_) launch();
            return;
    }
}

void ServiceRunner::launch() {
    const config::ServiceConfig& cfg = config();
    if (restart_timer_) {
        ctx_.loop.cancel_timer(restart_timer_);
        restart_timer_ = 0;
    }
    status_.next_restart_at.reset();
    start_after_stop_ = false;

    if (!cfg.model.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(cfg.model, ec)) {
            return fail_start("model file " + cfg.model.string() + " does not exist");
        }
        if (!std::filesystem::is_regular_file(cfg.model, ec)) {
            return fail_start("model file " + cfg.model.string() + " is not a regular file");
        }
        if (::access(cfg.model.c_str(), R_OK) != 0) {
            return fail_start("model file " + cfg.model.string() + " is not readable by this user");
        }
    }
    const std::string& program = cfg.command.empty() ? ctx_.llama_server : cfg.command.front();
    auto executable = resolve_executable(program);
    if (!executable) {
        return fail_start(cfg.command.empty()
                              ? "llama-server \"" + program +
                                    "\" was not found or is not executable; set `llama_server` in the config "
                                    "or GGUFD_LLAMA_SERVER"
                              : "command \"" + program + "\" was not found or is not executable");
    }
    auto port = ctx_.ports.acquire(cfg.name, cfg.port);
    if (port.port == 0) return fail_start(port.error);
    GpuAssignment gpus = ctx_.assign_gpus(cfg);
    if (!gpus.error.empty()) return fail_start(gpus.error);
    status_.gpus = gpus.devices;
    status_.gpu_reason = gpus.reason;
    // Re-read at every start: the file may have been replaced since the daemon started.
    status_.model = inspect_model(cfg, gpus.devices, gpus.backend);

    uint64_t generation = ++launch_generation_;
    awaiting_admission_ = true;
    ctx_.admit(*this, [this, generation, executable = *executable, port = port.port, gpus] {
        if (generation != launch_generation_) return;
        awaiting_admission_ = false;
        spawn(executable, port, gpus);
    });
}

void ServiceRunner::note_waiting_for_memory(const std::string& message) {
    publish(ServiceState::starting, StopCause::none, "waiting for GPU memory: " + message);
}

void ServiceRunner::refuse_start(const std::string& message) {
    awaiting_admission_ = false;
    publish(ServiceState::stopped, StopCause::no_memory, "cannot start now: " + message);
    finish_waiters({false, 503, message, 10});
}

void ServiceRunner::spawn(const std::string& executable, uint16_t port, const GpuAssignment& gpus) {
    const config::ServiceConfig& cfg = config();
    LaunchInputs inputs;
    inputs.service = &cfg;
    inputs.llama_server = executable;
    inputs.port = port;
    inputs.gpus = gpus;
    inputs.inherited_env = ctx_.inherited_env;
    LaunchPlan plan = build_launch_plan(inputs);

    SpawnSpec spec{executable, plan.argv, plan.env, plan.cpu_affinity};
    try {
        process_.emplace(Process::spawn(spec));
    } catch (const SpawnError& e) {
        return fail_start(std::string("could not start the child: ") + e.what());
    }

    output_ = std::make_unique<OutputReader>(ctx_.loop, process_->take_output(),
                                             [this](std::string line) { on_output_line(std::move(line)); });
    pid_watcher_ = std::make_unique<PidWatcher>();
    pid_watcher_->runner = this;
    ctx_.loop.add(process_->pidfd(), EPOLLIN, pid_watcher_.get());

    started_at_ = SteadyClock::now();
    ready_at_.reset();
    consecutive_health_failures_ = 0;
    sigkill_sent_ = false;
    handle_->set_port(port);
    status_.pid = process_->pid();
    status_.port = port;
    status_.ready_since.reset();

    std::string command_line;
    for (const auto& arg : plan.argv) command_line += (command_line.empty() ? "" : " ") + arg;
    spdlog::info("service {}: pid {} on port {}, GPUs {} ({}): {}", cfg.name, process_->pid(), port,
                 join_devices(gpus.devices), gpus.reason, command_line);
    publish(ServiceState::starting, StopCause::none,
            "loading the model (pid " + std::to_string(process_->pid()) + ", port " + std::to_string(port) + ")");

    start_timer_ = ctx_.loop.add_timer(cfg.start_timeout, [this] {
        start_timer_ = 0;
        kill_for(StopCause::load_failed,
                 "failed to load: not ready within start_timeout (" + units::format_duration(config().start_timeout) +
                     ")");
    });
    schedule_health_check(ctx_.start_poll_interval);
}

void ServiceRunner::fail_start(std::string reason) {
    // Nothing was started, and retrying cannot fix a missing file or a taken port by itself: the
    // service fails at once, loudly, until started by hand.
    status_.last_error = reason;
    publish(ServiceState::failed, StopCause::load_failed, reason);
    finish_waiters({false, 503, "service \"" + config().name + "\" cannot start: " + reason, 0});
}

void ServiceRunner::become_ready() {
    if (start_timer_) {
        ctx_.loop.cancel_timer(start_timer_);
        start_timer_ = 0;
    }
    ready_at_ = SteadyClock::now();
    consecutive_health_failures_ = 0;
    status_.ready_since = WallClock::now();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(*ready_at_ - started_at_);
    publish(ServiceState::ready, StopCause::none,
            "serving on port " + std::to_string(status_.port) + " (ready after " + units::format_duration(took) + ")");
    finish_waiters({true, 200, "ready", 0});
    schedule_health_check(config().health_interval);
}

void ServiceRunner::schedule_health_check(std::chrono::milliseconds delay) {
    if (health_timer_) ctx_.loop.cancel_timer(health_timer_);
    health_timer_ = ctx_.loop.add_timer(delay, [this] {
        health_timer_ = 0;
        run_health_check();
    });
}

void ServiceRunner::run_health_check() {
    if (!process_ || pending_stop_) return;
    probe_ = std::make_unique<HealthProbe>(ctx_.loop, status_.port, config().health_path, config().health_timeout,
                                           [this](const HealthResult& result) { on_health(result); });
}

void ServiceRunner::on_health(const HealthResult& result) {
    ctx_.loop.retire(std::move(probe_));
    if (!process_ || pending_stop_) return;
    bool healthy = result.outcome == HealthResult::Outcome::healthy;
    switch (status_.state) {
        case ServiceState::starting:
            // 503 "Loading model" and refused connections both mean: not yet.
            if (healthy) become_ready();
            else schedule_health_check(ctx_.start_poll_interval);
            return;
        case ServiceState::ready:
        case ServiceState::unhealthy:
            if (healthy) {
                consecutive_health_failures_ = 0;
                if (status_.state == ServiceState::unhealthy) {
                    publish(ServiceState::ready, StopCause::none, "healthy again on port " + std::to_string(status_.port));
                }
            } else if (++consecutive_health_failures_ >= config().health_failures &&
                       status_.state == ServiceState::ready) {
                declare_unhealthy("failed " + std::to_string(consecutive_health_failures_) +
                                  " consecutive health checks (last: " + result.detail + ")");
                if (pending_stop_) return;
            } else if (!healthy) {
                spdlog::warn("service {}: health check {} of {} failed: {}", config().name,
                             consecutive_health_failures_, config().health_failures, result.detail);
            }
            schedule_health_check(config().health_interval);
            return;
        case ServiceState::stopping:
        case ServiceState::stopped:
        case ServiceState::failed:
            return;
    }
}

void ServiceRunner::declare_unhealthy(std::string reason) {
    if (config().restart == config::RestartPolicy::never) {
        publish(ServiceState::unhealthy, StopCause::unhealthy, reason + "; not restarted (restart = \"never\")");
        return;
    }
    publish(ServiceState::unhealthy, StopCause::unhealthy, reason);
    kill_for(StopCause::unhealthy, "unhealthy: " + reason);
}

void ServiceRunner::on_output_line(std::string line) {
    spdlog::info("[{}] {}", config().name, line);
    bool fatal = is_fatal_line(line);
    handle_->logs().append(std::move(line));
    if (fatal && process_ && !process_->exited() && !pending_stop_ && status_.state == ServiceState::ready) {
        declare_unhealthy("printed a fatal error: " + handle_->logs().tail(1).front());
    }
}

void ServiceRunner::kill_for(StopCause cause, std::string reason) {
    if (!process_) return;
    pending_stop_ = PendingStop{cause, std::move(reason), true};
    send_sigterm();
}

void ServiceRunner::stop(StopCause cause, std::string reason, std::function<void()> done) {
    if (done) stop_callbacks_.push_back(std::move(done));
    finish_waiters({false, 503, "service \"" + config().name + "\" is stopping: " + reason, 5});
    if (!process_) {
        cancel_timers();
        ++launch_generation_;  // a start waiting for memory will not happen
        awaiting_admission_ = false;
        publish(ServiceState::stopped, cause, reason);
        for (auto& callback : std::exchange(stop_callbacks_, {})) callback();
        return;
    }
    bool already_signalled = pending_stop_.has_value();
    // A deliberate stop overrides a kill-for-failure in progress: the child will not be restarted.
    pending_stop_ = PendingStop{cause, reason, false};
    publish(ServiceState::stopping, cause, reason);
    if (!already_signalled) send_sigterm();
}

void ServiceRunner::send_sigterm() {
    if (health_timer_) {
        ctx_.loop.cancel_timer(health_timer_);
        health_timer_ = 0;
    }
    if (probe_) ctx_.loop.retire(std::move(probe_));
    stop_requested_at_ = SteadyClock::now();
    sigkill_sent_ = false;
    process_->signal_group(SIGTERM);
    // A SIGSTOPped child only acts on SIGTERM once continued.
    process_->signal_group(SIGCONT);
    kill_timer_ = ctx_.loop.add_timer(config().stop_timeout, [this] {
        kill_timer_ = 0;
        if (!process_) return;
        spdlog::warn("service {}: still running {} after SIGTERM; sending SIGKILL", config().name,
                     units::format_duration(config().stop_timeout));
        sigkill_sent_ = true;
        process_->signal_group(SIGKILL);
    });
}

void ServiceRunner::on_child_exit() {
    if (!process_) return;
    auto exit = process_->reap();
    if (!exit) return;
    if (output_) output_->drain();  // its last words, for the report below
    release_child_watchers();
    process_.reset();
    cancel_timers();

    status_.pid.reset();
    status_.ready_since.reset();
    status_.last_exit = ExitInfo{exit->signaled, exit->code, WallClock::now(), exit->describe()};

    if (pending_stop_) {
        PendingStop stop = std::move(*pending_stop_);
        pending_stop_.reset();
        auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - stop_requested_at_);
        std::string how = sigkill_sent_ ? "killed with SIGKILL after the " +
                                              units::format_duration(config().stop_timeout) + " grace period"
                                        : "exited " + units::format_duration(elapsed) + " after SIGTERM";
        if (stop.is_failure) {
            after_unexpected_exit(stop.cause, stop.reason + " (" + how + ")", true);
            return;
        }
        publish(ServiceState::stopped, stop.cause, stop.reason + " (" + how + ")");
        bool may_restart = stop.cause == StopCause::idle || stop.cause == StopCause::evicted;
        if (start_after_stop_ || (may_restart && !waiters_.empty())) {
            launch();
        } else {
            finish_waiters({false, 503, "service \"" + config().name + "\" " + status_.reason, 0});
        }
        // Last: a callback may start the service again (restart).
        for (auto& callback : std::exchange(stop_callbacks_, {})) callback();
        return;
    }

    bool loading = status_.state == ServiceState::starting;
    std::string what = (loading ? "failed to load: " : "crashed: ") + exit->describe();
    std::string last_lines = last_output_lines(5);
    if (!last_lines.empty()) what += "; last output: " + last_lines;
    after_unexpected_exit(loading ? StopCause::load_failed : StopCause::crashed, what, !exit->clean());
}

void ServiceRunner::after_unexpected_exit(StopCause cause, const std::string& what, bool failure) {
    RestartDecision decision = restarts_.on_exit(failure, ready_for(), SteadyClock::now());
    status_.restarts = restarts_.total_restarts();
    status_.last_error = what;
    std::string reason = what + "; " + decision.explanation;
    if (decision.restart) {
        status_.next_restart_at = WallClock::now() + decision.delay;
        publish(ServiceState::stopped, cause, reason);
        if (cause == StopCause::load_failed) {
            finish_waiters({false, 503, "service \"" + config().name + "\" " + what, static_cast<int>(
                                std::chrono::duration_cast<std::chrono::seconds>(decision.delay).count() + 1)});
        }
        restart_timer_ = ctx_.loop.add_timer(decision.delay, [this] {
            restart_timer_ = 0;
            launch();
        });
    } else {
        publish(failure ? ServiceState::failed : ServiceState::stopped,
                decision.limit_reached ? StopCause::restart_limit : cause, reason);
        finish_waiters({false, 503, "service \"" + config().name + "\" " + reason, 0});
    }
    for (auto& callback : std::exchange(stop_callbacks_, {})) callback();
}

void ServiceRunner::check_idle(SteadyClock::time_point now) {
    const auto idle_after = config().idle_unload;
    if (idle_after.count() <= 0 || status_.state != ServiceState::ready || pending_stop_) return;
    if (handle_->in_flight() > 0 || now - handle_->last_used() < idle_after) return;
    if (!handle_->try_mark_stopping_if_idle()) return;  // a request slipped in: stay up
    stop(StopCause::idle, "unloaded after " + units::format_duration(idle_after) + " without requests", {});
}

void ServiceRunner::finish_waiters(const Outcome& result) {
    for (auto& waiter : std::exchange(waiters_, {})) waiter(result);
}

void ServiceRunner::publish(ServiceState state, StopCause cause, std::string reason) {
    bool changed = state != status_.state || reason != status_.reason;
    status_.state = state;
    status_.cause = cause;
    status_.reason = std::move(reason);
    handle_->publish(status_);
    if (changed) spdlog::log(level_for(state, cause), "service {}: {}: {}", config().name, to_string(state), status_.reason);
    if (ctx_.on_transition) ctx_.on_transition();
}

void ServiceRunner::cancel_timers() {
    for (auto* timer : {&health_timer_, &start_timer_, &kill_timer_, &restart_timer_}) {
        if (*timer) ctx_.loop.cancel_timer(*timer);
        *timer = 0;
    }
}

void ServiceRunner::release_child_watchers() {
    if (pid_watcher_) {
        if (process_) ctx_.loop.remove(process_->pidfd());
        ctx_.loop.retire(std::move(pid_watcher_));
    }
    if (output_) ctx_.loop.retire(std::move(output_));
    if (probe_) ctx_.loop.retire(std::move(probe_));
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
