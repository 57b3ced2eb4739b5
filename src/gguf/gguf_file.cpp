// Lookups on a parsed header: metadata by key with type checks, tensors by name.
#include "ggufd/gguf/gguf_file.h"

#include <charconv>

namespace ggufd::gguf {

FormatError::FormatError(std::string file, uint64_t offset, const std::string& problem)
    : std::runtime_error(file + ": offset " + std::to_string(offset) + ": " + problem),
      file_(std::move(file)),
      offset_(offset),
      problem_(problem) {}

Metadata::Metadata(std::string file, std::vector<KeyValue> entries)
    : file_(std::move(file)), entries_(std::move(entries)) {
    for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].key, i);
}

const KeyValue* Metadata::find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

void Metadata::wrong_type(const KeyValue& entry, std::string_view expected) const {
    throw FormatError(file_, entry.offset,
                      "key '" + entry.key + "' is " + entry.value.describe() + ", expected " + std::string(expected));
}

std::optional<uint64_t> Metadata::get_unsigned(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return std::nullopt;
    if (auto v = entry->value.as_unsigned()) return v;
    wrong_type(*entry, "a non-negative integer");
}

std::optional<int64_t> Metadata::get_signed(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return std::nullopt;
    if (auto v = entry->value.as_signed()) return v;
    wrong_type(*entry, "an integer");
}

std::optional<double> Metadata::get_float(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return std::nullopt;
    if (auto v = entry->value.as_float()) return v;
    if (auto v = entry->value.as_signed()) return static_cast<double>(*v);
    wrong_type(*entry, "a number");
}

std::optional<bool> Metadata::get_bool(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return std::nullopt;
    if (const auto* v = entry->value.get_if<bool>()) return *v;
    wrong_type(*entry, "a bool");
}

const std::string* Metadata::get_string(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return nullptr;
    if (const auto* v = entry->value.get_if<std::string>()) return v;
    wrong_type(*entry, "a string");
}

const Array* Metadata::get_array(std::string_view key) const {
    const auto* entry = find(key);
    if (!entry) return nullptr;
    if (const auto* v = entry->value.get_if<Array>()) return v;
    wrong_type(*entry, "an array");
}

const TensorInfo* GgufFile::find_tensor(std::string_view tensor_name) const {
    for (const auto& tensor : tensors) {
        if (tensor.name == tensor_name) return &tensor;
    }
    return nullptr;
}

uint64_t GgufFile::tensor_bytes() const {
    uint64_t total = 0;
    for (const auto& tensor : tensors) total += tensor.n_bytes;
    return total;
}

std::optional<uint32_t> block_index(std::string_view tensor_name) {
    constexpr std::string_view kPrefix = "blk.";
    if (!tensor_name.starts_with(kPrefix)) return std::nullopt;
    const char* begin = tensor_name.data() + kPrefix.size();
    const char* end = tensor_name.data() + tensor_name.size();
    uint32_t index = 0;
    auto [next, ec] = std::from_chars(begin, end, index);
    if (ec != std::errc() || next == begin || next == end || *next != '.') return std::nullopt;
    return index;
}

}  // namespace ggufd::gguf
