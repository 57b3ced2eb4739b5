// One streamed HTTP response, read as it arrives: the head (status, framing), the body
// (chunked, Content-Length or until close) and the server-sent events inside it. Pure: the
// caller feeds bytes as they come off the socket; nothing here touches sockets or clocks.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ggufd/net/chunked.h"
#include "ggufd/net/http_message.h"

namespace ggufd::bench {

/// SseResponse consumes the bytes of one HTTP response in whatever pieces they arrive and
/// reports each server-sent event once its terminating blank line is in. It checks framing
/// only as far as a client must: a non-200 status, a malformed head or chunk, or a connection
/// closed before the body ended make it `failed`, with a reason in error().
class SseResponse {
public:
    enum class State { head, body, done, failed };
    using EventSink = std::function<void(std::string_view event)>;

    /// Consumes `bytes`; calls `on_event` with the text of every event they complete (without
    /// its blank line). Returns true when the first bytes of the response arrived in this call.
    bool feed(std::string_view bytes, const EventSink& on_event);
    /// The peer closed the connection: the end of a close-delimited body, a failure otherwise.
    void on_close(const EventSink& on_event);

    State state() const { return state_; }
    const std::string& error() const { return error_; }
    int status() const { return head_.status; }
    /// True once a byte of the response has arrived.
    bool started() const { return started_; }
    /// When done: the connection may carry another request (HTTP/1.1 keep-alive and a body
    /// that ended by its framing, not by the close).
    bool reusable() const {
        return state_ == State::done && head_.keep_alive && head_.framing != net::BodyFraming::until_close;
    }

private:
    void parse_head(const EventSink& on_event);
    void consume_body(std::string_view bytes, const EventSink& on_event);
    void add_body_text(std::string_view text, const EventSink& on_event);
    void fail(std::string reason);

    State state_ = State::head;
    bool started_ = false;
    std::string head_bytes_;       // the head until its blank line is in
    net::ResponseHead head_;
    net::ChunkedDecoder chunks_;
    uint64_t length_left_ = 0;     // Content-Length framing
    std::string events_;           // body text not yet split into events
    size_t scanned_ = 0;           // bytes of events_ already searched for a blank line
    std::string error_;
};

/// The token index a content event carries, if any: the fake llama-server's tokens read
/// "LABEL#i " (docs/TESTING.md), so `"content":"fast@2001#17 "` gives 17. Role, finish and
/// [DONE] events, and real llama-server text, give nullopt.
std::optional<long> token_index(std::string_view event);

/// True for the `data: [DONE]` event that ends an OpenAI stream.
bool is_done_event(std::string_view event);

}  // namespace ggufd::bench
