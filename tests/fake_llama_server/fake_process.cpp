// FakeProcess: fork/exec with the output on a close-on-exec pipe (so sibling children never hold
// it), a reader thread that splits lines, and end-of-output as the signal that the child exited.
#include "fake_process.h"

#include "binaries.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace ggufd::fake::test {

FakeProcess::FakeProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    const std::string program = ggufd::test::build_binary("fake-llama-server").string();
    std::vector<std::string> argv_text = {program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : argv_text) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = env;
    std::vector<char*> envp;
    for (char** entry = environ; *entry; ++entry) envp.push_back(*entry);
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });
}

FakeProcess::~FakeProcess() {
    if (!wait_for_exit(0ms)) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        wait_for_exit(10s);
    }
    reader_.join();
}

void FakeProcess::read_output(int fd) {
    std::string pending;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<size_t>(n));
        std::lock_guard lock(mutex_);
        for (size_t newline; (newline = pending.find('\n')) != std::string::npos; pending.erase(0, newline + 1)) {
            lines_.push_back(pending.substr(0, newline));
        }
        changed_.notify_all();
    }
    ::close(fd);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    std::lock_guard lock(mutex_);
    if (!pending.empty()) lines_.push_back(pending);
    eof_ = true;
    status_ = status;
    changed_.notify_all();
}

std::optional<std::string> FakeProcess::wait_for_line(std::string_view text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
        for (const auto& line : lines_) {
            if (line.find(text) != std::string::npos) {
                found = line;
                return true;
            }
        }
        return eof_;
    });
    return found;
}

int FakeProcess::port() {
    constexpr std::string_view kMarker = "listening on http://";
    auto line = wait_for_line(kMarker);
    if (!line) {
        ADD_FAILURE() << "fake-llama-server never said it was listening; output:\n" << output();
        return 0;
    }
    return std::stoi(line->substr(line->rfind(':') + 1));
}

std::optional<int> FakeProcess::wait_for_exit(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return eof_; });
    return status_;
}

void FakeProcess::send_signal(int signal) const { ::kill(pid_, signal); }

std::string FakeProcess::output() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& line : lines_) text += line + "\n";
    return text;
}

std::vector<std::string> fake_args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--host", "127.0.0.1", "--port", "0", "--model", "/models/tiny.gguf",
                                     "--alias", "tiny"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace ggufd::fake::test
