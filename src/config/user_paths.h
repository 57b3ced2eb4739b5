// Paths as users write them: "~" means $HOME, and a relative path in a config file is relative
// to that file's directory (so a config and its models can move together). Pure: HOME and the
// base directory are passed in, nothing is looked up on disk.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ggufd/util/units.h"

namespace ggufd::config {

/// Expands a leading "~" or "~/" with `home`; then a path that is still relative is joined to
/// `base` (when `base` is empty it stays relative, i.e. to the working directory). "~user" is
/// refused, as is "~" when HOME is unset: the message says to write the full path.
units::Parsed<std::filesystem::path> resolve_user_path(std::string_view text, const std::optional<std::string>& home,
                                                       const std::filesystem::path& base);

/// True for a program name that is meant to be looked up on PATH ("llama-server"), as opposed
/// to a path to a file ("./bin/llama-server", "~/llama.cpp/llama-server").
bool is_bare_program_name(std::string_view text);

}  // namespace ggufd::config
