// The tiny llama generator: metadata llama.cpp's loader needs for architecture "llama" with an
// SPM vocabulary (llama-model.cpp, llama-vocab.cpp), and random weights generated per chunk.
#include "ggufd/gguf/tiny_llama.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "half.h"
#include "random.h"

namespace ggufd::gguf {
namespace {

constexpr std::string_view kSpmSpace = "\xe2\x96\x81";  // U+2581, SPM's word-start marker

// llama.cpp's token types (llama_token_type).
constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6;

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument("tiny llama: " + message);
}

bool is_quantised(GgmlType type) { return type == GgmlType::Q8_0 || type == GgmlType::Q4_0; }

// File type ids (LLAMA_FTYPE_*) matching the weight type.
uint32_t file_type(GgmlType type) {
    switch (type) {
        case GgmlType::F16: return 1;
        case GgmlType::Q4_0: return 2;
        case GgmlType::Q8_0: return 7;
        default: return 0;
    }
}

// "▁", letters, digits and punctuation, then "▁"-prefixed and bare runs of 1, 2, ... letters:
// unique strings, as many as asked.
std::vector<std::string> text_tokens(uint32_t count) {
    std::vector<std::string> tokens{std::string(kSpmSpace)};
    for (char c : std::string_view("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'-:;()")) {
        tokens.emplace_back(1, c);
    }
    uint64_t combinations = 1;
    for (size_t length = 1; tokens.size() < count; ++length) {
        combinations *= 26;
        for (std::string_view prefix : {kSpmSpace, std::string_view()}) {
            if (prefix.empty() && length == 1) continue;  // bare letters are already there
            for (uint64_t n = 0; n < combinations && tokens.size() < count; ++n) {
                std::string word(prefix);
                word.resize(prefix.size() + length);
                for (size_t i = word.size(), rest = n; i-- > prefix.size(); rest /= 26) word[i] = static_cast<char>('a' + rest % 26);
                tokens.push_back(std::move(word));
            }
        }
    }
    tokens.resize(count);
    return tokens;
}

void add_vocabulary(Writer& writer, uint32_t vocab) {
    std::vector<std::string> tokens{"<unk>", "<s>", "</s>"};
    std::vector<float> scores{0.0f, 0.0f, 0.0f};
    std::vector<int32_t> types{kUnknown, kControl, kControl};
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", byte);
        tokens.emplace_back(name);
        scores.push_back(-1000.0f);
        types.push_back(kByte);
    }
    const auto text = text_tokens(vocab - kFirstTextToken);
    for (size_t i = 0; i < text.size(); ++i) {
        tokens.push_back(text[i]);
        scores.push_back(-static_cast<float>(i));  // earlier pieces are preferred merges
        types.push_back(kNormal);
    }
    writer.add("tokenizer.ggml.model", "llama");
    writer.add("tokenizer.ggml.tokens", Array(std::move(tokens)));
    writer.add("tokenizer.ggml.scores", Array(std::move(scores)));
    writer.add("tokenizer.ggml.token_type", Array(std::move(types)));
    writer.add("tokenizer.ggml.bos_token_id", uint32_t{1});
    writer.add("tokenizer.ggml.eos_token_id", uint32_t{2});
    writer.add("tokenizer.ggml.unknown_token_id", uint32_t{0});
}

/// Random data uniform in [-scale, scale], in the tensor's type; the first `zero_rows` rows
/// are zero. Each chunk draws from its own stream, so chunks can be made in any order.
TensorFill random_fill(uint64_t seed, GgmlType type, uint64_t row_bytes, float scale, uint64_t zero_rows) {
    return [=](uint64_t offset, std::span<uint8_t> out) {
        detail::SplitMix64 rng(detail::mix_seed(seed, offset));
        uint8_t* p = out.data();
        uint8_t* const end = p + out.size();
        switch (type) {
            case GgmlType::F32:  // two values per 64 random bits
                for (; p < end; p += 8) {
                    const uint64_t bits = rng.next();
                    const float v[2] = {detail::SplitMix64::unit(static_cast<uint32_t>(bits)) * scale,
                                        detail::SplitMix64::unit(static_cast<uint32_t>(bits >> 32)) * scale};
                    std::memcpy(p, v, std::min<size_t>(8, static_cast<size_t>(end - p)));
                }
                break;
            case GgmlType::F16: {  // four values per 64 random bits, through a 16-bit lookup table
                std::vector<uint16_t> table(1 << 16);
                for (uint32_t i = 0; i < table.size(); ++i) table[i] = detail::to_half(detail::SplitMix64::unit(i << 16) * scale);
                for (; p < end; p += 8) {
                    uint64_t bits = rng.next();
                    uint16_t h[4];
                    for (auto& v : h) {
                        v = table[bits & 0xffff];
                        bits >>= 16;
                    }
                    std::memcpy(p, h, std::min<size_t>(8, static_cast<size_t>(end - p)));
                }
                break;
            }
            case GgmlType::Q8_0: {  // f16 scale d, then 32 int8 quants in [-127, 127]
                const uint16_t d = detail::to_half(scale / 127.0f);
                for (; p < end; p += 34) {
                    std::memcpy(p, &d, 2);
                    for (int i = 0; i < 32; i += 8) {
                        uint64_t bits = rng.next();
                        for (int j = 0; j < 8; ++j, bits >>= 8) {
                            const auto q = static_cast<int8_t>(bits & 0xff);
                            p[2 + i + j] = static_cast<uint8_t>(q == -128 ? -127 : q);
                        }
                    }
                }
                break;
            }
            case GgmlType::Q4_0: {  // f16 scale d, then 32 nibbles q: value (q - 8) * d
                const uint16_t d = detail::to_half(scale / 8.0f);
                for (; p < end; p += 18) {
                    std::memcpy(p, &d, 2);
                    const uint64_t a = rng.next(), b = rng.next();
                    std::memcpy(p + 2, &a, 8);
                    std::memcpy(p + 10, &b, 8);
                }
                break;
            }
            default: throw std::logic_error("tiny llama: no generator for this weight type");
        }
        const uint64_t first_row = offset / row_bytes;
        if (first_row < zero_rows) {
            const uint64_t rows = std::min<uint64_t>(zero_rows - first_row, out.size() / row_bytes);
            std::memset(out.data(), 0, rows * row_bytes);
        }
    };
}

