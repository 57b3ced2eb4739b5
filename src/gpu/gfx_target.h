// AMD graphics targets: the name ROCm gives a GPU ("gfx1101") from the number KFD reports
// (gfx_target_version 110001), and the targets that only ever ship as integrated graphics.
// Pure lookups; the table's sources are in docs/GPU-DISCOVERY.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::gpu {

/// "gfx" + major in decimal + minor and stepping in hex, as ROCr names ISAs:
/// 110001 -> "gfx1101", 90012 -> "gfx90c", 90402 -> "gfx942". 0 (not a GPU) -> "".
std::string gfx_name(uint64_t gfx_target_version);

/// For a target that exists only inside APUs, the chips it names ("Raphael, Granite Ridge, …");
/// nullopt for discrete targets and for targets used by both kinds (gfx942: MI300X and MI300A).
std::optional<std::string_view> integrated_only_target(std::string_view gfx);

}  // namespace ggufd::gpu
