#include "ggufd/net/request_reader.h"

#include <cstring>

namespace ggufd::net {
namespace {

// uri-host [ ":" port ] (RFC 9110 §7.2): reg-name, IPv4 or a bracketed IP literal. Anything
// else (a space, '/', '@') is where servers and proxies start to disagree about the authority.
bool is_host_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("-._~!$&'()*+,;=%:[]", c) != nullptr && c != '\0';
}

// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; no request has two.
std::string host_problem(const RequestHead& head) {
    const std::string* host = nullptr;
    for (const auto& header : head.headers) {
        if (!iequals(header.name, "host")) continue;
        if (host) return "more than one Host header";
        host = &header.value;
    }
    if (!host) return head.version_minor >= 1 ? "an HTTP/1.1 request must have a Host header" : "";
    for (char c : *host) {
        if (!is_host_char(c)) return "invalid Host header";
    }
    return "";
}

// Where a head ends in `text` (just past its blank line), searching from `from`; npos if not yet.
size_t find_head_end(std::string_view text, size_t from) {
    for (size_t i = text.find('\n', from); i != std::string_view::npos; i = text.find('\n', i + 1)) {
        if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2;
        if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') return i + 3;
    }
    return std::string_view::npos;
}

// Chunked framing may cost at most this much beyond the body itself: tiny chunks with long
// extensions must not turn a body within the limit into endless parsing.
uint64_t max_chunked_raw_bytes(uint64_t max_body) { return 2 * max_body + 64 * 1024; }

}  // namespace

