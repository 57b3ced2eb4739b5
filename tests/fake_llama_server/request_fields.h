// The few fields of an OpenAI request body that shape the fake's answer, read in one pass
// without building a JSON tree (the benchmark's hot path). Pure: text in, fields or error out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ggufd::fake {

/// What a completion request asks for. Fields of the wrong JSON type count as absent, as they
/// do for llama-server's defaults.
struct RequestFields {
    std::optional<std::string> model;
    bool stream = false;
    bool include_usage = false;          ///< stream_options.include_usage
    std::optional<int64_t> max_tokens;   ///< max_tokens, max_completion_tokens or n_predict
    uint64_t prompt_bytes = 0;           ///< text under "messages" or "prompt"
};

/// The parse error reads as nlohmann-json's own message, which llama-server returns verbatim:
/// "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
std::variant<RequestFields, std::string> read_request_fields(std::string_view body);

}  // namespace ggufd::fake
