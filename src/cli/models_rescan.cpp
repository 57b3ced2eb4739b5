#include "models_rescan.h"

#include <algorithm>
#include <system_error>

#include "ggufd/gguf/reader.h"

namespace ggufd::cli {

RescanPlan plan_rescan(const config::Config& running, config::Config rediscovered, const GgufCheck& check) {
    RescanPlan plan;
    std::vector<config::ServiceConfig> services;
    for (config::ServiceConfig& service : rediscovered.services) {
        auto current = std::find_if(running.services.begin(), running.services.end(),
                                    [&](const config::ServiceConfig& s) { return s.name == service.name; });
        const bool unchanged = current != running.services.end() && config::same_settings(*current, service);
        std::optional<std::string> problem;
        if (service.discovered && !unchanged) {
            problem = check(service.model);
            if (!problem && service.mmproj) problem = check(*service.mmproj);
        }
        if (!problem) {
            services.push_back(std::move(service));
            continue;
        }
        plan.held_back.push_back({service.name, *problem});
        if (current != running.services.end()) services.push_back(*current);
    }
    rediscovered.services = std::move(services);
    plan.next = std::move(rediscovered);
    return plan;
}

std::optional<std::string> gguf_problem(const std::filesystem::path& file) {
    try {
        gguf::read_header(file);
        return std::nullopt;
    } catch (const gguf::FormatError& error) {
        return error.what();
    } catch (const std::system_error& error) {
        return error.what();
    }
}

}  // namespace ggufd::cli
