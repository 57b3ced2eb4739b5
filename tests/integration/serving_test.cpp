// The walking skeleton's promises, through the real binary: routing by name and alias, streaming
// event by event, the models list, health, OpenAI-shaped errors, and what each child is given.
#include <gtest/gtest.h>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using nlohmann::json;

namespace {

// Two eager fake children (each records its argv/env), one of them on a fixed GPU mask.
std::string two_services(const TempDir& dir) {
    return "[services.alpha]\nmodel = \"" + dir.write("alpha.gguf", "x").string() +
           "\"\naliases = [\"a\", \"default\"]\ngpus = [0]\nargs = [\"--fake-record\", \"" +
           (dir.path() / "alpha.json").string() + "\", \"--fake-tokens\", \"5\"]\n" +
           "[services.beta]\nmodel = \"" + dir.write("beta.gguf", "x").string() +
           "\"\ngpus = []\nargs = [\"--fake-record\", \"" + (dir.path() / "beta.json").string() +
           "\", \"--fake-tokens\", \"5\"]\n";
}

std::string content_of(const json& completion) { return completion["choices"][0]["message"]["content"]; }

}  // namespace

class Serving : public testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<Daemon>(dir, DaemonOptions{two_services(dir)});
        ASSERT_TRUE(daemon->wait_state("alpha", "ready")) << daemon->log();
        ASSERT_TRUE(daemon->wait_state("beta", "ready")) << daemon->log();
    }
    TempDir dir;
    std::unique_ptr<Daemon> daemon;
};

TEST_F(Serving, RoutesByNameAndAlias) {
    for (const auto& [model, label] : std::vector<std::pair<std::string, std::string>>{
             {"alpha", "alpha@"}, {"a", "alpha@"}, {"default", "alpha@"}, {"beta", "beta@"}}) {
        auto response = http_post(daemon->port(), "/v1/chat/completions", chat_body(model, false));
        ASSERT_EQ(response.status, 200) << response.body;
        auto body = json::parse(response.body);
        EXPECT_EQ(content_of(body).rfind(label, 0), 0u) << model << " answered by " << content_of(body);
        EXPECT_EQ(body["model"], model) << "the model field passes through unchanged";
    }
    auto completion = http_post(daemon->port(), "/v1/completions", R"({"model":"beta","prompt":"hi","max_tokens":2})");
    ASSERT_EQ(completion.status, 200) << completion.body;
    EXPECT_NE(completion.body.find("beta@"), std::string::npos);
}

TEST_F(Serving, StreamsEventByEventAndEndsWithDone) {
    StreamReader stream(daemon->port(), "POST", "/v1/chat/completions", chat_body("a", true, 5));
    ASSERT_TRUE(stream.read_head());
    EXPECT_EQ(stream.status(), 200);
    EXPECT_EQ(*stream.head().find("content-type"), "text/event-stream");
    std::vector<std::string> events;
    while (auto event = stream.next_event()) events.push_back(*event);
    ASSERT_GE(events.size(), 7u);  // role, 5 tokens, finish, [DONE]
    EXPECT_NE(events[0].find("\"role\":\"assistant\""), std::string::npos);
    EXPECT_NE(events[1].find("alpha@"), std::string::npos);
    EXPECT_EQ(events.back(), "data: [DONE]");
    EXPECT_TRUE(stream.ended()) << "the chunked stream is terminated properly";
}

TEST_F(Serving, ListsModelsWithAliasesStateAndPort) {
    auto response = http_get(daemon->port(), "/v1/models");
    ASSERT_EQ(response.status, 200);
    auto body = json::parse(response.body);
    EXPECT_EQ(body["object"], "list");
    std::map<std::string, json> by_id;
    for (const auto& entry : body["data"]) by_id[entry["id"]] = entry;
    for (const char* id : {"alpha", "a", "default", "beta"}) ASSERT_TRUE(by_id.count(id)) << id;
    EXPECT_EQ(by_id["a"]["service"], "alpha");
    EXPECT_EQ(by_id["alpha"]["state"], "ready");
    EXPECT_EQ(by_id["alpha"]["object"], "model");
    EXPECT_GT(by_id["beta"]["port"].get<int>(), 0);
}

