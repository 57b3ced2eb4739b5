#include "supervisor_core.h"

#include <spdlog/spdlog.h>

extern char** environ;

namespace ggufd::supervisor {
namespace {

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) env.emplace_back(*entry);
    return env;
}

constexpr auto kIdleCheckInterval = std::chrono::seconds(1);
constexpr auto kStartPollInterval = std::chrono::milliseconds(100);

}  // namespace

std::set<uint16_t> reserved_ports(const config::Config& config) {
    std::set<uint16_t> ports = {config.listen.port};
    if (config.admin_listen) ports.insert(config.admin_listen->port);
    if (config.agent_listen) ports.insert(config.agent_listen->port);
    for (const auto& service : config.services) {
        if (service.port) ports.insert(*service.port);
    }
    return ports;
}

SupervisorCore::SupervisorCore(const config::Config& config, GpuAssigner assign_gpus, MemoryOptions memory)
    : config_(config),
      memory_(std::move(memory)),
      memory_waiter_(loop_, memory_.read_free_bytes),
      ports_(config.port_range_first, config.port_range_last, reserved_ports(config)),
      context_{loop_, ports_, std::move(assign_gpus), config.llama_server.string(), current_environment(),
               kStartPollInterval, {}, {}} {
    context_.on_transition = [this] { check_eager_settled(); };
    context_.admit = [this](ServiceRunner& runner, std::function<void()> proceed) { admit(runner, std::move(proceed), 0); };
    budgets_.store(std::make_shared<const std::vector<DeviceBudget>>(memory_.budgets));
    for (const auto& service : config_.services) runners_.emplace(service.name, make_runner(service));
    publish_directory();
}

SupervisorCore::~SupervisorCore() {
    if (thread_.joinable()) {
        loop_.stop();
        thread_.join();
    }
    runners_.clear();  // kills (SIGKILL) whatever still runs
}

std::unique_ptr<ServiceRunner> SupervisorCore::make_runner(const config::ServiceConfig& service) {
    return std::make_unique<ServiceRunner>(context_, std::make_shared<ServiceHandle>(service));
}

// The front door's view: every service and alias, in config order, for the current runners.
void SupervisorCore::publish_directory() {
    auto directory = std::make_shared<ServiceDirectory>();
    for (const auto& service : config_.services) {
        const auto& handle = runners_.at(service.name)->handle();
        directory->services.push_back(handle);
        directory->by_name.emplace(service.name, handle);
        for (const auto& alias : service.aliases) directory->by_name.emplace(alias, handle);
    }
    directory_.store(std::move(directory));
}

void SupervisorCore::start(std::function<void()> on_eager_settled) {
    on_eager_settled_ = std::move(on_eager_settled);
    thread_ = std::thread([this] { loop_.run(); });
    loop_.post([this] {
        for (const auto& service : config_.services) {
            if (service.load == config::LoadMode::eager) runners_.at(service.name)->start(false);
        }
        starting_eager_ = false;
        check_eager_settled();
        schedule_idle_check();
    });
}

ServiceRunner* SupervisorCore::find(const std::string& name) {
    auto it = runners_.find(name);
    return it == runners_.end() ? nullptr : it->second.get();
}

void SupervisorCore::ensure_ready(const std::shared_ptr<ServiceHandle>& handle, OutcomeCallback callback) {
    loop_.post([this, handle, callback = std::move(callback)]() mutable {
        // By name: after a reload the service may have a new runner (and handle) of that name.
        ServiceRunner* runner = find(handle->name());
        if (!runner) {
            callback({false, 503, "service \"" + handle->name() + "\" was removed from the configuration", 0});
            return;
        }
        runner->ensure_ready(std::move(callback));
    });
}

void SupervisorCore::control(const std::string& name, Supervisor::Action action, OutcomeCallback callback) {
    loop_.post([this, name, action, callback = std::move(callback)]() mutable {
        ServiceRunner* runner = find(name);
        if (!runner) {
            callback({false, 404, "no service named \"" + name + "\"", 0});
            return;
        }
        switch (action) {
            case Supervisor::Action::start:
                runner->start(true);
                runner->ensure_ready(std::move(callback));
                return;
            case Supervisor::Action::stop:
                runner->stop(StopCause::user, "stopped by user",
                             [callback = std::move(callback)] { callback({true, 200, "stopped", 0}); });
                return;
            case Supervisor::Action::restart:
                runner->stop(StopCause::user, "restarting at a user's request",
                             [runner, callback = std::move(callback)]() mutable {
                                 runner->start(true);
                                 runner->ensure_ready(std::move(callback));
                             });
                return;
        }
    });
}

void SupervisorCore::stop_all(std::function<void()> done) {
    loop_.post([this, done = std::move(done)] {
        shutting_down_ = true;
        auto remaining = std::make_shared<size_t>(runners_.size());
        if (*remaining == 0) {
            done();
            return;
        }
        for (auto& [name, runner] : runners_) {
            runner->stop(StopCause::shutdown, "the daemon is shutting down", [remaining, done] {
                if (--*remaining == 0) done();
            });
        }
    });
}

void SupervisorCore::schedule_idle_check() {
    loop_.add_timer(kIdleCheckInterval, [this] {
        if (shutting_down_) return;
        auto now = std::chrono::steady_clock::now();
        for (auto& [name, runner] : runners_) runner->check_idle(now);
        schedule_idle_check();
    });
}

// READY=1 for systemd waits until every eager service is ready or has given up.
void SupervisorCore::check_eager_settled() {
    if (starting_eager_ || !on_eager_settled_) return;
    for (const auto& service : config_.services) {
        if (service.load != config::LoadMode::eager) continue;
        ServiceRunner* runner = find(service.name);
        if (!runner) continue;
        ServiceState state = runner->state();
        if (state == ServiceState::starting) return;
        if (state == ServiceState::stopped && runner->status().next_restart_at) return;
    }
    auto callback = std::move(on_eager_settled_);
    on_eager_settled_ = nullptr;
    callback();
}

}  // namespace ggufd::supervisor
