// The fake llama-server's wire format and start-up, checked through real sockets against the
// shapes llama-server (build 10472) answers with. Fault injection is in fake_faults_test.cpp.
#include "client_util.h"
#include "fake_process.h"
#include "raw_connection.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

namespace ggufd::fake::test {
namespace {

using json = nlohmann::json;

constexpr const char* kChat = R"({"model":"asked-for","messages":[{"role":"user","content":"hello there"}]})";

json post_json(httplib::Client& client, const std::string& path, const std::string& body, int expected_status = 200) {
    auto res = client.Post(path, body, "application/json");
    if (!res) {
        ADD_FAILURE() << "POST " << path << ": " << httplib::to_string(res.error());
        return {};
    }
    EXPECT_EQ(res->status, expected_status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    return json::parse(res->body);
}

json get_json(httplib::Client& client, const std::string& path) {
    auto res = client.Get(path);
    if (!res) {
        ADD_FAILURE() << "GET " << path << ": " << httplib::to_string(res.error());
        return {};
    }
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
}

TEST(FakeServer, StartsListeningAndAnswersHealthLikeLlamaServer) {
    FakeProcess fake(fake_args());
    auto client = client_for(fake.port());
    auto res = client->Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"status":"ok"})");
    EXPECT_EQ(res->get_header_value("Server"), "llama.cpp");
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
}

TEST(FakeServer, ChatCompletionEchoesTheModelAndNamesTheServerInItsContent) {
    FakeProcess fake(fake_args({"--fake-tokens", "5"}));
    const int port = fake.port();
    auto client = client_for(port);
    json reply = post_json(*client, "/v1/chat/completions", kChat);

    EXPECT_EQ(reply["object"], "chat.completion");
    EXPECT_EQ(reply["model"], "asked-for");
    EXPECT_TRUE(reply["id"].get<std::string>().starts_with("chatcmpl-"));
    const auto& choice = reply["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_EQ(choice["message"]["role"], "assistant");
    const std::string label = "tiny@" + std::to_string(port);
    std::string expected;
    for (int i = 0; i < 5; ++i) expected += label + "#" + std::to_string(i) + " ";
    EXPECT_EQ(choice["message"]["content"], expected);
    EXPECT_EQ(reply["usage"]["completion_tokens"], 5);
    EXPECT_EQ(reply["usage"]["total_tokens"],
              reply["usage"]["prompt_tokens"].get<int>() + reply["usage"]["completion_tokens"].get<int>());
    EXPECT_EQ(reply["timings"]["predicted_n"], 5);
    EXPECT_TRUE(reply["timings"].contains("predicted_per_second"));
}

TEST(FakeServer, MaxTokensCapsTheReplyAndMissingModelMeansTheAlias) {
    FakeProcess fake(fake_args());
    auto client = client_for(fake.port());
    json reply = post_json(*client, "/v1/chat/completions", R"({"messages":[],"max_tokens":2})");
    EXPECT_EQ(reply["model"], "tiny");
    EXPECT_EQ(reply["usage"]["completion_tokens"], 2);
    EXPECT_EQ(reply["choices"][0]["finish_reason"], "length");

    json text = post_json(*client, "/v1/completions", R"({"prompt":"once upon","n_predict":3})");
    EXPECT_EQ(text["object"], "text_completion");
    EXPECT_EQ(text["usage"]["completion_tokens"], 3);
    EXPECT_EQ(text["choices"][0]["logprobs"], nullptr);
}

TEST(FakeServer, StreamsChatAsLlamaServerDoesWithUsageWhenAsked) {
    FakeProcess fake(fake_args({"--fake-tokens", "3"}));
    auto client = client_for(fake.port());
    auto res = client->Post("/v1/chat/completions",
                            R"({"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}})",
                            "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
    EXPECT_EQ(res->get_header_value("Transfer-Encoding"), "chunked");
    auto events = data_events(res->body);
    ASSERT_EQ(events.size(), 1u + 3u + 1u + 1u + 1u) << res->body;  // role, tokens, finish, usage, [DONE]

