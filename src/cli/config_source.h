// Finding and loading the configuration the way every command does: --config FILE, else the
// default path (XDG, then /etc), else built-in defaults plus the models directory.
#pragma once

#include <optional>
#include <string>

#include "ggufd/config/loader.h"

namespace ggufd::cli {

struct LoadedConfig {
    config::LoadResult result;
    std::string described_source;  ///< "/home/u/.config/ggufd/ggufd.toml" or "built-in defaults"
};

LoadedConfig load_config(const std::string& explicit_path);

/// Prints every error (and warning) of a load to stderr; true when there were no errors.
bool report_load(const LoadedConfig& loaded);

}  // namespace ggufd::cli
