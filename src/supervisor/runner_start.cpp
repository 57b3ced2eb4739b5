// ServiceRunner's way up: the checks before a start (in doctor's words), the memory budget's
// answer, fork/exec, readiness, and the three ways a start can end early: failed (a cause the
// user must fix), refused (no memory now) or deferred (the machine's shortage: retried).
#include <sys/stat.h>

#include "ggufd/supervisor/model_facts.h"
#include "ggufd/util/log.h"
#include "ggufd/util/units.h"
#include "launch_plan.h"
#include "service_runner.h"

namespace ggufd::supervisor {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kFirstDeferral = std::chrono::seconds(1);
constexpr auto kLongestDeferral = std::chrono::seconds(60);

std::string join_devices(const std::vector<int>& devices) {
    if (devices.empty()) return "none (CPU only)";
    std::string text;
    for (int device : devices) text += (text.empty() ? "" : ",") + std::to_string(device);
    return text;
}

}  // namespace

std::optional<ServiceProblem> ServiceRunner::startup_problem() {
    if (auto problem = program_problem(config(), ctx_.llama_server)) return problem;
    refresh_model_facts();
    return model_problem(config(), status_.model.failure, status_.model.error);
}

// The GGUF header is read when the runner is made and again only if the file changed since:
// an eager start does not parse it twice, and a replaced file is not missed.
void ServiceRunner::refresh_model_facts() {
    const config::ServiceConfig& cfg = config();
    std::optional<ModelStamp> stamp;
    struct stat st {};
    if (!cfg.model.empty() && ::stat(cfg.model.c_str(), &st) == 0) {
        stamp = ModelStamp{st.st_dev, st.st_ino, st.st_size,
                           static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
    }
    if (stamp && stamp == model_stamp_) return;
    GpuAssignment gpus = ctx_.assign_gpus(cfg);
    status_.model = inspect_model(cfg, gpus.devices, gpus.backend);
    model_stamp_ = stamp;
}

bool ServiceRunner::check_startable() {
    if (auto problem = startup_problem()) {
        start_problem_ = problem;
        failure_ = problem->describe();
        status_.last_error = failure_;
        publish(ServiceState::failed, StopCause::load_failed, failure_);
        return false;
    }
    // Not fatal: llama-server will refuse it loudly, and a `command` may read another format.
    if (status_.model.failure == FileFailure::format && config().command.empty()) {
        spdlog::warn("service {}: model {}; {}", config().name, status_.model.error,
                     model_fix(FileFailure::format, config().discovered, config().defined_at));
    }
    return true;
}

bool ServiceRunner::retry_if_fixed() {
    if (phase_ != Phase::idle || status_.state != ServiceState::failed || !start_problem_) return false;
    if (auto problem = startup_problem()) {
        start_problem_ = problem;
        failure_ = problem->describe();
        publish(ServiceState::failed, StopCause::load_failed, failure_);
        return false;
    }
    start_problem_.reset();
    restarts_.reset();
    publish(ServiceState::stopped, StopCause::not_started,
            config().load == config::LoadMode::lazy ? "not started: starts on its first request (the reload fixed "
                                                      "what kept it from starting)"
                                                    : "starting: the reload fixed what kept it from starting");
    if (config().load == config::LoadMode::eager) raise(Event::start);
    return true;
}

std::optional<Event> ServiceRunner::launch() {
    ++attempt_;
    cancel_timers();
    status_.next_restart_at.reset();
    start_problem_.reset();
    if (auto problem = startup_problem()) {
        start_problem_ = problem;
        failure_ = problem->describe();
        return Event::launch_failed;
    }
    GpuAssignment gpus = ctx_.assign_gpus(config());
    if (!gpus.error.empty()) {
        failure_ = gpus.error;
        return Event::launch_failed;
    }
    const std::string& program = config().command.empty() ? ctx_.llama_server : config().command.front();
    launch_ = LaunchPlanInputs{find_executable(program).value_or(program), gpus};
    status_.gpus = gpus.devices;
    status_.gpu_reason = gpus.reason;
    // Quietly `starting`: the log line comes with the pid, or with the wait for memory.
    status_.state = ServiceState::starting;
    status_.cause = StopCause::none;
    status_.reason = "starting";
    handle_->publish(status_);
    ctx_.admit(AdmissionTicket{token_, attempt_});
    return std::nullopt;
}

bool ServiceRunner::awaiting(const AdmissionTicket& ticket) const {
    return phase_ == Phase::admitting && ticket.attempt == attempt_ && ticket.runner.generation == token_.generation;
}

void ServiceRunner::note_waiting_for_memory(const std::string& message) {
    publish(ServiceState::starting, StopCause::none, "waiting: " + message);
}

void ServiceRunner::admitted(const AdmissionTicket& ticket) {
    if (awaiting(ticket)) raise(Event::admitted);
}

void ServiceRunner::refused(const AdmissionTicket& ticket, const std::string& message) {
    if (!awaiting(ticket)) return;
    failure_ = message;
    raise(Event::refused);
}

std::optional<Event> ServiceRunner::spawn() {
    const config::ServiceConfig& cfg = config();
    auto port = ctx_.ports.acquire(cfg.name, cfg.port);
    if (port.port == 0) {
        failure_ = port.error;
        return port.retry ? Event::launch_deferred : Event::launch_failed;
    }
    LaunchInputs inputs;
    inputs.service = &cfg;
    inputs.llama_server = launch_->executable;
    inputs.port = port.port;
    inputs.gpus = launch_->gpus;
    inputs.inherited_env = ctx_.inherited_env;
    LaunchPlan plan = build_launch_plan(inputs);

    std::optional<Process> process;
    try {
        process.emplace(Process::spawn(SpawnSpec{launch_->executable, plan.argv, plan.env, plan.cpu_affinity}));
    } catch (const SpawnError& e) {
        failure_ = std::string("could not start the child: ") + e.what();
        return e.environmental() ? Event::launch_deferred : Event::launch_failed;
    }
    pid_t pid = process->pid();
    Child::Callbacks callbacks{
        resume([](ServiceRunner& self, std::string line) { self.on_output_line(std::move(line)); }),
        resume([](ServiceRunner& self, const ExitStatus& status, const std::string& note) {
            self.on_child_exit(status, note);
        }),
    };
    child_ = std::make_unique<Child>(ctx_.loop, std::move(*process), cfg.stop_timeout, "service " + cfg.name,
                                     std::move(callbacks));

    started_at_ = SteadyClock::now();
    ready_at_.reset();
    consecutive_health_failures_ = 0;
    local_probe_error_logged_ = false;
    deferrals_ = 0;
    stop_ = StopRecord{};
    last_exit_.reset();
    group_note_.clear();
    handle_->set_port(port.port);
    handle_->reset_stalls();
    status_.pid = pid;
    status_.port = port.port;
    status_.ready_since.reset();

    std::string command_line;
    for (const auto& arg : plan.argv) command_line += (command_line.empty() ? "" : " ") + arg;
    spdlog::info("service {}: pid {} on port {}, GPUs {} ({}): {}", cfg.name, pid, port.port,
                 join_devices(launch_->gpus.devices), launch_->gpus.reason, command_line);
    publish(ServiceState::starting, StopCause::none,
            "loading the model (pid " + std::to_string(pid) + ", port " + std::to_string(port.port) + ")");

    start_timer_ = ctx_.loop.add_timer(cfg.start_timeout, resume([](ServiceRunner& self) {
        self.start_timer_ = 0;
        self.stop_.cause = StopCause::load_failed;
        self.stop_.reason = "failed to load: not ready within start_timeout (" +
                            units::format_duration(self.config().start_timeout) + ")";
        self.raise(Event::start_timeout);
    }));
    schedule_health_check(ctx_.start_poll_interval);
    return std::nullopt;
}

std::optional<Event> ServiceRunner::fail_start() {
    // Retrying cannot fix a missing file or a taken port by itself: the service fails at once,
    // loudly, until the config is fixed (a reload retries it) or it is started by hand.
    status_.last_error = failure_;
    publish(ServiceState::failed, StopCause::load_failed, failure_);
    finish_waiters({false, 503, "service \"" + config().name + "\" cannot start: " + failure_, 0});
    return std::nullopt;
}

std::optional<Event> ServiceRunner::refuse_start() {
    publish(ServiceState::stopped, StopCause::no_memory, "cannot start now: " + failure_);
    finish_waiters({false, 503, failure_, 10});
    return std::nullopt;
}

// Out of descriptors, processes or memory: nothing the service did. Retried with a backoff of
// its own, which never counts towards restart_limit.
std::optional<Event> ServiceRunner::defer_start() {
    auto delay = std::chrono::milliseconds(kFirstDeferral);
    for (int i = 0; i < deferrals_ && delay < kLongestDeferral; ++i) delay *= 2;
    delay = std::min<std::chrono::milliseconds>(delay, kLongestDeferral);
    ++deferrals_;
    status_.next_restart_at = WallClock::now() + delay;
    publish(ServiceState::stopped, StopCause::environment,
            "could not start: " + failure_ + "; the machine is short of resources, not the service at fault: "
            "retrying in " + units::format_duration(delay) + " (not counted as a restart)");
    finish_waiters({false, 503, "service \"" + config().name + "\" " + status_.reason,
                    static_cast<int>(std::chrono::ceil<std::chrono::seconds>(delay).count())});
    restart_timer_ = ctx_.loop.add_timer(delay, resume([](ServiceRunner& self) {
        self.restart_timer_ = 0;
        self.raise(Event::restart_due);
    }));
    return std::nullopt;
}

std::optional<Event> ServiceRunner::become_ready() {
    if (start_timer_) ctx_.loop.cancel_timer(start_timer_);
    start_timer_ = 0;
    ready_at_ = SteadyClock::now();
    consecutive_health_failures_ = 0;
    status_.ready_since = WallClock::now();
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(*ready_at_ - started_at_);
    publish(ServiceState::ready, StopCause::none,
            "serving on port " + std::to_string(status_.port) + " (ready after " + units::format_duration(took) + ")");
    finish_waiters({true, 200, "ready", 0});
    schedule_health_check(config().health_interval);
    schedule_inference_probe();
    return std::nullopt;
}

std::optional<Event> ServiceRunner::cancel_start() {
    ++attempt_;  // the admission under way, and anything else of this attempt, is stale now
    cancel_timers();
    status_.next_restart_at.reset();
    publish(ServiceState::stopped, stop_.cause, stop_.reason);
    finish_waiters({false, 503, "service \"" + config().name + "\" " + stop_.reason, 0});
    return std::nullopt;
}

}  // namespace ggufd::supervisor
