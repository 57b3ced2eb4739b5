// One definition of one service on the supervisor thread: its child, its health, its restarts,
// and everyone waiting for it. The lifecycle is the table in lifecycle.h: every public call and
// every asynchronous outcome becomes an Event, and the runner performs the Action the table
// names. Every transition is published to the ServiceHandle with its reason in words.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child.h"
#include "ggufd/net/event_loop.h"
#include "ggufd/supervisor/service_checks.h"
#include "ggufd/supervisor/service_handle.h"
#include "ggufd/supervisor/supervisor.h"
#include "health_probe.h"
#include "lifecycle.h"
#include "log_limiter.h"
#include "port_allocator.h"
#include "restart_policy.h"

namespace ggufd::supervisor {

class ServiceRunner;

/// Names one runner across asynchronous steps. A reload replaces a service's runner with one of
/// a new generation, so a step that resumes with an old token finds nothing and does nothing.
struct RunnerToken {
    std::string name;
    uint64_t generation = 0;
};

/// One launch attempt waiting for the memory budget: stale once the runner has moved on (a
/// stop, a reload, another attempt).
struct AdmissionTicket {
    RunnerToken runner;
    uint64_t attempt = 0;
};

/// What every runner shares, owned by the supervisor core (which outlives every runner).
struct RunnerContext {
    net::EventLoop& loop;
    PortAllocator& ports;
    GpuAssigner assign_gpus;
    std::string llama_server;                  ///< as configured; resolved at each start
    std::vector<std::string> inherited_env;
    std::chrono::milliseconds start_poll_interval{100};
    /// Called after every published transition (READY=1 bookkeeping, collecting retired runners).
    std::function<void()> on_transition;
    /// The runner a token names, or nullptr when it is gone.
    std::function<ServiceRunner*(const RunnerToken&)> resolve;
    /// The memory budget's gate: answers later with ServiceRunner::admitted() or refused().
    std::function<void(const AdmissionTicket&)> admit;
    /// Requests that waited on a retired runner ask again, by name, whoever serves it now.
    std::function<void(const std::string& name, OutcomeCallback callback)> reroute;
};

/// ServiceRunner is owned by SupervisorCore and destroyed only by it, outside any step of its
/// own, once it is retired and idle (collectable()). Nothing else holds a pointer to it across
/// an asynchronous step: continuations carry its token and resolve it when they resume.
class ServiceRunner {
public:
    /// A request that arrives while a restart waits out its backoff waits for it only this
    /// long; beyond, it is told at once when to come back (Retry-After).
    static constexpr std::chrono::seconds kMostBackoffToWaitFor{3};

    ServiceRunner(RunnerContext& context, std::shared_ptr<ServiceHandle> handle, uint64_t generation);
    ~ServiceRunner();
    ServiceRunner(const ServiceRunner&) = delete;
    ServiceRunner& operator=(const ServiceRunner&) = delete;

    const RunnerToken& token() const { return token_; }
    const std::shared_ptr<ServiceHandle>& handle() const { return handle_; }
    const config::ServiceConfig& config() const { return handle_->config(); }
    Phase phase() const { return phase_; }
    ServiceState state() const { return status_.state; }
    const ServiceStatus& status() const { return status_; }
    bool has_child() const { return supervisor::has_child(phase_); }
    bool retired() const { return retired_; }
    /// Retired, no child, nothing pending: the core may destroy it.
    bool collectable() const { return retired_ && phase_ == Phase::idle && waiters_.empty(); }

    // --- the core's calls ---
    /// Starts the child unless it runs or is starting. `by_hand` also clears `failed` and the
    /// restart history.
    void start(bool by_hand);
    /// Makes the service ready, starting it if allowed; the callback gets the outcome.
    void ensure_ready(OutcomeCallback callback);
    /// A start by hand whose callback hears how it went: ready, or what still fails.
    void start_by_hand(OutcomeCallback callback);
    /// Stops the child (or a pending start). `done` runs (posted) once no child runs.
    void stop(StopCause cause, std::string reason, std::function<void()> done);
    /// A reload replaced or removed this definition: requests in flight may finish (up to
    /// `drain_timeout`), then the child stops; waiting requests are rerouted by name.
    void retire(std::string reason, std::chrono::milliseconds drain_timeout);
    /// `done` runs (posted) once no child runs; at once if none does.
    void after_exit(std::function<void()> done);
    /// Unloads the service when it has been idle for `idle_unload`.
    void check_idle(std::chrono::steady_clock::time_point now);
    /// The front door saw another request without a response head in time.
    void on_stall();
    /// At startup: logs what will keep it from starting, in doctor's words, and fails it now.
    /// False when it cannot start.
    bool check_startable();
    /// After a reload: a service `failed` for a cause the configuration fixes is made
    /// startable again (and started when eager). True when it was.
    bool retry_if_fixed();

