// nlohmann's SAX reading of a body's top-level "model" (see model_field_sax.h): depth is tracked
// without recursion, so any nesting is fine, and the whole body is checked.
#include "model_field_sax.h"

#include <nlohmann/json.hpp>

namespace ggufd::gateway {
namespace {

constexpr size_t kMaxErrorBytes = 300;

// A SAX handler that tracks nesting depth and remembers the value of the top-level "model" key.
class ModelFinder : public nlohmann::json_sax<nlohmann::json> {
public:
    ModelField result;

    bool null() override { return scalar(); }
    bool boolean(bool) override { return scalar(); }
    bool number_integer(number_integer_t) override { return scalar(); }
    bool number_unsigned(number_unsigned_t) override { return scalar(); }
    bool number_float(number_float_t, const string_t&) override { return scalar(); }
    bool binary(binary_t&) override { return scalar(); }
    bool string(string_t& value) override {
        if (at_model_value()) {
            result.status = ModelField::Status::found;
            result.model = std::move(value);
        }
        expecting_model_value_ = false;
        root_seen_ = true;
        return true;
    }
    bool start_object(std::size_t) override {
        if (depth_ == 0) top_is_object_ = true;
        return open();
    }
    bool start_array(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& key) override {
        expecting_model_value_ = depth_ == 1 && key == "model";
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        result.status = ModelField::Status::invalid_json;
        // nlohmann's message names the line and column, then quotes what it last read, which
        // can be a whole megabyte-long token: the quote is cut, so the answer stays small.
        result.error = e.what();
        if (result.error.size() > kMaxErrorBytes) result.error.replace(kMaxErrorBytes, std::string::npos, "...");
        return false;
    }

    bool top_is_object() const { return top_is_object_; }

private:
    bool at_model_value() const { return expecting_model_value_ && depth_ == 1; }
    void not_a_string() {
        result.status = ModelField::Status::not_a_string;
        result.model.clear();  // an earlier "model" string was replaced by this value
    }
    bool scalar() {
        if (at_model_value()) not_a_string();
        expecting_model_value_ = false;
        root_seen_ = true;
        return true;
    }
    bool open() {
        if (at_model_value()) not_a_string();
        expecting_model_value_ = false;
        ++depth_;
        return true;
    }
    bool close() {
        --depth_;
        return true;
    }

    int depth_ = 0;
    bool expecting_model_value_ = false;
    bool top_is_object_ = false;
    bool root_seen_ = false;
};

}  // namespace

ModelField extract_model_with_sax(std::string_view body) {
    ModelFinder finder;
    bool ok = nlohmann::json::sax_parse(body.begin(), body.end(), &finder, nlohmann::json::input_format_t::json,
                                        /*strict=*/true);
    if (!ok || finder.result.status == ModelField::Status::invalid_json) {
        ModelField invalid;
        invalid.status = ModelField::Status::invalid_json;
        invalid.error = finder.result.error.empty() ? "malformed JSON" : finder.result.error;
        return invalid;
    }
    if (!finder.top_is_object()) return ModelField{ModelField::Status::not_an_object, "", ""};
    return finder.result;
}

}  // namespace ggufd::gateway
