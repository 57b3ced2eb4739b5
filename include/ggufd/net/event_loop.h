// A single-threaded epoll loop: file descriptor readiness, timers and cross-thread posts.
// Everything registered with a loop is touched only on the loop's own thread; other threads
// talk to it through post(), which is the one thread-safe entry point (with stop()).
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ggufd/net/unique_fd.h"

namespace ggufd::net {

using Clock = std::chrono::steady_clock;

/// Something that owns a file descriptor registered with an EventLoop.
class IoHandler {
public:
    virtual ~IoHandler() = default;
    /// Called on the loop thread with the epoll event bits (EPOLLIN, EPOLLOUT, EPOLLHUP, ...).
    virtual void on_io(uint32_t events) = 0;
};

/// EventLoop runs callbacks on one thread. Handlers destroyed while events for them are still
/// pending in the same epoll batch would be a use-after-free, so owners hand finished handlers
/// to retire(): they are destroyed after the current batch.
class EventLoop {
public:
    using TimerId = uint64_t;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void add(int fd, uint32_t events, IoHandler* handler);
    void modify(int fd, uint32_t events, IoHandler* handler);
    void remove(int fd);

    /// Runs `callback` on the loop thread once `delay` has passed. Returns an id for cancel_timer.
    TimerId add_timer(Clock::duration delay, std::function<void()> callback);
    /// Cancelling a timer that already fired or was cancelled is a no-op.
    void cancel_timer(TimerId id);

    /// Thread-safe: runs `task` on the loop thread, soon.
    void post(std::function<void()> task);

    /// Destroys `object` after the current batch of events (see class comment). Anything that
    /// may be deep in its own call chain when its owner lets go of it is retired, not deleted.
    /// Re-entrant: a retired object's destructor may retire others; they go in the same round.
    template <typename T>
    void retire(std::unique_ptr<T> object) {
        if (object) retired_.push_back(std::shared_ptr<void>(std::move(object)));
    }

    /// Runs until stop(). Must be called from the thread that owns the loop.
    void run();
    /// Thread-safe: makes run() return after the current iteration.
    void stop();

    /// The time at the start of the current iteration: cheap, and the same for a whole batch.
    Clock::time_point now() const { return now_; }
    bool in_loop_thread() const;

private:
    struct Timer {
        Clock::time_point deadline;
        TimerId id;
        bool operator>(const Timer& other) const { return deadline > other.deadline; }
    };

    int next_timeout_ms() const;
    void run_due_timers();
    void run_posted();
    void destroy_retired();

    UniqueFd epoll_fd_;
    UniqueFd wake_fd_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::thread::id> loop_thread_{};
    Clock::time_point now_ = Clock::now();

    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timer_queue_;
    std::unordered_map<TimerId, std::function<void()>> timer_callbacks_;
    TimerId next_timer_id_ = 1;

    std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;
    std::vector<std::shared_ptr<void>> retired_;
};

}  // namespace ggufd::net
