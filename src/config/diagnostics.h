// Where the loader collects what it finds wrong: every error and warning of one load, each with
// the file, position and dotted key it concerns. Loading goes on after an error so that the user
// sees all of them at once.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "ggufd/config/loader.h"

namespace ggufd::config {

/// A line and column in the config file, 1-based; 0 when there is no single place.
struct Position {
    int line = 0;
    int column = 0;
};

/// The errors and warnings of one load. Warnings are rendered exactly like errors, so both read
/// "file:line:col: key: message".
struct Diagnostics {
    std::filesystem::path file;
    std::vector<ConfigError> errors;
    std::vector<std::string> warnings;

    void error(Position at, std::string key, std::string message) {
        errors.push_back(ConfigError{file, at.line, at.column, std::move(key), std::move(message)});
    }
    void warning(Position at, std::string key, std::string message) {
        warnings.push_back(ConfigError{file, at.line, at.column, std::move(key), std::move(message)}.to_string());
    }
};

}  // namespace ggufd::config
