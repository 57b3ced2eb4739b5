#include "process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace ggufd::supervisor {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const SpawnSpec& spec, char* const* argv, char* const* envp, int output_fd,
                             int error_fd, pid_t parent) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect; then nobody would ever reap us.
    if (::getppid() != parent) ::_exit(127);

    // The daemon blocks signals for its signalfd and ignores SIGPIPE: a child must start clean.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);

    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(output_fd, STDOUT_FILENO);
    ::dup2(output_fd, STDERR_FILENO);

    if (!spec.cpu_affinity.empty()) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int cpu : spec.cpu_affinity) CPU_SET(cpu, &set);
        ::sched_setaffinity(0, sizeof set, &set);
    }
    ::execve(spec.executable.c_str(), argv, envp);
    int err = errno;
    [[maybe_unused]] ssize_t n = ::write(error_fd, &err, sizeof err);
    ::_exit(127);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
    pointers.push_back(nullptr);
    return pointers;
}

// The state letter and process group of /proc/<pid>/stat; false when the process is gone.
bool read_stat(pid_t pid, char& state, pid_t& group) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(in, text)) return false;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses; the last ')' ends it.
    size_t close = text.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream rest(text.substr(close + 1));
    pid_t parent = 0;
    return static_cast<bool>(rest >> state >> parent >> group);
}

}  // namespace

bool SpawnError::environmental() const {
    return error_number_ == EMFILE || error_number_ == ENFILE || error_number_ == EAGAIN || error_number_ == ENOMEM;
}

std::string ExitStatus::describe() const {
    if (signaled) return "killed by signal " + std::to_string(code) + " (" + signal_name(code) + ")";
    return "exit code " + std::to_string(code);
}

std::string signal_name(int signal) {
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

Process Process::spawn(const SpawnSpec& spec) {
    // Every descriptor the daemon opens is O_CLOEXEC, so the child inherits only these.
    int output_pipe[2];
    int error_pipe[2];
    if (::pipe2(output_pipe, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe: ") + std::strerror(errno), errno);
    net::UniqueFd output_read(output_pipe[0]), output_write(output_pipe[1]);
    if (::pipe2(error_pipe, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe: ") + std::strerror(errno), errno);
    net::UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);

    auto argv = c_strings(spec.argv);
    auto envp = c_strings(spec.env);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw SpawnError(std::string("fork: ") + std::strerror(errno), errno);
    if (pid == 0) exec_child(spec, argv.data(), envp.data(), output_write.get(), error_write.get(), parent);

    Process process;
    process.pid_ = pid;
    // Set the group from the parent side too, so that signal_group() works even before the
    // child has run its own setpgid.
    ::setpgid(pid, pid);
    output_write.reset();
    error_write.reset();

    int exec_errno = 0;
    ssize_t n;
    do {
        n = ::read(error_read.get(), &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    if (n == sizeof exec_errno) {
        int status;
        ::waitpid(pid, &status, 0);
        process.reaped_ = true;
        process.pid_ = -1;
        throw SpawnError("exec " + spec.executable + ": " + std::strerror(exec_errno), exec_errno);
    }

    process.pidfd_ = net::UniqueFd(pidfd_open(pid));
    if (!process.pidfd_) {
        int err = errno;
        throw SpawnError(std::string("pidfd_open: ") + std::strerror(err), err);  // ~Process kills it
    }
    int flags = ::fcntl(output_read.get(), F_GETFL, 0);
    ::fcntl(output_read.get(), F_SETFL, flags | O_NONBLOCK);
    // Room for the output that piles up between batched reads (OutputReader); the default
    // unprivileged maximum is 1 MiB, and a smaller pipe is fine where the system allows less.
    ::fcntl(output_read.get(), F_SETPIPE_SZ, 1 << 20);
    process.output_ = std::move(output_read);
    return process;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(std::exchange(other.reaped_, true)),
      pidfd_(std::move(other.pidfd_)),
      output_(std::move(other.output_)) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        kill_and_reap();
        pid_ = std::exchange(other.pid_, -1);
        reaped_ = std::exchange(other.reaped_, true);
        pidfd_ = std::move(other.pidfd_);
        output_ = std::move(other.output_);
    }
    return *this;
}

Process::~Process() { kill_and_reap(); }

void Process::kill_and_reap() {
    if (pid_ > 0 && !reaped_) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
    }
}

void Process::signal_group(int signal) const {
    if (pid_ <= 0) return;
    // The group's id is the leader's pid, and the kernel hands out no pid that is still some
    // group's id: while a member lives, -pid_ names this group and nothing else.
    if (::kill(-pid_, signal) != 0 && !reaped_) ::kill(pid_, signal);
}

bool Process::group_alive() const {
    if (pid_ <= 0 || ::kill(-pid_, 0) != 0) return false;
    // Members that have exited but wait to be reaped (by whoever adopted them) still make the
    // group exist; only live ones matter.
    DIR* proc = ::opendir("/proc");
    if (!proc) return true;
    bool alive = false;
    while (dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        char state = 0;
        pid_t group = 0;
        if (read_stat(static_cast<pid_t>(pid), state, group) && group == pid_ && state != 'Z' && state != 'X') {
            alive = true;
            break;
        }
    }
    ::closedir(proc);
    return alive;
}

bool Process::is_stopped() const {
    char state = 0;
    pid_t group = 0;
    return pid_ > 0 && !reaped_ && read_stat(pid_, state, group) && (state == 'T' || state == 't');
}

std::optional<ExitStatus> Process::reap() {
    if (reaped_ || pid_ <= 0) return std::nullopt;
    siginfo_t info{};
    if (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG) != 0) return std::nullopt;
    if (info.si_pid == 0) return std::nullopt;  // still running
    reaped_ = true;
    ExitStatus status;
    status.signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
    status.code = info.si_status;
    return status;
}

std::optional<std::string> resolve_executable(const std::string& name) {
    auto usable = [](const std::string& path) { return ::access(path.c_str(), X_OK) == 0; };
    auto is_file = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) {
        if (is_file(name) && usable(name)) return name;
        return std::nullopt;
    }
    const char* path_env = std::getenv("PATH");
    std::stringstream dirs(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (is_file(candidate) && usable(candidate)) return candidate;
    }
    return std::nullopt;
}

}  // namespace ggufd::supervisor
