// Which GPUs each child sees: the GPU part's mask (configured `gpus`, else discrete GPUs only)
// over the devices discovered when the daemon started.
#pragma once

#include <vector>

#include "ggufd/gpu/device.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(std::vector<gpu::Device> devices);

}  // namespace ggufd::cli
