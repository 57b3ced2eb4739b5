// `ggufd doctor`: checks everything ggufd needs to serve (docs/CLI.md) and says what to do about
// each problem. Exit code 0 when all is in order (warnings allowed), kProblems otherwise.
#pragma once

#include <string>

namespace ggufd::cli {

struct DoctorOptions {
    std::string config_path;  ///< empty: the file `serve` would read
    bool json = false;
};

int run_doctor(const DoctorOptions& options);

}  // namespace ggufd::cli
