// agent_listen (docs/SCALE-OUT.md): read like the other listen addresses, off by default, and
// its port belongs to the agent alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace ggufd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kFile = "/etc/ggufd/test.toml:";

TEST(AgentListen, OffByDefault) {
    auto result = load("[services.a]\nmodel = \"/m/a.gguf\"\n");
    ASSERT_TRUE(result.config);
    EXPECT_FALSE(result.config->agent_listen);
}

TEST(AgentListen, ReadAsAHostAndPort) {
    auto result = load("listen = \"127.0.0.2:8080\"\nagent_listen = \"0.0.0.0:7001\"\n");
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    ASSERT_TRUE(result.config && result.config->agent_listen);
    EXPECT_EQ(result.config->agent_listen->host, "0.0.0.0");
    EXPECT_EQ(result.config->agent_listen->port, 7001);
}

TEST(AgentListen, ItsPortIsItsOwn) {
    EXPECT_THAT(rendered(load("listen = \"127.0.0.1:8080\"\nagent_listen = \"127.0.0.1:8080\"\n").errors),
                ElementsAre(kFile + "2:16: agent_listen: port 8080 is already taken by ggufd's own listen address "
                                    "(listen, line 1); the agent needs a port of its own"));
    EXPECT_THAT(rendered(load(R"(agent_listen = "127.0.0.1:7001"
[services.a]
model = "/m/a.gguf"
port = 7001
)").errors),
                ElementsAre(kFile + "4:8: services.a.port: port 7001 is already taken by ggufd's agent address "
                                    "(agent_listen, line 1)"));
}

TEST(AgentListen, BadAddressesAreRefusedLikeListen) {
    EXPECT_THAT(rendered(load("agent_listen = \":7001\"\n").errors), ::testing::SizeIs(1));
    EXPECT_THAT(rendered(load("agent_listen = 7001\n").errors), ::testing::SizeIs(1));
}

}  // namespace
}  // namespace ggufd::config::test
