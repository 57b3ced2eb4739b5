// CORS as a specification: which origins get which headers on an answer, and what a browser's
// preflight is told, for the default "*" policy, a list of origins, and CORS switched off.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cors.h"

namespace ggufd::gateway {
namespace {

const std::vector<std::string> kAny = {"*"};
const std::vector<std::string> kListed = {"https://chat.example.com", "http://localhost:3000"};
const std::vector<std::string> kOff = {};

std::string header(const std::vector<net::Header>& headers, std::string_view name) {
    std::string value;
    for (const auto& h : headers) {
        if (net::iequals(h.name, name)) value += (value.empty() ? "" : ", ") + h.value;
    }
    return value;
}

// A preflight as Chromium sends it before a fetch() with a JSON body and a key.
net::RequestHead preflight_from(std::string origin, std::string requested_headers = "authorization,content-type") {
    net::RequestHead head;
    head.method = "OPTIONS";
    head.target = "/v1/chat/completions";
    if (!origin.empty()) head.headers.push_back({"Origin", std::move(origin)});
    head.headers.push_back({"Access-Control-Request-Method", "POST"});
    if (!requested_headers.empty()) head.headers.push_back({"Access-Control-Request-Headers", std::move(requested_headers)});
    return head;
}

TEST(Cors, AnyOriginGetsTheWildcardWithoutVary) {
    auto headers = cors_headers(kAny, "https://anything.example");
    EXPECT_EQ(header(headers, "access-control-allow-origin"), "*");
    EXPECT_EQ(header(headers, "vary"), "");
    EXPECT_EQ(header(headers, "access-control-expose-headers"), "*") << "so a page can read Retry-After";
    EXPECT_EQ(header(headers, "access-control-allow-credentials"), "") << "keys travel in headers, never cookies";
}

TEST(Cors, ListedOriginsAreEchoedWithVaryAndOthersGetNothing) {
    auto headers = cors_headers(kListed, "http://localhost:3000");
    EXPECT_EQ(header(headers, "access-control-allow-origin"), "http://localhost:3000");
    EXPECT_EQ(header(headers, "vary"), "Origin");
    EXPECT_TRUE(cors_headers(kListed, "http://localhost:3001").empty());
    EXPECT_TRUE(cors_headers(kListed, "https://chat.example.com.evil.example").empty());
    EXPECT_TRUE(cors_headers(kListed, "HTTPS://CHAT.EXAMPLE.COM").empty()) << "browsers send origins lowercase";
}

TEST(Cors, NoOriginOrCorsOffMeansNoHeaders) {
    EXPECT_TRUE(cors_headers(kAny, "").empty()) << "not a browser: answers stay as they were";
    EXPECT_TRUE(cors_headers(kOff, "https://chat.example.com").empty());
}

TEST(Cors, APreflightFromAnAllowedOriginIs204WithWhatTheBrowserAsked) {
    Response response = preflight_response(kListed, preflight_from("https://chat.example.com"), "POST");
    EXPECT_EQ(response.status, 204);
    EXPECT_TRUE(response.body.empty());
    EXPECT_TRUE(response.content_type.empty());
    EXPECT_EQ(header(response.headers, "access-control-allow-origin"), "https://chat.example.com");
    EXPECT_EQ(header(response.headers, "access-control-allow-methods"), "POST");
    EXPECT_EQ(header(response.headers, "access-control-allow-headers"), "authorization,content-type")
        << "echoed: a wildcard would not cover Authorization";
    EXPECT_EQ(header(response.headers, "access-control-max-age"), "7200");
}

TEST(Cors, APreflightEchoesOnlyAListOfHeaderNames) {
    // The headers the OpenAI and Anthropic SDKs send from a browser.
    std::string sdk = "anthropic-dangerous-direct-browser-access, anthropic-version, x-api-key, x-stainless-os";
    EXPECT_EQ(header(preflight_response(kAny, preflight_from("https://a.example", sdk), "POST").headers,
                     "access-control-allow-headers"),
              sdk);
    for (std::string odd : {"x\r\nSet-Cookie: a=b", "x;y", "\"quoted\""}) {
        EXPECT_EQ(header(preflight_response(kAny, preflight_from("https://a.example", odd), "POST").headers,
                         "access-control-allow-headers"),
                  "Authorization, Content-Type, X-Api-Key")
            << odd;
    }
    EXPECT_EQ(header(preflight_response(kAny, preflight_from("https://a.example", ""), "POST").headers,
                     "access-control-allow-headers"),
              "Authorization, Content-Type, X-Api-Key");
}

// Chrome asks before a public page may reach a private address: only origins listed by name.
TEST(Cors, PrivateNetworkAccessOnlyForOriginsListedByName) {
    auto asking = [](std::string origin) {
        net::RequestHead head = preflight_from(std::move(origin));
        head.headers.push_back({"Access-Control-Request-Private-Network", "true"});
        return head;
    };
    EXPECT_EQ(header(preflight_response(kListed, asking("https://chat.example.com"), "POST").headers,
                     "access-control-allow-private-network"),
              "true");
    Response any = preflight_response(kAny, asking("https://chat.example.com"), "POST");
    EXPECT_EQ(any.status, 204);
    EXPECT_EQ(header(any.headers, "access-control-allow-private-network"), "") << "\"*\" does not open the local network";
    EXPECT_EQ(header(preflight_response(kListed, preflight_from("https://chat.example.com"), "POST").headers,
                     "access-control-allow-private-network"),
              "")
        << "only when asked";
}

TEST(Cors, APreflightFromAnotherOriginIs403NamingTheKey) {
    Response response = preflight_response(kListed, preflight_from("https://evil.example"), "POST");
    EXPECT_EQ(response.status, 403);
    EXPECT_EQ(header(response.headers, "access-control-allow-origin"), "");
    auto error = nlohmann::json::parse(response.body)["error"];
    EXPECT_EQ(error["code"], "cors_origin_not_allowed");
    EXPECT_NE(error["message"].get<std::string>().find("\"https://evil.example\""), std::string::npos);
    EXPECT_NE(error["message"].get<std::string>().find("cors_origins"), std::string::npos);

    auto off = nlohmann::json::parse(preflight_response(kOff, preflight_from("https://a.example"), "POST").body);
    EXPECT_NE(off["error"]["message"].get<std::string>().find("CORS is off"), std::string::npos);
}

TEST(Cors, OptionsWithoutAnOriginJustSaysWhatThePathTakes) {
    Response response = preflight_response(kListed, preflight_from(""), "GET, HEAD");
    EXPECT_EQ(response.status, 204);
    EXPECT_EQ(header(response.headers, "allow"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(header(response.headers, "access-control-allow-origin"), "");
}

}  // namespace
}  // namespace ggufd::gateway
