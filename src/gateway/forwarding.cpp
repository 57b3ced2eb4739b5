#include "forwarding.h"

#include "response.h"

namespace ggufd::gateway {

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
    // Headers the client listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    const std::string* connection = request.find("connection");
    for (const auto& header : request.headers) {
        if (is_hop_by_hop(header.name)) continue;
        if (connection && net::has_token(*connection, header.name)) continue;
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
    const std::string* connection = upstream.find("connection");
    for (const auto& header : upstream.headers) {
        if (is_hop_by_hop(header.name)) continue;
        if (connection && net::has_token(*connection, header.name)) continue;
        headers.push_back(header);
    }
    std::string head;
    long long length = 0;
    switch (framing) {
        case ClientFraming::none:
            // A HEAD response keeps the length the GET would have had.
            length = upstream.framing == net::BodyFraming::content_length ? static_cast<long long>(upstream.content_length) : 0;
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
