#include "auth.h"

namespace ggufd::gateway {

std::string_view presented_key(const net::RequestHead& request) {
    if (const std::string* authorization = request.find("authorization")) {
        std::string_view value = *authorization;
        if (value.size() > 7 && net::iequals(value.substr(0, 7), "bearer ")) {
            value.remove_prefix(7);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            return value;
        }
    }
    if (const std::string* key = request.find("x-api-key")) return *key;
    return {};
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    // Touch every byte of the longer string whatever the contents, so the time taken depends
    // only on the lengths.
    size_t length = a.size() > b.size() ? a.size() : b.size();
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < length; ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        difference |= static_cast<unsigned char>(x ^ y);
    }
    return difference == 0;
}

bool key_accepted(const std::vector<std::string>& keys, std::string_view presented) {
    if (keys.empty()) return true;
    bool accepted = false;
    for (const auto& key : keys) accepted |= constant_time_equals(key, presented);
    return accepted && !presented.empty();
}

}  // namespace ggufd::gateway
