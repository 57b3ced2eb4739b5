// Browsers through the real binary: CORS preflights answered by ggufd itself (without a key),
// answers carrying the front door's CORS headers instead of the child's, cors_origins enforced,
// and the admin API never offering any CORS to a page.
#include <gtest/gtest.h>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A preflight as Chromium sends it before fetch() POSTs JSON with a key.
std::map<std::string, std::string> preflight_from(const std::string& origin) {
    return {{"Origin", origin},
            {"Access-Control-Request-Method", "POST"},
            {"Access-Control-Request-Headers", "authorization,content-type"}};
}

std::string one_service(const TempDir& dir, const std::string& top_level = "") {
    return top_level + "[services.m]\nmodel = \"" + dir.write("m.gguf", "x").string() +
           "\"\nargs = [\"--fake-tokens\", \"3\"]\n";
}

}  // namespace

TEST(Browser, AnyOriginByDefaultAndThePreflightNeedsNoKey) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{one_service(dir, "api_keys = [\"secret\"]\n")});
    // /health/<service> needs no key (the admin API, which wait_state reads, would).
    ASSERT_TRUE(wait_until([&] { return http_get(daemon.port(), "/health/m").status == 200; }, 60s)) << daemon.log();

    auto preflight = http_options(daemon.port(), "/v1/chat/completions", preflight_from("https://chat.example"));
    EXPECT_EQ(preflight.status, 204) << preflight.body;
    EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(preflight.header("Access-Control-Allow-Methods"), "POST");
    EXPECT_EQ(preflight.header("Access-Control-Allow-Headers"), "authorization,content-type");
    EXPECT_EQ(preflight.header("Access-Control-Max-Age"), "7200");
    EXPECT_EQ(preflight.header_count("Content-Length"), 0u) << "a 204 has no Content-Length";

    // The page's real request: the answer is readable, and a 401 is too.
    auto denied = http_post(daemon.port(), "/v1/chat/completions", chat_body("m", false),
                            {{"Origin", "https://chat.example"}});
    EXPECT_EQ(denied.status, 401);
    EXPECT_EQ(denied.header("Access-Control-Allow-Origin"), "*");
    auto answer = http_post(daemon.port(), "/v1/chat/completions", chat_body("m", false),
                            {{"Origin", "https://chat.example"}, {"Authorization", "Bearer secret"}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.header_count("Access-Control-Allow-Origin"), 1u) << "the child's own header is replaced";
    EXPECT_EQ(answer.header("Access-Control-Allow-Origin"), "*");

    auto models = http_get(daemon.port(), "/v1/models", {{"Origin", "https://chat.example"}, {"X-Api-Key", "secret"}});
    EXPECT_EQ(models.status, 200);
    EXPECT_EQ(models.header("Access-Control-Allow-Origin"), "*");

    // Without an Origin (curl, SDKs outside browsers) answers stay as they were.
    auto plain = http_post(daemon.port(), "/v1/chat/completions", chat_body("m", false), {{"Authorization", "Bearer secret"}});
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(plain.header_count("Access-Control-Allow-Origin"), 0u);
}

TEST(Browser, OnlyListedOriginsAreLetIn) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{one_service(dir, "cors_origins = [\"http://localhost:3000\"]\n")});
    ASSERT_TRUE(daemon.wait_state("m", "ready")) << daemon.log();

    auto allowed = http_options(daemon.port(), "/v1/chat/completions", preflight_from("http://localhost:3000"));
    EXPECT_EQ(allowed.status, 204);
    EXPECT_EQ(allowed.header("Access-Control-Allow-Origin"), "http://localhost:3000");
    EXPECT_EQ(allowed.header("Vary"), "Origin");

    auto refused = http_options(daemon.port(), "/v1/chat/completions", preflight_from("https://evil.example"));
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.header_count("Access-Control-Allow-Origin"), 0u);
    EXPECT_EQ(json::parse(refused.body)["error"]["code"], "cors_origin_not_allowed");

    // A "simple" request needs no preflight: it is served, but the page cannot read the answer,
    // although the child (like llama-server) echoes every origin.
    auto simple = http_post(daemon.port(), "/v1/chat/completions", chat_body("m", false), {{"Origin", "https://evil.example"}});
    EXPECT_EQ(simple.status, 200);
    EXPECT_EQ(simple.header_count("Access-Control-Allow-Origin"), 0u);
    auto upstream = http_get(daemon.port(), "/upstream/m/props", {{"Origin", "https://evil.example"}});
    EXPECT_EQ(upstream.status, 200);
    EXPECT_EQ(upstream.header_count("Access-Control-Allow-Origin"), 0u) << "/upstream/ follows cors_origins too";
    auto listed = http_get(daemon.port(), "/upstream/m/props", {{"Origin", "http://localhost:3000"}});
    EXPECT_EQ(listed.header("Access-Control-Allow-Origin"), "http://localhost:3000");
}

TEST(Browser, TheAdminApiNeverOffersCors) {
    TempDir dir;
    Daemon daemon(dir, DaemonOptions{one_service(dir)});
    ASSERT_TRUE(daemon.wait_state("m", "ready")) << daemon.log();
    for (const char* path : {"/services", "/services/m/stop", "/reload", "/metrics", "/health"}) {
        auto preflight = http_options(daemon.port(), path, preflight_from("https://chat.example"));
        EXPECT_EQ(preflight.status, 405) << path;
        EXPECT_EQ(preflight.header_count("Access-Control-Allow-Origin"), 0u) << path;
    }
    auto services = http_get(daemon.port(), "/services", {{"Origin", "https://chat.example"}});
    EXPECT_EQ(services.header_count("Access-Control-Allow-Origin"), 0u);
}
