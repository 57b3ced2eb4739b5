// Finding the machine's GPUs: AMD from KFD/amdgpu sysfs, NVIDIA from nvidia-smi. Everything it
// reads sits under an injectable root and behind an injectable command runner, so the tests run
// the real code on recorded machines (tests/fixtures/gpu/). Facts and their sources: docs/GPU-DISCOVERY.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/gpu/command_runner.h"
#include "ggufd/gpu/device.h"

namespace ggufd::gpu {

/// A sentence for the log or `ggufd doctor`. Warnings are things the user should fix.
struct Note {
    enum class Level { info, warning };
    Level level = Level::info;
    std::string text;
};

/// Whether ROCm's compute device node is usable by this process (ROCm opens it read-write).
struct KfdAccess {
    std::filesystem::path path;  ///< <root>/dev/kfd
    bool exists = false;
    bool accessible = false;     ///< readable and writable by this process
};

struct Discovery {
    std::vector<Device> devices;  ///< AMD in HIP order, then NVIDIA in CUDA (PCI bus) order
    std::vector<Note> notes;
    KfdAccess kfd;
};

struct DiscoveryOptions {
    std::filesystem::path root = "/";  ///< sys/, dev/, usr/share/libdrm/ and opt/rocm/ are read under it
    std::string nvidia_smi = "nvidia-smi";  ///< a path, or a name searched on PATH
    const CommandRunner* runner = nullptr;  ///< nullptr: process_runner()
    std::chrono::milliseconds command_timeout{5000};
    /// The value of ROCR_VISIBLE_DEVICES that children will inherit; nullopt when unset.
    /// ROCm hides and reorders GPUs by it before HIP numbers them, so discovery applies it too.
    std::optional<std::string> rocr_visible_devices;
    /// Whether this process may open a device node read-write; nullptr: access(R_OK | W_OK).
    /// Injectable because tests run as root, for whom every node is accessible.
    std::function<bool(const std::filesystem::path&)> can_open_rw;

    /// The defaults for the running daemon: root "/", ROCR_VISIBLE_DEVICES from its environment.
    static DiscoveryOptions from_environment();
};

/// Lists every GPU a child could be given. Never throws for a machine's state: an unreadable
/// file, a missing or failing nvidia-smi, a hung driver all become notes, and the devices that
/// could be read are still returned.
Discovery discover(const DiscoveryOptions& options);

/// Re-reads used/total/free memory of `devices` in place: amdgpu sysfs for AMD, one nvidia-smi
/// call for all NVIDIA devices (matched by PCI bus id). Figures that cannot be read become
/// nullopt, with a note saying why. Cheap enough for status and metrics.
std::vector<Note> refresh_memory(std::vector<Device>& devices, const DiscoveryOptions& options);

}  // namespace ggufd::gpu
