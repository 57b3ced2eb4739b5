#include "ggufd/supervisor/supervisor.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <set>

#include "ggufd/net/event_loop.h"
#include "ggufd/util/units.h"
#include "memory_waiter.h"
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
    SupervisorCore(const config::Config& config, GpuAssigner assign_gpus, MemoryOptions memory)
        : config_(config),
          memory_(std::move(memory)),
          memory_waiter_(loop_, memory_.read_free_bytes),
          ports_(config.port_range_first, config.port_range_last, reserved_ports(config)),
          context_{loop_, ports_, std::move(assign_gpus), config.llama_server.string(), current_environment(),
                   std::chrono::milliseconds(100), {}, {}} {
        context_.on_transition = [this] { check_eager_settled(); };
        context_.admit = [this](ServiceRunner& runner, std::function<void()> proceed) {
            admit(runner, std::move(proceed), 0);
        };
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

    const std::vector<DeviceBudget>& budgets() const { return memory_.budgets; }

private:
    static constexpr int kMaxAdmissionRounds = 3;

    // Everyone else that holds memory (or is about to) on a GPU.
    std::vector<Resident> residents_besides(const ServiceRunner& candidate) const {
        std::vector<Resident> residents;
        for (const auto& [name, runner] : runners_) {
            if (runner.get() == &candidate) continue;
            const ServiceStatus& status = runner->status();
            bool holds = runner->has_child() || status.state == ServiceState::starting;
            if (!holds || status.gpus.empty()) continue;
            Resident resident;
            resident.name = name;
            resident.devices = status.gpus;
            resident.bytes_per_device = status.model.bytes_per_device;
            int in_flight = runner->handle()->in_flight();
            resident.evictable = status.state == ServiceState::ready && in_flight == 0;
            resident.busy_reason = in_flight > 0 ? std::to_string(in_flight) + " request(s) in flight"
                                                 : std::string(to_string(status.state));
            resident.last_used = runner->handle()->last_used();
            residents.push_back(std::move(resident));
        }
        return residents;
    }

    // The memory budget's gate (see memory_budget.h): fits -> proceed; evict -> stop the idle
    // services named, wait for their memory to be freed, and check again; refuse -> say why.
    void admit(ServiceRunner& runner, std::function<void()> proceed, int round) {
        const ServiceStatus& status = runner.status();
        if (memory_.budgets.empty() || status.gpus.empty()) return proceed();
        Admission admission = supervisor::admit(memory_.budgets, residents_besides(runner), runner.config().name,
                                                status.gpus, status.model.bytes_per_device);
        if (admission.verdict == Admission::Verdict::fits) return proceed();
        if (admission.verdict == Admission::Verdict::refuse || round >= kMaxAdmissionRounds) {
            spdlog::warn("service {}: {}", runner.config().name, admission.message);
            return runner.refuse_start(admission.message);
        }
        spdlog::info("service {}: {}", runner.config().name, admission.message);
        runner.note_waiting_for_memory(admission.message);
        std::vector<ServiceRunner*> victims;
        for (const auto& name : admission.evict) {
            ServiceRunner* victim = find(name);
            // Marked stopping only if still idle: a request that just arrived keeps it.
            if (victim && victim->handle()->try_mark_stopping_if_idle()) victims.push_back(victim);
        }
        auto remaining = std::make_shared<size_t>(victims.size());
        auto after_evictions = [this, &runner, proceed = std::move(proceed), round]() mutable {
            const ServiceStatus& now = runner.status();
            memory_waiter_.wait(now.gpus, now.model.bytes_per_device, memory_.free_wait,
                                [this, &runner, proceed = std::move(proceed), round](bool freed, const std::string& detail) mutable {
                                    if (!freed) {
                                        spdlog::warn("service {}: memory not reported free within {} ({}); starting anyway",
                                                     runner.config().name, units::format_duration(memory_.free_wait), detail);
                                    }
                                    admit(runner, std::move(proceed), round + 1);
                                });
        };
        if (victims.empty()) return after_evictions();
        auto shared_after = std::make_shared<decltype(after_evictions)>(std::move(after_evictions));
        for (ServiceRunner* victim : victims) {
            victim->stop(StopCause::evicted, "evicted to make room for \"" + runner.config().name + "\"",
                         [remaining, shared_after] {
                             if (--*remaining == 0) (*shared_after)();
                         });
        }
    }

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
    MemoryOptions memory_;
    MemoryWaiter memory_waiter_;
    PortAllocator ports_;
    RunnerContext context_;
    std::map<std::string, std::unique_ptr<ServiceRunner>> runners_;
    std::atomic<std::shared_ptr<const ServiceDirectory>> directory_;
    std::thread thread_;
    std::function<void()> on_eager_settled_;
    bool starting_eager_ = true;
    bool shutting_down_ = false;
};

Supervisor::Supervisor(const config::Config& config, GpuAssigner assign_gpus, MemoryOptions memory)
    : core_(std::make_unique<SupervisorCore>(config, std::move(assign_gpus), std::move(memory))) {}

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

const std::vector<DeviceBudget>& Supervisor::budgets() const { return core_->budgets(); }

}  // namespace ggufd::supervisor
