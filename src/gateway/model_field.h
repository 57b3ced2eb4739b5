// Finding the top-level "model" of a JSON request body without keeping a document: the body is
// validated in full (malformed JSON is a 400) by simdjson, and only one string is kept. Bodies
// simdjson refuses are judged again by nlohmann's parser, which llama-server itself uses, so the
// verdict and the error message are the child's own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ggufd::gateway {

struct ModelField {
    enum class Status { found, missing, not_a_string, not_an_object, invalid_json };
    Status status = Status::missing;
    std::string model;
    std::string error;  ///< for invalid_json: where and what, from the parser

    bool operator==(const ModelField&) const = default;
};

/// How many bytes past the end of a body the parser may read (simdjson's SIMDJSON_PADDING; their
/// content does not matter). A caller that keeps that much of its buffer after the body lets the
/// body be parsed where it lies; otherwise it is copied first.
inline constexpr size_t kModelFieldPadding = 64;

/// The top-level "model" of `body`; with several, the last, as llama-server reads it.
/// `readable_after_end`: how many bytes of the same buffer follow the body.
ModelField extract_model(std::string_view body, size_t readable_after_end);

}  // namespace ggufd::gateway
