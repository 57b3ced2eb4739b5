#include "rocr_visible_devices.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ggufd::gpu {
namespace {

std::string upper_trimmed(std::string_view token) {
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.remove_prefix(1);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
    std::string result(token);
    for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

// The GPU whose UUID starts with `token`, or -1 when none or several do.
long match_uuid(const std::string& token, const std::vector<std::string>& uuids) {
    if (token.size() < 5 || token.size() > 20) return -1;
    long found = -1;
    for (size_t i = 0; i < uuids.size(); ++i) {
        if (upper_trimmed(uuids[i]).starts_with(token)) {
            if (found != -1) return -1;
            found = static_cast<long>(i);
        }
    }
    return found;
}

long parse_index(const std::string& token) {
    if (token.empty()) return -1;
    char* end = nullptr;
    long index = std::strtol(token.c_str(), &end, 0);
    return *end == '\0' ? index : -1;
}

}  // namespace

RocrVisibility apply_rocr_visible_devices(std::string_view value,
                                          const std::vector<std::string>& uuids) {
    std::vector<std::string> tokens;
    for (size_t start = 0; start <= value.size() && !value.empty();) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        tokens.push_back(upper_trimmed(value.substr(start, comma - start)));
        start = comma + 1;
    }

    RocrVisibility result;
    const size_t readable = std::min(tokens.size(), uuids.size());
    for (size_t i = 0; i < readable; ++i) {
        const std::string& token = tokens[i];
        const bool by_uuid = !token.empty() && token.front() == 'G';
        long index = by_uuid ? match_uuid(token, uuids) : parse_index(token);
        std::string why;
        if (index < 0 || static_cast<size_t>(index) >= uuids.size()) {
            why = by_uuid ? "matches no single GPU's UUID" : "is not the index of a GPU";
        } else if (std::find(result.visible.begin(), result.visible.end(), index) != result.visible.end()) {
            why = "repeats a GPU";
        }
        if (!why.empty()) {
            result.ignored = "\"" + token + "\" " + why + ", so ROCm ignores it and every token after it";
            break;
        }
        result.visible.push_back(static_cast<size_t>(index));
    }
    return result;
}

}  // namespace ggufd::gpu
