// The daemon's GPU glue: which GPUs each child sees (the GPU part's mask over the devices found
// at start), and the memory budget per device (configured, else total minus reserve).
#pragma once

#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/gpu/device.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(std::vector<gpu::Device> devices);

/// Budgets for every discovered device with a known size and every device named in
/// [memory] budget; free memory read through `monitor` (which must outlive the supervisor).
supervisor::MemoryOptions make_memory_options(const config::Config& config, gpu::DeviceMonitor& monitor);

}  // namespace ggufd::cli
