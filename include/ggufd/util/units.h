// Human units in config files and output: durations ("500ms", "10m", "1h30m") and sizes
// ("512MiB", "15GB", "1.5GiB"). Parsing is strict: a value either parses fully or is rejected
// with a message that says what is accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ggufd::units {

/// Either the parsed value or a message such as `"10 minutes": expected a number followed by
/// ms, s, m, h or d (e.g. "30s", "10m", "1h30m")`.
template <typename T>
using Parsed = std::variant<T, std::string>;

Parsed<std::chrono::milliseconds> parse_duration(std::string_view text);
Parsed<uint64_t> parse_size(std::string_view text);

/// "1h 2m", "3.2s", "450ms": short and exact enough for status tables.
std::string format_duration(std::chrono::milliseconds duration);
/// "1.5 GiB", "512 MiB", "17 B": binary units, one decimal.
std::string format_bytes(uint64_t bytes);

}  // namespace ggufd::units
