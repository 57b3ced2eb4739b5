// The fake's self-description, with llama-server's key order (ordered_json) and values that
// are fixed and plausible rather than measured: there is no model behind them.
#include "info_replies.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ggufd::fake {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr int kVocabSize = 312;
constexpr int kTrainedContext = 4096;
constexpr int64_t kParameterCount = 1'000'000;

// Explicit arrays: a braced single element would otherwise be read as a copy or an object.
ordered_json array(std::initializer_list<ordered_json> items) {
    ordered_json result = ordered_json::array();
    for (const auto& item : items) result.push_back(item);
    return result;
}

int ctx_per_slot(const ModelFacts& facts) { return facts.ctx_size / std::max(1, facts.slots); }

}  // namespace

std::string models_body(const ModelFacts& facts, int64_t created) {
    // llama-server lists the model twice: an Ollama-style "models" entry, then OpenAI's "data".
    ordered_json details = {{"parent_model", ""},   {"format", "gguf"},         {"family", ""},
                            {"families", array({""})}, {"parameter_size", ""}, {"quantization_level", ""}};
    ordered_json ollama_entry = {
        {"name", facts.id},  {"model", facts.id},          {"modified_at", ""},
        {"size", ""},        {"digest", ""},               {"type", "model"},
        {"description", ""}, {"tags", array({""})},        {"capabilities", array({"completion"})},
        {"parameters", ""},  {"details", details},
    };
    ordered_json meta = {{"vocab_type", 1}, {"n_vocab", kVocabSize}, {"n_ctx", ctx_per_slot(facts)},
                         {"n_ctx_train", kTrainedContext}, {"n_embd", facts.embedding_dim},
                         {"n_params", kParameterCount}, {"size", facts.file_size}, {"ftype", "all F32"}};
    ordered_json aliases = array({});
    if (!facts.alias.empty()) aliases.push_back(facts.alias);
    ordered_json entry = {{"id", facts.id}, {"aliases", aliases}, {"tags", array({})},
                          {"object", "model"}, {"created", created}, {"owned_by", "llamacpp"}, {"meta", meta}};
    ordered_json body = {{"models", array({ollama_entry})}, {"object", "list"}, {"data", array({entry})}};
    return body.dump();
}

std::string props_body(const ModelFacts& facts) {
    ordered_json params = {{"n_predict", -1}, {"temperature", 0.8}, {"top_k", 40}, {"top_p", 0.95},
                           {"stream", false}};
    ordered_json body = {
        {"default_generation_settings", {{"params", params}, {"n_ctx", ctx_per_slot(facts)}}},
        {"total_slots", facts.slots},
        {"model_alias", facts.id},
        {"model_path", facts.model_path},
        {"modalities", {{"vision", facts.vision}, {"video", false}, {"audio", false}}},
        {"endpoint_slots", true},
        {"endpoint_props", false},
        {"endpoint_metrics", true},
        {"bos_token", "<s>"},
        {"eos_token", "</s>"},
        {"build_info", "b10472-fake"},
        {"is_sleeping", false},
    };
    return body.dump();
}

std::string slots_body(const ModelFacts& facts, uint64_t processing) {
    const uint64_t count = std::max<uint64_t>(static_cast<uint64_t>(std::max(1, facts.slots)), processing);
    ordered_json slots = ordered_json::array();
    for (uint64_t i = 0; i < count; ++i) {
        slots.push_back({{"id", i}, {"n_ctx", ctx_per_slot(facts)}, {"speculative", false},
                         {"is_processing", i < processing}});
    }
    return slots.dump();
}

std::string metrics_body(const MetricsSnapshot& metrics) {
    struct Line {
        const char* name;
        const char* help;
        const char* type;
        uint64_t value;
    };
    const Line lines[] = {
        {"prompt_tokens_total", "Number of prompt tokens processed.", "counter", metrics.prompt_tokens_total},
        {"tokens_predicted_total", "Number of generation tokens processed.", "counter",
         metrics.tokens_predicted_total},
        {"requests_processing", "Number of requests processing.", "gauge", metrics.requests_processing},
        {"requests_deferred", "Number of requests deferred.", "gauge", 0},
    };
    std::string text;
    for (const Line& line : lines) {
        text += std::string("# HELP llamacpp:") + line.name + " " + line.help + "\n";
        text += std::string("# TYPE llamacpp:") + line.name + " " + line.type + "\n";
        text += std::string("llamacpp:") + line.name + " " + std::to_string(line.value) + "\n";
    }
    return text;
}

}  // namespace ggufd::fake
