// A SAX reader for RequestFields: nlohmann-json tokenises the body and validates it fully
// (so bad JSON is refused with llama-server's exact message), while only the handful of
// top-level values the fake needs are kept. No tree, no per-key allocation.
#include "request_fields.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

namespace ggufd::fake {
namespace {

enum class Key { other, model, stream, stream_options, max_tokens, prompt_text };

Key classify_top_key(std::string_view key) {
    if (key == "model") return Key::model;
    if (key == "stream") return Key::stream;
    if (key == "stream_options") return Key::stream_options;
    if (key == "max_tokens" || key == "max_completion_tokens" || key == "n_predict") return Key::max_tokens;
    if (key == "messages" || key == "prompt") return Key::prompt_text;
    return Key::other;
}

class FieldReader {
public:
    using json = nlohmann::json;

    RequestFields fields;
    std::string error;

    bool null() { return true; }
    bool boolean(bool value) {
        if (at_top()) {
            if (top_key_ == Key::stream) fields.stream = value;
        } else if (in_stream_options() && usage_key_) {
            fields.include_usage = value;
        }
        return true;
    }
    bool number_integer(json::number_integer_t value) { return integer(value); }
    bool number_unsigned(json::number_unsigned_t value) {
        return integer(static_cast<int64_t>(std::min<json::number_unsigned_t>(value, INT64_MAX)));
    }
    bool number_float(json::number_float_t value, const json::string_t&) {
        return integer(static_cast<int64_t>(value));
    }
    bool string(json::string_t& value) {
        if (!root_is_object_ || depth_ == 0) return true;
        if (top_key_ == Key::prompt_text) fields.prompt_bytes += value.size();
        if (at_top() && top_key_ == Key::model) fields.model = std::move(value);
        return true;
    }
    bool binary(json::binary_t&) { return true; }
    bool start_object(std::size_t) {
        if (depth_ == 0) root_is_object_ = true;
        ++depth_;
        return true;
    }
    bool key(json::string_t& key) {
        if (!root_is_object_) return true;
        if (depth_ == 1) {
            top_key_ = classify_top_key(key);
            usage_key_ = false;
        } else if (depth_ == 2 && top_key_ == Key::stream_options) {
            usage_key_ = key == "include_usage";
        }
        return true;
    }
    bool end_object() { return leave(); }
    bool start_array(std::size_t) {
        ++depth_;
        return true;
    }
    bool end_array() { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
        error = ex.what();
        return false;
    }

private:
    bool at_top() const { return root_is_object_ && depth_ == 1; }
    bool in_stream_options() const { return root_is_object_ && depth_ == 2 && top_key_ == Key::stream_options; }

    bool integer(int64_t value) {
        if (at_top() && top_key_ == Key::max_tokens) fields.max_tokens = value;
        return true;
    }
    bool leave() {
        --depth_;
        if (depth_ == 1) usage_key_ = false;
        return true;
    }

    int depth_ = 0;
    bool root_is_object_ = false;
    Key top_key_ = Key::other;
    bool usage_key_ = false;  ///< the current key inside stream_options is include_usage
};

}  // namespace

std::variant<RequestFields, std::string> read_request_fields(std::string_view body) {
    FieldReader reader;
    if (!nlohmann::json::sax_parse(body.begin(), body.end(), &reader)) return std::move(reader.error);
    return std::move(reader.fields);
}

}  // namespace ggufd::fake
