// The memory estimate: which tensors llama.cpp places on the GPU (llama-model.cpp
// load_tensors), how it sizes the KV cache (llama-context.cpp, llama-kv-cache*.cpp) and a
// compute-buffer model fitted to its CPU buffer reports. docs/MEMORY.md derives each term.
#include "ggufd/memory/estimate.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "ggufd/gguf/model_info.h"
#include "ggufd/util/units.h"

namespace ggufd::memory {
namespace {

using gguf::ModelInfo;

// Sizes are computed in double, which is exact for any real model (below 2^53 bytes) and
// cannot wrap for an absurd one; they are clamped when stored.
uint64_t to_bytes(double value) { return value >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(value); }

double bytes_of(gguf::GgmlType type, double elements) {
    const auto& info = gguf::ggml_type_info(type);
    return std::ceil(elements / info.block_size) * info.block_bytes;
}

double pad256(double n) { return std::ceil(n / 256) * 256; }

double max_of(const std::vector<uint32_t>& values) {
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

// llama.cpp's LLAMA_MAX_SEQ: llama-server refuses more slots.
constexpr uint32_t kMaxSlots = 256;

/// The KV cache's shape as llama-server sets it up.
struct ContextShape {
    double cells = 0;      ///< per stream
    double swa_cells = 0;  ///< per stream, for sliding-window layers
    double streams = 1;    ///< 1 when unified, else one per slot
    double tokens = 0;     ///< tokens per compute step (n_ubatch after clamping)
    double outputs = 0;    ///< logits rows kept (one per slot)
};

ContextShape context_shape(const ModelInfo& info, const EstimateParams& p) {
    ContextShape shape;
    // llama-server: -np auto means 4 slots sharing one unified cache.
    const double slots = p.parallel ? std::clamp(*p.parallel, 1u, kMaxSlots) : 4;
    const bool unified = p.parallel ? p.kv_unified.value_or(false) : true;
    const double requested = p.ctx_size && *p.ctx_size > 0 ? *p.ctx_size : info.context_length.value_or(4096);
    // llama_context: n_ctx is padded to 256; without a unified cache each slot gets its own
    // stream of pad256(n_ctx / slots) cells.
    double n_ctx = pad256(requested);
    if (unified) {
        shape.cells = n_ctx;
    } else {
        shape.streams = slots;
        shape.cells = std::max(256.0, pad256(std::floor(n_ctx / slots)));
        n_ctx = shape.cells * slots;
    }
    const double batch = std::min(std::max(1.0, static_cast<double>(p.batch)), n_ctx);
    shape.tokens = std::min(std::max(1.0, static_cast<double>(p.ubatch)), batch);
    shape.outputs = slots;
    if (info.sliding_window) {
        // llama_kv_cache_iswa: the window (times the slots sharing a unified cache) plus one step.
        const double needed = static_cast<double>(*info.sliding_window) * (unified ? slots : 1) + shape.tokens;
        shape.swa_cells = p.swa_full ? shape.cells : pad256(std::min(shape.cells, needed));
    }
    return shape;
}

bool is_swa_layer(const ModelInfo& info, uint32_t layer) {
    return layer < info.sliding_window_layers.size() && info.sliding_window_layers[layer];
}

double kv_bytes_of_layer(const ModelInfo& info, const EstimateParams& p, const ContextShape& shape, uint32_t layer) {
    const double kv_heads = info.head_count_kv[layer];
    const double row = bytes_of(p.cache_type_k, kv_heads * *info.key_length) +
                       bytes_of(p.cache_type_v, kv_heads * *info.value_length);
    const double cells = is_swa_layer(info, layer) ? shape.swa_cells : shape.cells;
    return row * cells * shape.streams;
}

/// The compute buffer llama.cpp reserves for one step of `tokens` tokens. Fitted to the
/// CPU backend's reports (docs/MEMORY.md): the high-water mark of ggml's graph allocator is
/// the larger of the feed-forward block (gate, up and their product, 3 x ff, plus 2 to 4
/// embedding widths depending on how freed blocks can be reused, which the layout of the V
/// cache changes) and the attention block (at least 5 embedding widths), plus the attention
/// mask (f16 with flash attention) and, without flash attention, the f32 scores of every head.
double compute_bytes(const ModelInfo& info, const EstimateParams& p, const ContextShape& shape) {
    const double embd = *info.embedding_length;
    const double heads = max_of(info.head_count);
    const double kv_heads = max_of(info.head_count_kv);
    const double ff = info.feed_forward_length.empty() ? 4 * embd : max_of(info.feed_forward_length);
    const double q = heads * *info.key_length, o = heads * *info.value_length;
    const double k = kv_heads * *info.key_length, v = kv_heads * *info.value_length;

    const bool quantised_v = gguf::ggml_type_info(p.cache_type_v).block_size > 1;
    const double feed_forward = 3 * ff + (ff <= 2 * embd ? 2 : quantised_v ? 3 : 4) * embd;
    double attention = std::max(embd + q + o + k + v, 5 * embd);
    if (!p.flash_attention) attention += heads * shape.cells;
    const double floats_per_token = std::max(feed_forward, attention) + 5;

    const double mask_element = p.flash_attention ? 2 : 4;
    const double mask = (shape.cells + shape.swa_cells) * shape.tokens * mask_element;
    return floats_per_token * shape.tokens * 4 + mask;
}

void require_shape(const gguf::GgufFile& file, const ModelInfo& info) {
    auto missing = [&](const std::string& what) {
        throw std::invalid_argument(file.name + ": cannot estimate memory: architecture '" + info.architecture +
                                    "' has no " + what);
    };
    if (info.architecture.empty()) {
        throw std::invalid_argument(file.name + ": cannot estimate memory: no general.architecture");
    }
    if (info.block_count == 0) missing(info.architecture + ".block_count");
    if (!info.embedding_length) missing(info.architecture + ".embedding_length");
    if (info.head_count.empty() || !info.key_length || !info.value_length) {
        missing(info.architecture + ".attention.head_count");
    }
}

// mtmd loads the projector onto the GPU whenever there is one and offload is on, whatever
// -ngl says. Its image encoder's compute buffer is not modelled (docs/MEMORY.md).
bool projector_on_gpu(const EstimateParams& p) { return p.gpu != GpuBackend::none && p.projector_offload; }

uint64_t backend_overhead(GpuBackend gpu) {
    switch (gpu) {
        case GpuBackend::cuda: return kCudaOverheadBytes;
        case GpuBackend::rocm: return kRocmOverheadBytes;
        case GpuBackend::none: break;
    }
    return 0;
}

std::string explain(const Estimate& e, const ModelInfo& info, const EstimateParams& p) {
    using units::format_bytes;
    std::ostringstream out;
    const auto kv_note = [&] {
        return std::to_string(e.context) + " x " + std::string(gguf::to_string(p.cache_type_k)) + "/" +
               std::string(gguf::to_string(p.cache_type_v));
    };
    const auto projector_note = [&](bool here) {
        return p.projector_bytes > 0 && here ? ", incl. projector " + format_bytes(p.projector_bytes) : std::string();
    };
    if (e.device.total() > 0) {
        out << "GPU " << format_bytes(e.device.total()) << " (weights "
            << format_bytes(e.device.weights) << " for " << e.offloaded_layers << "/" << info.block_count << " layers"
            << (e.output_offloaded ? " + output" : "") << projector_note(projector_on_gpu(p)) << ", KV "
            << format_bytes(e.device.kv_cache) << " at " << kv_note() << ", compute " << format_bytes(e.device.compute)
            << ", " << (p.gpu == GpuBackend::cuda ? "CUDA" : "ROCm") << " overhead " << format_bytes(e.device.overhead)
            << "); host " << format_bytes(e.host.total()) << projector_note(!projector_on_gpu(p));
    } else {
        out << "host " << format_bytes(e.host.total()) << " (weights " << format_bytes(e.host.weights)
            << projector_note(true) << ", KV " << format_bytes(e.host.kv_cache) << " at " << kv_note() << ", compute "
            << format_bytes(e.host.compute) << ", overhead " << format_bytes(e.host.overhead) << "); no GPU offload";
    }
    return out.str();
}

uint64_t saturating_sum(std::initializer_list<uint64_t> values) {
    uint64_t sum = 0;
    for (uint64_t v : values) sum = v > UINT64_MAX - sum ? UINT64_MAX : sum + v;
    return sum;
}

}  // namespace

uint64_t MemoryParts::total() const { return saturating_sum({weights, kv_cache, compute, overhead}); }

uint64_t Estimate::total() const { return saturating_sum({device.total(), host.total()}); }

uint64_t Estimate::device_share(size_t devices) const {
    if (devices == 0) return 0;
    return saturating_sum({(device.total() - device_projector) / devices, device_projector});
}

Estimate estimate(const gguf::GgufFile& file, const EstimateParams& p) {
    const ModelInfo info = gguf::summarize(file);
    require_shape(file, info);
    const uint32_t n_layer = info.block_count;

    // llama_model::load_tensors: the last n_gpu_layers of the n_layer + 1 "layers" (the
    // repeating blocks, then the output layer) go to the GPU; the input layer never does.
    const uint32_t gpu_layers = p.gpu == GpuBackend::none ? 0
                                : p.n_gpu_layers < 0    ? n_layer + 1
                                                        : std::min<uint32_t>(static_cast<uint32_t>(p.n_gpu_layers), n_layer + 1);
    const uint32_t first_gpu_layer = n_layer + 1 - gpu_layers;
    Estimate e;
    e.output_offloaded = gpu_layers > 0;
    e.offloaded_layers = gpu_layers > 0 ? gpu_layers - 1 : 0;

    for (const auto& tensor : file.tensors) {
        bool on_gpu = false;
        if (auto layer = gguf::block_index(tensor.name)) {
            on_gpu = *layer >= first_gpu_layer;
        } else if (tensor.name.starts_with("output")) {
            on_gpu = e.output_offloaded;
        }
        (on_gpu ? e.device : e.host).weights += tensor.n_bytes;
    }
    // Tied embeddings: llama.cpp loads token_embd a second time as the output projection,
    // in the output layer's buffer. On the host both share one mapping of the file.
    if (!info.has_output && e.output_offloaded) {
        if (const auto* embd = file.find_tensor("token_embd.weight")) e.device.weights += embd->n_bytes;
    }
    (projector_on_gpu(p) ? e.device : e.host).weights += p.projector_bytes;
    if (projector_on_gpu(p)) e.device_projector = p.projector_bytes;

    const ContextShape shape = context_shape(info, p);
    e.context = static_cast<uint32_t>(std::min(shape.cells * shape.streams, 4294967295.0));
    double kv_device = 0, kv_host = 0;
    for (uint32_t layer = 0; layer < n_layer; ++layer) {
        const bool on_gpu = layer >= first_gpu_layer && p.kv_offload;
        (on_gpu ? kv_device : kv_host) += kv_bytes_of_layer(info, p, shape, layer);
    }
    e.device.kv_cache = to_bytes(kv_device);
    e.host.kv_cache = to_bytes(kv_host);

    // The graph runs on the GPU when anything is offloaded; the host then keeps a buffer for
    // the token embeddings it looks up, or the whole graph again when some layers stay there.
    const double graph = compute_bytes(info, p, shape);
    const double logits = static_cast<double>(info.vocab_size.value_or(0)) * shape.outputs * 4;
    if (gpu_layers == 0) {
        e.host.compute = to_bytes(graph + logits);
    } else {
        e.device.compute = to_bytes(graph);
        const bool all_layers = e.offloaded_layers >= n_layer;
        e.host.compute = to_bytes((all_layers ? static_cast<double>(*info.embedding_length) * shape.tokens * 4 : graph) + logits);
    }
    if (gpu_layers > 0 || (projector_on_gpu(p) && p.projector_bytes > 0)) e.device.overhead = backend_overhead(p.gpu);
    e.host.overhead = kHostOverheadBytes + uint64_t{info.vocab_size.value_or(0)} * kHostOverheadBytesPerToken;
    e.explanation = explain(e, info, p);
    return e;
}

}  // namespace ggufd::memory
