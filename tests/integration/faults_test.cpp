// The fault-injection suite (issue 4): every way a child can fail is noticed, reported with its
// reason, recovered by policy, and never leaves a client hanging.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A service named `name` on the fake, with `settings` (TOML lines) and fake flags.
std::string service(const TempDir& dir, const std::string& name, const std::string& settings,
                    const std::vector<std::string>& fake_args = {}) {
    std::string args;
    for (const auto& arg : fake_args) args += (args.empty() ? "\"" : ", \"") + arg + "\"";
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\n" + settings +
           "\nargs = [" + args + "]\n";
}

std::string reason_of(const Daemon& daemon, const std::string& name) {
    auto status = daemon.service(name);
    return status.is_object() ? status["reason"].get<std::string>() : "";
}

}  // namespace

TEST(Faults, ACrashLoopEndsInFailedAfterTheRestartLimit) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "broken", "restart_limit = 2", {"--fake-exit-on-start", "1"})});
    ASSERT_TRUE(daemon.wait_state("broken", "failed", 60s)) << daemon.log();
    auto status = daemon.service("broken");
    EXPECT_EQ(status["restarts"], 2);
    EXPECT_EQ(status["cause"], "restart-limit");
    EXPECT_EQ(status["last_exit"]["description"], "exit code 1");
    EXPECT_NE(status["reason"].get<std::string>().find("gave up after 2 restarts"), std::string::npos) << status;
    // Its last words are in the reason: a user sees why without digging through logs.
    EXPECT_NE(status["reason"].get<std::string>().find("failed to load model"), std::string::npos) << status;
    // Restarts are loud.
    EXPECT_NE(daemon.log().find("restart 1 of 2"), std::string::npos);
}

TEST(Faults, ACrashAfterRequestsIsRestartedAndServesAgain) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "flaky", "", {"--fake-crash-after-requests", "2"})});
    ASSERT_TRUE(daemon.wait_state("flaky", "ready")) << daemon.log();
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("flaky", false)).status, 200);
    }
    ASSERT_TRUE(wait_until([&] { return daemon.service("flaky")["restarts"] == 1; })) << daemon.log();
    EXPECT_EQ(daemon.service("flaky")["last_exit"]["description"], "exit code 3");
    ASSERT_TRUE(daemon.wait_state("flaky", "ready")) << daemon.log();
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("flaky", false)).status, 200);
}

TEST(Faults, AChildThatStopsAnsweringHealthIsKilledAndRestarted) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "hung",
                                "health_interval = \"200ms\"\nhealth_timeout = \"300ms\"\nhealth_failures = 2\n"
                                "stop_timeout = \"2s\"",
                                {"--fake-health-hang-after", "3"})});
    ASSERT_TRUE(wait_until([&] { return daemon.service("hung")["restarts"] >= 1; }, 60s)) << daemon.log();
    EXPECT_NE(daemon.log().find("failed 2 consecutive health checks (last: no answer within 300ms)"), std::string::npos)
        << daemon.log();
}

TEST(Faults, AFatalErrorInTheChildsOutputMarksItUnhealthy) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "gpu", "", {"--fake-fatal-log-after", "1"})});
    ASSERT_TRUE(daemon.wait_state("gpu", "ready")) << daemon.log();
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("gpu", false)).status, 200);
    ASSERT_TRUE(wait_until([&] { return daemon.service("gpu")["restarts"] >= 1; })) << daemon.log();
    EXPECT_NE(daemon.log().find("printed a fatal error: CUDA error"), std::string::npos) << daemon.log();
}

TEST(Faults, AChildIgnoringSigtermIsKilledAfterTheGracePeriod) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "stubborn", "stop_timeout = \"1s\"", {"--fake-ignore-sigterm"})});
    ASSERT_TRUE(daemon.wait_state("stubborn", "ready")) << daemon.log();
    auto started = std::chrono::steady_clock::now();
    auto response = http_post(daemon.port(), "/services/stubborn/stop", "");
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_GE(took, 900ms);
    auto status = daemon.service("stubborn");
    EXPECT_EQ(status["state"], "stopped");
    EXPECT_NE(status["reason"].get<std::string>().find("killed with SIGKILL after the 1.0s grace period"),
              std::string::npos)
        << status;
    EXPECT_EQ(status["last_exit"]["description"], "killed by signal 9 (SIGKILL)");
}

TEST(Faults, ASlowLoadAnswers503UntilReadyAndRequestsWaitForIt) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "slow", "", {"--fake-load-delay", "2s"})});
    ASSERT_TRUE(daemon.wait_state("slow", "starting")) << daemon.log();
    EXPECT_EQ(http_get(daemon.port(), "/health/slow").status, 503);
    // A request during the load waits for it rather than failing.
    auto response = http_post(daemon.port(), "/v1/chat/completions", chat_body("slow", false));
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(daemon.service("slow")["state"], "ready");
}

