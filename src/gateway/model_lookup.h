// What the front door says when a model name finds no service: the names it knows (bounded, so
// a huge models_dir cannot make an error huge) and where models come from, so that a user sees
// where to put the file or the [services.NAME] entry that would serve it.
#pragma once

#include <string>
#include <string_view>

#include "ggufd/supervisor/supervisor.h"

namespace ggufd::gateway {

/// "alpha, a, default, beta": every service name and alias, at most `limit` of them, then "and N
/// more (GET /v1/models lists them all)"; "(none)" when there is none.
std::string known_models(const supervisor::ServiceDirectory& directory, size_t limit = 50);

/// Where models come from: the config file's services and models_dir's *.gguf files, and how a
/// file added there gets served (on its own when models_dir is watched, else after a reload).
std::string where_models_come_from(const supervisor::ModelSources& sources);

/// The whole message for a 404: `model "x" is not served here; known models: ...; <where>`, where
/// is as the directory's config says (the one running now, after any reload).
std::string unknown_model_message(std::string_view model, const supervisor::ServiceDirectory& directory);

}  // namespace ggufd::gateway
