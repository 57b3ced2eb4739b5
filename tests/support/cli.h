// The ggufd command line as the tests run it: a client command pointed at a test's daemon, with
// its exit code and everything it printed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "daemon.h"
#include "temp_dir.h"

namespace ggufd::test {

struct CliResult {
    int exit_code = -1;  ///< -1: it did not exit within the timeout (or died by a signal)
    std::string output;  ///< stdout and stderr together
};

/// Runs `ggufd <args>` (output kept under `dir`) and waits for it.
CliResult run_ggufd(const TempDir& dir, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(120));

/// Runs `ggufd <args> --url <daemon>`.
CliResult run_cli(const TempDir& dir, const Daemon& daemon, std::vector<std::string> args);

}  // namespace ggufd::test
