#include "supervisor_core.h"

#include "ggufd/util/log.h"

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

Outcome shutting_down() { return {false, 503, "the daemon is shutting down", 0}; }

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
               kStartPollInterval, {}, {}, {}, {}} {
    context_.on_transition = [this] {
        check_eager_settled();
        schedule_collect();
    };
    context_.resolve = [this](const RunnerToken& token) { return resolve(token); };
    // Always a step of its own: a runner's launch never sees the budget's answer re-enter it.
    context_.admit = [this](const AdmissionTicket& ticket) { loop_.post([this, ticket] { admit(ticket, 0, false); }); };
    context_.reroute = [this](const std::string& name, OutcomeCallback callback) {
        loop_.post([this, name, callback = std::move(callback)]() mutable { reroute(name, std::move(callback)); });
    };
    budgets_.store(std::make_shared<const std::vector<DeviceBudget>>(memory_.budgets));
    for (const auto& service : config_.services) make_runner(service);
    publish_directory();
}

SupervisorCore::~SupervisorCore() {
    if (thread_.joinable()) {
        loop_.stop();
        thread_.join();
    }
    runners_.clear();  // kills (SIGKILL) whatever still runs
}

ServiceRunner& SupervisorCore::make_runner(const config::ServiceConfig& service) {
    uint64_t generation = next_generation_++;
    auto runner = std::make_unique<ServiceRunner>(context_, std::make_shared<ServiceHandle>(service), generation);
    ServiceRunner& made = *runner;
    runners_.emplace(generation, std::move(runner));
    current_[service.name] = generation;
    return made;
}

ServiceRunner* SupervisorCore::find(const std::string& name) {
    auto it = current_.find(name);
    if (it == current_.end()) return nullptr;
    auto runner = runners_.find(it->second);
    return runner == runners_.end() ? nullptr : runner->second.get();
}

ServiceRunner* SupervisorCore::resolve(const RunnerToken& token) {
    auto it = runners_.find(token.generation);
    if (it == runners_.end() || it->second->token().name != token.name) return nullptr;
    return it->second.get();
}

// The front door's view: every service and alias, in config order, for the current runners.
void SupervisorCore::publish_directory() {
    auto directory = std::make_shared<ServiceDirectory>();
    for (const auto& service : config_.services) {
        const auto& handle = find(service.name)->handle();
        directory->services.push_back(handle);
        directory->by_name.emplace(service.name, handle);
        for (const auto& alias : service.aliases) directory->by_name.emplace(alias, handle);
    }
    directory->sources = {config_.source_file, config_.models_dir, config_.watch_models_dir};
    directory_.store(std::move(directory));
}

void SupervisorCore::start(std::function<void()> on_eager_settled) {
    on_eager_settled_ = std::move(on_eager_settled);
    thread_ = std::thread([this] { loop_.run(); });
    loop_.post([this] {
        // Every problem a user must fix is said once, now, naming the service, the path and the fix.
        for (const auto& service : config_.services) {
            ServiceRunner* runner = find(service.name);
            if (runner->check_startable() && service.load == config::LoadMode::eager) runner->start(false);
        }
        starting_eager_ = false;
        check_eager_settled();
        schedule_idle_check();
    });
}

void SupervisorCore::ensure_ready(const std::shared_ptr<ServiceHandle>& handle, OutcomeCallback callback) {
    // By name: after a reload the service may have a new runner (and handle) of that name.
    loop_.post([this, name = handle->name(), callback = std::move(callback)]() mutable {
        reroute(name, std::move(callback));
    });
}

void SupervisorCore::reroute(const std::string& name, OutcomeCallback callback) {
    if (shutting_down_) return callback(shutting_down());
    ServiceRunner* runner = find(name);
    if (!runner) {
        return callback({false, 404, "model \"" + name + "\" was removed from the configuration", 0});
    }
    runner->ensure_ready(std::move(callback));
}

void SupervisorCore::control(const std::string& name, Supervisor::Action action, OutcomeCallback callback) {
    loop_.post([this, name, action, callback = std::move(callback)]() mutable {
        if (shutting_down_) return callback(shutting_down());
        ServiceRunner* runner = find(name);
        if (!runner) return callback({false, 404, "no service named \"" + name + "\"", 0});
        switch (action) {
            case Supervisor::Action::start:
                return runner->start_by_hand(std::move(callback));
            case Supervisor::Action::stop:
                return runner->stop(StopCause::user, "stopped by user",
                                    [callback = std::move(callback)] { callback({true, 200, "stopped", 0}); });
            case Supervisor::Action::restart:
                // Stopping, then started as soon as the child is gone (the `restarting` phase).
                runner->stop(StopCause::user, "restarting at a user's request", {});
                return runner->start_by_hand(std::move(callback));
        }
    });
}

void SupervisorCore::stop_all(std::function<void()> done) {
    loop_.post([this, done = std::move(done)] {
        shutting_down_ = true;
        auto remaining = std::make_shared<size_t>(runners_.size());
        if (*remaining == 0) return done();
        for (auto& [generation, runner] : runners_) {
            runner->stop(StopCause::shutdown, "the daemon is shutting down", [remaining, done] {
                if (--*remaining == 0) done();
            });
        }
    });
}

void SupervisorCore::report_stall(const std::shared_ptr<ServiceHandle>& handle) {
    loop_.post([this, handle] {
        for (auto& [generation, runner] : runners_) {
            if (runner->handle() == handle) return runner->on_stall();
        }
    });
}

void SupervisorCore::schedule_collect() {
    bool any_retired = runners_.size() > current_.size();
    if (collect_posted_ || !any_retired) return;
    collect_posted_ = true;
    loop_.post([this] { collect(); });
}

// Retired runners go once they have no child and nothing pending. A task of its own, so that no
// runner is ever destroyed inside one of its own steps.
void SupervisorCore::collect() {
    collect_posted_ = false;
    std::erase_if(runners_, [](const auto& entry) { return entry.second->collectable(); });
}

void SupervisorCore::schedule_idle_check() {
    loop_.add_timer(kIdleCheckInterval, [this] {
        if (shutting_down_) return;
        auto now = std::chrono::steady_clock::now();
        for (const auto& [name, generation] : current_) runners_.at(generation)->check_idle(now);
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
        Phase phase = runner->phase();
        if (phase == Phase::admitting || phase == Phase::loading || phase == Phase::backoff) return;
    }
    auto callback = std::move(on_eager_settled_);
    on_eager_settled_ = nullptr;
    callback();
}

}  // namespace ggufd::supervisor
