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

/// What is wrong with one header (or trailer) field line, without its line end: obsolete
/// folding, no name, a name that is not a token, a control character in the value. "" if valid.
std::string field_line_problem(std::string_view line);

/// A tchar of RFC 9110 §5.6.2: the characters of methods, header names and chunk extensions.
bool is_token_character(char c);

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

/// Header fields accepted in one head (as Apache's LimitRequestFields): a request with more is
/// refused with 431, a child's response with more is a 502.
inline constexpr size_t kMaxHeaderFields = 100;

/// Parses a request head from the start of `buffer`. `incomplete` while the blank line has not
/// arrived yet and the buffer is within `max_head_bytes`. More than `max_headers` header fields
/// is a 431. An HTTP/1.0 request with Transfer-Encoding gets keep_alive = false.
ParseResult parse_request_head(std::string_view buffer, size_t max_head_bytes, RequestHead& out,
                               size_t max_headers = kMaxHeaderFields);

/// Parses a response head; `request_method` matters because a response to HEAD has no body.
ParseResult parse_response_head(std::string_view buffer, size_t max_head_bytes, std::string_view request_method,
                                ResponseHead& out, size_t max_headers = kMaxHeaderFields);

/// The standard reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace ggufd::net
