// Building a ModelInfo: llama.cpp's hyper-parameter keys, per-layer arrays, its defaults
// (KV heads = heads, head width = embedding / heads) and the sliding-window patterns that
// llama.cpp hard-codes per architecture (src/models/<arch>.cpp).
#include "ggufd/gguf/model_info.h"

#include <array>
#include <limits>
#include <map>

namespace ggufd::gguf {
namespace {

struct SwaDefault {
    std::string_view architecture;
    uint32_t period;                  ///< every period-th layer is full attention, the rest windowed
    std::optional<uint32_t> window;   ///< used when the file has no sliding_window key
};

// llama.cpp b10472 set_swa_pattern() defaults; other architectures get SWA only from the file.
constexpr std::array kSwaDefaults{
    SwaDefault{"gemma2", 2, 4096}, SwaDefault{"gemma3", 6, std::nullopt}, SwaDefault{"gemma3n", 5, std::nullopt},
    SwaDefault{"cohere2", 4, std::nullopt}, SwaDefault{"exaone4", 4, 4096}, SwaDefault{"olmo2", 4, std::nullopt},
    SwaDefault{"gpt-oss", 2, std::nullopt}, SwaDefault{"llama4", 4, 8192},
};

class HparamReader {
public:
    HparamReader(const GgufFile& file, std::string arch) : file_(file), metadata_(file.metadata), arch_(std::move(arch)) {}

    std::string key(std::string_view suffix) const { return arch_ + "." + std::string(suffix); }

    std::optional<uint32_t> u32(std::string_view suffix) const {
        const std::string k = key(suffix);
        auto v = metadata_.get_unsigned(k);
        if (v && *v > std::numeric_limits<uint32_t>::max()) fail(k, "is " + std::to_string(*v) + ", too large");
        return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
    }

    /// A value that GGUF stores either once or once per layer, expanded to `layers` entries.
    std::vector<uint32_t> per_layer(std::string_view suffix, uint32_t layers) const {
        const std::string k = key(suffix);
        const KeyValue* entry = metadata_.find(k);
        if (!entry) return {};
        if (const auto* array = entry->value.get_if<Array>()) {
            if (array->size() != layers) {
                fail(k, "has " + std::to_string(array->size()) + " entries, expected one per layer (" +
                            std::to_string(layers) + ")");
            }
            std::vector<uint32_t> values;
            for (size_t i = 0; i < array->size(); ++i) {
                auto v = array->integer_at(i);
                if (!v || *v < 0 || *v > std::numeric_limits<uint32_t>::max()) {
                    fail(k, "must hold non-negative 32-bit integers");
                }
                values.push_back(static_cast<uint32_t>(*v));
            }
            return values;
        }
        auto v = u32(suffix);
        return std::vector<uint32_t>(layers, *v);
    }

    [[noreturn]] void fail(const std::string& k, const std::string& problem) const {
        const KeyValue* entry = metadata_.find(k);
        throw FormatError(file_.name, entry ? entry->offset : 0, "key '" + k + "' " + problem);
    }

    std::vector<bool> swa_layers(uint32_t layers, std::optional<uint32_t>& window) const {
        const SwaDefault* defaults = nullptr;
        for (const auto& d : kSwaDefaults) {
            if (d.architecture == arch_) defaults = &d;
        }
        if (!window && defaults) window = defaults->window;
        if (!window || *window == 0) {
            window.reset();
            return {};
        }
        const std::string k = key("attention.sliding_window_pattern");
        const KeyValue* entry = metadata_.find(k);
        std::vector<bool> swa(layers, false);
        if (entry && entry->value.get_if<Array>()) {
            const auto* flags = entry->value.get_if<Array>()->get_if<bool>();
            if (!flags || flags->size() != layers) fail(k, "must be one bool per layer");
            swa = *flags;
            return swa;
        }
        std::optional<uint32_t> period = entry ? u32("attention.sliding_window_pattern") : std::nullopt;
        if (!period && defaults) period = defaults->period;
        if (!period) {
            window.reset();  // a window without a pattern: llama.cpp would not use it either
            return {};
        }
        // llama_hparams::set_swa_pattern: period 0 means every layer is windowed.
        for (uint32_t il = 0; il < layers; ++il) swa[il] = *period == 0 || il % *period < *period - 1;
        return swa;
    }

private:
    const GgufFile& file_;
    const Metadata& metadata_;
    std::string arch_;
};

std::string dominant_type(const GgufFile& file) {
    std::map<GgmlType, uint64_t> bytes;
    for (const auto& tensor : file.tensors) bytes[tensor.type] += tensor.n_bytes;
    std::string best;
    uint64_t most = 0;
    for (const auto& [type, total] : bytes) {
        if (best.empty() || total > most) {
            best = std::string(to_string(type));
            most = total;
        }
    }
    return best;
}

}  // namespace

ModelInfo summarize(const GgufFile& file) {
    ModelInfo info;
    const Metadata& md = file.metadata;
    if (const auto* arch = md.get_string("general.architecture")) info.architecture = *arch;
    if (const auto* name = md.get_string("general.name")) info.name = *name;
    info.file_size = file.file_size;
    for (const auto& tensor : file.tensors) {
        info.parameter_count += tensor.n_elements;
        info.tensor_bytes += tensor.n_bytes;
    }
    info.has_token_embedding = file.find_tensor("token_embd.weight") != nullptr;
    info.has_output = file.find_tensor("output.weight") != nullptr;

    if (const auto* tokens = md.get_array("tokenizer.ggml.tokens")) info.vocab_size = static_cast<uint32_t>(tokens->size());
    if (auto ft = md.get_unsigned("general.file_type"); ft && *ft <= std::numeric_limits<uint32_t>::max()) {
        info.file_type = static_cast<uint32_t>(*ft);
    }
    const auto ft_name = info.file_type ? file_type_name(*info.file_type) : std::nullopt;
    info.quantization = ft_name ? std::string(*ft_name) : dominant_type(file);

    if (info.architecture.empty()) return info;
    const HparamReader r(file, info.architecture);
    info.context_length = r.u32("context_length");
    info.block_count = r.u32("block_count").value_or(0);
    // Per-layer values are expanded to block_count entries: a hostile count must not make
    // that allocation huge. The deepest real models have a few hundred layers.
    if (info.block_count > kMaxBlockCount) {
        r.fail(r.key("block_count"), "is " + std::to_string(info.block_count) + ", more than " +
                                         std::to_string(kMaxBlockCount) + " layers");
    }
    info.embedding_length = r.u32("embedding_length");
    info.feed_forward_length = r.per_layer("feed_forward_length", info.block_count);
    info.head_count = r.per_layer("attention.head_count", info.block_count);
    info.head_count_kv = r.per_layer("attention.head_count_kv", info.block_count);
    if (info.head_count_kv.empty()) info.head_count_kv = info.head_count;

    const uint32_t heads0 = info.head_count.empty() ? 0 : info.head_count[0];
    const std::optional<uint32_t> default_width =
        info.embedding_length && heads0 > 0 ? std::optional<uint32_t>(*info.embedding_length / heads0) : std::nullopt;
    info.key_length = r.u32("attention.key_length");
    if (!info.key_length) info.key_length = default_width;
    info.value_length = r.u32("attention.value_length");
    if (!info.value_length) info.value_length = default_width;

    info.sliding_window = r.u32("attention.sliding_window");
    info.sliding_window_layers = r.swa_layers(info.block_count, info.sliding_window);
    return info;
}

}  // namespace ggufd::gguf
