// Test harness: a bare TCP connection for what an HTTP client library hides: many open
// keep-alive connections at once, a server that accepts but never answers, an abrupt close.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ggufd::fake::test {

/// One client socket to 127.0.0.1:port, closed on destruction.
class RawConnection {
public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return fd_ >= 0; }
    bool send(std::string_view text);

    /// Reads until `text` has been received `times` times in all (returning everything read so
    /// far), the peer closes, or `timeout` passes with nothing new (both: nullopt).
    std::optional<std::string> read_until(std::string_view text, std::chrono::milliseconds timeout, int times = 1);

    /// Everything read so far, e.g. what arrived before the peer vanished.
    const std::string& received() const { return received_; }

    /// Whether anything at all arrives (or the peer closes) within `timeout`.
    bool readable_within(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::string received_;
};

}  // namespace ggufd::fake::test
