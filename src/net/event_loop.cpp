#include "ggufd/net/event_loop.h"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace ggufd::net {
namespace {

// The wake-up eventfd is registered with this sentinel instead of a handler.
IoHandler* const kWakeSentinel = nullptr;

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("event loop: ") + what + ": " + std::strerror(errno));
}

}  // namespace

EventLoop::EventLoop()
    : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!epoll_fd_) fail("epoll_create1");
    if (!wake_fd_) fail("eventfd");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = kWakeSentinel;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &event) != 0) fail("epoll_ctl(wake)");
}

EventLoop::~EventLoop() = default;

void EventLoop::add(int fd, uint32_t events, IoHandler* handler) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = handler;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl(ADD)");
}

void EventLoop::modify(int fd, uint32_t events, IoHandler* handler) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = handler;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &event) != 0) fail("epoll_ctl(MOD)");
}

void EventLoop::remove(int fd) {
    // ENOENT/EBADF only mean it was never added or already closed: nothing to undo.
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::add_timer(Clock::duration delay, std::function<void()> callback) {
    TimerId id = next_timer_id_++;
    timer_queue_.push(Timer{Clock::now() + delay, id});
    timer_callbacks_.emplace(id, std::move(callback));
    return id;
}

void EventLoop::cancel_timer(TimerId id) { timer_callbacks_.erase(id); }

void EventLoop::post(std::function<void()> task) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(task));
    }
    uint64_t one = 1;
    // A full counter (EAGAIN) still leaves the eventfd readable, so the wake-up is not lost.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
}

void EventLoop::stop() {
    stopping_ = true;
    post([] {});
}

bool EventLoop::in_loop_thread() const { return loop_thread_.load() == std::this_thread::get_id(); }

int EventLoop::next_timeout_ms() const {
    if (!posted_.empty() || !retired_.empty()) return 0;
    if (timer_queue_.empty()) return -1;
    auto wait = timer_queue_.top().deadline - Clock::now();
    if (wait <= Clock::duration::zero()) return 0;
    // Round up so that a timer never fires a little early and forces a second wake-up.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoop::run_due_timers() {
    while (!timer_queue_.empty() && timer_queue_.top().deadline <= now_) {
        TimerId id = timer_queue_.top().id;
        timer_queue_.pop();
        auto it = timer_callbacks_.find(id);
        if (it == timer_callbacks_.end()) continue;  // cancelled
        auto callback = std::move(it->second);
        timer_callbacks_.erase(it);
        callback();
    }
}

void EventLoop::run_posted() {
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(posted_mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks) task();
}

void EventLoop::run() {
    loop_thread_ = std::this_thread::get_id();
    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    while (!stopping_) {
        int timeout;
        {
            std::lock_guard lock(posted_mutex_);
            timeout = next_timeout_ms();
        }
        int count = ::epoll_wait(epoll_fd_.get(), events, kMaxEvents, timeout);
        if (count < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        now_ = Clock::now();
        for (int i = 0; i < count; ++i) {
            auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
            if (handler == kWakeSentinel) {
                uint64_t counter;
                [[maybe_unused]] ssize_t n = ::read(wake_fd_.get(), &counter, sizeof counter);
                continue;
            }
            handler->on_io(events[i].events);
        }
        run_posted();
        run_due_timers();
        destroy_retired();
    }
    run_posted();
    destroy_retired();
}

// A destructor may retire more objects (an owner letting go of what it owns), so the list is
// swapped out before anything in it is destroyed, until nothing more was retired.
void EventLoop::destroy_retired() {
    while (!retired_.empty()) {
        std::vector<std::shared_ptr<void>> batch;
        batch.swap(retired_);
        batch.clear();
    }
}

}  // namespace ggufd::net
