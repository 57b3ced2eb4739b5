// One client's TCP connection to the front door: reads what the client sends into a
// net::RequestReader (which does all the framing), hands each request to the dispatcher, and
// writes responses with backpressure. It does I/O and bookkeeping only, and keeps every cost a
// client can cause bounded (docs/LIMITS.md). Lives on one worker's loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ggufd/net/event_loop.h"
#include "ggufd/net/request_reader.h"
#include "response.h"
#include "route.h"

namespace ggufd::gateway {

class Worker;

/// Something that produces the response to the current request over time (a proxied exchange,
/// a log stream). The connection owns it and tells it when the client can take more data or
/// has gone away.
class ResponseProducer {
public:
    virtual ~ResponseProducer() = default;
    /// The client's send buffer drained below the low-water mark.
    virtual void on_client_drained() = 0;
    /// The client disconnected: stop, release resources. The producer is destroyed right after.
    virtual void on_client_gone() = 0;
    /// Periodic check (about once a second) for timeouts.
    virtual void on_sweep(net::Clock::time_point now) = 0;
    /// The connection resumed work put off with Worker::resume_later (the producer spent its
    /// I/O budget for one loop turn and asked to continue on the next).
    virtual void on_resume() {}
};

/// ClientConnection drives one connection through its requests in a loop, never by recursion:
/// a response that completes at once lets the loop take the next pipelined request; one that
/// completes later (a proxied answer) restarts the loop. Per wake-up it starts at most
/// kMaxRequestsPerWake requests and makes at most kMaxReadsPerWake reads, then yields to the
/// worker's other connections and continues on a later loop iteration. It reads only what the
/// request at the front still needs (so its input is bounded by that request plus one read),
/// and starts no new request while more than kHighWater bytes of answers wait for the client.
class ClientConnection : public net::IoHandler {
public:
    ClientConnection(Worker& worker, net::UniqueFd fd, uint64_t id, bool admin_listener);
    ~ClientConnection() override;

    void on_io(uint32_t events) override;

    uint64_t id() const { return id_; }
    Worker& worker() { return worker_; }
    bool via_admin_listener() const { return admin_listener_; }

    // --- the current request, for the dispatcher ---
    const net::RequestHead& request() const { return reader_.head(); }
    std::string_view body() const { return reader_.body(); }
    /// The body with `padding` readable bytes after it (net::RequestReader::body_with_padding).
    std::string_view body_with_padding(size_t padding) { return reader_.body_with_padding(padding); }
    /// The buffer holding the request, lent to a thread that reads the body while the connection
    /// waits (it reads nothing meanwhile: it is answering this request); given back on its loop.
    std::string lend_request_buffer() { return reader_.lend_buffer(); }
    void give_back_request_buffer(std::string buffer) { reader_.give_back(std::move(buffer)); }
    bool head_request() const { return head_only_; }
    /// When the whole request had arrived (the start of every latency ggufd reports).
    net::Clock::time_point request_started_at() const { return request_started_at_; }
    /// The endpoint the dispatcher found for the request when its head arrived.
    const Route& route() const { return route_; }
    void set_route(Route route) { route_ = std::move(route); }

    // --- answering it ---
    /// Headers every answer to the current request carries, whoever makes it (CORS, set by the
    /// dispatcher); forgotten when the request ends.
    void set_cors_headers(std::vector<net::Header> headers) { cors_headers_ = std::move(headers); }
    const std::vector<net::Header>& cors_headers() const { return cors_headers_; }
    /// A complete response made by the front door itself.
    void respond(const Response& response);
    /// Hands the response over to a producer (proxy, log stream).
    void produce_with(std::unique_ptr<ResponseProducer> producer);

    // --- for producers ---
    /// Queues bytes for the client and tries to send them at once. False if the client is gone.
    bool send(std::string_view data);
    /// Bytes queued but not yet accepted by the kernel.
    size_t pending_bytes() const { return out_.size() - out_sent_; }
    static constexpr size_t kHighWater = 256 * 1024;
    /// The producer has sent the whole response; `reusable` says whether the framing allows
    /// another request on this connection.
    void finish_response(bool reusable);
    /// Ends the connection at once (a response that cannot be completed).
    void abort();
    bool response_started() const { return response_started_; }
    void mark_response_started() { response_started_ = true; }

    // --- for the worker ---
    /// Deadlines: the request head and body, keep-alive idleness, a client that stops taking
    /// bytes, a lingering close; then the producer's own.
    void sweep(net::Clock::time_point now);
    /// At shutdown: closes the connection if it is between requests.
    void close_if_idle();
    /// Continues work that was put off so that other connections could run: reading requests,
    /// or the producer's (a body being sent to a child).
    void resume();
    /// At max_connections: nullopt while a request is being answered (never closed to make
    /// room); otherwise what it is waiting for (0 the next request, 1 the rest of a head, 2 a
    /// body: the lower, the sooner it goes) and since when.
    struct WaitingFor {
        int rank;
        net::Clock::time_point since;
    };
    std::optional<WaitingFor> waiting_for() const;
    /// Whether the client has sent bytes this connection has not read yet: such a connection is
    /// about to be served, not idle, whatever waiting_for() says.
    bool has_unread_input() const;

    static constexpr int kMaxRequestsPerWake = 64;
    static constexpr int kMaxReadsPerWake = 16;
    /// After the last answer before a close, input is read and discarded for at most this
    /// long, so that the client reads the answer instead of a reset (nginx's lingering close).
    static constexpr auto kLingerTime = std::chrono::seconds(5);

private:
    /// reading: between requests or receiving one; handling: a request is being answered;
    /// closing: the last answer is being flushed; lingering: it was, the write side is shut and
    /// input is discarded until the client closes.
    enum class Phase { reading, handling, closing, lingering, closed };
    enum class Wait { next_request, head, body };

    void drive();
    void read_requests();
    bool receive();
    void on_head();
    void start_request();
    void reject(int status, std::string_view message, std::string_view code);
    void refuse(const Response& response);
    void begin_answer(bool close_after, bool head_only);
    void wait_for(Wait what, net::Clock::time_point since);
    void flush();
    void end_connection();
    void discard_input();
    void begin_request_accounting();
    void end_request_accounting();
    void close();

    Worker& worker_;
    net::UniqueFd fd_;
    const uint64_t id_;
    const bool admin_listener_;
    Phase phase_ = Phase::reading;
    bool driving_ = false;        // drive() is on the stack: do not re-enter it
    bool readable_ = false;       // the socket may hold unread input (edge-triggered)
    bool peer_closed_ = false;

    net::RequestReader reader_;
    Route route_;
    bool in_request_ = false;     // the front request's head has been seen
    bool continue_due_ = false;   // Expect: 100-continue, once the request is admitted
    bool head_only_ = false;
    Wait waiting_ = Wait::head;
    net::Clock::time_point waiting_since_;
    net::Clock::time_point deadline_;
    net::Clock::time_point request_started_at_;

    std::string out_;
    size_t out_sent_ = 0;
    net::Clock::time_point send_progress_at_;
    bool response_started_ = false;
    bool close_after_response_ = false;
    bool request_counted_ = false;  // counted in the in-flight total (for drain)
    std::unique_ptr<ResponseProducer> producer_;
    std::vector<net::Header> cors_headers_;
};

}  // namespace ggufd::gateway
