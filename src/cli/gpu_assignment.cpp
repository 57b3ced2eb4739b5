#include "gpu_assignment.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(const config::Config&) {
    return [](const config::ServiceConfig& service) {
        supervisor::GpuAssignment assignment;
        if (service.gpus) {
            assignment.devices = *service.gpus;
            assignment.reason = "configured gpus";
        } else {
            assignment.reason = "no GPU discovery yet: CPU only";
        }
        return assignment;
    };
}

}  // namespace ggufd::cli
