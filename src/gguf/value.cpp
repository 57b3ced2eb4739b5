// Conversions and renderings of metadata values.
#include "ggufd/gguf/value.h"

#include <array>
#include <limits>
#include <sstream>
#include <type_traits>

namespace ggufd::gguf {
namespace {

template <typename T>
constexpr bool kIsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <typename T>
std::optional<int64_t> to_signed(T v) {
    if constexpr (std::is_same_v<T, uint64_t>) {
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    }
    return static_cast<int64_t>(v);
}

}  // namespace

std::string_view to_string(ValueType type) {
    static constexpr std::array<std::string_view, kValueTypeCount> kNames{
        "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64"};
    const auto index = static_cast<uint32_t>(type);
    return index < kNames.size() ? kNames[index] : "?";
}

size_t Array::size() const {
    return std::visit([](const auto& elements) { return elements.size(); }, storage_);
}

std::optional<int64_t> Array::integer_at(size_t i) const {
    return std::visit(
        [i](const auto& elements) -> std::optional<int64_t> {
            using T = typename std::decay_t<decltype(elements)>::value_type;
            if constexpr (kIsInteger<T>) {
                if (i < elements.size()) return to_signed(elements[i]);
            }
            return std::nullopt;
        },
        storage_);
}

std::optional<int64_t> Value::as_signed() const {
    return std::visit(
        [](const auto& v) -> std::optional<int64_t> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (kIsInteger<T>) return to_signed(v);
            return std::nullopt;
        },
        storage_);
}

std::optional<uint64_t> Value::as_unsigned() const {
    if (const auto* u = get_if<uint64_t>()) return *u;
    auto s = as_signed();
    if (!s || *s < 0) return std::nullopt;
    return static_cast<uint64_t>(*s);
}

std::optional<double> Value::as_float() const {
    if (const auto* f = get_if<float>()) return *f;
    if (const auto* d = get_if<double>()) return *d;
    return std::nullopt;
}

std::string Value::describe() const {
    if (const auto* array = get_if<Array>()) {
        return "arr[" + std::string(to_string(array->element_type())) + "," + std::to_string(array->size()) + "]";
    }
    std::ostringstream out;
    out << to_string(type()) << ' ';
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                constexpr size_t kShown = 60;
                out << '"' << v.substr(0, kShown) << (v.size() > kShown ? "...\"" : "\"");
            } else if constexpr (std::is_same_v<T, bool>) {
                out << (v ? "true" : "false");
            } else if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t>) {
                out << static_cast<int>(v);
            } else if constexpr (!std::is_same_v<T, Array>) {
                out << v;
            }
        },
        storage_);
    return out.str();
}

}  // namespace ggufd::gguf
