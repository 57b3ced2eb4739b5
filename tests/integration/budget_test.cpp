// The memory budget (issue 5): a service that would not fit stops the least recently used idle
// services on its GPU first; when only busy services hold the memory, the request gets 503 with
// Retry-After and a message that names what holds it; a service with a request in flight is
// never evicted.
#include <gtest/gtest.h>

#include <thread>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Lazy fake services on GPU 0, each charged 600 MiB, under a budget given in GiB.
std::string budgeted(const TempDir& dir, const std::string& budget, const std::vector<std::string>& names) {
    std::string config = "[memory]\nbudget = { \"0\" = \"" + budget + "\" }\n";
    for (const auto& name : names) {
        config += "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() +
                  "\"\nload = \"lazy\"\ngpus = [0]\nmemory = \"600MiB\"\n"
                  "args = [\"--fake-tokens\", \"40\", \"--fake-token-interval\", \"50ms\"]\n";
    }
    return config;
}

int chat(const Daemon& daemon, const std::string& model) {
    return http_post(daemon.port(), "/v1/chat/completions", chat_body(model, false, 1)).status;
}

}  // namespace

TEST(Budget, EvictsTheLeastRecentlyUsedIdleServiceToMakeRoom) {
    TempDir dir;
    Daemon daemon(dir, {budgeted(dir, "1300MiB", {"a", "b", "c"})});
    ASSERT_EQ(chat(daemon, "a"), 200);
    ASSERT_EQ(chat(daemon, "c"), 200);  // a is now the least recently used
    ASSERT_EQ(chat(daemon, "b"), 200);  // needs room: a goes, c stays
    auto a = daemon.service("a");
    EXPECT_EQ(a["state"], "stopped");
    EXPECT_EQ(a["cause"], "evicted");
    EXPECT_NE(a["reason"].get<std::string>().find("evicted to make room for \"b\""), std::string::npos) << a;
    EXPECT_EQ(daemon.service("c")["state"], "ready");
    EXPECT_EQ(daemon.service("b")["state"], "ready");

    auto gpus = json::parse(http_get(daemon.port(), "/gpus").body)["gpus"];
    ASSERT_EQ(gpus.size(), 1u);
    EXPECT_EQ(gpus[0]["budget_bytes"], 1300ull << 20);
    EXPECT_EQ(gpus[0]["committed_bytes"], 1200ull << 20);
    // The evicted service comes back on demand (evicting in turn).
    EXPECT_EQ(chat(daemon, "a"), 200);
}

TEST(Budget, RefusesWith503WhenOnlyBusyServicesHoldTheDeviceAndNeverEvictsThem) {
    TempDir dir;
    Daemon daemon(dir, {budgeted(dir, "1GiB", {"busy", "other"})});
    // 40 tokens, 50 ms apart: `busy` has a request in flight for about two seconds.
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("busy", true, 40));
    ASSERT_TRUE(stream.next_event().has_value());

    auto refused = http_post(daemon.port(), "/v1/chat/completions", chat_body("other", false, 1));
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_FALSE(refused.header("Retry-After").empty());
    auto message = json::parse(refused.body)["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("\"other\" needs 600.0 MiB on GPU 0"), std::string::npos) << message;
    EXPECT_NE(message.find("busy 600.0 MiB (1 request(s) in flight)"), std::string::npos) << message;
    EXPECT_EQ(daemon.service("other")["cause"], "no-memory");

    // The busy service was not touched: its stream runs to the end.
    std::string rest = stream.read_rest();
    EXPECT_NE(rest.find("data: [DONE]"), std::string::npos);
    EXPECT_EQ(daemon.service("busy")["state"], "ready");
    EXPECT_EQ(daemon.service("busy")["restarts"], 0);

    // Once it is idle, it can be evicted for the other.
    EXPECT_EQ(chat(daemon, "other"), 200);
    EXPECT_EQ(daemon.service("busy")["cause"], "evicted");
}

TEST(Budget, AServiceLargerThanTheWholeBudgetIsRefusedWithWhatToDo) {
    TempDir dir;
    Daemon daemon(dir, {budgeted(dir, "500MiB", {"huge"})});
    auto refused = http_post(daemon.port(), "/v1/chat/completions", chat_body("huge", false, 1));
    EXPECT_EQ(refused.status, 503);
    EXPECT_NE(refused.body.find("more than its whole budget"), std::string::npos) << refused.body;
}
