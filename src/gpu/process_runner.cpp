// process_runner(): the real CommandRunner. posix_spawnp (no shell, no fork of a threaded
// daemon's address space), output through pipes, and a deadline enforced with poll(2) on the
// pipes and on a pidfd, so no step waits without a bound.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ggufd/gpu/command_runner.h"

extern char** environ;

namespace ggufd::gpu {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kOutputLimit = 1 << 20;
// After SIGKILL a process normally vanishes at once; one stuck in a driver call may never.
constexpr std::chrono::milliseconds kKillGrace{1000};

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

int milliseconds_until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// Reads both pipes until both are closed or the deadline passes; false on the deadline.
bool drain(Fd& out, Fd& err, CommandResult& result, Clock::time_point deadline) {
    Fd* fds[2] = {&out, &err};
    std::string* sinks[2] = {&result.out, &result.err};
    while (out.get() >= 0 || err.get() >= 0) {
        pollfd polled[2] = {{out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}};
        const int wait_ms = milliseconds_until(deadline);
        if (wait_ms == 0) return false;
        if (::poll(polled, 2, wait_ms) < 0 && errno != EINTR) return false;
        for (int i = 0; i < 2; ++i) {
            if (polled[i].fd < 0 || polled[i].revents == 0) continue;
            char buffer[4096];
            ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                size_t room = kOutputLimit - std::min(kOutputLimit, sinks[i]->size());
                sinks[i]->append(buffer, std::min(room, static_cast<size_t>(n)));
            } else if (n == 0 || errno != EINTR) {
                fds[i]->reset();
            }
        }
    }
    return true;
}

// Reaps `pid` if it exits before the deadline. A pidfd wakes us the moment it exits; without
// one (kernels before 5.3) we look every 10 ms.
bool reap(pid_t pid, int pidfd, Clock::time_point deadline, CommandResult& result) {
    while (true) {
        int status = 0;
        pid_t reaped = ::waitpid(pid, &status, WNOHANG);
        if (reaped == pid) {
            if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
            if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
            return true;
        }
        if (reaped < 0 && errno != EINTR) {
            result.exit_code = -1;
            result.error = std::string("waitpid: ") + std::strerror(errno) +
                           " (was the child reaped elsewhere by waitpid(-1)?)";
            return true;
        }
        const int wait_ms = milliseconds_until(deadline);
        if (wait_ms == 0) return false;
        pollfd polled{pidfd, POLLIN, 0};
        ::poll(pidfd >= 0 ? &polled : nullptr, pidfd >= 0 ? 1 : 0, pidfd >= 0 ? wait_ms : std::min(wait_ms, 10));
    }
}

class ProcessRunner final : public CommandRunner {
public:
    CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const override {
        CommandResult result;
        if (argv.empty()) {
            result.status = CommandResult::Status::failed_to_start;
            result.error = "empty command";
            return result;
        }
        int out_pipe[2], err_pipe[2];
        if (::pipe2(out_pipe, O_CLOEXEC) != 0) return failure(result, "pipe");
        Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
        if (::pipe2(err_pipe, O_CLOEXEC) != 0) return failure(result, "pipe");
        Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
        posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
        // A new process group, so a timeout kills whatever it started too; default signal
        // handling and an empty mask, whatever the daemon's threads block or ignore.
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setpgroup(&attributes, 0);
        posix_spawnattr_setsigmask(&attributes, &none);
        posix_spawnattr_setsigdefault(&attributes, &all);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        std::vector<char*> args;
        for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        pid_t pid = 0;
        const int spawn_error = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
        out_write.reset();
        err_write.reset();
        if (spawn_error != 0) {
            result.status = spawn_error == ENOENT ? CommandResult::Status::not_found
                                                  : CommandResult::Status::failed_to_start;
            result.error = argv[0] + ": " + std::strerror(spawn_error);
            return result;
        }

        Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        const Clock::time_point deadline = Clock::now() + timeout;
        if (drain(out_read, err_read, result, deadline) && reap(pid, pidfd.get(), deadline, result)) {
            return result;
        }
        result.status = CommandResult::Status::timed_out;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        reap(pid, pidfd.get(), Clock::now() + kKillGrace, result);
        return result;
    }

private:
    static CommandResult& failure(CommandResult& result, const char* what) {
        result.status = CommandResult::Status::failed_to_start;
        result.error = std::string(what) + ": " + std::strerror(errno);
        return result;
    }
};

}  // namespace

const CommandRunner& process_runner() {
    static const ProcessRunner runner;
    return runner;
}

}  // namespace ggufd::gpu
