// `ggufd serve`: run the daemon in the foreground until SIGTERM/SIGINT.
#pragma once

#include <string>

namespace ggufd::cli {

struct ServeOptions {
    std::string config_path;  ///< empty: the default config path, else built-in defaults
    std::string log_level = "info";
};

int run_serve(const ServeOptions& options);

}  // namespace ggufd::cli
