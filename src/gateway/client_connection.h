// One client's TCP connection to the front door: reads and frames requests (keep-alive,
// pipelining, Expect: 100-continue, chunked bodies, size limits), hands each complete request to
// the dispatcher, and writes responses with backpressure. Lives on one worker's loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ggufd/net/chunked.h"
#include "ggufd/net/event_loop.h"
#include "ggufd/net/http_message.h"
#include "response.h"

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
};

class ClientConnection : public net::IoHandler {
public:
    ClientConnection(Worker& worker, net::UniqueFd fd, uint64_t id, bool admin_listener);
    ~ClientConnection() override;

    void on_io(uint32_t events) override;

    uint64_t id() const { return id_; }
    Worker& worker() { return worker_; }
    bool via_admin_listener() const { return admin_listener_; }

    // --- the current request, for the dispatcher ---
    const net::RequestHead& request() const { return request_; }
    std::string_view body() const;
    bool head_request() const { return request_.method == "HEAD"; }
    /// When the whole request had arrived (the start of every latency ggufd reports).
    net::Clock::time_point request_started_at() const { return request_started_at_; }

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

    /// Worker: timeouts for idle keep-alive and slow requests, and the producer's own.
    void sweep(net::Clock::time_point now);
    /// Worker, at shutdown: closes the connection if it is between requests.
    void close_if_idle();

private:
    /// reading: between requests or receiving one; handling: a request is being answered;
    /// closing: the answer is complete and the connection ends once it is flushed.
    enum class Phase { reading, handling, closing, closed };

    void read_available();
    void process_input();
    bool read_body();
    void flush();
    void reject(int status, std::string_view message, std::string_view code);
    void after_response();
    void begin_request_accounting();
    void end_request_accounting();
    void close();

    Worker& worker_;
    net::UniqueFd fd_;
    const uint64_t id_;
    const bool admin_listener_;
    Phase phase_ = Phase::reading;

    std::string in_;                 // received bytes not yet consumed by a finished request
    net::RequestHead request_;
    size_t head_bytes_ = 0;          // 0 while the head is incomplete
    size_t body_bytes_in_input_ = 0; // Content-Length bodies are viewed in place in in_
    std::string chunked_body_;       // chunked request bodies are decoded here
    size_t chunked_consumed_ = 0;
    net::ChunkedDecoder chunk_decoder_;
    bool continue_sent_ = false;

    std::string out_;
    size_t out_sent_ = 0;
    bool response_started_ = false;
    bool close_after_response_ = false;
    bool peer_closed_ = false;
    bool unread_input_ = false;      // input arrived while a request was being answered
    bool request_counted_ = false;   // counted in the worker's in-flight total (for drain)
    net::Clock::time_point last_activity_;
    net::Clock::time_point request_started_at_;
    std::unique_ptr<ResponseProducer> producer_;
    std::vector<net::Header> cors_headers_;
};

}  // namespace ggufd::gateway
