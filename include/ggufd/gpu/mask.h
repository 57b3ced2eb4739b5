// Which GPUs one child may see, and the environment that tells its runtime so. Pure functions of
// the discovered devices and the service's `gpus` setting; the policy and the environment
// variables' semantics (HIP, ROCr, CUDA) are explained in docs/GPU-DISCOVERY.md.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ggufd/gpu/device.h"

namespace ggufd::gpu {

/// A GPU as a child's runtime numbers it (indices are per vendor).
struct DeviceRef {
    Vendor vendor = Vendor::amd;
    int index = 0;
    bool operator==(const DeviceRef&) const = default;
};

/// The GPUs one child may see, in the order it will see them, and why, in words for the log:
/// "discrete GPUs [0]; integrated GPU 1 (gfx1036) masked: llama-server would split tensors onto it".
struct Mask {
    std::vector<DeviceRef> visible;  ///< empty: CPU only
    std::string reason;
    bool cpu_only() const { return visible.empty(); }
};

/// The mask, or why the configured `gpus` cannot be honoured (an index no GPU has, a repeated
/// index, a negative one); the caller decides whether that stops the service.
using MaskOrError = std::variant<Mask, std::string>;

/// `configured` is the service's `gpus`: nullopt = not set (default policy: every discrete GPU;
/// integrated ones only when there is nothing else), empty = CPU only, otherwise these indices in
/// this order. On a machine with GPUs of both vendors an index names that index of every vendor
/// that has it; a child built for one runtime only sees its own.
MaskOrError choose_mask(const std::vector<Device>& devices,
                        const std::optional<std::vector<int>>& configured);

/// The variables to set in the child's environment for `mask`, in a fixed order:
/// HIP_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES ("0,2", or "-1" to hide every device of that
/// runtime) and CUDA_DEVICE_ORDER=PCI_BUS_ID (so CUDA numbers GPUs as nvidia-smi and ggufd do).
/// ROCR_VISIBLE_DEVICES is deliberately not set: ROCr filters before HIP indexes, so setting both
/// to the same indices would hide devices.
std::vector<std::pair<std::string, std::string>> mask_environment(const Mask& mask);

}  // namespace ggufd::gpu
