#include "upstream_pool.h"

#include <algorithm>

#include "ggufd/net/socket.h"

namespace ggufd::gateway {

UpstreamConnection::UpstreamConnection(UpstreamPool& pool, net::UniqueFd fd, uint16_t port)
    : pool_(pool), fd_(std::move(fd)), port_(port) {
    pool_.loop().add(fd_.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
}

UpstreamConnection::~UpstreamConnection() {
    if (fd_) pool_.loop().remove(fd_.get());
}

void UpstreamConnection::on_io(uint32_t events) {
    if (owner_) {
        owner_->on_upstream_io(events);
    } else if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        // An idle connection has nothing to say: this is the child closing it (or garbage).
        pool_.on_idle_event(this);
    }
}

UpstreamPool::~UpstreamPool() = default;

UpstreamPool::Lease UpstreamPool::acquire(uint16_t port, bool allow_reuse) {
    Lease lease;
    if (allow_reuse) {
        auto it = idle_.find(port);
        if (it != idle_.end() && !it->second.empty()) {
            // Most recently used first: the one least likely to have been closed by the child.
            lease.connection = std::move(it->second.back());
            it->second.pop_back();
            lease.reused = true;
            return lease;
        }
    }
    auto attempt = net::connect_loopback(port);
    if (attempt.error != 0) {
        lease.error = attempt.error;
        return lease;
    }
    lease.connection = std::make_unique<UpstreamConnection>(*this, std::move(attempt.fd), port);
    return lease;
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> connection) {
    auto& idle = idle_[connection->port()];
    if (idle.size() >= kMaxIdlePerPort) {
        discard(std::move(connection));
        return;
    }
    connection->set_owner(nullptr);
    connection->idle_since_ = loop_.now();
    idle.push_back(std::move(connection));
}

void UpstreamPool::discard(std::unique_ptr<UpstreamConnection> connection) {
    if (!connection) return;
    connection->set_owner(nullptr);
    loop_.remove(connection->fd());
    connection->fd_.reset();
    loop_.retire(std::move(connection));
}

void UpstreamPool::sweep(net::Clock::time_point now) {
    for (auto& [port, idle] : idle_) {
        auto expired = std::partition(idle.begin(), idle.end(),
                                      [now](const auto& c) { return now - c->idle_since_ < kIdleTimeout; });
        for (auto it = expired; it != idle.end(); ++it) discard(std::move(*it));
        idle.erase(expired, idle.end());
    }
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(UpstreamConnection* connection) {
    auto& idle = idle_[connection->port()];
    for (auto it = idle.begin(); it != idle.end(); ++it) {
        if (it->get() == connection) {
            auto owned = std::move(*it);
            idle.erase(it);
            return owned;
        }
    }
    return nullptr;
}

void UpstreamPool::on_idle_event(UpstreamConnection* connection) { discard(take_idle(connection)); }

}  // namespace ggufd::gateway
