// A continuous client for the scale-out suite: a few threads sending streamed chat completions
// through HAProxy one after another, recording when each began and ended and whether it was a
// complete answer (200, every event, data: [DONE]).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ggufd::test {

struct Outcome {
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point ended;
    int status = 0;         ///< 0: no response head
    bool complete = false;  ///< a 200 stream that ended with data: [DONE]
    std::string detail;     ///< for a failure: what arrived
};

class Traffic {
public:
    /// Starts `clients` threads sending to 127.0.0.1:port, each request asking `max_tokens`.
    Traffic(uint16_t port, std::string model, int clients, int max_tokens);
    ~Traffic();  ///< stops

    /// Waits for every thread to finish its request in flight, then stops them.
    void stop();
    std::vector<Outcome> outcomes() const;
    size_t count() const;
    /// Failures, one line each, for a test's message.
    std::string describe_failures() const;

private:
    void run();

    const uint16_t port_;
    const std::string model_;
    const int max_tokens_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<Outcome> outcomes_;
    std::vector<std::thread> threads_;
};

/// A request body for `model`: streamed, `max_tokens` tokens whatever the model would say.
std::string stream_body(const std::string& model, int max_tokens);

}  // namespace ggufd::test
