#include "ggufd/net/chunked.h"

#include <algorithm>
#include <charconv>

namespace ggufd::net {
namespace {

// Parses "1a3f" or "1a3f;ext=1" into a size. Returns false on anything else.
bool parse_chunk_size(std::string_view line, uint64_t& size) {
    size_t end = line.find(';');
    std::string_view digits = line.substr(0, end);
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 15) return false;  // 15 hex digits: far beyond any body limit
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    return ec == std::errc() && ptr == digits.data() + digits.size();
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
        case State::trailer: {
            size_t newline = input.find('\n');
            if (newline == std::string_view::npos) {
                if (line_.size() + input.size() > kMaxLine) {
                    step.error = "chunk size or trailer line is too long";
                    return step;
                }
                line_.append(input);
                step.consumed = input.size();
                return step;
            }
            line_.append(input.substr(0, newline));
            step.consumed = newline + 1;
            if (line_.size() > kMaxLine) {
                step.error = "chunk size or trailer line is too long";
                return step;
            }
            std::string_view line = line_;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (state_ == State::trailer) {
                if (line.empty()) state_ = State::done, step.done = true;
            } else if (!parse_chunk_size(line, remaining_)) {
                step.error = "malformed chunk size line";
            } else {
                state_ = remaining_ == 0 ? State::trailer : State::data;
            }
            line_.clear();
            return step;
        }
        case State::data: {
            size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
            step.data = input.substr(0, take);
            step.consumed = take;
            remaining_ -= take;
            if (remaining_ == 0) {
                state_ = State::data_crlf;
                step.chunk_end = true;
            }
            return step;
        }
        case State::data_crlf: {
            // The CRLF after chunk data; tolerate a bare LF.
            if (line_.empty() && input.front() == '\r') {
                line_.push_back('\r');
                step.consumed = 1;
                return step;
            }
            if (input.front() != '\n') {
                step.error = "chunk data is not followed by CRLF";
                return step;
            }
            line_.clear();
            step.consumed = 1;
            state_ = State::size_line;
            return step;
        }
        case State::done:
            step.done = true;
            return step;
    }
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
