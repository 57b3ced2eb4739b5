// Frames HTTP/1.x requests out of one client's byte stream: heads, Content-Length and chunked
// bodies, pipelined requests one after another, and every limit a client can hit on the way.
// Socket-free: it is fed bytes and says what it has, so it is unit-tested and fuzzed with the
// input cut at arbitrary points. docs/LIMITS.md lists the limits and what a client sees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ggufd/net/chunked.h"
#include "ggufd/net/http_message.h"

namespace ggufd::net {

struct RequestLimits {
    size_t max_head_bytes = 64 * 1024;       ///< request line and headers: 431 beyond
    size_t max_headers = kMaxHeaderFields;   ///< header fields: 431 beyond
    uint64_t max_body_bytes = 64ull << 20;   ///< the (decoded) body: 413 beyond
};

/// RequestReader holds what a client has sent and not yet been answered for, and frames it into
/// requests. Feed it with append(); next() reports on the request at the front: first its head
/// (once, as soon as it is complete, so that the request can be refused before its body is
/// read), then the whole request. finish_request() drops that request; the bytes after it, the
/// next pipelined request perhaps, stay. An error is final: the stream can no longer be trusted
/// to be framed as the client meant, so the caller answers and closes.
///
/// Memory: the buffer holds the front request and whatever arrived after it. The caller decides
/// how much to read ahead (it reads only when next() says need_input); a chunked body is decoded
/// in place, so it never needs more room than its raw bytes.
class RequestReader {
public:
    enum class Event {
        need_input,  ///< nothing more to report until more bytes arrive
        head,        ///< the front request's head is complete (reported once per request)
        request,     ///< the front request is complete: head() and body() are valid
        error,       ///< malformed or over a limit: error_status(), error(), error_code()
    };

    explicit RequestReader(RequestLimits limits = {}) : limits_(limits) {}

    /// Appends received bytes.
    void append(std::string_view bytes);
    /// Advances as far as the buffered bytes allow and says where the front request stands.
    Event next();

    /// The front request's head: valid from the `head` event until finish_request(). Reset for
    /// every request, so nothing of an earlier request (its method) leaks into an error answer.
    const RequestHead& head() const { return head_; }
    /// The front request's body: valid from the `request` event until finish_request().
    std::string_view body() const;
    /// The body, with at least `padding` bytes of the buffer readable after it, for a parser
    /// that reads ahead (simdjson). Makes room (one copy) only if the buffer ends with the body.
    std::string_view body_with_padding(size_t padding);
    /// Lends the buffer, the complete front request in it, to be read on another thread: until
    /// give_back() returns it as it was, nothing else may be called. (A buffer whose connection
    /// is gone by then never comes back: it is freed where it is.)
    std::string lend_buffer() { return std::move(buffer_); }
    void give_back(std::string buffer) { buffer_ = std::move(buffer); }

    int error_status() const { return error_status_; }
    const std::string& error() const { return error_; }
    /// An OpenAI-style error code for the answer: "request_too_large" or "invalid_request".
    std::string_view error_code() const;

    /// Drops the front request (it has been answered); the bytes after it stay buffered.
    void finish_request();

    /// No byte of a request is buffered (blank lines between requests do not count).
    bool idle() const { return stage_ == Stage::head && buffered() == 0; }
    /// The front request's head is complete and its body is still arriving.
    bool body_pending() const { return stage_ == Stage::body; }
    /// Input beyond the front request may still come or is already here: the request is not
    /// complete, or bytes after it are buffered. (Closing a socket with unread input resets it.)
    bool input_pending() const { return stage_ != Stage::complete || buffered() > request_bytes_; }
    /// Bytes buffered from the start of the front request on.
    size_t buffered() const { return buffer_.size() - start_; }
    /// Memory held by the buffer (for tests of the bounds).
    size_t capacity() const { return buffer_.capacity(); }

    /// A buffer that held a large body is released once empty, so an idle keep-alive
    /// connection costs little however big its last request was.
    static constexpr size_t kRetainedCapacity = 256 * 1024;
    /// Room made after a Content-Length body as it arrives: body_with_padding() up to this many
    /// bytes then needs no copy of the body.
    static constexpr size_t kBodyReadAhead = 64;

private:
    enum class Stage { head, body, complete, failed };

    bool parse_head();
    bool read_body();
    bool decode_chunked();
    Event fail(int status, std::string message);
    void skip_blank_lines();

    const RequestLimits limits_;
    std::string buffer_;
    size_t start_ = 0;          // where the front request starts in buffer_
    Stage stage_ = Stage::head;
    bool head_reported_ = false;
    size_t scanned_ = 0;        // bytes of an incomplete head already searched for its end
    size_t head_bytes_ = 0;
    RequestHead head_;

    // The body, relative to start_ + head_bytes_: Content-Length bodies lie as they arrived;
    // chunked ones are decoded in place (the data moves down over its own framing).
    uint64_t body_bytes_ = 0;   // body length (decoded, for chunked)
    size_t raw_consumed_ = 0;   // chunked: raw bytes decoded so far
    ChunkedDecoder chunks_;
    size_t request_bytes_ = 0;  // once complete: the whole request, head included

    int error_status_ = 0;
    std::string error_;
};

}  // namespace ggufd::net
