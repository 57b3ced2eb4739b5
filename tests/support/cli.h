// Running the `ggufd` command line of this build as a user would, and collecting what it said.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace ggufd::test {

struct CliResult {
    int exit_code = -1;  ///< -1: killed, or still running at the deadline
    std::string output;  ///< stdout and stderr together
};

/// Runs `ggufd ARGS...` with the test's environment plus `env`, waiting up to `deadline`; its
/// output goes to a log file in `dir`.
CliResult run_ggufd(const TempDir& dir, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {},
                    std::chrono::milliseconds deadline = std::chrono::minutes(2));

}  // namespace ggufd::test
