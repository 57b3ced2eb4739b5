// parse_request_head as a specification: what a request head must look like to be accepted, the
// framing and connection facts derived from it, and the status each malformed head is refused with.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "ggufd/net/http_message.h"

namespace ggufd::net {
namespace {

constexpr size_t kMaxHead = 8192;

struct Parsed {
    ParseResult result;
    RequestHead head;
};

Parsed parse(std::string_view text, size_t max_head = kMaxHead) {
    Parsed parsed;
    parsed.result = parse_request_head(text, max_head, parsed.head);
    return parsed;
}

// A complete head, or a test failure naming what was wrong with it.
RequestHead accepted(std::string_view text) {
    Parsed parsed = parse(text);
    EXPECT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error << "\n" << text;
    return parsed.head;
}

// The status a head is refused with (0 when it was not refused).
int refused(std::string_view text) {
    Parsed parsed = parse(text);
    if (parsed.result.status != ParseStatus::error) return 0;
    EXPECT_FALSE(parsed.result.error.empty()) << "an error must say what was wrong: " << text;
    return parsed.result.error_status;
}

std::string with_header(std::string_view header) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + std::string(header) + "\r\n\r\n";
}

TEST(RequestHead, SimpleRequestIsCompleteAndFullyDescribed) {
    const std::string text = "GET /v1/models HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n";
    Parsed parsed = parse(text);
    ASSERT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error;
    EXPECT_EQ(parsed.result.head_bytes, text.size());
    EXPECT_EQ(parsed.head.method, "GET");
    EXPECT_EQ(parsed.head.target, "/v1/models");
    EXPECT_EQ(parsed.head.version_minor, 1);
    ASSERT_EQ(parsed.head.headers.size(), 2u);
    EXPECT_EQ(parsed.head.headers[0].name, "Host");
    EXPECT_EQ(parsed.head.headers[0].value, "localhost:8080");
    EXPECT_EQ(parsed.head.framing, BodyFraming::none);
    EXPECT_EQ(parsed.head.content_length, 0u);
    EXPECT_TRUE(parsed.head.keep_alive);
    EXPECT_FALSE(parsed.head.expect_continue);
}

TEST(RequestHead, HeaderLookupIsCaseInsensitiveAndReturnsTheFirst) {
    RequestHead head = accepted("GET / HTTP/1.1\r\nX-Tag: one\r\nx-tag: two\r\n\r\n");
    ASSERT_NE(head.find("X-TAG"), nullptr);
    EXPECT_EQ(*head.find("X-TAG"), "one");
    EXPECT_EQ(head.find("Missing"), nullptr);
    EXPECT_EQ(head.headers.size(), 2u) << "repeated headers are all kept, in order";
}

TEST(RequestHead, HeaderValuesLoseSurroundingWhitespaceOnly) {
    RequestHead head = accepted("GET / HTTP/1.1\r\nX-A: \t  inner  space\t \r\nX-B:tight\r\nX-C:\r\n\r\n");
    EXPECT_EQ(*head.find("x-a"), "inner  space");
    EXPECT_EQ(*head.find("x-b"), "tight");
    EXPECT_EQ(*head.find("x-c"), "") << "an empty value is allowed";
}

TEST(RequestHead, AnyTokenIsAMethod) {
    for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "M-SEARCH", "BREW"}) {
        EXPECT_EQ(accepted(std::string(method) + " / HTTP/1.1\r\n\r\n").method, method);
    }
    EXPECT_EQ(refused("G(T / HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(refused("GE\"T / HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(refused(" / HTTP/1.1\r\n\r\n"), 400) << "empty method";
}

TEST(RequestHead, TargetsPassThroughUnchanged) {
    EXPECT_EQ(accepted("GET /services/a/logs?tail=5&follow=1 HTTP/1.1\r\n\r\n").target, "/services/a/logs?tail=5&follow=1");
    EXPECT_EQ(accepted("OPTIONS * HTTP/1.1\r\n\r\n").target, "*");
    EXPECT_EQ(accepted("GET http://example.com/x HTTP/1.1\r\n\r\n").target, "http://example.com/x");
    EXPECT_EQ(accepted("GET /%20a%2Fb HTTP/1.1\r\n\r\n").target, "/%20a%2Fb") << "no decoding";
}

TEST(RequestHead, MalformedRequestLinesAre400) {
    EXPECT_EQ(refused("GET\r\n\r\n"), 400);
    EXPECT_EQ(refused("GET /\r\n\r\n"), 400) << "HTTP/0.9 request line";
    EXPECT_EQ(refused("GET  / HTTP/1.1\r\n\r\n"), 400) << "two spaces";
    EXPECT_EQ(refused("GET / x HTTP/1.1\r\n\r\n"), 400) << "space in target";
    EXPECT_EQ(refused("GET  HTTP/1.1\r\n\r\n"), 400) << "empty target";
}

// RFC 9112 §3.2: a request-target contains no whitespace or control characters. A bare CR in
// the target would be relayed to the child in our own request line, where a lenient server
// may take it for a line end: a request-splitting vector.
TEST(RequestHead, ControlCharactersInTheTargetAre400) {
    const std::pair<const char*, std::string> targets[] = {
        {"CR", "/a\rb"}, {"TAB", "/a\tb"}, {"SOH", "/a\x01" "b"}, {"NUL", std::string("/a\0b", 4)}, {"DEL", "/a\x7f" "b"}};
    for (const auto& [what, target] : targets) {
        EXPECT_EQ(refused("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"), 400) << "a target with " << what;
    }
}

TEST(RequestHead, OnlyHttp1xIsSupportedAnythingElseIs505) {
    EXPECT_EQ(accepted("GET / HTTP/1.0\r\n\r\n").version_minor, 0);
    EXPECT_EQ(accepted("GET / HTTP/1.1\r\n\r\n").version_minor, 1);
    for (const char* version : {"HTTP/2.0", "HTTP/0.9", "HTTP/3", "HTTP/1.1x", "HTTPS/1.1"}) {
        Parsed parsed = parse(std::string("GET / ") + version + "\r\n\r\n");
        EXPECT_EQ(parsed.result.status, ParseStatus::error) << version;
        EXPECT_EQ(parsed.result.error_status, 505) << version;
        EXPECT_NE(parsed.result.error.find(version), std::string::npos) << "the message names the version";
    }
}

TEST(RequestHead, KeepAliveFollowsTheVersionAndConnectionTokens) {
    EXPECT_TRUE(accepted("GET / HTTP/1.1\r\n\r\n").keep_alive) << "HTTP/1.1 is persistent by default";
    EXPECT_FALSE(accepted("GET / HTTP/1.0\r\n\r\n").keep_alive) << "HTTP/1.0 is not";
    EXPECT_FALSE(accepted("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
    EXPECT_FALSE(accepted("GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n").keep_alive);
    EXPECT_FALSE(accepted("GET / HTTP/1.1\r\nconnection: upgrade, close\r\n\r\n").keep_alive);
    EXPECT_TRUE(accepted("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
    EXPECT_TRUE(accepted("GET / HTTP/1.0\r\nConnection: Keep-Alive, Upgrade\r\n\r\n").keep_alive);
    EXPECT_FALSE(accepted("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").keep_alive)
        << "close in any Connection header wins";
    EXPECT_FALSE(accepted("GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n").keep_alive);
    EXPECT_TRUE(accepted("GET / HTTP/1.1\r\nConnection: closed, xclose\r\n\r\n").keep_alive)
        << "only the whole token counts";
}

TEST(HeaderTokens, CommaSeparatedCaseInsensitiveWholeTokens) {
    EXPECT_TRUE(has_token("close", "close"));
    EXPECT_TRUE(has_token("keep-alive, Close", "close"));
    EXPECT_TRUE(has_token(" a ,\tb\t, c ", "b"));
    EXPECT_FALSE(has_token("closed", "close"));
    EXPECT_FALSE(has_token("", "close"));
    EXPECT_FALSE(has_token(",,", "close"));
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_FALSE(iequals("Content-Length", "Content-Lengt"));
    EXPECT_FALSE(iequals("a", "b"));
}

TEST(RequestHead, ExpectContinueIsRecognised) {
    EXPECT_TRUE(accepted(with_header("Expect: 100-continue")).expect_continue);
    EXPECT_TRUE(accepted(with_header("expect: 100-Continue")).expect_continue);
    EXPECT_FALSE(accepted(with_header("Expect: something-else")).expect_continue);
    EXPECT_FALSE(accepted(with_header("X-Other: 1")).expect_continue);
}

// RFC 9110 §10.1.1: "A server that receives a 100-continue expectation in an HTTP/1.0 request
// MUST ignore that expectation." Otherwise the front door sends an interim 100 to a client
// that cannot understand one.
TEST(RequestHead, ExpectContinueIsIgnoredForHttp10) {
    RequestHead head = accepted("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    EXPECT_FALSE(head.expect_continue);
}

TEST(RequestHead, ContentLengthDecidesTheBody) {
    RequestHead head = accepted(with_header("Content-Length: 42"));
    EXPECT_EQ(head.framing, BodyFraming::content_length);
    EXPECT_EQ(head.content_length, 42u);
    head = accepted(with_header("content-length:   7  "));
    EXPECT_EQ(head.content_length, 7u) << "optional whitespace around the value";
    head = accepted(with_header("Content-Length: 0"));
    EXPECT_EQ(head.framing, BodyFraming::none) << "a zero length is no body";
    head = accepted(with_header("Content-Length: 18446744073709551615"));
    EXPECT_EQ(head.content_length, 18446744073709551615u) << "the limit is enforced elsewhere, not by overflow";
}

TEST(RequestHead, MalformedContentLengthIs400) {
    for (const char* value : {"", "-1", "+5", "0x10", "4 2", "42abc", "1.5", "18446744073709551616", "5, 6"}) {
        EXPECT_EQ(refused(with_header(std::string("Content-Length: ") + value)), 400) << "\"" << value << "\"";
    }
}

TEST(RequestHead, DuplicateContentLengthMustAgree) {
    RequestHead head = accepted(with_header("Content-Length: 5\r\nContent-Length: 5"));
    EXPECT_EQ(head.content_length, 5u);
    Parsed parsed = parse(with_header("Content-Length: 5\r\nContent-Length: 6"));
    ASSERT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 400);
    EXPECT_NE(parsed.result.error.find("Content-Length"), std::string::npos) << parsed.result.error;
}

TEST(RequestHead, ChunkedIsTheOnlyTransferCoding) {
    EXPECT_EQ(accepted(with_header("Transfer-Encoding: chunked")).framing, BodyFraming::chunked);
    EXPECT_EQ(accepted(with_header("transfer-encoding: Chunked")).framing, BodyFraming::chunked);
    for (const char* coding : {"gzip, chunked", "identity", "gzip", "chunked, gzip"}) {
        EXPECT_EQ(refused(with_header(std::string("Transfer-Encoding: ") + coding)), 501) << coding;
    }
    EXPECT_EQ(refused(with_header("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked")), 400);
}

// Both framings at once is the classic request-smuggling ambiguity (RFC 9112 §6.1).
TEST(RequestHead, TransferEncodingWithContentLengthIsRefused) {
    Parsed parsed = parse(with_header("Transfer-Encoding: chunked\r\nContent-Length: 10"));
    ASSERT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 400);
    EXPECT_NE(parsed.result.error.find("Transfer-Encoding"), std::string::npos) << parsed.result.error;
    EXPECT_EQ(refused(with_header("Content-Length: 10\r\nTransfer-Encoding: chunked")), 400);
}

TEST(RequestHead, InvalidHeaderCharactersAre400) {
    EXPECT_EQ(refused(with_header("Host : x")), 400) << "whitespace before the colon";
    EXPECT_EQ(refused(with_header("X@Y: 1")), 400);
    EXPECT_EQ(refused(with_header("NoColon")), 400);
    EXPECT_EQ(refused(with_header(": empty-name")), 400);
    EXPECT_EQ(refused(with_header(std::string("X: a\0b", 6))), 400);
    EXPECT_EQ(refused(with_header("X: a\x7f" "b")), 400);
    EXPECT_EQ(refused(with_header("X: a\rb")), 400) << "a bare CR inside a value";
    EXPECT_EQ(*accepted(with_header("X: a\tb")).find("x"), "a\tb") << "tabs are allowed";
    EXPECT_EQ(*accepted(with_header("X: caf\xc3\xa9")).find("x"), "caf\xc3\xa9") << "obs-text passes";
}

TEST(RequestHead, ObsoleteLineFoldingIsRefused) {
    Parsed parsed = parse("GET / HTTP/1.1\r\nX-Long: a\r\n  continued\r\n\r\n");
    ASSERT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 400);
    EXPECT_NE(parsed.result.error.find("folding"), std::string::npos) << parsed.result.error;
    EXPECT_EQ(refused("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n"), 400);
}

TEST(RequestHead, BareLineFeedsAreAccepted) {
    const std::string text = "POST /v1/completions HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}";
    Parsed parsed = parse(text);
    ASSERT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error;
    EXPECT_EQ(parsed.result.head_bytes, text.size() - 2);
    EXPECT_EQ(*parsed.head.find("host"), "x");
    EXPECT_EQ(parsed.head.content_length, 2u);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\nB: 2\r\n\n").result.status, ParseStatus::complete) << "mixed endings";
}

TEST(RequestHead, LeadingBlankLinesBeforeARequestAreSkipped) {
    const std::string text = "\r\n\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    Parsed parsed = parse(text);
    ASSERT_EQ(parsed.result.status, ParseStatus::complete) << parsed.result.error;
    EXPECT_EQ(parsed.result.head_bytes, text.size()) << "the skipped lines are consumed with the head";
    EXPECT_EQ(parsed.head.method, "GET");
    EXPECT_EQ(parse("\r\n\r\n").result.status, ParseStatus::incomplete);
}

TEST(RequestHead, HeadsOverTheLimitAre431) {
    std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(200, 'a') + "\r\n\r\n";
    Parsed parsed = parse(big, 100);
    ASSERT_EQ(parsed.result.status, ParseStatus::error);
    EXPECT_EQ(parsed.result.error_status, 431);
    EXPECT_NE(parsed.result.error.find("100"), std::string::npos) << "names the limit: " << parsed.result.error;

    std::string endless = "GET / HTTP/1.1\r\nX-Big: " + std::string(200, 'a');
    EXPECT_EQ(parse(endless, 100).result.error_status, 431) << "no need to wait for the end of an oversized head";
    EXPECT_EQ(parse(endless.substr(0, 100), 100).result.status, ParseStatus::incomplete);

    EXPECT_EQ(parse(big, big.size()).result.status, ParseStatus::complete) << "exactly at the limit";
    EXPECT_EQ(parse(big, big.size() - 1).result.error_status, 431);
    EXPECT_EQ(parse(big + std::string(500, 'b'), big.size()).result.status, ParseStatus::complete)
        << "body bytes after the head do not count";
}

TEST(RequestHead, EveryPrefixOfAValidRequestIsIncomplete) {
    const std::string requests[] = {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
        "Content-Length: 17\r\n\r\n{\"model\":\"gemma\"}",
        "GET / HTTP/1.0\n\n",
        "\r\n\r\nGET /health HTTP/1.1\r\nConnection: close\r\n\r\n",
        "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    };
    for (const std::string& text : requests) {
        const Parsed whole = parse(text);
        ASSERT_EQ(whole.result.status, ParseStatus::complete) << whole.result.error;
        for (size_t length = 0; length < whole.result.head_bytes; ++length) {
            Parsed prefix = parse(std::string_view(text).substr(0, length));
            EXPECT_EQ(prefix.result.status, ParseStatus::incomplete) << "prefix of " << length << " bytes of\n" << text;
        }
        for (size_t length = whole.result.head_bytes; length <= text.size(); ++length) {
            Parsed longer = parse(std::string_view(text).substr(0, length));
            ASSERT_EQ(longer.result.status, ParseStatus::complete);
            EXPECT_EQ(longer.result.head_bytes, whole.result.head_bytes);
            EXPECT_EQ(longer.head.headers.size(), whole.head.headers.size());
        }
    }
}

TEST(RequestHead, PipelinedRequestsAreParsedOneAtATimeIntoAFreshHead) {
    const std::string first = "POST /a HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nab";
    const std::string second = "GET /b HTTP/1.1\r\nX: y\r\n\r\n";
    const std::string both = first + second;
    RequestHead head;
    ParseResult result = parse_request_head(both, kMaxHead, head);
    ASSERT_EQ(result.status, ParseStatus::complete);
    EXPECT_EQ(head.target, "/a");
    EXPECT_EQ(result.head_bytes, first.size() - 2);

    result = parse_request_head(std::string_view(both).substr(first.size()), kMaxHead, head);
    ASSERT_EQ(result.status, ParseStatus::complete);
    EXPECT_EQ(head.target, "/b");
    EXPECT_EQ(head.headers.size(), 1u) << "nothing of the previous request survives";
    EXPECT_EQ(head.framing, BodyFraming::none);
    EXPECT_FALSE(head.expect_continue);
    EXPECT_TRUE(head.keep_alive);
}

TEST(ReasonPhrase, StandardPhrasesAndUnknown) {
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(404), "Not Found");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(503), "Service Unavailable");
    EXPECT_EQ(reason_phrase(299), "Unknown");
}

}  // namespace
}  // namespace ggufd::net
