// Renders completion replies by appending fixed fragments and a few values, mirroring the key
// order llama-server (build 10472) uses: chat chunks put "id" before "model", every other reply
// puts it after "usage". Numbers in "timings" are synthetic but consistent with the token rate.
#include "completion_replies.h"

#include "json_text.h"

#include <algorithm>

namespace ggufd::fake {
namespace {

constexpr std::string_view kFingerprint = "b10472-fake";
constexpr double kPromptMsPerToken = 0.02;       // a fast prefill: 50,000 tokens/s
constexpr double kDefaultMsPerToken = 0.05;      // "as fast as possible": 20,000 tokens/s

std::string_view finish_reason(const Completion& c) { return c.length_capped ? "length" : "stop"; }

// Chat stream chunks are the only replies whose "id" comes before "model".
bool id_leads(const Completion& c, bool chunk) { return chunk && c.endpoint == Endpoint::chat; }

void append_id(std::string& out, const Completion& c) {
    out += R"(,"id":"chatcmpl-fake-)";
    append_number(out, c.id);
    out += '"';
}

}  // namespace

Completion plan_completion(Endpoint endpoint, const RequestFields& fields, int tokens,
                           std::string_view default_model, uint64_t id, int64_t created) {
    Completion c;
    c.endpoint = endpoint;
    c.model = fields.model ? *fields.model : std::string(default_model);
    c.id = id;
    c.created = created;
    c.tokens = tokens;
    if (fields.max_tokens && *fields.max_tokens >= 0 && *fields.max_tokens <= tokens) {
        c.tokens = static_cast<int>(*fields.max_tokens);
        c.length_capped = true;
    }
    c.prompt_tokens = std::max<uint64_t>(1, (fields.prompt_bytes + 3) / 4);
    return c;
}

CompletionReplies::CompletionReplies(std::string_view label, Duration token_interval)
    : predicted_ms_per_token_(token_interval.count() > 0 ? static_cast<double>(token_interval.count())
                                                          : kDefaultMsPerToken) {
    append_escaped(escaped_label_, label);
}

void CompletionReplies::body(std::string& out, const Completion& c) const {
    if (c.endpoint == Endpoint::chat) {
        out += R"({"choices":[{"finish_reason":")";
        out += finish_reason(c);
        out += R"(","index":0,"message":{"role":"assistant","content":")";
        for (int i = 0; i < c.tokens; ++i) token_text(out, i);
        out += R"("}}])";
    } else {
        out += R"({"choices":[{"text":")";
        for (int i = 0; i < c.tokens; ++i) token_text(out, i);
        out += R"(","index":0,"logprobs":null,"finish_reason":")";
        out += finish_reason(c);
        out += R"("}])";
    }
    envelope_head(out, c, false);
    usage(out, c);
    envelope_tail(out, c, false);
    timings(out, c);
    out += '}';
}

void CompletionReplies::role_event(std::string& out, const Completion& c) const {
    out += R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}])";
    envelope_head(out, c, true);
    envelope_tail(out, c, true);
    out += "}\n\n";
}

void CompletionReplies::token_event(std::string& out, const Completion& c, int index) const {
    if (c.endpoint == Endpoint::chat) {
        out += R"(data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":")";
        token_text(out, index);
        out += R"("}}])";
    } else {
        out += R"(data: {"choices":[{"text":")";
        token_text(out, index);
        out += R"(","index":0,"logprobs":null,"finish_reason":null}])";
    }
    envelope_head(out, c, true);
    envelope_tail(out, c, true);
    out += "}\n\n";
}

void CompletionReplies::finish_event(std::string& out, const Completion& c, bool include_usage) const {
    const bool chat = c.endpoint == Endpoint::chat;
    if (chat) {
        out += R"(data: {"choices":[{"finish_reason":")";
        out += finish_reason(c);
        out += R"(","index":0,"delta":{}}])";
    } else {
        out += R"(data: {"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":")";
        out += finish_reason(c);
        out += R"("}])";
    }
    envelope_head(out, c, true);
    // A text completion carries its usage in the finish chunk; a chat one in a chunk of its own.
    if (!chat && include_usage) usage(out, c);
    envelope_tail(out, c, true);
    if (!chat || !include_usage) timings(out, c);
    out += "}\n\n";
}

void CompletionReplies::usage_event(std::string& out, const Completion& c) const {
    out += R"(data: {"choices":[])";
    envelope_head(out, c, true);
    usage(out, c);
    envelope_tail(out, c, true);
    timings(out, c);
    out += "}\n\n";
}

void CompletionReplies::token_text(std::string& out, int index) const {
    out += escaped_label_;
    out += '#';
    append_number(out, static_cast<int64_t>(index));
    out += ' ';
}

void CompletionReplies::envelope_head(std::string& out, const Completion& c, bool chunk) const {
    out += R"(,"created":)";
    append_number(out, c.created);
    if (id_leads(c, chunk)) append_id(out, c);
    out += R"(,"model":)";
    append_quoted(out, c.model);
    out += R"(,"system_fingerprint":")";
    out += kFingerprint;
    out += R"(","object":")";
    out += c.endpoint == Endpoint::text ? "text_completion" : chunk ? "chat.completion.chunk" : "chat.completion";
    out += '"';
}

void CompletionReplies::envelope_tail(std::string& out, const Completion& c, bool chunk) const {
    if (!id_leads(c, chunk)) append_id(out, c);
}

void CompletionReplies::usage(std::string& out, const Completion& c) const {
    const auto completion_tokens = static_cast<uint64_t>(c.tokens);
    out += R"(,"usage":{"completion_tokens":)";
    append_number(out, completion_tokens);
    out += R"(,"prompt_tokens":)";
    append_number(out, c.prompt_tokens);
    out += R"(,"total_tokens":)";
    append_number(out, completion_tokens + c.prompt_tokens);
    out += R"(,"prompt_tokens_details":{"cached_tokens":0}})";
}

void CompletionReplies::timings(std::string& out, const Completion& c) const {
    const auto prompt_n = static_cast<double>(c.prompt_tokens);
    const auto predicted_n = static_cast<double>(c.tokens);
    out += R"(,"timings":{"cache_n":0,"prompt_n":)";
    append_number(out, c.prompt_tokens);
    out += R"(,"prompt_ms":)";
    append_number(out, prompt_n * kPromptMsPerToken);
    out += R"(,"prompt_per_token_ms":)";
    append_number(out, kPromptMsPerToken);
    out += R"(,"prompt_per_second":)";
    append_number(out, 1000.0 / kPromptMsPerToken);
    out += R"(,"predicted_n":)";
    append_number(out, static_cast<int64_t>(c.tokens));
    out += R"(,"predicted_ms":)";
    append_number(out, predicted_n * predicted_ms_per_token_);
    out += R"(,"predicted_per_token_ms":)";
    append_number(out, predicted_ms_per_token_);
    out += R"(,"predicted_per_second":)";
    append_number(out, 1000.0 / predicted_ms_per_token_);
    out += '}';
}

}  // namespace ggufd::fake