    // --- the memory budget's answers ---
    bool awaiting(const AdmissionTicket& ticket) const;
    void note_waiting_for_memory(const std::string& message);
    void admitted(const AdmissionTicket& ticket);
    void refused(const AdmissionTicket& ticket, const std::string& message);

private:
    /// Why the child is being stopped; decides what its exit means.
    struct StopRecord {
        StopCause cause = StopCause::none;
        std::string reason;
        bool failure = false;  ///< a kill for failure (unhealthy, start timeout): restart by policy
        bool signalled = false;
        bool sigkill_sent = false;
        std::chrono::steady_clock::time_point requested_at;
    };
    /// What launch() settled for spawn().
    struct LaunchPlanInputs {
        std::string executable;
        GpuAssignment gpus;
    };

    // service_runner.cpp: events and actions
    void raise(Event event);
    std::optional<Event> perform(Action action);
    void publish(ServiceState state, StopCause cause, std::string reason);
    void finish_waiters(const Outcome& outcome);
    void settle();

    // runner_start.cpp
    std::optional<Event> launch();
    std::optional<Event> spawn();
    std::optional<Event> fail_start();
    std::optional<Event> refuse_start();
    std::optional<Event> defer_start();
    std::optional<Event> become_ready();
    std::optional<Event> cancel_start();
    std::optional<ServiceProblem> startup_problem();
    void refresh_model_facts();

    // runner_stop.cpp
    std::optional<Event> terminate();
    std::optional<Event> kill_for_failure();
    std::optional<Event> escalate();
    std::optional<Event> note_stop();
    std::optional<Event> drain();
    void schedule_drain_poll();
    std::optional<Event> report_stop(bool answer_waiters);
    std::optional<Event> judge_exit();
    void on_child_exit(const ExitStatus& status, const std::string& group_note);
    void arm_kill_timer();
    std::string how_it_ended() const;

    // runner_health.cpp
    std::optional<Event> mark_unhealthy();
    std::optional<Event> recover();
    void schedule_health_check(std::chrono::milliseconds delay);
    void run_health_check();
    void on_health(const HealthResult& result);
    void schedule_inference_probe();
    void run_inference_probe();
    void on_inference_probe(const HealthResult& result);
    void on_output_line(std::string line);
    void report_suppressed_lines();

    void cancel_timers();
    std::string last_output_lines(size_t count) const;
    std::chrono::milliseconds ready_for() const;

    /// A continuation that resumes only while this runner exists and is still on the same
    /// attempt (the same launch, the same child): otherwise it is a stale no-op.
    template <typename Step>
    auto resume(Step step) {
        return [resolve = ctx_.resolve, token = token_, attempt = attempt_, step = std::move(step)](auto&&... args) {
            ServiceRunner* self = resolve(token);
            if (self && self->attempt_ == attempt) step(*self, std::forward<decltype(args)>(args)...);
        };
    }

    RunnerContext& ctx_;
    std::shared_ptr<ServiceHandle> handle_;
    const RunnerToken token_;
    ServiceStatus status_;
    Phase phase_ = Phase::idle;
    Phase previous_phase_ = Phase::idle;  ///< where the step being performed came from
    int raising_ = 0;            ///< depth of raise(): callbacks wait until the outermost returns
    bool retired_ = false;
    uint64_t attempt_ = 0;       ///< bumped by every launch, cancelled start and spawn

    RestartTracker restarts_;
    int deferrals_ = 0;          ///< environmental start failures in a row (not counted as restarts)
    std::optional<ServiceProblem> start_problem_;  ///< why the last start failed, when config-fixable
    std::string failure_;        ///< the failure a fail_start/refuse_start/defer_start reports
    std::chrono::milliseconds retry_delay_{0};

    std::optional<LaunchPlanInputs> launch_;
    std::unique_ptr<Child> child_;
    std::optional<ExitStatus> last_exit_;
    std::string group_note_;
    StopRecord stop_;
    std::chrono::milliseconds drain_timeout_{0};
    std::chrono::steady_clock::time_point drain_deadline_;

    std::unique_ptr<HealthProbe> probe_;
    std::unique_ptr<HealthProbe> inference_probe_;
    int consecutive_health_failures_ = 0;
    std::string unhealthy_reason_;
    std::chrono::steady_clock::time_point probe_started_at_;
    std::chrono::steady_clock::time_point started_at_;
    std::optional<std::chrono::steady_clock::time_point> ready_at_;
    bool local_probe_error_logged_ = false;

    LogLimiter log_limiter_;
    struct ModelStamp {
        dev_t device = 0;
        ino_t inode = 0;
        off_t size = 0;
        int64_t modified_ns = 0;
        bool operator==(const ModelStamp&) const = default;
    };
    std::optional<ModelStamp> model_stamp_;  ///< the file the current ModelFacts were read from

    std::vector<std::function<void()>> exit_callbacks_;  ///< stop()'s and after_exit()'s
    std::vector<OutcomeCallback> waiters_;

    net::EventLoop::TimerId health_timer_ = 0;
    net::EventLoop::TimerId start_timer_ = 0;
    net::EventLoop::TimerId kill_timer_ = 0;
    net::EventLoop::TimerId restart_timer_ = 0;
    net::EventLoop::TimerId drain_timer_ = 0;
    net::EventLoop::TimerId inference_timer_ = 0;
    net::EventLoop::TimerId suppressed_timer_ = 0;
};

}  // namespace ggufd::supervisor
