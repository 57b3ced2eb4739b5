// Everything the supervisor thread owns: the loop, the runners, the directory the front door
// routes by. Only Supervisor's public methods cross threads, and they do so by posting to the
// loop. The memory budget's gate lives in admission.cpp, reloading in reload.cpp.
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
    void reload(config::Config config, std::vector<DeviceBudget> budgets, ReloadCallback done);

private:
    // admission.cpp
    std::vector<Resident> residents_besides(const ServiceRunner& candidate) const;
    void admit(ServiceRunner& runner, std::function<void()> proceed, int round);

    // reload.cpp
    void replace_runners(const ReloadReport& report, const std::set<std::string>& were_running);

    ServiceRunner* find(const std::string& name);
    std::unique_ptr<ServiceRunner> make_runner(const config::ServiceConfig& service);
    void publish_directory();
    void schedule_idle_check();
    void check_eager_settled();

    config::Config config_;
    net::EventLoop loop_;
    MemoryOptions memory_;
    MemoryWaiter memory_waiter_;
    PortAllocator ports_;
    RunnerContext context_;
    std::map<std::string, std::unique_ptr<ServiceRunner>> runners_;
    std::atomic<std::shared_ptr<const ServiceDirectory>> directory_;
    std::atomic<std::shared_ptr<const std::vector<DeviceBudget>>> budgets_;
    std::thread thread_;
    std::function<void()> on_eager_settled_;
    bool starting_eager_ = true;
    bool shutting_down_ = false;
    bool reloading_ = false;
};

/// Ports no child may take: the daemon's own and every service's fixed port.
std::set<uint16_t> reserved_ports(const config::Config& config);

}  // namespace ggufd::supervisor
