// fuzz_gguf: the GGUF header parser on arbitrary bytes, then for every header it accepts the
// ModelInfo summary, memory estimates under a few settings, and a round trip through the
// writer (what the parser accepts, the writer must reproduce byte for byte on a second pass).
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "ggufd/gguf/model_info.h"
#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/writer.h"
#include "ggufd/memory/estimate.h"

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
        using ggufd::memory::EstimateParams;
        EstimateParams cpu;
        EstimateParams partial{.gpu = ggufd::memory::GpuBackend::cuda, .n_gpu_layers = 1, .parallel = 3,
                               .cache_type_k = GgmlType::Q8_0, .flash_attention = false};
        EstimateParams all{.gpu = ggufd::memory::GpuBackend::rocm, .ctx_size = 100, .kv_offload = false};
        for (const auto& params : {cpu, partial, all}) (void)ggufd::memory::estimate(file, params).total();
    } catch (const FormatError&) {
        // Wrongly typed hyper-parameters are reported, not crashed on.
    } catch (const std::invalid_argument&) {
        // A header without the shape an estimate needs.
    }
    const auto once = rewrite(file);
    const auto twice = rewrite(parse(once, "rewritten.gguf"));
    if (once != twice) {
        std::fprintf(stderr, "writer round trip is not stable\n");
        std::abort();
    }
    return 0;
}
