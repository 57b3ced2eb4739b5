// NVIDIA GPUs from one nvidia-smi query (nvidia_smi_csv.h), numbered in PCI bus order: the order
// CUDA uses once CUDA_DEVICE_ORDER=PCI_BUS_ID is set (mask_environment() sets it), which is
// also the order nvidia-smi itself normally prints. A missing nvidia-smi is normal on AMD
// machines and only an info note; a failing or hung one is a warning with its own words.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ggufd/gpu/discovery.h"

namespace ggufd::gpu {

struct NvidiaDiscovery {
    std::vector<Device> devices;
    std::vector<Note> notes;
};

NvidiaDiscovery discover_nvidia(const CommandRunner& runner, const std::string& nvidia_smi,
                                std::chrono::milliseconds timeout);

/// Updates the memory of every NVIDIA device in `devices` from one nvidia-smi call, matching
/// rows by PCI bus id. Devices it cannot find get unknown memory and a note.
std::vector<Note> refresh_nvidia_memory(std::vector<Device>& devices, const CommandRunner& runner,
                                        const std::string& nvidia_smi, std::chrono::milliseconds timeout);

}  // namespace ggufd::gpu
