#include "check_config.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "config_source.h"
#include "exit_codes.h"

namespace ggufd::cli {

int run_check_config(const std::string& path, bool json) {
    LoadedConfig loaded = load_config(path);
    const auto& result = loaded.result;
    if (json) {
        nlohmann::json out = {{"file", loaded.described_source}, {"valid", result.errors.empty()}};
        out["errors"] = nlohmann::json::array();
        for (const auto& error : result.errors) {
            out["errors"].push_back({{"file", error.file.string()}, {"line", error.line}, {"column", error.column},
                                     {"key", error.key}, {"message", error.message}});
        }
        out["warnings"] = result.warnings;
        if (result.config) {
            out["services"] = nlohmann::json::array();
            for (const auto& service : result.config->services) {
                out["services"].push_back({{"name", service.name}, {"model", service.model.string()},
                                           {"load", config::to_string(service.load)}, {"discovered", service.discovered}});
            }
        }
        std::printf("%s\n", out.dump(2).c_str());
        return result.errors.empty() ? kOk : kUsage;
    }
    if (!report_load(loaded)) return kUsage;
    const auto& config = *result.config;
    std::printf("%s: valid, %zu service(s)\n", loaded.described_source.c_str(), config.services.size());
    for (const auto& service : config.services) {
        std::printf("  %-24s %-5s %s%s\n", service.name.c_str(), std::string(config::to_string(service.load)).c_str(),
                    service.command.empty() ? service.model.c_str() : service.command.front().c_str(),
                    service.discovered ? "  (discovered)" : "");
    }
    return kOk;
}

}  // namespace ggufd::cli
