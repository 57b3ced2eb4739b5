// Error bodies in OpenAI's shape, which every SDK knows how to surface:
// {"error":{"message":"...","type":"invalid_request_error","param":null,"code":"model_not_found"}}
#pragma once

#include <string>
#include <string_view>

namespace ggufd::gateway {

/// The JSON body for an error with this HTTP status; `code` is a short machine-readable word.
std::string openai_error_body(int status, std::string_view message, std::string_view code);

/// The same error as one SSE event ("data: {...}\n\n"), for failures inside a stream: the shape
/// llama-server itself uses, so clients handle both alike.
std::string openai_error_event(int status, std::string_view message, std::string_view code);

}  // namespace ggufd::gateway
