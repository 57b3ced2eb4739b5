// Tools for attacking the real ggufd binary and measuring what the attack costs it: raw
// connections that send exactly what a hostile or clumsy client would, a normal client that
// keeps asking meanwhile, and the daemon's memory, descriptors, CPU time and log growth.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ggufd/net/unique_fd.h"
#include "temp_dir.h"

namespace ggufd::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

/// The acceptance bounds of issue #11. Under AddressSanitizer every allocation carries redzones
/// and freed memory sits in a quarantine (256 MB by default), and everything runs ~3x slower, so
/// the RSS bound is scaled by 8 and the answer bound by 3 there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
inline constexpr uint64_t kRssBound = (kSanitized ? 8 : 1) * (64ull << 20);
inline constexpr Millis kAnswerBound = kSanitized ? 3000ms : 1000ms;
/// Log growth allowed: 1 MB a minute.
inline constexpr double kLogBytesPerMinute = 1e6;

/// A blocking TCP connection to 127.0.0.1:port, for sending raw bytes.
class RawConnection {
public:
    /// Connects; `receive_buffer` > 0 shrinks SO_RCVBUF first (a client that reads little).
    explicit RawConnection(uint16_t port, int receive_buffer = 0);
    bool connected() const { return static_cast<bool>(fd_); }
    int fd() const { return fd_.get(); }

    /// Sends all of `bytes`; false when the peer closed or `timeout` passed first.
    bool send_all(std::string_view bytes, Millis timeout = 30s);
    /// Sends what the socket takes right now; the number of bytes sent (0 when full), -1 on error.
    long send_some(std::string_view bytes);
    /// Appends what arrives within `timeout` to `into`; false on timeout, close or error.
    bool read_some(std::string& into, Millis timeout);
    /// Reads (and keeps in `into`) until the server closes; false if it has not within `timeout`.
    bool read_until_closed(std::string& into, Millis timeout);
    void close() { fd_.reset(); }

private:
    net::UniqueFd fd_;
};

/// One response as the front door frames its own (Content-Length).
struct RawResponse {
    int status = 0;
    std::string head;
    std::string body;
    bool has_header(std::string_view name, std::string_view value) const;
};

/// Takes complete responses off the front of `buffer` (from `offset` on, which it advances).
/// `method` is that of the requests answered (a HEAD answer has no body).
std::vector<RawResponse> take_responses(const std::string& buffer, size_t& offset, std::string_view method = "GET",
                                        size_t at_most = SIZE_MAX);

/// Reads `count` responses from `connection` (or fewer, if it closes or `timeout` passes).
std::vector<RawResponse> read_responses(RawConnection& connection, size_t count, Millis timeout = 30s,
                                        std::string_view method = "GET");

/// A normal client: every `interval` it opens a connection, sends GET `path` and waits for the
/// answer, on its own thread, until stopped. It records the slowest answer and every failure.
class Prober {
public:
    explicit Prober(uint16_t port, std::string path = "/health", Millis interval = 100ms);
    ~Prober();
    void stop();
    Millis slowest() const { return Millis(slowest_ms_.load()); }
    int answered() const { return answered_.load(); }
    /// Descriptions of the probes that failed or took longer than kAnswerBound.
    std::vector<std::string> failures() const;

private:
    void run();

    const uint16_t port_;
    const std::string path_;
    const Millis interval_;
    std::atomic<bool> stopping_{false};
    std::atomic<long> slowest_ms_{0};
    std::atomic<int> answered_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> failures_;
    std::thread thread_;
};

/// What a process costs right now.
struct Usage {
    uint64_t rss_bytes = 0;
    int open_fds = 0;
    double cpu_seconds = 0;
};
Usage usage_of(pid_t pid);

/// Samples a process's RSS every 20 ms on its own thread and keeps the peak.
class PeakRss {
public:
    explicit PeakRss(pid_t pid);
    ~PeakRss();
    uint64_t peak() const { return peak_.load(); }

private:
    const pid_t pid_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> peak_{0};
    std::thread thread_;
};

/// Watches a log file's growth from construction on.
class LogGrowth {
public:
    explicit LogGrowth(std::filesystem::path file);
    uint64_t bytes() const;
    /// The growth rate so far, extrapolated to a minute (at least one second is assumed).
    double bytes_per_minute() const;

private:
    std::filesystem::path file_;
    uint64_t start_size_;
    std::chrono::steady_clock::time_point start_;
};

/// A [services.NAME] table for an eager fake llama-server with `fake_args` (a TOML array body,
/// e.g. "\"--fake-tokens\", \"2\"").
std::string fake_service(const TempDir& dir, const std::string& name, const std::string& fake_args = "");

/// A request with a Content-Length body (Host and the length filled in).
std::string post(std::string_view target, std::string_view body, std::string_view extra_headers = "");

/// Prints what an attack cost, for the log of a run: "[ measured ] <what>: peak RSS ..., slowest
/// answer to the normal client ..., log growth ...".
void report(const std::string& what, uint64_t peak_rss, const Prober& prober, uint64_t log_bytes);

/// `count` copies of `request`, concatenated (a pipeline).
std::string repeat(std::string_view request, size_t count);

/// Raises this process's soft descriptor limit to the hard one; returns the limit now.
uint64_t raise_own_fd_limit();

}  // namespace ggufd::test
