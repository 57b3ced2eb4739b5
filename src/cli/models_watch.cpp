#include "models_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "ggufd/util/log.h"

namespace ggufd::cli {
namespace fs = std::filesystem;
namespace {

// Written-and-closed, created (symlinks have no close), moved in or out, deleted; and for the
// top directory, its own removal. Plain writes (IN_MODIFY) are left out: a copy in progress
// makes one IN_CLOSE_WRITE when it is done, not a rescan per write.
constexpr uint32_t kEntryEvents = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE;
constexpr uint32_t kSelfEvents = IN_DELETE_SELF | IN_MOVE_SELF;

bool ends_with_gguf(std::string_view name) {
    constexpr std::string_view suffix = ".gguf";
    if (name.size() <= suffix.size()) return false;
    std::string_view tail = name.substr(name.size() - suffix.size());
    return std::equal(tail.begin(), tail.end(), suffix.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

bool may_change_discovery(std::string_view name, bool is_directory) {
    if (name.empty() || name.front() == '.') return false;
    return is_directory || ends_with_gguf(name);
}

ModelsDirWatch::ModelsDirWatch(fs::path dir) : dir_(std::move(dir)), fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (!fd_) {
        problem_ = std::string("inotify is unavailable: ") + std::strerror(errno) +
                   " (too many inotify instances? see fs.inotify.max_user_instances)";
        return;
    }
    if (!watch(dir_)) {
        fd_.reset();
        return;
    }
    watch_subdirectories();
}

bool ModelsDirWatch::watch(const fs::path& directory) {
    const bool top = directory == dir_;
    int wd = ::inotify_add_watch(fd_.get(), directory.c_str(), kEntryEvents | IN_ONLYDIR | (top ? kSelfEvents : 0));
    if (wd >= 0) {
        if (top) top_ = wd;
        else subdirectories_[wd] = directory;
        return true;
    }
    std::string why = errno == ENOSPC ? "the inotify watch limit is reached (raise fs.inotify.max_user_watches)"
                                      : std::strerror(errno);
    if (top) problem_ = "cannot watch " + directory.string() + ": " + why;
    else spdlog::warn("models_dir: cannot watch {}: {}; files added there need `ggufd reload`", directory.string(), why);
    return false;
}

void ModelsDirWatch::watch_subdirectories() {
    std::error_code error;
    for (fs::directory_iterator it(dir_, error), end; !error && it != end; it.increment(error)) {
        std::error_code ignored;
        const fs::path& path = it->path();
        const bool known = std::any_of(subdirectories_.begin(), subdirectories_.end(),
                                       [&](const auto& entry) { return entry.second == path; });
        if (!known && may_change_discovery(path.filename().string(), true) && it->is_directory(ignored)) watch(path);
    }
}

bool ModelsDirWatch::drain() {
    if (!fd_) return false;
    alignas(inotify_event) char buffer[16 * 1024];
    bool changed = false;
    while (true) {
        ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EAGAIN: drained
        for (char* at = buffer; at < buffer + n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(at);
            at += sizeof(inotify_event) + event->len;
            const std::string_view name = event->len ? std::string_view(event->name) : std::string_view();
            const bool is_directory = (event->mask & IN_ISDIR) != 0;
            if (event->mask & IN_Q_OVERFLOW) {
                changed = true;  // events were lost: rescan, and watch any subdirectory we missed
                watch_subdirectories();
            } else if (event->wd == top_ && (event->mask & kSelfEvents)) {
                changed = true;
                problem_ = dir_.string() + " was removed or moved away: no longer watched (recreate it, then run `ggufd reload`)";
                spdlog::warn("models_dir: {}", problem_);
            } else if (event->mask & IN_IGNORED) {
                subdirectories_.erase(event->wd);  // a subdirectory that went away
            } else if (event->wd == top_ ? may_change_discovery(name, true) : may_change_discovery(name, is_directory)) {
                // At the top, any visible entry may be a subdirectory: a symlink to one (a Hugging
                // Face snapshot) is not IN_ISDIR, so it is looked at.
                changed = true;
                std::error_code ignored;
                if (event->wd == top_ && (event->mask & (IN_CREATE | IN_MOVED_TO)) && fs::is_directory(dir_ / name, ignored)) {
                    watch(dir_ / name);
                }
            }
        }
    }
    return changed;
}

}  // namespace ggufd::cli
