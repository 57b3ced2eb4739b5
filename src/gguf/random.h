// A small, fast, seedable generator (SplitMix64) for random model weights. Quality is ample
// for weights; speed matters more: gguf-mkmodel writes gigabytes with it.
#pragma once

#include <cstdint>

namespace ggufd::gguf::detail {

class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    /// Uniform in [-1, 1) from 24 random bits.
    static float unit(uint32_t bits) { return static_cast<float>(bits >> 8) * (2.0f / 16777216.0f) - 1.0f; }

private:
    uint64_t state_;
};

/// Mixes several values into one seed, so every (model seed, tensor, chunk) gets its own stream.
inline uint64_t mix_seed(uint64_t a, uint64_t b) {
    SplitMix64 g(a ^ (b * 0xd6e8feb86659fd93ull));
    return g.next();
}

}  // namespace ggufd::gguf::detail
