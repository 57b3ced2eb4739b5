// The GPUs a child process may be given, as discovery (discovery.h) found them: plain data,
// with the evidence for each fact, so that `ggufd doctor` can say why it believes what it does.
// Nothing here reads the machine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::gpu {

enum class Vendor { amd, nvidia };

/// "AMD" or "NVIDIA", as printed in logs and tables.
std::string_view to_string(Vendor vendor);

/// Memory figures in bytes. A figure the source does not report (nvidia-smi prints "[N/A]" on
/// unified-memory parts such as GB10; a sysfs file is missing) is nullopt, never 0.
struct Memory {
    std::optional<uint64_t> total_bytes;
    std::optional<uint64_t> used_bytes;
    std::optional<uint64_t> free_bytes;
};

/// One GPU, numbered as the child's runtime will number it: `index` is what goes into
/// HIP_VISIBLE_DEVICES (AMD: ROCm's agent order, i.e. KFD topology order after ROCm's own
/// filters) or CUDA_VISIBLE_DEVICES (NVIDIA: PCI bus order, which mask_environment() makes CUDA
/// use by setting CUDA_DEVICE_ORDER=PCI_BUS_ID). Indices are per vendor. See docs/GPU-DISCOVERY.md.
struct Device {
    Vendor vendor = Vendor::amd;
    int index = 0;
    std::string name;        ///< marketing name when known ("AMD Radeon RX 7800 XT", "NVIDIA H200")
    std::string arch;        ///< AMD gfx target ("gfx1101"); empty when unknown (NVIDIA, see docs)
    std::string pci_bus_id;  ///< "0000:03:00.0": lowercase, 4-digit domain, as in /sys/bus/pci
    std::string uuid;        ///< "GPU-…"; empty when the device reports none
    bool integrated = false; ///< shares system memory with the CPU (APU, GB10): masked by default
    Memory memory;           ///< what a child can allocate from; refreshed by refresh_memory()

    /// Where each fact came from, in words a user can check by hand.
    struct Sources {
        std::string listing;     ///< what listed the device and fixed its index
        std::string name;        ///< where `name` was found
        std::string integrated;  ///< the evidence for `integrated`, either way
        std::string memory;      ///< the files or command behind `memory`
    } source;

    /// AMD only: the amdgpu sysfs directory and pool ("vram" or "gtt") that refresh_memory()
    /// re-reads (mem_info_<pool>_total / _used). Empty for NVIDIA.
    std::filesystem::path amd_sysfs_dir;
    std::string amd_memory_pool;
};

}  // namespace ggufd::gpu