    EXPECT_EQ(json::parse(events[0])["choices"][0]["delta"]["role"], "assistant");
    for (int i = 1; i <= 3; ++i) {
        json chunk = json::parse(events[i]);
        EXPECT_EQ(chunk["object"], "chat.completion.chunk");
        EXPECT_EQ(chunk["model"], "m");
        const auto content = chunk["choices"][0]["delta"]["content"].get<std::string>();
        EXPECT_TRUE(content.ends_with("#" + std::to_string(i - 1) + " ")) << content;
    }
    json finish = json::parse(events[4]);
    EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
    json usage = json::parse(events[5]);
    EXPECT_TRUE(usage["choices"].empty());
    EXPECT_EQ(usage["usage"]["completion_tokens"], 3);
    EXPECT_TRUE(usage.contains("timings"));
    EXPECT_EQ(events[6], "[DONE]");
}

TEST(FakeServer, StreamsWithoutUsageChunkUnlessAskedAndStreamsTextCompletions) {
    FakeProcess fake(fake_args({"--fake-tokens", "2"}));
    auto client = client_for(fake.port());
    auto chat = client->Post("/v1/chat/completions", R"({"messages":[],"stream":true})", "application/json");
    ASSERT_TRUE(chat);
    auto events = data_events(chat->body);
    ASSERT_EQ(events.size(), 5u) << chat->body;  // role, 2 tokens, finish (with timings), [DONE]
    EXPECT_TRUE(json::parse(events[3]).contains("timings"));
    EXPECT_FALSE(json::parse(events[3]).contains("usage"));

    auto text = client->Post("/v1/completions",
                             R"({"prompt":"x","stream":true,"stream_options":{"include_usage":true}})",
                             "application/json");
    ASSERT_TRUE(text);
    events = data_events(text->body);
    ASSERT_EQ(events.size(), 4u) << text->body;  // 2 tokens, finish (with usage), [DONE]
    EXPECT_TRUE(json::parse(events[0])["choices"][0].contains("text"));
    EXPECT_EQ(json::parse(events[2])["usage"]["completion_tokens"], 2);
}

TEST(FakeServer, AnswersErrorsInLlamaServerShapes) {
    FakeProcess fake(fake_args());
    auto client = client_for(fake.port());
    json bad = post_json(*client, "/v1/chat/completions", "{bad", 500);
    EXPECT_EQ(bad["error"]["code"], 500);
    EXPECT_EQ(bad["error"]["type"], "server_error");
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("parse error"), std::string::npos);

    auto missing = client->Get("/no/such/path");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->body, R"({"error":{"message":"File Not Found","type":"not_found_error","code":404}})");
}

TEST(FakeServer, DescribesItselfOnModelsPropsSlotsAndMetrics) {
    FakeProcess fake(fake_args({"--parallel", "3", "--ctx-size", "3072"}));
    auto client = client_for(fake.port());
    json models = get_json(*client, "/v1/models");
    EXPECT_EQ(models["object"], "list");
    EXPECT_EQ(models["data"][0]["id"], "tiny");
    EXPECT_EQ(models["data"][0]["owned_by"], "llamacpp");
    EXPECT_EQ(models["data"][0]["meta"]["n_ctx"], 1024);

    EXPECT_EQ(get_json(*client, "/props")["total_slots"], 3);
    json slots = get_json(*client, "/slots");
    ASSERT_EQ(slots.size(), 3u);
    EXPECT_EQ(slots[0]["is_processing"], false);

    post_json(*client, "/v1/chat/completions", kChat);
    auto metrics = client->Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("llamacpp:tokens_predicted_total 8\n"), std::string::npos) << metrics->body;
    EXPECT_NE(metrics->body.find("llamacpp:requests_processing 0\n"), std::string::npos);
}

TEST(FakeServer, EmbedsDeterministicallyAndTokenizes) {
    FakeProcess fake(fake_args({"--fake-embedding-dim", "8"}));
    auto client = client_for(fake.port());
    json reply = post_json(*client, "/v1/embeddings", R"({"model":"e","input":["same","same","other"]})");
    EXPECT_EQ(reply["model"], "e");
    ASSERT_EQ(reply["data"].size(), 3u);
    auto vector = reply["data"][0]["embedding"].get<std::vector<double>>();
    ASSERT_EQ(vector.size(), 8u);
    double norm = 0;
    for (double value : vector) norm += value * value;
    EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-9);
    EXPECT_EQ(reply["data"][1]["embedding"], reply["data"][0]["embedding"]);
    EXPECT_NE(reply["data"][2]["embedding"], reply["data"][0]["embedding"]);

    json tokens = post_json(*client, "/tokenize", R"({"content":"hi"})");
    EXPECT_EQ(tokens["tokens"], json::array({'h' + 3, 'i' + 3}));
}

