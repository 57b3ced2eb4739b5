// /v1/embeddings and /tokenize: numbers derived from the input text, the same text always
// giving the same numbers, so tests can compare answers. Pure: request body in, reply out.
#pragma once

#include <string>
#include <string_view>

namespace ggufd::fake {

struct Reply {
    int status = 200;
    std::string body;
};

/// One `dim`-long unit vector per input (a string, or an array of strings or token lists), in
/// OpenAI's list shape. The reply echoes the request's model, else `default_model`.
Reply embeddings_reply(std::string_view request_body, int dim, std::string_view default_model);

/// {"tokens":[...]}: one token per byte of "content", numbered as an SPM byte vocabulary does.
Reply tokenize_reply(std::string_view request_body);

}  // namespace ggufd::fake
