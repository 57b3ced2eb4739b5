// The agent-check wire format: the queries ggufd accepts and the words it answers with, as
// HAProxy 2.6 reads them (docs/SCALE-OUT.md).
#include <gtest/gtest.h>

#include "agent_protocol.h"

namespace ggufd::agent {
namespace {

TEST(AgentProtocol, Queries) {
    EXPECT_EQ(parse_query("gemma"), (Query{"gemma", Role::serve}));
    EXPECT_EQ(parse_query("gemma standby"), (Query{"gemma", Role::standby}));
    EXPECT_EQ(parse_query("  qwen2.5:7b\tstandby "), (Query{"qwen2.5:7b", Role::standby}));
    EXPECT_EQ(parse_query(""), (Query{"", Role::serve})) << "no agent-send: the node as a whole";
    EXPECT_EQ(parse_query("   "), (Query{"", Role::serve}));
}

TEST(AgentProtocol, MalformedQueries) {
    EXPECT_FALSE(parse_query("gemma serve now"));
    EXPECT_FALSE(parse_query("gemma later"));
    EXPECT_FALSE(parse_query("../etc/passwd"));
    EXPECT_FALSE(parse_query("gem#ma"));
    EXPECT_FALSE(parse_query(std::string(129, 'a')));
    EXPECT_TRUE(parse_query(std::string(128, 'a')));
    EXPECT_FALSE(parse_query(std::string("gem\0ma", 6)));
}

TEST(AgentProtocol, Answers) {
    EXPECT_EQ(render({Answer::Kind::up, 75, ""}), "ready up 75%\n") << "ready and up undo an earlier drain or down";
    EXPECT_EQ(render({Answer::Kind::drain, 0, ""}), "drain\n");
    EXPECT_EQ(render({Answer::Kind::maint, 0, ""}), "maint\n");
    EXPECT_EQ(render({Answer::Kind::down, 0, "failed: exit code 3"}), "down#failed: exit code 3\n");
}

TEST(AgentProtocol, TheWhyCannotBreakTheLine) {
    std::string why = "crashed\r\nready up 100%#\x01" + std::string(300, 'x');
    std::string line = render({Answer::Kind::down, 0, why});
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_EQ(line.find('#', 5), std::string::npos);
    EXPECT_LE(line.size(), 5u + 120u + 1u);
    EXPECT_EQ(line.rfind("down#crashed  ready up 100% ", 0), 0u) << line;
}

TEST(AgentProtocol, AMalformedQueryIsToldWhatIsExpected) {
    std::string reply = malformed_query_reply();
    EXPECT_EQ(reply.rfind("down#", 0), 0u);
    EXPECT_NE(reply.find("standby"), std::string::npos);
    EXPECT_EQ(reply.find('\n'), reply.size() - 1);
}

}  // namespace
}  // namespace ggufd::agent
