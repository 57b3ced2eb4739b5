// The output of `nvidia-smi --query-gpu=index,name,uuid,pci.bus_id,memory.total,memory.used,
// memory.free --format=csv,noheader,nounits`: one line per GPU, ", "-separated, memory in MiB,
// and bracketed words ("[N/A]", "[Not Supported]") where the driver has no value. Pure parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ggufd::gpu {

/// The query itself; discovery and refresh_memory() both run it, so one parser serves both.
inline constexpr std::string_view kNvidiaSmiQuery =
    "--query-gpu=index,name,uuid,pci.bus_id,memory.total,memory.used,memory.free";
inline constexpr std::string_view kNvidiaSmiFormat = "--format=csv,noheader,nounits";

struct NvidiaSmiRow {
    int index = 0;                   ///< nvidia-smi's (NVML's) index
    std::string name;
    std::string uuid;
    std::string pci_bus_id;          ///< as printed, e.g. "00000000:18:00.0"
    std::optional<uint64_t> total_mib;  ///< nullopt for "[N/A]" and the like
    std::optional<uint64_t> used_mib;
    std::optional<uint64_t> free_mib;
};

struct NvidiaSmiTable {
    std::vector<NvidiaSmiRow> rows;
    std::vector<std::string> errors;  ///< "line 2: expected 7 fields …", one per rejected line
};

/// Parses every non-empty line; a line that does not fit is reported and skipped, so one odd
/// GPU does not hide the others. A name containing commas is kept whole (the other six fields
/// are taken from the ends of the line).
NvidiaSmiTable parse_nvidia_smi_csv(std::string_view text);

}  // namespace ggufd::gpu
