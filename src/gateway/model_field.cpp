// extract_model() on simdjson's validating parse (stage 1 finds the structure and checks UTF-8 at
// several GB/s, stage 2 checks every value), then a walk over the top-level object's keys only.
#include "model_field.h"

#include <simdjson.h>

#include "model_field_sax.h"

namespace ggufd::gateway {
namespace {

static_assert(kModelFieldPadding >= simdjson::SIMDJSON_PADDING);

/// Bodies up to this size share their thread's parser, whose buffers (about 14 bytes of address
/// space per body byte) are kept for the next body; a bigger body gets a parser of its own, freed
/// once it is read, so that one big upload does not leave a worker holding its size in memory.
constexpr size_t kSharedParserLimit = 256 * 1024;

ModelField read_model(const simdjson::dom::element& root) {
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) return {ModelField::Status::not_an_object, "", ""};
    ModelField result;
    for (const auto field : object) {
        if (field.key != "model") continue;
        std::string_view name;
        if (field.value.get_string().get(name) == simdjson::SUCCESS) result = {ModelField::Status::found, std::string(name), ""};
        else result = {ModelField::Status::not_a_string, "", ""};
    }
    return result;
}

ModelField parse_padded(simdjson::dom::parser& parser, std::string_view body) {
    simdjson::dom::element root;
    if (parser.parse(body.data(), body.size(), /*realloc_if_needed=*/false).get(root) != simdjson::SUCCESS) {
        // Malformed, or beyond what simdjson reads (integers over 64 bits, nesting over 1024, a
        // byte-order mark): the reference parser decides, and says where a malformed body breaks.
        return extract_model_with_sax(body);
    }
    return read_model(root);
}

}  // namespace

ModelField extract_model(std::string_view body, size_t readable_after_end) {
    if (readable_after_end < kModelFieldPadding) {
        std::string padded;
        padded.reserve(body.size() + kModelFieldPadding);
        padded.assign(body);
        return extract_model(padded, padded.capacity() - padded.size());
    }
    if (body.size() > kSharedParserLimit) {
        simdjson::dom::parser own;
        return parse_padded(own, body);
    }
    thread_local simdjson::dom::parser shared;
    return parse_padded(shared, body);
}

}  // namespace ggufd::gateway
