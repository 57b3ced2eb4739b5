// What the process environment contributes to the configuration: which file to read, and the
// variables that override or stand in for llama_server and models_dir.
#pragma once

#include "diagnostics.h"
#include "ggufd/config/loader.h"
#include "sections.h"

namespace ggufd::config {

/// Applies the precedence, for each of the two paths: GGUFD_* variable, then the file, then the
/// ROCM_* variable, then the built-in default ("llama-server" on PATH; "~/models"). Variables
/// that are set but empty count as unset. "~" is expanded; other relative values stay relative to
/// the working directory. A default "~/models" with HOME unset only warns (discovery is off).
void apply_environment(const Environment& env, SetInFile set_in_file, Config& config, Diagnostics& diagnostics);

}  // namespace ggufd::config
