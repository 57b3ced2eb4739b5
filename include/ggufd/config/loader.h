// Reading the TOML file (or its absence) into a validated Config.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/config/config.h"

namespace ggufd::config {

/// One problem found in a config file, precise enough to fix without reading the code:
/// "/etc/ggufd/ggufd.toml:12:1: services.gemma.port: must be between 1 and 65535, got 70000".
struct ConfigError {
    std::filesystem::path file;
    int line = 0;    ///< 0 when the problem has no single line (e.g. a duplicate alias)
    int column = 0;
    std::string key;  ///< dotted path, e.g. "services.gemma.port"
    std::string message;

    std::string to_string() const;
};

/// The environment that config loading reads, injectable for tests.
struct Environment {
    std::optional<std::string> home;                     ///< HOME
    std::optional<std::string> xdg_config_home;          ///< XDG_CONFIG_HOME
    std::optional<std::string> ggufd_llama_server;       ///< GGUFD_LLAMA_SERVER (overrides config)
    std::optional<std::string> ggufd_models_dir;         ///< GGUFD_MODELS_DIR (overrides config)
    std::optional<std::string> rocm_llama_server_path;   ///< ROCM_LLAMA_SERVER_PATH (fallback)
    std::optional<std::string> rocm_model_dir;           ///< ROCM_MODEL_DIR (fallback)

    static Environment from_process();
};

struct LoadResult {
    std::optional<Config> config;        ///< set only when `errors` is empty
    std::vector<ConfigError> errors;     ///< every problem found, not just the first
    std::vector<std::string> warnings;   ///< e.g. listening beyond loopback without api_keys
};

/// The file `ggufd serve` reads when --config is not given: $XDG_CONFIG_HOME/ggufd/ggufd.toml
/// (or ~/.config/...), then /etc/ggufd/ggufd.toml. nullopt when neither exists.
std::optional<std::filesystem::path> default_config_path(const Environment& env);

/// Parses and validates `file`, then adds the services discovered in models_dir.
LoadResult load_file(const std::filesystem::path& file, const Environment& env);

/// Same, from TOML text (for tests and for error messages that name `file`).
LoadResult load_string(std::string_view toml, const std::filesystem::path& file, const Environment& env);

/// `running` with the services of its models_dir discovered afresh, exactly as loading would
/// find them, without reading the config file again (which the user may be editing): what a
/// models_dir watcher applies. Configured services are left as they are.
LoadResult rediscover(const Config& running);

/// The configuration used when there is no file at all: defaults plus discovered services.
LoadResult load_defaults(const Environment& env);

}  // namespace ggufd::config
