#include "amdgpu_ids.h"

#include <charconv>

namespace ggufd::gpu {
namespace {

std::string_view trim(std::string_view text) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

std::optional<uint32_t> hex_field(std::string_view field) {
    field = trim(field);
    uint32_t value = 0;
    auto [rest, ec] = std::from_chars(field.data(), field.data() + field.size(), value, 16);
    if (field.empty() || ec != std::errc() || rest != field.data() + field.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::string> find_marketing_name(std::string_view ids_text, uint32_t device_id,
                                               uint32_t revision) {
    while (!ids_text.empty()) {
        size_t end = ids_text.find('\n');
        std::string_view line = trim(ids_text.substr(0, end));
        ids_text.remove_prefix(end == std::string_view::npos ? ids_text.size() : end + 1);
        if (line.empty() || line.front() == '#') continue;

        size_t first = line.find(',');
        size_t second = first == std::string_view::npos ? first : line.find(',', first + 1);
        if (second == std::string_view::npos) continue;  // the version line, or junk
        auto id = hex_field(line.substr(0, first));
        auto rev = hex_field(line.substr(first + 1, second - first - 1));
        if (id == device_id && rev == revision) {
            std::string_view name = trim(line.substr(second + 1));
            if (!name.empty()) return std::string(name);
        }
    }
    return std::nullopt;
}

}  // namespace ggufd::gpu
