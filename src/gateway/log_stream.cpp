#include "log_stream.h"

#include "ggufd/net/chunked.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

// Comment lines keep intermediaries (and our own idle sweep) from closing a quiet stream.
constexpr auto kKeepAliveEvery = std::chrono::seconds(15);
// A follower this far behind is not reading: end its stream rather than buffer without bound.
constexpr size_t kMaxBacklog = 4 * 1024 * 1024;

}  // namespace

std::string log_event_chunk(std::string_view line) {
    std::string event = "data: ";
    event += line;
    event += "\n\n";
    std::string chunk;
    net::append_chunk(chunk, event);
    return chunk;
}

LogStream::LogStream(ClientConnection& client, std::shared_ptr<supervisor::ServiceHandle> service, size_t tail)
    : client_(client), service_(std::move(service)), last_sent_(client.worker().loop().now()) {
    std::string head;
    append_response_head(head, 200, "", {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}},
                         kChunkedBody, false);
    client_.mark_response_started();
    for (const auto& line : service_->logs().tail(tail)) head += log_event_chunk(line);
    client_.send(head);

    Worker* worker = &client_.worker();
    uint64_t id = client_.id();
    subscription_ = service_->logs().subscribe([worker, id](const std::string& line) {
        worker->loop().post([worker, id, chunk = log_event_chunk(line)] {
            ClientConnection* follower = worker->find(id);
            if (!follower) return;
            if (follower->pending_bytes() > kMaxBacklog) {
                follower->abort();
                return;
            }
            follower->send(chunk);
        });
    });
}

LogStream::~LogStream() { on_client_gone(); }

void LogStream::on_client_gone() {
    if (subscription_) service_->logs().unsubscribe(subscription_);
    subscription_ = 0;
}

void LogStream::on_sweep(net::Clock::time_point now) {
    if (now - last_sent_ < kKeepAliveEvery) return;
    last_sent_ = now;
    std::string chunk;
    net::append_chunk(chunk, ": keep-alive\n\n");
    client_.send(chunk);
}

}  // namespace ggufd::gateway
