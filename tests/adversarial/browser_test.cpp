// Web pages against a keyless loopback daemon (the default set-up), through the real binary:
// a cross-site page POSTing text/plain (no preflight) to stop a service, a DNS-rebinding page,
// a no-cors read, and the ways a real browser-based admin tool is let in.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attack.h"
#include "daemon.h"

using namespace ggufd::test;

namespace {

RawResponse exchange(uint16_t port, const std::string& request) {
    RawConnection connection(port);
    connection.send_all(request);
    auto responses = read_responses(connection, 1, 10s);
    return responses.empty() ? RawResponse{} : responses[0];
}

std::string stop_request(const std::string& headers) {
    return "POST /services/fake/stop HTTP/1.1\r\n" + headers + "Content-Type: text/plain\r\nContent-Length: 1\r\n\r\nx";
}

}  // namespace

class Browsers : public testing::Test {
protected:
    void start(const std::string& settings = "", const std::string& admin_key = "") {
        DaemonOptions options(settings + fake_service(dir, "fake"));
        options.admin_key = admin_key;
        daemon = std::make_unique<Daemon>(dir, options);
        ASSERT_TRUE(daemon->wait_state("fake", "ready")) << daemon->log();
        host = "127.0.0.1:" + std::to_string(daemon->port());
    }

    TempDir dir;
    std::unique_ptr<Daemon> daemon;
    std::string host;
};

// Finding 6: with the default config, a web page could stop a service with a simple POST.
TEST_F(Browsers, ACrossSitePageCannotUseTheAdminApi) {
    start();
    RawResponse response = exchange(daemon->port(), stop_request("Host: " + host + "\r\nOrigin: https://evil.example\r\n"));
    EXPECT_EQ(response.status, 403);
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body["error"]["code"], "forbidden") << "OpenAI-shaped";
    EXPECT_NE(body["error"]["message"].get<std::string>().find("admin_origins"), std::string::npos);
    EXPECT_TRUE(response.has_header("connection", "close")) << "refused before the body: the connection ends";
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host + "\r\nSec-Fetch-Site: cross-site\r\n\r\n")
                  .status,
              403);
    EXPECT_EQ(daemon->service("fake")["state"], "ready");
}

TEST_F(Browsers, ADnsRebindingPageCannotUseTheAdminApi) {
    start();
    const std::string rebound = "evil.example:" + std::to_string(daemon->port());
    EXPECT_EQ(exchange(daemon->port(), stop_request("Host: " + rebound + "\r\nOrigin: http://" + rebound + "\r\n")).status,
              403);
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + rebound + "\r\n\r\n").status, 403);
    EXPECT_EQ(daemon->service("fake")["state"], "ready");
}

TEST_F(Browsers, ToolsThatAreNotBrowsersAndTheModelApiAreUnaffected) {
    start();
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: localhost:" + std::to_string(daemon->port()) +
                                           "\r\n\r\n")
                  .status,
              200);
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host + "\r\n\r\n")
                  .status,
              200)
        << "the daemon's own origin";
    EXPECT_EQ(exchange(daemon->port(), "GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\nOrigin: https://evil.example\r\n\r\n")
                  .status,
              200)
        << "the model API is for browsers too";
}

TEST_F(Browsers, AnAllowedOriginOrAKeyLetsABrowserToolIn) {
    start("admin_origins = [\"http://localhost:3000\"]\nadmin_api_keys = [\"admin-key\"]\n", "admin-key");
    // With admin keys set, the key is the protection: a page with the key may call.
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host +
                                           "\r\nOrigin: https://evil.example\r\nAuthorization: Bearer admin-key\r\n\r\n")
                  .status,
              200);
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status, 401);
}

TEST_F(Browsers, AnAllowedOriginPassesOnAKeylessDaemon) {
    start("admin_origins = [\"http://localhost:3000\"]\n");
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://localhost:3000\r\n\r\n")
                  .status,
              200);
    EXPECT_EQ(exchange(daemon->port(), "GET /services HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://localhost:3001\r\n\r\n")
                  .status,
              403);
}
