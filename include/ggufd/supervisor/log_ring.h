// The most recent lines a child printed, kept per service for status output, crash reports and
// `ggufd logs`. Written by the supervisor thread, read from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace ggufd::supervisor {

/// LogRing keeps the last `capacity` lines and lets followers (log streaming over SSE) subscribe.
/// Subscribers are called on the writer's thread, with the ring's lock released: they must only
/// hand the line off (e.g. EventLoop::post), never block.
class LogRing {
public:
    using Subscriber = std::function<void(const std::string& line)>;

    explicit LogRing(size_t capacity = 500) : capacity_(capacity > 0 ? capacity : 1) {}

    void append(std::string line);
    /// The last `count` lines, oldest first.
    std::vector<std::string> tail(size_t count) const;

    /// Returns an id for unsubscribe(). The subscriber is not given past lines: take tail() first.
    uint64_t subscribe(Subscriber subscriber);
    void unsubscribe(uint64_t id);

private:
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::deque<std::string> lines_;
    std::vector<std::pair<uint64_t, Subscriber>> subscribers_;
    uint64_t next_id_ = 1;
};

}  // namespace ggufd::supervisor
