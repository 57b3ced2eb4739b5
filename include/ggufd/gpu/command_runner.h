// Running a short external command (nvidia-smi) and capturing its output, with a deadline so that
// a hung driver cannot hang the daemon. An interface, so tests replay recorded outputs instead.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ggufd::gpu {

/// How a command ended. `exited` carries exit_code (or term_signal when a signal killed it).
struct CommandResult {
    enum class Status {
        exited,           ///< ran to the end; see exit_code / term_signal
        not_found,        ///< the program does not exist (not on PATH): not an error for probes
        failed_to_start,  ///< it exists but could not be started; `error` says why
        timed_out,        ///< killed after the deadline; whatever it printed so far is kept
    };
    Status status = Status::exited;
    int exit_code = 0;
    int term_signal = 0;  ///< non-zero when a signal ended it
    std::string out;
    std::string err;
    std::string error;    ///< for failed_to_start: the system's reason

    bool succeeded() const { return status == Status::exited && exit_code == 0 && term_signal == 0; }
};

/// Runs argv (argv[0] searched on PATH; never through a shell) and waits at most `timeout`.
/// Implementations are stateless and may be called from any thread.
class CommandRunner {
public:
    virtual ~CommandRunner() = default;
    virtual CommandResult run(const std::vector<std::string>& argv,
                              std::chrono::milliseconds timeout) const = 0;
};

/// The real thing: posix_spawnp in a new process group, stdin from /dev/null, stdout and stderr
/// captured (up to 1 MiB each). On timeout the group gets SIGKILL. A child stuck in the kernel
/// (a hung GPU driver ignores even SIGKILL) is given one more second and then abandoned, so the
/// caller never blocks for long; its exit is then reaped by no one, which leaves one zombie.
/// The child is reaped by pid: callers elsewhere in the daemon must not waitpid(-1).
const CommandRunner& process_runner();

}  // namespace ggufd::gpu
