#include "ggufd/net/chunked.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "ggufd/net/http_message.h"

namespace ggufd::net {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

void skip_blanks(std::string_view text, size_t& i) {
    while (i < text.size() && is_blank(text[i])) ++i;
}

bool read_token(std::string_view text, size_t& i) {
    size_t start = i;
    while (i < text.size() && is_token_character(text[i])) ++i;
    return i > start;
}

// quoted-string (RFC 9110 §5.6.4), starting at the opening quote.
bool read_quoted(std::string_view text, size_t& i) {
    auto allowed = [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return c == '\t' || (byte >= 0x20 && byte != 0x7f);
    };
    for (++i; i < text.size(); ++i) {
        if (text[i] == '"') {
            ++i;
            return true;
        }
        if (text[i] == '\\') ++i;
        if (i >= text.size() || !allowed(text[i])) return false;
    }
    return false;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] ), value a token or a quoted
// string (RFC 9112 §7.1.1). Their meaning is ignored, but their syntax is checked: a proxy that
// skips anything up to the line end is one that a crafted extension can confuse.
bool valid_extensions(std::string_view text) {
    size_t i = 0;
    while (true) {
        skip_blanks(text, i);
        if (i == text.size()) return true;
        if (text[i] != ';') return false;
        ++i;
        skip_blanks(text, i);
        if (!read_token(text, i)) return false;
        skip_blanks(text, i);
        if (i < text.size() && text[i] == '=') {
            ++i;
            skip_blanks(text, i);
            if (i < text.size() && text[i] == '"' ? !read_quoted(text, i) : !read_token(text, i)) return false;
        }
    }
}

// "1a3f" or "1a3f;ext=1" (no blanks unless an extension follows). False on anything else.
bool parse_chunk_size(std::string_view line, uint64_t& size) {
    size_t digits = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) ++digits;
    if (digits == 0 || digits > 15) return false;  // 15 hex digits: far beyond any body limit
    std::from_chars(line.data(), line.data() + digits, size, 16);
    std::string_view rest = line.substr(digits);
    return rest.empty() || (rest.find(';') != std::string_view::npos && valid_extensions(rest));
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::next(std::string_view input) {
    Step step;
    if (input.empty()) {
        step.done = state_ == State::done;
        return step;
    }
    switch (state_) {
        case State::size_line:
        case State::trailer:
            return next_line(input);
        case State::data: {
            size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
            step.data = input.substr(0, take);
            step.consumed = take;
            remaining_ -= take;
            if (remaining_ == 0) {
                state_ = State::data_cr;
                step.chunk_end = true;
            }
            return step;
        }
        case State::data_cr:
        case State::data_lf: {
            // Exactly CRLF after chunk data: a bare LF or CR is where parsers disagree.
            const char expected = state_ == State::data_cr ? '\r' : '\n';
            if (input.front() != expected) {
                step.error = "chunk data is not followed by CRLF";
                return step;
            }
            step.consumed = 1;
            state_ = state_ == State::data_cr ? State::data_lf : State::size_line;
            return step;
        }
        case State::done:
            step.done = true;
            return step;
    }
    return step;
}

// A chunk-size or trailer line: gathered up to its LF, which must follow a CR, with no other CR in
// it (RFC 9112 §7.1: CRLF ends these lines; a bare CR or LF is refused rather than guessed at).
ChunkedDecoder::Step ChunkedDecoder::next_line(std::string_view input) {
    Step step;
    size_t newline = input.find('\n');
    std::string_view piece = input.substr(0, newline);
    if (line_.size() + piece.size() > kMaxLine) {
        step.error = "chunk size or trailer line is too long";
        return step;
    }
    if (state_ == State::trailer && trailer_bytes_ + line_.size() + piece.size() > kMaxTrailerBytes) {
        step.error = "trailer section is larger than " + std::to_string(kMaxTrailerBytes) + " bytes";
        return step;
    }
    line_.append(piece);
    if (newline == std::string_view::npos) {
        step.consumed = input.size();
        return step;
    }
    step.consumed = newline + 1;
    std::string_view line = line_;
    if (line.empty() || line.back() != '\r') {
        step.error = "chunk size or trailer line does not end with CRLF";
        return step;
    }
    line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
        step.error = "bare CR in a chunk size or trailer line";
        return step;
    }
    if (state_ == State::trailer) {
        trailer_bytes_ += line_.size() + 1;
        if (line.empty()) {
            state_ = State::done;
            step.done = true;
        } else if (std::string problem = field_line_problem(line); !problem.empty()) {
            step.error = "malformed trailer: " + problem;
        }
    } else if (!parse_chunk_size(line, remaining_)) {
        step.error = "malformed chunk size line";
    } else {
        state_ = remaining_ == 0 ? State::trailer : State::data;
    }
    line_.clear();
    return step;
}

void append_chunk(std::string& out, std::string_view data) {
    if (data.empty()) return;
    char hex[20];
    auto [end, ec] = std::to_chars(hex, hex + sizeof hex, data.size(), 16);
    out.append(hex, end);
    out.append("\r\n");
    out.append(data);
    out.append("\r\n");
}

}  // namespace ggufd::net
