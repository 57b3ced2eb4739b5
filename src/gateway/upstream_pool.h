// Keep-alive connections from one front-door worker to the children on 127.0.0.1, reused across
// requests so that the hot path does not pay for a TCP handshake. Each worker has its own pool:
// no locks. An idle connection the child closes is noticed (edge-triggered EOF) and dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ggufd/net/event_loop.h"

namespace ggufd::gateway {

class UpstreamPool;

/// One TCP connection to a child. Registered with the loop once, edge-triggered, for its whole
/// life; events go to its current owner (an exchange) or, while idle, to the pool.
class UpstreamConnection : public net::IoHandler {
public:
    class Owner {
    public:
        virtual ~Owner() = default;
        virtual void on_upstream_io(uint32_t events) = 0;
    };

    UpstreamConnection(UpstreamPool& pool, net::UniqueFd fd, uint16_t port);
    ~UpstreamConnection() override;

    int fd() const { return fd_.get(); }
    uint16_t port() const { return port_; }
    void set_owner(Owner* owner) { owner_ = owner; }
    void on_io(uint32_t events) override;

private:
    friend class UpstreamPool;
    UpstreamPool& pool_;
    net::UniqueFd fd_;
    uint16_t port_;
    Owner* owner_ = nullptr;
    net::Clock::time_point idle_since_{};
};

class UpstreamPool {
public:
    /// llama-server (cpp-httplib) closes idle keep-alive connections after 5 s; we let go a
    /// little earlier so that a request never races the child's close.
    static constexpr auto kIdleTimeout = std::chrono::seconds(4);
    static constexpr size_t kMaxIdlePerPort = 256;

    explicit UpstreamPool(net::EventLoop& loop) : loop_(loop) {}
    ~UpstreamPool();

    struct Lease {
        std::unique_ptr<UpstreamConnection> connection;  ///< null when `error` is set
        bool reused = false;
        int error = 0;  ///< errno of a connect that failed at once
    };

    /// An idle connection to `port` if there is one, else a new (possibly still connecting) one.
    Lease acquire(uint16_t port, bool allow_reuse = true);
    /// Returns a connection whose last response was complete and may be reused.
    void release(std::unique_ptr<UpstreamConnection> connection);
    /// Closes a connection (after the current event batch).
    void discard(std::unique_ptr<UpstreamConnection> connection);
    /// Drops idle connections older than kIdleTimeout.
    void sweep(net::Clock::time_point now);

    net::EventLoop& loop() { return loop_; }

private:
    friend class UpstreamConnection;
    void on_idle_event(UpstreamConnection* connection);
    std::unique_ptr<UpstreamConnection> take_idle(UpstreamConnection* connection);

    net::EventLoop& loop_;
    std::unordered_map<uint16_t, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

}  // namespace ggufd::gateway
