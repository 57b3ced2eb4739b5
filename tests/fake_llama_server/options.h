// The fake llama-server's command line: llama-server's own flags (the few that shape its answers
// are kept, the rest are accepted and dropped) and the `--fake-*` flags that inject faults.
// Pure: turns words into Options or a message; printing and exiting are main.cpp's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ggufd::fake {

using Duration = std::chrono::milliseconds;

/// Everything the fake was told. An absent `--fake-*` count is std::nullopt, meaning "never";
/// llama-server settings keep llama-server's defaults. docs/TESTING.md describes every flag.
struct Options {
    // llama-server settings that show up in the fake's answers.
    std::string host = "127.0.0.1";
    int port = 8080;             ///< 0: let the kernel pick one (printed and recorded)
    std::string model;           ///< never opened; it names the fake in answers and logs
    std::string alias;
    std::string mmproj;          ///< a projector makes /props report vision
    int ctx_size = 4096;
    int parallel = 4;

    // Start-up and health.
    Duration load_delay{0};                    ///< /health answers 503 "Loading model" this long
    std::optional<int> exit_on_start;          ///< fail the "load" with this exit status
    std::optional<uint64_t> health_fail_after; ///< successful /health polls before 503 forever
    std::optional<uint64_t> health_hang_after; ///< /health polls before /health never answers
    bool hang = false;                         ///< bind, then never accept a connection

    // Generation.
    int tokens = 8;                            ///< content chunks per completion
    Duration token_interval{0};
    int embedding_dim = 16;

    // Faults during service.
    std::optional<uint64_t> crash_mid_stream;      ///< content chunks before SIGKILL
    std::optional<uint64_t> crash_after_requests;  ///< completions before exit(3)
    std::optional<uint64_t> fatal_log_after;       ///< completions before "CUDA error" and 500s
    std::optional<uint64_t> completion_hang_after; ///< completions answered before every later one hangs
    bool flood_output = false;                     ///< log lines as fast as the pipe takes them

    // Shutdown.
    Duration term_delay{0};
    bool ignore_sigterm = false;

    // Plumbing.
    std::string record_path;                   ///< write argv/env/pid/port here at start-up
    bool log_requests = false;
    int threads = 512;                         ///< most connections served at once

    bool show_help = false;
    bool show_version = false;
    std::vector<std::string> ignored;          ///< unknown flags and stray words, to be logged
};

/// `args` excludes argv[0]. Errors name the flag and what it expects, e.g.
/// `--fake-tokens "many": expected a whole number >= 0`.
std::variant<Options, std::string> parse_options(const std::vector<std::string>& args);

/// The text `--help` prints: every `--fake-*` flag on one line each.
const char* usage();

}  // namespace ggufd::fake
