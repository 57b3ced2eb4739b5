// The heads that cross the proxy, as a specification: hop-by-hop headers (the fixed list and any
// named in Connection) never cross, framing is re-declared for each side, and everything else
// passes unchanged. Heads are built from parsed text and checked by parsing what comes out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "forwarding.h"

namespace ggufd::gateway {
namespace {

net::RequestHead request(std::string_view text) {
    net::RequestHead head;
    auto result = net::parse_request_head(text, 65536, head);
    EXPECT_EQ(result.status, net::ParseStatus::complete) << result.error << "\n" << text;
    return head;
}

net::ResponseHead response(std::string_view text, std::string_view method = "GET") {
    net::ResponseHead head;
    auto result = net::parse_response_head(text, 65536, method, head);
    EXPECT_EQ(result.status, net::ParseStatus::complete) << result.error << "\n" << text;
    return head;
}

// Every value of header `name` in `headers`, in order.
std::vector<std::string> values(const std::vector<net::Header>& headers, std::string_view name) {
    std::vector<std::string> found;
    for (const auto& header : headers) {
        if (net::iequals(header.name, name)) found.push_back(header.value);
    }
    return found;
}

using Values = std::vector<std::string>;

TEST(HopByHop, TheFixedListIsCaseInsensitive) {
    for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer",
                             "Upgrade", "Proxy-Authenticate", "Proxy-Authorization", "Content-Length", "Host",
                             "Expect", "CONNECTION"}) {
        EXPECT_TRUE(is_hop_by_hop(name)) << name;
    }
    for (const char* name : {"Authorization", "Content-Type", "Accept", "X-Request-Id", "Cookie", "Trailers",
                             "Hostname", "Connection-Id"}) {
        EXPECT_FALSE(is_hop_by_hop(name)) << name;
    }
}

TEST(UpstreamRequest, EndToEndHeadersPassHopByHopHeadersDoNot) {
    net::RequestHead client = request(
        "POST /v1/chat/completions HTTP/1.1\r\n"
        "Host: ggufd.example:8080\r\n"
        "Authorization: Bearer secret\r\n"
        "Content-Type: application/json\r\n"
        "Connection: keep-alive, X-Trace\r\n"
        "Keep-Alive: timeout=5\r\n"
        "X-Trace: drop-me\r\n"
        "TE: trailers\r\n"
        "Expect: 100-continue\r\n"
        "Proxy-Authorization: Basic abc\r\n"
        "Upgrade: h2c\r\n"
        "X-Request-Id: 42\r\n"
        "Accept: text/event-stream\r\n"
        "Content-Length: 17\r\n\r\n");
    const std::string head = upstream_request_head(client, "/v1/chat/completions", 2007, 17, /*forward_credentials=*/true);
    ASSERT_TRUE(head.ends_with("\r\n\r\n"));
    net::RequestHead sent = request(head);
    EXPECT_EQ(sent.method, "POST");
    EXPECT_EQ(sent.target, "/v1/chat/completions");
    EXPECT_EQ(sent.version_minor, 1);
    EXPECT_EQ(values(sent.headers, "host"), Values{"127.0.0.1:2007"}) << "Host names the child";
    EXPECT_EQ(values(sent.headers, "content-length"), Values{"17"});
    EXPECT_EQ(sent.framing, net::BodyFraming::content_length);
    for (const char* dropped : {"connection", "keep-alive", "x-trace", "te", "expect", "proxy-authorization",
                                "upgrade", "transfer-encoding"}) {
        EXPECT_TRUE(values(sent.headers, dropped).empty()) << dropped << " crossed the proxy";
    }
    // End-to-end headers keep their order, names and values.
    std::vector<std::string> names;
    for (const auto& header : sent.headers) names.push_back(header.name);
    EXPECT_EQ(names, (Values{"Host", "Authorization", "Content-Type", "X-Request-Id", "Accept", "Content-Length"}));
    EXPECT_EQ(*sent.find("authorization"), "Bearer secret");
    EXPECT_TRUE(sent.keep_alive);
    EXPECT_FALSE(sent.expect_continue) << "the body is already complete: no 100-continue dance with the child";
}

// The key a client presents is for ggufd: a child (or whatever runs as one) does not get it
// unless forward_credentials says so.
TEST(UpstreamRequest, ClientCredentialsStayWithGgufdByDefault) {
    net::RequestHead client = request(
        "POST /v1/messages HTTP/1.1\r\nHost: h\r\nauthorization: Bearer secret\r\nX-API-Key: secret\r\n"
        "Anthropic-Version: 2023-06-01\r\nContent-Length: 2\r\n\r\n");
    net::RequestHead sent = request(upstream_request_head(client, "/v1/messages", 2007, 2));
    EXPECT_EQ(sent.find("authorization"), nullptr);
    EXPECT_EQ(sent.find("x-api-key"), nullptr);
    EXPECT_EQ(values(sent.headers, "anthropic-version"), Values{"2023-06-01"});
    net::RequestHead forwarded = request(upstream_request_head(client, "/v1/messages", 2007, 2, true));
    EXPECT_EQ(values(forwarded.headers, "authorization"), Values{"Bearer secret"});
    EXPECT_EQ(values(forwarded.headers, "x-api-key"), Values{"secret"});
    for (const char* name : {"Authorization", "x-api-key", "X-API-KEY"}) EXPECT_TRUE(is_client_credential(name)) << name;
    for (const char* name : {"Proxy-Authorization", "X-Api-Keys", "Cookie"}) EXPECT_FALSE(is_client_credential(name)) << name;
}

