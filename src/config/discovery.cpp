// Listing models_dir and filtering what model_files.cpp finds there (see discovery.h).
#include "discovery.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

#include "model_files.h"
#include "text_rules.h"

namespace ggufd::config {
namespace fs = std::filesystem;
namespace {

bool has_gguf_extension(const fs::path& file) {
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".gguf";
}

bool is_hidden(const fs::path& entry) { return entry.filename().string().starts_with('.'); }

// The GGUF files directly in `path`, and (when `subdirectories` is given) its visible subdirectories.
ModelDirectory list_directory(const fs::path& path, bool top_level, std::vector<fs::path>* subdirectories,
                              std::vector<std::string>& warnings) {
    ModelDirectory listing{path, top_level, {}};
    std::error_code error;
    for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
        const fs::directory_entry& entry = *it;
        if (is_hidden(entry.path())) continue;
        std::error_code ignored;  // an entry that vanished or is a dangling link is just not a model
        if (entry.is_regular_file(ignored) && has_gguf_extension(entry.path())) {
            listing.gguf_files.push_back(entry.path().filename().string());
        } else if (subdirectories && entry.is_directory(ignored)) {
            subdirectories->push_back(entry.path());
        }
    }
    if (error) warnings.push_back(path.string() + ": cannot list models: " + error.message());
    return listing;
}

fs::path canonical_or_same(const fs::path& path) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(path, error);
    return error ? path : canonical;
}

// Whether `directory` is one of models_dir's immediate subdirectories, where discovery lets a
// lone projector serve every model (the one-model-per-directory layout). Either as written or
// resolved: a subdirectory that is a symlink (a Hugging Face cache snapshot) still counts.
bool is_models_subdirectory(const fs::path& directory, const fs::path& models_dir) {
    if (models_dir.empty()) return false;
    const fs::path top = canonical_or_same(models_dir);
    return canonical_or_same(directory.parent_path()) == top || canonical_or_same(directory).parent_path() == top;
}

}  // namespace

void add_projectors_beside_models(std::vector<ServiceConfig>& configured, const fs::path& models_dir) {
    for (ServiceConfig& service : configured) {
        if (service.mmproj || !service.projector_beside_model || service.model.empty() || !service.command.empty()) {
            continue;
        }
        const fs::path directory = service.model.has_parent_path() ? service.model.parent_path() : fs::path(".");
        std::vector<std::string> ignored;  // unreadable directories and stray projectors: not this service's business
        ModelDirectory listing =
            list_directory(directory, !is_models_subdirectory(directory, models_dir), nullptr, ignored);
        for (FoundModel& model : find_models(listing, ignored)) {
            if (model.file.filename() == service.model.filename()) service.mmproj = std::move(model.mmproj);
        }
    }
}

std::vector<ServiceConfig> discover_services(const fs::path& models_dir, const std::vector<ServiceConfig>& configured,
                                             const ServiceConfig& defaults, std::vector<std::string>& warnings) {
    std::vector<ServiceConfig> discovered;
    if (models_dir.empty()) return discovered;
    std::error_code error;
    if (!fs::is_directory(models_dir, error)) {
        warnings.push_back("models_dir " + models_dir.string() +
                           (fs::exists(models_dir, error) ? " is not a directory" : " does not exist") +
                           ": no models discovered (create it, or point models_dir or GGUFD_MODELS_DIR elsewhere)");
        return discovered;
    }

    std::vector<fs::path> subdirectories;
    std::vector<ModelDirectory> directories{list_directory(models_dir, true, &subdirectories, warnings)};
    std::sort(subdirectories.begin(), subdirectories.end());
    for (const fs::path& subdirectory : subdirectories) {
        directories.push_back(list_directory(subdirectory, false, nullptr, warnings));
    }

    std::set<fs::path> served;
    std::set<std::string> taken;
    for (const ServiceConfig& service : configured) {
        if (!service.model.empty()) served.insert(canonical_or_same(service.model));
        taken.insert(service.name);
        taken.insert(service.aliases.begin(), service.aliases.end());
    }
    for (const ModelDirectory& directory : directories) {
        for (FoundModel& model : find_models(directory, warnings)) {
            if (served.contains(canonical_or_same(model.file))) continue;
            const std::string where = model.file.string() + ": not served: ";
            if (auto problem = name_problem(model.name)) {
                warnings.push_back(where + "service name " + *problem +
                                   "; rename the file or add a [services.NAME] entry with this model");
            } else if (!taken.insert(model.name).second) {
                warnings.push_back(where + "the name \"" + model.name +
                                   "\" is already taken by another service or alias; add a [services.NAME] entry "
                                   "with this model to serve it under another name");
            } else {
                ServiceConfig service = defaults;
                service.name = std::move(model.name);
                service.discovered = true;
                service.model = std::move(model.file);
                service.mmproj = std::move(model.mmproj);
                service.load = LoadMode::lazy;
                discovered.push_back(std::move(service));
            }
        }
    }
    return discovered;
}

}  // namespace ggufd::config