TensorFill ones() {
    return [](uint64_t, std::span<uint8_t> out) {
        const float one = 1.0f;
        for (size_t i = 0; i + 4 <= out.size(); i += 4) std::memcpy(out.data() + i, &one, 4);
    };
}

class TensorAdder {
public:
    TensorAdder(Writer& writer, const TinyLlamaSpec& spec) : writer_(writer), spec_(spec) {}

    void norm(const std::string& name) { writer_.add_tensor(name, {spec_.embedding}, GgmlType::F32, ones()); }

    /// A weight matrix of `rows` rows of `row_length` elements (ggml dims {row_length, rows}).
    void matrix(const std::string& name, uint32_t row_length, uint32_t rows, uint64_t zero_rows = 0) {
        const GgmlType type = spec_.weight_type;
        const float scale = 2.0f / std::sqrt(static_cast<float>(row_length));
        const uint64_t seed = detail::mix_seed(spec_.seed, ++count_);
        writer_.add_tensor(name, {row_length, rows}, type,
                           random_fill(seed, type, ggml_bytes(type, row_length), scale, zero_rows));
    }

private:
    Writer& writer_;
    const TinyLlamaSpec& spec_;
    uint64_t count_ = 0;
};

}  // namespace

void validate(const TinyLlamaSpec& spec) {
    const auto type = spec.weight_type;
    require(type == GgmlType::F32 || type == GgmlType::F16 || is_quantised(type),
            "weight type must be F32, F16, Q8_0 or Q4_0, not " + std::string(to_string(type)));
    require(spec.layers >= 1, "layers must be at least 1");
    require(spec.heads >= 1 && spec.kv_heads >= 1, "heads and kv_heads must be at least 1");
    require(spec.embedding % spec.heads == 0, "embedding (" + std::to_string(spec.embedding) +
                                                  ") must be a multiple of heads (" + std::to_string(spec.heads) + ")");
    require((spec.embedding / spec.heads) % 2 == 0, "the head dimension embedding/heads must be even (RoPE)");
    require(spec.heads % spec.kv_heads == 0, "kv_heads (" + std::to_string(spec.kv_heads) +
                                                 ") must divide heads (" + std::to_string(spec.heads) + ")");
    require(spec.feed_forward >= 1, "feed_forward must be at least 1");
    require(spec.context >= 1, "context must be at least 1");
    require(spec.vocab > kFirstTextToken, "vocab must be at least " + std::to_string(kFirstTextToken + 1));
    if (is_quantised(type)) {
        require(spec.embedding % 32 == 0 && spec.feed_forward % 32 == 0,
                "embedding and feed_forward must be multiples of 32 for " + std::string(to_string(type)));
    }
}

Writer tiny_llama(const TinyLlamaSpec& spec) {
    validate(spec);
    const uint32_t head_dim = spec.embedding / spec.heads;
    const uint32_t kv_width = head_dim * spec.kv_heads;

    Writer writer;
    writer.add("general.architecture", "llama");
    writer.add("general.name", spec.name);
    writer.add("general.file_type", file_type(spec.weight_type));
    writer.add("llama.context_length", spec.context);
    writer.add("llama.embedding_length", spec.embedding);
    writer.add("llama.block_count", spec.layers);
    writer.add("llama.feed_forward_length", spec.feed_forward);
    writer.add("llama.attention.head_count", spec.heads);
    writer.add("llama.attention.head_count_kv", spec.kv_heads);
    writer.add("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    writer.add("llama.rope.dimension_count", head_dim);
    writer.add("llama.rope.freq_base", 10000.0f);
    writer.add("llama.vocab_size", spec.vocab);
    add_vocabulary(writer, spec.vocab);

    TensorAdder add(writer, spec);
    add.matrix("token_embd.weight", spec.embedding, spec.vocab);
    add.norm("output_norm.weight");
    add.matrix("output.weight", spec.embedding, spec.vocab, kFirstTextToken);
    for (uint32_t layer = 0; layer < spec.layers; ++layer) {
        const std::string blk = "blk." + std::to_string(layer) + ".";
        add.norm(blk + "attn_norm.weight");
        add.norm(blk + "ffn_norm.weight");
        add.matrix(blk + "attn_q.weight", spec.embedding, spec.embedding);
        add.matrix(blk + "attn_k.weight", spec.embedding, kv_width);
        add.matrix(blk + "attn_v.weight", spec.embedding, kv_width);
        add.matrix(blk + "attn_output.weight", spec.embedding, spec.embedding);
        add.matrix(blk + "ffn_gate.weight", spec.embedding, spec.feed_forward);
        add.matrix(blk + "ffn_up.weight", spec.embedding, spec.feed_forward);
        add.matrix(blk + "ffn_down.weight", spec.feed_forward, spec.embedding);
    }
    return writer;
}

}  // namespace ggufd::gguf
