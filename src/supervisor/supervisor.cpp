// The supervisor's public face: every call is handed to the supervisor thread (supervisor_core.h).
#include "ggufd/supervisor/supervisor.h"

#include "supervisor_core.h"

namespace ggufd::supervisor {

std::shared_ptr<ServiceHandle> ServiceDirectory::find(std::string_view name) const {
    auto it = by_name.find(std::string(name));
    return it == by_name.end() ? nullptr : it->second;
}

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

void Supervisor::reload(config::Config config, std::vector<DeviceBudget> budgets, ReloadCallback done,
                        ReloadOptions options) {
    core_->reload(std::move(config), std::move(budgets), std::move(done), options);
}

void Supervisor::report_stall(const std::shared_ptr<ServiceHandle>& service) { core_->report_stall(service); }

std::shared_ptr<const std::vector<DeviceBudget>> Supervisor::budgets() const { return core_->budgets(); }

}  // namespace ggufd::supervisor
