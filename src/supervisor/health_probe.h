// One asynchronous HTTP request against a child on 127.0.0.1 (`GET /health`, or the inference
// probe's one-token completion), on the supervisor's event loop, with a deadline: a hung or
// SIGSTOPped child costs a timeout, never a blocked thread. Only the status line is judged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ggufd/net/event_loop.h"

namespace ggufd::supervisor {

struct HealthResult {
    /// local_error: the probe could not even be tried for a cause of ours (no descriptor left):
    /// it says nothing about the child.
    enum class Outcome { healthy, loading, unhealthy, unreachable, timeout, local_error };
    Outcome outcome = Outcome::unreachable;
    int status = 0;       ///< HTTP status when one arrived
    std::string detail;   ///< "connection refused", "HTTP 500", "no answer within 2.0s"
};

/// What to send: `GET /health` by default.
struct ProbeRequest {
    std::string method = "GET";
    std::string path = "/health";
    std::string body;  ///< sent as application/json when not empty
};

/// HealthProbe sends one request and reports once through its callback, which runs on the loop
/// thread. Destroying the probe (via EventLoop::retire when inside a callback) cancels it.
class HealthProbe : public net::IoHandler {
public:
    using Callback = std::function<void(const HealthResult&)>;

    HealthProbe(net::EventLoop& loop, uint16_t port, const ProbeRequest& request, std::chrono::milliseconds timeout,
                Callback callback);
    ~HealthProbe() override;

    void on_io(uint32_t events) override;

private:
    void finish(HealthResult result);
    void on_writable();
    void on_readable();

    net::EventLoop& loop_;
    std::string request_;
    size_t sent_ = 0;
    std::string response_;
    net::UniqueFd fd_;
    bool registered_ = false;
    bool connected_ = false;
    bool finished_ = false;
    net::EventLoop::TimerId timer_ = 0;
    Callback callback_;
};

}  // namespace ggufd::supervisor
