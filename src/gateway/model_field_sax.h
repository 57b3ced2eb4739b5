// The reference reading of a request body's "model", with nlohmann's strict SAX parser: slower
// than simdjson, but it accepts exactly what llama-server accepts (big integers, deep nesting, a
// byte-order mark) and says where a body is malformed (line and column). extract_model() uses it
// for every body simdjson refuses; the fuzzer checks that the two agree on everything else.
#pragma once

#include <string_view>

#include "model_field.h"

namespace ggufd::gateway {

ModelField extract_model_with_sax(std::string_view body);

}  // namespace ggufd::gateway
