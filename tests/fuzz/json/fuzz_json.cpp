// fuzz_json: the front door's two readings of JSON on arbitrary bytes. Routing: simdjson's reading
// of a body's top-level "model", in place before arbitrary padding and from a copy, must agree in
// every field with the reference SAX reading (which decides wherever simdjson refuses a body).
// Token counting: a response read in pieces gives the count of the whole, never more.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model_field.h"
#include "model_field_sax.h"
#include "usage_scanner.h"

namespace {

using namespace ggufd::gateway;

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz_json: %s\n", what);
    std::abort();
}

void check_model_field(std::string_view body) {
    const ModelField reference = extract_model_with_sax(body);
    // The padding is the body's own bytes (JSON-looking on purpose): it must never be read as JSON.
    std::string buffer(body);
    while (buffer.size() < body.size() + kModelFieldPadding) buffer += body.empty() ? std::string_view("{\"") : body;
    const ModelField in_place = extract_model(std::string_view(buffer).substr(0, body.size()), buffer.size() - body.size());
    check(in_place == reference, "in place, simdjson and the reference disagree");
    check(extract_model(body, 0) == reference, "from a copy, simdjson and the reference disagree");
    check((reference.status == ModelField::Status::invalid_json) == !reference.error.empty(),
          "an error message without invalid_json, or invalid_json without one");
    check(reference.status == ModelField::Status::found || reference.model.empty(), "a model kept without found");
}

void check_usage_scanner(std::string_view body) {
    UsageScanner whole;
    whole.scan(body);
    UsageScanner pieces;
    uint32_t state = static_cast<uint32_t>(body.size()) * 2654435761u + (body.empty() ? 0 : uint8_t(body[0]));
    for (size_t at = 0; at < body.size();) {
        state = state * 1103515245u + 12345u;
        const size_t size = 1 + (state >> 16) % 64;
        pieces.scan(body.substr(at, size));
        at += size;
    }
    check(pieces.tokens() <= whole.tokens(), "pieces counted more than the whole");
    // Every counter fits the carried window when there is no whitespace and no number over 19
    // digits: then the pieces must find exactly what the whole does.
    size_t digits = 0, longest = 0;
    for (char c : body) longest = std::max(longest, digits = (c >= '0' && c <= '9') ? digits + 1 : 0);
    if (body.find_first_of(" \t\r\n") == std::string_view::npos && longest <= 19) {
        check(pieces.tokens() == whole.tokens(), "a counter cut by a read boundary was missed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_model_field(input);
    check_usage_scanner(input);
    return 0;
}
