// The text format of KFD's topology in sysfs: one "name value" pair per line, written by the
// kernel's kfd_topology.c (node_show, mem_show) and read the same way by ROCm's libhsakmt.
// Pure parsing; reading the files is amd_discovery.cpp's job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::gpu {

/// Numeric properties by name, e.g. {"simd_count", 120}, {"gfx_target_version", 110001}.
using KfdProperties = std::map<std::string, uint64_t, std::less<>>;

/// Parses "name value" lines. Lines that are not a name and a decimal number (a cache's
/// "sibling_map 1,0,…", a truncated last line) are skipped rather than fatal: the properties
/// ggufd needs are plain numbers, and a newer kernel may add other shapes.
KfdProperties parse_kfd_properties(std::string_view text);

/// The value of `name`, or nullopt when the kernel did not write it.
std::optional<uint64_t> property(const KfdProperties& properties, std::string_view name);

}  // namespace ggufd::gpu
