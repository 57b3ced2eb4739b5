#include "usage_scanner.h"

#include <algorithm>
#include <cstring>

namespace ggufd::gateway {
namespace {

/// A counter's key, split at its '_': the text before it (with the opening quote) and after.
struct Key {
    std::string_view before;
    std::string_view after;
};
constexpr Key kKeys[] = {{"\"completion", "_tokens\":"}, {"\"predicted", "_n\":"}};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void UsageScanner::scan(std::string_view data) {
    if (data.empty()) return;
    // Look again across the boundary with the previous piece: the carried tail and this piece's
    // head. A counter found in part on either side alone is a prefix of its digits, never more,
    // so taking the largest value is still right.
    std::array<char, 2 * kCarry> join;
    const size_t head = std::min(data.size(), kCarry);
    std::memcpy(join.data(), carry_.data(), carry_size_);
    std::memcpy(join.data() + carry_size_, data.data(), head);
    const size_t join_size = carry_size_ + head;
    if (carry_size_ > 0) scan_within(std::string_view(join.data(), join_size));
    scan_within(data);

    // Carry the last kCarry bytes of the body so far (the join holds them when this piece is short).
    const std::string_view seen = data.size() >= kCarry ? data : std::string_view(join.data(), join_size);
    carry_size_ = std::min(kCarry, seen.size());
    std::memcpy(carry_.data(), seen.data() + seen.size() - carry_size_, carry_size_);
}

void UsageScanner::scan_within(std::string_view text) {
    const char* const begin = text.data();
    const char* const end = begin + text.size();
    for (const char* at = begin; (at = static_cast<const char*>(std::memchr(at, '_', end - at))) != nullptr; ++at) {
        for (const Key& key : kKeys) {
            const size_t offset = at - begin;
            if (offset < key.before.size() || text.substr(offset - key.before.size(), key.before.size()) != key.before ||
                text.substr(offset, key.after.size()) != key.after) {
                continue;
            }
            size_t i = offset + key.after.size();
            while (i < text.size() && is_json_space(text[i])) ++i;
            uint64_t value = 0;
            bool any = false;
            for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
                // Saturate rather than wrap, so that the digits read so far never count for
                // more than the whole number (a number cut by a boundary is read in part).
                const auto digit = static_cast<uint64_t>(text[i] - '0');
                value = value > (UINT64_MAX - digit) / 10 ? UINT64_MAX : value * 10 + digit;
                any = true;
            }
            if (any) tokens_ = std::max(tokens_, value);
        }
    }
}

}  // namespace ggufd::gateway
