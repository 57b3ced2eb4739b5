// A complete response the front door makes itself (errors, health, status, admin), and the
// serialisation of response heads shared with the proxy.
#pragma once

#include <string>
#include <vector>

#include "ggufd/net/http_message.h"

namespace ggufd::gateway {

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<net::Header> headers;  ///< extra headers, e.g. Retry-After, Allow

    static Response json(int status, std::string body);
    static Response text(int status, std::string body);
    /// An OpenAI-shaped error; `retry_after_seconds` > 0 adds Retry-After.
    static Response error(int status, std::string_view message, std::string_view code, int retry_after_seconds = 0);
};

/// Body framing markers for append_response_head's `content_length`.
inline constexpr long long kChunkedBody = -1;
inline constexpr long long kCloseDelimitedBody = -2;
/// No body and no framing header at all: 1xx, 204, or a HEAD/304 response whose child declared no length.
inline constexpr long long kNoLengthHeader = -3;

/// "HTTP/1.1 200 OK\r\n" + headers + framing + connection headers + "\r\n", appended to `out`.
/// `content_length` is a byte count, kChunkedBody, kCloseDelimitedBody or kNoLengthHeader.
void append_response_head(std::string& out, int status, std::string_view reason, const std::vector<net::Header>& headers,
                          long long content_length, bool keep_alive);

/// The pieces of a head, for callers that write the headers themselves: the status line, then
/// (after the headers) the framing and connection headers and the blank line.
void append_status_line(std::string& out, int status, std::string_view reason);
void append_head_end(std::string& out, long long content_length, bool keep_alive);

/// The whole response, head and body, appended to `out`. A HEAD request gets the head only.
void append_response(std::string& out, const Response& response, bool keep_alive, bool head_only);

}  // namespace ggufd::gateway
