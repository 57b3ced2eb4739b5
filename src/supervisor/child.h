// One child of a service on the supervisor's loop: its process, its output and its process group.
// The leader's exit is noticed at once (pidfd); then nothing of its group may outlive it (a
// wrapper's grandchildren would keep the service's port): the rest of the group gets SIGTERM,
// then SIGKILL after the grace period, and only then is the exit reported.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ggufd/net/event_loop.h"
#include "output_reader.h"
#include "process.h"

namespace ggufd::supervisor {

/// Child is passive towards its owner: it calls `on_line` for each line of output and
/// `on_exit` once, when the leader and its whole group are gone. Both run on the loop thread
/// and must not destroy the Child directly (retire it). Destroying a Child whose group still
/// runs SIGKILLs the group.
class Child {
public:
    struct Callbacks {
        OutputReader::LineCallback on_line;
        /// `group_note` is empty unless members of the group had to be ended after the leader.
        std::function<void(const ExitStatus& status, const std::string& group_note)> on_exit;
    };

    /// `group_grace`: how long the group's remaining members get after SIGTERM. `label` names
    /// the child in log lines ("service gemma").
    Child(net::EventLoop& loop, Process process, std::chrono::milliseconds group_grace, std::string label,
          Callbacks callbacks);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return process_.pid(); }
    void signal_group(int signal) const { process_.signal_group(signal); }
    bool is_stopped() const { return process_.is_stopped(); }

private:
    struct PidWatch : net::IoHandler {
        Child* child;
        void on_io(uint32_t) override { child->on_leader_exit(); }
    };

    void on_leader_exit();
    void watch_group();
    void report();

    net::EventLoop& loop_;
    Process process_;
    const std::chrono::milliseconds group_grace_;
    const std::string label_;
    Callbacks callbacks_;
    std::unique_ptr<OutputReader> output_;
    PidWatch pid_watch_;
    bool watching_pid_ = false;

    ExitStatus status_;
    std::chrono::steady_clock::time_point leader_exited_at_;
    bool group_signalled_ = false;
    bool group_killed_ = false;
    bool reported_ = false;
    net::EventLoop::TimerId group_timer_ = 0;
};

}  // namespace ggufd::supervisor