void RequestReader::append(std::string_view bytes) {
    // Answered requests are dropped from the front lazily: at most once per half buffer moved.
    if (start_ > 0 && start_ * 2 >= buffer_.size()) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

std::string_view RequestReader::body() const {
    if (stage_ != Stage::complete) return {};
    return std::string_view(buffer_).substr(start_ + head_bytes_, static_cast<size_t>(body_bytes_));
}

std::string_view RequestReader::body_with_padding(size_t padding) {
    if (stage_ != Stage::complete) return {};
    const std::string_view whole = body();
    const size_t end = static_cast<size_t>(whole.data() - buffer_.data()) + whole.size();
    if (buffer_.capacity() - end >= padding) return whole;
    buffer_.reserve(end + padding);
    return body();
}

std::string_view RequestReader::error_code() const {
    return error_status_ == 413 ? "request_too_large" : "invalid_request";
}

RequestReader::Event RequestReader::next() {
    if (stage_ == Stage::failed) return Event::error;
    if (stage_ == Stage::head && !parse_head()) return stage_ == Stage::failed ? Event::error : Event::need_input;
    if (!head_reported_) {
        head_reported_ = true;
        return Event::head;
    }
    if (stage_ == Stage::body) {
        if (!read_body()) return stage_ == Stage::failed ? Event::error : Event::need_input;
        stage_ = Stage::complete;
    }
    return Event::request;
}

void RequestReader::finish_request() {
    if (stage_ != Stage::complete) return;
    start_ += request_bytes_;
    stage_ = Stage::head;
    head_reported_ = false;
    scanned_ = 0;
    head_bytes_ = 0;
    body_bytes_ = 0;
    raw_consumed_ = 0;
    request_bytes_ = 0;
    chunks_ = ChunkedDecoder();
    head_ = RequestHead{};
    if (start_ == buffer_.size()) {
        start_ = 0;
        if (buffer_.capacity() > kRetainedCapacity) std::string().swap(buffer_);
        else buffer_.clear();
    }
}

RequestReader::Event RequestReader::fail(int status, std::string message) {
    stage_ = Stage::failed;
    error_status_ = status;
    error_ = std::move(message);
    return Event::error;
}

// Blank lines before a request are tolerated (RFC 9112 §2.2) and dropped, so that a stream of
// them costs nothing to hold.
void RequestReader::skip_blank_lines() {
    while (start_ < buffer_.size() && (buffer_[start_] == '\r' || buffer_[start_] == '\n')) ++start_;
}

bool RequestReader::parse_head() {
    if (scanned_ == 0) skip_blank_lines();
    std::string_view pending = std::string_view(buffer_).substr(start_);
    // Search only the bytes not searched before (less the two that may begin a split "\n\r\n"):
    // a head that trickles in byte by byte costs linear, not quadratic, time.
    size_t end = find_head_end(pending, scanned_ > 2 ? scanned_ - 2 : 0);
    if (end == std::string_view::npos) scanned_ = pending.size();
    if ((end == std::string_view::npos ? pending.size() : end) > limits_.max_head_bytes) {
        fail(431, "request head is larger than " + std::to_string(limits_.max_head_bytes) + " bytes");
        return false;
    }
    if (end == std::string_view::npos) return false;
    ParseResult parsed = parse_request_head(pending.substr(0, end), limits_.max_head_bytes, head_, limits_.max_headers);
    if (parsed.status != ParseStatus::complete) {
        fail(parsed.error_status, parsed.status == ParseStatus::error ? parsed.error : "malformed request head");
        return false;
    }
    if (std::string problem = host_problem(head_); !problem.empty()) {
        fail(400, problem);
        return false;
    }
    if (head_.framing == BodyFraming::content_length && head_.content_length > limits_.max_body_bytes) {
        fail(413, "request body of " + std::to_string(head_.content_length) + " bytes is over the limit of " +
                      std::to_string(limits_.max_body_bytes) + " bytes (max_body_size)");
        return false;
    }
    head_bytes_ = parsed.head_bytes;
    stage_ = Stage::body;
    return true;
}

bool RequestReader::read_body() {
    switch (head_.framing) {
        case BodyFraming::content_length:
            if (buffered() - head_bytes_ < head_.content_length) {
                // Room for the whole body at once (within max_body_bytes, checked with the head;
                // pages are only touched as bytes arrive), and for a parser's read-ahead after
                // it: growing by doubling would copy up to half of a big body in one append,
                // milliseconds on the event loop.
                const size_t whole = start_ + head_bytes_ + static_cast<size_t>(head_.content_length) + kBodyReadAhead;
                if (buffer_.capacity() < whole) buffer_.reserve(whole);
                return false;
            }
            body_bytes_ = head_.content_length;
            break;
        case BodyFraming::chunked:
            if (!decode_chunked()) return false;
            break;
        case BodyFraming::none:
        case BodyFraming::until_close:
            body_bytes_ = 0;
            break;
    }
    request_bytes_ = head_bytes_ + static_cast<size_t>(body_bytes_);
    return true;
}

// Decodes what has arrived of a chunked body, moving the data down over its own framing and
// then dropping the framing, so the buffer holds the decoded body plus at most a partial line.
bool RequestReader::decode_chunked() {
    const size_t body_start = start_ + head_bytes_;
    char* body = buffer_.data() + body_start;
    const size_t raw = buffer_.size() - body_start;
    size_t offset = static_cast<size_t>(body_bytes_);  // decoded data sits before this
    bool done = false;
    while (offset < raw && !done) {
        ChunkedDecoder::Step step = chunks_.next(std::string_view(body + offset, raw - offset));
        if (!step.error.empty()) {
            fail(400, "malformed chunked request body: " + step.error);
            return false;
        }
        if (!step.data.empty()) {
            if (body_bytes_ + step.data.size() > limits_.max_body_bytes) {
                fail(413, "request body is over the limit of " + std::to_string(limits_.max_body_bytes) +
                              " bytes (max_body_size)");
                return false;
            }
            std::memmove(body + body_bytes_, step.data.data(), step.data.size());
            body_bytes_ += step.data.size();
        }
        offset += step.consumed;
        raw_consumed_ += step.consumed;
        done = step.done;
        // Checked after data only, so that where the reads were cut cannot change the verdict:
        // every chunk has data, and a line alone is bounded by the decoder.
        if (!step.data.empty() && raw_consumed_ > max_chunked_raw_bytes(limits_.max_body_bytes)) {
            fail(413, "chunked request body is over the limit of " + std::to_string(limits_.max_body_bytes) +
                          " bytes (max_body_size), counting its framing");
            return false;
        }
    }
    // The framing decoded so far is no longer needed: close the gap behind the decoded data.
    buffer_.erase(body_start + static_cast<size_t>(body_bytes_), offset - static_cast<size_t>(body_bytes_));
    return done;
}

}  // namespace ggufd::net
