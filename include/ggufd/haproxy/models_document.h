// What HAProxy answers itself for GET /v1/models and GET /v1/models/{id}: the union of every
// node's models in OpenAI's shape, written as files beside the generated config. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ggufd/haproxy/fleet.h"

namespace ggufd::haproxy {

/// A file `ggufd haproxy-config` writes into its data directory, and HAProxy reads at start.
struct DataFile {
    std::string name;     ///< relative to the data directory
    std::string content;
};

/// The file that answers GET /v1/models/{id}.
std::string model_file_name(const std::string& id);
inline constexpr const char* kModelsListFile = "models.json";
/// Every name a client may send, one per line: HAProxy's list of known models.
inline constexpr const char* kNamesFile = "names.lst";

/// models.json (every service and alias, OpenAI's list shape with ggufd's fields), one
/// model-<id>.json per name, and names.lst. `created` is OpenAI's timestamp for every entry.
std::vector<DataFile> models_documents(const Fleet& fleet, int64_t created);

}  // namespace ggufd::haproxy
