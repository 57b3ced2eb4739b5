// The state machine of one service on the supervisor thread: starting its child, polling its
// health, noticing its exit at once, stopping it (SIGTERM, grace, SIGKILL), restarting it by
// policy, and answering everyone waiting for it to be ready. It publishes every transition to
// its ServiceHandle, with the reason in words.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/net/event_loop.h"
#include "ggufd/supervisor/service_handle.h"
#include "ggufd/supervisor/supervisor.h"
#include "health_probe.h"
#include "output_reader.h"
#include "port_allocator.h"
#include "process.h"
#include "restart_policy.h"

namespace ggufd::supervisor {

class ServiceRunner;

/// What every runner shares, owned by the supervisor.
struct RunnerContext {
    net::EventLoop& loop;
    PortAllocator& ports;
    GpuAssigner assign_gpus;
    std::string llama_server;                  ///< as configured; resolved at each start
    std::vector<std::string> inherited_env;
    std::chrono::milliseconds start_poll_interval{100};
    /// Called after every published transition (for READY=1 bookkeeping and systemd STATUS=).
    std::function<void()> on_transition;
    /// The memory budget's gate before a child is spawned: calls `proceed` once the service
    /// fits (perhaps after stopping others), or ServiceRunner::refuse_start().
    std::function<void(ServiceRunner& runner, std::function<void()> proceed)> admit;
};

class ServiceRunner {
public:
    ServiceRunner(RunnerContext& context, std::shared_ptr<ServiceHandle> handle);
    ~ServiceRunner();

    const std::shared_ptr<ServiceHandle>& handle() const { return handle_; }
    const config::ServiceConfig& config() const { return handle_->config(); }
    ServiceState state() const { return status_.state; }
    bool has_child() const { return process_.has_value(); }

    /// Starts the child unless it is running or starting. `by_hand` also clears `failed` and
    /// the restart history.
    void start(bool by_hand);
    /// Makes the service ready, starting it if allowed; the callback gets the outcome.
    void ensure_ready(OutcomeCallback callback);
    /// Stops the child (or a pending restart). `done` runs once nothing runs any more.
    void stop(StopCause cause, std::string reason, std::function<void()> done);
    /// Unloads the service when it has been idle for `idle_unload`.
    void check_idle(std::chrono::steady_clock::time_point now);

    /// The memory budget: the latest status, the service is waiting for room, or cannot start.
    const ServiceStatus& status() const { return status_; }
    void note_waiting_for_memory(const std::string& message);
    void refuse_start(const std::string& message);

private:
    struct PidWatcher : net::IoHandler {
        ServiceRunner* runner;
        void on_io(uint32_t) override { runner->on_child_exit(); }
    };

    void launch();
    void spawn(const std::string& executable, uint16_t port, const GpuAssignment& gpus);
    void fail_start(std::string reason);
    void become_ready();
    void schedule_health_check(std::chrono::milliseconds delay);
    void run_health_check();
    void on_health(const HealthResult& result);
    void on_output_line(std::string line);
    void on_child_exit();
    void after_unexpected_exit(StopCause cause, const std::string& what, bool failure);
    void declare_unhealthy(std::string reason);
    void kill_for(StopCause cause, std::string reason);
    void send_sigterm();
    void finish_waiters(const Outcome& result);
    void publish(ServiceState state, StopCause cause, std::string reason);
    void cancel_timers();
    void release_child_watchers();
    std::string last_output_lines(size_t count) const;
    std::chrono::milliseconds ready_for() const;

    RunnerContext& ctx_;
    std::shared_ptr<ServiceHandle> handle_;
    ServiceStatus status_;
    RestartTracker restarts_;

    std::optional<Process> process_;
    std::unique_ptr<OutputReader> output_;
    std::unique_ptr<PidWatcher> pid_watcher_;
    std::unique_ptr<HealthProbe> probe_;
    int consecutive_health_failures_ = 0;

    std::chrono::steady_clock::time_point started_at_;
    std::optional<std::chrono::steady_clock::time_point> ready_at_;
    std::chrono::steady_clock::time_point stop_requested_at_;
    bool sigkill_sent_ = false;
    bool start_after_stop_ = false;  ///< a start arrived while stopping
    uint64_t launch_generation_ = 0;  ///< a stop during admission makes its continuation stale
    bool awaiting_admission_ = false; ///< launched, waiting for the memory budget's go-ahead

    /// Why the running child is being stopped; decides what happens when it exits.
    struct PendingStop {
        StopCause cause;
        std::string reason;
        bool is_failure;  ///< a kill for failure (unhealthy, start timeout): restart by policy
    };
    std::optional<PendingStop> pending_stop_;
    std::vector<std::function<void()>> stop_callbacks_;
    std::vector<OutcomeCallback> waiters_;

    net::EventLoop::TimerId health_timer_ = 0;
    net::EventLoop::TimerId start_timer_ = 0;
    net::EventLoop::TimerId kill_timer_ = 0;
    net::EventLoop::TimerId restart_timer_ = 0;
};

}  // namespace ggufd::supervisor
