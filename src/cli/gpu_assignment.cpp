#include "gpu_assignment.h"

#include "ggufd/gpu/mask.h"

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
        for (const auto& device : chosen.visible) assignment.devices.push_back(device.index);
        assignment.reason = chosen.reason;
        assignment.environment = gpu::mask_environment(chosen);
        return assignment;
    };
}

}  // namespace ggufd::cli
