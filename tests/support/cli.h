// The ggufd command line of this build as the tests run it, as a user would: its exit code and
// everything it printed; a client command can be pointed at a test's daemon.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "daemon.h"
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

/// Runs `ggufd <args> --url <daemon>`.
CliResult run_cli(const TempDir& dir, const Daemon& daemon, std::vector<std::string> args);

}  // namespace ggufd::test
