// On-demand loading and idle unload (README.md): a lazy service starts on its first request (once,
// however many requests arrive together) and is stopped after idle_unload without requests,
// never while one is in flight.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;

namespace {

std::string lazy_service(const TempDir& dir, const std::string& name, const std::string& settings,
                         const std::string& fake_args = "") {
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() +
           "\"\nload = \"lazy\"\n" + settings + "\nargs = [" + fake_args + "]\n";
}

int count_of(const std::string& text, const std::string& needle) {
    int count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
    return count;
}

}  // namespace

TEST(Lazy, ConcurrentFirstRequestsStartOneChildAndAllAreServed) {
    TempDir dir;
    Daemon daemon(dir, {lazy_service(dir, "late", "", R"("--fake-load-delay", "1s")")});
    ASSERT_EQ(daemon.service("late")["state"], "stopped");
    EXPECT_EQ(daemon.service("late")["cause"], "not-started");

    std::vector<std::future<int>> requests;
    for (int i = 0; i < 8; ++i) {
        requests.push_back(std::async(std::launch::async, [&] {
            return http_post(daemon.port(), "/v1/chat/completions", chat_body("late", false)).status;
        }));
    }
    for (auto& request : requests) EXPECT_EQ(request.get(), 200);
    // The log is flushed within a second; the start line is there by then, and only once.
    ASSERT_TRUE(wait_until([&] { return count_of(daemon.log(), "service late: pid ") >= 1; }, 10s));
    EXPECT_EQ(count_of(daemon.log(), "service late: pid "), 1) << "exactly one child was started\n" << daemon.log();
    EXPECT_EQ(daemon.service("late")["restarts"], 0);
}

TEST(Lazy, ModelsDiscoveredInTheModelsDirStartOnDemand) {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "models");
    dir.write("models/found-model.gguf", "x");
    DaemonOptions options;
    options.models_dir = (dir.path() / "models").string();
    Daemon daemon(dir, options);
    ASSERT_EQ(daemon.service("found-model")["load"], "lazy");
    EXPECT_EQ(daemon.service("found-model")["state"], "stopped");
    auto response = http_post(daemon.port(), "/v1/chat/completions", chat_body("found-model", false));
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(daemon.service("found-model")["state"], "ready");
}

TEST(Lazy, AnIdleServiceIsUnloadedAndComesBackOnTheNextRequest) {
    TempDir dir;
    Daemon daemon(dir, {lazy_service(dir, "napper", "idle_unload = \"1s\"")});
    ASSERT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("napper", false)).status, 200);
    ASSERT_TRUE(daemon.wait_state("napper", "stopped", 30s)) << daemon.log();
    auto status = daemon.service("napper");
    EXPECT_EQ(status["cause"], "idle-unload");
    EXPECT_NE(status["reason"].get<std::string>().find("unloaded after 1.0s without requests"), std::string::npos);
    // The next request loads it again.
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("napper", false)).status, 200);
}

TEST(Lazy, AServiceWithARequestInFlightIsNeverUnloaded) {
    TempDir dir;
    // A 3 s stream against a 1 s idle limit.
    Daemon daemon(dir, {lazy_service(dir, "busy", "idle_unload = \"1s\"",
                                     R"("--fake-tokens", "30", "--fake-token-interval", "100ms")")});
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("busy", true, 30));
    int events = 0;
    while (auto event = stream.next_event()) {
        ++events;
        EXPECT_NE(daemon.service("busy")["state"], "stopping");
    }
    EXPECT_GE(events, 30);
    EXPECT_TRUE(stream.ended()) << "the stream completed: the child was not stopped under it";
    EXPECT_EQ(daemon.log().find("unloaded after"), std::string::npos) << "not unloaded during the stream";
    // Once idle, it goes.
    EXPECT_TRUE(daemon.wait_state("busy", "stopped", 30s)) << daemon.log();
}

TEST(Lazy, AServiceStoppedByAUserStaysStoppedAndSaysHowToStartIt) {
    TempDir dir;
    Daemon daemon(dir, {lazy_service(dir, "held", "")});
    ASSERT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("held", false)).status, 200);
    ASSERT_EQ(http_post(daemon.port(), "/services/held/stop", "").status, 200);
    auto refused = http_post(daemon.port(), "/v1/chat/completions", chat_body("held", false));
    EXPECT_EQ(refused.status, 503);
    EXPECT_NE(refused.body.find("ggufd start held"), std::string::npos) << refused.body;
}
