#include "client_connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "dispatcher.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr auto kIdleKeepAlive = std::chrono::seconds(75);     // as nginx's keepalive_timeout
constexpr auto kRequestReadTimeout = std::chrono::seconds(60); // a request trickling in

}  // namespace

ClientConnection::ClientConnection(Worker& worker, net::UniqueFd fd, uint64_t id, bool admin_listener)
    : worker_(worker), fd_(std::move(fd)), id_(id), admin_listener_(admin_listener), last_activity_(worker.loop().now()) {
    // Registered once, edge-triggered: no epoll_ctl on the request path.
    worker_.loop().add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
}

ClientConnection::~ClientConnection() {
    if (fd_) worker_.loop().remove(fd_.get());
}

std::string_view ClientConnection::body() const {
    if (request_.framing == net::BodyFraming::chunked) return chunked_body_;
    return std::string_view(in_).substr(head_bytes_, body_bytes_in_input_);
}

void ClientConnection::on_io(uint32_t events) {
    if (phase_ == Phase::closed) return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        close();
        return;
    }
    if (events & EPOLLOUT) {
        flush();
        if (phase_ == Phase::closed) return;
    }
    if (events & EPOLLRDHUP) peer_closed_ = true;
    if (events & EPOLLIN) {
        read_available();
    } else if (peer_closed_ && phase_ != Phase::reading) {
        // The client hung up while we were answering: stop the work done on its behalf (a
        // streaming child stops generating once its connection is closed).
        close();
    }
}

void ClientConnection::read_available() {
    if (phase_ != Phase::reading) {
        // Bytes beyond the current request (pipelining) stay in the kernel until we are ready;
        // a hang-up, though, must be noticed now.
        if (peer_closed_) close();
        else unread_input_ = true;
        return;
    }
    unread_input_ = false;
    auto& scratch = worker_.scratch();
    while (true) {
        ssize_t n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
        if (n > 0) {
            in_.append(scratch.data(), static_cast<size_t>(n));
            last_activity_ = worker_.loop().now();
            if (static_cast<size_t>(n) < scratch.size()) break;  // drained: a new edge will come
            if (in_.size() > kMaxHeadBytes && head_bytes_ == 0) break;
            continue;
        }
        if (n == 0) {
            peer_closed_ = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
            close();
            return;
        }
        break;
    }
    process_input();
    if (phase_ == Phase::reading && peer_closed_) close();
}

void ClientConnection::process_input() {
    if (phase_ != Phase::reading) return;
    if (head_bytes_ == 0) {
        auto result = net::parse_request_head(in_, kMaxHeadBytes, request_);
        if (result.status == net::ParseStatus::incomplete) return;
        if (result.status == net::ParseStatus::error) {
            reject(result.error_status, result.error, "invalid_request");
            return;
        }
        head_bytes_ = result.head_bytes;
        continue_sent_ = false;
        const uint64_t limit = worker_.context().config.max_body_bytes;
        if (request_.framing == net::BodyFraming::content_length && request_.content_length > limit) {
            reject(413, "request body of " + std::to_string(request_.content_length) + " bytes is over the limit of " +
                            std::to_string(limit) + " bytes (max_body_size)",
                   "request_too_large");
            return;
        }
    }
    if (!read_body()) return;
    phase_ = Phase::handling;
    response_started_ = false;
    request_started_at_ = worker_.loop().now();
    begin_request_accounting();
    dispatch(*this);
}

// True once the whole body is here. Handles Expect: 100-continue and chunked uploads.
bool ClientConnection::read_body() {
    const uint64_t limit = worker_.context().config.max_body_bytes;
    if (request_.framing == net::BodyFraming::content_length) {
        size_t have = in_.size() - head_bytes_;
        if (have < request_.content_length) {
            if (request_.expect_continue && !continue_sent_) {
                continue_sent_ = true;
                send("HTTP/1.1 100 Continue\r\n\r\n");
            }
            return false;
        }
        body_bytes_in_input_ = static_cast<size_t>(request_.content_length);
        return true;
    }
    body_bytes_in_input_ = 0;
    if (request_.framing != net::BodyFraming::chunked) return true;
    if (request_.expect_continue && !continue_sent_) {
        continue_sent_ = true;
        send("HTTP/1.1 100 Continue\r\n\r\n");
    }
    size_t offset = head_bytes_ + chunked_consumed_;
    // Framing counts too: tiny chunks with long extensions must not let the raw input grow
    // far beyond the limit that the decoded body is held to.
    if (in_.size() - head_bytes_ > 2 * limit + 65536) {
        reject(413, "chunked request body is over the limit of " + std::to_string(limit) + " bytes (max_body_size)",
               "request_too_large");
        return false;
    }
    while (offset < in_.size()) {
        auto step = chunk_decoder_.next(std::string_view(in_).substr(offset));
        if (!step.error.empty()) {
            reject(400, "malformed chunked request body: " + step.error, "invalid_request");
            return false;
        }
        offset += step.consumed;
        chunked_body_.append(step.data);
        if (chunked_body_.size() > limit) {
            reject(413, "request body is over the limit of " + std::to_string(limit) + " bytes (max_body_size)",
                   "request_too_large");
            return false;
        }
        if (step.done) break;
    }
    chunked_consumed_ = offset - head_bytes_;
    if (!chunk_decoder_.done()) return false;
    body_bytes_in_input_ = chunked_consumed_;  // consumed from in_ when the request ends
    return true;
}

