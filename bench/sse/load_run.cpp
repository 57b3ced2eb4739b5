#include "load_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ggufd/net/unique_fd.h"
#include "process_sampler.h"
#include "sse_response.h"

namespace ggufd::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSampleInterval = std::chrono::milliseconds(100);
constexpr size_t kReadSize = 64 * 1024;

int64_t ns_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

/// One stream in flight: its connection, what has been sent and what has arrived.
struct Stream {
    net::UniqueFd fd;
    bool reused = false;    // the connection carried an earlier stream
    size_t written = 0;
    Clock::time_point began;
    bool measured = false;  // began inside the window
    SseResponse response;
    StreamRecord record;
    std::vector<long> token_indices;
    bool last_was_done = false;  // the latest event was data: [DONE]
};

class LoadRun {
public:
    explicit LoadRun(const LoadOptions& options) : options_(options), streams_(options.concurrency) {
        address_.sin_family = AF_INET;
        address_.sin_port = htons(options.port);
        if (::inet_pton(AF_INET, options.host.c_str(), &address_.sin_addr) != 1) {
            throw std::runtime_error("'" + options.host + "' is not an IPv4 address");
        }
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!epoll_) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    }

    LoadResult run() {
        start_ = Clock::now();
        window_ = start_ + options_.warmup;
        end_ = window_ + options_.duration;
        for (size_t slot = 0; slot < streams_.size(); ++slot) begin_stream(slot, start_);

        ProcessSampler watched(options_.watch_pids);
        auto next_check = window_;
        bool window_sampled = false;  // the last sample, as the window closes
        const auto give_up = end_ + options_.stream_timeout;
        // Until the window closes, then while streams begun in it are still running.
        for (auto now = Clock::now(); now < give_up && (now < end_ || measured_in_flight()); now = Clock::now()) {
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::min(next_check, now < end_ ? end_ : give_up) - now);
            int n = ::epoll_wait(epoll_.get(), ready_.data(), static_cast<int>(ready_.size()),
                                 static_cast<int>(std::max<int64_t>(wait.count(), 0)));
            if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
            for (int i = 0; i < n; ++i) on_ready(ready_[i].data.u32, ready_[i].events);
            now = Clock::now();
            if (now >= next_check) {
                next_check += kSampleInterval;
                if (now >= end_ && !window_sampled) {
                    window_sampled = true;
                    sample(watched);
                } else if (now < end_) {
                    sample(watched);
                }
                expire_hung_streams();
                refill_empty_slots(now);
            }
        }
        for (size_t slot = 0; slot < streams_.size(); ++slot) {
            if (streams_[slot].fd && streams_[slot].measured) {
                ++result_.timed_out;
                fail(slot, "no complete response within the stream timeout");
            }
        }
        result_.window_s = std::chrono::duration<double>(options_.duration).count();
        result_.watched_rss_max_kib = watched.max_kib();
        result_.watched_rss_mean_kib = watched.mean_kib();
        result_.watched_cpu_s = watched.cpu_seconds_used();
        return std::move(result_);
    }

