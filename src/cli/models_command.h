// `ggufd models`: what the models directory (and the config) holds, with each model's GGUF
// metadata and memory estimate, as a table or --json. Unreadable or malformed files are listed
// with their error; they do not make the command fail.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "models_survey.h"

namespace ggufd::cli {

struct ModelsOptions {
    std::string config_path;  ///< empty: the file `serve` would read
    bool json = false;
};

/// kOk, or kUsage when the config has errors (then nothing is known to list).
int run_models(const ModelsOptions& options);

/// One model as `ggufd models --json` prints it.
nlohmann::json to_json(const ModelSurvey& survey);

/// The table (NAME, ARCH, PARAMS, QUANT, CTX, LAYERS, SIZE, MEMORY, FILE), then one line per
/// file that could not be read.
std::string render_models(const std::vector<ModelSurvey>& surveys);

}  // namespace ggufd::cli
