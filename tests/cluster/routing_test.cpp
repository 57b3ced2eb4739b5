// Routing through HAProxy on the generated config: a model on one node, a model on two, aliases
// from either node, the union /v1/models, HAProxy's own 404s, and a lazy model that only one
// node loads.
#include <nlohmann/json.hpp>

#include "cluster_fixture.h"
#include "http_client.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string chat(const std::string& model) {
    return json{{"model", model}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"max_tokens", 4}}.dump();
}

}  // namespace

TEST_F(Cluster, RoutesByModelNameAndAliasToTheNodesThatServeIt) {
    Node& a = add_node(service_toml("gemma", "aliases = [\"g\"]\n") + service_toml("solo") +
                       service_toml("cold", "load = \"lazy\"\n"));
    Node& b = add_node(service_toml("gemma", "aliases = [\"default\"]\n") + service_toml("cold", "load = \"lazy\"\n"));
    for (Node* node : {&a, &b}) ASSERT_TRUE(node->daemon().wait_state("gemma", "ready")) << node->daemon().log();
    ASSERT_TRUE(a.daemon().wait_state("solo", "ready")) << a.daemon().log();
    Balancer balancer(dir_, nodes());
    ASSERT_TRUE(balancer.wait_status("serve_gemma", a, "UP") && balancer.wait_status("serve_gemma", b, "UP") &&
                balancer.wait_status("serve_solo", a, "UP"))
        << balancer.log();

    // A model on one node.
    auto solo = http_post(balancer.port(), "/v1/chat/completions", chat("solo"));
    EXPECT_EQ(solo.status, 200) << solo.body;
    EXPECT_EQ(a.requests("solo"), 1);

    // A model on two nodes, by its name (both nodes take a share) and by the alias each node
    // gives it (only the node that knows an alias gets requests naming it).
    for (int i = 0; i < 12; ++i) {
        for (const char* name : {"gemma", "g", "default"}) {
            auto response = http_post(balancer.port(), "/v1/chat/completions", chat(name));
            ASSERT_EQ(response.status, 200) << name << ": " << response.body;
        }
    }
    EXPECT_GE(balancer.server("serve_gemma", a)->sessions, 3);
    EXPECT_GE(balancer.server("serve_gemma", b)->sessions, 3);
    EXPECT_EQ(balancer.server("aserve_g", a)->sessions, 12);
    EXPECT_EQ(balancer.server("aserve_default", b)->sessions, 12);
    EXPECT_EQ(a.requests("gemma") + b.requests("gemma"), 36);

    // The union of what the nodes serve, answered by HAProxy itself.
    auto models = json::parse(http_get(balancer.port(), "/v1/models").body);
    std::set<std::string> ids;
    for (const auto& entry : models["data"]) ids.insert(entry["id"]);
    EXPECT_EQ(ids, (std::set<std::string>{"cold", "default", "g", "gemma", "solo"}));
    auto alias = json::parse(http_get(balancer.port(), "/v1/models/default").body);
    EXPECT_EQ(alias["id"], "default");
    EXPECT_EQ(alias["service"], "gemma");
    EXPECT_EQ(alias["nodes"], 1) << "only node b knows the alias \"default\"";

    // HAProxy's own errors, in OpenAI's shape.
    auto unknown = http_post(balancer.port(), "/v1/chat/completions", chat("nope"));
    EXPECT_EQ(unknown.status, 404);
    auto error = json::parse(unknown.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << unknown.body;
    EXPECT_EQ(error["error"]["code"], "model_not_found");
    EXPECT_NE(error["error"]["message"].get<std::string>().find("known models: cold, default, g, gemma, solo"),
              std::string::npos);
    EXPECT_EQ(http_get(balancer.port(), "/v1/models/nope").status, 404);
    EXPECT_EQ(http_get(balancer.port(), "/services").status, 404) << "admin endpoints stay on the nodes";
    auto missing = http_post(balancer.port(), "/v1/chat/completions", R"({"messages":[]})");
    EXPECT_EQ(missing.status, 400) << "a node answers what names no model, as ggufd does";
}

TEST_F(Cluster, ALazyModelIsLoadedOnOneNodeOnly) {
    Node& a = add_node(service_toml("cold", "load = \"lazy\"\n"));
    Node& b = add_node(service_toml("cold", "load = \"lazy\"\n"));
    Balancer balancer(dir_, nodes());
    ASSERT_TRUE(balancer.wait_status("standby_cold", a, "UP") && balancer.wait_status("standby_cold", b, "UP"))
        << balancer.log();
    // HAProxy starts with every server up until checked: wait until both know "cold" is not loaded.
    ASSERT_TRUE(balancer.wait_status("serve_cold", a, "DOWN") && balancer.wait_status("serve_cold", b, "DOWN"));

    for (int i = 0; i < 8; ++i) {
        auto response = http_post(balancer.port(), "/v1/chat/completions", chat("cold"));
        ASSERT_EQ(response.status, 200) << response.body;
    }
    EXPECT_EQ(a.daemon().service("cold")["state"], "ready")
        << "the first node that stands by starts it: " << a.daemon().service("cold")["reason"] << "\n"
        << a.daemon().log();
    EXPECT_EQ(b.daemon().service("cold")["state"], "stopped") << "and no other node loads it while one serves it";
    EXPECT_TRUE(balancer.wait_status("serve_cold", a, "UP"));
}
