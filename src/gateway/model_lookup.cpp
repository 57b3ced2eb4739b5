#include "model_lookup.h"

namespace ggufd::gateway {

std::string known_models(const supervisor::ServiceDirectory& directory, size_t limit) {
    std::string names;
    size_t listed = 0, total = 0;
    auto add = [&](const std::string& name) {
        if (++total > limit) return;
        names += (listed++ ? ", " : "") + name;
    };
    for (const auto& service : directory.services) {
        add(service->name());
        for (const auto& alias : service->config().aliases) add(alias);
    }
    if (total > limit) names += " and " + std::to_string(total - limit) + " more (GET /v1/models lists them all)";
    return names.empty() ? "(none)" : names;
}

std::string where_models_come_from(const supervisor::ModelSources& sources) {
    std::string services = sources.config_file.empty() ? "" : "the services of " + sources.config_file.string();
    if (sources.models_dir.empty()) {
        return "models are " + (services.empty() ? "configured in a config file" : services) +
               " (discovery is off: models_dir = \"\")";
    }
    return "models are " + (services.empty() ? "" : services + " and ") + "the *.gguf files in " +
           sources.models_dir.string() +
           (sources.models_dir_watched ? " (a file added there is served within seconds)"
                                        : " (a file added there is served after `ggufd reload`)");
}

std::string unknown_model_message(std::string_view model, const supervisor::ServiceDirectory& directory) {
    return "model \"" + std::string(model) + "\" is not served here; known models: " + known_models(directory) + "; " +
           where_models_come_from(directory.sources);
}

}  // namespace ggufd::gateway
