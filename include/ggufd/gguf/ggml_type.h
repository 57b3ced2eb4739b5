// The tensor element types of ggml (llama.cpp's tensor library) and the model file types
// (`general.file_type`, LLAMA_FTYPE_*), as numbered in GGUF files. Pure tables: no I/O.
// Source: ggml/include/ggml.h, ggml/src/ggml.c (type_traits), ggml/src/ggml-common.h and
// include/llama.h of llama.cpp b10472; docs/GGUF.md lists them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ggufd::gguf {

/// A ggml tensor type id as stored in a GGUF tensor info. Ids that ggml has removed (4, 5,
/// 31-33, 36-38) have no enumerator and are unknown to ggml_type_info().
enum class GgmlType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41, Q2_0 = 42,
};

/// How a type stores its elements: `block_size` elements take `block_bytes` bytes, so a row
/// of n elements (n a multiple of block_size) takes n / block_size * block_bytes bytes.
struct GgmlTypeInfo {
    GgmlType type;
    std::string_view name;  ///< as llama.cpp prints it, upper case: "Q4_K", "BF16"
    uint32_t block_size;
    uint32_t block_bytes;
};

/// The traits of a type id, or nullptr for an id that ggml does not know (never assigned or
/// removed, such as Q4_2 = 4).
const GgmlTypeInfo* ggml_type_info(uint32_t id);
const GgmlTypeInfo& ggml_type_info(GgmlType type);
/// Every known type, in id order.
std::span<const GgmlTypeInfo> ggml_types();

std::string_view to_string(GgmlType type);
/// The type named `name` ("q8_0", "F16", case-insensitive), as llama-server's --cache-type-k
/// takes it.
std::optional<GgmlType> ggml_type_from_name(std::string_view name);

/// Bytes of `n_elements` elements of `type`, rounded up to whole blocks (exact when
/// n_elements is a multiple of the block size, as it is for every row of a valid tensor).
uint64_t ggml_bytes(GgmlType type, uint64_t n_elements);

/// The short name of a `general.file_type` value (llama.cpp's LLAMA_FTYPE_* without
/// "MOSTLY_"): 0 -> "F32", 1 -> "F16", 15 -> "Q4_K_M", 38 -> "MXFP4_MOE"; nullopt for an id
/// llama.cpp does not define.
std::optional<std::string_view> file_type_name(uint32_t file_type);

}  // namespace ggufd::gguf
