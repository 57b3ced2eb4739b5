// After services were stopped to make room, waits until their GPU reports the memory freed
// (drivers release it late; starting early crashes the new child). Polls on its own thread,
// because reading device memory may block, and answers on the supervisor's loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ggufd/net/event_loop.h"

namespace ggufd::supervisor {

class MemoryWaiter {
public:
    using ReadFree = std::function<std::optional<uint64_t>(int device)>;
    /// `freed` is false when the deadline passed first; `detail` says what the devices showed.
    using Done = std::function<void(bool freed, const std::string& detail)>;

    MemoryWaiter(net::EventLoop& loop, ReadFree read_free);
    ~MemoryWaiter();  ///< abandons pending waits and joins the thread

    /// Calls `done` on the loop once every device in `devices` has `bytes` free (devices whose
    /// memory cannot be read count as free), or when `timeout` has passed.
    void wait(std::vector<int> devices, uint64_t bytes, std::chrono::milliseconds timeout, Done done);

private:
    struct Request {
        std::vector<int> devices;
        uint64_t bytes;
        std::chrono::steady_clock::time_point deadline;
        Done done;
    };
    void run();
    bool satisfied(const Request& request, std::string& detail);

    net::EventLoop& loop_;
    ReadFree read_free_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Request> requests_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ggufd::supervisor