TEST_F(Serving, RetrievesOneModelByNameOrAliasInOpenAIShape) {
    auto model = http_get(daemon->port(), "/v1/models/default");
    ASSERT_EQ(model.status, 200) << model.body;
    auto body = json::parse(model.body);
    EXPECT_EQ(body["id"], "default");
    EXPECT_EQ(body["object"], "model");
    EXPECT_EQ(body["owned_by"], "ggufd");
    EXPECT_TRUE(body["created"].is_number());
    EXPECT_EQ(body["service"], "alpha");
    EXPECT_EQ(body["state"], "ready");

    for (const char* unknown : {"/v1/models/gpt-9", "/v1/models/org%2Fmodel", "/v1/models/org/model", "/v1/models/a%zz"}) {
        auto missing = http_get(daemon->port(), unknown);
        EXPECT_EQ(missing.status, 404) << unknown;
        auto error = json::parse(missing.body)["error"];
        EXPECT_EQ(error["code"], "model_not_found") << unknown;
        EXPECT_EQ(error["type"], "not_found_error") << unknown;
        EXPECT_NE(error["message"].get<std::string>().find("known models: alpha, a, default, beta"), std::string::npos);
    }
    EXPECT_EQ(http_post(daemon->port(), "/v1/models/alpha", "{}").status, 405);
}

TEST_F(Serving, HealthIsOkAndPerServiceHealthToo) {
    auto health = http_get(daemon->port(), "/health");
    EXPECT_EQ(health.status, 200);
    auto body = json::parse(health.body);
    EXPECT_EQ(body["status"], "ok") << "as llama-server says it";
    ASSERT_EQ(body["services"].size(), 2u);
    EXPECT_EQ(body["services"][0]["name"], "alpha");
    EXPECT_EQ(body["services"][0]["state"], "ready");
    EXPECT_EQ(http_get(daemon->port(), "/health/alpha").status, 200);
    EXPECT_EQ(http_get(daemon->port(), "/health/nope").status, 404);
}

TEST_F(Serving, EachChildBindsLoopbackOnItsOwnPortWithItsGpuMask) {
    auto alpha = read_record(dir.path() / "alpha.json");
    auto beta = read_record(dir.path() / "beta.json");
    ASSERT_TRUE(alpha && beta);
    EXPECT_EQ((*alpha)["host"], "127.0.0.1");
    EXPECT_EQ((*beta)["host"], "127.0.0.1");
    EXPECT_NE((*alpha)["port"], (*beta)["port"]);
    EXPECT_EQ((*alpha)["env"]["HIP_VISIBLE_DEVICES"], "0");
    EXPECT_EQ((*alpha)["env"]["CUDA_VISIBLE_DEVICES"], "0");
    // gpus = []: no device visible, and nothing offloaded.
    EXPECT_EQ((*beta)["env"]["HIP_VISIBLE_DEVICES"], "-1");
    EXPECT_EQ((*beta)["env"]["CUDA_VISIBLE_DEVICES"], "-1");
    auto argv = (*beta)["argv"].get<std::vector<std::string>>();
    auto device = std::find(argv.begin(), argv.end(), "--device");
    ASSERT_NE(device, argv.end());
    EXPECT_EQ(*(device + 1), "none");
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "--n-gpu-layers"), argv.end());
    // Each child is its own process group (a stop signals the whole group).
    EXPECT_EQ((*alpha)["pid"], (*alpha)["pgid"]);
}

