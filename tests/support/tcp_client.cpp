#include "tcp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace ggufd::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Reads into `into` until the peer closes (true) or the deadline passes (false).
bool read_until_closed(int fd, std::string* into, Clock::time_point deadline) {
    char buffer[4096];
    while (true) {
        pollfd waiting{fd, POLLIN, 0};
        int ready = ::poll(&waiting, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;
        if (into) into->append(buffer, static_cast<size_t>(n));
    }
}

}  // namespace

net::UniqueFd tcp_connect(const std::string& host, uint16_t port) {
    net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return {};
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return {};
    return fd;
}

TcpReply tcp_exchange(const std::string& host, uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout) {
    TcpReply reply;
    net::UniqueFd fd = tcp_connect(host, port);
    if (!fd) return reply;
    reply.connected = true;
    if (!bytes.empty() && ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) return reply;
    reply.closed_by_peer = read_until_closed(fd.get(), &reply.received, Clock::now() + timeout);
    return reply;
}

bool wait_peer_closed(int fd, std::chrono::milliseconds timeout) {
    return read_until_closed(fd, nullptr, Clock::now() + timeout);
}

}  // namespace ggufd::test
