// The loading pipeline: parse the TOML, read each section, check across services, apply the
// environment, and only when all of that found no error, look beside the configured models for
// projectors and discover the models directory.
#include "ggufd/config/loader.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "discovery.h"
#include "environment.h"
#include "sections.h"

namespace ggufd::config {
namespace {

LoadResult build(const toml::table& root, const std::filesystem::path& file, const Environment& env,
                 Diagnostics& diagnostics) {
    Reader reader(diagnostics, env.home, file.parent_path());
    Config config;
    config.source_file = file;
    SetInFile set_in_file = read_daemon_settings(reader, root, config);
    ServiceConfig defaults = read_defaults(reader, root);
    config.services = read_services(reader, root, defaults);
    check_fleet(reader, config);
    apply_environment(env, set_in_file, config, diagnostics);

    // Readers visit keys in toml++'s (alphabetical) order; users read a file top to bottom.
    std::stable_sort(diagnostics.errors.begin(), diagnostics.errors.end(), [](const ConfigError& a, const ConfigError& b) {
        auto order = [](const ConfigError& e) { return std::pair(e.line == 0 ? INT_MAX : e.line, e.column); };
        return order(a) < order(b);
    });

    LoadResult result;
    if (diagnostics.errors.empty()) {
        // After the checks, so that a broken file does not also produce a screenful of discovery notes.
        add_projectors_beside_models(config.services, config.models_dir);
        auto discovered = discover_services(config.models_dir, config.services, defaults, diagnostics.warnings);
        config.services.insert(config.services.end(), std::make_move_iterator(discovered.begin()),
                               std::make_move_iterator(discovered.end()));
        config.discovery_defaults = std::move(defaults);
        result.config = std::move(config);
    }
    result.errors = std::move(diagnostics.errors);
    result.warnings = std::move(diagnostics.warnings);
    return result;
}

}  // namespace

LoadResult load_string(std::string_view toml, const std::filesystem::path& file, const Environment& env) {
    Diagnostics diagnostics{file, {}, {}};
    toml::table root;
    try {
        root = toml::parse(toml, std::string_view(file.native()));
    } catch (const toml::parse_error& error) {
        const auto& where = error.source().begin;
        diagnostics.error({static_cast<int>(where.line), static_cast<int>(where.column)}, "",
                          "TOML syntax error: " + std::string(error.description()));
        return LoadResult{std::nullopt, std::move(diagnostics.errors), {}};
    }
    return build(root, file, env, diagnostics);
}

LoadResult load_file(const std::filesystem::path& file, const Environment& env) {
    auto cannot_read = [&](std::string reason) {
        return LoadResult{std::nullopt, {ConfigError{file, 0, 0, "", "cannot read the config file: " + reason}}, {}};
    };
    std::error_code error;
    if (std::filesystem::is_directory(file, error)) return cannot_read("it is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in) return cannot_read(std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return load_string(text.str(), file, env);
}

LoadResult rediscover(const Config& running) {
    LoadResult result;
    Config next = running;
    std::erase_if(next.services, [](const ServiceConfig& service) { return service.discovered; });
    auto discovered = discover_services(next.models_dir, next.services, next.discovery_defaults, result.warnings);
    next.services.insert(next.services.end(), std::make_move_iterator(discovered.begin()),
                         std::make_move_iterator(discovered.end()));
    result.config = std::move(next);
    return result;
}

LoadResult load_defaults(const Environment& env) {
    Diagnostics diagnostics{{}, {}, {}};
    return build(toml::table{}, {}, env, diagnostics);
}

}  // namespace ggufd::config
