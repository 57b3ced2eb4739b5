// The responses the front door makes itself, as a specification: OpenAI-shaped error bodies and
// SSE error events (checked by parsing the JSON), and heads that parse back to what was meant.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "openai_error.h"
#include "response.h"

namespace ggufd::gateway {
namespace {

using nlohmann::json;

struct ParsedResponse {
    net::ResponseHead head;
    std::string body;
};

// Splits a serialised response into its parsed head and the bytes after it.
ParsedResponse parse_response(const std::string& text, std::string_view method = "GET") {
    ParsedResponse parsed;
    auto result = net::parse_response_head(text, 65536, method, parsed.head);
    EXPECT_EQ(result.status, net::ParseStatus::complete) << result.error << "\n" << text;
    if (result.status == net::ParseStatus::complete) parsed.body = text.substr(result.head_bytes);
    return parsed;
}

TEST(OpenAiError, BodyHasOpenAisShape) {
    json body = json::parse(openai_error_body(404, "model \"x\" is not served here", "model_not_found"));
    ASSERT_TRUE(body.is_object());
    ASSERT_EQ(body.size(), 1u);
    const json& error = body.at("error");
    EXPECT_EQ(error.at("message"), "model \"x\" is not served here");
    EXPECT_EQ(error.at("type"), "not_found_error");
    EXPECT_TRUE(error.at("param").is_null());
    EXPECT_EQ(error.at("code"), "model_not_found");
}

TEST(OpenAiError, TypeFollowsTheStatus) {
    const std::pair<int, const char*> cases[] = {
        {400, "invalid_request_error"}, {413, "invalid_request_error"}, {401, "authentication_error"},
        {403, "authentication_error"},  {404, "not_found_error"},       {429, "rate_limit_error"},
        {500, "server_error"},          {502, "server_error"},          {504, "server_error"},
        {503, "unavailable_error"},  // as llama-server itself says while loading
    };
    for (const auto& [status, type] : cases) {
        EXPECT_EQ(json::parse(openai_error_body(status, "m", "c")).at("error").at("type"), type) << status;
    }
}

TEST(OpenAiError, AnyMessageStaysValidJson) {
    const std::string nasty = "quote \" backslash \\ newline \n tab \t nul " + std::string(1, '\0') + " bad utf8 \xff end";
    json body = json::parse(openai_error_body(400, nasty, "invalid_request"));
    const std::string message = body.at("error").at("message");
    EXPECT_TRUE(message.starts_with("quote \" backslash \\ newline \n tab \t nul ")) << message;
    EXPECT_TRUE(message.ends_with(" end")) << "invalid UTF-8 is replaced, not the end of the message";
}

TEST(OpenAiError, StreamEventIsOneSseDataEvent) {
    const std::string event = openai_error_event(502, "service \"gemma\" exited mid-stream\n(signal 9)", "upstream_error");
    ASSERT_TRUE(event.starts_with("data: "));
    ASSERT_TRUE(event.ends_with("\n\n"));
    const std::string payload = event.substr(6, event.size() - 8);
    EXPECT_EQ(payload.find('\n'), std::string::npos) << "a newline in the message must not split the event";
    json body = json::parse(payload);
    EXPECT_EQ(body.at("error").at("message"), "service \"gemma\" exited mid-stream\n(signal 9)");
    EXPECT_EQ(body.at("error").at("type"), "server_error");
    EXPECT_EQ(body.at("error").at("code"), "upstream_error");
}

TEST(Response, ErrorIsJsonWithRetryAfterOnlyWhenAsked) {
    Response busy = Response::error(503, "loading", "service_unavailable", 5);
    EXPECT_EQ(busy.status, 503);
    EXPECT_EQ(busy.content_type, "application/json");
    ASSERT_EQ(busy.headers.size(), 1u);
    EXPECT_EQ(busy.headers[0].name, "Retry-After");
    EXPECT_EQ(busy.headers[0].value, "5");
    EXPECT_EQ(json::parse(busy.body).at("error").at("message"), "loading");
    EXPECT_TRUE(Response::error(404, "m", "c").headers.empty());
    EXPECT_TRUE(Response::error(429, "m", "c", 0).headers.empty());
}

TEST(Response, TextAndJsonContentTypes) {
    Response text = Response::text(200, "ok");
    EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
    EXPECT_EQ(text.body, "ok");
    Response doc = Response::json(201, "{}");
    EXPECT_EQ(doc.status, 201);
    EXPECT_EQ(doc.content_type, "application/json");
}

TEST(Response, SerialisedResponseParsesBack) {
    Response response = Response::error(429, "too many", "rate_limited", 7);
    std::string out = "earlier bytes|";
    append_response(out, response, true, false);
    ASSERT_TRUE(out.starts_with("earlier bytes|HTTP/1.1 429 Too Many Requests\r\n")) << out;
    ParsedResponse parsed = parse_response(out.substr(14));
    EXPECT_EQ(parsed.head.status, 429);
    EXPECT_EQ(*parsed.head.find("content-type"), "application/json");
    EXPECT_EQ(*parsed.head.find("retry-after"), "7");
    EXPECT_EQ(parsed.head.framing, net::BodyFraming::content_length);
    EXPECT_EQ(parsed.head.content_length, response.body.size());
    EXPECT_TRUE(parsed.head.keep_alive);
    EXPECT_EQ(parsed.body, response.body);
}

TEST(Response, HeadOnlyKeepsTheLengthButSendsNoBody) {
    Response response = Response::text(200, "ok\n");
    std::string out;
    append_response(out, response, false, true);
    ParsedResponse parsed = parse_response(out, "HEAD");
    EXPECT_EQ(*parsed.head.find("content-length"), "3");
    EXPECT_EQ(*parsed.head.find("connection"), "close");
    EXPECT_FALSE(parsed.head.keep_alive);
    EXPECT_EQ(parsed.body, "");
}

TEST(Response, EmptyContentTypeIsLeftOut) {
    Response response = Response::text(200, "");
    response.content_type.clear();
    std::string out;
    append_response(out, response, true, false);
    ParsedResponse parsed = parse_response(out);
    EXPECT_EQ(parsed.head.find("content-type"), nullptr);
    EXPECT_EQ(*parsed.head.find("content-length"), "0");
}

TEST(AppendResponseHead, FramingMarkersAndReasons) {
    std::string chunked;
    append_response_head(chunked, 200, "", {{"Content-Type", "text/event-stream"}}, kChunkedBody, true);
    ParsedResponse parsed = parse_response(chunked);
    EXPECT_EQ(parsed.head.reason, "OK");
    EXPECT_EQ(parsed.head.framing, net::BodyFraming::chunked);
    EXPECT_EQ(parsed.head.find("content-length"), nullptr);
    EXPECT_EQ(*parsed.head.find("connection"), "keep-alive");

    std::string close;
    append_response_head(close, 200, "Fine", {}, kCloseDelimitedBody, false);
    parsed = parse_response(close);
    EXPECT_EQ(parsed.head.reason, "Fine") << "a given reason is kept";
    EXPECT_EQ(parsed.head.framing, net::BodyFraming::until_close);
    EXPECT_EQ(parsed.head.find("transfer-encoding"), nullptr);

    std::string odd;
    append_response_head(odd, 299, "", {}, 0, true);
    EXPECT_TRUE(odd.starts_with("HTTP/1.1 299 Unknown\r\n")) << odd;
}

}  // namespace
}  // namespace ggufd::gateway
