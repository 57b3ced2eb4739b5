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
        bool any_nvidia = false;
        for (const auto& device : chosen.visible) {
            any_nvidia |= device.vendor == gpu::Vendor::nvidia;
            // Without discovery a configured index is passed to both runtimes: list it once.
            if (std::find(assignment.devices.begin(), assignment.devices.end(), device.index) == assignment.devices.end()) {
                assignment.devices.push_back(device.index);
            }
        }
        // The runtime decides the per-process overhead in the estimate. Where both vendors
        // appear (an unchecked mask lists both), CUDA's larger overhead makes the estimate err high.
        if (!chosen.cpu_only()) assignment.backend = any_nvidia ? memory::GpuBackend::cuda : memory::GpuBackend::rocm;
        assignment.reason = chosen.reason;
        assignment.environment = gpu::mask_environment(chosen);
        return assignment;
    };
}

supervisor::MemoryOptions make_memory_options(const config::Config& config, gpu::DeviceMonitor& monitor) {
    supervisor::MemoryOptions options;
    std::map<int, supervisor::DeviceBudget> budgets;
    for (const auto& device : monitor.snapshot()) {
        if (!device.memory.total_bytes || budgets.count(device.index)) continue;
        uint64_t total = *device.memory.total_bytes;
        uint64_t reserve = std::min(total, config.memory.reserve_bytes);
        budgets[device.index] = {device.index, total - reserve,
                                 "total " + units::format_bytes(total) + " - reserve " + units::format_bytes(reserve)};
    }
    for (const auto& [device, bytes] : config.memory.budget_bytes) budgets[device] = {device, bytes, "configured"};
    for (const auto& [device, budget] : budgets) options.budgets.push_back(budget);
    options.read_free_bytes = [&monitor](int device) {
        monitor.refresh();
        return monitor.free_bytes(device);
    };
    return options;
}

}  // namespace ggufd::cli
