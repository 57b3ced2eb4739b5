// RawConnection: blocking connect, then poll(2) with a timeout for every read.
#include "raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ggufd::fake::test {

RawConnection::RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        text.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool RawConnection::readable_within(std::chrono::milliseconds timeout) {
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(timeout.count())) > 0;
}

namespace {

int count_of(std::string_view haystack, std::string_view needle) {
    int count = 0;
    for (size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++count;
    return count;
}

}  // namespace

std::optional<std::string> RawConnection::read_until(std::string_view text, std::chrono::milliseconds timeout,
                                                     int times) {
    while (count_of(received_, text) < times) {
        if (!readable_within(timeout)) return std::nullopt;
        char buffer[4096];
        ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return std::nullopt;
        received_.append(buffer, static_cast<size_t>(n));
    }
    return received_;
}

}  // namespace ggufd::fake::test
