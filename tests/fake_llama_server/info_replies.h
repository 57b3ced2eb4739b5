// What the fake says about itself: /v1/models, /props, /slots and /metrics in llama-server's
// shapes. Pure: facts and counters in, JSON or Prometheus text out.
#pragma once

#include <cstdint>
#include <string>

namespace ggufd::fake {

/// The fake's fixed description of the "model" it serves, decided at start-up.
struct ModelFacts {
    std::string id;             ///< --alias, else the --model path (llama-server's rule)
    std::string alias;          ///< may be empty
    std::string model_path;
    uint64_t file_size = 0;     ///< 0 when the model file does not exist (the fake never reads it)
    int slots = 4;
    int ctx_size = 4096;        ///< the whole context, shared by the slots
    int embedding_dim = 16;
    bool vision = false;        ///< started with --mmproj
};

/// Counters /metrics reports, read from the server's atomics at request time.
struct MetricsSnapshot {
    uint64_t prompt_tokens_total = 0;
    uint64_t tokens_predicted_total = 0;
    uint64_t requests_processing = 0;
};

std::string models_body(const ModelFacts& facts, int64_t created);
std::string props_body(const ModelFacts& facts);
/// Slot `i` is processing when i < processing. The fake never queues: with more requests in
/// flight than slots, the list grows so that each one still shows up.
std::string slots_body(const ModelFacts& facts, uint64_t processing);
std::string metrics_body(const MetricsSnapshot& metrics);

}  // namespace ggufd::fake