TEST(UpstreamRequest, TheTargetIsTheOneGivenNotTheClients) {
    net::RequestHead client = request("GET /upstream/gemma/props?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    net::RequestHead sent = request(upstream_request_head(client, "/props?x=1", 2001, 0));
    EXPECT_EQ(sent.target, "/props?x=1");
    EXPECT_EQ(sent.method, "GET");
}

TEST(UpstreamRequest, AChunkedUploadIsSentWithItsDecodedLength) {
    net::RequestHead client = request(
        "POST /v1/embeddings HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n");
    net::RequestHead sent = request(upstream_request_head(client, "/v1/embeddings", 2001, 11));
    EXPECT_TRUE(values(sent.headers, "transfer-encoding").empty());
    EXPECT_EQ(values(sent.headers, "content-length"), Values{"11"});
}

TEST(UpstreamRequest, ContentLengthOnlyWhereABodyIsExpected) {
    net::RequestHead get = request("GET /health HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(values(request(upstream_request_head(get, "/health", 1, 0)).headers, "content-length").empty());
    for (const char* method : {"POST", "PUT", "PATCH"}) {
        net::RequestHead empty = request(std::string(method) + " /x HTTP/1.1\r\nHost: h\r\n\r\n");
        EXPECT_EQ(values(request(upstream_request_head(empty, "/x", 1, 0)).headers, "content-length"), Values{"0"})
            << method << " with an empty body still says so";
    }
}

TEST(UpstreamRequest, Http10ClientsReachTheChildOverHttp11) {
    net::RequestHead client = request("GET /v1/models HTTP/1.0\r\nHost: h\r\n\r\n");
    net::RequestHead sent = request(upstream_request_head(client, "/v1/models", 2001, 0));
    EXPECT_EQ(sent.version_minor, 1);
    EXPECT_TRUE(sent.keep_alive) << "the connection to the child is pooled whatever the client speaks";
}

// RFC 9110 §5.3 and §7.6.1: Connection may be sent as several field lines, which together form
// one list; every header any of them names is hop-by-hop.
TEST(UpstreamRequest, HeadersNamedInAnyConnectionLineAreDropped) {
    net::RequestHead client = request(
        "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: X-Secret\r\nX-Secret: 1\r\n\r\n");
    net::RequestHead sent = request(upstream_request_head(client, "/", 2001, 0));
    EXPECT_TRUE(values(sent.headers, "x-secret").empty()) << "named in the second Connection line";
}

TEST(ClientFraming, ChosenFromTheChildsFramingAndTheClientsVersion) {
    using net::BodyFraming;
    struct Case {
        BodyFraming upstream;
        bool head_request;
        int client_minor;
        ClientFraming expected;
    };
    const Case cases[] = {
        {BodyFraming::content_length, true, 1, ClientFraming::none},
        {BodyFraming::chunked, true, 1, ClientFraming::none},
        {BodyFraming::none, false, 1, ClientFraming::none},
        {BodyFraming::content_length, false, 1, ClientFraming::content_length},
        {BodyFraming::content_length, false, 0, ClientFraming::content_length},
        {BodyFraming::chunked, false, 1, ClientFraming::chunked},
        {BodyFraming::chunked, false, 0, ClientFraming::close},
        {BodyFraming::until_close, false, 1, ClientFraming::chunked},
        {BodyFraming::until_close, false, 0, ClientFraming::close},
    };
    for (const Case& c : cases) {
        net::ResponseHead upstream;
        upstream.framing = c.upstream;
        upstream.content_length = c.upstream == BodyFraming::content_length ? 10 : 0;
        EXPECT_EQ(choose_client_framing(upstream, c.head_request, c.client_minor), c.expected)
            << static_cast<int>(c.upstream) << " head=" << c.head_request << " HTTP/1." << c.client_minor;
    }
}

constexpr std::string_view kChildResponse =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Connection: keep-alive, X-Hop\r\n"
    "Keep-Alive: timeout=5\r\n"
    "X-Hop: 1\r\n"
    "Server: llama.cpp\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Trailer: X-Checksum\r\n"
    "Access-Control-Allow-Origin: *\r\n\r\n";

TEST(ClientResponse, KeepsStatusAndEndToEndHeadersDropsHopByHop) {
    net::ResponseHead child = response(kChildResponse);
    net::ResponseHead sent = response(client_response_head(child, ClientFraming::chunked, true));
    EXPECT_EQ(sent.status, 200);
    EXPECT_EQ(sent.reason, "OK");
    EXPECT_EQ(values(sent.headers, "content-type"), Values{"text/event-stream"});
    EXPECT_EQ(values(sent.headers, "server"), Values{"llama.cpp"});
    for (const char* dropped : {"keep-alive", "x-hop", "trailer"}) {
        EXPECT_TRUE(values(sent.headers, dropped).empty()) << dropped;
    }
    EXPECT_EQ(values(sent.headers, "transfer-encoding"), Values{"chunked"}) << "declared once, by us";
    EXPECT_EQ(values(sent.headers, "connection"), Values{"keep-alive"});
    EXPECT_TRUE(values(sent.headers, "content-length").empty());
    EXPECT_EQ(sent.framing, net::BodyFraming::chunked);
}

// llama-server lets every origin in; the front door's cors_origins decides instead.
TEST(ClientResponse, TheChildsCorsHeadersAreReplacedByTheFrontDoors) {
    net::ResponseHead child = response(
        "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://evil.example\r\n"
        "ACCESS-CONTROL-ALLOW-CREDENTIALS: true\r\nAccess-Control-Allow-Methods: GET\r\nContent-Length: 2\r\n\r\n");
    net::ResponseHead none = response(client_response_head(child, ClientFraming::content_length, true));
    for (const char* dropped : {"access-control-allow-origin", "access-control-allow-credentials",
                                "access-control-allow-methods"}) {
        EXPECT_TRUE(values(none.headers, dropped).empty()) << dropped;
    }
    net::ResponseHead ours = response(client_response_head(
        child, ClientFraming::content_length, true, {{"Access-Control-Allow-Origin", "https://chat.example"}, {"Vary", "Origin"}}));
    EXPECT_EQ(values(ours.headers, "access-control-allow-origin"), Values{"https://chat.example"});
    EXPECT_EQ(values(ours.headers, "vary"), Values{"Origin"});
    EXPECT_TRUE(values(ours.headers, "access-control-allow-credentials").empty());
}

TEST(ClientResponse, ContentLengthIsTheChilds) {
    net::ResponseHead child = response("HTTP/1.1 404 Not Found\r\nContent-Length: 57\r\nConnection: close\r\n\r\n");
    net::ResponseHead sent = response(client_response_head(child, ClientFraming::content_length, true));
    EXPECT_EQ(sent.status, 404);
    EXPECT_EQ(sent.reason, "Not Found");
    EXPECT_EQ(values(sent.headers, "content-length"), Values{"57"});
    EXPECT_TRUE(sent.keep_alive) << "the child closing its connection says nothing about the client's";
}

TEST(ClientResponse, CloseDelimitedBodiesForHttp10Clients) {
    net::ResponseHead child = response(kChildResponse);
    net::ResponseHead sent = response(client_response_head(child, ClientFraming::close, true));
    EXPECT_EQ(values(sent.headers, "connection"), Values{"close"}) << "the end of the body is the close";
    EXPECT_TRUE(values(sent.headers, "content-length").empty());
    EXPECT_TRUE(values(sent.headers, "transfer-encoding").empty());
    EXPECT_EQ(sent.framing, net::BodyFraming::until_close);
}

TEST(ClientResponse, AnEmptyReasonGetsTheStandardPhrase) {
    net::ResponseHead child = response("HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n");
    std::string head = client_response_head(child, ClientFraming::content_length, false);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << head;
}

// RFC 9110 §9.3.2 and §8.6: a response to HEAD may carry the Content-Length the GET would have
// had, and must not carry any other. A proxy that rewrites it to 0 tells `curl -I` the lie.
TEST(ClientResponse, AHeadResponseKeepsTheChildsContentLength) {
    net::ResponseHead child = response("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", "HEAD");
    ASSERT_EQ(choose_client_framing(child, true, 1), ClientFraming::none);
    net::ResponseHead sent = response(client_response_head(child, ClientFraming::none, true), "HEAD");
    EXPECT_EQ(values(sent.headers, "content-length"), Values{"1234"});
}

// RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response with a
// status code of 1xx or 204", and in a 304 only the length the 200 would have had.
TEST(ClientResponse, BodilessStatusesGetNoInventedContentLength) {
    for (const char* status_line : {"HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified"}) {
        net::ResponseHead child = response(std::string(status_line) + "\r\nETag: \"x\"\r\n\r\n");
        net::ResponseHead sent = response(client_response_head(child, choose_client_framing(child, false, 1), true));
        EXPECT_TRUE(values(sent.headers, "content-length").empty()) << status_line;
        EXPECT_EQ(values(sent.headers, "etag"), Values{"\"x\""});
    }
}

}  // namespace
}  // namespace ggufd::gateway
