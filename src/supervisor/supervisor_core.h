// Everything the supervisor thread owns: the loop, the runners, the directory the front door
// routes by. Only Supervisor's public methods cross threads, and they do so by posting to the
// loop. The memory budget's gate lives in admission.cpp, reloading in reload.cpp.
//
// Ownership (docs/ARCHITECTURE.md, "Who may hold what"): runners live in `runners_`, keyed by a
// generation that no other runner ever gets. A service's current runner is `current_[name]`;
// a reload retires the old one, which stays in `runners_` until it has no child and nothing
// pending, and is then destroyed by collect(), a task of its own, never inside a runner's step.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/net/event_loop.h"
#include "ggufd/supervisor/supervisor.h"
#include "ggufd/util/published.h"
#include "memory_waiter.h"
#include "port_allocator.h"
#include "service_runner.h"

namespace ggufd::supervisor {

class SupervisorCore {
public:
    SupervisorCore(const config::Config& config, GpuAssigner assign_gpus, MemoryOptions memory);
    ~SupervisorCore();

    void start(std::function<void()> on_eager_settled);
    std::shared_ptr<const ServiceDirectory> directory() const { return directory_.load(); }
    std::shared_ptr<const std::vector<DeviceBudget>> budgets() const { return budgets_.load(); }

    void ensure_ready(const std::shared_ptr<ServiceHandle>& handle, OutcomeCallback callback);
    void control(const std::string& name, Supervisor::Action action, OutcomeCallback callback);
    void stop_all(std::function<void()> done);
    void reload(config::Config config, std::vector<DeviceBudget> budgets, ReloadCallback done, ReloadOptions options);
    void report_stall(const std::shared_ptr<ServiceHandle>& handle);

private:
    // admission.cpp
    std::vector<Resident> residents_besides(const ServiceRunner& candidate) const;
    ServiceRunner* still_admitting(const AdmissionTicket& ticket);
    void admit(const AdmissionTicket& ticket, int round, bool wait_for_memory);
    bool wait_for_predecessor(ServiceRunner& runner, const AdmissionTicket& ticket, int round);
    bool wait_for_retiring(ServiceRunner& runner, const AdmissionTicket& ticket, int round);
    void evict(ServiceRunner& runner, const AdmissionTicket& ticket, const Admission& plan, int round);
    void after_memory_freed(const AdmissionTicket& ticket, int round);

    // reload.cpp
    void apply_reload(config::Config next, std::vector<DeviceBudget> budgets, const ReloadOptions& options,
                      ReloadReport& report);

    /// The current runner of `name`, or nullptr.
    ServiceRunner* find(const std::string& name);
    /// The runner a token names (current or retired), or nullptr when it is gone.
    ServiceRunner* resolve(const RunnerToken& token);
    ServiceRunner& make_runner(const config::ServiceConfig& service);
    void publish_directory();
    void reroute(const std::string& name, OutcomeCallback callback);
    void schedule_collect();
    void collect();
    void schedule_idle_check();
    void check_eager_settled();

    config::Config config_;
    net::EventLoop loop_;
    MemoryOptions memory_;
    MemoryWaiter memory_waiter_;
    PortAllocator ports_;
    RunnerContext context_;
    std::map<uint64_t, std::unique_ptr<ServiceRunner>> runners_;  ///< by generation: current and retired
    std::map<std::string, uint64_t> current_;                     ///< name -> generation of its runner
    uint64_t next_generation_ = 1;
    util::Published<const ServiceDirectory> directory_;
    util::Published<const std::vector<DeviceBudget>> budgets_;
    std::thread thread_;
    std::function<void()> on_eager_settled_;
    bool starting_eager_ = true;
    bool shutting_down_ = false;
    bool collect_posted_ = false;
};

/// Ports no child may take: the daemon's own and every service's fixed port.
std::set<uint16_t> reserved_ports(const config::Config& config);

}  // namespace ggufd::supervisor
