// The memory budget (docs/MEMORY.md): per device, a budget and the services that hold memory on it.
// Before a service starts, admit() decides whether it fits, which idle services to stop first
// (least recently used), or why it cannot start now. Pure: the supervisor supplies the facts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ggufd::supervisor {

struct DeviceBudget {
    int device = 0;
    uint64_t bytes = 0;
    std::string source;  ///< "configured", or "total 16.0 GiB - reserve 512 MiB"
};

/// A service holding (or about to hold) memory on its devices.
struct Resident {
    std::string name;
    std::vector<int> devices;
    uint64_t bytes_per_device = 0;
    bool evictable = false;     ///< ready with no request in flight: may be stopped to make room
    std::string busy_reason;    ///< when not evictable: "2 requests in flight", "starting", ...
    std::chrono::steady_clock::time_point last_used{};
};

struct Admission {
    enum class Verdict { fits, evict, refuse };
    Verdict verdict = Verdict::fits;
    std::vector<std::string> evict;  ///< for evict: the services to stop, least recently used first
    std::string message;             ///< for evict and refuse: what and why, in words
};

/// Whether `name` (needing `bytes_per_device` on each of `devices`) can start beside
/// `residents`. Devices without a budget are not limited. Nothing is evicted unless evicting
/// makes it fit.
Admission admit(const std::vector<DeviceBudget>& budgets, const std::vector<Resident>& residents,
                const std::string& name, const std::vector<int>& devices, uint64_t bytes_per_device);

/// Bytes the residents hold on `device`.
uint64_t committed_on(const std::vector<Resident>& residents, int device);

}  // namespace ggufd::supervisor
