// SseResponse: events are found however the bytes are split, framing errors fail the stream, and
// the fake llama-server's token numbers are read back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../sse/sse_response.h"

namespace ggufd::bench {
namespace {

const std::string kHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunk(const std::string& data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + "\r\n" + data + "\r\n";
}

struct Feeder {
    SseResponse response;
    std::vector<std::string> events;
    void feed(const std::string& bytes) {
        response.feed(bytes, [this](std::string_view e) { events.emplace_back(e); });
    }
};

TEST(SseResponse, SplitsEventsAcrossChunksAndReads) {
    std::string wire = kHead + chunk("data: a\n\n") + chunk("data: b\n") + chunk("\ndata: [DONE]\n\n") + "0\r\n\r\n";
    // Every split point, including inside the head, the chunk sizes and the blank lines.
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
        Feeder f;
        f.feed(wire.substr(0, cut));
        f.feed(wire.substr(cut));
        ASSERT_EQ(f.response.state(), SseResponse::State::done) << "cut at " << cut;
        ASSERT_EQ(f.events, (std::vector<std::string>{"data: a", "data: b", "data: [DONE]"})) << "cut at " << cut;
    }
}

TEST(SseResponse, ByteByByteWithCrLfEvents) {
    std::string wire = kHead + chunk("data: a\r\n\r\ndata: b\r\n\r\n") + "0\r\n\r\n";
    Feeder f;
    for (char c : wire) f.feed(std::string(1, c));
    EXPECT_EQ(f.response.state(), SseResponse::State::done);
    EXPECT_EQ(f.events, (std::vector<std::string>{"data: a", "data: b"}));
}

TEST(SseResponse, TwoEventsInOneChunkAreTwoEvents) {
    Feeder f;
    f.feed(kHead + chunk("data: 1\n\ndata: 2\n\n"));
    EXPECT_EQ(f.events.size(), 2u);
    EXPECT_EQ(f.response.state(), SseResponse::State::body);
}

TEST(SseResponse, FirstBytesAreReportedOnce) {
    SseResponse response;
    auto ignore = [](std::string_view) {};
    EXPECT_FALSE(response.feed("", ignore));
    EXPECT_TRUE(response.feed("HTTP/1.1 2", ignore));
    EXPECT_FALSE(response.feed("00 OK\r\n", ignore));
}

TEST(SseResponse, ErrorStatusFails) {
    Feeder f;
    f.feed("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(f.response.state(), SseResponse::State::failed);
    EXPECT_EQ(f.response.error(), "HTTP 503 Service Unavailable");
}

TEST(SseResponse, MalformedChunkFails) {
    Feeder f;
    f.feed(kHead + "zz\r\n");
    EXPECT_EQ(f.response.state(), SseResponse::State::failed);
    EXPECT_NE(f.response.error().find("chunked"), std::string::npos);
}

TEST(SseResponse, CloseBeforeTheEndFails) {
    Feeder f;
    f.feed(kHead + chunk("data: a\n\n"));
    f.response.on_close([](std::string_view) {});
    EXPECT_EQ(f.response.state(), SseResponse::State::failed);
    EXPECT_EQ(f.response.error(), "connection closed before the end of the body");
}

TEST(SseResponse, CloseDelimitedBodyEndsAtClose) {
    Feeder f;
    f.feed("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\ndata: b");
    f.response.on_close([&](std::string_view e) { f.events.emplace_back(e); });
    EXPECT_EQ(f.response.state(), SseResponse::State::done);
    EXPECT_EQ(f.events, (std::vector<std::string>{"data: a", "data: b"}));
}

TEST(SseResponse, ContentLengthBody) {
    Feeder f;
    std::string body = "data: a\n\ndata: b\n\n";
    f.feed("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(f.response.state(), SseResponse::State::done);
    EXPECT_EQ(f.events.size(), 2u);
}

TEST(TokenIndex, ReadsTheFakeServersNumbers) {
    EXPECT_EQ(token_index(R"(data: {"choices":[{"delta":{"content":"fast@2001#17 "}}]})"), 17);
    EXPECT_EQ(token_index(R"(data: {"choices":[{"delta":{"content":"a#b@1#0 "}}]})"), 0);
    EXPECT_EQ(token_index(R"(data: {"choices":[{"delta":{"role":"assistant","content":null}}]})"), std::nullopt);
    EXPECT_EQ(token_index(R"(data: {"choices":[{"delta":{"content":"iii"}}]})"), std::nullopt);
    EXPECT_EQ(token_index("data: [DONE]"), std::nullopt);
    EXPECT_TRUE(is_done_event("data: [DONE]"));
    EXPECT_FALSE(is_done_event("data: {}"));
}

}  // namespace
}  // namespace ggufd::bench
