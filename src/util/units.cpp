#include "ggufd/util/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ggufd::units {
namespace {

struct Unit {
    std::string_view suffix;
    double factor;
};

// Reads a non-negative decimal number (digits with an optional fraction) from the front of `text`.
bool take_number(std::string_view& text, double& out) {
    size_t end = 0;
    bool seen_digit = false, seen_dot = false;
    while (end < text.size()) {
        char c = text[end];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            seen_digit = true;
        } else if (c == '.' && !seen_dot) {
            seen_dot = true;
        } else {
            break;
        }
        ++end;
    }
    if (!seen_digit) return false;
    auto result = std::from_chars(text.data(), text.data() + end, out);
    if (result.ec != std::errc()) return false;
    text.remove_prefix(end);
    return true;
}

// Longest matching suffix among `units` at the front of `text`.
const Unit* take_unit(std::string_view& text, const Unit* units, size_t count) {
    const Unit* best = nullptr;
    for (size_t i = 0; i < count; ++i) {
        if (text.starts_with(units[i].suffix) && (!best || units[i].suffix.size() > best->suffix.size())) {
            best = &units[i];
        }
    }
    if (best) text.remove_prefix(best->suffix.size());
    return best;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

constexpr Unit kDurationUnits[] = {
    {"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3},
};

constexpr Unit kSizeUnits[] = {
    {"B", 1.0},
    {"K", 1e3}, {"KB", 1e3}, {"KiB", 1024.0},
    {"M", 1e6}, {"MB", 1e6}, {"MiB", 1048576.0},
    {"G", 1e9}, {"GB", 1e9}, {"GiB", 1073741824.0},
    {"T", 1e12}, {"TB", 1e12}, {"TiB", 1099511627776.0},
};

}  // namespace

Parsed<std::chrono::milliseconds> parse_duration(std::string_view original) {
    const std::string error = "\"" + std::string(original) +
                              "\": expected a number followed by ms, s, m, h or d (e.g. \"30s\", \"10m\", \"1h30m\")";
    std::string_view text = trim(original);
    if (text.empty()) return error;
    if (text == "0") return std::chrono::milliseconds(0);
    double total_ms = 0;
    while (!text.empty()) {
        double number = 0;
        if (!take_number(text, number)) return error;
        const Unit* unit = take_unit(text, kDurationUnits, std::size(kDurationUnits));
        if (!unit) return error;
        total_ms += number * unit->factor;
    }
    if (total_ms > 1e15) return "\"" + std::string(original) + "\": too long";
    return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
}

Parsed<uint64_t> parse_size(std::string_view original) {
    const std::string error = "\"" + std::string(original) +
                              "\": expected a number of bytes with an optional unit (e.g. \"512MiB\", \"15GB\", \"1.5GiB\")";
    std::string_view text = trim(original);
    double number = 0;
    if (!take_number(text, number)) return error;
    text = trim(text);
    double factor = 1.0;
    if (!text.empty()) {
        const Unit* unit = take_unit(text, kSizeUnits, std::size(kSizeUnits));
        if (!unit || !text.empty()) return error;
        factor = unit->factor;
    }
    double bytes = number * factor;
    if (bytes >= 1.8e19) return "\"" + std::string(original) + "\": too large";
    return static_cast<uint64_t>(std::llround(bytes));
}

std::string format_duration(std::chrono::milliseconds duration) {
    int64_t ms = duration.count();
    char buffer[64];
    if (ms < 0) return "-" + format_duration(std::chrono::milliseconds(-ms));
    if (ms < 1000) {
        std::snprintf(buffer, sizeof buffer, "%lldms", static_cast<long long>(ms));
    } else if (ms < 60'000) {
        std::snprintf(buffer, sizeof buffer, "%.1fs", static_cast<double>(ms) / 1000.0);
    } else if (ms < 3'600'000) {
        std::snprintf(buffer, sizeof buffer, "%lldm %llds", static_cast<long long>(ms / 60'000),
                      static_cast<long long>(ms / 1000 % 60));
    } else if (ms < 86'400'000) {
        std::snprintf(buffer, sizeof buffer, "%lldh %lldm", static_cast<long long>(ms / 3'600'000),
                      static_cast<long long>(ms / 60'000 % 60));
    } else {
        std::snprintf(buffer, sizeof buffer, "%lldd %lldh", static_cast<long long>(ms / 86'400'000),
                      static_cast<long long>(ms / 3'600'000 % 24));
    }
    return buffer;
}

std::string format_bytes(uint64_t bytes) {
    constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kNames)) {
        value /= 1024.0;
        ++unit;
    }
    char buffer[32];
    if (unit == 0) {
        std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(buffer, sizeof buffer, "%.1f %s", value, kNames[unit]);
    }
    return buffer;
}

}  // namespace ggufd::units
