// The task queue cpp-httplib runs each accepted connection on. Debian's build sizes its own
// pool at startup and keeps a thread per keep-alive connection, so idle clients starve new ones;
// this one starts threads as connections need them, up to a ceiling.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ggufd::fake {

/// A thread pool that grows on demand: a job that finds no idle thread starts a new one, until
/// `max_threads` exist; after that jobs wait in order. Threads never retire (the fake is short-
/// lived). shutdown() lets queued jobs finish and joins every thread; httplib calls it when the
/// server stops listening, and enqueues nothing after it.
class GrowingThreadPool final : public httplib::TaskQueue {
public:
    explicit GrowingThreadPool(size_t max_threads);
    ~GrowingThreadPool() override;

    void enqueue(std::function<void()> job) override;
    void shutdown() override;

private:
    void work();

    const size_t max_threads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    std::vector<std::thread> threads_;
    size_t idle_ = 0;
    bool stopping_ = false;
};

}  // namespace ggufd::fake
