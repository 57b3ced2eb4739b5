#include "kfd_properties.h"

#include <charconv>

namespace ggufd::gpu {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace

KfdProperties parse_kfd_properties(std::string_view text) {
    KfdProperties properties;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

        size_t space = line.find_first_of(" \t");
        if (space == std::string_view::npos) continue;
        std::string_view name = line.substr(0, space);
        std::string_view value = trim(line.substr(space));
        uint64_t number = 0;
        auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (ec != std::errc() || rest != value.data() + value.size()) continue;
        properties.insert_or_assign(std::string(name), number);
    }
    return properties;
}

std::optional<uint64_t> property(const KfdProperties& properties, std::string_view name) {
    auto it = properties.find(name);
    if (it == properties.end()) return std::nullopt;
    return it->second;
}

}  // namespace ggufd::gpu
