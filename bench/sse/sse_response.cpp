#include "sse_response.h"

#include <charconv>

namespace ggufd::bench {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

/// Where the blank line that ends the first event of `text` starts searching at `from`: the
/// index just past it and its length, or npos. SSE allows LF or CRLF line ends.
std::pair<size_t, size_t> find_blank_line(std::string_view text, size_t from) {
    for (size_t i = text.find('\n', from); i != std::string_view::npos; i = text.find('\n', i + 1)) {
        if (i + 1 < text.size() && text[i + 1] == '\n') return {i, 2};
        if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') return {i, 3};
    }
    return {std::string_view::npos, 0};
}

}  // namespace

bool SseResponse::feed(std::string_view bytes, const EventSink& on_event) {
    const bool first = !started_ && !bytes.empty();
    started_ = started_ || first;
    if (state_ == State::head) {
        head_bytes_.append(bytes);
        parse_head(on_event);
    } else if (state_ == State::body) {
        consume_body(bytes, on_event);
    }
    return first;
}

void SseResponse::parse_head(const EventSink& on_event) {
    auto parsed = net::parse_response_head(head_bytes_, kMaxHead, "POST", head_);
    if (parsed.status == net::ParseStatus::incomplete) return;
    if (parsed.status == net::ParseStatus::error) return fail("malformed response head: " + parsed.error);
    if (head_.status != 200) {
        return fail("HTTP " + std::to_string(head_.status) + " " + head_.reason);
    }
    state_ = State::body;
    length_left_ = head_.content_length;
    std::string rest = head_bytes_.substr(parsed.head_bytes);
    head_bytes_.clear();
    if (head_.framing == net::BodyFraming::none ||
        (head_.framing == net::BodyFraming::content_length && length_left_ == 0)) {
        state_ = State::done;
        return;
    }
    consume_body(rest, on_event);
}

void SseResponse::consume_body(std::string_view bytes, const EventSink& on_event) {
    switch (head_.framing) {
    case net::BodyFraming::chunked:
        while (!bytes.empty() && state_ == State::body) {
            auto step = chunks_.next(bytes);
            if (!step.error.empty()) return fail("malformed chunked body: " + step.error);
            bytes.remove_prefix(step.consumed);
            add_body_text(step.data, on_event);
            if (step.done) state_ = State::done;
        }
        return;
    case net::BodyFraming::content_length: {
        auto take = bytes.substr(0, static_cast<size_t>(std::min<uint64_t>(bytes.size(), length_left_)));
        length_left_ -= take.size();
        add_body_text(take, on_event);
        if (length_left_ == 0) state_ = State::done;
        return;
    }
    case net::BodyFraming::until_close:
        add_body_text(bytes, on_event);
        return;
    case net::BodyFraming::none:
        return;
    }
}

void SseResponse::add_body_text(std::string_view text, const EventSink& on_event) {
    if (text.empty()) return;
    events_.append(text);
    size_t begin = 0;
    for (size_t from = scanned_;;) {
        auto [end, len] = find_blank_line(events_, from);
        if (end == std::string::npos) break;
        auto event = std::string_view(events_).substr(begin, end - begin);
        if (!event.empty() && event.back() == '\r') event.remove_suffix(1);
        if (!event.empty()) on_event(event);  // stray blank lines are not events
        begin = from = end + len;
    }
    events_.erase(0, begin);
    // What is left holds no blank line, but its last two bytes may begin one ("\n", "\n\r").
    scanned_ = events_.size() > 2 ? events_.size() - 2 : 0;
}

void SseResponse::on_close(const EventSink& on_event) {
    if (state_ == State::body && head_.framing == net::BodyFraming::until_close) {
        if (!events_.empty()) {  // a last event without its blank line still counts
            on_event(events_);
            events_.clear();
        }
        state_ = State::done;
        return;
    }
    if (state_ == State::head) return fail(started_ ? "connection closed inside the response head"
                                                    : "connection closed before any response");
    if (state_ == State::body) fail("connection closed before the end of the body");
}

void SseResponse::fail(std::string reason) {
    state_ = State::failed;
    error_ = std::move(reason);
}

std::optional<long> token_index(std::string_view event) {
    constexpr std::string_view kContent = "\"content\":\"";
    auto at = event.find(kContent);
    if (at == std::string_view::npos) return std::nullopt;
    auto text = event.substr(at + kContent.size());
    text = text.substr(0, text.find('"'));
    auto hash = text.rfind('#');
    if (hash == std::string_view::npos) return std::nullopt;
    long index = 0;
    auto [end, ec] = std::from_chars(text.data() + hash + 1, text.data() + text.size(), index);
    if (ec != std::errc() || end == text.data() + hash + 1) return std::nullopt;
    return index;
}

bool is_done_event(std::string_view event) {
    return event == "data: [DONE]" || event == "data:[DONE]";
}

}  // namespace ggufd::bench
