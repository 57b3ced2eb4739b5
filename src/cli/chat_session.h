// The pure parts of `ggufd chat`: the conversation (its history and the next request's body),
// what a line typed at the prompt asks for, --set's KEY=VALUE fields, and the decoding of a
// streamed chat completion into text as it arrives. No sockets, no terminal: chat.cpp does I/O.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ggufd::cli {

/// One conversation with one model at a time: the system prompt, the exchanges so far, and the
/// request fields every reply gets (--set).
class ChatSession {
public:
    ChatSession(std::string model, std::string system_prompt, nlohmann::json fields);

    const std::string& model() const { return model_; }
    /// The conversation carries over: the next reply comes from `model` with the same history.
    void set_model(std::string model) { model_ = std::move(model); }
    /// Forgets every exchange (the system prompt stays).
    void clear() { exchanges_.clear(); }
    /// Adds or replaces request fields (from /set) for the replies to come.
    void set_fields(const nlohmann::json& fields) { fields_.update(fields); }
    size_t exchanges() const { return exchanges_.size() / 2; }

    /// The body of the request for a reply to `user_text`: the history, then `user_text`; streamed.
    std::string request_body(const std::string& user_text) const;
    /// Remembers an exchange; `reply` may be cut short (a reply stopped with Ctrl-C).
    void remember(const std::string& user_text, const std::string& reply);

private:
    std::string model_;
    std::string system_prompt_;
    nlohmann::json fields_;
    nlohmann::json exchanges_ = nlohmann::json::array();  // user, assistant, user, assistant, ...
};

/// What a line typed at the prompt asks for.
struct ChatInput {
    enum class Kind { message, empty, quit, clear, model, set, help, unknown_command };
    Kind kind = Kind::message;
    std::string text;  ///< the message; the model for /model; KEY=VALUE for /set; the command for unknown ones
};
/// "/quit", "/exit", "/bye" leave; "/clear"; "/model NAME"; "/set KEY=VALUE"; "/help" or "/?";
/// any other line is a message (leading "//" sends a message that starts with "/").
ChatInput parse_chat_input(std::string_view line);

/// The help shown for /help (and for an unknown command).
std::string chat_commands_help();

/// --set fields: "KEY=VALUE", VALUE taken as JSON when it parses as JSON (numbers, true,
/// objects), else as a string. The error names the malformed item.
std::variant<nlohmann::json, std::string> parse_fields(const std::vector<std::string>& items);

/// Server-sent events of a streamed chat completion, fed as the bytes come, turned into what to
/// show: content and reasoning text, an error (llama-server's in-stream error event), the end.
class ChatStreamDecoder {
public:
    struct Piece {
        enum class Kind { content, reasoning, error, done };
        Kind kind;
        std::string text;
    };
    std::vector<Piece> feed(std::string_view bytes);

private:
    void decode_event(std::string_view data, std::vector<Piece>& pieces) const;
    std::string pending_;
};

}  // namespace ggufd::cli
