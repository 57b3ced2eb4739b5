// A generator of small (or not so small) random-weight llama models that the real llama-server
// loads and serves: the project's tests and benchmarks write their own models with it.
// Shape, weight type and seed are parameters; the output is deterministic for a given spec.
#pragma once

#include <cstdint>
#include <string>

#include "ggufd/gguf/writer.h"

namespace ggufd::gguf {

/// The shape of a llama model (llama.cpp architecture "llama") with an SPM vocabulary:
/// <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, then letter and word pieces.
struct TinyLlamaSpec {
    uint32_t layers = 2;
    uint32_t embedding = 64;     ///< n_embd; a multiple of `heads`, and of 32 for Q8_0/Q4_0
    uint32_t heads = 4;          ///< embedding / heads (the head dimension) must be even
    uint32_t kv_heads = 4;       ///< divides `heads` (grouped-query attention when smaller)
    uint32_t feed_forward = 128; ///< a multiple of 32 for Q8_0/Q4_0
    uint32_t context = 2048;     ///< llama.context_length, the training context
    uint32_t vocab = 312;        ///< at least 260 (3 control + 256 bytes + 1 text token)
    GgmlType weight_type = GgmlType::F32;  ///< F32, F16, Q8_0 or Q4_0; norms are always F32
    uint64_t seed = 1;
    std::string name = "tiny-llama";
};

/// The index of the first text token: rows before it in the output projection are zero, so
/// the model never emits control tokens or lone bytes (invalid UTF-8 makes llama-server
/// answer 500).
inline constexpr uint32_t kFirstTextToken = 3 + 256;

/// Throws std::invalid_argument saying which field is out of range and why.
void validate(const TinyLlamaSpec& spec);

/// A writer holding the whole model, ready for write() or to_bytes(). Validates first.
Writer tiny_llama(const TinyLlamaSpec& spec);

}  // namespace ggufd::gguf
