// Putting a generated HAProxy config in place: data files and config written atomically (a
// temporary file, then a rename), checked with `haproxy -c` when HAProxy is installed, and the
// user's reload command run without a shell.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/haproxy/models_document.h"

namespace ggufd::cli {

/// `content` into `path` through a temporary file beside it; an error message, or nullopt.
std::optional<std::string> write_atomically(const std::filesystem::path& path, const std::string& content);

/// The data files into `dir` (created if missing); model-*.json files of earlier runs that are
/// no longer part of the fleet are removed. An error message, or nullopt.
std::optional<std::string> write_data_files(const std::filesystem::path& dir,
                                            const std::vector<haproxy::DataFile>& files);

/// HAProxy's own verdict on a config file: nullopt when it is valid or HAProxy is not installed
/// (`checked` says which), else HAProxy's output.
std::optional<std::string> haproxy_check(const std::filesystem::path& config, bool& checked);

/// Runs `command` (words split on blanks, no shell); an error message, or nullopt on exit 0.
std::optional<std::string> run_command(const std::string& command);

}  // namespace ggufd::cli
