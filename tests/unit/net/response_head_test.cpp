// parse_response_head as a specification: status lines, which responses carry a body and how it
// is delimited, and when the connection to the child can be reused. Malformed heads are 502s:
// the child, not the client, is at fault.
#include <gtest/gtest.h>

#include <string>

#include "ggufd/net/http_message.h"

namespace ggufd::net {
namespace {

constexpr size_t kMaxHead = 8192;

struct Parsed {
    ParseResult result;
    ResponseHead head;
};

Parsed parse(std::string_view text, std::string_view method = "GET", size_t max_head = kMaxHead) {
    Parsed parsed;
    parsed.result = parse_response_head(text, max_head, method, parsed.head);
    return parsed;
}

ResponseHead accepted(std::string_view text, std::string_view method = "GET") {
    Parsed parsed = parse(text, method);
    EXPECT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error << "\n" << text;
    return parsed.head;
}

int refused(std::string_view text) {
    Parsed parsed = parse(text);
    if (parsed.result.status != ParseStatus::error) return 0;
    EXPECT_FALSE(parsed.result.error.empty());
    return parsed.result.error_status;
}

TEST(ResponseHead, StatusReasonHeadersAndLength) {
    const std::string text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello";
    Parsed parsed = parse(text);
    ASSERT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error;
    EXPECT_EQ(parsed.result.head_bytes, text.size() - 5);
    EXPECT_EQ(parsed.head.version_minor, 1);
    EXPECT_EQ(parsed.head.status, 200);
    EXPECT_EQ(parsed.head.reason, "OK");
    EXPECT_EQ(*parsed.head.find("content-type"), "application/json");
    EXPECT_EQ(parsed.head.framing, BodyFraming::content_length);
    EXPECT_EQ(parsed.head.content_length, 5u);
    EXPECT_TRUE(parsed.head.keep_alive);
}

TEST(ResponseHead, ReasonPhrasesMayHaveSpacesOrBeMissing) {
    EXPECT_EQ(accepted("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").reason, "Not Found");
    EXPECT_EQ(accepted("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").reason, "");
    ResponseHead head = accepted("HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(head.status, 503);
    EXPECT_EQ(head.reason, "");
}

TEST(ResponseHead, MalformedStatusLinesAre502) {
    for (const char* line : {"HTTP/1.1 20 OK", "HTTP/1.1 abc OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 Low",
                             "HTTP/1.1 -20 X", "ICY 200 OK", "HTTP/1.1", "", "HTTP/1.1200 OK"}) {
        EXPECT_EQ(refused(std::string(line) + "\r\nContent-Length: 0\r\n\r\n"), 502) << "\"" << line << "\"";
    }
    EXPECT_EQ(refused("HTTP/2 200 OK\r\n\r\n"), 502);
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"), 502);
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n"), 502);
}

// RFC 9112 §4: status-code is exactly three digits, followed by SP (or the line end).
TEST(ResponseHead, StatusCodesAreExactlyThreeDigits) {
    EXPECT_EQ(refused("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"), 502) << "a four-digit status was accepted";
    EXPECT_EQ(refused("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n"), 502);
}

TEST(ResponseHead, InterimNoContentAndNotModifiedHaveNoBody) {
    for (int status : {100, 101, 103, 204, 304}) {
        ResponseHead head = accepted("HTTP/1.1 " + std::to_string(status) + " X\r\n\r\n");
        EXPECT_EQ(head.framing, BodyFraming::none) << status;
        EXPECT_TRUE(head.keep_alive) << status << ": no body, so nothing to read until close";
    }
    EXPECT_EQ(accepted("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n").framing, BodyFraming::none);
    EXPECT_EQ(accepted("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n").framing, BodyFraming::none);
}

TEST(ResponseHead, AResponseToHeadHasNoBodyWhateverItDeclares) {
    ResponseHead head = accepted("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", "HEAD");
    EXPECT_EQ(head.framing, BodyFraming::none);
    EXPECT_TRUE(head.keep_alive);
    EXPECT_EQ(accepted("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD").framing, BodyFraming::none);
    EXPECT_EQ(accepted("HTTP/1.1 200 OK\r\n\r\n", "HEAD").framing, BodyFraming::none)
        << "not read until close either";
}

TEST(ResponseHead, ChunkedResponses) {
    ResponseHead head = accepted("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(head.framing, BodyFraming::chunked);
    EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseHead, NoLengthMeansUntilCloseAndNoReuse) {
    ResponseHead head = accepted("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(head.framing, BodyFraming::until_close);
    EXPECT_FALSE(head.keep_alive) << "the body ends when the child closes: the connection cannot be reused";
    ResponseHead empty = accepted("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(empty.framing, BodyFraming::none) << "a declared zero length is not until-close";
    EXPECT_TRUE(empty.keep_alive);
}

TEST(ResponseHead, KeepAliveFollowsVersionAndConnection) {
    EXPECT_FALSE(accepted("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n").keep_alive);
    EXPECT_FALSE(accepted("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n").keep_alive);
    ResponseHead old = accepted("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(old.version_minor, 0);
    EXPECT_TRUE(old.keep_alive);
}

TEST(ResponseHead, AmbiguousOrInvalidFramingIs502) {
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), 502);
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), 502);
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n"), 502);
    EXPECT_EQ(refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), 502);
}

TEST(ResponseHead, HeadsOverTheLimitAre502) {
    std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(300, 'a');
    Parsed parsed = parse(big, "GET", 100);
    ASSERT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 502);
    EXPECT_NE(parsed.result.error.find("100"), std::string::npos) << parsed.result.error;
}

// The limit holds however the head arrives: a child that sends a huge head in one write must not
// get past it (found by fuzz_http; the request parser already checks this).
TEST(ResponseHead, ACompleteHeadOverTheLimitIs502) {
    const std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(300, 'a') + "\r\nContent-Length: 0\r\n\r\n";
    Parsed parsed = parse(big, "GET", 100);
    EXPECT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 502);
    EXPECT_EQ(parse(big, "GET", big.size()).result.status, ParseStatus::complete) << "exactly at the limit";
}

TEST(ResponseHead, EveryPrefixOfAValidResponseIsIncomplete) {
    const std::string responses[] = {
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n",
        "HTTP/1.0 404 Not Found\nContent-Length: 2\n\n{}",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    };
    for (const std::string& text : responses) {
        const Parsed whole = parse(text);
        ASSERT_EQ(whole.result.status, ParseStatus::complete) << whole.result.error;
        for (size_t length = 0; length < whole.result.head_bytes; ++length) {
            EXPECT_EQ(parse(std::string_view(text).substr(0, length)).result.status, ParseStatus::incomplete)
                << "prefix of " << length << " bytes of\n" << text;
        }
    }
}

}  // namespace
}  // namespace ggufd::net
