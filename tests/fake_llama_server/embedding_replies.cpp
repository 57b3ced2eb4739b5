// Deterministic embeddings (a hash of the input seeds a small generator; the vector is then
// normalised, as llama-server's are) and byte-wise tokenisation. Errors use llama-server's
// shapes: 500 with the parser's message for bad JSON, 400 for a missing "input".
#include "embedding_replies.h"

#include "json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace ggufd::fake {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int kByteTokenBase = 3;  // <unk>, <s>, </s> come first in an SPM vocabulary

uint64_t fnv1a(std::string_view text) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

std::vector<double> unit_vector(std::string_view text, int dim) {
    uint64_t state = fnv1a(text) | 1;  // xorshift must not start at zero
    std::vector<double> values(static_cast<size_t>(dim));
    double norm = 0;
    for (double& value : values) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        value = static_cast<double>(state >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
        norm += value * value;
    }
    norm = std::sqrt(norm);
    for (double& value : values) value /= norm;
    return values;
}

// The inputs as texts: a string stands for itself, anything else (a token list) for its JSON.
std::vector<std::string> inputs_of(const json& input) {
    std::vector<std::string> texts;
    auto text_of = [](const json& item) { return item.is_string() ? item.get<std::string>() : item.dump(); };
    const bool many = input.is_array() && !input.empty() && !input.front().is_number();
    if (many) {
        for (const json& item : input) texts.push_back(text_of(item));
    } else {
        texts.push_back(text_of(input));
    }
    return texts;
}

std::optional<json> parse(std::string_view body, Reply& error) {
    try {
        return json::parse(body);
    } catch (const json::parse_error& e) {
        error = {500, error_body(500, e.what(), "server_error")};
        return std::nullopt;
    }
}

}  // namespace

Reply embeddings_reply(std::string_view request_body, int dim, std::string_view default_model) {
    Reply reply;
    auto request = parse(request_body, reply);
    if (!request) return reply;
    const json* input = nullptr;
    if (request->is_object()) {
        if (auto it = request->find("input"); it != request->end()) input = &*it;
        else if (auto content = request->find("content"); content != request->end()) input = &*content;
    }
    if (!input) return {400, error_body(400, "\"input\" must be provided", "invalid_request_error")};

    ordered_json data = ordered_json::array();
    uint64_t prompt_tokens = 0;
    for (const std::string& text : inputs_of(*input)) {
        prompt_tokens += std::max<uint64_t>(1, (text.size() + 3) / 4);
        ordered_json item = {{"embedding", unit_vector(text, dim)}, {"index", data.size()}, {"object", "embedding"}};
        data.push_back(std::move(item));
    }
    auto model = request->find("model");
    const bool has_model = model != request->end() && model->is_string();
    ordered_json body = {
        {"model", has_model ? model->get<std::string>() : std::string(default_model)},
        {"object", "list"},
        {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}},
        {"data", std::move(data)},
    };
    reply.body = body.dump();
    return reply;
}

Reply tokenize_reply(std::string_view request_body) {
    Reply reply;
    auto request = parse(request_body, reply);
    if (!request) return reply;
    json tokens = json::array();
    if (auto content = request->find("content"); content != request->end() && content->is_string()) {
        for (unsigned char c : content->get_ref<const std::string&>()) tokens.push_back(c + kByteTokenBase);
    }
    reply.body = json{{"tokens", std::move(tokens)}}.dump();
    return reply;
}

}  // namespace ggufd::fake
