#include "proxy_exchange.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "ggufd/net/socket.h"
#include "ggufd/util/log.h"
#include "ggufd/util/units.h"
#include "openai_error.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

constexpr size_t kMaxResponseHead = 64 * 1024;

bool is_event_stream(const net::ResponseHead& head) {
    const std::string* type = head.find("content-type");
    return type && type->rfind("text/event-stream", 0) == 0;
}

}  // namespace

ProxyExchange::ProxyExchange(ClientConnection& client, std::shared_ptr<supervisor::ServiceHandle> service,
                             std::string target)
    : client_(client),
      pool_(client.worker().pool()),
      service_(std::move(service)),
      target_(std::move(target)),
      upstream_timeout_ms_(static_cast<uint64_t>(client.worker().context().config.upstream_timeout.count())),
      last_upstream_activity_(client.worker().loop().now()),
      first_byte_timeout_(service_->config().first_byte_timeout),
      started_(client.request_started_at()) {
    service_->metrics().requests.fetch_add(1, std::memory_order_relaxed);
}

ProxyExchange::~ProxyExchange() {
    release_upstream(false);
    service_->end_request();
}

void ProxyExchange::begin() {
    request_head_ = upstream_request_head(client_.request(), target_, service_->port(), client_.body().size(),
                                          client_.worker().context().config.forward_credentials);
    if (connect(true)) send_request();
}

// Takes a pooled connection or starts a new one. False (after answering the client) when no
// connection could even be attempted.
bool ProxyExchange::connect(bool allow_reuse) {
    auto lease = pool_.acquire(service_->port(), allow_reuse);
    if (!lease.connection) {
        on_upstream_closed(lease.error);
        return false;
    }
    upstream_ = std::move(lease.connection);
    upstream_->set_owner(this);
    reused_ = lease.reused;
    sent_ = 0;
    // Loopback connects complete at once in practice, so try to send right away; a socket that
    // is still connecting answers EAGAIN and we wait for EPOLLOUT.
    stage_ = Stage::sending;
    return true;
}

// Sends what the child's socket takes, at most kSendBudgetPerWake bytes per call (one sendmsg
// copies no more either): a big body goes out over several loop turns, the worker's other
// connections and streams served in between. A call that stops with the socket still writable
// gets no new EPOLLOUT edge, so it continues through the client connection's resume, which
// finds the connection by id (it, and this exchange, may be gone by then).
void ProxyExchange::send_request() {
    std::string_view body = client_.body();
    const size_t total = request_head_.size() + body.size();
    const size_t budget_end = std::min(total, sent_ + kSendBudgetPerWake);
    while (sent_ < budget_end) {
        size_t room = budget_end - sent_;
        iovec parts[2];
        int count = 0;
        if (sent_ < request_head_.size()) {
            const size_t head_part = std::min(room, request_head_.size() - sent_);
            parts[count++] = {request_head_.data() + sent_, head_part};
            room -= head_part;
            if (room > 0) parts[count++] = {const_cast<char*>(body.data()), std::min(room, body.size())};
        } else {
            size_t offset = sent_ - request_head_.size();
            parts[count++] = {const_cast<char*>(body.data()) + offset, std::min(room, body.size() - offset)};
        }
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = static_cast<size_t>(count);
        ssize_t n = ::sendmsg(upstream_->fd(), &message, MSG_NOSIGNAL);
        if (n > 0) {
            sent_ += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == ENOTCONN)) return;  // wait for EPOLLOUT
        on_upstream_closed(n < 0 ? errno : 0);
        return;
    }
    if (sent_ < total) return client_.worker().resume_later(client_.id());
    stage_ = Stage::awaiting_head;
    last_upstream_activity_ = request_sent_at_ = client_.worker().loop().now();
}

void ProxyExchange::on_resume() {
    if (stage_ == Stage::sending) send_request();
}

void ProxyExchange::on_upstream_io(uint32_t events) {
    if (stage_ == Stage::done) return;
    if (stage_ == Stage::sending && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        if (int error = net::connect_result(upstream_->fd()); error != 0) {
            on_upstream_closed(error);
            return;
        }
        send_request();
        if (stage_ == Stage::done) return;
    }
    // A child may answer before it has read the whole request (an early error): read anyway.
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) upstream_closed_ = true;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_response();
}

