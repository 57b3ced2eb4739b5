// discover() and refresh_memory(): AMD (amd_discovery.cpp) and NVIDIA (nvidia_discovery.cpp)
// side by side, plus the /dev/kfd check that `ggufd doctor` reports. The vendors never
// interact: each numbers its own GPUs, as each runtime does.
#include "ggufd/gpu/discovery.h"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "amd_discovery.h"
#include "nvidia_discovery.h"

namespace ggufd::gpu {
namespace fs = std::filesystem;
namespace {

bool access_read_write(const fs::path& path) { return ::access(path.c_str(), R_OK | W_OK) == 0; }

const CommandRunner& runner_of(const DiscoveryOptions& options) {
    return options.runner ? *options.runner : process_runner();
}

KfdAccess check_kfd(const DiscoveryOptions& options, const AccessCheck& can_open_rw, bool topology_present,
                    std::vector<Note>& notes) {
    KfdAccess kfd;
    kfd.path = options.root / "dev/kfd";
    std::error_code ec;
    kfd.exists = fs::exists(kfd.path, ec);
    kfd.accessible = kfd.exists && can_open_rw(kfd.path);
    const std::string topology = (options.root / "sys/class/kfd").string();
    if (!topology_present) {
        notes.push_back({Note::Level::info, "no AMD GPUs: " + topology +
                                                " is absent (the amdgpu driver's compute part, KFD, is not loaded)"});
    } else if (!kfd.exists) {
        notes.push_back({Note::Level::warning, topology + " exists but " + kfd.path.string() +
                                                   " does not: ROCm cannot run here (a container started "
                                                   "without --device=/dev/kfd?)"});
    }
    if (kfd.exists && !kfd.accessible) {
        notes.push_back({Note::Level::warning, kfd.path.string() + " exists but is not readable and writable by uid " +
                                                   std::to_string(geteuid()) +
                                                   ": add the user to the render and video groups "
                                                   "(usermod -aG render,video USER) and log in again"});
    }
    return kfd;
}

}  // namespace

DiscoveryOptions DiscoveryOptions::from_environment() {
    DiscoveryOptions options;
    if (const char* value = std::getenv("ROCR_VISIBLE_DEVICES")) options.rocr_visible_devices = value;
    return options;
}

Discovery discover(const DiscoveryOptions& options) {
    const AccessCheck can_open_rw = options.can_open_rw ? options.can_open_rw : AccessCheck(access_read_write);
    Discovery discovery;
    AmdDiscovery amd = discover_amd(options.root, options.rocr_visible_devices, can_open_rw);
    discovery.kfd = check_kfd(options, can_open_rw, amd.kfd_topology_present, discovery.notes);
    discovery.notes.insert(discovery.notes.end(), amd.notes.begin(), amd.notes.end());
    discovery.devices = std::move(amd.devices);

    NvidiaDiscovery nvidia = discover_nvidia(runner_of(options), options.nvidia_smi, options.command_timeout);
    discovery.notes.insert(discovery.notes.end(), nvidia.notes.begin(), nvidia.notes.end());
    discovery.devices.insert(discovery.devices.end(), nvidia.devices.begin(), nvidia.devices.end());
    return discovery;
}

std::vector<Note> refresh_memory(std::vector<Device>& devices, const DiscoveryOptions& options) {
    std::vector<Note> notes;
    for (Device& device : devices) {
        if (device.vendor != Vendor::amd) continue;
        if (auto note = read_amd_memory(device)) notes.push_back(*note);
    }
    std::vector<Note> nvidia = refresh_nvidia_memory(devices, runner_of(options), options.nvidia_smi,
                                                     options.command_timeout);
    notes.insert(notes.end(), nvidia.begin(), nvidia.end());
    return notes;
}

}  // namespace ggufd::gpu
