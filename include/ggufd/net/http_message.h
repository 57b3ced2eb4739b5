// HTTP/1.x message heads: incremental parsing of request and response heads as they arrive on a
// socket, and the framing facts a proxy needs (length, chunking, keep-alive). Pure functions over
// byte buffers: no sockets here, so they are unit-tested and fuzzed directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ggufd::net {

struct Header {
    std::string name;
    std::string value;
};

/// Case-insensitive ASCII comparison, as HTTP header names require.
bool iequals(std::string_view a, std::string_view b);

/// True when a comma-separated header value lists `token` (case-insensitively), e.g. "close"
/// in "Connection: keep-alive, close".
bool has_token(std::string_view value, std::string_view token);

enum class ParseStatus { incomplete, complete, error };

/// How the body that follows a head is delimited.
enum class BodyFraming { none, content_length, chunked, until_close };

struct RequestHead {
    std::string method;
    std::string target;
    int version_minor = 1;  ///< HTTP/1.<minor>
    std::vector<Header> headers;

    BodyFraming framing = BodyFraming::none;
    uint64_t content_length = 0;
    bool keep_alive = true;
    bool expect_continue = false;

    /// The first header with this name, or nullptr.
    const std::string* find(std::string_view name) const;
};

struct ResponseHead {
    int version_minor = 1;
    int status = 0;
    std::string reason;
    std::vector<Header> headers;

    BodyFraming framing = BodyFraming::until_close;
    uint64_t content_length = 0;
    bool keep_alive = true;

    const std::string* find(std::string_view name) const;
};

struct ParseResult {
    ParseStatus status = ParseStatus::incomplete;
    size_t head_bytes = 0;    ///< when complete: bytes of the head, including the blank line
    int error_status = 400;   ///< when error: the status to answer with (400, 431, 501, 505)
    std::string error;        ///< when error: what was wrong, for the client and the log
};

/// Parses a request head from the start of `buffer`. `incomplete` while the blank line has not
/// arrived yet and the buffer is within `max_head_bytes`.
ParseResult parse_request_head(std::string_view buffer, size_t max_head_bytes, RequestHead& out);

/// Parses a response head; `request_method` matters because a response to HEAD has no body.
ParseResult parse_response_head(std::string_view buffer, size_t max_head_bytes, std::string_view request_method,
                                ResponseHead& out);

/// The standard reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace ggufd::net