void ProxyExchange::read_response() {
    if (paused_) {
        read_pending_ = true;
        return;
    }
    auto& scratch = client_.worker().scratch();
    while (stage_ != Stage::done) {
        ssize_t n = ::recv(upstream_->fd(), scratch.data(), scratch.size(), 0);
        if (n > 0) {
            last_upstream_activity_ = client_.worker().loop().now();
            if (!consume(std::string_view(scratch.data(), static_cast<size_t>(n)))) return;
            // Less than a full buffer means the socket is drained; edge-triggered epoll reports
            // whatever arrives next. Not so for a FIN that came with the data: its edge is spent,
            // so read on until the end of file shows.
            if (static_cast<size_t>(n) < scratch.size() && !upstream_closed_) return;
            continue;
        }
        if (n == 0) {
            on_upstream_closed(0);
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return;
        on_upstream_closed(errno);
        return;
    }
}

// False when reading should stop: the exchange ended, or the client is backlogged.
bool ProxyExchange::consume(std::string_view data) {
    if (stage_ == Stage::relaying) {
        std::string& out = client_.worker().frame_buffer();
        out.clear();
        out.swap(held_head_);  // empty unless the head waits for its body
        return relay_body(data, out);
    }
    // Usually the whole head arrives in one read: parse it where it lies, copying nothing.
    std::string_view input = data;
    if (!head_buffer_.empty()) {
        head_buffer_.append(data);
        input = head_buffer_;
    }
    while (true) {
        auto parsed = net::parse_response_head(input, kMaxResponseHead, client_.request().method, response_);
        if (parsed.status == net::ParseStatus::incomplete) {
            std::string rest(input);  // a copy first: `input` may point into head_buffer_
            head_buffer_.swap(rest);
            return true;
        }
        if (parsed.status == net::ParseStatus::error) {
            fail(502, describe_service() + " sent a malformed response: " + parsed.error, "upstream_error");
            return false;
        }
        input.remove_prefix(parsed.head_bytes);
        if (response_.status >= 100 && response_.status < 200) continue;  // interim (100 Continue): skip
        // `input` may point into head_buffer_, which stays alive (a member) while it is relayed.
        bool more = start_relay(input);
        head_buffer_.clear();
        return more;
    }
}

bool ProxyExchange::start_relay(std::string_view after_head) {
    stage_ = Stage::relaying;
    service_->note_response_head();
    event_stream_ = is_event_stream(response_);
    client_framing_ = choose_client_framing(response_, client_.head_request(), client_.request().version_minor);
    remaining_ = response_.content_length;
    bool keep_alive = client_.request().keep_alive && client_.worker().accepting();
    // The head goes out together with the first body bytes: one write, one segment. A stream's
    // head is not held back, so a client sees the response start as soon as the child does.
    std::string& out = client_.worker().frame_buffer();
    out = client_response_head(response_, client_framing_, keep_alive, client_.cors_headers());
    client_.mark_response_started();
    if (client_framing_ == ClientFraming::none) {
        record_metrics(response_.status >= 500);
        if (!client_.send(out)) return false;
        complete();
        return false;
    }
    if (after_head.empty() && !event_stream_) {
        held_head_ = std::move(out);
        return true;
    }
    return relay_body(after_head, out);
}

bool ProxyExchange::relay_body(std::string_view data, std::string& out) {
    bool finished = false;
    switch (response_.framing) {
        case net::BodyFraming::content_length: {
            size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
            remaining_ -= take;
            finished = remaining_ == 0;
            observe_body(data.substr(0, take));
            out.append(data.substr(0, take));
            break;
        }
        case net::BodyFraming::chunked:
            while (!data.empty() && !finished) {
                auto step = chunks_.next(data);
                if (!step.error.empty()) {
                    fail(502, describe_service() + " sent a malformed chunked body: " + step.error, "upstream_error");
                    return false;
                }
                data.remove_prefix(step.consumed);
                observe_body(step.data);
                // One upstream chunk (one SSE event, as llama-server writes them) becomes one
                // chunk for the client: nothing is merged or held back.
                if (client_framing_ == ClientFraming::chunked) net::append_chunk(out, step.data);
                else out.append(step.data);
                finished = step.done;
            }
            break;
        case net::BodyFraming::until_close:
            observe_body(data);
            if (client_framing_ == ClientFraming::chunked) net::append_chunk(out, data);
            else out.append(data);
            break;
        case net::BodyFraming::none:
            finished = true;
            break;
    }
    if (finished && client_framing_ == ClientFraming::chunked) {
        out += net::kLastChunk;  // in the same write as the last event
        last_chunk_sent_ = true;
    }
    if (finished) record_metrics(response_.status >= 500);
    if (!out.empty() && !client_.send(out)) return false;
    if (finished) {
        complete();
        return false;
    }
    if (client_.pending_bytes() > ClientConnection::kHighWater) {
        paused_ = true;
        read_pending_ = true;
        return false;
    }
    return true;
}

void ProxyExchange::on_upstream_closed(int error) {
    if (stage_ == Stage::done) return;
    bool nothing_received = stage_ != Stage::relaying && head_buffer_.empty();
    if (nothing_received && reused_ && !retried_) {
        // The child closed an idle keep-alive connection just as we reused it: the request was
        // not processed, so it is safe to send it once more on a fresh connection.
        retried_ = true;
        pool_.discard(std::move(upstream_));
        if (connect(false)) send_request();
        return;
    }
    if (stage_ == Stage::relaying && response_.framing == net::BodyFraming::until_close && error == 0) {
        complete();
        return;
    }
    std::string what;
    if (error == ECONNREFUSED) {
        what = " refused the connection on port " + std::to_string(service_->port()) + " (it may have just exited)";
    } else if (stage_ == Stage::relaying) {
        what = error ? " failed mid-response (" + std::string(std::strerror(error)) + ")"
                     : " closed the connection before the response was complete (the child may have crashed)";
    } else {
        what = error ? " failed before answering (" + std::string(std::strerror(error)) + ")"
                     : " closed the connection without answering (the child may have crashed)";
    }
    fail(502, describe_service() + what, "upstream_error");
}

void ProxyExchange::fail(int status, const std::string& message, std::string_view code) {
    stage_ = Stage::done;
    release_upstream(false);
    record_metrics(true);
    spdlog::warn("front door: {} {}: {}", client_.request().method, client_.request().target, message);
    if (!client_.response_started() || !held_head_.empty()) {
        client_.respond(Response::error(status, message, code));
    } else if (client_framing_ == ClientFraming::chunked && event_stream_) {
        // Mid-stream: one error event in OpenAI's shape, then a properly ended stream.
        std::string& out = client_.worker().frame_buffer();
        out.clear();
        net::append_chunk(out, openai_error_event(status, message, code));
        out += net::kLastChunk;
        if (client_.send(out)) client_.finish_response(true);
    } else {
        client_.abort();  // the framing cannot be completed honestly
    }
}

void ProxyExchange::complete() {
    stage_ = Stage::done;
    record_metrics(response_.status >= 500);
    // An empty body ends a response whose head was held for it: send them together.
    std::string tail = std::move(held_head_);
    if (client_framing_ == ClientFraming::chunked && !last_chunk_sent_) tail += net::kLastChunk;
    if (!tail.empty() && !client_.send(tail)) return;
    bool request_fully_sent = sent_ == request_head_.size() + client_.body().size();
    release_upstream(response_.keep_alive && request_fully_sent && response_.framing != net::BodyFraming::until_close);
    client_.finish_response(client_framing_ != ClientFraming::close);
}

void ProxyExchange::release_upstream(bool reusable) {
    if (!upstream_) return;
    upstream_->set_owner(nullptr);
    if (reusable) pool_.release(std::move(upstream_));
    else pool_.discard(std::move(upstream_));
}

void ProxyExchange::on_client_drained() {
    if (!paused_) return;
    paused_ = false;
    if (read_pending_) {
        read_pending_ = false;
        read_response();
    }
}

void ProxyExchange::on_client_gone() {
    // Closing the child's connection is what makes llama-server stop generating for it.
    stage_ = Stage::done;
    release_upstream(false);
}

void ProxyExchange::on_sweep(net::Clock::time_point now) {
    if (stage_ == Stage::done || paused_ || head_overdue(now)) return;
    if (now - last_upstream_activity_ < std::chrono::milliseconds(upstream_timeout_ms_)) return;
    fail(504,
         describe_service() + " sent nothing for " +
             units::format_duration(std::chrono::milliseconds(upstream_timeout_ms_)) + " (upstream_timeout)",
         "upstream_timeout");
}

// A child that takes the request and never starts answering may be hung in inference while its
// /health still says ok: the request gets 504, and the supervisor hears of it (by the handle,
// never a pointer) and counts it towards health_failures in a row.
bool ProxyExchange::head_overdue(net::Clock::time_point now) {
    if (stage_ != Stage::awaiting_head || first_byte_timeout_.count() <= 0) return false;
    if (now - request_sent_at_ < first_byte_timeout_) return false;
    service_->note_stall();
    client_.worker().context().supervisor.report_stall(service_);
    fail(504,
         describe_service() + " sent no response head within " + units::format_duration(first_byte_timeout_) +
             " (first_byte_timeout); it may be hung, and is restarted after health_failures such requests in a row",
         "upstream_timeout");
    return true;
}

void ProxyExchange::observe_body(std::string_view data) {
    if (data.empty()) return;
    if (!first_data_seen_) {
        first_data_seen_ = true;
        if (event_stream_) service_->metrics().time_to_first_token.observe(client_.worker().loop().now() - started_);
    }
    usage_.scan(data);
}

// Called before a response's last bytes go out, so that a client that reads /metrics as soon as
// it has its answer finds the request counted.
void ProxyExchange::record_metrics(bool error) {
    if (metrics_recorded_) return;
    metrics_recorded_ = true;
    auto& metrics = service_->metrics();
    if (error) metrics.errors.fetch_add(1, std::memory_order_relaxed);
    metrics.tokens_generated.fetch_add(usage_.tokens(), std::memory_order_relaxed);
    metrics.duration.observe(client_.worker().loop().now() - started_);
}

std::string ProxyExchange::describe_service() const { return "service \"" + service_->name() + "\""; }

}  // namespace ggufd::gateway
