// Typed getters over toml++ nodes that record positioned errors (see toml_reader.h).
#include "toml_reader.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "ggufd/util/units.h"
#include "suggest.h"
#include "user_paths.h"

namespace ggufd::config {
namespace {

std::string_view describe(toml::node_type type) {
    switch (type) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a floating-point number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

Position position(const toml::source_region& region) {
    return Position{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

std::string child_key(std::string_view parent, std::string_view key) {
    bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    std::string part = bare ? std::string(key) : in_quotes(key);
    return parent.empty() ? part : std::string(parent) + "." + part;
}

std::string index_key(std::string_view parent, size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

Reader::Reader(Diagnostics& diagnostics, std::optional<std::string> home, std::filesystem::path base_dir)
    : diagnostics_(diagnostics), home_(std::move(home)), base_dir_(std::move(base_dir)) {}

void Reader::remember(const std::string& key, const toml::node& node) { positions_[key] = position(node.source()); }

Position Reader::position_of(const std::string& key) const {
    auto found = positions_.find(key);
    return found == positions_.end() ? Position{} : found->second;
}

void Reader::error(const toml::node& node, const std::string& key, std::string message) {
    diagnostics_.error(position(node.source()), key, std::move(message));
}

void Reader::error_at(const std::string& key, std::string message) {
    diagnostics_.error(position_of(key), key, std::move(message));
}

void Reader::warning_at(const std::string& key, std::string message) {
    diagnostics_.warning(position_of(key), key, std::move(message));
}

void Reader::wrong_type(const toml::node& node, const std::string& key, std::string_view expected) {
    std::string message = "expected " + std::string(expected) + ", got " + std::string(describe(node.type()));
    if (expected.starts_with("an array") && node.is_string()) {
        message += " (write [" + in_quotes(node.as_string()->get()) + "])";
    } else if (expected == "a string" && (node.is_integer() || node.is_floating_point() || node.is_boolean())) {
        message += " (quote it)";
    }
    error(node, key, std::move(message));
}

std::optional<std::string> Reader::string(const toml::node& node, const std::string& key) {
    remember(key, node);
    if (const auto* value = node.as_string()) return value->get();
    wrong_type(node, key, "a string");
    return std::nullopt;
}

std::optional<int64_t> Reader::integer(const toml::node& node, const std::string& key, int64_t min, int64_t max) {
    remember(key, node);
    const auto* value = node.as_integer();
    if (!value) {
        wrong_type(node, key, "an integer");
        return std::nullopt;
    }
    int64_t number = value->get();
    if (number >= min && number <= max) return number;
    std::string got = ", got " + std::to_string(number);
    if (max < INT_MAX) {
        error(node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + got);
    } else if (number < min) {
        error(node, key, "must be at least " + std::to_string(min) + got);
    } else {
        error(node, key, "must be at most " + std::to_string(max) + got);
    }
    return std::nullopt;
}

std::optional<Duration> Reader::duration(const toml::node& node, const std::string& key, DurationRule rule) {
    remember(key, node);
    if (!node.is_string()) {
        wrong_type(node, key, "a duration such as \"30s\" or \"10m\"");
        return std::nullopt;
    }
    const std::string& text = node.as_string()->get();
    if (rule == DurationRule::zero_or_never && text == "never") return Duration{0};
    auto parsed = units::parse_duration(text);
    if (auto* message = std::get_if<std::string>(&parsed)) {
        error(node, key, *message + (rule == DurationRule::zero_or_never ? ", or \"never\"" : ""));
        return std::nullopt;
    }
    auto value = std::get<Duration>(parsed);
    if (value.count() == 0 && rule == DurationRule::positive) {
        error(node, key, "must be longer than 0, got " + in_quotes(text));
        return std::nullopt;
    }
    return value;
}

std::optional<uint64_t> Reader::size(const toml::node& node, const std::string& key, bool zero_allowed) {
    remember(key, node);
    std::optional<uint64_t> bytes;
    if (const auto* number = node.as_integer()) {
        if (number->get() < 0) {
            error(node, key, "must not be negative, got " + std::to_string(number->get()));
            return std::nullopt;
        }
        bytes = static_cast<uint64_t>(number->get());
    } else if (const auto* text = node.as_string()) {
        auto parsed = units::parse_size(text->get());
        if (auto* message = std::get_if<std::string>(&parsed)) {
            error(node, key, *message);
            return std::nullopt;
        }
        bytes = std::get<uint64_t>(parsed);
    } else {
        wrong_type(node, key, "a size such as \"512MiB\" or a number of bytes");
        return std::nullopt;
    }
    if (*bytes == 0 && !zero_allowed) {
        error(node, key, "must be more than 0 bytes");
        return std::nullopt;
    }
    return bytes;
}

std::optional<std::filesystem::path> Reader::path(const toml::node& node, const std::string& key) {
    auto text = string(node, key);
    if (!text) return std::nullopt;
    if (text->empty()) {
        error(node, key, "must not be empty");
        return std::nullopt;
    }
    auto resolved = resolve_user_path(*text, home_, base_dir_);
    if (auto* message = std::get_if<std::string>(&resolved)) {
        error(node, key, *message);
        return std::nullopt;
    }
    return std::get<std::filesystem::path>(resolved);
}

std::optional<std::string_view> Reader::choice(const toml::node& node, const std::string& key,
                                               std::span<const std::string_view> choices) {
    auto text = string(node, key);
    if (!text) return std::nullopt;
    for (std::string_view candidate : choices) {
        if (*text == candidate) return candidate;
    }
    std::string list;
    for (std::string_view candidate : choices) list += (list.empty() ? "" : ", ") + in_quotes(candidate);
    std::string message = "expected one of " + list + ", got " + in_quotes(*text);
    if (auto near = closest_match(*text, choices)) message += " (did you mean " + in_quotes(*near) + "?)";
    error(node, key, std::move(message));
    return std::nullopt;
}

std::optional<std::vector<std::string>> Reader::strings(const toml::node& node, const std::string& key) {
    remember(key, node);
    const auto* array = node.as_array();
    if (!array) {
        wrong_type(node, key, "an array of strings");
        return std::nullopt;
    }
    std::vector<std::string> values;
    bool all_read = true;
    for (size_t i = 0; i < array->size(); ++i) {
        auto value = string((*array)[i], index_key(key, i));
        if (value) values.push_back(std::move(*value));
        all_read = all_read && value.has_value();
    }
    if (!all_read) return std::nullopt;
    return values;
}

std::optional<std::vector<int64_t>> Reader::integers(const toml::node& node, const std::string& key, int64_t min,
                                                     int64_t max) {
    remember(key, node);
    const auto* array = node.as_array();
    if (!array) {
        wrong_type(node, key, "an array of integers");
        return std::nullopt;
    }
    std::vector<int64_t> values;
    bool all_read = true;
    for (size_t i = 0; i < array->size(); ++i) {
        auto value = integer((*array)[i], index_key(key, i), min, max);
        if (value) values.push_back(*value);
        all_read = all_read && value.has_value();
    }
    if (!all_read) return std::nullopt;
    return values;
}

const toml::table* Reader::table(const toml::node& node, const std::string& key) {
    remember(key, node);
    if (const auto* value = node.as_table()) return value;
    wrong_type(node, key, "a table");
    return nullptr;
}

void Reader::unknown_key(const toml::key& name, const std::string& key, std::span<const std::string_view> known,
                         std::string_view hint) {
    std::string message = "unknown setting";
    if (auto near = closest_match(name.str(), known)) {
        message += "; did you mean " + in_quotes(*near) + "?";
    } else if (!hint.empty()) {
        message += "; " + std::string(hint);
    }
    diagnostics_.error(position(name.source()), key, std::move(message));
}

}  // namespace ggufd::config
