// ROCR_VISIBLE_DEVICES as ROCm's runtime (ROCr, amd_filter_device.cpp) reads it: which of the
// KFD GPUs a process sees, in which order. Children inherit the daemon's value, and HIP then
// numbers only what is left, so discovery must number GPUs after the same filter. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ggufd::gpu {

struct RocrVisibility {
    std::vector<size_t> visible;  ///< positions in KFD GPU order, in the order ROCm exposes them
    std::string ignored;          ///< the token ROCm stopped at and why; empty when none was
};

/// `uuids[i]` is KFD GPU i's "GPU-<16 hex digits>", or "" when it has no unique id. As in ROCr:
/// tokens are comma-separated, trimmed and case-insensitive; a token is an index (C strtol base
/// 0, so "0x1" works) or a unique prefix of a UUID ("GPU-" plus 1–16 digits); parsing stops at
/// the first invalid, out-of-range or repeated token, and tokens beyond the number of GPUs are
/// not read. An empty value hides every GPU.
RocrVisibility apply_rocr_visible_devices(std::string_view value,
                                          const std::vector<std::string>& uuids);

}  // namespace ggufd::gpu
