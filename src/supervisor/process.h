// Starting and ending one child process: fork/exec from an argv (never a shell) into its own
// process group, with PR_SET_PDEATHSIG, merged stdout/stderr on a pipe, and a pidfd that becomes
// readable the moment it exits. Passive: the owner watches the fds and calls reap().
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ggufd/net/unique_fd.h"

namespace ggufd::supervisor {

struct SpawnSpec {
    std::string executable;              ///< absolute path (resolve_executable() first)
    std::vector<std::string> argv;       ///< argv[0] included
    std::vector<std::string> env;        ///< the complete environment, "NAME=value"
    std::vector<int> cpu_affinity;       ///< empty: inherit
};

/// Why a spawn failed, e.g. "exec /usr/bin/llama-server: Permission denied", with its errno.
class SpawnError : public std::runtime_error {
public:
    SpawnError(const std::string& what, int error_number) : std::runtime_error(what), error_number_(error_number) {}
    int error_number() const { return error_number_; }
    /// The machine ran short (descriptors, processes, memory), not the program: worth retrying.
    bool environmental() const;

private:
    int error_number_;
};

/// How a process ended.
struct ExitStatus {
    bool signaled = false;
    int code = 0;  ///< exit code, or the signal number

    bool clean() const { return !signaled && code == 0; }
    /// "exit code 3" or "killed by signal 9 (SIGKILL)".
    std::string describe() const;
};

/// A running (or exited, not yet reaped) child. Destroying a Process whose child still runs
/// kills its process group with SIGKILL and reaps it: no child outlives its owner.
class Process {
public:
    /// Must be called from one long-lived thread: PR_SET_PDEATHSIG fires when the *thread* that
    /// forked the child exits. Throws SpawnError when exec fails, with its errno.
    static Process spawn(const SpawnSpec& spec);

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    ~Process();

    pid_t pid() const { return pid_; }
    /// True once reap() has collected the exit status.
    bool exited() const { return reaped_; }
    int pidfd() const { return pidfd_.get(); }
    /// The read end of the child's merged stdout/stderr (non-blocking); moved out by the owner.
    net::UniqueFd take_output() { return std::move(output_); }

    /// Sends `signal` to the child's whole process group (also after the leader was reaped:
    /// the group lives on as long as any member does).
    void signal_group(int signal) const;
    /// Whether any process of the child's group is still alive (zombies do not count).
    bool group_alive() const;
    /// Whether the child is stopped (SIGSTOP, SIGTSTP): it acts on no signal but SIGKILL/SIGCONT.
    bool is_stopped() const;
    /// Non-blocking: the exit status once the child has exited (the pidfd was readable).
    std::optional<ExitStatus> reap();

private:
    Process() = default;
    void kill_and_reap();
    pid_t pid_ = -1;
    bool reaped_ = false;
    net::UniqueFd pidfd_;
    net::UniqueFd output_;
};

/// Finds `name` as execvp would (a path with '/' is taken as is), checking it is an executable
/// file. Returns the path, or nullopt.
std::optional<std::string> resolve_executable(const std::string& name);

/// The name of a signal: "SIGKILL".
std::string signal_name(int signal);

}  // namespace ggufd::supervisor
