#include "ggufd/supervisor/supervisor.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <set>

#include "ggufd/net/event_loop.h"
#include "port_allocator.h"
#include "service_runner.h"

extern char** environ;

namespace ggufd::supervisor {
namespace {

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) env.emplace_back(*entry);
    return env;
}

std::set<uint16_t> reserved_ports(const config::Config& config) {
    std::set<uint16_t> ports = {config.listen.port};
    if (config.admin_listen) ports.insert(config.admin_listen->port);
    for (const auto& service : config.services) {
        if (service.port) ports.insert(*service.port);
    }
    return ports;
}

constexpr auto kIdleCheckInterval = std::chrono::seconds(1);

}  // namespace

std::shared_ptr<ServiceHandle> ServiceDirectory::find(std::string_view name) const {
    auto it = by_name.find(std::string(name));
    return it == by_name.end() ? nullptr : it->second;
}

/// Everything the supervisor thread owns. Only the public methods of Supervisor cross threads,
/// and they do so by posting to `loop`.
class SupervisorCore {
public:
    SupervisorCore(const config::Config& config, GpuAssigner assign_gpus)
        : config_(config),
          ports_(config.port_range_first, config.port_range_last, reserved_ports(config)),
          context_{loop_, ports_, std::move(assign_gpus), config.llama_server.string(), current_environment(),
                   std::chrono::milliseconds(100), {}} {
        context_.on_transition = [this] { check_eager_settled(); };
        auto directory = std::make_shared<ServiceDirectory>();
        for (const auto& service : config.services) {
            auto handle = std::make_shared<ServiceHandle>(service);
            directory->services.push_back(handle);
            directory->by_name.emplace(service.name, handle);
            for (const auto& alias : service.aliases) directory->by_name.emplace(alias, handle);
            runners_.emplace(service.name, std::make_unique<ServiceRunner>(context_, handle));
        }
        directory_.store(std::move(directory));
    }

    ~SupervisorCore() {
        if (thread_.joinable()) {
            loop_.stop();
            thread_.join();
        }
        runners_.clear();  // kills (SIGKILL) whatever still runs
    }

    void start(std::function<void()> on_eager_settled) {
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

    std::shared_ptr<const ServiceDirectory> directory() const { return directory_.load(); }

    void ensure_ready(const std::shared_ptr<ServiceHandle>& handle, OutcomeCallback callback) {
        loop_.post([this, handle, callback = std::move(callback)]() mutable {
            ServiceRunner* runner = find(handle->name());
            if (!runner || runner->handle() != handle) {
                callback({false, 503, "service \"" + handle->name() + "\" was removed from the configuration", 0});
                return;
            }
            runner->ensure_ready(std::move(callback));
        });
    }

    void control(const std::string& name, Supervisor::Action action, OutcomeCallback callback) {
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

    void stop_all(std::function<void()> done) {
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

private:
    ServiceRunner* find(const std::string& name) {
        auto it = runners_.find(name);
        return it == runners_.end() ? nullptr : it->second.get();
    }

    void schedule_idle_check() {
        loop_.add_timer(kIdleCheckInterval, [this] {
            if (shutting_down_) return;
            auto now = std::chrono::steady_clock::now();
            for (auto& [name, runner] : runners_) runner->check_idle(now);
            schedule_idle_check();
        });
    }

    // READY=1 for systemd waits until every eager service is ready or has given up.
    void check_eager_settled() {
        if (starting_eager_ || !on_eager_settled_) return;
        for (const auto& service : config_.services) {
            if (service.load != config::LoadMode::eager) continue;
            ServiceState state = runners_.at(service.name)->state();
            if (state == ServiceState::starting) return;
            if (state == ServiceState::stopped && runners_.at(service.name)->handle()->status().next_restart_at) return;
        }
        auto callback = std::move(on_eager_settled_);
        on_eager_settled_ = nullptr;
        callback();
    }

    const config::Config config_;
    net::EventLoop loop_;
    PortAllocator ports_;
    RunnerContext context_;
    std::map<std::string, std::unique_ptr<ServiceRunner>> runners_;
    std::atomic<std::shared_ptr<const ServiceDirectory>> directory_;
    std::thread thread_;
    std::function<void()> on_eager_settled_;
    bool starting_eager_ = true;
    bool shutting_down_ = false;
};

Supervisor::Supervisor(const config::Config& config, GpuAssigner assign_gpus)
    : core_(std::make_unique<SupervisorCore>(config, std::move(assign_gpus))) {}

Supervisor::~Supervisor() = default;

void Supervisor::start(std::function<void()> on_eager_settled) { core_->start(std::move(on_eager_settled)); }

std::shared_ptr<const ServiceDirectory> Supervisor::directory() const { return core_->directory(); }

void Supervisor::ensure_ready(const std::shared_ptr<ServiceHandle>& service, OutcomeCallback callback) {
    core_->ensure_ready(service, std::move(callback));
}

void Supervisor::control(const std::string& name, Action action, OutcomeCallback callback) {
    core_->control(name, action, std::move(callback));
}

void Supervisor::stop_all(std::function<void()> done) { core_->stop_all(std::move(done)); }

}  // namespace ggufd::supervisor
