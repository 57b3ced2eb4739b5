// Which GPUs each child sees: configured `gpus`, else the default mask from GPU discovery.
#pragma once

#include "ggufd/config/config.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::cli {

supervisor::GpuAssigner make_gpu_assigner(const config::Config& config);

}  // namespace ggufd::cli
