// What the fake answers to /v1/chat/completions and /v1/completions, in llama-server's exact
// JSON and SSE shapes (field order included). Pure: a Completion in, text appended to a buffer;
// when to send each event, and what to do between them, is the server's business.
#pragma once

#include "options.h"
#include "request_fields.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ggufd::fake {

enum class Endpoint { chat, text };  ///< /v1/chat/completions, /v1/completions

/// One completion's variable parts. Everything else in a reply is fixed at start-up.
struct Completion {
    Endpoint endpoint = Endpoint::chat;
    std::string model;          ///< echoed in the reply's "model"
    uint64_t id = 0;            ///< rendered as "chatcmpl-fake-<id>"
    int64_t created = 0;        ///< unix seconds
    int tokens = 0;             ///< content chunks to produce
    uint64_t prompt_tokens = 0;
    bool length_capped = false; ///< finish_reason "length" (max_tokens reached), else "stop"
};

/// Decides a completion from its request: `tokens` capped by max_tokens (negative: no cap), the
/// request's model or `default_model`, and a prompt size estimated at four bytes a token.
Completion plan_completion(Endpoint endpoint, const RequestFields& fields, int tokens,
                           std::string_view default_model, uint64_t id, int64_t created);

/// Renders completions for one fake server. `label` names it in every token ("tiny@2007#3 "),
/// so a test can tell which child answered; `token_interval` sets the reported tokens/s.
class CompletionReplies {
public:
    CompletionReplies(std::string_view label, Duration token_interval);

    /// The whole non-streaming reply body.
    void body(std::string& out, const Completion& c) const;

    // Streaming: each call appends one "data: ...\n\n" event.
    void role_event(std::string& out, const Completion& c) const;  ///< chat only
    void token_event(std::string& out, const Completion& c, int index) const;
    void finish_event(std::string& out, const Completion& c, bool include_usage) const;
    void usage_event(std::string& out, const Completion& c) const;  ///< chat with include_usage only
    static constexpr std::string_view kDoneEvent = "data: [DONE]\n\n";

private:
    void token_text(std::string& out, int index) const;
    void envelope_head(std::string& out, const Completion& c, bool chunk) const;
    void envelope_tail(std::string& out, const Completion& c, bool chunk) const;
    void usage(std::string& out, const Completion& c) const;
    void timings(std::string& out, const Completion& c) const;

    std::string escaped_label_;
    double predicted_ms_per_token_;
};

}  // namespace ggufd::fake
