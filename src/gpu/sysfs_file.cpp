#include "sysfs_file.h"

#include <charconv>
#include <fstream>

namespace ggufd::gpu {

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
    constexpr size_t kLimit = 1 << 20;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text;
    char chunk[4096];
    while (text.size() < kLimit && in.read(chunk, sizeof chunk).gcount() > 0) {
        text.append(chunk, static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) return std::nullopt;
    return text;
}

std::optional<uint64_t> read_number_file(const std::filesystem::path& path) {
    auto text = read_text_file(path);
    if (!text) return std::nullopt;
    std::string_view value(*text);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\n')) value.remove_prefix(1);
    value = value.substr(0, value.find_first_of(" \t\r\n"));
    int base = 10;
    if (value.starts_with("0x") || value.starts_with("0X")) {
        value.remove_prefix(2);
        base = 16;
    }
    uint64_t number = 0;
    auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), number, base);
    if (value.empty() || ec != std::errc() || rest != value.data() + value.size()) return std::nullopt;
    return number;
}

}  // namespace ggufd::gpu
