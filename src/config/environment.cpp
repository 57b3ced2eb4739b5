// The Environment snapshot, where the config file is looked for, and environment-over-file
// precedence for llama_server and models_dir (see environment.h and loader.h).
#include "environment.h"

#include <cstdlib>
#include <system_error>

#include "user_paths.h"

namespace ggufd::config {
namespace {

std::optional<std::string> variable(const char* name) {
    const char* value = std::getenv(name);
    if (!value) return std::nullopt;
    return std::string(value);
}

/// An environment variable chosen to set a path, by name for error messages.
struct Chosen {
    std::string_view name;
    std::string value;
};

bool is_set(const std::optional<std::string>& value) { return value && !value->empty(); }

// The GGUFD_* variable always wins; the ROCM_* one only stands in for a value the file lacks.
std::optional<Chosen> choose(bool set_in_file, std::string_view primary_name, const std::optional<std::string>& primary,
                             std::string_view fallback_name, const std::optional<std::string>& fallback) {
    if (is_set(primary)) return Chosen{primary_name, *primary};
    if (!set_in_file && is_set(fallback)) return Chosen{fallback_name, *fallback};
    return std::nullopt;
}

}  // namespace

Environment Environment::from_process() {
    return Environment{
        .home = variable("HOME"),
        .xdg_config_home = variable("XDG_CONFIG_HOME"),
        .ggufd_llama_server = variable("GGUFD_LLAMA_SERVER"),
        .ggufd_models_dir = variable("GGUFD_MODELS_DIR"),
        .rocm_llama_server_path = variable("ROCM_LLAMA_SERVER_PATH"),
        .rocm_model_dir = variable("ROCM_MODEL_DIR"),
    };
}

std::optional<std::filesystem::path> default_config_path(const Environment& env) {
    std::vector<std::filesystem::path> candidates;
    // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
    if (env.xdg_config_home && std::filesystem::path(*env.xdg_config_home).is_absolute()) {
        candidates.push_back(std::filesystem::path(*env.xdg_config_home) / "ggufd" / "ggufd.toml");
    } else if (env.home && !env.home->empty()) {
        candidates.push_back(std::filesystem::path(*env.home) / ".config" / "ggufd" / "ggufd.toml");
    }
    candidates.push_back("/etc/ggufd/ggufd.toml");
    for (const auto& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    }
    return std::nullopt;
}

void apply_environment(const Environment& env, SetInFile set_in_file, Config& config, Diagnostics& diagnostics) {
    // Problems with variables are not the file's: they are reported without its name.
    auto resolve = [&](const Chosen& chosen) -> std::optional<std::filesystem::path> {
        auto resolved = resolve_user_path(chosen.value, env.home, {});
        if (auto* message = std::get_if<std::string>(&resolved)) {
            diagnostics.errors.push_back(ConfigError{{}, 0, 0, std::string(chosen.name), *message});
            return std::nullopt;
        }
        return std::get<std::filesystem::path>(resolved);
    };

    if (auto server = choose(set_in_file.llama_server, "GGUFD_LLAMA_SERVER", env.ggufd_llama_server,
                             "ROCM_LLAMA_SERVER_PATH", env.rocm_llama_server_path)) {
        if (is_bare_program_name(server->value)) {
            config.llama_server = server->value;
        } else if (auto path = resolve(*server)) {
            config.llama_server = *path;
        }
    }

    if (auto models = choose(set_in_file.models_dir, "GGUFD_MODELS_DIR", env.ggufd_models_dir, "ROCM_MODEL_DIR",
                             env.rocm_model_dir)) {
        if (auto path = resolve(*models)) config.models_dir = *path;
    } else if (!set_in_file.models_dir) {
        auto fallback = resolve_user_path("~/models", env.home, {});
        if (auto* path = std::get_if<std::filesystem::path>(&fallback)) {
            config.models_dir = *path;
        } else {
            diagnostics.warnings.push_back("HOME is not set, so there is no default models directory (~/models): no "
                                           "models discovered; set models_dir or GGUFD_MODELS_DIR");
        }
    }
}

}  // namespace ggufd::config
