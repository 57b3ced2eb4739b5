// Merging the nodes' reports into one fleet: which nodes serve which model, the names that reach
// it, and the conflicts that would make a name reach two models.
#include <gtest/gtest.h>

#include "fleet_examples.h"
#include "ggufd/haproxy/fleet.h"

namespace ggufd::haproxy {
namespace {

using test::node_answer;
using test::service;

NodeReport report(const std::string& url, const nlohmann::json& body) {
    return std::get<NodeReport>(parse_node_report(url, body));
}

std::vector<std::string> errors_of(std::vector<NodeReport> nodes) {
    auto result = build_fleet(std::move(nodes));
    auto* errors = std::get_if<std::vector<std::string>>(&result);
    return errors ? *errors : std::vector<std::string>{};
}

TEST(Fleet, ModelsWithTheirNodesAndNames) {
    auto fleet = std::get<Fleet>(build_fleet({
        report("http://10.0.0.1:8080", node_answer("0.0.0.0", 8080, 7001, {service("gemma", {"g"}), service("qwen")})),
        report("http://10.0.0.2:8080", node_answer("0.0.0.0", 8080, 7001, {service("gemma", {"default"}, 8)})),
    }));
    ASSERT_EQ(fleet.models.size(), 2u);
    const FleetModel& gemma = fleet.models[0];
    EXPECT_EQ(gemma.service, "gemma");
    EXPECT_EQ(gemma.aliases, (std::vector<std::string>{"g", "default"})) << "each node's aliases reach it";
    ASSERT_EQ(gemma.placements.size(), 2u);
    EXPECT_EQ(gemma.placements[0].node, 0u);
    EXPECT_EQ(gemma.placements[1].slots, 8);
    EXPECT_EQ(fleet.models[1].service, "qwen");
    EXPECT_EQ(fleet.models[1].placements.size(), 1u);
    EXPECT_EQ(fleet.names(), (std::vector<std::string>{"default", "g", "gemma", "qwen"}));
    EXPECT_TRUE(fleet.warnings.empty());
    EXPECT_FALSE(fleet.requires_api_key());
}

TEST(Fleet, AnAliasOnlySomeNodesKnowReachesOnlyThem) {
    auto fleet = std::get<Fleet>(build_fleet({
        report("http://a:1", node_answer("a", 1, 2, {service("gemma", {"g", "shared"})})),
        report("http://b:1", node_answer("b", 1, 2, {service("gemma", {"shared", "other"})})),
        report("http://c:1", node_answer("c", 1, 2, {service("gemma", {"g", "shared"})})),
    }));
    const auto& routes = fleet.models[0].routes;
    ASSERT_EQ(routes.size(), 3u);
    auto nodes_of = [](const Route& route) {
        std::vector<size_t> nodes;
        for (const auto& placement : route.placements) nodes.push_back(placement.node);
        return nodes;
    };
    EXPECT_TRUE(routes[0].primary);
    EXPECT_EQ(routes[0].names, (std::vector<std::string>{"gemma", "shared"}));
    EXPECT_EQ(nodes_of(routes[0]), (std::vector<size_t>{0, 1, 2}));
    EXPECT_FALSE(routes[1].primary);
    EXPECT_EQ(routes[1].names, std::vector<std::string>{"g"});
    EXPECT_EQ(nodes_of(routes[1]), (std::vector<size_t>{0, 2})) << "node b would answer 404 to \"g\"";
    EXPECT_EQ(routes[2].names, std::vector<std::string>{"other"});
    EXPECT_EQ(nodes_of(routes[2]), std::vector<size_t>{1});
}

TEST(Fleet, ANameMustMeanOneModel) {
    EXPECT_EQ(errors_of({
                  report("http://a:1", node_answer("a", 1, 2, {service("gemma", {"default"})})),
                  report("http://b:1", node_answer("b", 1, 2, {service("llama", {"default"})})),
              }),
              std::vector<std::string>{"\"default\" means model \"gemma\" on node http://a:1 but model \"llama\" on node "
                                       "http://b:1: rename the service or the alias on one of them, so that every name "
                                       "routes to one model"});
    EXPECT_EQ(errors_of({
                  report("http://a:1", node_answer("a", 1, 2, {service("gemma")})),
                  report("http://b:1", node_answer("b", 1, 2, {service("llama", {"gemma"})})),
              }).size(),
              1u)
        << "a service name on one node cannot be another model's alias on another";
}

TEST(Fleet, EachNodeOnce) {
    EXPECT_EQ(errors_of({
                  report("http://a:1", node_answer("0.0.0.0", 8080, 2, {service("gemma")})),
                  report("http://a:2", node_answer("0.0.0.0", 8080, 2, {service("gemma")})),
              }),
              std::vector<std::string>{"nodes http://a:1 and http://a:2 are the same node (a:8080): give each node once"});
    EXPECT_EQ(errors_of({}), std::vector<std::string>{"no nodes: give at least one with --node URL"});
}

TEST(Fleet, NodesWithoutAgentsWorkWithAWarning) {
    auto keyed = node_answer("b", 1, std::nullopt, {service("gemma")});
    keyed["api_keys"] = true;
    auto fleet = std::get<Fleet>(build_fleet({report("http://b:1", keyed)}));
    ASSERT_EQ(fleet.warnings.size(), 1u);
    EXPECT_NE(fleet.warnings[0].find("node http://b:1 has no agent_listen"), std::string::npos) << fleet.warnings[0];
    EXPECT_TRUE(fleet.requires_api_key());
}

}  // namespace
}  // namespace ggufd::haproxy
