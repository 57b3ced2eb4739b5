// The daemon's GPU glue: which GPUs each child sees (the GPU part's mask over the devices found
// at start), and the memory budget per device (configured, else total minus reserve).
#pragma once

#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/gpu/device.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/gpu/mask.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(std::vector<gpu::Device> devices);

/// The runtime a mask's devices use, which decides the per-process overhead in estimates.
/// Where both vendors appear (an unchecked mask lists both), CUDA: its larger overhead makes
/// the estimate err high.
memory::GpuBackend backend_of(const gpu::Mask& mask);

/// A device's memory budget: [memory] budget for its index, else its total minus the reserve;
/// nullopt when neither is known.
std::optional<uint64_t> device_budget(const gpu::Device& device, const config::MemoryConfig& memory);

/// Budgets for every discovered device with a known size and every device named in
/// [memory] budget; free memory read through `monitor` (which must outlive the supervisor).
supervisor::MemoryOptions make_memory_options(const config::Config& config, gpu::DeviceMonitor& monitor);

}  // namespace ggufd::cli
