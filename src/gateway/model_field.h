// Finding the top-level "model" of a JSON request body without building a document: the body is
// validated in full (malformed JSON is a 400), but only one string is kept.
#pragma once

#include <string>
#include <string_view>

namespace ggufd::gateway {

struct ModelField {
    enum class Status { found, missing, not_a_string, not_an_object, invalid_json };
    Status status = Status::missing;
    std::string model;
    std::string error;  ///< for invalid_json: where and what, from the parser
};

ModelField extract_model(std::string_view body);

}  // namespace ggufd::gateway
