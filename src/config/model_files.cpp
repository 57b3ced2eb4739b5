// Sorting a directory's GGUF files into models, shards and projectors (see model_files.h).
#include "model_files.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ggufd::config {
namespace {

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_projector(const std::string& file) { return lowercase(file).find("mmproj") != std::string::npos; }

std::string_view stem(std::string_view file) { return file.substr(0, file.size() - std::string_view(".gguf").size()); }

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

/// "gemma-00002-of-00003" -> {"gemma", 2}, as llama.cpp's gguf-split names the parts.
struct Shard {
    std::string base;
    unsigned long index = 0;
};

std::optional<Shard> parse_shard(std::string_view stem) {
    size_t of = stem.rfind("-of-");
    if (of == std::string_view::npos || of == 0 || !all_digits(stem.substr(of + 4))) return std::nullopt;
    size_t dash = stem.rfind('-', of - 1);
    if (dash == std::string_view::npos || dash == 0) return std::nullopt;
    std::string_view index = stem.substr(dash + 1, of - dash - 1);
    if (!all_digits(index)) return std::nullopt;
    return Shard{std::string(stem.substr(0, dash)), std::stoul(std::string(index))};
}

}  // namespace

std::vector<FoundModel> find_models(const ModelDirectory& directory, std::vector<std::string>& warnings) {
    std::vector<std::string> files = directory.gguf_files;
    std::sort(files.begin(), files.end());

    std::vector<std::string> projectors;
    std::vector<FoundModel> models;
    std::map<std::string, std::string> shard_sets;  // base -> a file of the set, for the warning
    std::set<std::string> first_shards;
    for (const std::string& file : files) {
        if (is_projector(file)) {
            projectors.push_back(file);
        } else if (auto shard = parse_shard(stem(file))) {
            shard_sets.emplace(shard->base, file);
            if (shard->index != 1) continue;
            first_shards.insert(shard->base);
            models.push_back(FoundModel{shard->base, directory.path / file, std::nullopt});
        } else {
            models.push_back(FoundModel{std::string(stem(file)), directory.path / file, std::nullopt});
        }
    }
    for (const auto& [base, file] : shard_sets) {
        if (!first_shards.contains(base)) {
            warnings.push_back((directory.path / file).string() + ": a shard of \"" + base +
                               "\" whose first shard (-00001-of-...) is missing; not served");
        }
    }

    std::set<std::string> used_projectors;
    for (FoundModel& model : models) {
        std::string own = "mmproj-" + model.file.filename().string();
        auto named = std::find(projectors.begin(), projectors.end(), own);
        if (named != projectors.end()) {
            model.mmproj = directory.path / *named;
        } else if (projectors.size() == 1 && (!directory.top_level || models.size() == 1)) {
            model.mmproj = directory.path / projectors.front();
        } else {
            continue;
        }
        used_projectors.insert(model.mmproj->filename().string());
    }
    for (const std::string& projector : projectors) {
        if (used_projectors.contains(projector)) continue;
        warnings.push_back((directory.path / projector).string() +
                           ": projector not given to any model (which one is it for?); name it \"mmproj-<model file "
                           "name>\", put it in a directory with its model, or set mmproj in [services.NAME]");
    }
    return models;
}

}  // namespace ggufd::config
