#include "usage_scanner.h"

#include <algorithm>
#include <array>

namespace ggufd::gateway {
namespace {

constexpr std::array<std::string_view, 2> kKeys = {"\"completion_tokens\":", "\"predicted_n\":"};

}  // namespace

void UsageScanner::scan(std::string_view data) {
    for (std::string_view key : kKeys) {
        for (size_t at = data.find(key); at != std::string_view::npos; at = data.find(key, at + key.size())) {
            size_t i = at + key.size();
            while (i < data.size() && data[i] == ' ') ++i;
            uint64_t value = 0;
            bool any = false;
            for (; i < data.size() && data[i] >= '0' && data[i] <= '9'; ++i) {
                value = value * 10 + static_cast<uint64_t>(data[i] - '0');
                any = true;
            }
            if (any) tokens_ = std::max(tokens_, value);
        }
    }
}

}  // namespace ggufd::gateway
