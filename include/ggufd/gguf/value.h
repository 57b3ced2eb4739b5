// Metadata values of a GGUF file: the 13 GGUF value types, arrays of any of them (arrays of
// arrays included). Plain data, no I/O: the reader produces them and the writer consumes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ggufd::gguf {

/// GGUF's value type ids, in file order.
enum class ValueType : uint32_t {
    uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6,
    boolean = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12,
};
inline constexpr uint32_t kValueTypeCount = 13;

/// "u8", "i32", "f32", "bool", "str", "arr", ... (the names llama.cpp prints).
std::string_view to_string(ValueType type);

/// A homogeneous array: its elements are stored compactly, one std::vector of the element
/// type, so a 256k-entry token list costs what its elements cost. The vector's position in
/// Storage is the element's ValueType id.
class Array {
public:
    using Storage = std::variant<std::vector<uint8_t>, std::vector<int8_t>, std::vector<uint16_t>,
                                 std::vector<int16_t>, std::vector<uint32_t>, std::vector<int32_t>,
                                 std::vector<float>, std::vector<bool>, std::vector<std::string>,
                                 std::vector<Array>, std::vector<uint64_t>, std::vector<int64_t>,
                                 std::vector<double>>;

    Array() = default;  ///< an empty array of uint8
    template <typename T>
    explicit Array(std::vector<T> elements) : storage_(std::move(elements)) {}

    ValueType element_type() const { return static_cast<ValueType>(storage_.index()); }
    size_t size() const;
    bool empty() const { return size() == 0; }

    /// The elements when they are of type T, else nullptr.
    template <typename T>
    const std::vector<T>* get_if() const { return std::get_if<std::vector<T>>(&storage_); }
    const Storage& storage() const { return storage_; }

    /// Element i of an integer array as int64 (nullopt for other element types or when an
    /// uint64 does not fit): per-layer head counts are stored as any integer type.
    std::optional<int64_t> integer_at(size_t i) const;

    bool operator==(const Array&) const = default;

private:
    Storage storage_;
};

/// One metadata value. The position in Storage is the value's ValueType id.
class Value {
public:
    using Storage = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                                 std::string, Array, uint64_t, int64_t, double>;

    Value() = default;  ///< uint8 0
    template <typename T>
        requires std::is_constructible_v<Storage, T>
    Value(T value) : storage_(std::move(value)) {}  // NOLINT: implicit on purpose, values read like literals
    Value(const char* text) : storage_(std::string(text)) {}  // NOLINT: a literal is a string

    ValueType type() const { return static_cast<ValueType>(storage_.index()); }

    template <typename T>
    const T* get_if() const { return std::get_if<T>(&storage_); }
    const Storage& storage() const { return storage_; }

    /// Any integer type, when the value fits (nullopt for other types, negative values, ...).
    std::optional<uint64_t> as_unsigned() const;
    std::optional<int64_t> as_signed() const;
    /// float32 or float64.
    std::optional<double> as_float() const;

    /// Short rendering for messages and listings: `u32 4096`, `str "llama"`, `arr[str,32000]`.
    std::string describe() const;

    bool operator==(const Value&) const = default;

private:
    Storage storage_;
};

}  // namespace ggufd::gguf
