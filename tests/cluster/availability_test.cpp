// No failed request while nodes leave and come back: draining a node (or one service) before it
// stops, a rolling restart of every node; and when a node dies, only the requests in flight on
// it fail (streams cut), none once HAProxy has noticed.
#include <signal.h>
#include <sys/wait.h>

#include "cluster_fixture.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Two clients, each streaming 30-token answers one after another.
constexpr int kClients = 2;
constexpr int kTokens = 30;

bool more_answers(const Traffic& traffic, size_t how_many) {
    size_t target = traffic.count() + how_many;
    return wait_until([&] { return traffic.count() >= target; }, 120s);
}

size_t failures(const std::vector<Outcome>& outcomes) {
    return std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return !o.complete; });
}

class Fleet : public Cluster {
protected:
    void start(int node_count) {
        for (int i = 0; i < node_count; ++i) add_node(service_toml("gemma", "parallel = 2\n"));
        for (Node* node : nodes()) ASSERT_TRUE(node->daemon().wait_state("gemma", "ready")) << node->daemon().log();
        balancer_ = std::make_unique<Balancer>(dir_, nodes());
        for (Node* node : nodes()) ASSERT_TRUE(balancer_->wait_status("serve_gemma", *node, "UP")) << balancer_->log();
        traffic_ = std::make_unique<Traffic>(balancer_->port(), "gemma", kClients, kTokens);
        ASSERT_TRUE(more_answers(*traffic_, 4));
    }

    std::unique_ptr<Balancer> balancer_;
    std::unique_ptr<Traffic> traffic_;
};

}  // namespace

TEST_F(Fleet, DrainingANodeBeforeItStopsFailsNoRequest) {
    start(2);
    Node& leaving = *nodes_[0];
    auto drained = cli(leaving, {"drain", "--timeout", "2m"});
    ASSERT_EQ(drained.exit_code, 0) << drained.output;
    EXPECT_TRUE(balancer_->wait_status("serve_gemma", leaving, "DRAIN"));
    auto status = leaving.daemon().stop(SIGTERM);
    ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << leaving.daemon().log();
    ASSERT_TRUE(more_answers(*traffic_, 6));
    traffic_->stop();
    EXPECT_EQ(failures(traffic_->outcomes()), 0u) << traffic_->describe_failures();
}

TEST_F(Fleet, DrainingAServiceBeforeStoppingItFailsNoRequest) {
    start(2);
    Node& node = *nodes_[0];
    auto drained = cli(node, {"drain", "gemma", "--timeout", "2m"});
    ASSERT_EQ(drained.exit_code, 0) << drained.output;
    auto stopped = cli(node, {"stop", "gemma"});
    ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
    ASSERT_TRUE(more_answers(*traffic_, 6));
    // `ggufd start` ends the service's drain: HAProxy takes the node back.
    auto started = cli(node, {"start", "gemma"});
    ASSERT_EQ(started.exit_code, 0) << started.output;
    EXPECT_TRUE(balancer_->wait_status("serve_gemma", node, "UP"));
    ASSERT_TRUE(more_answers(*traffic_, 4));
    traffic_->stop();
    EXPECT_EQ(failures(traffic_->outcomes()), 0u) << traffic_->describe_failures();
}

TEST_F(Fleet, ARollingRestartOfEveryNodeFailsNoRequest) {
    start(3);
    for (Node* node : nodes()) {
        auto drained = cli(*node, {"drain", "--timeout", "2m"});
        ASSERT_EQ(drained.exit_code, 0) << drained.output;
        auto status = node->daemon().stop(SIGTERM);
        ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << node->daemon().log();
        node->daemon().start_again();
        ASSERT_TRUE(node->daemon().wait_state("gemma", "ready")) << node->daemon().log();
        // Back in rotation before the next node leaves.
        ASSERT_TRUE(balancer_->wait_status("serve_gemma", *node, "UP")) << balancer_->log();
        ASSERT_TRUE(more_answers(*traffic_, 2));
    }
    traffic_->stop();
    EXPECT_EQ(failures(traffic_->outcomes()), 0u) << traffic_->describe_failures();
    std::fprintf(stderr, "rolling restart of 3 nodes: %zu requests, none failed\n", traffic_->count());
}

TEST_F(Fleet, ANodeKilledMidStreamFailsOnlyWhatWasInFlightOnIt) {
    start(2);
    Node& victim = *nodes_[0];
    ASSERT_TRUE(wait_until([&] { return victim.daemon().service("gemma")["in_flight"].get<int>() > 0; }, 60s))
        << "a stream in flight on the node that dies";
    auto killed_at = Clock::now();
    victim.daemon().process().signal(SIGKILL);
    ASSERT_TRUE(balancer_->wait_status("serve_gemma", victim, "DOWN", 30s)) << balancer_->log();
    auto noticed_at = Clock::now();
    ASSERT_TRUE(more_answers(*traffic_, 8));
    traffic_->stop();

    size_t cut = 0, failed_after_kill = 0, after_kill = 0;
    for (const Outcome& outcome : traffic_->outcomes()) {
        if (outcome.started >= killed_at) {
            ++after_kill;
            if (!outcome.complete) ++failed_after_kill;
        } else if (!outcome.complete) {
            ++cut;
        }
    }
    auto notice_ms = std::chrono::duration_cast<std::chrono::milliseconds>(noticed_at - killed_at).count();
    std::fprintf(stderr, "node killed: %zu stream(s) in flight on it cut; HAProxy marked it down after %lld ms; "
                         "%zu request(s) sent after the kill, %zu failed\n",
                 cut, static_cast<long long>(notice_ms), after_kill, failed_after_kill);
    RecordProperty("noticed_after_ms", std::to_string(notice_ms));
    EXPECT_LE(cut, static_cast<size_t>(kClients)) << "at most the streams that were on the killed node";
    EXPECT_EQ(failed_after_kill, 0u) << "requests that found the node gone were sent to the other one\n"
                                     << traffic_->describe_failures();
}
