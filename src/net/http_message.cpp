#include "ggufd/net/http_message.h"

#include <algorithm>
#include <charconv>

namespace ggufd::net {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

// A request-target has no whitespace or control characters (RFC 9112 §3.2); a bare CR in one
// would reach the child inside our own request line.
bool is_target_char(char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7f;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Where the head ends: the index just past the blank line, or npos. Bare LF line endings are
// accepted as well as CRLF, as most servers do.
size_t find_head_end(std::string_view buffer) {
    for (size_t i = 0; i < buffer.size(); ++i) {
        if (buffer[i] != '\n') continue;
        if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
        if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
    }
    return std::string_view::npos;
}

// Splits off the next line (without its CRLF/LF) from `rest`.
std::string_view next_line(std::string_view& rest) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

ParseResult error(int status, std::string message) {
    ParseResult result;
    result.status = ParseStatus::error;
    result.error_status = status;
    result.error = std::move(message);
    return result;
}

// "HTTP/1.1" -> 1. Returns -1 for anything that is not HTTP/1.0 or HTTP/1.1.
int parse_version(std::string_view text) {
    if (text == "HTTP/1.1") return 1;
    if (text == "HTTP/1.0") return 0;
    return -1;
}

// Reads header lines into `headers`; returns an error message or "". `too_many` is set when
// there are more than `max_headers` lines (checked before each is stored, so a head of thousands
// of tiny headers costs no more than the limit).
std::string parse_headers(std::string_view rest, size_t max_headers, std::vector<Header>& headers, bool& too_many) {
    while (!rest.empty()) {
        std::string_view line = next_line(rest);
        if (line.empty()) break;
        if (headers.size() == max_headers) {
            too_many = true;
            return "more than " + std::to_string(max_headers) + " header fields";
        }
        if (std::string problem = field_line_problem(line); !problem.empty()) return problem;
        size_t colon = line.find(':');
        headers.push_back(Header{std::string(line.substr(0, colon)), std::string(trim_ows(line.substr(colon + 1)))});
    }
    return "";
}

const std::string* find_header(const std::vector<Header>& headers, std::string_view name) {
    for (const auto& header : headers) {
        if (iequals(header.name, name)) return &header.value;
    }
    return nullptr;
}

struct Framing {
    BodyFraming framing = BodyFraming::none;
    uint64_t content_length = 0;
    std::string error;
    int error_status = 400;
};

// Content-Length and Transfer-Encoding rules shared by requests and responses (RFC 9112 §6).
// Both present, or conflicting lengths, are refused: that ambiguity is how requests get smuggled.
Framing body_framing(const std::vector<Header>& headers) {
    Framing result;
    const std::string* transfer_encoding = nullptr;
    std::optional<uint64_t> length;
    for (const auto& header : headers) {
        if (iequals(header.name, "transfer-encoding")) {
            if (transfer_encoding) {
                result.error = "more than one Transfer-Encoding header";
                return result;
            }
            transfer_encoding = &header.value;
        } else if (iequals(header.name, "content-length")) {
            uint64_t value = 0;
            const std::string& text = header.value;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
                result.error = "invalid Content-Length \"" + text + "\"";
                return result;
            }
            if (length && *length != value) {
                result.error = "conflicting Content-Length headers";
                return result;
            }
            length = value;
        }
    }
    if (transfer_encoding) {
        if (length) {
            result.error = "both Transfer-Encoding and Content-Length are present";
            return result;
        }
        std::string_view value = trim_ows(*transfer_encoding);
        size_t comma = value.rfind(',');
        std::string_view last = trim_ows(comma == std::string_view::npos ? value : value.substr(comma + 1));
        if (!iequals(last, "chunked") || comma != std::string_view::npos) {
            result.error = "unsupported Transfer-Encoding \"" + *transfer_encoding + "\" (only chunked is accepted)";
            result.error_status = 501;
            return result;
        }
        result.framing = BodyFraming::chunked;
    } else if (length) {
        result.framing = *length > 0 ? BodyFraming::content_length : BodyFraming::none;
        result.content_length = *length;
    }
    return result;
}

bool connection_keep_alive(const std::vector<Header>& headers, int version_minor) {
    bool keep_alive = version_minor >= 1;
    for (const auto& header : headers) {
        if (!iequals(header.name, "connection")) continue;
        if (has_token(header.value, "close")) return false;
        if (has_token(header.value, "keep-alive")) keep_alive = true;
    }
    return keep_alive;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        size_t comma = value.find(',');
        if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

std::string field_line_problem(std::string_view line) {
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) return "obsolete header line folding is not accepted";
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return "malformed header line";
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) return "invalid character in header name";
    for (char c : line.substr(colon + 1)) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return "invalid character in header value";
    }
    return "";
}

bool is_token_character(char c) { return is_token_char(c); }

