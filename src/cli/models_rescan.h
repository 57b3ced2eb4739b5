// What a models_dir rescan may apply: the rediscovered configuration, except that a model (or
// projector) file that is new or changed must be a complete GGUF file first, so that a big file
// still being copied or downloaded is not offered half-written. Pure but for the file check,
// which is injected.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/config/config.h"

namespace ggufd::cli {

/// A discovered service left out of (or kept at its running version in) a rescan, and why.
struct HeldBack {
    std::string service;
    std::string problem;  ///< names the file: "/m/x.gguf: offset 123: ... the file is truncated"
};

struct RescanPlan {
    config::Config next;
    std::vector<HeldBack> held_back;
};

/// nullopt when the file is a complete GGUF file; otherwise what is wrong, naming the file.
using GgufCheck = std::function<std::optional<std::string>(const std::filesystem::path&)>;

/// `rediscovered` (config::rediscover of `running`), where every discovered service that is not
/// running with the same settings has its model and projector checked: a service whose files
/// fail keeps its running version if it has one, and is otherwise left out until a later rescan.
RescanPlan plan_rescan(const config::Config& running, config::Config rediscovered, const GgufCheck& check);

/// The real check: gguf::read_header accepts the file (its header is whole and every tensor lies
/// within it).
std::optional<std::string> gguf_problem(const std::filesystem::path& file);

}  // namespace ggufd::cli
