#include "attack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "ggufd/net/http_message.h"

namespace ggufd::test {
namespace {

long millis_left(std::chrono::steady_clock::time_point end) {
    return std::max<long>(0, std::chrono::duration_cast<Millis>(end - std::chrono::steady_clock::now()).count());
}

}  // namespace

RawConnection::RawConnection(uint16_t port, int receive_buffer) {
    net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return;
    if (receive_buffer > 0) ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) fd_ = std::move(fd);
}

bool RawConnection::send_all(std::string_view bytes, Millis timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (!bytes.empty() && fd_) {
        pollfd p{fd_.get(), POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(millis_left(end))) <= 0) return false;
        ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    }
    return bytes.empty();
}

long RawConnection::send_some(std::string_view bytes) {
    if (!fd_) return -1;
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return n;
    return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

bool RawConnection::read_some(std::string& into, Millis timeout) {
    if (!fd_) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[65536];
    ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    into.append(buffer, static_cast<size_t>(n));
    return true;
}

bool RawConnection::read_until_closed(std::string& into, Millis timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (fd_) {
        long left = millis_left(end);
        if (left == 0) return false;
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
        char buffer[65536];
        ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
        if (n <= 0) return n == 0 || errno == ECONNRESET;
        into.append(buffer, static_cast<size_t>(n));
    }
    return false;
}

bool RawResponse::has_header(std::string_view name, std::string_view value) const {
    net::ResponseHead parsed;
    net::parse_response_head(head, head.size() + 1, "GET", parsed);
    const std::string* found = parsed.find(name);
    return found && net::iequals(*found, value);
}

std::vector<RawResponse> take_responses(const std::string& buffer, size_t& offset, std::string_view method,
                                        size_t at_most) {
    std::vector<RawResponse> out;
    while (offset < buffer.size() && out.size() < at_most) {
        std::string_view rest = std::string_view(buffer).substr(offset);
        net::ResponseHead head;
        auto parsed = net::parse_response_head(rest, 1 << 20, method, head);
        if (parsed.status != net::ParseStatus::complete) break;
        uint64_t body = head.framing == net::BodyFraming::content_length ? head.content_length : 0;
        if (rest.size() < parsed.head_bytes + body) break;
        out.push_back({head.status, std::string(rest.substr(0, parsed.head_bytes)),
                       std::string(rest.substr(parsed.head_bytes, body))});
        offset += parsed.head_bytes + body;
    }
    return out;
}

std::vector<RawResponse> read_responses(RawConnection& connection, size_t count, Millis timeout,
                                        std::string_view method) {
    auto end = std::chrono::steady_clock::now() + timeout;
    std::string buffer;
    size_t offset = 0;
    std::vector<RawResponse> out;
    while (out.size() < count) {
        for (auto& response : take_responses(buffer, offset, method)) out.push_back(std::move(response));
        if (out.size() >= count) break;
        long left = millis_left(end);
        if (left == 0 || !connection.read_some(buffer, Millis(left))) break;
    }
    return out;
}

Prober::Prober(uint16_t port, std::string path, Millis interval)
    : port_(port), path_(std::move(path)), interval_(interval), thread_([this] { run(); }) {}

Prober::~Prober() { stop(); }

void Prober::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

std::vector<std::string> Prober::failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
}

void Prober::run() {
    const std::string request = "GET " + path_ + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    while (!stopping_) {
        auto start = std::chrono::steady_clock::now();
        std::string problem;
        RawConnection connection(port_);
        if (!connection.connected()) {
            problem = "could not connect";
        } else if (!connection.send_all(request, 5s)) {
            problem = "could not send";
        } else if (read_responses(connection, 1, 5s).size() != 1) {
            problem = "no answer within 5 s";
        }
        auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
        if (problem.empty()) {
            ++answered_;
            slowest_ms_ = std::max<long>(slowest_ms_.load(), took.count());
            if (took > kAnswerBound) problem = "answered after " + std::to_string(took.count()) + " ms";
        }
        if (!problem.empty()) {
            std::lock_guard lock(mutex_);
            failures_.push_back("GET " + path_ + ": " + problem);
        }
        std::this_thread::sleep_until(start + interval_);
    }
}

Usage usage_of(pid_t pid) {
    Usage usage;
    const std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream status(proc + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) usage.rss_bytes = std::stoull(line.substr(6)) * 1024;
    }
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(proc + "/fd", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        ++usage.open_fds;
    }
    std::ifstream stat(proc + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
        std::istringstream fields(line.substr(line.rfind(')') + 2));
        std::string field;
        unsigned long long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i == 14) utime = std::stoull(field);
            if (i == 15) stime = std::stoull(field);
        }
        usage.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    return usage;
}

PeakRss::PeakRss(pid_t pid) : pid_(pid) {
    thread_ = std::thread([this] {
        while (!stopping_) {
            peak_ = std::max(peak_.load(), usage_of(pid_).rss_bytes);
            std::this_thread::sleep_for(20ms);
        }
    });
}

PeakRss::~PeakRss() {
    stopping_ = true;
    thread_.join();
}

LogGrowth::LogGrowth(std::filesystem::path file)
    : file_(std::move(file)), start_size_(std::filesystem::file_size(file_)), start_(std::chrono::steady_clock::now()) {}

uint64_t LogGrowth::bytes() const { return std::filesystem::file_size(file_) - start_size_; }

double LogGrowth::bytes_per_minute() const {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return static_cast<double>(bytes()) * 60.0 / std::max(1.0, seconds);
}

std::string fake_service(const TempDir& dir, const std::string& name, const std::string& fake_args) {
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\nargs = [" +
           fake_args + "]\n";
}

std::string post(std::string_view target, std::string_view body, std::string_view extra_headers) {
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
}

void report(const std::string& what, uint64_t peak_rss, const Prober& prober, uint64_t log_bytes) {
    std::printf("[ measured ] %s: peak RSS %.1f MB (bound %.0f), normal client: %d answers, slowest %ld ms, log +%llu bytes\n",
                what.c_str(), static_cast<double>(peak_rss) / 1e6, static_cast<double>(kRssBound) / 1e6,
                prober.answered(), static_cast<long>(prober.slowest().count()),
                static_cast<unsigned long long>(log_bytes));
}

std::string repeat(std::string_view request, size_t count) {
    std::string out;
    out.reserve(request.size() * count);
    for (size_t i = 0; i < count; ++i) out.append(request);
    return out;
}

uint64_t raise_own_fd_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

}  // namespace ggufd::test
