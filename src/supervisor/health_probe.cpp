#include "health_probe.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ggufd/net/http_message.h"
#include "ggufd/net/socket.h"
#include "ggufd/util/units.h"

namespace ggufd::supervisor {

namespace {

// Errors that are the daemon's own shortage, not the child's fault.
bool local_shortage(int error) {
    return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM || error == EADDRNOTAVAIL;
}

}  // namespace

HealthProbe::HealthProbe(net::EventLoop& loop, uint16_t port, const ProbeRequest& request,
                         std::chrono::milliseconds timeout, Callback callback)
    : loop_(loop), callback_(std::move(callback)) {
    request_ = request.method + " " + request.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
               "\r\nUser-Agent: ggufd-health\r\nConnection: close\r\n";
    if (!request.body.empty()) {
        request_ += "Content-Type: application/json\r\nContent-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    request_ += "\r\n" + request.body;
    auto attempt = net::connect_loopback(port);
    if (attempt.error != 0) {
        // Report asynchronously, like every other outcome, so callers never see re-entrancy.
        auto outcome = local_shortage(attempt.error) ? HealthResult::Outcome::local_error
                                                     : HealthResult::Outcome::unreachable;
        HealthResult result{outcome, 0, std::strerror(attempt.error)};
        timer_ = loop_.add_timer(std::chrono::milliseconds(0), [this, result] { finish(result); });
        return;
    }
    fd_ = std::move(attempt.fd);
    loop_.add(fd_.get(), EPOLLOUT, this);
    registered_ = true;
    timer_ = loop_.add_timer(timeout, [this, timeout] {
        timer_ = 0;
        finish({HealthResult::Outcome::timeout, 0, "no answer within " + units::format_duration(timeout)});
    });
}

HealthProbe::~HealthProbe() {
    if (timer_) loop_.cancel_timer(timer_);
    if (registered_) loop_.remove(fd_.get());
}

void HealthProbe::on_io(uint32_t events) {
    if (finished_) return;
    if (!connected_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        on_writable();
    } else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        on_readable();
    } else if (events & EPOLLOUT) {
        on_writable();
    }
}

void HealthProbe::on_writable() {
    if (!connected_) {
        if (int err = net::connect_result(fd_.get()); err != 0) {
            finish({HealthResult::Outcome::unreachable, 0, std::strerror(err)});
            return;
        }
        connected_ = true;
    }
    while (sent_ < request_.size()) {
        ssize_t n = ::send(fd_.get(), request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) return;
            finish({HealthResult::Outcome::unreachable, 0, std::strerror(errno)});
            return;
        }
        sent_ += static_cast<size_t>(n);
    }
    loop_.modify(fd_.get(), EPOLLIN, this);
}

void HealthProbe::on_readable() {
    char buffer[4096];
    while (true) {
        ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
        if (n > 0) {
            response_.append(buffer, static_cast<size_t>(n));
            if (response_.size() > 65536) break;
            continue;
        }
        if (n < 0 && errno == EAGAIN) break;
        if (n < 0 && errno == EINTR) continue;
        break;  // EOF or error: judge what arrived
    }
    net::ResponseHead head;
    auto parsed = net::parse_response_head(response_, 65536, "GET", head);
    if (parsed.status == net::ParseStatus::incomplete) {
        // Only the status line matters; keep waiting unless the peer is gone.
        char probe;
        ssize_t peek = ::recv(fd_.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        if (peek == 0 || (peek < 0 && errno != EAGAIN)) {
            finish({HealthResult::Outcome::unreachable, 0, "connection closed before a response"});
        }
        return;
    }
    if (parsed.status == net::ParseStatus::error) {
        finish({HealthResult::Outcome::unhealthy, 0, "malformed response: " + parsed.error});
        return;
    }
    HealthResult result;
    result.status = head.status;
    result.detail = "HTTP " + std::to_string(head.status);
    if (head.status == 200) result.outcome = HealthResult::Outcome::healthy;
    else if (head.status == 503) result.outcome = HealthResult::Outcome::loading;
    else result.outcome = HealthResult::Outcome::unhealthy;
    finish(result);
}

void HealthProbe::finish(HealthResult result) {
    if (finished_) return;
    finished_ = true;
    if (timer_) {
        loop_.cancel_timer(timer_);
        timer_ = 0;
    }
    if (registered_) {
        loop_.remove(fd_.get());
        registered_ = false;
    }
    fd_.reset();
    // The callback may destroy this probe (through retire), so it is the last thing we touch.
    auto callback = std::move(callback_);
    callback(result);
}

}  // namespace ggufd::supervisor