TEST_F(Serving, AnswersBadRequestsInOpenAIShape) {
    auto malformed = http_post(daemon->port(), "/v1/chat/completions", R"({"model": "alpha", )");
    EXPECT_EQ(malformed.status, 400);
    auto error = json::parse(malformed.body)["error"];
    EXPECT_TRUE(error["message"].is_string());
    EXPECT_EQ(error["type"], "invalid_request_error");
    EXPECT_EQ(error["code"], "invalid_json");

    auto unknown = http_post(daemon->port(), "/v1/chat/completions", chat_body("gpt-9", false));
    EXPECT_EQ(unknown.status, 404);
    auto message = json::parse(unknown.body)["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("gpt-9"), std::string::npos);
    EXPECT_NE(message.find("alpha"), std::string::npos) << "the message lists the known models";
    EXPECT_NE(message.find("models are the services of " + daemon->config_file().string()), std::string::npos)
        << "and says where models come from: " << message;

    auto no_model = http_post(daemon->port(), "/v1/chat/completions", R"({"messages":[]})");
    EXPECT_EQ(no_model.status, 400);
    EXPECT_EQ(json::parse(no_model.body)["error"]["code"], "missing_model");
}

TEST(ServingLimits, BodyOverTheLimitIs413) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{"max_body_size = \"1KiB\"\n"});
    std::string big = R"({"model":"x","pad":")" + std::string(4096, 'x') + R"("})";
    auto response = http_post(daemon.port(), "/v1/chat/completions", big);
    EXPECT_EQ(response.status, 413);
    EXPECT_EQ(json::parse(response.body)["error"]["code"], "request_too_large");
}

TEST(ServingFailures, AMissingModelFileFailsThatServiceOnlyAndNamesThePath) {
    TempDir dir;
    std::string config = "[services.good]\nmodel = \"" + dir.write("good.gguf", "x").string() +
                         "\"\n[services.gone]\nmodel = \"/nonexistent/gone.gguf\"\n";
    Daemon daemon(dir, DaemonOptions{config});
    ASSERT_TRUE(daemon.wait_state("gone", "failed")) << daemon.log();
    ASSERT_TRUE(daemon.wait_state("good", "ready")) << daemon.log();
    EXPECT_NE(daemon.service("gone")["reason"].get<std::string>().find("/nonexistent/gone.gguf"), std::string::npos);
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("good", false)).status, 200);
    auto refused = http_post(daemon.port(), "/v1/chat/completions", chat_body("gone", false));
    EXPECT_EQ(refused.status, 503);
    EXPECT_NE(refused.body.find("/nonexistent/gone.gguf"), std::string::npos);
    // The front door still serves "good": /health says so, and lists "gone" with its reason;
    // the strict /health?all=1 names the eager service that is not up.
    auto health = http_get(daemon.port(), "/health");
    EXPECT_EQ(health.status, 200) << health.body;
    auto listed = json::parse(health.body)["services"];
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[1]["name"], "gone");
    EXPECT_EQ(listed[1]["state"], "failed");
    EXPECT_EQ(listed[1]["can_serve"], false);
    EXPECT_NE(listed[1]["reason"].get<std::string>().find("/nonexistent/gone.gguf"), std::string::npos);
    auto strict = http_get(daemon.port(), "/health?all=1");
    EXPECT_EQ(strict.status, 503);
    EXPECT_EQ(json::parse(strict.body)["reason"], "1 eager service(s) not ready: gone (failed)");
}

TEST_F(Serving, PipelinedRequestsOnOneConnectionAreAnsweredInOrder) {
    auto request = [](const std::string& model) {
        std::string body = chat_body(model, false);
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    };
    // Three requests in one write: each waits its turn on the connection, and all are answered.
    auto responses = raw_exchange(daemon->port(), request("alpha") + request("beta") + request("a"), 3);
    ASSERT_EQ(responses.size(), 3u);
    const char* expected[] = {"alpha@", "beta@", "alpha@"};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(responses[i].status, 200);
        EXPECT_EQ(content_of(json::parse(responses[i].body)).rfind(expected[i], 0), 0u) << responses[i].body;
    }
}

TEST(ServingFailures, HealthIs503WhenNoServiceCanServe) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{"[services.gone]\nmodel = \"/nonexistent/gone.gguf\"\n"});
    ASSERT_TRUE(daemon.wait_state("gone", "failed")) << daemon.log();
    auto health = http_get(daemon.port(), "/health");
    EXPECT_EQ(health.status, 503);
    auto body = json::parse(health.body);
    EXPECT_EQ(body["status"], "unavailable");
    EXPECT_EQ(body["reason"], "no service can serve");
    EXPECT_EQ(body["services"][0]["state"], "failed");
}
