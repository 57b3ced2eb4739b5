// EventLoop as a specification: timers fire in deadline order and can be cancelled, post() and
// stop() work from other threads, I/O reaches its handler, and retire() keeps a handler alive
// until the batch that may still deliver events to it is over. Every wait is bounded by a
// watchdog timer inside the loop, so a broken wake-up fails the test instead of hanging it.
#include <gtest/gtest.h>

#include <sys/eventfd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ggufd/net/event_loop.h"

namespace ggufd::net {
namespace {

using namespace std::chrono_literals;

constexpr auto kWatchdog = 10s;

// Stops the loop after kWatchdog and remembers that it had to.
struct Watchdog {
    bool fired = false;
    explicit Watchdog(EventLoop& loop) {
        loop.add_timer(kWatchdog, [this, &loop] {
            fired = true;
            loop.stop();
        });
    }
};

UniqueFd readable_eventfd() {
    UniqueFd fd(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
    EXPECT_TRUE(fd);
    return fd;
}

TEST(EventLoop, TimersFireInDeadlineOrderNotInTheOrderAdded) {
    EventLoop loop;
    Watchdog watchdog(loop);
    std::vector<int> fired;
    const auto start = Clock::now();
    std::vector<Clock::duration> late_by;
    auto timer = [&](int tag, Clock::duration delay, bool last) {
        return loop.add_timer(delay, [&, tag, delay, last] {
            fired.push_back(tag);
            late_by.push_back(Clock::now() - start - delay);
            if (last) loop.stop();
        });
    };
    EventLoop::TimerId a = timer(3, 30ms, true);
    EventLoop::TimerId b = timer(1, 5ms, false);
    EventLoop::TimerId c = timer(2, 15ms, false);
    EXPECT_NE(a, 0u) << "0 is free for callers to mean 'no timer'";
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    loop.run();
    EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
    for (auto late : late_by) EXPECT_GE(late, Clock::duration::zero()) << "a timer never fires early";
}

TEST(EventLoop, CancelledTimersNeverFire) {
    EventLoop loop;
    Watchdog watchdog(loop);
    bool cancelled_fired = false;
    bool cancelled_from_callback_fired = false;
    EventLoop::TimerId cancelled = loop.add_timer(1ms, [&] { cancelled_fired = true; });
    loop.cancel_timer(cancelled);
    EventLoop::TimerId later = loop.add_timer(20ms, [&] { cancelled_from_callback_fired = true; });
    loop.add_timer(5ms, [&] { loop.cancel_timer(later); });
    EventLoop::TimerId last = loop.add_timer(40ms, [&] { loop.stop(); });
    loop.run();
    EXPECT_FALSE(cancelled_fired);
    EXPECT_FALSE(cancelled_from_callback_fired);
    EXPECT_FALSE(watchdog.fired);
    loop.cancel_timer(last);       // already fired: a no-op
    loop.cancel_timer(cancelled);  // already cancelled: a no-op
    loop.cancel_timer(987654);     // never existed: a no-op
}

TEST(EventLoop, ATimerMayScheduleAnotherThatIsDueAtOnce) {
    EventLoop loop;
    Watchdog watchdog(loop);
    int rounds = 0;
    std::function<void()> again = [&] {
        if (++rounds == 3) return loop.stop();
        loop.add_timer(0ms, again);
    };
    loop.add_timer(0ms, again);
    loop.run();
    EXPECT_EQ(rounds, 3);
    EXPECT_FALSE(watchdog.fired);
}

TEST(EventLoop, PostedTasksRunInOrderOnTheLoopThread) {
    EventLoop loop;
    std::vector<int> order;
    EXPECT_FALSE(loop.in_loop_thread());
    for (int i = 0; i < 5; ++i) loop.post([&order, i] { order.push_back(i); });
    bool inside = false;
    loop.post([&] {
        inside = loop.in_loop_thread();
        loop.stop();
    });
    loop.run();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_TRUE(inside);
}

TEST(EventLoop, PostFromAnotherThreadWakesAnIdleLoop) {
    EventLoop loop;
    Watchdog watchdog(loop);
    std::promise<void> running;
    loop.post([&] { running.set_value(); });
    std::thread loop_thread([&] { loop.run(); });
    running.get_future().wait();

    // The loop now waits in epoll_wait with nothing due for kWatchdog.
    std::promise<bool> ran;
    loop.post([&] {
        ran.set_value(loop.in_loop_thread());
        loop.stop();
    });
    auto result = ran.get_future();
    const bool on_loop_thread = result.get();
    loop_thread.join();
    EXPECT_TRUE(on_loop_thread);
    EXPECT_FALSE(watchdog.fired) << "the post did not wake the loop";
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
    EventLoop loop;
    Watchdog watchdog(loop);
    std::promise<void> running;
    loop.post([&] { running.set_value(); });
    std::thread loop_thread([&] { loop.run(); });
    running.get_future().wait();
    loop.stop();
    loop_thread.join();
    EXPECT_FALSE(watchdog.fired) << "stop() did not wake the loop";
}

TEST(EventLoop, TasksPostedBeforeStopStillRun) {
    EventLoop loop;
    bool ran = false;
    loop.post([&] { loop.stop(); });
    loop.post([&] { ran = true; });
    loop.run();
    EXPECT_TRUE(ran);
}

class Recorder : public IoHandler {
public:
    explicit Recorder(std::function<void(uint32_t)> on_event) : on_event_(std::move(on_event)) {}
    void on_io(uint32_t events) override { on_event_(events); }

private:
    std::function<void(uint32_t)> on_event_;
};

TEST(EventLoop, ReadinessReachesTheRegisteredHandler) {
    EventLoop loop;
    Watchdog watchdog(loop);
    UniqueFd fd = readable_eventfd();
    std::vector<uint32_t> seen;
    Recorder* self = nullptr;
    Recorder recorder([&](uint32_t events) {
        seen.push_back(events);
        if (seen.size() == 1) {
            loop.modify(fd.get(), EPOLLOUT, self);  // an eventfd is always writable
        } else {
            loop.remove(fd.get());
            loop.stop();
        }
    });
    self = &recorder;
    loop.add(fd.get(), EPOLLIN, &recorder);
    loop.run();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(seen[0] & EPOLLIN);
    EXPECT_TRUE(seen[1] & EPOLLOUT);
    EXPECT_FALSE(seen[1] & EPOLLIN) << "modify replaced the interest set";
}

TEST(EventLoop, ARemovedDescriptorDeliversNothing) {
    EventLoop loop;
    UniqueFd fd = readable_eventfd();
    bool called = false;
    Recorder recorder([&](uint32_t) { called = true; });
    loop.add(fd.get(), EPOLLIN, &recorder);
    loop.remove(fd.get());
    loop.remove(fd.get());  // twice: harmless
    loop.add_timer(20ms, [&] { loop.stop(); });
    loop.run();
    EXPECT_FALSE(called);
}

// Two handlers whose descriptors are ready in the same epoll batch; whichever runs first lets go
// of both (as a connection tearing down its upstream would). The other one's event is already in
// the batch, so it must still be alive when it is delivered, and both are destroyed after it.
class Peer : public IoHandler {
public:
    struct Shared {
        EventLoop* loop = nullptr;
        std::unique_ptr<Peer> a, b;
        int calls = 0;
        int destroyed = 0;
        bool called_after_destruction = false;
        int destroyed_when_batch_ended = -1;
    };

    explicit Peer(Shared& shared) : shared_(shared), fd_(readable_eventfd()) {}
    ~Peer() override {
        ++shared_.destroyed;
        alive_ = false;
    }
    int fd() const { return fd_.get(); }

    void on_io(uint32_t) override {
        if (!alive_ || shared_.destroyed > 0) shared_.called_after_destruction = true;
        if (++shared_.calls > 1) return;
        EventLoop& loop = *shared_.loop;
        loop.remove(shared_.a->fd());
        loop.remove(shared_.b->fd());
        loop.retire(std::move(shared_.a));
        loop.retire(std::move(shared_.b));
        // Runs in a later iteration: by then the retired handlers must be gone.
        Shared* shared = &shared_;
        loop.add_timer(0ms, [shared] {
            shared->destroyed_when_batch_ended = shared->destroyed;
            shared->loop->stop();
        });
    }

private:
    Shared& shared_;
    UniqueFd fd_;
    bool alive_ = true;
};

TEST(EventLoop, RetiredHandlersOutliveTheBatchThatMayStillCallThem) {
    EventLoop loop;
    Watchdog watchdog(loop);
    Peer::Shared shared;
    shared.loop = &loop;
    shared.a = std::make_unique<Peer>(shared);
    shared.b = std::make_unique<Peer>(shared);
    loop.add(shared.a->fd(), EPOLLIN, shared.a.get());
    loop.add(shared.b->fd(), EPOLLIN, shared.b.get());
    loop.run();
    EXPECT_FALSE(watchdog.fired);
    EXPECT_EQ(shared.calls, 2) << "both events were in one batch";
    EXPECT_FALSE(shared.called_after_destruction);
    EXPECT_EQ(shared.destroyed_when_batch_ended, 2) << "retired handlers are destroyed once the batch is over";
}

TEST(EventLoop, RetiredObjectsAreDestroyedWhenRunEnds) {
    EventLoop loop;
    auto flag = std::make_shared<bool>(false);
    struct Sentinel {
        std::shared_ptr<bool> destroyed;
        ~Sentinel() { *destroyed = true; }
    };
    loop.post([&] {
        auto sentinel = std::make_unique<Sentinel>();
        sentinel->destroyed = flag;
        loop.retire(std::move(sentinel));
        loop.retire(std::unique_ptr<Sentinel>());  // nothing to retire: harmless
        loop.stop();
    });
    loop.run();
    EXPECT_TRUE(*flag);
}

// An object whose destructor retires another (a runner letting go of its probe): the loop must
// not be clearing the list it appends to. Both are destroyed, the second after the first.
TEST(EventLoop, ARetiredObjectMayRetireAnotherWhileItIsDestroyed) {
    EventLoop loop;
    Watchdog watchdog(loop);
    std::vector<std::string> destroyed;
    struct Leaf {
        std::vector<std::string>* log;
        ~Leaf() { log->push_back("leaf"); }
    };
    struct Owner {
        EventLoop* loop;
        std::vector<std::string>* log;
        std::unique_ptr<Leaf> leaf;
        ~Owner() {
            log->push_back("owner");
            loop->retire(std::move(leaf));
        }
    };
    loop.post([&] {
        auto owner = std::make_unique<Owner>();
        owner->loop = &loop;
        owner->log = &destroyed;
        owner->leaf = std::make_unique<Leaf>();
        owner->leaf->log = &destroyed;
        loop.retire(std::move(owner));
        loop.add_timer(0ms, [&] { loop.stop(); });
    });
    loop.run();
    EXPECT_FALSE(watchdog.fired);
    EXPECT_EQ(destroyed, (std::vector<std::string>{"owner", "leaf"}));
}

}  // namespace
}  // namespace ggufd::net
