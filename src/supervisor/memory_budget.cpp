#include "ggufd/supervisor/memory_budget.h"

#include <algorithm>
#include <map>
#include <set>

#include "ggufd/util/units.h"

namespace ggufd::supervisor {
namespace {

bool uses(const Resident& resident, int device) {
    return std::find(resident.devices.begin(), resident.devices.end(), device) != resident.devices.end();
}

std::string bytes(uint64_t n) { return units::format_bytes(n); }

// Devices of `devices` on which `need` more bytes would exceed the budget, given `held` bytes.
std::vector<int> over_budget(const std::map<int, uint64_t>& budget, const std::map<int, uint64_t>& held,
                             const std::vector<int>& devices, uint64_t need) {
    std::vector<int> over;
    for (int device : devices) {
        auto limit = budget.find(device);
        if (limit == budget.end()) continue;
        auto in_use = held.count(device) ? held.at(device) : 0;
        if (in_use + need > limit->second) over.push_back(device);
    }
    return over;
}

}  // namespace

uint64_t committed_on(const std::vector<Resident>& residents, int device) {
    uint64_t total = 0;
    for (const auto& resident : residents) {
        if (uses(resident, device)) total += resident.bytes_per_device;
    }
    return total;
}

Admission admit(const std::vector<DeviceBudget>& budgets, const std::vector<Resident>& residents,
                const std::string& name, const std::vector<int>& devices, uint64_t bytes_per_device) {
    Admission admission;
    std::map<int, uint64_t> budget, held;
    for (const auto& entry : budgets) budget[entry.device] = entry.bytes;
    for (int device : devices) held[device] = committed_on(residents, device);

    std::vector<int> over = over_budget(budget, held, devices, bytes_per_device);
    if (over.empty()) return admission;

    for (int device : over) {
        if (bytes_per_device > budget[device]) {
            admission.verdict = Admission::Verdict::refuse;
            admission.message = "service \"" + name + "\" needs " + bytes(bytes_per_device) + " on GPU " +
                                std::to_string(device) + ", more than its whole budget of " + bytes(budget[device]) +
                                ": raise [memory] budget, use a smaller quantisation or context, or more GPUs";
            return admission;
        }
    }

    // Stop idle services, least recently used first, until everything fits.
    std::vector<const Resident*> candidates;
    for (const auto& resident : residents) {
        bool relevant = std::any_of(over.begin(), over.end(), [&](int device) { return uses(resident, device); });
        if (relevant && resident.evictable) candidates.push_back(&resident);
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Resident* a, const Resident* b) { return a->last_used < b->last_used; });
    for (const Resident* victim : candidates) {
        admission.evict.push_back(victim->name);
        for (int device : victim->devices) {
            if (held.count(device)) held[device] -= std::min(held[device], victim->bytes_per_device);
        }
        if (over_budget(budget, held, devices, bytes_per_device).empty()) {
            admission.verdict = Admission::Verdict::evict;
            std::string names;
            for (const auto& evicted : admission.evict) names += (names.empty() ? "" : ", ") + evicted;
            admission.message = "stopping idle " + names + " to make room for \"" + name + "\" (" +
                                bytes(bytes_per_device) + " per GPU)";
            return admission;
        }
    }

    // Even stopping every idle service would not do: say what holds the memory.
    admission.verdict = Admission::Verdict::refuse;
    admission.evict.clear();
    int device = over.front();
    std::string holders;
    for (const auto& resident : residents) {
        if (!uses(resident, device)) continue;
        holders += (holders.empty() ? "" : ", ") + resident.name + " " + bytes(resident.bytes_per_device) + " (" +
                   (resident.evictable ? "idle" : resident.busy_reason) + ")";
    }
    admission.message = "service \"" + name + "\" needs " + bytes(bytes_per_device) + " on GPU " +
                        std::to_string(device) + " (budget " + bytes(budget[device]) + ", " +
                        bytes(committed_on(residents, device)) + " in use by " + holders +
                        "); it can start once those finish their requests";
    return admission;
}

}  // namespace ggufd::supervisor
