// Where the test suites find the programs they run: the binaries this build produced, and a
// real llama-server for the e2e suites.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace ggufd::test {

/// A program of this build tree, e.g. build_binary("ggufd") -> <build>/ggufd.
std::filesystem::path build_binary(const std::string& name);

/// A file of the source tree, e.g. source_file("config/ggufd.toml").
std::filesystem::path source_file(const std::string& relative);

struct LlamaServerLookup {
    std::optional<std::filesystem::path> path;
    std::string searched;  ///< what was tried, for the "skipped" message
};

/// A real llama-server: $GGUFD_TEST_LLAMA_SERVER, then ../shared/llama.cpp/llama-server beside
/// the source tree, then `llama-server` on PATH.
LlamaServerLookup find_llama_server();

/// HAProxy for the scale-out suites: `haproxy` on PATH, then /usr/sbin/haproxy (Debian's place,
/// not on every user's PATH). nullopt when neither exists.
std::optional<std::filesystem::path> find_haproxy();

}  // namespace ggufd::test
