#include "response.h"

#include "openai_error.h"

namespace ggufd::gateway {

Response Response::json(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response Response::text(int status, std::string body) {
    Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::move(body);
    return response;
}

Response Response::error(int status, std::string_view message, std::string_view code, int retry_after_seconds) {
    Response response = json(status, openai_error_body(status, message, code));
    if (retry_after_seconds > 0) response.headers.push_back({"Retry-After", std::to_string(retry_after_seconds)});
    return response;
}

void append_status_line(std::string& out, int status, std::string_view reason) {
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason.empty() ? net::reason_phrase(status) : reason;
    out += "\r\n";
}

void append_head_end(std::string& out, long long content_length, bool keep_alive) {
    if (content_length >= 0) {
        out += "Content-Length: ";
        out += std::to_string(content_length);
        out += "\r\n";
    } else if (content_length == kChunkedBody) {
        out += "Transfer-Encoding: chunked\r\n";
    }
    out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
}

void append_response_head(std::string& out, int status, std::string_view reason, const std::vector<net::Header>& headers,
                          long long content_length, bool keep_alive) {
    append_status_line(out, status, reason);
    for (const auto& header : headers) {
        out += header.name;
        out += ": ";
        out += header.value;
        out += "\r\n";
    }
    append_head_end(out, content_length, keep_alive);
}

void append_response(std::string& out, const Response& response, bool keep_alive, bool head_only) {
    std::vector<net::Header> headers;
    headers.reserve(response.headers.size() + 1);
    if (!response.content_type.empty()) headers.push_back({"Content-Type", response.content_type});
    headers.insert(headers.end(), response.headers.begin(), response.headers.end());
    // A 204 carries no Content-Length at all (RFC 9110 §8.6).
    long long length = response.status == 204 ? kNoLengthHeader : static_cast<long long>(response.body.size());
    append_response_head(out, response.status, "", headers, length, keep_alive);
    if (!head_only) out += response.body;
}

}  // namespace ggufd::gateway
