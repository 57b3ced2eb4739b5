// AMD GPUs from sysfs, numbered as HIP will number them: KFD topology nodes in node order,
// minus the nodes ROCm's libhsakmt skips (CPU nodes, unreadable nodes, nodes without a render
// device), then ROCR_VISIBLE_DEVICES applied as ROCr applies it. Names, memory and the
// integrated verdict come from amdgpu's sysfs files and libdrm's amdgpu.ids.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/gpu/discovery.h"

namespace ggufd::gpu {

struct AmdDiscovery {
    std::vector<Device> devices;
    std::vector<Note> notes;
    bool kfd_topology_present = false;  ///< /sys/class/kfd exists: the amdgpu/KFD driver is loaded
};

using AccessCheck = std::function<bool(const std::filesystem::path&)>;

AmdDiscovery discover_amd(const std::filesystem::path& root,
                          const std::optional<std::string>& rocr_visible_devices,
                          const AccessCheck& can_open_rw);

/// Re-reads `device.memory` from its amdgpu sysfs files; a note when they cannot be read.
std::optional<Note> read_amd_memory(Device& device);

}  // namespace ggufd::gpu
