// extract_model() as a specification: the top-level "model" of a request body routes it; nested
// "model" keys (inside messages, tools, metadata) never do; anything that is not a JSON object
// with a string "model" is reported precisely enough for a 400 the user can act on. Every body is
// read three ways, which must agree: in place in a padded buffer (as the front door does), from an
// unpadded buffer, and by the reference SAX parser.
#include <gtest/gtest.h>

#include <string>

#include "model_field.h"
#include "model_field_sax.h"

namespace ggufd::gateway {
namespace {

using Status = ModelField::Status;

ModelField extract_model(std::string_view body) {
    std::string buffer;
    buffer.reserve(body.size() + kModelFieldPadding);
    buffer.assign(body);
    ModelField in_place = gateway::extract_model(buffer, buffer.capacity() - buffer.size());
    EXPECT_EQ(gateway::extract_model(body, 0), in_place) << "unpadded: " << body.substr(0, 200);
    EXPECT_EQ(extract_model_with_sax(body), in_place) << "reference: " << body.substr(0, 200);
    return in_place;
}

TEST(ModelField, FindsTheTopLevelModel) {
    ModelField field = extract_model(R"({"model":"gemma3-4b","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "gemma3-4b");
    EXPECT_TRUE(field.error.empty());

    field = extract_model("  {\n  \"stream\": true,\n  \"model\" : \"qwen\"\n}\n");
    EXPECT_EQ(field.status, Status::found) << "whitespace anywhere, model last";
    EXPECT_EQ(field.model, "qwen");
    EXPECT_EQ(extract_model(R"({"model":""})").status, Status::found) << "empty is a name (that matches nothing)";
}

TEST(ModelField, MissingWhenNoTopLevelModel) {
    EXPECT_EQ(extract_model("{}").status, Status::missing);
    EXPECT_EQ(extract_model(R"({"prompt":"model"})").status, Status::missing) << "a value, not a key";
    EXPECT_EQ(extract_model(R"({"Model":"x"})").status, Status::missing) << "keys are case-sensitive";
}

TEST(ModelField, NestedModelKeysAreIgnored) {
    EXPECT_EQ(extract_model(R"({"metadata":{"model":"inner"}})").status, Status::missing);
    EXPECT_EQ(extract_model(R"({"tools":[{"model":"inner"}],"x":[[{"model":1}]]})").status, Status::missing);

    ModelField field = extract_model(R"({"metadata":{"model":"inner","deep":{"model":"deeper"}},"model":"outer"})");
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "outer");

    field = extract_model(R"({"model":"outer","metadata":{"model":"inner"},"after":{"model":{"x":1}}})");
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "outer") << "nested keys after the top-level one change nothing";

    field = extract_model(R"({"a":{"b":{}},"model":"after-closed-objects"})");
    EXPECT_EQ(field.model, "after-closed-objects") << "depth is tracked back down to the top";
}

TEST(ModelField, NonStringModelsAreReported) {
    for (const char* body : {R"({"model":42})", R"({"model":1.5})", R"({"model":null})", R"({"model":true})",
                             R"({"model":{"name":"gemma"}})", R"({"model":["gemma"]})"}) {
        ModelField field = extract_model(body);
        EXPECT_EQ(field.status, Status::not_a_string) << body;
        EXPECT_TRUE(field.model.empty()) << body;
    }
}

TEST(ModelField, BodiesThatAreNotObjectsAreReported) {
    for (const char* body : {R"([{"model":"gemma"}])", R"("gemma")", "42", "null", "true", "[]"}) {
        EXPECT_EQ(extract_model(body).status, Status::not_an_object) << body;
    }
}

TEST(ModelField, InvalidJsonIsReportedWithWhereAndWhat) {
    for (const char* body : {"", "   ", "{", R"({"model":"gemma",})", R"({"model":"gemma"} trailing)", R"({model:"x"})",
                             R"({"model":"unterminated})", "{'model':'x'}", R"({"model":"a"}{"model":"b"})"}) {
        ModelField field = extract_model(body);
        EXPECT_EQ(field.status, Status::invalid_json) << body;
        EXPECT_FALSE(field.error.empty()) << body;
        EXPECT_TRUE(field.model.empty()) << body;
    }
    ModelField field = extract_model("{\n  \"model\": \"gemma\",\n  \"x\": nope\n}");
    EXPECT_NE(field.error.find("line 3"), std::string::npos) << "the message locates the problem: " << field.error;
}

TEST(ModelField, TheErrorMessageStaysShortWhateverTheBody) {
    // nlohmann quotes the token it failed on: a megabyte of digits must not come back in the 400.
    ModelField field = extract_model(R"({"model":"a","x":)" + std::string(1 << 20, '9') + "}");
    EXPECT_EQ(field.status, Status::invalid_json);
    EXPECT_NE(field.error.find("number overflow"), std::string::npos) << field.error.substr(0, 200);
    EXPECT_LE(field.error.size(), 303u);
}

