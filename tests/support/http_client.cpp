#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <httplib.h>

#include <stdexcept>

namespace ggufd::test {
namespace {

HttpResponse convert(const httplib::Result& result) {
    HttpResponse response;
    if (!result) {
        response.error = httplib::to_string(result.error());
        return response;
    }
    response.status = result->status;
    response.body = result->body;
    for (const auto& [name, value] : result->headers) response.headers.emplace(name, value);
    return response;
}

httplib::Client client_for(uint16_t port, const std::string& host = "127.0.0.1") {
    httplib::Client client(host, port);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(120, 0);
    return client;
}

httplib::Headers to_headers(const std::map<std::string, std::string>& headers) {
    httplib::Headers out;
    for (const auto& [name, value] : headers) out.emplace(name, value);
    return out;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (net::iequals(key, name)) return value;
    }
    return "";
}

size_t HttpResponse::header_count(const std::string& name) const {
    size_t count = 0;
    for (const auto& [key, value] : headers) count += net::iequals(key, name);
    return count;
}

HttpResponse http_options(uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers) {
    auto client = client_for(port);
    return convert(client.Options(path.c_str(), to_headers(headers)));
}

HttpResponse http_get(uint16_t port, const std::string& path, const std::map<std::string, std::string>& headers) {
    auto client = client_for(port);
    return convert(client.Get(path.c_str(), to_headers(headers)));
}

HttpResponse http_post(uint16_t port, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
    auto client = client_for(port);
    return convert(client.Post(path.c_str(), to_headers(headers), body, "application/json"));
}

HttpResponse http_get(const std::string& host, uint16_t port, const std::string& path,
                      const std::map<std::string, std::string>& headers) {
    auto client = client_for(port, host);
    return convert(client.Get(path.c_str(), to_headers(headers)));
}

HttpResponse http_post(const std::string& host, uint16_t port, const std::string& path, const std::string& body) {
    auto client = client_for(port, host);
    return convert(client.Post(path.c_str(), body, "application/json"));
}

std::vector<HttpResponse> raw_exchange(uint16_t port, const std::string& bytes, int responses) {
    std::vector<HttpResponse> out;
    StreamReader reader(port, bytes);
    std::string buffer;
    while (static_cast<int>(out.size()) < responses) {
        net::ResponseHead head;
        auto parsed = net::parse_response_head(buffer, 1 << 20, "POST", head);
        if (parsed.status == net::ParseStatus::complete && buffer.size() >= parsed.head_bytes + head.content_length) {
            HttpResponse response;
            response.status = head.status;
            response.body = buffer.substr(parsed.head_bytes, head.content_length);
            for (const auto& header : head.headers) response.headers.emplace(header.name, header.value);
            buffer.erase(0, parsed.head_bytes + head.content_length);
            out.push_back(std::move(response));
            continue;
        }
        if (parsed.status == net::ParseStatus::error || !reader.read_raw(buffer, std::chrono::seconds(30))) break;
    }
    return out;
}

std::string chat_body(const std::string& model, bool stream, int max_tokens) {
    return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello"}],"max_tokens":)" +
           std::to_string(max_tokens) + (stream ? R"(,"stream":true})" : "}");
}

namespace {

std::string request_text(const std::string& method, const std::string& path, const std::string& body,
                         const std::map<std::string, std::string>& headers) {
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    return request + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

StreamReader::StreamReader(uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                           const std::map<std::string, std::string>& headers)
    : StreamReader(port, request_text(method, path, body, headers)) {}

StreamReader::StreamReader(uint16_t port, const std::string& raw_request) {
    connect_and_send("127.0.0.1", port, raw_request);
}

StreamReader::StreamReader(const std::string& host, uint16_t port, const std::string& method, const std::string& path,
                           const std::string& body) {
    connect_and_send(host, port, request_text(method, path, body, {}));
}

void StreamReader::connect_and_send(const std::string& host, uint16_t port, const std::string& raw_request) {
    fd_ = net::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        closed_ = true;
        return;
    }
    const std::string& request = raw_request;
    size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd_.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            closed_ = true;
            return;
        }
        sent += static_cast<size_t>(n);
    }
}

bool StreamReader::fill(std::chrono::milliseconds timeout) {
    if (!fd_ || closed_) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[65536];
    ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n <= 0) {
        closed_ = true;
        return false;
    }
    raw_.append(buffer, static_cast<size_t>(n));
    return true;
}

bool StreamReader::read_raw(std::string& into, std::chrono::milliseconds timeout) {
    if (!fill(timeout)) return false;
    into += raw_;
    raw_.clear();
    return true;
}

bool StreamReader::read_head(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (!head_done_) {
        auto parsed = net::parse_response_head(raw_, 1 << 20, "POST", head_);
        if (parsed.status == net::ParseStatus::complete) {
            raw_.erase(0, parsed.head_bytes);
            head_done_ = true;
            break;
        }
        if (parsed.status == net::ParseStatus::error) return false;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !fill(left)) return false;
    }
    return true;
}

void StreamReader::decode_available() {
    if (head_.framing != net::BodyFraming::chunked) {
        body_ += raw_;
        raw_.clear();
        return;
    }
    std::string_view input = raw_;
    while (!input.empty() && !decoder_.done()) {
        auto step = decoder_.next(input);
        if (!step.error.empty()) throw std::runtime_error("bad chunked body: " + step.error);
        body_.append(step.data);
        input.remove_prefix(step.consumed);
    }
    raw_.erase(0, raw_.size() - input.size());
}

std::optional<std::string> StreamReader::next_event(std::chrono::milliseconds timeout) {
    if (!head_done_ && !read_head(timeout)) return std::nullopt;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        decode_available();
        if (size_t at = body_.find("\n\n"); at != std::string::npos) {
            std::string event = body_.substr(0, at);
            body_.erase(0, at + 2);
            return event;
        }
        if (ended() || closed_) return std::nullopt;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        fill(left);
    }
}

std::string StreamReader::read_rest(std::chrono::milliseconds timeout) {
    if (!head_done_ && !read_head(timeout)) return "";
    auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        decode_available();
        bool complete = head_.framing == net::BodyFraming::chunked ? ended()
                        : head_.framing == net::BodyFraming::content_length ? body_.size() >= head_.content_length
                                                                             : false;
        if (complete || closed_) break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        fill(left);
    }
    return std::exchange(body_, "");
}

}  // namespace ggufd::test
