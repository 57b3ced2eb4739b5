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
#include "log_throttle.h"
#include "upstream_pool.h"

namespace ggufd::gateway {

/// Worker holds at most its share of max_connections. When full, it closes the connections that
/// have waited longest for a request (idle keep-alive ones first, as nginx does) to make room;
/// when none can go, or the process runs out of descriptors, it stops accepting for a while
/// (the kernel keeps new connections in the listen backlog) instead of spinning on accept.
class Worker {
public:
    struct Listener;

    Worker(GatewayContext& context, int index);
    ~Worker();

    /// Opens this worker's listening sockets (throws net::SocketError) and starts its thread.
    void start();
    /// Thread-safe: shutdown has begun (GatewayContext::accepting is false). Connections that
    /// are between requests are closed; the listeners stay open, so that /health can say 503.
    void start_draining();
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
    /// Calls the connection's resume() on a later loop iteration, after other events.
    void resume_later(uint64_t id);

    void begin_request();
    void end_request();

    /// Reusable per-thread buffers for the hot path (no allocation per read or response).
    std::vector<char>& scratch() { return scratch_; }
    std::string& frame_buffer() { return frame_; }

    static constexpr int kAcceptsPerWake = 64;
    /// How long accepting pauses when descriptors (or kernel memory) run out.
    static constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
    /// Connections closed at once to make room at max_connections.
    static constexpr size_t kEvictBatch = 16;

private:
    friend struct Listener;
    void accept_from(int listen_fd, bool admin);
    bool make_room();
    bool make_room_at_capacity();
    /// True when connections were closed to free descriptors (accept again); false when
    /// accepting paused for kAcceptBackoff.
    bool out_of_descriptors(int error);
    void pause_accepting();
    void resume_accepting();
    void run_resumes();
    void sweep();

    GatewayContext& context_;
    const int index_;
    net::EventLoop loop_;
    UpstreamPool pool_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    bool accept_paused_ = false;
    bool accept_backoff_ = false;  // paused for kAcceptBackoff, not until a connection closes
    size_t descriptor_retries_ = 0;  // evictions in a row for EMFILE: bounded, then back off
    std::unordered_map<uint64_t, std::unique_ptr<ClientConnection>> connections_;
    uint64_t next_connection_id_ = 1;
    std::vector<uint64_t> resume_queue_;
    bool resume_armed_ = false;
    LogThrottle full_log_{std::chrono::seconds(10)};
    LogThrottle descriptors_log_{std::chrono::seconds(10)};
    std::vector<char> scratch_;
    std::string frame_;
    std::thread thread_;
};

}  // namespace ggufd::gateway
