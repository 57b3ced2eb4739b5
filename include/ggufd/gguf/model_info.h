// A model's summary from its GGUF header: what `/v1/models`, `ggufd models` and the memory
// estimate need (architecture, size, shape, quantisation). Pure: no I/O, no formatting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/gguf/gguf_file.h"

namespace ggufd::gguf {

/// The shape and size of a model, read the way llama.cpp reads it: keys are
/// `<architecture>.context_length`, `<architecture>.attention.head_count`, ...; values that
/// GGUF allows per layer (head counts, feed-forward width) are expanded to one per layer.
struct ModelInfo {
    std::string architecture;             ///< general.architecture: "llama", "gemma3", ...
    std::string name;                     ///< general.name, or empty
    uint64_t parameter_count = 0;         ///< elements of all tensors
    uint64_t tensor_bytes = 0;            ///< bytes of all tensors
    uint64_t file_size = 0;

    std::optional<uint32_t> context_length;  ///< the training context
    uint32_t block_count = 0;             ///< layers; 0 when the key is missing
    std::optional<uint32_t> embedding_length;
    std::vector<uint32_t> feed_forward_length;  ///< per layer; empty when unknown
    std::vector<uint32_t> head_count;     ///< per layer; empty when unknown
    std::vector<uint32_t> head_count_kv;  ///< per layer; head_count when the key is missing
    /// Per-head widths of keys and values: attention.key_length / value_length, else
    /// embedding_length / head_count of layer 0 (llama.cpp's default).
    std::optional<uint32_t> key_length;
    std::optional<uint32_t> value_length;
    /// Sliding-window attention: the window, and which layers use it (empty when none do).
    std::optional<uint32_t> sliding_window;
    std::vector<bool> sliding_window_layers;
    std::optional<uint32_t> vocab_size;   ///< entries of tokenizer.ggml.tokens

    std::optional<uint32_t> file_type;    ///< general.file_type
    /// "Q4_K_M" from general.file_type; else the type holding most tensor bytes ("Q8_0");
    /// empty for a file without tensors.
    std::string quantization;

    bool has_token_embedding = false;     ///< token_embd.weight
    bool has_output = false;              ///< output.weight; without it the output reuses token_embd
};

/// More layers than any model has; a larger block_count is rejected as malformed.
inline constexpr uint32_t kMaxBlockCount = 65536;

/// Summarises a parsed header. Throws FormatError when a key it reads has the wrong type or a
/// per-layer array does not have block_count entries, or block_count exceeds kMaxBlockCount.
ModelInfo summarize(const GgufFile& file);

}  // namespace ggufd::gguf
