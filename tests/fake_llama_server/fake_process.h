// Test harness: one fake-llama-server child per test, its stdout and stderr read line by line so
// tests can wait for what it logs, and killed and reaped when the test ends, whatever happened.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ggufd::fake::test {

using namespace std::chrono_literals;

/// A running build/fake-llama-server. The child gets its own process group and dies with the
/// test process (PR_SET_PDEATHSIG); the destructor SIGKILLs the group and reaps the child.
class FakeProcess {
public:
    /// `args` follow the program name; `env` entries ("NAME=value") are added to the test's own.
    explicit FakeProcess(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
    ~FakeProcess();
    FakeProcess(const FakeProcess&) = delete;
    FakeProcess& operator=(const FakeProcess&) = delete;

    pid_t pid() const { return pid_; }

    /// The first output line containing `text`, waiting up to `timeout` for it to appear.
    std::optional<std::string> wait_for_line(std::string_view text, std::chrono::milliseconds timeout = 5s);

    /// The port from the "listening on http://HOST:PORT" line; fails the test if it never comes.
    int port();

    /// The wait(2) status once the child has exited, or nullopt if it is still running after
    /// `timeout`. The child's exit is seen as the end of its output (it alone holds the pipe).
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = 5s);

    void send_signal(int signal) const;

    /// Everything the child has printed so far, for failure messages.
    std::string output();

private:
    void read_output(int fd);

    pid_t pid_ = -1;
    std::thread reader_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool eof_ = false;
    std::optional<int> status_;
};

/// Standard arguments for a quick fake: loopback, a kernel-chosen port, a named model.
std::vector<std::string> fake_args(std::vector<std::string> extra = {});

}  // namespace ggufd::fake::test
