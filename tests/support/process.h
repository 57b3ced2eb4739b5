// Child processes the tests start (ggufd itself, llama-server, the fake): each in its own process
// group, output to a log file, and killed with its whole group when the test is done.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ggufd::test {

class ChildProcess {
public:
    /// Starts argv[0] (a path) with the test's environment plus `extra_env`; stdout and stderr go
    /// to `log_file`.
    ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_file,
                 const std::map<std::string, std::string>& extra_env = {});
    ~ChildProcess();  ///< SIGKILLs the process group if it still runs
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    /// The raw wait status once it exits within `timeout`, else nullopt.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    std::string log() const;
    const std::filesystem::path& log_file() const { return log_file_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_file_;
};

/// Makes this test process the reaper of orphaned descendants, so that children of a killed
/// daemon end up here and can be seen to die (instead of lingering as zombies of PID 1).
void become_subreaper();
/// Reaps any exited descendants that were reparented to us.
void reap_orphans();
/// True when no process with this pid exists (or only a zombie remains).
bool process_gone(pid_t pid);
/// The pids of processes whose parent is `parent`.
std::vector<pid_t> children_of(pid_t parent);
/// A free TCP port on 127.0.0.1 right now.
uint16_t free_port();
/// The first of `count` consecutive ports that are free now, from a random base (so that tests
/// running in parallel do not collide).
uint16_t free_port_range(int count);

}  // namespace ggufd::test