TEST(ModelField, InvalidUtf8IsInvalidJson) {
    EXPECT_EQ(extract_model("{\"model\":\"caf\xe9\"}").status, Status::invalid_json);
    EXPECT_EQ(extract_model("{\"x\":\"\xff\xfe\",\"model\":\"a\"}").status, Status::invalid_json);
}

TEST(ModelField, UnicodeEscapesAreDecoded) {
    EXPECT_EQ(extract_model(R"({"model":"caf\u00e9"})").model, "caf\xc3\xa9");
    EXPECT_EQ(extract_model(R"({"model":"\ud83d\ude00-chat"})").model, "\xf0\x9f\x98\x80-chat") << "surrogate pair";
    EXPECT_EQ(extract_model(R"({"model":"a\/b\"c"})").model, "a/b\"c");
    ModelField field = extract_model(R"({"mod\u0065l":"escaped-key"})");
    EXPECT_EQ(field.status, Status::found) << "the key is \"model\" once unescaped";
    EXPECT_EQ(field.model, "escaped-key");
    EXPECT_EQ(extract_model(R"({"model":"\ud83d"})").status, Status::invalid_json) << "a lone surrogate";
    EXPECT_EQ(extract_model("{\"model\":\"caf\xc3\xa9\"}").model, "caf\xc3\xa9") << "raw UTF-8";
}

TEST(ModelField, BigBodiesAreScannedWhole) {
    std::string messages = "[";
    for (int i = 0; i < 20000; ++i) {
        if (i) messages += ',';
        messages += R"({"role":"user","content":"lorem ipsum dolor sit amet, consectetur adipiscing elit","model":"no"})";
    }
    messages += "]";
    ModelField field = extract_model(R"({"messages":)" + messages + R"(,"model":"at-the-end"})");
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "at-the-end");

    field = extract_model(R"({"model":"first","messages":)" + messages + "}");
    EXPECT_EQ(field.model, "first");
    EXPECT_EQ(extract_model(R"({"model":"first","messages":)" + messages).status, Status::invalid_json)
        << "a body cut short is malformed even though the model came early";

    const std::string long_name(100000, 'm');
    EXPECT_EQ(extract_model(R"({"model":")" + long_name + R"("})").model, long_name);
}

TEST(ModelField, WithSeveralTopLevelModelsTheLastCounts) {
    EXPECT_EQ(extract_model(R"({"model":"a","model":"b"})").model, "b") << "as llama-server reads it";
    ModelField field = extract_model(R"({"model":"a","messages":[],"model":7})");
    EXPECT_EQ(field.status, Status::not_a_string);
    EXPECT_TRUE(field.model.empty());
    EXPECT_EQ(extract_model(R"({"model":7,"model":"b"})").model, "b");
}

TEST(ModelField, WhatSimdjsonRefusesButLlamaServerReadsIsRouted) {
    // simdjson stops at 64-bit integers, a byte-order mark and 1024 levels; nlohmann (llama-server)
    // does not, so such bodies must reach the child rather than get a 400 from the front door.
    EXPECT_EQ(extract_model(R"({"seed":123456789012345678901234567890,"model":"big-int"})").model, "big-int");
    EXPECT_EQ(extract_model("\xEF\xBB\xBF{\"model\":\"bom\"}").model, "bom");
    const std::string deep = std::string(2000, '[') + std::string(2000, ']');
    EXPECT_EQ(extract_model(R"({"x":)" + deep + R"(,"model":"deep"})").model, "deep");
}

TEST(ModelField, ReadsTheBodyWhereItLiesWithoutLookingPastIt) {
    // The next pipelined request follows the body in the same buffer: it is padding, not JSON.
    const std::string buffer = R"({"model":"first"})" "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n{\"model\":\"second\"}";
    const size_t length = std::string_view(R"({"model":"first"})").size();
    ModelField field = gateway::extract_model(std::string_view(buffer).substr(0, length), buffer.size() - length);
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "first");
    EXPECT_EQ(gateway::extract_model(std::string_view(buffer).substr(0, length - 1), buffer.size() - length + 1).status,
              Status::invalid_json)
        << "a body cut before its last brace is malformed, whatever follows it";
}

TEST(ModelField, DeepNestingDoesNotExhaustTheStack) {
    const int depth = 100000;
    std::string body = R"({"x":)" + std::string(depth, '[') + std::string(depth, ']') + R"(,"model":"deep"})";
    ModelField field = extract_model(body);
    EXPECT_EQ(field.status, Status::found);
    EXPECT_EQ(field.model, "deep");
    EXPECT_EQ(extract_model(std::string(depth, '[')).status, Status::invalid_json);
}

}  // namespace
}  // namespace ggufd::gateway
