#include "client_connection.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>

#include "dispatcher.h"
#include "ggufd/util/units.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// An answer buffer that once held a large response is released when it empties.
constexpr size_t kRetainedOutput = 256 * 1024;

std::string timeout_message(std::string_view what, std::string_view key, config::Duration limit) {
    return std::string(what) + " did not arrive within " + units::format_duration(limit) + " (" + std::string(key) + ")";
}

}  // namespace

ClientConnection::ClientConnection(Worker& worker, net::UniqueFd fd, uint64_t id, bool admin_listener)
    : worker_(worker),
      fd_(std::move(fd)),
      id_(id),
      admin_listener_(admin_listener),
      reader_(worker.context().request_limits) {
    // nginx's client_header_timeout runs from the accept: a connection that never sends a
    // request is held no longer than one that sends it slowly.
    wait_for(Wait::head, worker_.loop().now());
    // Registered once, edge-triggered: no epoll_ctl on the request path.
    worker_.loop().add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
}

ClientConnection::~ClientConnection() {
    if (fd_) worker_.loop().remove(fd_.get());
}

void ClientConnection::on_io(uint32_t events) {
    if (phase_ == Phase::closed) return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        close();
        return;
    }
    if (events & EPOLLIN) readable_ = true;
    if (events & EPOLLRDHUP) {
        peer_closed_ = true;
        if (phase_ == Phase::handling) {
            // The client hung up while we were answering: stop the work done on its behalf (a
            // streaming child stops generating once its connection is closed).
            close();
            return;
        }
    }
    if (events & EPOLLOUT) {
        flush();
        if (phase_ == Phase::closed) return;
    }
    drive();
}

void ClientConnection::resume() {
    if (producer_) producer_->on_resume();
    drive();
}

void ClientConnection::drive() {
    if (driving_) return;  // the loop on the stack picks up whatever changed
    driving_ = true;
    if (phase_ == Phase::reading) read_requests();
    if (phase_ == Phase::lingering) discard_input();  // also when reading just ended in a refusal
    driving_ = false;
}

void ClientConnection::read_requests() {
    int started = 0;
    int reads = 0;
    while (phase_ == Phase::reading) {
        if (!in_request_ && reader_.buffered() > 0) {
            // A client that does not read its answers gets no more of them (flush() resumes).
            if (pending_bytes() > kHighWater) return;
            if (started == kMaxRequestsPerWake) return worker_.resume_later(id_);
        }
        switch (reader_.next()) {
            case net::RequestReader::Event::head:
                ++started;
                on_head();
                continue;
            case net::RequestReader::Event::request:
                start_request();
                continue;
            case net::RequestReader::Event::error:
                reject(reader_.error_status(), reader_.error(), reader_.error_code());
                continue;
            case net::RequestReader::Event::need_input:
                break;
        }
        if (waiting_ == Wait::next_request && !reader_.idle()) wait_for(Wait::head, worker_.loop().now());
        if (continue_due_ && reader_.body_pending()) {
            continue_due_ = false;
            if (!send(kContinue)) return;
        }
        if (!readable_) {
            // Whatever is buffered can never complete once the client has closed its side.
            if (peer_closed_) close();
            return;
        }
        if (reads++ == kMaxReadsPerWake) return worker_.resume_later(id_);
        if (!receive()) return;
    }
}

// One read of at most a scratch buffer. False when the connection was closed.
bool ClientConnection::receive() {
    auto& scratch = worker_.scratch();
    ssize_t n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
    if (n > 0) {
        reader_.append(std::string_view(scratch.data(), static_cast<size_t>(n)));
        // A short read drained the socket: whatever arrives next raises a new edge.
        if (static_cast<size_t>(n) < scratch.size()) readable_ = false;
        return true;
    }
    if (n == 0) {
        peer_closed_ = true;
        readable_ = false;
        return true;
    }
    if (errno == EINTR) return true;
    if (errno == EAGAIN) {
        readable_ = false;
        return true;
    }
    close();
    return false;
}

void ClientConnection::on_head() {
    in_request_ = true;
    wait_for(Wait::body, worker_.loop().now());
    // Refused now, a request's body is never read: no key, no 100 Continue, no memory.
    if (std::optional<Response> refusal = screen(*this)) return refuse(*refusal);
    continue_due_ = request().expect_continue;
}

void ClientConnection::start_request() {
    continue_due_ = false;
    request_started_at_ = worker_.loop().now();
    begin_answer(false, request().method == "HEAD");
    dispatch(*this);
}

void ClientConnection::begin_answer(bool close_after, bool head_only) {
    phase_ = Phase::handling;
    response_started_ = false;
    close_after_response_ = close_after;
    head_only_ = head_only;
    begin_request_accounting();
}

void ClientConnection::refuse(const Response& response) {
    request_started_at_ = worker_.loop().now();
    begin_answer(true, request().method == "HEAD");
    respond(response);
}

void ClientConnection::reject(int status, std::string_view message, std::string_view code) {
    // The stream can no longer be trusted to be framed correctly: answer and close. Nothing of
    // the unparsed request is trusted, its method included: the answer always has its body.
    begin_answer(true, false);
    respond(Response::error(status, message, code));
}

