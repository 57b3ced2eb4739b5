// Watching models_dir with inotify for model files that appear, disappear or are renamed: the
// directory and its immediate subdirectories, the levels discovery reads (docs/CONFIG.md,
// "Discovery"). Passive: the daemon's main thread polls fd() and calls drain(); what to do about
// a change (rescan_schedule.h, models_rescan.h) is decided elsewhere.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ggufd/net/unique_fd.h"

namespace ggufd::cli {

/// Whether a change to the directory entry `name` may change what discovery finds: a visible
/// *.gguf entry (a model, a projector, a symlink to one) or a visible directory (at the top of
/// models_dir every visible entry counts as one: a symlink to a directory is not flagged as
/// one). Hidden names are what downloaders and editors write before renaming (".x.gguf.part",
/// rsync's ".x.XXXXXX").
bool may_change_discovery(std::string_view name, bool is_directory);

class ModelsDirWatch {
public:
    /// Starts watching `dir` and its visible subdirectories (symlinked ones are followed). When
    /// that is impossible (no such directory, inotify limits), fd() is -1 and problem() says why.
    explicit ModelsDirWatch(std::filesystem::path dir);

    int fd() const { return fd_.get(); }
    const std::string& problem() const { return problem_; }
    const std::filesystem::path& directory() const { return dir_; }

    /// Reads every pending event (the fd is non-blocking). True when one may change what
    /// discovery finds: files written and closed, created (a symlink), moved or deleted;
    /// subdirectories added (then watched too) or removed; models_dir itself removed (then
    /// problem() says so); or events lost to a queue overflow.
    bool drain();

private:
    bool watch(const std::filesystem::path& directory);
    void watch_subdirectories();

    std::filesystem::path dir_;
    net::UniqueFd fd_;
    int top_ = -1;  // watch descriptor of dir_
    std::unordered_map<int, std::filesystem::path> subdirectories_;
    std::string problem_;
};

}  // namespace ggufd::cli
