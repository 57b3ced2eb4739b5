// The memory budget's gate before a child starts (docs/MEMORY.md): the supervisor's side of
// memory_budget.h — who holds memory, whom to stop, and waiting for the memory to be freed.
#include <spdlog/spdlog.h>

#include "ggufd/util/units.h"
#include "supervisor_core.h"

namespace ggufd::supervisor {
namespace {

constexpr int kMaxAdmissionRounds = 3;

}  // namespace

// Everyone else that holds memory (or is about to) on a GPU.
std::vector<Resident> SupervisorCore::residents_besides(const ServiceRunner& candidate) const {
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

// fits -> proceed; evict -> stop the idle services named, wait for their memory to be freed,
// and check again; refuse -> say why.
void SupervisorCore::admit(ServiceRunner& runner, std::function<void()> proceed, int round) {
    const ServiceStatus& status = runner.status();
    auto budgets = budgets_.load();
    if (budgets->empty() || status.gpus.empty()) return proceed();
    Admission admission = supervisor::admit(*budgets, residents_besides(runner), runner.config().name, status.gpus,
                                            status.model.bytes_per_device);
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
    auto remaining = std::make_shared<size_t>(victims.size());
    auto shared_after = std::make_shared<decltype(after_evictions)>(std::move(after_evictions));
    for (ServiceRunner* victim : victims) {
        victim->stop(StopCause::evicted, "evicted to make room for \"" + runner.config().name + "\"",
                     [remaining, shared_after] {
                         if (--*remaining == 0) (*shared_after)();
                     });
    }
}

}  // namespace ggufd::supervisor
