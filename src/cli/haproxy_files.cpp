#include "haproxy_files.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

namespace ggufd::cli {
namespace {

std::optional<std::filesystem::path> find_haproxy() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && ::access((std::filesystem::path(dir) / "haproxy").c_str(), X_OK) == 0) {
            return std::filesystem::path(dir) / "haproxy";
        }
    }
    if (::access("/usr/sbin/haproxy", X_OK) == 0) return std::filesystem::path("/usr/sbin/haproxy");
    return std::nullopt;
}

// Runs argv (no shell); its exit status, with stdout and stderr captured into `output`.
int run_and_capture(const std::vector<std::string>& argv, std::string& output) {
    char capture[] = "/tmp/ggufd-haproxy-XXXXXX";
    int fd = ::mkstemp(capture);
    if (fd < 0) return -1;
    ::unlink(capture);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, 1);
    posix_spawn_file_actions_adddup2(&actions, fd, 2);
    std::vector<char*> args;
    for (const auto& word : argv) args.push_back(const_cast<char*>(word.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = -1;
    if (spawned == 0) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    } else {
        output = std::string("cannot run ") + argv[0] + ": " + std::strerror(spawned);
    }
    ::lseek(fd, 0, SEEK_SET);
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    return spawned == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::optional<std::string> write_atomically(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out.flush()) return "cannot write " + temporary.string() + ": " + std::strerror(errno);
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) return "cannot replace " + path.string() + ": " + ec.message();
    return std::nullopt;
}

std::optional<std::string> write_data_files(const std::filesystem::path& dir,
                                            const std::vector<haproxy::DataFile>& files) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    std::set<std::string> current;
    for (const auto& file : files) {
        if (auto error = write_atomically(dir / file.name, file.content)) return error;
        current.insert(file.name);
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        bool ours = name.starts_with("model-") && name.ends_with(".json");
        if (ours && !current.contains(name)) std::filesystem::remove(entry.path(), ec);
    }
    return std::nullopt;
}

std::optional<std::string> haproxy_check(const std::filesystem::path& config, bool& checked) {
    auto haproxy = find_haproxy();
    checked = haproxy.has_value();
    if (!haproxy) return std::nullopt;
    std::string output;
    if (run_and_capture({haproxy->string(), "-c", "-f", config.string()}, output) == 0) return std::nullopt;
    return output;
}

std::optional<std::string> run_command(const std::string& command) {
    std::vector<std::string> words;
    std::istringstream in(command);
    for (std::string word; in >> word;) words.push_back(word);
    if (words.empty()) return std::nullopt;
    std::string output;
    int status = run_and_capture(words, output);
    if (status == 0) return std::nullopt;
    return "`" + command + "` failed (exit " + std::to_string(status) + "): " + output;
}

}  // namespace ggufd::cli
