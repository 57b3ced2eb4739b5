// Models from the project's own generator served by the real llama-server: chat completions
// answer 200 with and without streaming, and different seeds or sizes answer differently at
// temperature 0 (so tests can tell which model served a request).
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "llama_server_process.h"
#include "llama_server_test.h"

namespace ggufd::test {
namespace {

using nlohmann::json;

class TinyModelServing : public LlamaServerTest {
protected:
    /// The reply to a fixed prompt at temperature 0.
    std::string answer(const gguf::TinyLlamaSpec& spec, const std::string& name) {
        const auto model = write_model(spec, name + ".gguf");
        LlamaServerProcess server(server_, model, {"--threads", "1"}, dir_ / (name + ".log"));
        httplib::Client client("127.0.0.1", server.port());
        client.set_read_timeout(std::chrono::seconds(30));
        const json request = {{"messages", {{{"role", "user"}, {"content", "Say something."}}}},
                              {"max_tokens", 16},
                              {"temperature", 0}};
        auto res = client.Post("/v1/chat/completions", request.dump(), "application/json");
        if (!res) {
            ADD_FAILURE() << "no answer from llama-server";
            return {};
        }
        EXPECT_EQ(res->status, 200) << res->body;
        return json::parse(res->body)["choices"][0]["message"]["content"].get<std::string>();
    }
};

TEST_F(TinyModelServing, ChatCompletionsAnswerWithAndWithoutStreaming) {
    for (auto type : {gguf::GgmlType::F32, gguf::GgmlType::F16, gguf::GgmlType::Q8_0, gguf::GgmlType::Q4_0}) {
        gguf::TinyLlamaSpec spec;
        spec.weight_type = type;
        const std::string name(gguf::to_string(type));
        const auto model = write_model(spec, name + ".gguf");
        LlamaServerProcess server(server_, model, {"--threads", "1"}, dir_ / (name + ".log"));
        httplib::Client client("127.0.0.1", server.port());
        client.set_read_timeout(std::chrono::seconds(30));
        json request = {{"messages", {{{"role", "user"}, {"content", "hello there"}}}}, {"max_tokens", 24}};

        auto plain = client.Post("/v1/chat/completions", request.dump(), "application/json");
        ASSERT_TRUE(plain) << name;
        ASSERT_EQ(plain->status, 200) << name << ": " << plain->body;
        const json body = json::parse(plain->body);
        EXPECT_FALSE(body["choices"][0]["message"]["content"].get<std::string>().empty()) << name;
        EXPECT_EQ(body["usage"]["completion_tokens"], 24) << name;

        request["stream"] = true;
        auto stream = client.Post("/v1/chat/completions", request.dump(), "application/json");
        ASSERT_TRUE(stream) << name;
        ASSERT_EQ(stream->status, 200) << name << ": " << stream->body;
        EXPECT_NE(stream->body.find("data: {"), std::string::npos) << name;
        EXPECT_NE(stream->body.find("data: [DONE]"), std::string::npos) << name << ": " << stream->body;
        EXPECT_EQ(stream->body.find("\"error\""), std::string::npos) << name << ": " << stream->body;
    }
}

TEST_F(TinyModelServing, SeedsAndSizesAnswerDifferently) {
    gguf::TinyLlamaSpec one;
    gguf::TinyLlamaSpec other_seed = one;
    other_seed.seed = 2;
    gguf::TinyLlamaSpec other_size = one;
    other_size.embedding = 32;

    const std::string a = answer(one, "one"), b = answer(other_seed, "other-seed"), c = answer(other_size, "other-size");
    EXPECT_FALSE(a.empty());
    EXPECT_NE(a, b) << "seed 1 and seed 2 both said: " << a;
    EXPECT_NE(a, c) << "width 64 and width 32 both said: " << a;
    EXPECT_EQ(a, answer(one, "one-again")) << "the same model must answer the same at temperature 0";
}

}  // namespace
}  // namespace ggufd::test