TEST(FakeServer, AcceptsLlamaServerFlagsAndLogsTheOnesItDoesNotKnow) {
    FakeProcess fake(
        fake_args({"--n-gpu-layers", "-1", "--flash-attn", "on", "--jinja", "--mystery-flag", "--threads=4"}));
    fake.port();
    EXPECT_TRUE(fake.wait_for_line("ignoring unknown argument '--mystery-flag'"));
    const std::string output = fake.output();
    EXPECT_EQ(output.find("'-1'"), std::string::npos) << output;
    EXPECT_EQ(output.find("'on'"), std::string::npos) << output;
    EXPECT_EQ(output.find("--jinja"), std::string::npos) << output;
}

TEST(FakeServer, RefusesAMistypedFakeFlag) {
    FakeProcess fake(fake_args({"--fake-tokns", "3"}));
    auto status = fake.wait_for_exit();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
    EXPECT_TRUE(fake.wait_for_line("--fake-tokns: unknown fake flag"));
}

TEST(FakeServer, RecordsArgvEnvironmentAndProcessIdentity) {
    const auto path = std::filesystem::temp_directory_path() / ("fake-record-" + std::to_string(::getpid()) + ".json");
    FakeProcess fake(fake_args({"--fake-record", path.string()}), {"HIP_VISIBLE_DEVICES=0", "GGUFD_FAKE_MARK=a=b"});
    const int port = fake.port();
    std::ifstream file(path);
    ASSERT_TRUE(file) << path;
    json record = json::parse(file);
    std::filesystem::remove(path);

    EXPECT_TRUE(record["argv"][0].get<std::string>().ends_with("fake-llama-server"));
    EXPECT_EQ(record["argv"][1], "--host");
    EXPECT_EQ(record["argv"].size(), fake_args().size() + 3);
    EXPECT_EQ(record["env"]["HIP_VISIBLE_DEVICES"], "0");
    EXPECT_EQ(record["env"]["GGUFD_FAKE_MARK"], "a=b");
    EXPECT_EQ(record["pid"], fake.pid());
    EXPECT_EQ(record["pgid"], fake.pid());  // the harness gives each fake its own group
    EXPECT_EQ(record["host"], "127.0.0.1");
    EXPECT_EQ(record["port"], port);
}

TEST(FakeServer, ExitsWithLlamaServerErrorWhenThePortIsTaken) {
    FakeProcess first(fake_args());
    const int port = first.port();
    FakeProcess second({"--host", "127.0.0.1", "--port", std::to_string(port), "--model", "/m.gguf"});
    auto status = second.wait_for_exit();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
    EXPECT_TRUE(second.wait_for_line("couldn't bind HTTP server socket, hostname: 127.0.0.1, port: " +
                                     std::to_string(port)));
}

TEST(FakeServer, ServesEveryOneOf256KeepAliveConnectionsAtOnce) {
    FakeProcess fake(fake_args());
    const int port = fake.port();
    std::vector<std::unique_ptr<RawConnection>> connections;
    for (int i = 0; i < 256; ++i) {
        connections.push_back(std::make_unique<RawConnection>(port));
        ASSERT_TRUE(connections.back()->connected()) << "connection " << i;
        ASSERT_TRUE(connections.back()->send("GET /health HTTP/1.1\r\nHost: fake\r\n\r\n"));
    }
    // Every connection stays open (keep-alive) while the others are answered: a pool that held
    // one thread per connection and stopped growing would leave the later ones unanswered.
    for (size_t i = 0; i < connections.size(); ++i) {
        EXPECT_TRUE(connections[i]->read_until(R"({"status":"ok"})", 3s)) << "connection " << i;
    }
    for (auto& connection : connections) {
        ASSERT_TRUE(connection->send("GET /health HTTP/1.1\r\nHost: fake\r\n\r\n"));
    }
    for (size_t i = 0; i < connections.size(); ++i) {
        EXPECT_TRUE(connections[i]->read_until(R"({"status":"ok"})", 3s, 2)) << "second request on connection " << i;
    }
}

}  // namespace
}  // namespace ggufd::fake::test