void ClientConnection::wait_for(Wait what, net::Clock::time_point since) {
    const auto& config = worker_.context().config;
    waiting_ = what;
    waiting_since_ = since;
    switch (what) {
        case Wait::next_request: deadline_ = since + config.keepalive_timeout; break;
        case Wait::head: deadline_ = since + config.header_timeout; break;
        case Wait::body: deadline_ = since + config.body_timeout; break;
    }
}

void ClientConnection::respond(const Response& response) {
    if (phase_ != Phase::handling) return;
    bool keep_alive = request().keep_alive && !close_after_response_ && worker_.accepting();
    std::string& out = worker_.frame_buffer();
    out.clear();
    if (cors_headers_.empty()) {
        append_response(out, response, keep_alive, head_only_);
    } else {
        Response with_cors = response;
        with_cors.headers.insert(with_cors.headers.end(), cors_headers_.begin(), cors_headers_.end());
        append_response(out, with_cors, keep_alive, head_only_);
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
        if (data.empty()) return true;
        send_progress_at_ = worker_.loop().now();  // the send timeout starts now
    }
    out_.append(data);
    return true;
}

void ClientConnection::flush() {
    while (out_sent_ < out_.size()) {
        ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            send_progress_at_ = worker_.loop().now();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        abort();
        return;
    }
    out_sent_ = 0;
    if (out_.capacity() > kRetainedOutput) std::string().swap(out_);
    else out_.clear();
    if (phase_ == Phase::closing) end_connection();
    else if (producer_) producer_->on_client_drained();
}

void ClientConnection::finish_response(bool reusable) {
    if (phase_ != Phase::handling) return;
    worker_.loop().retire(std::move(producer_));
    end_request_accounting();
    if (!reusable || !request().keep_alive || !worker_.accepting()) close_after_response_ = true;
    if (close_after_response_) {
        phase_ = Phase::closing;
        if (pending_bytes() == 0) end_connection();  // otherwise flush() does, once the last byte is out
        return;
    }
    // Forget the finished request; bytes that already belong to the next one stay.
    reader_.finish_request();
    in_request_ = false;
    cors_headers_.clear();
    phase_ = Phase::reading;
    wait_for(reader_.idle() ? Wait::next_request : Wait::head, worker_.loop().now());
    drive();  // a no-op when the loop is already on the stack: it continues by itself
}

// The last answer is out. Input the client may still be sending (a body we refused, requests
// after a Connection: close) is read and discarded for a while before closing: closing with
// unread input would reset the connection and could destroy the answer before it is read.
void ClientConnection::end_connection() {
    if (peer_closed_ || (!readable_ && !reader_.input_pending())) {
        close();
        return;
    }
    ::shutdown(fd_.get(), SHUT_WR);
    phase_ = Phase::lingering;
    deadline_ = worker_.loop().now() + kLingerTime;
    drive();
}

void ClientConnection::discard_input() {
    if (peer_closed_ && !readable_) {
        close();  // the client has read the answer and gone
        return;
    }
    auto& scratch = worker_.scratch();
    for (int reads = 0; readable_; ++reads) {
        if (reads == kMaxReadsPerWake) return worker_.resume_later(id_);
        ssize_t n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            readable_ = false;
            return;
        }
        close();  // the client's end of file (or an error): done
        return;
    }
}

void ClientConnection::abort() { close(); }

void ClientConnection::begin_request_accounting() {
    if (request_counted_) return;
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
    const auto& config = worker_.context().config;
    if (pending_bytes() > 0 && now - send_progress_at_ >= config.send_timeout) {
        // A client that takes no bytes (a stream included): closing also closes the child's
        // connection, which makes llama-server stop generating.
        abort();
        return;
    }
    if (producer_) {
        producer_->on_sweep(now);
        return;
    }
    if ((phase_ != Phase::reading && phase_ != Phase::lingering) || now < deadline_) return;
    if (phase_ == Phase::lingering || reader_.idle()) {
        close();  // nothing to answer: an idle keep-alive connection, or one that never sent a byte
    } else if (waiting_ == Wait::body) {
        reject(408, timeout_message("the request body", "body_timeout", config.body_timeout), "request_timeout");
    } else {
        reject(408, timeout_message("the request head", "header_timeout", config.header_timeout), "request_timeout");
    }
}

void ClientConnection::close_if_idle() {
    if (phase_ == Phase::reading && reader_.idle()) close();
}

std::optional<ClientConnection::WaitingFor> ClientConnection::waiting_for() const {
    if (phase_ != Phase::reading) return std::nullopt;
    int rank = reader_.idle() ? 0 : waiting_ == Wait::head ? 1 : 2;
    return WaitingFor{rank, waiting_since_};
}

bool ClientConnection::has_unread_input() const {
    int unread = 0;
    return ::ioctl(fd_.get(), FIONREAD, &unread) == 0 && unread > 0;
}

}  // namespace ggufd::gateway
