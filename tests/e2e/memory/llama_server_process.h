// A real llama-server child for one test: started on a free loopback port with its output in
// a log file, waited for until /health answers 200, and stopped (SIGTERM, then SIGKILL) when
// the object goes away. Never outlives the test process (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ggufd::test {

class LlamaServerProcess {
public:
    /// Starts `server` with --host 127.0.0.1 --port <free> -m `model` plus `args`, writing its
    /// output to `log`, and waits until it is ready. Throws std::runtime_error with the log's
    /// tail when it exits or is not ready within `timeout`.
    LlamaServerProcess(const std::filesystem::path& server, const std::filesystem::path& model,
                       const std::vector<std::string>& args, std::filesystem::path log,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));
    ~LlamaServerProcess();
    LlamaServerProcess(const LlamaServerProcess&) = delete;
    LlamaServerProcess& operator=(const LlamaServerProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::filesystem::path& log() const { return log_; }
    /// The process's peak resident memory so far (VmHWM), in bytes.
    uint64_t peak_rss_bytes() const;
    /// Stops the process and waits for it; the log is complete afterwards.
    void stop();

private:
    std::string log_tail() const;

    std::filesystem::path log_;
    int port_ = 0;
    pid_t pid_ = -1;
};

/// A port that was free on 127.0.0.1 a moment ago (bound, read back, released).
int free_loopback_port();

}  // namespace ggufd::test
