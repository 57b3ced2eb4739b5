// IEEE 754 half precision from float, rounding to nearest even: the model generator stores
// F16 weights and the f16 scales of quantised blocks with it.
#pragma once

#include <bit>
#include <cstdint>

namespace ggufd::gguf::detail {

inline uint16_t to_half(float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
    const uint32_t exponent = (bits >> 23) & 0xff;
    uint32_t mantissa = bits & 0x7fffff;
    if (exponent == 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);  // inf, nan
    const int e = static_cast<int>(exponent) - 127 + 15;
    if (e >= 0x1f) return sign | 0x7c00;  // too large: inf
    if (e <= 0) {
        if (e < -10) return sign;  // below the smallest subnormal: zero
        mantissa |= 0x800000;      // subnormal: shift the implicit bit in
        const uint32_t shift = static_cast<uint32_t>(14 - e);
        uint32_t half = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1);
        const uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1))) ++half;
        return sign | static_cast<uint16_t>(half);
    }
    uint32_t half = (static_cast<uint32_t>(e) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // may carry into the exponent: fine
    return sign | static_cast<uint16_t>(half);
}

}  // namespace ggufd::gguf::detail