private:
    void begin_stream(size_t slot, Clock::time_point now) {
        Stream& stream = streams_[slot];
        stream = Stream{};
        stream.began = now;
        stream.measured = now >= window_;
        stream.fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!stream.fd) return fail(slot, std::string("socket: ") + std::strerror(errno));
        if (::connect(stream.fd.get(), reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0 &&
            errno != EINPROGRESS) {
            return fail(slot, std::string("connect: ") + std::strerror(errno));
        }
        watch(slot, EPOLL_CTL_ADD, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
    }

    /// The next stream of a slot on the connection its last stream used.
    void reuse_connection(size_t slot, Clock::time_point now) {
        Stream& stream = streams_[slot];
        net::UniqueFd fd = std::move(stream.fd);
        stream = Stream{};
        stream.fd = std::move(fd);
        stream.reused = true;
        stream.began = now;
        stream.measured = now >= window_;
        watch(slot, EPOLL_CTL_MOD, EPOLLOUT | EPOLLIN | EPOLLRDHUP);
    }

    void sample(ProcessSampler& watched) {
        if (watched.active() && !watched.sample()) result_.watched_process_gone = true;
    }

    void watch(size_t slot, int op, uint32_t events) {
        epoll_event interest{};
        interest.events = events;
        interest.data.u32 = static_cast<uint32_t>(slot);
        ::epoll_ctl(epoll_.get(), op, streams_[slot].fd.get(), &interest);
    }

    bool measured_in_flight() const {
        for (const auto& stream : streams_) {
            if (stream.fd && stream.measured) return true;
        }
        return false;
    }

    void on_ready(uint32_t slot, uint32_t events) {
        Stream& stream = streams_[slot];
        if (!stream.fd) return;  // finished earlier in this batch
        if (stream.written < options_.request.size() && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
            if (!send_request(slot)) return;
        }
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) receive(slot);
    }

    bool send_request(uint32_t slot) {
        Stream& stream = streams_[slot];
        const std::string& request = options_.request;
        ssize_t n = ::send(stream.fd.get(), request.data() + stream.written, request.size() - stream.written,
                           MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return true;
            fail(slot, std::string("sending the request: ") + std::strerror(errno));
            return false;
        }
        stream.written += static_cast<size_t>(n);
        if (stream.written == request.size()) watch(slot, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP);
        return true;
    }

    void receive(uint32_t slot) {
        Stream& stream = streams_[slot];
        for (;;) {
            ssize_t n = ::recv(stream.fd.get(), buffer_.data(), buffer_.size(), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            if (n < 0) return fail(slot, std::string("receiving: ") + std::strerror(errno));
            auto now = Clock::now();  // one timestamp for everything this read completed
            auto on_event = [&](std::string_view event) { on_stream_event(stream, event, now); };
            if (n == 0) {
                stream.response.on_close(on_event);  // always ends the response: done or failed
            } else if (stream.response.feed(std::string_view(buffer_.data(), static_cast<size_t>(n)), on_event)) {
                stream.record.first_byte_ns = ns_between(stream.began, now);
            }
            if (stream.response.state() == SseResponse::State::done) return complete(slot, now);
            if (stream.response.state() == SseResponse::State::failed) return fail(slot, stream.response.error());
        }
    }

    void on_stream_event(Stream& stream, std::string_view event, Clock::time_point now) {
        ++result_.events_total;
        if (now >= window_ && now < end_) ++result_.events_in_window;
        stream.record.event_ns.push_back(ns_between(stream.began, now));
        stream.last_was_done = is_done_event(event);
        if (options_.check.check_index) {
            if (auto index = token_index(event)) stream.token_indices.push_back(*index);
        }
    }

    void complete(uint32_t slot, Clock::time_point now) {
        Stream& stream = streams_[slot];
        if (stream.measured) {
            auto verdict = options_.check.verdict(stream.record.event_ns.size(), stream.last_was_done,
                                                  stream.token_indices);
            if (verdict.empty()) {
                result_.intact.push_back(std::move(stream.record));
            } else {
                ++result_.broken;
                ++result_.problems[verdict];
            }
        }
        if (options_.keep_alive && stream.response.reusable() && now < end_) return reuse_connection(slot, now);
        restart(slot, now);
    }

    void fail(size_t slot, const std::string& why) {
        Stream& stream = streams_[slot];
        auto now = Clock::now();
        // A server may close a kept-alive connection just as the next request goes out; a client
        // then retries on a new one. Anything else is the target's failure.
        if (stream.reused && !stream.response.started() && now < end_) {
            ++result_.reconnects;
            stream.fd.reset();
            return begin_stream(slot, stream.began);
        }
        if (stream.measured) {
            ++result_.failed;
            ++result_.problems[why];
        }
        // A stream that got no answer at all (refused, reset) leaves its slot empty until the
        // next periodic check: a target that is down is retried every 100 ms, not in a tight
        // (and, through begin_stream, recursive) loop.
        if (stream.response.started()) return restart(slot, now);
        stream.fd.reset();
    }

    void refill_empty_slots(Clock::time_point now) {
        if (now >= end_) return;
        for (size_t slot = 0; slot < streams_.size(); ++slot) {
            if (!streams_[slot].fd) begin_stream(slot, now);
        }
    }

    /// Closes the slot's connection and, while the window is open, begins its next stream.
    void restart(size_t slot, Clock::time_point now) {
        streams_[slot].fd.reset();  // closing also removes it from the epoll set
        if (now < end_) begin_stream(slot, now);
    }

    void expire_hung_streams() {
        auto now = Clock::now();
        for (size_t slot = 0; slot < streams_.size(); ++slot) {
            if (streams_[slot].fd && now - streams_[slot].began > options_.stream_timeout) {
                if (streams_[slot].measured) ++result_.timed_out;
                fail(slot, "no complete response within the stream timeout");
            }
        }
    }

    const LoadOptions& options_;
    sockaddr_in address_{};
    net::UniqueFd epoll_;
    std::vector<Stream> streams_;
    std::array<char, kReadSize> buffer_{};
    std::array<epoll_event, 256> ready_{};
    Clock::time_point start_, window_, end_;
    LoadResult result_;
};

}  // namespace

LoadResult run_load(const LoadOptions& options) {
    return LoadRun(options).run();
}

}  // namespace ggufd::bench
