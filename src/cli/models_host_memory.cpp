// Reading MemTotal (see models_host_memory.h).
#include "models_host_memory.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace ggufd::cli {

std::optional<uint64_t> parse_mem_total(std::string_view meminfo) {
    constexpr std::string_view kKey = "MemTotal:";
    size_t at = meminfo.find(kKey);
    if (at == std::string_view::npos || (at > 0 && meminfo[at - 1] != '\n')) return std::nullopt;
    at = meminfo.find_first_not_of(' ', at + kKey.size());
    if (at == std::string_view::npos || !std::isdigit(static_cast<unsigned char>(meminfo[at]))) return std::nullopt;
    uint64_t kib = 0;
    for (; at < meminfo.size() && std::isdigit(static_cast<unsigned char>(meminfo[at])); ++at) {
        if (kib > (UINT64_MAX >> 10) / 10) return std::nullopt;
        kib = kib * 10 + static_cast<uint64_t>(meminfo[at] - '0');
    }
    // The kernel always writes the unit; anything else is not the format this parser knows.
    if (meminfo.substr(at, 3) != " kB") return std::nullopt;
    return kib << 10;
}

std::optional<uint64_t> host_memory_bytes() {
    std::ifstream file("/proc/meminfo");
    if (!file) return std::nullopt;
    std::stringstream text;
    text << file.rdbuf();
    return parse_mem_total(text.str());
}

}  // namespace ggufd::cli
