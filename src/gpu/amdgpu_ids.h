// Marketing names of AMD GPUs from libdrm's amdgpu.ids table (the file rocminfo and ROCm read
// for "Marketing Name"). Pure lookup over the file's text; finding the file is the caller's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::gpu {

/// The product name for a PCI device id and revision ("747E,\tC8,\tAMD Radeon RX 7800 XT"),
/// or nullopt when the table has no such line. Comment lines ("#") and the version line are
/// skipped; fields may be separated by tabs or spaces, as the shipped file mixes both.
std::optional<std::string> find_marketing_name(std::string_view ids_text, uint32_t device_id,
                                               uint32_t revision);

}  // namespace ggufd::gpu
