// The fake's injected faults and its process life (loading, health failures and hangs, crashes,
// fatal GPU errors, client disconnects, signals), each checked through real sockets and wait(2).
#include "client_util.h"
#include "fake_process.h"
#include "raw_connection.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>

namespace ggufd::fake::test {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kChat = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
constexpr const char* kStreamChat = R"({"model":"m","messages":[],"stream":true})";

int status_of(httplib::Client& client, const std::string& path) {
    auto res = client.Get(path);
    return res ? res->status : -1;
}

bool exited_with(const std::optional<int>& status, int code) {
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

TEST(FakeFaults, AnswersLoadingModelUntilTheLoadDelayEnds) {
    FakeProcess fake(fake_args({"--fake-load-delay", "400ms"}));
    auto client = client_for(fake.port());
    auto health = client->Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 503);
    EXPECT_EQ(health->body, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})");
    auto chat = client->Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->status, 503);

    ASSERT_TRUE(fake.wait_for_line("model loaded"));
    EXPECT_EQ(status_of(*client, "/health"), 200);
}

TEST(FakeFaults, HealthFailsForeverAfterNSuccessfulPolls) {
    FakeProcess fake(fake_args({"--fake-health-fail-after", "2"}));
    auto client = client_for(fake.port());
    EXPECT_EQ(status_of(*client, "/health"), 200);
    EXPECT_EQ(status_of(*client, "/health"), 200);
    EXPECT_EQ(status_of(*client, "/health"), 503);
    EXPECT_EQ(status_of(*client, "/health"), 503);
    EXPECT_EQ(client->Post("/v1/chat/completions", kChat, "application/json")->status, 200);
}

TEST(FakeFaults, HealthHangsAfterNPollsWhileOtherEndpointsKeepAnswering) {
    FakeProcess fake(fake_args({"--fake-health-hang-after", "1"}));
    const int port = fake.port();
    EXPECT_EQ(status_of(*client_for(port), "/health"), 200);
    auto impatient = client_for(port, 300ms);
    EXPECT_FALSE(impatient->Get("/health"));
    EXPECT_EQ(status_of(*client_for(port), "/v1/models"), 200);
}

TEST(FakeFaults, HangKeepsThePortButNeverAnswers) {
    FakeProcess fake(fake_args({"--fake-hang"}));
    RawConnection connection(fake.port());
    ASSERT_TRUE(connection.connected());  // the kernel completes the handshake from the backlog
    ASSERT_TRUE(connection.send("GET /health HTTP/1.1\r\nHost: fake\r\n\r\n"));
    EXPECT_FALSE(connection.readable_within(300ms));
    EXPECT_FALSE(fake.wait_for_exit(0ms));
}

TEST(FakeFaults, CrashMidStreamKillsTheProcessAfterKTokens) {
    FakeProcess fake(fake_args({"--fake-crash-mid-stream", "2"}));
    RawConnection connection(fake.port());
    const std::string body = kStreamChat;
    ASSERT_TRUE(connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\n"
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    EXPECT_FALSE(connection.read_until("[DONE]", 5s));  // ends by the peer closing, not by [DONE]
    const std::string& received = connection.received();
    EXPECT_NE(received.find("#1 "), std::string::npos) << received;
    EXPECT_EQ(received.find("#2 "), std::string::npos) << received;
    EXPECT_EQ(received.find("finish_reason\":\"stop"), std::string::npos) << received;

    auto status = fake.wait_for_exit();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
}

TEST(FakeFaults, ExitsWithStatus3AfterNCompletions) {
    FakeProcess fake(fake_args({"--fake-crash-after-requests", "2"}));
    auto client = client_for(fake.port());
    EXPECT_EQ(client->Post("/v1/chat/completions", kChat, "application/json")->status, 200);
    EXPECT_EQ(status_of(*client, "/health"), 200);  // only completions count
    EXPECT_EQ(client->Post("/v1/completions", R"({"prompt":"x"})", "application/json")->status, 200);
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 3)) << fake.output();
}

TEST(FakeFaults, ExitOnStartFailsTheLoadWithTheGivenStatus) {
    FakeProcess fake(fake_args({"--fake-exit-on-start", "7"}));
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 7));
    EXPECT_TRUE(fake.wait_for_line("failed to load model, '/models/tiny.gguf'"));
}

TEST(FakeFaults, ExitOnStartAfterALoadDelayAnswersLoadingFirst) {
    FakeProcess fake(fake_args({"--fake-exit-on-start", "2", "--fake-load-delay", "300ms"}));
    EXPECT_EQ(status_of(*client_for(fake.port()), "/health"), 503);
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 2));
}

