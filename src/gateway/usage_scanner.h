// Counting generated tokens from the answers as they pass, without parsing them: llama-server
// reports them as usage.completion_tokens (non-streaming, and a stream's usage chunk) and as
// timings.predicted_n (a stream's last chunk). The largest number seen is the count.
#pragma once

#include <cstdint>
#include <string_view>

namespace ggufd::gateway {

class UsageScanner {
public:
    /// Looks for the counters in one piece of a response body (an SSE event, a JSON body).
    void scan(std::string_view data);
    uint64_t tokens() const { return tokens_; }

private:
    uint64_t tokens_ = 0;
};

}  // namespace ggufd::gateway
