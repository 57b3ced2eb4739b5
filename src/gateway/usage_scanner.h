// Counting generated tokens from the answers as they pass, without parsing them: llama-server
// reports them as usage.completion_tokens (non-streaming, and a stream's usage chunk) and as
// timings.predicted_n (a stream's last chunk). The largest number seen is the count.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ggufd::gateway {

/// Reads a response body piece by piece, in the order the pieces arrive, and keeps the largest
/// `"completion_tokens":N` or `"predicted_n":N` seen. Each byte is looked at about once (a search
/// for '_', which both keys contain and JSON text rarely does); a key or number cut by a read
/// boundary is found across it. Whitespace after the colon is allowed, up to a few characters
/// (llama-server writes none).
class UsageScanner {
public:
    /// The next piece of a response body (an SSE event, a read of a JSON body).
    void scan(std::string_view data);
    uint64_t tokens() const { return tokens_; }

    /// The longest counter read across a boundary: `"completion_tokens":`, spaces, 20 digits.
    static constexpr size_t kCarry = 48;

private:
    void scan_within(std::string_view text);

    uint64_t tokens_ = 0;
    std::array<char, kCarry> carry_{};  // the last bytes seen, to look across the next boundary
    size_t carry_size_ = 0;
};

}  // namespace ggufd::gateway
