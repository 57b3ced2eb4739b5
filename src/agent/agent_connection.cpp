#include "agent_connection.h"

#include <sys/socket.h>

#include <cerrno>

#include "agent_loop.h"
#include "agent_protocol.h"

namespace ggufd::agent {
namespace {

// HAProxy sends its agent-send string as soon as it connects; a peer still silent after this
// long is not a balancer, and holds one of the few connection places meanwhile.
constexpr auto kQueryDeadline = std::chrono::seconds(2);

}  // namespace

AgentConnection::AgentConnection(AgentLoop& owner, net::UniqueFd fd, uint64_t id)
    : owner_(owner), fd_(std::move(fd)), id_(id) {
    owner_.loop().add(fd_.get(), EPOLLIN | EPOLLRDHUP, this);
    // A token, not `this`: the connection may be gone when the timer fires.
    deadline_ = owner_.loop().add_timer(kQueryDeadline, [owner = &owner_, id] { owner->expire(id); });
}

AgentConnection::~AgentConnection() {
    owner_.loop().cancel_timer(deadline_);
    owner_.loop().remove(fd_.get());
}

void AgentConnection::on_io(uint32_t) {
    if (done_) return;
    char chunk[kMaxQueryBytes + 1];
    while (true) {
        ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {
            // The peer closed (or reset): answer a line it ended by closing its side (`nc -N`).
            if (n == 0 && !buffer_.empty()) return reply_and_close(buffer_);
            done_ = true;
            return owner_.close(id_);
        }
        buffer_.append(chunk, static_cast<size_t>(n));
        size_t end = buffer_.find_first_of("\r\n");
        if (end != std::string::npos) return reply_and_close(std::string_view(buffer_).substr(0, end));
        if (buffer_.size() > kMaxQueryBytes) {
            done_ = true;
            return owner_.close(id_);
        }
    }
}

void AgentConnection::on_deadline() {
    deadline_ = 0;
    if (done_) return;
    if (!buffer_.empty()) return reply_and_close(buffer_);  // agent-send without its "\n"
    done_ = true;
    owner_.close(id_);
}

void AgentConnection::reply_and_close(std::string_view line) {
    done_ = true;
    std::string reply = owner_.answer(line);
    // One short line into an empty socket buffer: it fits, or the peer is gone.
    [[maybe_unused]] ssize_t sent = ::send(fd_.get(), reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    owner_.close(id_);
}

}  // namespace ggufd::agent
