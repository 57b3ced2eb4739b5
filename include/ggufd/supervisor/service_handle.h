// The thread-safe face of one service: what the front door reads on every request (state, port,
// in-flight count) and what status output reads (a snapshot). Only the supervisor thread writes
// the state; the front door only counts requests.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/supervisor/log_ring.h"
#include "ggufd/supervisor/model_facts.h"
#include "ggufd/supervisor/request_metrics.h"
#include "ggufd/supervisor/service_state.h"

namespace ggufd::supervisor {

using WallClock = std::chrono::system_clock;

/// How a child process ended, in words: "exit code 3", "killed by signal 9 (SIGKILL)".
struct ExitInfo {
    bool signaled = false;
    int code = 0;  ///< exit code, or signal number when signaled
    WallClock::time_point at;
    std::string description;
};

/// A point-in-time copy of everything status output shows about a service.
struct ServiceStatus {
    ServiceState state = ServiceState::stopped;
    StopCause cause = StopCause::not_started;
    std::string reason;  ///< why it is in this state, in words a user can act on
    std::optional<pid_t> pid;
    uint16_t port = 0;
    std::optional<WallClock::time_point> ready_since;
    int restarts = 0;                 ///< automatic restarts since the daemon started
    std::optional<ExitInfo> last_exit;
    std::string last_error;
    std::optional<WallClock::time_point> next_restart_at;
    std::vector<int> gpus;            ///< the devices the child was given
    std::string gpu_reason;           ///< why those devices
    ModelFacts model;                 ///< GGUF summary and memory estimate
};

class ServiceHandle {
public:
    explicit ServiceHandle(config::ServiceConfig config);

    const config::ServiceConfig& config() const { return config_; }
    const std::string& name() const { return config_.name; }

    ServiceState state() const { return state_.load(); }
    uint16_t port() const { return port_.load(); }

    /// Front door: claims an in-flight slot if the service is ready. The slot is counted before
    /// the state is checked, and the supervisor marks a service `stopping` before it checks for
    /// in-flight requests, so an idle unload and a new request can never both proceed.
    bool try_begin_request();
    /// Front door: releases a slot claimed by try_begin_request().
    void end_request();
    int in_flight() const { return in_flight_.load(); }
    /// Agent (docs/SCALE-OUT.md): the fewest requests in flight at any moment since the previous
    /// call, which starts the next window. Slots busy through whole windows are held by long
    /// requests (streams); a run of short requests leaves free moments between them.
    int take_in_flight_low_water();
    /// When the last request ended (or began), for idle unload and least-recently-used eviction.
    std::chrono::steady_clock::time_point last_used() const;

    /// Front door: a request got no response head within first_byte_timeout. Returns how many
    /// have in a row (the supervisor is told by Supervisor::report_stall).
    int note_stall() { return stalls_in_a_row_.fetch_add(1) + 1; }
    /// Front door: a response head arrived, so inference works: the run of stalls is over.
    void note_response_head() {
        if (stalls_in_a_row_.load(std::memory_order_relaxed) != 0) stalls_in_a_row_.store(0);
    }
    int stalls_in_a_row() const { return stalls_in_a_row_.load(); }

    ServiceStatus status() const;
    LogRing& logs() { return logs_; }
    RequestMetrics& metrics() { return metrics_; }

    // --- supervisor thread only ---
    void publish(const ServiceStatus& status);
    void set_port(uint16_t port) { port_.store(port); }
    /// Marks the service stopping unless requests are in flight; false (and unchanged) if some are.
    bool try_mark_stopping_if_idle();
    /// A new child starts with no stalls held against it.
    void reset_stalls() { stalls_in_a_row_.store(0); }

private:
    const config::ServiceConfig config_;
    std::atomic<ServiceState> state_{ServiceState::stopped};
    std::atomic<uint16_t> port_{0};
    std::atomic<int> in_flight_{0};
    std::atomic<int> in_flight_low_water_{0};
    std::atomic<int64_t> last_used_ns_;
    std::atomic<int> stalls_in_a_row_{0};
    mutable std::mutex status_mutex_;
    ServiceStatus status_;
    LogRing logs_;
    RequestMetrics metrics_;
};

}  // namespace ggufd::supervisor