TEST(Faults, ATakenPortFailsTheServiceWithTheReason) {
    TempDir dir;
    uint16_t port = free_port();
    int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(holder, 1), 0);
    Daemon daemon(dir, {service(dir, "fixed", "port = " + std::to_string(port))});
    ASSERT_TRUE(daemon.wait_state("fixed", "failed")) << daemon.log();
    EXPECT_NE(reason_of(daemon, "fixed").find("port " + std::to_string(port) + " is already in use"), std::string::npos);
    ::close(holder);
}

TEST(Faults, AMissingLlamaServerBinaryFailsWithWhatToDo) {
    TempDir dir;
    DaemonOptions options{service(dir, "m", "")};
    options.llama_server = "/nonexistent/llama-server";
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_state("m", "failed")) << daemon.log();
    auto reason = reason_of(daemon, "m");
    EXPECT_NE(reason.find("/nonexistent/llama-server"), std::string::npos) << reason;
    EXPECT_NE(reason.find("GGUFD_LLAMA_SERVER"), std::string::npos) << reason;
}

TEST(Faults, AnUnreadableModelFailsWithItsPath) {
    TempDir dir;
    // Root reads any file, so the portable unreadable model is a directory in its place.
    auto model = dir.path() / "unreadable.gguf";
    std::filesystem::create_directory(model);
    Daemon daemon(dir, {"[services.u]\nmodel = \"" + model.string() + "\"\n"});
    ASSERT_TRUE(daemon.wait_state("u", "failed")) << daemon.log();
    EXPECT_NE(reason_of(daemon, "u").find(model.string()), std::string::npos) << reason_of(daemon, "u");
}

TEST(Faults, ACrashMidStreamEndsTheStreamWithAnErrorEvent) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "dies", "", {"--fake-crash-mid-stream", "3", "--fake-tokens", "10"})});
    ASSERT_TRUE(daemon.wait_state("dies", "ready")) << daemon.log();
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("dies", true, 10));
    std::vector<std::string> events;
    auto started = std::chrono::steady_clock::now();
    while (auto event = stream.next_event(10s)) events.push_back(*event);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "the stream never hangs";
    ASSERT_GE(events.size(), 2u);
    auto last = json::parse(events.back().substr(6));  // "data: {...}"
    EXPECT_TRUE(last.contains("error")) << events.back();
    EXPECT_EQ(last["error"]["type"], "server_error");
    EXPECT_TRUE(stream.ended()) << "the stream is ended properly, not cut";
    ASSERT_TRUE(wait_until([&] { return daemon.service("dies")["restarts"] == 1; })) << daemon.log();
    EXPECT_EQ(daemon.service("dies")["last_exit"]["description"], "killed by signal 9 (SIGKILL)");
}

TEST(Faults, ANonStreamingRequestToACrashingChildGets502) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "dies", "", {"--fake-crash-mid-stream", "1"})});
    ASSERT_TRUE(daemon.wait_state("dies", "ready")) << daemon.log();
    auto response = http_post(daemon.port(), "/v1/chat/completions", chat_body("dies", false));
    EXPECT_EQ(response.status, 502);
    EXPECT_EQ(json::parse(response.body)["error"]["code"], "upstream_error");
}

TEST(Faults, AClientThatGoesAwayStopsGenerationButNotTheChild) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "long", "", {"--fake-tokens", "100000", "--fake-token-interval", "10ms"})});
    ASSERT_TRUE(daemon.wait_state("long", "ready")) << daemon.log();
    auto pid = daemon.service("long")["pid"];
    {
        StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("long", true, 100000));
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream.next_event().has_value());
        stream.close();
    }
    EXPECT_TRUE(wait_until([&] { return daemon.log().find("generation stopped") != std::string::npos; }, 10s))
        << daemon.log();
    auto slots = json::parse(http_get(daemon.port(), "/upstream/long/slots").body);
    for (const auto& slot : slots) EXPECT_FALSE(slot["is_processing"].get<bool>());
    EXPECT_EQ(daemon.service("long")["state"], "ready");
    EXPECT_EQ(daemon.service("long")["pid"], pid) << "the child keeps running";
}

TEST(Faults, SilenceFromAChildIsA504AfterUpstreamTimeout) {
    TempDir dir;
    Daemon daemon(dir, {"upstream_timeout = \"1s\"\n" +
                        service(dir, "mute", "", {"--fake-tokens", "10", "--fake-token-interval", "2s"})});
    ASSERT_TRUE(daemon.wait_state("mute", "ready")) << daemon.log();
    auto response = http_post(daemon.port(), "/v1/chat/completions", chat_body("mute", false, 10));
    EXPECT_EQ(response.status, 504);
    EXPECT_EQ(json::parse(response.body)["error"]["code"], "upstream_timeout");
}
