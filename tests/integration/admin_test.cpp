// The admin API and the CLI commands that use it (README.md, docs/CLI.md): status, start/stop/restart,
// logs (tail and follow), with their documented exit codes.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class Admin : public testing::Test {
protected:
    void SetUp() override {
        std::string config = "[services.one]\nmodel = \"" + dir.write("one.gguf", "x").string() +
                             "\"\naliases = [\"uno\"]\n[services.two]\nmodel = \"" + dir.write("two.gguf", "x").string() +
                             "\"\nload = \"lazy\"\n";
        daemon = std::make_unique<Daemon>(dir, DaemonOptions{config});
        ASSERT_TRUE(daemon->wait_state("one", "ready")) << daemon->log();
    }
    TempDir dir;
    std::unique_ptr<Daemon> daemon;
};

}  // namespace

TEST_F(Admin, ServicesListsStatePidPortAndReasons) {
    auto body = json::parse(http_get(daemon->port(), "/services").body);
    ASSERT_EQ(body["services"].size(), 2u);
    auto one = body["services"][0];
    EXPECT_EQ(one["name"], "one");
    EXPECT_EQ(one["aliases"], json::array({"uno"}));
    EXPECT_EQ(one["state"], "ready");
    EXPECT_TRUE(one["pid"].is_number());
    EXPECT_GT(one["port"].get<int>(), 0);
    EXPECT_TRUE(one.contains("uptime_seconds"));
    EXPECT_EQ(one["restarts"], 0);
    auto two = body["services"][1];
    EXPECT_EQ(two["state"], "stopped");
    EXPECT_EQ(two["cause"], "not-started");
    EXPECT_NE(two["reason"].get<std::string>().find("first request"), std::string::npos);
}

TEST_F(Admin, ServiceDetailIncludesRecentOutput) {
    auto one = daemon->service("one");
    ASSERT_TRUE(one["recent_logs"].is_array());
    bool saw_listening = false;
    for (const auto& line : one["recent_logs"]) saw_listening |= line.get<std::string>().find("listening") != std::string::npos;
    EXPECT_TRUE(saw_listening) << one;
    EXPECT_EQ(http_get(daemon->port(), "/services/nope").status, 404);
}

TEST_F(Admin, StartStopRestartThroughTheCli) {
    auto start = run_cli(dir, *daemon, {"start", "two"});
    EXPECT_EQ(start.exit_code, 0) << start.output;
    EXPECT_NE(start.output.find("two: ready"), std::string::npos) << start.output;

    auto pid = daemon->service("two")["pid"];
    auto restart = run_cli(dir, *daemon, {"restart", "two"});
    EXPECT_EQ(restart.exit_code, 0) << restart.output;
    EXPECT_NE(daemon->service("two")["pid"], pid);

    auto stop = run_cli(dir, *daemon, {"stop", "two"});
    EXPECT_EQ(stop.exit_code, 0) << stop.output;
    EXPECT_EQ(daemon->service("two")["state"], "stopped");
    EXPECT_EQ(daemon->service("two")["cause"], "stopped-by-user");

    auto missing = run_cli(dir, *daemon, {"stop", "nope"});
    EXPECT_EQ(missing.exit_code, 4) << missing.output;
    EXPECT_NE(missing.output.find("no service named \"nope\""), std::string::npos);
}

TEST_F(Admin, StatusPrintsATableAndJson) {
    auto table = run_cli(dir, *daemon, {"status"});
    EXPECT_EQ(table.exit_code, 0) << table.output;
    EXPECT_NE(table.output.find("NAME"), std::string::npos);
    EXPECT_NE(table.output.find("RESTARTS"), std::string::npos);
    EXPECT_NE(table.output.find("LAST EXIT"), std::string::npos);
    EXPECT_NE(table.output.find("one"), std::string::npos);

    auto as_json = run_cli(dir, *daemon, {"status", "--json"});
    EXPECT_EQ(as_json.exit_code, 0);
    auto parsed = json::parse(as_json.output);
    EXPECT_EQ(parsed["services"].size(), 2u);
}

TEST_F(Admin, StatusShowsRestartCountAndLastExitAfterACrash) {
    daemon->service("one");
    auto pid = daemon->service("one")["pid"].get<pid_t>();
    ::kill(pid, SIGKILL);
    ASSERT_TRUE(wait_until([&] { return daemon->service("one")["restarts"] == 1; })) << daemon->log();
    ASSERT_TRUE(daemon->wait_state("one", "ready")) << daemon->log();
    auto detail = run_cli(dir, *daemon, {"status", "one"});
    EXPECT_EQ(detail.exit_code, 0);
    EXPECT_NE(detail.output.find("killed by signal 9 (SIGKILL)"), std::string::npos) << detail.output;
}

TEST_F(Admin, LogsTailAndFollow) {
    auto logs = run_cli(dir, *daemon, {"logs", "one", "-n", "50"});
    EXPECT_EQ(logs.exit_code, 0);
    EXPECT_NE(logs.output.find("listening"), std::string::npos) << logs.output;

    // Following: the lines of a restart arrive on the open stream.
    StreamReader follow(daemon->port(), "GET", "/services/one/logs?tail=0&follow=1", "");
    ASSERT_TRUE(follow.read_head());
    EXPECT_EQ(follow.status(), 200);
    ASSERT_EQ(http_post(daemon->port(), "/services/one/restart", "").status, 200);
    bool saw_new_line = false;
    while (auto event = follow.next_event(10s)) {
        if (event->find("listening") != std::string::npos) {
            saw_new_line = true;
            break;
        }
    }
    EXPECT_TRUE(saw_new_line);
}

TEST(AdminCli, AnUnreachableDaemonIsExitCode3) {
    TempDir dir;
    std::vector<std::string> argv = {build_binary("ggufd").string(), "status", "--url",
                                     "http://127.0.0.1:" + std::to_string(free_port())};
    ChildProcess cli(argv, dir.path() / "cli.log");
    auto status = cli.wait(60s);
    ASSERT_TRUE(status && WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 3) << cli.log();
    EXPECT_NE(cli.log().find("Start it with `ggufd serve`"), std::string::npos) << cli.log();
}

TEST_F(Admin, MetricsCountRequestsTokensAndLatencyInPrometheusText) {
    ASSERT_EQ(http_post(daemon->port(), "/v1/chat/completions", chat_body("one", false, 4)).status, 200);
    StreamReader stream(daemon->port(), "POST", "/v1/chat/completions", chat_body("uno", true, 3));
    EXPECT_NE(stream.read_rest().find("[DONE]"), std::string::npos);

    auto metrics = http_get(daemon->port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.header("Content-Type").find("text/plain"), std::string::npos);
    const std::string& text = metrics.body;
    EXPECT_NE(text.find("# TYPE ggufd_requests_total counter"), std::string::npos);
    EXPECT_NE(text.find("ggufd_requests_total{service=\"one\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("ggufd_tokens_generated_total{service=\"one\"} 7"), std::string::npos) << text;
    EXPECT_NE(text.find("ggufd_request_duration_seconds_count{service=\"one\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("ggufd_time_to_first_token_seconds_count{service=\"one\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("ggufd_service_state{service=\"one\",state=\"ready\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("ggufd_service_state{service=\"two\",state=\"stopped\"} 1"), std::string::npos) << text;
}
