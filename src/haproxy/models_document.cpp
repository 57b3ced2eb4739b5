#include "ggufd/haproxy/models_document.h"

#include <nlohmann/json.hpp>

namespace ggufd::haproxy {
namespace {

// The fields of a node's own /v1/models entry that hold for the whole fleet (not its state or
// port, which differ from node to node).
nlohmann::json model_entry(const FleetModel& model, const Route& route, const std::string& id, int64_t created) {
    nlohmann::json entry = {{"id", id},
                            {"object", "model"},
                            {"created", created},
                            {"owned_by", "ggufd"},
                            {"service", model.service},
                            {"aliases", model.aliases},
                            {"nodes", route.placements.size()}};
    for (const char* key : {"architecture", "parameters", "context_length", "quantization"}) {
        if (model.model_info.contains(key)) entry[key] = model.model_info[key];
    }
    return entry;
}

}  // namespace

std::string model_file_name(const std::string& id) { return "model-" + id + ".json"; }

std::vector<DataFile> models_documents(const Fleet& fleet, int64_t created) {
    std::vector<DataFile> files;
    nlohmann::json data = nlohmann::json::array();
    std::string names;
    for (const auto& model : fleet.models) {
        for (const auto& route : model.routes) {
            for (const auto& id : route.names) {
                nlohmann::json entry = model_entry(model, route, id, created);
                files.push_back({model_file_name(id), entry.dump() + "\n"});
                data.push_back(std::move(entry));
            }
        }
    }
    for (const auto& name : fleet.names()) names += name + "\n";
    files.insert(files.begin(), {kNamesFile, names});
    files.insert(files.begin(), {kModelsListFile, nlohmann::json{{"object", "list"}, {"data", data}}.dump() + "\n"});
    return files;
}

}  // namespace ggufd::haproxy
