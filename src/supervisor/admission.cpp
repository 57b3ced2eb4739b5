// The memory budget's gate before a child starts (docs/MEMORY.md): the supervisor's side of memory_budget.h —
// who holds memory, whom to stop, and waiting for the memory to be freed. Every step after the
// first resumes with the launch's ticket and gives up quietly when the launch is no longer
// waiting (a stop, a reload, another attempt): no step holds a runner across a wait.
#include <algorithm>

#include "ggufd/util/log.h"
#include "ggufd/util/units.h"
#include "supervisor_core.h"

namespace ggufd::supervisor {
namespace {

constexpr int kMaxAdmissionRounds = 3;

bool shares_device(const ServiceStatus& a, const std::vector<int>& devices) {
    return std::any_of(a.gpus.begin(), a.gpus.end(),
                       [&](int device) { return std::find(devices.begin(), devices.end(), device) != devices.end(); });
}

}  // namespace

// Everyone else that holds memory (or is about to) on a GPU.
std::vector<Resident> SupervisorCore::residents_besides(const ServiceRunner& candidate) const {
    std::vector<Resident> residents;
    for (const auto& [generation, runner] : runners_) {
        if (runner.get() == &candidate) continue;
        const ServiceStatus& status = runner->status();
        bool holds = runner->has_child() || runner->phase() == Phase::admitting;
        if (!holds || status.gpus.empty()) continue;
        Resident resident;
        resident.name = runner->config().name + (runner->retired() ? " (old definition)" : "");
        resident.devices = status.gpus;
        resident.bytes_per_device = status.model.bytes_per_device;
        int in_flight = runner->handle()->in_flight();
        resident.evictable = runner->phase() == Phase::ready && in_flight == 0 && !runner->retired();
        resident.busy_reason = runner->retired()       ? "finishing its requests before a reload replaces it"
                               : in_flight > 0          ? std::to_string(in_flight) + " request(s) in flight"
                                                        : std::string(to_string(status.state));
        resident.last_used = runner->handle()->last_used();
        residents.push_back(std::move(resident));
    }
    return residents;
}

ServiceRunner* SupervisorCore::still_admitting(const AdmissionTicket& ticket) {
    ServiceRunner* runner = resolve(ticket.runner);
    return runner && runner->awaiting(ticket) ? runner : nullptr;
}

// fits -> go; evict -> stop the idle services named, wait for their memory to be freed, and
// plan again; refuse -> say why. `wait_for_memory`: the previous round stopped services whose
// memory the device has not yet been seen to free.
void SupervisorCore::admit(const AdmissionTicket& ticket, int round, bool wait_for_memory) {
    ServiceRunner* runner = still_admitting(ticket);
    if (!runner) return;
    if (wait_for_predecessor(*runner, ticket, round)) return;
    const ServiceStatus& status = runner->status();
    auto budgets = budgets_.load();
    if (budgets->empty() || status.gpus.empty()) return runner->admitted(ticket);
    Admission plan = supervisor::admit(*budgets, residents_besides(*runner), runner->config().name, status.gpus,
                                       status.model.bytes_per_device);
    if (plan.verdict == Admission::Verdict::fits) {
        if (wait_for_memory) return after_memory_freed(ticket, round);
        return runner->admitted(ticket);
    }
    if (wait_for_retiring(*runner, ticket, round)) return;
    if (plan.verdict == Admission::Verdict::refuse || round >= kMaxAdmissionRounds) {
        spdlog::warn("service {}: {}", runner->config().name, plan.message);
        return runner->refused(ticket, plan.message);
    }
    evict(*runner, ticket, plan, round);
}

// A reload's old definition of the same service that still holds its fixed port goes first.
bool SupervisorCore::wait_for_predecessor(ServiceRunner& runner, const AdmissionTicket& ticket, int round) {
    if (!runner.config().port) return false;
    for (auto& [generation, other] : runners_) {
        if (!other->retired() || !other->has_child() || other->status().port != *runner.config().port) continue;
        runner.note_waiting_for_memory("the previous definition still holds port " +
                                       std::to_string(*runner.config().port) + "; starting once it has stopped");
        other->after_exit([this, ticket, round] { admit(ticket, round, false); });
        return true;
    }
    return false;
}

// Old definitions retired by a reload free their memory on their own, soon (drain_timeout,
// then stop_timeout): when they hold what is missing, wait for them rather than refuse.
bool SupervisorCore::wait_for_retiring(ServiceRunner& runner, const AdmissionTicket& ticket, int round) {
    for (auto& [generation, other] : runners_) {
        if (!other->retired() || !other->has_child() || !shares_device(other->status(), runner.status().gpus)) continue;
        runner.note_waiting_for_memory("GPU memory is held by \"" + other->config().name +
                                       "\"'s old definition, which stops once its requests are done");
        other->after_exit([this, ticket, round] { admit(ticket, round, true); });
        return true;
    }
    return false;
}

void SupervisorCore::evict(ServiceRunner& runner, const AdmissionTicket& ticket, const Admission& plan, int round) {
    spdlog::info("service {}: {}", runner.config().name, plan.message);
    runner.note_waiting_for_memory(plan.message);
    std::vector<ServiceRunner*> victims;
    bool skipped = false;
    for (const auto& name : plan.evict) {
        ServiceRunner* victim = find(name);
        // Marked stopping only if still idle: a request that just arrived keeps it.
        if (victim && victim->handle()->try_mark_stopping_if_idle()) victims.push_back(victim);
        else skipped = true;
    }
    if (victims.empty()) return admit(ticket, round + 1, false);  // plan again at once, without them
    auto remaining = std::make_shared<size_t>(victims.size());
    for (ServiceRunner* victim : victims) {
        victim->stop(StopCause::evicted, "evicted to make room for \"" + runner.config().name + "\"",
                     [this, remaining, ticket, round, skipped] {
                         if (--*remaining > 0) return;
                         // One that could not be evicted changes the plan: make it again now,
                         // rather than wait for memory that this round cannot free.
                         if (skipped) return admit(ticket, round + 1, true);
                         after_memory_freed(ticket, round);
                     });
    }
}

void SupervisorCore::after_memory_freed(const AdmissionTicket& ticket, int round) {
    ServiceRunner* runner = still_admitting(ticket);
    if (!runner) return;
    const ServiceStatus& status = runner->status();
    memory_waiter_.wait(status.gpus, status.model.bytes_per_device, memory_.free_wait,
                        [this, ticket, round](bool freed, const std::string& detail) {
                            ServiceRunner* waiting = still_admitting(ticket);
                            if (!waiting) return;
                            if (!freed) {
                                spdlog::warn("service {}: memory not reported free within {} ({}); starting anyway",
                                             waiting->config().name, units::format_duration(memory_.free_wait), detail);
                            }
                            admit(ticket, round + 1, false);
                        });
}

}  // namespace ggufd::supervisor
