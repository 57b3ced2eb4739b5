// One front-door event loop on its own thread: it accepts connections on its own SO_REUSEPORT
// listeners, and owns those connections, their requests and its pool of connections to children
// for their whole life. Workers share nothing but the GatewayContext.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client_connection.h"
#include "gateway_context.h"
#include "ggufd/net/event_loop.h"
#include "upstream_pool.h"

namespace ggufd::gateway {

class Worker {
public:
    struct Listener;

    Worker(GatewayContext& context, int index);
    ~Worker();

    /// Opens this worker's listening sockets (throws net::SocketError) and starts its thread.
    void start();
    /// Thread-safe: stop accepting, and close connections that are between requests.
    void stop_accepting();
    /// Thread-safe: ends the loop and joins the thread; open connections are dropped.
    void stop();

    net::EventLoop& loop() { return loop_; }
    UpstreamPool& pool() { return pool_; }
    GatewayContext& context() { return context_; }
    bool accepting() const { return context_.accepting.load(std::memory_order_relaxed); }

    /// The connection with this id, if it is still open (for answers that arrive later).
    ClientConnection* find(uint64_t id);
    /// A connection closed itself: drop it after this event batch.
    void forget(ClientConnection* connection);

    void begin_request();
    void end_request();

    /// Reusable per-thread buffers for the hot path (no allocation per read or response).
    std::vector<char>& scratch() { return scratch_; }
    std::string& frame_buffer() { return frame_; }

private:
    friend struct Listener;
    void accept_from(int listen_fd, bool admin);
    void sweep();

    GatewayContext& context_;
    const int index_;
    net::EventLoop loop_;
    UpstreamPool pool_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::unordered_map<uint64_t, std::unique_ptr<ClientConnection>> connections_;
    uint64_t next_connection_id_ = 1;
    std::vector<char> scratch_;
    std::string frame_;
    std::thread thread_;
};

}  // namespace ggufd::gateway
