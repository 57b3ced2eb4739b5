// Deciding whether an AMD GPU is integrated (an APU's graphics) from what sysfs shows. No single
// sysfs file says so (ROCm asks the driver by ioctl), so three signals are combined; each is
// explained in docs/GPU-DISCOVERY.md. Pure: amd_discovery.cpp gathers the evidence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ggufd::gpu {

struct AmdEvidence {
    std::string gfx;                            ///< "gfx1036"
    uint64_t cpu_cores = 0;                     ///< KFD cpu_cores_count of the GPU's own node
    std::optional<uint64_t> kfd_memory_bytes;   ///< KFD mem_banks frame-buffer heaps, summed
    std::optional<uint64_t> vram_total_bytes;   ///< amdgpu mem_info_vram_total
};

struct AmdVerdict {
    bool integrated = false;
    bool memory_is_system_ram = false;  ///< the third signal fired: ROCm allocates from GTT
    std::string reason;                 ///< every signal that fired, or why none did
};

/// Integrated when any of these holds:
///  - the GPU shares its KFD node with CPU cores (how KFD shows older APUs);
///  - its gfx target only exists in APUs (integrated_only_target());
///  - KFD reports more than 1 GiB beyond the device's VRAM: since Linux 6.10 KFD offers an APU
///    with a small carve-out system RAM (GTT) as its "local" memory, which is the ~100 GB that
///    ROCm then shows as free and llama-server splits tensors onto.
AmdVerdict classify_amd(const AmdEvidence& evidence);

}  // namespace ggufd::gpu
