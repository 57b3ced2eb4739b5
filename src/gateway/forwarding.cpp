#include "forwarding.h"

#include <charconv>

#include "response.h"

namespace ggufd::gateway {
namespace {

// The headers that cross the proxy: not hop-by-hop, and not named in any Connection line
// (RFC 9110 §7.6.1; several Connection lines form one list, §5.3). Connection lines are rare,
// so the common case costs one pass.
template <typename Emit, typename Drop>
void for_each_end_to_end(const std::vector<net::Header>& headers, Drop drop, Emit emit) {
    bool has_connection = false;
    for (const auto& header : headers) has_connection |= net::iequals(header.name, "connection");
    for (const auto& header : headers) {
        if (drop(header.name)) continue;
        if (has_connection) {
            bool named = false;
            for (const auto& other : headers) {
                named |= net::iequals(other.name, "connection") && net::has_token(other.value, header.name);
            }
            if (named) continue;
        }
        emit(header);
    }
}

void append_header(std::string& out, const net::Header& header) {
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
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

bool is_cors_header(std::string_view name) {
    constexpr std::string_view prefix = "access-control-";
    return name.size() > prefix.size() && net::iequals(name.substr(0, prefix.size()), prefix);
}

}  // namespace

bool is_hop_by_hop(std::string_view name) {
    // By length first: most end-to-end names match none of these lengths.
    switch (name.size()) {
        case 2: return net::iequals(name, "te");
        case 4: return net::iequals(name, "host");
        case 6: return net::iequals(name, "expect");
        case 7: return net::iequals(name, "trailer") || net::iequals(name, "upgrade");
        case 10: return net::iequals(name, "connection") || net::iequals(name, "keep-alive");
        case 14: return net::iequals(name, "content-length");
        case 16: return net::iequals(name, "proxy-connection");
        case 17: return net::iequals(name, "transfer-encoding");
        case 18: return net::iequals(name, "proxy-authenticate");
        case 19: return net::iequals(name, "proxy-authorization");
        default: return false;
    }
}

bool is_client_credential(std::string_view name) {
    switch (name.size()) {
        case 9: return net::iequals(name, "x-api-key");
        case 13: return net::iequals(name, "authorization");
        default: return false;
    }
}

std::string upstream_request_head(const net::RequestHead& request, std::string_view target, uint16_t port,
                                  uint64_t body_bytes, bool forward_credentials) {
    std::string head;
    head.reserve(256 + request.headers.size() * 48);
    head += request.method;
    head += ' ';
    head += target;
    head += " HTTP/1.1\r\nHost: 127.0.0.1:";
    head += std::to_string(port);
    head += "\r\n";
    auto drop = [forward_credentials](std::string_view name) {
        return is_hop_by_hop(name) || (!forward_credentials && is_client_credential(name));
    };
    for_each_end_to_end(request.headers, drop, [&](const net::Header& header) { append_header(head, header); });
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

std::string client_response_head(const net::ResponseHead& upstream, ClientFraming framing, bool keep_alive,
                                 const std::vector<net::Header>& cors) {
    std::string head;
    head.reserve(128 + upstream.headers.size() * 48);
    append_status_line(head, upstream.status, upstream.reason);
    auto drop = [](std::string_view name) { return is_hop_by_hop(name) || is_cors_header(name); };
    for_each_end_to_end(upstream.headers, drop, [&](const net::Header& header) { append_header(head, header); });
    for (const auto& header : cors) append_header(head, header);
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
    append_head_end(head, length, keep_alive);
    return head;
}

}  // namespace ggufd::gateway
