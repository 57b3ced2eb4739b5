// What a GGUF file's header says: version, ordered metadata with typed lookups, tensor infos
// and where the tensor data lies. Produced by the reader (reader.h); plain data afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "ggufd/gguf/ggml_type.h"
#include "ggufd/gguf/value.h"

namespace ggufd::gguf {

/// A file that is not a valid GGUF file, or a metadata value of the wrong type. what() names
/// the file, the byte offset and the problem:
/// "model.gguf: offset 1234: tensor 'blk.0.attn_q.weight' has 7 dimensions (at most 4)".
class FormatError : public std::runtime_error {
public:
    FormatError(std::string file, uint64_t offset, const std::string& problem);

    const std::string& file() const { return file_; }
    uint64_t offset() const { return offset_; }
    const std::string& problem() const { return problem_; }

private:
    std::string file_;
    uint64_t offset_;
    std::string problem_;
};

struct KeyValue {
    std::string key;
    Value value;
    uint64_t offset = 0;  ///< where the entry starts in the file, for error messages
};

/// The metadata in file order, with lookup by key. The typed getters return nullopt (or
/// nullptr) for a missing key and throw FormatError for a key of the wrong type, since a
/// model whose `llama.block_count` is a string is broken, not merely unusual.
class Metadata {
public:
    Metadata() = default;
    Metadata(std::string file, std::vector<KeyValue> entries);

    const std::vector<KeyValue>& entries() const { return entries_; }
    size_t size() const { return entries_.size(); }
    const KeyValue* find(std::string_view key) const;

    std::optional<uint64_t> get_unsigned(std::string_view key) const;  ///< any non-negative integer
    std::optional<int64_t> get_signed(std::string_view key) const;     ///< any integer
    std::optional<double> get_float(std::string_view key) const;       ///< f32, f64 or an integer
    std::optional<bool> get_bool(std::string_view key) const;
    const std::string* get_string(std::string_view key) const;
    const Array* get_array(std::string_view key) const;

private:
    [[noreturn]] void wrong_type(const KeyValue& entry, std::string_view expected) const;

    std::string file_;
    std::vector<KeyValue> entries_;
    std::map<std::string, size_t, std::less<>> index_;  ///< key -> position in entries_
};

/// One tensor as the header describes it; its data is never read.
struct TensorInfo {
    std::string name;
    std::vector<uint64_t> dims;  ///< ggml order: dims[0] is the row length
    GgmlType type = GgmlType::F32;
    uint64_t offset = 0;         ///< from the start of the data section
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;        ///< exact, block-quantised types included
};

/// A parsed GGUF header. Every tensor lies within [data_offset, file_size).
struct GgufFile {
    std::string name;             ///< the file name used in messages
    uint32_t version = 0;         ///< 2 or 3
    Metadata metadata;
    std::vector<TensorInfo> tensors;
    uint32_t alignment = 32;      ///< `general.alignment`, default 32
    uint64_t data_offset = 0;     ///< where the data section starts
    uint64_t file_size = 0;

    const TensorInfo* find_tensor(std::string_view tensor_name) const;
    uint64_t tensor_bytes() const;  ///< sum over all tensors
};

/// The layer of a per-layer tensor: "blk.12.attn_q.weight" -> 12; nullopt for others.
std::optional<uint32_t> block_index(std::string_view tensor_name);

}  // namespace ggufd::gguf