const std::string* RequestHead::find(std::string_view name) const { return find_header(headers, name); }
const std::string* ResponseHead::find(std::string_view name) const { return find_header(headers, name); }

ParseResult parse_request_head(std::string_view buffer, size_t max_head_bytes, RequestHead& out, size_t max_headers) {
    // Tolerate the empty lines some clients send between pipelined requests (RFC 9112 §2.2).
    size_t leading = 0;
    while (leading < buffer.size() && (buffer[leading] == '\r' || buffer[leading] == '\n')) ++leading;
    size_t end = find_head_end(buffer.substr(leading));
    if (end == std::string_view::npos) {
        if (buffer.size() > max_head_bytes) return error(431, "request head is larger than " + std::to_string(max_head_bytes) + " bytes");
        return {};
    }
    end += leading;
    if (end > max_head_bytes) return error(431, "request head is larger than " + std::to_string(max_head_bytes) + " bytes");

    std::string_view rest = buffer.substr(leading, end - leading);
    std::string_view line = next_line(rest);
    size_t first_space = line.find(' ');
    size_t last_space = line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space) return error(400, "malformed request line");
    std::string_view method = line.substr(0, first_space);
    std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
    std::string_view version = line.substr(last_space + 1);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char)) return error(400, "malformed request method");
    if (target.empty() || !std::all_of(target.begin(), target.end(), is_target_char)) {
        return error(400, "malformed request target (whitespace or control character)");
    }
    int minor = parse_version(version);
    if (minor < 0) return error(505, "unsupported HTTP version \"" + std::string(version) + "\"");

    out = RequestHead{};
    out.method = std::string(method);
    out.target = std::string(target);
    out.version_minor = minor;
    bool too_many = false;
    if (std::string message = parse_headers(rest, max_headers, out.headers, too_many); !message.empty()) {
        return error(too_many ? 431 : 400, message);
    }

    Framing framing = body_framing(out.headers);
    if (!framing.error.empty()) return error(framing.error_status, framing.error);
    out.framing = framing.framing;
    out.content_length = framing.content_length;
    // Transfer-Encoding in an HTTP/1.0 request is faulty framing that an intermediary may have
    // read differently: answer it, then close (RFC 9112 §6.1).
    out.keep_alive = connection_keep_alive(out.headers, minor) && !(minor == 0 && out.framing == BodyFraming::chunked);
    // An HTTP/1.0 client cannot understand an interim 100: ignore its expectation (RFC 9110 §10.1.1).
    if (const std::string* expect = out.find("expect")) out.expect_continue = minor >= 1 && iequals(*expect, "100-continue");

    ParseResult result;
    result.status = ParseStatus::complete;
    result.head_bytes = end;
    return result;
}

ParseResult parse_response_head(std::string_view buffer, size_t max_head_bytes, std::string_view request_method,
                                ResponseHead& out, size_t max_headers) {
    size_t end = find_head_end(buffer);
    if (end == std::string_view::npos) {
        if (buffer.size() > max_head_bytes) return error(502, "response head is larger than " + std::to_string(max_head_bytes) + " bytes");
        return {};
    }
    if (end > max_head_bytes) return error(502, "response head is larger than " + std::to_string(max_head_bytes) + " bytes");
    std::string_view rest = buffer.substr(0, end);
    std::string_view line = next_line(rest);
    // "HTTP/1.1 200 OK" (the reason phrase may be empty or missing).
    if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) return error(502, "malformed status line");
    int minor = parse_version(line.substr(0, 8));
    if (minor < 0) return error(502, "unsupported HTTP version in status line");
    int status = 0;
    auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
    if (ec != std::errc() || ptr != line.data() + 12 || status < 100 || status > 999) return error(502, "malformed status code");

    out = ResponseHead{};
    out.version_minor = minor;
    out.status = status;
    out.reason = std::string(line.size() > 13 ? line.substr(13) : std::string_view());
    bool too_many = false;
    if (std::string message = parse_headers(rest, max_headers, out.headers, too_many); !message.empty()) {
        return error(502, message);
    }

    out.keep_alive = connection_keep_alive(out.headers, minor);
    bool bodiless = status < 200 || status == 204 || status == 304 || request_method == "HEAD";
    if (bodiless) {
        out.framing = BodyFraming::none;
    } else {
        Framing framing = body_framing(out.headers);
        if (!framing.error.empty()) return error(502, framing.error);
        bool has_length = out.find("content-length") != nullptr;
        out.framing = framing.framing;
        out.content_length = framing.content_length;
        if (framing.framing == BodyFraming::none && !has_length) {
            out.framing = BodyFraming::until_close;
            out.keep_alive = false;
        }
    }
    ParseResult result;
    result.status = ParseStatus::complete;
    result.head_bytes = end;
    return result;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 411: return "Length Required";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

}  // namespace ggufd::net