void ClientConnection::reject(int status, std::string_view message, std::string_view code) {
    // The stream can no longer be trusted to be framed correctly: answer and close.
    phase_ = Phase::handling;
    close_after_response_ = true;
    begin_request_accounting();
    respond(Response::error(status, message, code));
}

void ClientConnection::respond(const Response& response) {
    bool keep_alive = request_.keep_alive && !close_after_response_ && worker_.accepting();
    std::string& out = worker_.frame_buffer();
    out.clear();
    if (cors_headers_.empty()) {
        append_response(out, response, keep_alive, head_request());
    } else {
        Response with_cors = response;
        with_cors.headers.insert(with_cors.headers.end(), cors_headers_.begin(), cors_headers_.end());
        append_response(out, with_cors, keep_alive, head_request());
    }
    response_started_ = true;
    if (!send(out)) return;
    finish_response(keep_alive);
}

void ClientConnection::produce_with(std::unique_ptr<ResponseProducer> producer) { producer_ = std::move(producer); }

bool ClientConnection::send(std::string_view data) {
    if (phase_ == Phase::closed) return false;
    if (out_sent_ == out_.size()) {
        out_.clear();
        out_sent_ = 0;
        // Fast path: nothing queued, so write straight from the caller's buffer.
        while (!data.empty()) {
            ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
            if (n > 0) {
                data.remove_prefix(static_cast<size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            abort();
            return false;
        }
    }
    out_.append(data);
    return true;
}

void ClientConnection::flush() {
    while (out_sent_ < out_.size()) {
        ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        abort();
        return;
    }
    out_.clear();
    out_sent_ = 0;
    if (phase_ == Phase::closing) {
        close();
    } else if (producer_) {
        producer_->on_client_drained();
    }
}

void ClientConnection::finish_response(bool reusable) {
    if (phase_ != Phase::handling) return;
    worker_.loop().retire(std::move(producer_));
    end_request_accounting();
    if (!reusable || !request_.keep_alive || !worker_.accepting()) close_after_response_ = true;
    if (close_after_response_) {
        phase_ = Phase::closing;
        if (pending_bytes() == 0) close();  // otherwise flush() closes once the last byte is out
        return;
    }
    after_response();
}

void ClientConnection::after_response() {
    // Forget the finished request; keep bytes that already belong to the next one.
    size_t consumed = head_bytes_ + body_bytes_in_input_;
    in_.erase(0, std::min(consumed, in_.size()));
    head_bytes_ = 0;
    body_bytes_in_input_ = 0;
    chunked_body_.clear();
    chunked_consumed_ = 0;
    chunk_decoder_ = net::ChunkedDecoder();
    cors_headers_.clear();
    phase_ = Phase::reading;
    last_activity_ = worker_.loop().now();
    // Edge-triggered: input that arrived while we were busy spent its event, so look now. Bytes
    // already buffered (a pipelined request) are parsed first.
    if (unread_input_) read_available();
    else if (!in_.empty()) process_input();
}

void ClientConnection::abort() { close(); }

void ClientConnection::begin_request_accounting() {
    request_counted_ = true;
    worker_.begin_request();
}

void ClientConnection::end_request_accounting() {
    if (!request_counted_) return;
    request_counted_ = false;
    worker_.end_request();
}

void ClientConnection::close() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    if (producer_) {
        producer_->on_client_gone();
        worker_.loop().retire(std::move(producer_));
    }
    end_request_accounting();
    worker_.loop().remove(fd_.get());
    fd_.reset();
    worker_.forget(this);
}

void ClientConnection::sweep(net::Clock::time_point now) {
    if (phase_ == Phase::closed) return;
    if (producer_) {
        producer_->on_sweep(now);
        return;
    }
    if (phase_ == Phase::closing && now - last_activity_ > kRequestReadTimeout) {
        close();  // a client that stopped reading our last response
        return;
    }
    if (phase_ != Phase::reading) return;
    auto limit = in_.empty() ? std::chrono::duration_cast<net::Clock::duration>(kIdleKeepAlive)
                             : std::chrono::duration_cast<net::Clock::duration>(kRequestReadTimeout);
    if (now - last_activity_ > limit) close();
}

void ClientConnection::close_if_idle() {
    if (phase_ == Phase::reading && in_.empty()) close();
}

}  // namespace ggufd::gateway
