#include "gpu_setup.h"

#include <algorithm>
#include <map>

#include "ggufd/gpu/mask.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(std::vector<gpu::Device> devices) {
    return [devices = std::move(devices)](const config::ServiceConfig& service) {
        supervisor::GpuAssignment assignment;
        auto mask = gpu::choose_mask(devices, service.gpus);
        if (auto* error = std::get_if<std::string>(&mask)) {
            assignment.error = *error;
            return assignment;
        }
        const auto& chosen = std::get<gpu::Mask>(mask);
        for (const auto& device : chosen.visible) {
            // Without discovery a configured index is passed to both runtimes: list it once.
            if (std::find(assignment.devices.begin(), assignment.devices.end(), device.index) == assignment.devices.end()) {
                assignment.devices.push_back(device.index);
            }
        }
        assignment.backend = backend_of(chosen);
        assignment.reason = chosen.reason;
        assignment.environment = gpu::mask_environment(chosen);
        return assignment;
    };
}

memory::GpuBackend backend_of(const gpu::Mask& mask) {
    if (mask.cpu_only()) return memory::GpuBackend::none;
    bool any_nvidia = std::any_of(mask.visible.begin(), mask.visible.end(),
                                  [](const gpu::DeviceRef& ref) { return ref.vendor == gpu::Vendor::nvidia; });
    return any_nvidia ? memory::GpuBackend::cuda : memory::GpuBackend::rocm;
}

std::optional<uint64_t> device_budget(const gpu::Device& device, const config::MemoryConfig& memory) {
    if (auto it = memory.budget_bytes.find(device.index); it != memory.budget_bytes.end()) return it->second;
    if (!device.memory.total_bytes) return std::nullopt;
    const uint64_t total = *device.memory.total_bytes;
    return total > memory.reserve_bytes ? total - memory.reserve_bytes : 0;
}

supervisor::MemoryOptions make_memory_options(const config::Config& config, gpu::DeviceMonitor& monitor) {
    supervisor::MemoryOptions options;
    std::map<int, supervisor::DeviceBudget> budgets;
    for (const auto& device : monitor.snapshot()) {
        auto bytes = device_budget(device, config.memory);
        if (!bytes || budgets.count(device.index)) continue;
        bool configured = config.memory.budget_bytes.count(device.index) > 0;
        budgets[device.index] = {device.index, *bytes,
                                 configured ? "configured"
                                            : "total " + units::format_bytes(*device.memory.total_bytes) + " - reserve " +
                                                  units::format_bytes(config.memory.reserve_bytes)};
    }
    // A budget for a device that discovery did not find still applies (explicit gpus are trusted).
    for (const auto& [device, bytes] : config.memory.budget_bytes) budgets.try_emplace(device, supervisor::DeviceBudget{device, bytes, "configured"});
    for (const auto& [device, budget] : budgets) options.budgets.push_back(budget);
    options.read_free_bytes = [&monitor](int device) {
        monitor.refresh();
        return monitor.free_bytes(device);
    };
    return options;
}

}  // namespace ggufd::cli
