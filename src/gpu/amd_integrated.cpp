#include "amd_integrated.h"

#include "gfx_target.h"
#include "ggufd/util/units.h"

namespace ggufd::gpu {
namespace {

// A discrete GPU's KFD memory equals its VRAM (or a partition's share of it); an APU in GTT mode
// reports half the system RAM. The margin only guards against rounding in some future kernel.
constexpr uint64_t kSystemMemoryMargin = 1ull << 30;

void append(std::string& text, const std::string& sentence) {
    if (!text.empty()) text += "; ";
    text += sentence;
}

}  // namespace

AmdVerdict classify_amd(const AmdEvidence& evidence) {
    AmdVerdict verdict;
    if (evidence.cpu_cores > 0) {
        append(verdict.reason, "KFD lists it in one node with " + std::to_string(evidence.cpu_cores) +
                                   " CPU cores (an APU node)");
    }
    if (auto chips = integrated_only_target(evidence.gfx)) {
        append(verdict.reason, evidence.gfx + " only exists as integrated graphics (" +
                                   std::string(*chips) + ")");
    }
    const bool both_sizes = evidence.kfd_memory_bytes && evidence.vram_total_bytes;
    if (both_sizes && *evidence.kfd_memory_bytes > *evidence.vram_total_bytes + kSystemMemoryMargin) {
        verdict.memory_is_system_ram = true;
        append(verdict.reason, "KFD offers " + units::format_bytes(*evidence.kfd_memory_bytes) +
                                   " of device memory but it has " +
                                   units::format_bytes(*evidence.vram_total_bytes) +
                                   " of VRAM: the rest is system RAM");
    }
    verdict.integrated = !verdict.reason.empty();
    if (verdict.integrated) return verdict;

    std::string target =
        evidence.gfx.empty() ? "its gfx target is unknown" : evidence.gfx + " is not an APU-only target";
    verdict.reason = "no sign of integrated graphics: own KFD node, " + target;
    if (both_sizes) {
        verdict.reason += ", KFD memory (" + units::format_bytes(*evidence.kfd_memory_bytes) +
                          ") within its VRAM (" + units::format_bytes(*evidence.vram_total_bytes) + ")";
    } else {
        verdict.reason += ", memory sizes not readable";
    }
    return verdict;
}

}  // namespace ggufd::gpu
