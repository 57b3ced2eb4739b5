// Turning the models directory into lazy services: the models that no configured service
// already serves, each inheriting [defaults]; and finding the projector that sits beside a
// configured service's model. Reads directories; never opens the model files (whether they are
// valid GGUF is for the services to find out when they start).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ggufd/config/config.h"

namespace ggufd::config {

/// Gives each configured llama-server service that names no `mmproj` (and does not say
/// `mmproj = false`) the projector beside its model, by discovery's rules (model_files.h)
/// applied to the model's directory: that directory counts as a subdirectory (whose only
/// projector goes to every model in it) when it is one of `models_dir`'s, symlinked or not, and
/// as a top level otherwise. A directory that cannot be read gives nothing:
/// a missing model is for the service to report when it starts.
void add_projectors_beside_models(std::vector<ServiceConfig>& configured, const std::filesystem::path& models_dir);

/// Services for the models in `models_dir` and its immediate subdirectories (hidden entries
/// skipped, deeper levels ignored), named after their files, lazy, built from `defaults`. A model
/// whose file a configured service already uses (same canonical path) is left to that service;
/// one whose name is taken (a configured name or alias, or an earlier discovered model) or is not
/// a usable service name is skipped with a warning. An empty `models_dir` discovers nothing; a
/// missing or unreadable one is a warning, not an error.
std::vector<ServiceConfig> discover_services(const std::filesystem::path& models_dir,
                                             const std::vector<ServiceConfig>& configured,
                                             const ServiceConfig& defaults, std::vector<std::string>& warnings);

}  // namespace ggufd::config
