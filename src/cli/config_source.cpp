#include "config_source.h"

#include <cstdio>

namespace ggufd::cli {

LoadedConfig load_config(const std::string& explicit_path) {
    auto env = config::Environment::from_process();
    LoadedConfig loaded;
    if (!explicit_path.empty()) {
        loaded.result = config::load_file(explicit_path, env);
        loaded.described_source = explicit_path;
    } else if (auto path = config::default_config_path(env)) {
        loaded.result = config::load_file(*path, env);
        loaded.described_source = path->string();
    } else {
        loaded.result = config::load_defaults(env);
        loaded.described_source = "built-in defaults (no config file found)";
    }
    return loaded;
}

bool report_load(const LoadedConfig& loaded) {
    for (const auto& error : loaded.result.errors) std::fprintf(stderr, "error: %s\n", error.to_string().c_str());
    for (const auto& warning : loaded.result.warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
    if (!loaded.result.errors.empty()) {
        std::fprintf(stderr, "%zu error(s) in %s; nothing was started.\n", loaded.result.errors.size(),
                     loaded.described_source.c_str());
    }
    return loaded.result.errors.empty();
}

}  // namespace ggufd::cli
