// The ggml type and file type tables. Block sizes and bytes are those of ggml's block structs
// (ggml-common.h) as listed in ggml.c's type_traits; the unit tests pin a few by hand.
#include "ggufd/gguf/ggml_type.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ggufd::gguf {
namespace {

constexpr uint32_t QK_K = 256;  // elements in a k-quant super-block

// In id order. Bytes per block spelled as the struct sums in ggml-common.h (2 = one ggml_half).
constexpr std::array kTypes{
    GgmlTypeInfo{GgmlType::F32, "F32", 1, 4},
    GgmlTypeInfo{GgmlType::F16, "F16", 1, 2},
    GgmlTypeInfo{GgmlType::Q4_0, "Q4_0", 32, 2 + 16},
    GgmlTypeInfo{GgmlType::Q4_1, "Q4_1", 32, 2 * 2 + 16},
    GgmlTypeInfo{GgmlType::Q5_0, "Q5_0", 32, 2 + 4 + 16},
    GgmlTypeInfo{GgmlType::Q5_1, "Q5_1", 32, 2 * 2 + 4 + 16},
    GgmlTypeInfo{GgmlType::Q8_0, "Q8_0", 32, 2 + 32},
    GgmlTypeInfo{GgmlType::Q8_1, "Q8_1", 32, 2 * 2 + 32},
    GgmlTypeInfo{GgmlType::Q2_K, "Q2_K", QK_K, 2 * 2 + QK_K / 16 + QK_K / 4},
    GgmlTypeInfo{GgmlType::Q3_K, "Q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12},
    GgmlTypeInfo{GgmlType::Q4_K, "Q4_K", QK_K, 2 * 2 + 12 + QK_K / 2},
    GgmlTypeInfo{GgmlType::Q5_K, "Q5_K", QK_K, 2 * 2 + 12 + QK_K / 2 + QK_K / 8},
    GgmlTypeInfo{GgmlType::Q6_K, "Q6_K", QK_K, 2 + QK_K / 16 + 3 * QK_K / 4},
    GgmlTypeInfo{GgmlType::Q8_K, "Q8_K", QK_K, 4 + QK_K + QK_K / 16 * 2},
    GgmlTypeInfo{GgmlType::IQ2_XXS, "IQ2_XXS", QK_K, 2 + QK_K / 8 * 2},
    GgmlTypeInfo{GgmlType::IQ2_XS, "IQ2_XS", QK_K, 2 + QK_K / 8 * 2 + QK_K / 32},
    GgmlTypeInfo{GgmlType::IQ3_XXS, "IQ3_XXS", QK_K, 2 + 3 * (QK_K / 8)},
    GgmlTypeInfo{GgmlType::IQ1_S, "IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16},
    GgmlTypeInfo{GgmlType::IQ4_NL, "IQ4_NL", 32, 2 + 16},
    GgmlTypeInfo{GgmlType::IQ3_S, "IQ3_S", QK_K, 2 + 13 * (QK_K / 32) + QK_K / 64},
    GgmlTypeInfo{GgmlType::IQ2_S, "IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16},
    GgmlTypeInfo{GgmlType::IQ4_XS, "IQ4_XS", QK_K, 2 + 2 + QK_K / 64 + QK_K / 2},
    GgmlTypeInfo{GgmlType::I8, "I8", 1, 1},
    GgmlTypeInfo{GgmlType::I16, "I16", 1, 2},
    GgmlTypeInfo{GgmlType::I32, "I32", 1, 4},
    GgmlTypeInfo{GgmlType::I64, "I64", 1, 8},
    GgmlTypeInfo{GgmlType::F64, "F64", 1, 8},
    GgmlTypeInfo{GgmlType::IQ1_M, "IQ1_M", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32},
    GgmlTypeInfo{GgmlType::BF16, "BF16", 1, 2},
    GgmlTypeInfo{GgmlType::TQ1_0, "TQ1_0", QK_K, 2 + QK_K / 64 + (QK_K - 4 * QK_K / 64) / 5},
    GgmlTypeInfo{GgmlType::TQ2_0, "TQ2_0", QK_K, 2 + QK_K / 4},
    GgmlTypeInfo{GgmlType::MXFP4, "MXFP4", 32, 1 + 16},
    GgmlTypeInfo{GgmlType::NVFP4, "NVFP4", 64, 64 / 16 + 32},
    GgmlTypeInfo{GgmlType::Q1_0, "Q1_0", 128, 2 + 128 / 8},
    GgmlTypeInfo{GgmlType::Q2_0, "Q2_0", 64, 2 + 64 / 4},
};

// LLAMA_FTYPE_* ids whose names exist; the gaps (4-6, 33-35) are removed formats.
struct FileTypeName {
    uint32_t id;
    std::string_view name;
};
constexpr std::array kFileTypes{
    FileTypeName{0, "F32"},       FileTypeName{1, "F16"},        FileTypeName{2, "Q4_0"},
    FileTypeName{3, "Q4_1"},      FileTypeName{7, "Q8_0"},       FileTypeName{8, "Q5_0"},
    FileTypeName{9, "Q5_1"},      FileTypeName{10, "Q2_K"},      FileTypeName{11, "Q3_K_S"},
    FileTypeName{12, "Q3_K_M"},   FileTypeName{13, "Q3_K_L"},    FileTypeName{14, "Q4_K_S"},
    FileTypeName{15, "Q4_K_M"},   FileTypeName{16, "Q5_K_S"},    FileTypeName{17, "Q5_K_M"},
    FileTypeName{18, "Q6_K"},     FileTypeName{19, "IQ2_XXS"},   FileTypeName{20, "IQ2_XS"},
    FileTypeName{21, "Q2_K_S"},   FileTypeName{22, "IQ3_XS"},    FileTypeName{23, "IQ3_XXS"},
    FileTypeName{24, "IQ1_S"},    FileTypeName{25, "IQ4_NL"},    FileTypeName{26, "IQ3_S"},
    FileTypeName{27, "IQ3_M"},    FileTypeName{28, "IQ2_S"},     FileTypeName{29, "IQ2_M"},
    FileTypeName{30, "IQ4_XS"},   FileTypeName{31, "IQ1_M"},     FileTypeName{32, "BF16"},
    FileTypeName{36, "TQ1_0"},    FileTypeName{37, "TQ2_0"},     FileTypeName{38, "MXFP4_MOE"},
    FileTypeName{39, "NVFP4"},    FileTypeName{40, "Q1_0"},      FileTypeName{41, "Q2_0"},
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

const GgmlTypeInfo* ggml_type_info(uint32_t id) {
    auto it = std::find_if(kTypes.begin(), kTypes.end(),
                           [id](const GgmlTypeInfo& info) { return static_cast<uint32_t>(info.type) == id; });
    return it == kTypes.end() ? nullptr : &*it;
}

const GgmlTypeInfo& ggml_type_info(GgmlType type) {
    // Every enumerator is in the table (a unit test walks them), so this cannot be null.
    return *ggml_type_info(static_cast<uint32_t>(type));
}

std::span<const GgmlTypeInfo> ggml_types() { return kTypes; }

std::string_view to_string(GgmlType type) { return ggml_type_info(type).name; }

std::optional<GgmlType> ggml_type_from_name(std::string_view name) {
    for (const auto& info : kTypes) {
        if (iequals(info.name, name)) return info.type;
    }
    return std::nullopt;
}

uint64_t ggml_bytes(GgmlType type, uint64_t n_elements) {
    const auto& info = ggml_type_info(type);
    return (n_elements + info.block_size - 1) / info.block_size * info.block_bytes;
}

std::optional<std::string_view> file_type_name(uint32_t file_type) {
    for (const auto& entry : kFileTypes) {
        if (entry.id == file_type) return entry.name;
    }
    return std::nullopt;
}

}  // namespace ggufd::gguf
