// fuzz_gguf: the GGUF header parser on arbitrary bytes, then the ModelInfo summary of every
// header it accepts, and a round trip of the accepted metadata through the writer (what the
// parser accepts, the writer must reproduce byte for byte on a second pass).
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "ggufd/gguf/model_info.h"
#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/writer.h"

namespace {

using namespace ggufd::gguf;

std::vector<uint8_t> rewrite(const GgufFile& file) {
    Writer writer(file.version);
    for (const auto& entry : file.metadata.entries()) writer.add(entry.key, entry.value);
    for (const auto& tensor : file.tensors) writer.add_tensor(tensor.name, tensor.dims, tensor.type);
    return writer.to_bytes();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    GgufFile file;
    try {
        file = parse(std::span(data, size), "fuzz.gguf");
    } catch (const FormatError&) {
        return 0;
    }
    try {
        (void)summarize(file);
    } catch (const FormatError&) {
        // Wrongly typed hyper-parameters are reported, not crashed on.
    }
    const auto once = rewrite(file);
    const auto twice = rewrite(parse(once, "rewritten.gguf"));
    if (once != twice) {
        std::fprintf(stderr, "writer round trip is not stable\n");
        std::abort();
    }
    return 0;
}
