// `ggufd haproxy-config` and `ggufd drain` against real daemons (fake children): the files it
// writes, its refusals and exit codes, --watch following a reload, and drain waiting for the
// requests in flight and for the agent to have told a balancer.
#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"
#include "tcp_client.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string node_config(uint16_t agent_port, const std::string& services) {
    return "agent_listen = \"127.0.0.1:" + std::to_string(agent_port) + "\"\n" + services;
}

class HaproxyConfig : public testing::Test {
protected:
    std::string service(const std::string& name, const std::string& extra = "") {
        return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\n" + extra;
    }
    TempDir dir;
};

}  // namespace

TEST_F(HaproxyConfig, WritesTheConfigAndTheModelsFilesBesideIt) {
    Daemon node(dir, DaemonOptions{node_config(free_port(), service("gemma", "aliases = [\"g\"]\n"))});
    auto out = dir.path() / "lb" / "haproxy.cfg";
    std::filesystem::create_directories(out.parent_path());
    auto result = run_ggufd(dir, {"haproxy-config", "--node", node.url(), "--out", out.string(), "--listen", "0.0.0.0:9000"});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    std::string config = read_file(out);
    EXPECT_NE(config.find("bind 0.0.0.0:9000"), std::string::npos);
    EXPECT_NE(config.find("backend serve_gemma"), std::string::npos);
    EXPECT_NE(config.find("agent-send \"gemma\\n\""), std::string::npos);
    auto models = json::parse(read_file(out.parent_path() / "ggufd" / "models.json"));
    ASSERT_EQ(models["data"].size(), 2u);
    EXPECT_EQ(models["data"][1]["id"], "g");
    if (find_haproxy()) {
        EXPECT_NE(result.output.find("checked with haproxy -c"), std::string::npos) << result.output;
    }
}

TEST_F(HaproxyConfig, RefusesNodesThatDisagreeOrDoNotAnswer) {
    Daemon a(dir, DaemonOptions{node_config(free_port(), service("gemma", "aliases = [\"default\"]\n"))});
    Daemon b(dir, DaemonOptions{node_config(free_port(), service("llama", "aliases = [\"default\"]\n"))});
    auto conflict = run_ggufd(dir, {"haproxy-config", "--node", a.url(), "--node", b.url()});
    EXPECT_EQ(conflict.exit_code, 2);
    EXPECT_NE(conflict.output.find("\"default\" means model \"gemma\" on node " + a.url()), std::string::npos)
        << conflict.output;
    auto gone = run_ggufd(dir, {"haproxy-config", "--node", "http://127.0.0.1:" + std::to_string(free_port())});
    EXPECT_EQ(gone.exit_code, 3) << gone.output;
    EXPECT_NE(gone.output.find("no answer"), std::string::npos) << gone.output;
    auto bad = run_ggufd(dir, {"haproxy-config", "--node", "gpu1:8080"});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(HaproxyConfig, WatchFollowsAReload) {
    uint16_t agent = free_port();
    Daemon node(dir, DaemonOptions{node_config(agent, service("gemma"))});
    auto out = dir.path() / "watched" / "haproxy.cfg";
    std::filesystem::create_directories(out.parent_path());
    auto marker = dir.path() / "reloaded";
    ChildProcess watcher({build_binary("ggufd").string(), "haproxy-config", "--node", node.url(), "--out", out.string(),
                          "--watch", "1", "--reload", "touch " + marker.string()},
                         dir.path() / "watch.log");
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(marker); }, 60s)) << watcher.log();
    std::filesystem::remove(marker);
    // A new service on the node: the next round rewrites the config and runs --reload again.
    node.rewrite_config(node_config(agent, service("gemma") + service("qwen")));
    ASSERT_EQ(http_post(node.port(), "/reload", "").status, 200);
    EXPECT_TRUE(wait_until([&] { return read_file(out).find("backend serve_qwen") != std::string::npos; }, 60s))
        << watcher.log();
    EXPECT_TRUE(wait_until([&] { return std::filesystem::exists(marker); }, 30s)) << watcher.log();
}

TEST_F(HaproxyConfig, DrainWaitsForTheBalancerAndTheStreamsInFlight) {
    uint16_t agent = free_port();
    Daemon node(dir, DaemonOptions{node_config(
                         agent, service("slow", "args = [\"--fake-tokens\", \"100000\", \"--fake-token-interval\", \"20ms\"]\n"))});
    ASSERT_TRUE(node.wait_state("slow", "ready")) << node.log();
    // A balancer has checked the service: the drain waits until it has heard "drain". The agent
    // answers from a copy refreshed every 250 ms, so "ready" may take a refresh to show.
    auto agent_says = [&] { return tcp_exchange("127.0.0.1", agent, "slow\n").received; };
    ASSERT_TRUE(wait_until([&] { return agent_says().rfind("ready up", 0) == 0; })) << agent_says();
    StreamReader stream(node.port(), "POST", "/v1/chat/completions", chat_body("slow", true, 100000));
    ASSERT_TRUE(stream.next_event().has_value());

    auto timed_out = run_cli(dir, node, {"drain", "--timeout", "1s"});
    EXPECT_EQ(timed_out.exit_code, 1) << timed_out.output;
    EXPECT_NE(timed_out.output.find("1 request(s) in flight; not yet told by the agent: slow (serve)"), std::string::npos)
        << timed_out.output;

    auto drain = std::async(std::launch::async, [&] { return run_cli(dir, node, {"drain", "--timeout", "2m"}); });
    EXPECT_TRUE(wait_until([&] { return agent_says() == "drain\n"; })) << agent_says();
    stream.close();
    auto drained = drain.get();
    EXPECT_EQ(drained.exit_code, 0) << drained.output;
    EXPECT_NE(drained.output.find("the node is drained"), std::string::npos) << drained.output;

    auto undrained = run_cli(dir, node, {"undrain"});
    EXPECT_EQ(undrained.exit_code, 0) << undrained.output;
    EXPECT_TRUE(wait_until([&] { return agent_says().rfind("ready up", 0) == 0; })) << agent_says();
    EXPECT_EQ(run_cli(dir, node, {"drain", "nope"}).exit_code, 4);
}
