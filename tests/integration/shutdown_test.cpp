// Daemon shutdown (docs/ARCHITECTURE.md): SIGTERM drains in-flight requests, stops every child and exits 0;
// a second signal skips the drain; SIGKILL leaves no child behind either.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;

namespace {

std::string recorded_service(const TempDir& dir, const std::string& name, const std::string& extra_args = "") {
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() +
           "\"\nstop_timeout = \"3s\"\nargs = [\"--fake-record\", \"" + (dir.path() / (name + ".json")).string() + "\"" +
           extra_args + "]\n";
}

std::vector<pid_t> child_pids(const TempDir& dir, const std::vector<std::string>& names) {
    std::vector<pid_t> pids;
    for (const auto& name : names) {
        auto record = read_record(dir.path() / (name + ".json"));
        if (record) pids.push_back((*record)["pid"].get<pid_t>());
    }
    return pids;
}

bool all_gone(const std::vector<pid_t>& pids) {
    reap_orphans();
    for (pid_t pid : pids) {
        if (!process_gone(pid)) return false;
    }
    return true;
}

}  // namespace

TEST(Shutdown, SigtermExitsZeroWithinTheGracePeriodAndLeavesNoChild) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{recorded_service(dir, "one") + recorded_service(dir, "two")});
    ASSERT_TRUE(daemon.wait_state("one", "ready") && daemon.wait_state("two", "ready")) << daemon.log();
    auto pids = child_pids(dir, {"one", "two"});
    ASSERT_EQ(pids.size(), 2u);

    auto started = std::chrono::steady_clock::now();
    auto status = daemon.stop(SIGTERM, 20s);
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(status.has_value()) << "ggufd did not exit: " << daemon.log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon.log();
    EXPECT_LT(took, 3s + 2s) << "within the grace period (stop_timeout = 3s) plus 2 s";
    EXPECT_TRUE(all_gone(pids));
}

TEST(Shutdown, SigkillLeavesNoChildAfterTwoSeconds) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{recorded_service(dir, "one") + recorded_service(dir, "two")});
    ASSERT_TRUE(daemon.wait_state("one", "ready") && daemon.wait_state("two", "ready")) << daemon.log();
    auto pids = child_pids(dir, {"one", "two"});
    ASSERT_EQ(pids.size(), 2u);
    daemon.stop(SIGKILL, 10s);
    EXPECT_TRUE(wait_until([&] { return all_gone(pids); }, 2s)) << "PR_SET_PDEATHSIG must take the children along";
}

TEST(Shutdown, InFlightStreamsFinishBeforeTheDaemonExits) {
    TempDir dir;
    // 20 tokens, 50 ms apart: the stream is still running when SIGTERM arrives.
    Daemon daemon(dir, DaemonOptions{recorded_service(dir, "slow", ", \"--fake-tokens\", \"20\", \"--fake-token-interval\", \"50ms\"")});
    ASSERT_TRUE(daemon.wait_state("slow", "ready")) << daemon.log();
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("slow", true, 20));
    ASSERT_TRUE(stream.next_event().has_value());
    daemon.process().signal(SIGTERM);
    // The front door stops accepting at once...
    EXPECT_TRUE(wait_until([&] { return http_get(daemon.port(), "/health").status != 200; }, 10s));
    // ...while the request in flight runs to its end.
    std::string rest = stream.read_rest();
    EXPECT_NE(rest.find("data: [DONE]"), std::string::npos) << rest;
    auto status = daemon.process().wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST(Shutdown, ASecondSignalSkipsTheDrain) {
    TempDir dir;
    // A stream that would take 100 s: only skipping the drain ends the daemon quickly.
    Daemon daemon(dir, DaemonOptions{"drain_timeout = \"5m\"\n" +
                                     recorded_service(dir, "endless", ", \"--fake-tokens\", \"1000\", \"--fake-token-interval\", \"100ms\"")});
    ASSERT_TRUE(daemon.wait_state("endless", "ready")) << daemon.log();
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("endless", true, 1000));
    ASSERT_TRUE(stream.next_event().has_value());
    daemon.process().signal(SIGTERM);
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("signal again to skip") != std::string::npos; }, 10s));
    daemon.process().signal(SIGINT);
    auto status = daemon.process().wait(20s);
    ASSERT_TRUE(status.has_value()) << daemon.log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status << "\n" << daemon.log();
}

// During the drain the door stays open so that callers learn why they are turned away: /health
// says 503, every other new request gets 503 with Retry-After and Connection: close, idle
// keep-alive connections are closed, and the request in flight runs to its end.
TEST(Shutdown, DuringTheDrainNewRequestsGet503AndIdleConnectionsClose) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{recorded_service(dir, "slow", ", \"--fake-tokens\", \"40\", \"--fake-token-interval\", \"50ms\"")});
    ASSERT_TRUE(daemon.wait_state("slow", "ready")) << daemon.log();
    StreamReader idle(daemon.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_TRUE(idle.read_head());
    idle.read_rest();  // the connection stays open, between requests
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("slow", true, 40));
    ASSERT_TRUE(stream.next_event().has_value());
    daemon.process().signal(SIGTERM);
    ASSERT_TRUE(wait_until([&] { return http_get(daemon.port(), "/health").status == 503; }, 10s)) << daemon.log();

    auto models = http_get(daemon.port(), "/v1/models");
    EXPECT_EQ(models.status, 503);
    EXPECT_EQ(models.header("Retry-After"), "5");
    EXPECT_EQ(models.header("Connection"), "close");
    EXPECT_NE(models.body.find("shutting down"), std::string::npos) << models.body;
    std::string rest;
    EXPECT_FALSE(idle.read_raw(rest, 5s)) << "the idle keep-alive connection was closed: " << rest;
    EXPECT_TRUE(idle.closed());

    std::string body = stream.read_rest();
    EXPECT_NE(body.find("data: [DONE]"), std::string::npos) << body;
    auto status = daemon.process().wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}
