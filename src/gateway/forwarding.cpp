#include "forwarding.h"

#include <charconv>

#include "response.h"

namespace ggufd::gateway {
namespace {

// Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1); several Connection lines
// form one list (§5.3).
bool named_in_connection(const std::vector<net::Header>& headers, std::string_view name) {
    for (const auto& header : headers) {
        if (net::iequals(header.name, "connection") && net::has_token(header.value, name)) return true;
    }
    return false;
}

// The Content-Length a bodiless response may carry: none for 1xx and 204 (RFC 9110 §8.6); for a
// response to HEAD or a 304, the length the child declared for the full representation, if any.
long long bodiless_length(const net::ResponseHead& upstream) {
    if (upstream.status < 200 || upstream.status == 204) return kNoLengthHeader;
    const std::string* declared = upstream.find("content-length");
    if (!declared) return kNoLengthHeader;
    long long value = 0;
    auto [end, ec] = std::from_chars(declared->data(), declared->data() + declared->size(), value);
    return ec == std::errc() && end == declared->data() + declared->size() && value >= 0 ? value : kNoLengthHeader;
}

}  // namespace

bool is_hop_by_hop(std::string_view name) {
    for (std::string_view hop : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
                                 "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "expect",
                                 "host"}) {
        if (net::iequals(name, hop)) return true;
    }
    return false;
}

std::string upstream_request_head(const net::RequestHead& request, std::string_view target, uint16_t port,
                                  uint64_t body_bytes) {
    std::string head;
    head.reserve(256 + request.headers.size() * 48);
    head += request.method;
    head += ' ';
    head += target;
    head += " HTTP/1.1\r\nHost: 127.0.0.1:";
    head += std::to_string(port);
    head += "\r\n";
    for (const auto& header : request.headers) {
        if (is_hop_by_hop(header.name) || named_in_connection(request.headers, header.name)) continue;
        head += header.name;
        head += ": ";
        head += header.value;
        head += "\r\n";
    }
    if (body_bytes > 0 || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
        head += "Content-Length: ";
        head += std::to_string(body_bytes);
        head += "\r\n";
    }
    head += "\r\n";
    return head;
}

ClientFraming choose_client_framing(const net::ResponseHead& upstream, bool head_request, int client_version_minor) {
    if (head_request || upstream.framing == net::BodyFraming::none) return ClientFraming::none;
    if (upstream.framing == net::BodyFraming::content_length) return ClientFraming::content_length;
    return client_version_minor >= 1 ? ClientFraming::chunked : ClientFraming::close;
}

std::string client_response_head(const net::ResponseHead& upstream, ClientFraming framing, bool keep_alive) {
    std::vector<net::Header> headers;
    headers.reserve(upstream.headers.size());
    for (const auto& header : upstream.headers) {
        if (is_hop_by_hop(header.name) || named_in_connection(upstream.headers, header.name)) continue;
        headers.push_back(header);
    }
    std::string head;
    long long length = 0;
    switch (framing) {
        case ClientFraming::none:
            length = bodiless_length(upstream);
            break;
        case ClientFraming::content_length:
            length = static_cast<long long>(upstream.content_length);
            break;
        case ClientFraming::chunked:
            length = kChunkedBody;
            break;
        case ClientFraming::close:
            keep_alive = false;
            length = kCloseDelimitedBody;
            break;
    }
    append_response_head(head, upstream.status, upstream.reason, headers, length, keep_alive);
    return head;
}

}  // namespace ggufd::gateway
