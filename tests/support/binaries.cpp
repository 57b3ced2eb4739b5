#include "binaries.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace ggufd::test {
namespace {

bool is_executable(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::filesystem::path> search_path(const std::string& name) {
    const char* path_env = std::getenv("PATH");
    if (!path_env) return std::nullopt;
    std::stringstream dirs(path_env);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        auto candidate = std::filesystem::path(dir) / name;
        if (is_executable(candidate)) return candidate;
    }
    return std::nullopt;
}

}  // namespace

std::filesystem::path build_binary(const std::string& name) {
    return std::filesystem::path(GGUFD_BINARY_DIR) / name;
}

std::filesystem::path source_file(const std::string& relative) {
    return std::filesystem::path(GGUFD_SOURCE_DIR) / relative;
}

LlamaServerLookup find_llama_server() {
    LlamaServerLookup lookup;
    if (const char* env = std::getenv("GGUFD_TEST_LLAMA_SERVER"); env && *env) {
        lookup.searched = std::string("GGUFD_TEST_LLAMA_SERVER=") + env;
        if (is_executable(env)) lookup.path = env;
        else lookup.searched += " (not an executable file)";
        return lookup;
    }
    auto shared = std::filesystem::path(GGUFD_SOURCE_DIR) / ".." / "shared" / "llama.cpp" / "llama-server";
    shared = shared.lexically_normal();
    lookup.searched = "GGUFD_TEST_LLAMA_SERVER (unset), " + shared.string() + ", PATH";
    if (is_executable(shared)) {
        lookup.path = shared;
    } else {
        lookup.path = search_path("llama-server");
    }
    return lookup;
}

std::optional<std::filesystem::path> find_haproxy() {
    if (auto found = search_path("haproxy")) return found;
    if (is_executable("/usr/sbin/haproxy")) return std::filesystem::path("/usr/sbin/haproxy");
    return std::nullopt;
}

}  // namespace ggufd::test
