// Which GGUF files of one directory are models to serve, which are the extra shards of a split
// model, and which are multimodal projectors, and which projector goes with which model. Pure:
// it works on a listing of file names, so discovery.cpp does all the disk access.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ggufd::config {

/// The GGUF files of one directory, by file name.
struct ModelDirectory {
    std::filesystem::path path;
    bool top_level = false;               ///< models_dir itself, not one of its subdirectories
    std::vector<std::string> gguf_files;  ///< "*.gguf" (any case), no particular order
};

/// A model that discovery would serve as a service.
struct FoundModel {
    std::string name;                              ///< the file stem, without a shard suffix
    std::filesystem::path file;                    ///< the model, or the first shard of a split one
    std::optional<std::filesystem::path> mmproj;   ///< projector to load with it
};

/// The models in `directory`, sorted by file name. The rules (docs/CONFIG.md, "Discovery"):
/// a file whose name contains "mmproj" is a projector, not a model; of "NAME-00001-of-00003.gguf"
/// and its siblings only the first shard is served, as "NAME"; a model gets the projector named
/// "mmproj-<model file name>" if there is one, else the directory's only projector when the
/// directory is a subdirectory (one model per directory, as llama.cpp's router and Hugging Face
/// downloads lay them out) or holds just that one model. What could not be placed (a projector
/// with no model, shards without their first) is described in `warnings`.
std::vector<FoundModel> find_models(const ModelDirectory& directory, std::vector<std::string>& warnings);

}  // namespace ggufd::config
