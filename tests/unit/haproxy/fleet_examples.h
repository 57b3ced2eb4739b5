// The nodes' GET /node answers the haproxy tests build fleets from: three nodes, a model on
// one, a model on two, aliases, a lazy model, different slot counts, one node without an agent.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ggufd::haproxy::test {

inline nlohmann::json service(const std::string& name, std::vector<std::string> aliases = {}, int slots = 4,
                              const std::string& load = "eager") {
    return {{"name", name},
            {"aliases", aliases},
            {"load", load},
            {"slots", slots},
            {"state", "ready"},
            {"drained", false},
            {"model_info", {{"architecture", "llama"}, {"parameters", 1000}, {"context_length", 4096},
                            {"quantization", "Q4_K_M"}}}};
}

inline nlohmann::json node_answer(const std::string& host, int port, std::optional<int> agent_port,
                                  nlohmann::json services) {
    nlohmann::json body = {{"listen", {{"host", host}, {"port", port}}},
                           {"admin_listen", nullptr},
                           {"agent", nullptr},
                           {"api_keys", false},
                           {"drained", false},
                           {"services", std::move(services)}};
    if (agent_port) body["agent"] = {{"host", "0.0.0.0"}, {"port", *agent_port}};
    return body;
}

}  // namespace ggufd::haproxy::test