TEST(FakeFaults, FatalLogAfterNCompletionsKeepsHealthGreenButFailsCompletions) {
    FakeProcess fake(fake_args({"--fake-fatal-log-after", "1"}));
    auto client = client_for(fake.port());
    EXPECT_EQ(client->Post("/v1/chat/completions", kChat, "application/json")->status, 200);
    ASSERT_TRUE(fake.wait_for_line("CUDA error: an illegal memory access was encountered"));
    EXPECT_EQ(status_of(*client, "/health"), 200);
    auto failed = client->Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 500);
    EXPECT_EQ(json::parse(failed->body)["error"]["type"], "server_error");
}

TEST(FakeFaults, StopsGeneratingWhenTheClientDisconnects) {
    FakeProcess fake(fake_args({"--fake-tokens", "100000", "--fake-token-interval", "5ms"}));
    const int port = fake.port();
    auto observer = client_for(port);
    int processing_while_streaming = -1;

    httplib::Request request;
    request.method = "POST";
    request.path = "/v1/chat/completions";
    request.body = kStreamChat;
    request.set_header("Content-Type", "application/json");
    std::string received;
    request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
        received.append(data, size);
        if (data_events(received).size() < 3) return true;
        json slots = json::parse(observer->Get("/slots")->body);
        processing_while_streaming = 0;
        for (const auto& slot : slots) processing_while_streaming += slot["is_processing"].get<bool>() ? 1 : 0;
        return false;  // hang up mid-stream
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    client_for(port)->send(request, response, error);

    EXPECT_EQ(processing_while_streaming, 1);
    ASSERT_TRUE(fake.wait_for_line("client disconnected after")) << fake.output();
    json slots = json::parse(observer->Get("/slots")->body);
    for (const auto& slot : slots) EXPECT_FALSE(slot["is_processing"].get<bool>());
}

TEST(FakeFaults, PacesTokensAtTheTokenInterval) {
    FakeProcess fake(fake_args({"--fake-tokens", "4", "--fake-token-interval", "50ms"}));
    auto client = client_for(fake.port());
    const auto start = Clock::now();
    auto res = client->Post("/v1/chat/completions", kStreamChat, "application/json");
    ASSERT_TRUE(res);
    EXPECT_GE(Clock::now() - start, 200ms);
    EXPECT_EQ(data_events(res->body).size(), 7u);
    EXPECT_EQ(json::parse(data_events(res->body)[5])["timings"]["predicted_per_second"], 20.0);
}

TEST(FakeFaults, SigtermCleansUpAndExitsZero) {
    FakeProcess fake(fake_args());
    fake.port();
    fake.send_signal(SIGTERM);
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 0));
    EXPECT_TRUE(fake.wait_for_line("cleaning up before exit..."));
}

TEST(FakeFaults, TermDelayKeepsServingUntilItEndsAndASecondSignalCutsItShort) {
    FakeProcess fake(fake_args({"--fake-term-delay", "10s"}));
    auto client = client_for(fake.port());
    fake.send_signal(SIGTERM);
    ASSERT_TRUE(fake.wait_for_line("cleaning up before exit..."));
    EXPECT_EQ(status_of(*client, "/health"), 200);
    EXPECT_FALSE(fake.wait_for_exit(100ms));
    fake.send_signal(SIGINT);
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 1));
    EXPECT_TRUE(fake.wait_for_line("Received second interrupt, terminating immediately."));
}

TEST(FakeFaults, TermDelayDelaysTheExit) {
    FakeProcess fake(fake_args({"--fake-term-delay", "300ms"}));
    fake.port();
    const auto start = Clock::now();
    fake.send_signal(SIGTERM);
    EXPECT_TRUE(exited_with(fake.wait_for_exit(), 0));
    EXPECT_GE(Clock::now() - start, 300ms);
}

TEST(FakeFaults, IgnoresSigtermWhenToldSoOnlySigkillEndsIt) {
    FakeProcess fake(fake_args({"--fake-ignore-sigterm"}));
    auto client = client_for(fake.port());
    fake.send_signal(SIGTERM);
    ASSERT_TRUE(fake.wait_for_line("received SIGTERM; ignoring it"));
    EXPECT_EQ(status_of(*client, "/health"), 200);
    fake.send_signal(SIGKILL);
    auto status = fake.wait_for_exit();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
}

}  // namespace
}  // namespace ggufd::fake::test
