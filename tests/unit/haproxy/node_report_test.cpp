// A node's GET /node answer as `ggufd haproxy-config` reads it: URLs, the addresses HAProxy must
// use to reach the node and its agent, and answers that cannot go into a config.
#include <gtest/gtest.h>

#include "fleet_examples.h"
#include "ggufd/haproxy/node_report.h"

namespace ggufd::haproxy {
namespace {

using test::node_answer;
using test::service;

std::string error_of(std::string_view url, const nlohmann::json& body) {
    auto result = parse_node_report(url, body);
    auto* error = std::get_if<std::string>(&result);
    return error ? *error : "(no error)";
}

TEST(NodeUrl, HostAndPort) {
    EXPECT_EQ(std::get<Endpoint>(parse_node_url("http://gpu1.lan:8080")), (Endpoint{"gpu1.lan", 8080}));
    EXPECT_EQ(std::get<Endpoint>(parse_node_url("http://10.0.0.7/")), (Endpoint{"10.0.0.7", 80}));
    EXPECT_EQ(std::get<Endpoint>(parse_node_url("http://[fd00::7]:8080")), (Endpoint{"fd00::7", 8080}));
    EXPECT_EQ(to_string(Endpoint{"fd00::7", 8080}), "[fd00::7]:8080");
}

TEST(NodeUrl, Refused) {
    EXPECT_EQ(std::get<std::string>(parse_node_url("gpu1:8080")),
              "\"gpu1:8080\": a node URL starts with http:// (e.g. http://gpu1.lan:8080)");
    EXPECT_EQ(std::get<std::string>(parse_node_url("https://gpu1:8080")),
              "\"https://gpu1:8080\": a node URL starts with http:// (e.g. http://gpu1.lan:8080)");
    EXPECT_EQ(std::get<std::string>(parse_node_url("http://gpu1:8080/services")),
              "\"http://gpu1:8080/services\": give the node's address only, without a path");
    EXPECT_EQ(std::get<std::string>(parse_node_url("http://gpu1:99999")),
              "\"http://gpu1:99999\": the port must be a number from 1 to 65535");
    EXPECT_EQ(std::get<std::string>(parse_node_url("http://:80")), "\"http://:80\": no host");
    EXPECT_EQ(std::get<std::string>(parse_node_url("http://[::1:80")), "\"http://[::1:80\": an IPv6 address needs its closing ']'");
}

TEST(NodeReport, WildcardsBecomeTheHostTheNodeWasReachedAt) {
    auto body = node_answer("0.0.0.0", 8080, 7001, {service("gemma", {"g"}, 2, "lazy")});
    auto report = std::get<NodeReport>(parse_node_report("http://gpu1.lan:9000", body));
    EXPECT_EQ(report.url, "http://gpu1.lan:9000");
    EXPECT_EQ(report.server, (Endpoint{"gpu1.lan", 8080})) << "requests go to the front door, not the admin URL";
    ASSERT_TRUE(report.agent);
    EXPECT_EQ(*report.agent, (Endpoint{"gpu1.lan", 7001}));
    ASSERT_EQ(report.services.size(), 1u);
    EXPECT_EQ(report.services[0].name, "gemma");
    EXPECT_EQ(report.services[0].aliases, std::vector<std::string>{"g"});
    EXPECT_TRUE(report.services[0].lazy);
    EXPECT_EQ(report.services[0].slots, 2);
    EXPECT_EQ(report.services[0].model_info["architecture"], "llama");
}

TEST(NodeReport, LoopbackOnlyWorksFromLoopback) {
    auto body = node_answer("127.0.0.1", 8080, std::nullopt, nlohmann::json::array());
    EXPECT_FALSE(std::get<NodeReport>(parse_node_report("http://127.0.0.1:8080", body)).agent);
    EXPECT_EQ(error_of("http://gpu1.lan:8080", body),
              "node http://gpu1.lan:8080: listen 127.0.0.1:8080 is reachable from its own machine only; "
              "set listen = \"0.0.0.0:PORT\" (with api_keys) on it");
    body = node_answer("10.0.0.7", 8080, 7001, nlohmann::json::array());
    body["agent"]["host"] = "127.0.0.1";
    EXPECT_EQ(error_of("http://10.0.0.7:8080", body),
              "node http://10.0.0.7:8080: agent_listen 127.0.0.1:7001 is reachable from its own machine only; "
              "set agent_listen = \"0.0.0.0:PORT\" on it");
}

TEST(NodeReport, AnswersThatCannotGoIntoAConfig) {
    EXPECT_EQ(error_of("http://n:1", nlohmann::json::object()),
              "node http://n:1: its GET /node answer is not what ggufd sends; is it a ggufd node of this version?");
    EXPECT_EQ(error_of("http://n:1", node_answer("n", 1, 2, {service("bad name\n")})),
              "node http://n:1: service \"bad name\n\" may contain only letters, digits, '-', '_', '.' and ':' "
              "(names appear in URLs such as /health/<name>)");
    EXPECT_EQ(error_of("http://n:1", node_answer("n", 1, 2, {service("ok", {"x y"})})),
              "node http://n:1: alias \"x y\" may contain only letters, digits, '-', '_', '.' and ':' "
              "(names appear in URLs such as /health/<name>)");
    auto no_listen = node_answer("n", 1, 2, nlohmann::json::array());
    no_listen.erase("listen");
    EXPECT_EQ(error_of("http://n:1", no_listen), "node http://n:1: listen is missing or malformed in its answer");
}

}  // namespace
}  // namespace ggufd::haproxy
