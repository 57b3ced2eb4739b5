#include "gfx_target.h"

#include <cstdio>

namespace ggufd::gpu {
namespace {

struct IntegratedTarget {
    std::string_view gfx;
    std::string_view chips;
};

// gfx_target_version values come from the kernel's kgd2kfd_probe (kfd_device.c); which of those
// chips are APUs from amdgpu's AMD_IS_APU flag. Update when AMD ships a new APU generation: an
// APU missing here is still caught when KFD reports more memory than its VRAM (classify_amd).
constexpr IntegratedTarget kIntegratedTargets[] = {
    {"gfx700", "Kaveri"},
    {"gfx801", "Carrizo"},
    {"gfx902", "Raven, Picasso, Dali"},
    {"gfx90c", "Renoir, Lucienne, Cezanne, Barcelo"},
    {"gfx940", "MI300A (early silicon)"},
    {"gfx1013", "Cyan Skillfish"},
    {"gfx1033", "Van Gogh"},
    {"gfx1035", "Rembrandt"},
    {"gfx1036", "Raphael, Granite Ridge, Dragon Range, Mendocino"},
    {"gfx1103", "Phoenix, Hawk Point"},
    {"gfx1150", "Strix Point"},
    {"gfx1151", "Strix Halo"},
    {"gfx1152", "Krackan Point"},
};

}  // namespace

std::string gfx_name(uint64_t gfx_target_version) {
    if (gfx_target_version == 0) return "";
    unsigned long long major = gfx_target_version / 10000;
    unsigned minor = static_cast<unsigned>(gfx_target_version / 100 % 100);
    unsigned stepping = static_cast<unsigned>(gfx_target_version % 100);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "gfx%llu%x%x", major, minor, stepping);
    return buffer;
}

std::optional<std::string_view> integrated_only_target(std::string_view gfx) {
    for (const auto& target : kIntegratedTargets) {
        if (target.gfx == gfx) return target.chips;
    }
    return std::nullopt;
}

}  // namespace ggufd::gpu
