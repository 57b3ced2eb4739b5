// The HAProxy agent endpoint against the real daemon (docs/SCALE-OUT.md): the answer for each
// service and role, weights from slots held by streams, drains set through the admin API and the
// CLI, maint while shutting down, and peers that are slow, silent or flooding.
#include <signal.h>

#include <gtest/gtest.h>

#include <vector>

#include "cli.h"
#include "daemon.h"
#include "process.h"
#include "tcp_client.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class Agent : public testing::Test {
protected:
    void SetUp() override {
        // Every test starts from a ready service the agent already knows as ready.
        agent_port = free_port();
        // "slow" generates slowly, so a stream holds its slot for as long as a test needs.
        std::string config = "agent_listen = \"127.0.0.1:" + std::to_string(agent_port) + "\"\n" +
                             "drain_timeout = \"30s\"\n" + "[services.slow]\nmodel = \"" +
                             dir.write("slow.gguf", "x").string() +
                             "\"\naliases = [\"s\"]\nparallel = 2\nargs = [\"--fake-tokens\", \"100000\", "
                             "\"--fake-token-interval\", \"20ms\"]\n[services.cold]\nmodel = \"" +
                             dir.write("cold.gguf", "x").string() + "\"\nload = \"lazy\"\n";
        daemon = std::make_unique<Daemon>(dir, DaemonOptions{config});
        ASSERT_TRUE(daemon->wait_state("slow", "ready")) << daemon->log();
        ASSERT_TRUE(answers("slow\n", "ready up 100%\n"));
    }

    std::string ask(const std::string& line) {
        return tcp_exchange("127.0.0.1", agent_port, line, 10s).received;
    }

    // Answers come from a snapshot refreshed every 250 ms (slots count as held after 5 s): wait
    // for the one expected.
    bool answers(const std::string& line, const std::string& expected) {
        return wait_until([&] { return ask(line) == expected; }, 30s, 50ms);
    }

    TempDir dir;
    uint16_t agent_port = 0;
    std::unique_ptr<Daemon> daemon;
};

}  // namespace

TEST_F(Agent, AnswersForEachServiceAndRole) {
    EXPECT_EQ(ask("slow\n"), "ready up 100%\n");
    EXPECT_EQ(ask("s\r\n"), "ready up 100%\n") << "aliases name the service too";
    EXPECT_EQ(ask("slow standby\n"), "ready up 100%\n");
    EXPECT_EQ(ask("cold\n"), "drain\n") << "a lazy service not started takes no traffic on its main line...";
    EXPECT_EQ(ask("cold standby\n"), "ready up 100%\n") << "...but stands by to start when no node serves it";
    EXPECT_EQ(ask("nope\n"), "down#no service named \"nope\" on this node\n");
    EXPECT_EQ(ask("\n"), "ready up 100%\n") << "no agent-send: the node as a whole";
    EXPECT_EQ(ask("slow later\n").rfind("down#ggufd agent: expected", 0), 0u);
}

TEST_F(Agent, StreamsHoldingSlotsLowerTheWeight) {
    StreamReader first(daemon->port(), "POST", "/v1/chat/completions", chat_body("slow", true, 100000));
    ASSERT_TRUE(first.next_event().has_value());
    EXPECT_TRUE(answers("slow\n", "ready up 50%\n")) << "one of two slots held by a stream";
    StreamReader second(daemon->port(), "POST", "/v1/chat/completions", chat_body("slow", true, 100000));
    ASSERT_TRUE(second.next_event().has_value());
    EXPECT_TRUE(answers("slow\n", "ready up 1%\n")) << "full, yet still up";
    first.close();
    second.close();
    EXPECT_TRUE(answers("slow\n", "ready up 100%\n"));
}

TEST_F(Agent, DrainsThroughTheAdminApiAndTheCli) {
    ASSERT_EQ(http_post(daemon->port(), "/services/s/drain", "").status, 200);
    EXPECT_EQ(ask("slow\n"), "drain\n") << "a drain is answered at once, not after a refresh";
    EXPECT_EQ(ask("slow standby\n"), "drain\n");
    EXPECT_EQ(ask("cold standby\n"), "ready up 100%\n");
    auto status = json::parse(http_get(daemon->port(), "/drain").body);
    EXPECT_EQ(status["node_drained"], false);
    EXPECT_EQ(status["services"][0]["drained"], true);
    EXPECT_EQ(status["services"][0]["balancer_not_yet_told"], json::array()) << status;

    auto started = run_cli(dir, *daemon, {"start", "slow"});
    EXPECT_EQ(started.exit_code, 0) << started.output;
    EXPECT_EQ(ask("slow\n"), "ready up 100%\n") << "`ggufd start` ends the service's drain";

    ASSERT_EQ(http_post(daemon->port(), "/drain", "").status, 200);
    EXPECT_EQ(ask("cold standby\n"), "drain\n");
    EXPECT_EQ(ask("\n"), "drain\n");
    ASSERT_EQ(http_post(daemon->port(), "/undrain", "").status, 200);
    EXPECT_EQ(ask("slow\n"), "ready up 100%\n");
    EXPECT_EQ(http_post(daemon->port(), "/services/nope/drain", "").status, 404);
}

TEST_F(Agent, AServiceStoppedByAUserIsDrainedInBothRoles) {
    auto stopped = run_cli(dir, *daemon, {"stop", "slow"});
    ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
    EXPECT_TRUE(answers("slow\n", "drain\n"));
    EXPECT_TRUE(answers("slow standby\n", "drain\n")) << "a request would be refused: stand by elsewhere";
}

TEST_F(Agent, MaintWhileTheDaemonShutsDown) {
    StreamReader stream(daemon->port(), "POST", "/v1/chat/completions", chat_body("slow", true, 100000));
    ASSERT_TRUE(stream.next_event().has_value());
    daemon->process().signal(SIGTERM);
    EXPECT_TRUE(answers("slow\n", "maint\n")) << "draining the stream in flight, taking no new requests";
    EXPECT_EQ(ask("nope\n"), "maint\n");
    stream.close();
    ASSERT_TRUE(daemon->process().wait(60s).has_value());
    EXPECT_FALSE(tcp_exchange("127.0.0.1", agent_port, "slow\n", 2s).connected) << "the agent leaves with the daemon";
}

TEST_F(Agent, SilentSlowAndFloodingPeersDoNotBlockChecks) {
    // 200 silent peers: more than the 64 places, so the oldest are dropped for the newest.
    std::vector<ggufd::net::UniqueFd> silent;
    for (int i = 0; i < 200; ++i) silent.push_back(tcp_connect("127.0.0.1", agent_port));
    auto asked_at = std::chrono::steady_clock::now();
    EXPECT_EQ(ask("slow\n"), "ready up 100%\n");
    EXPECT_LT(std::chrono::steady_clock::now() - asked_at, 2s) << "a check waits for no silent peer";
    // A silent peer is closed at its 2 s deadline; one that floods without a line end at once.
    EXPECT_TRUE(wait_peer_closed(silent.back().get(), 10s));
    auto flood = tcp_exchange("127.0.0.1", agent_port, std::string(100000, 'a'), 10s);
    EXPECT_TRUE(flood.closed_by_peer);
    EXPECT_EQ(flood.received, "") << "no answer to a line that never ends";
    // A line without its "\n" is answered at the deadline (an agent-send that forgot it).
    auto unterminated = tcp_exchange("127.0.0.1", agent_port, "slow", 10s);
    EXPECT_EQ(unterminated.received, "ready up 100%\n");
    EXPECT_EQ(http_get(daemon->port(), "/health").status, 200);
}
