// One request relayed to a child and its response relayed back, as the bytes arrive: no
// buffering of whole bodies, SSE events forwarded the moment they are read, backpressure from a
// slow client, and a clean error for every way the child can fail (refused, closed mid-response,
// no response head within the service's first_byte_timeout, silent past upstream_timeout).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "client_connection.h"
#include "forwarding.h"
#include "ggufd/net/chunked.h"
#include "ggufd/net/http_message.h"
#include "ggufd/supervisor/service_handle.h"
#include "upstream_pool.h"
#include "usage_scanner.h"

namespace ggufd::gateway {

class ProxyExchange : public ResponseProducer, public UpstreamConnection::Owner {
public:
    /// `service` must already hold an in-flight slot (ServiceHandle::try_begin_request); the
    /// exchange releases it when it ends.
    ProxyExchange(ClientConnection& client, std::shared_ptr<supervisor::ServiceHandle> service, std::string target);
    ~ProxyExchange() override;

    /// Connects (or reuses a pooled connection) and sends the request.
    void begin();

    void on_upstream_io(uint32_t events) override;
    void on_client_drained() override;
    void on_client_gone() override;
    void on_sweep(net::Clock::time_point now) override;
    void on_resume() override;

    /// The most bytes of the request (head and body) sent to the child in one loop turn: a
    /// 32 MB body is copied into the kernel a slice at a time, each well under a millisecond
    /// (docs/PERFORMANCE.md), with the worker's other connections served between slices.
    static constexpr size_t kSendBudgetPerWake = 1024 * 1024;

private:
    enum class Stage { sending, awaiting_head, relaying, done };

    bool connect(bool allow_reuse);
    void send_request();
    void read_response();
    bool consume(std::string_view data);
    bool start_relay(std::string_view after_head);
    /// Appends `data`, framed for the client, to `out` (which may hold the head) and sends it.
    bool relay_body(std::string_view data, std::string& out);
    void on_upstream_closed(int error);
    void fail(int status, const std::string& message, std::string_view code);
    void complete();
    void release_upstream(bool reusable);
    void observe_body(std::string_view data);
    bool head_overdue(net::Clock::time_point now);
    void record_metrics(bool error);
    std::string describe_service() const;

    ClientConnection& client_;
    UpstreamPool& pool_;
    std::shared_ptr<supervisor::ServiceHandle> service_;
    const std::string target_;
    const uint64_t upstream_timeout_ms_;

    std::unique_ptr<UpstreamConnection> upstream_;
    bool reused_ = false;
    bool retried_ = false;
    Stage stage_ = Stage::sending;
    std::string request_head_;
    size_t sent_ = 0;  // of head + body

    std::string head_buffer_;
    net::ResponseHead response_;
    ClientFraming client_framing_ = ClientFraming::none;
    bool event_stream_ = false;
    bool last_chunk_sent_ = false;
    std::string held_head_;     // a non-stream head waiting to go out with the first body bytes
    uint64_t remaining_ = 0;  // for Content-Length bodies
    net::ChunkedDecoder chunks_;
    bool paused_ = false;       // client backpressure: stop reading the child
    bool read_pending_ = false; // data may be waiting in the socket while paused
    bool upstream_closed_ = false;  // the child's FIN has been seen: read on until EOF
    net::Clock::time_point last_upstream_activity_;
    const std::chrono::milliseconds first_byte_timeout_;  // 0: none
    net::Clock::time_point request_sent_at_;

    net::Clock::time_point started_;  // when the client's request was complete
    bool first_data_seen_ = false;
    bool metrics_recorded_ = false;
    UsageScanner usage_;
};

}  // namespace ggufd::gateway
