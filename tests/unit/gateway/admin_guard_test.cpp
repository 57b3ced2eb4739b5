// The keyless admin API's browser rules as a specification: what a cross-site page and a DNS-
// rebinding page send is refused with a reason that says how to allow a real tool; what curl,
// the CLI and the daemon's own pages send passes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "admin_guard.h"

namespace ggufd::gateway {
namespace {

const std::vector<std::string> kNoOrigins;

net::RequestHead request(const std::string& headers) {
    net::RequestHead head;
    std::string text = "POST /services/gemma/stop HTTP/1.1\r\n" + headers + "\r\n";
    auto result = net::parse_request_head(text, 65536, head);
    EXPECT_EQ(result.status, net::ParseStatus::complete) << result.error << "\n" << text;
    return head;
}

std::optional<std::string> verdict(const std::string& headers, bool loopback = true,
                                   const std::vector<std::string>& origins = kNoOrigins) {
    return admin_refusal(request(headers), loopback, origins);
}

TEST(AdminGuard, LoopbackNamesAreStrict) {
    for (const char* host : {"localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
        EXPECT_TRUE(is_loopback_name(host)) << host;
    }
    for (const char* host : {"127.0.0.1.evil.example", "127.evil.example", "localhost.evil.example", "evil-localhost",
                             "0.0.0.0", "10.0.0.1", "::", "[::2]", "", "127.0.0.1 ", "127.0.0.01x"}) {
        EXPECT_FALSE(is_loopback_name(host)) << host;
    }
    EXPECT_EQ(host_without_port("localhost:8080"), "localhost");
    EXPECT_EQ(host_without_port("[::1]:8080"), "[::1]");
    EXPECT_EQ(host_without_port("127.0.0.1"), "127.0.0.1");
}

TEST(AdminGuard, ClientsThatAreNotBrowsersPass) {
    EXPECT_EQ(verdict("Host: 127.0.0.1:8080\r\nUser-Agent: curl/7.88\r\n"), std::nullopt);
    EXPECT_EQ(verdict("Host: localhost:8080\r\n"), std::nullopt);
    EXPECT_EQ(verdict(""), std::nullopt) << "HTTP/1.0 without Host: no browser sends that";
}

TEST(AdminGuard, TheDaemonsOwnOriginPasses) {
    EXPECT_EQ(verdict("Host: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:8080\r\nSec-Fetch-Site: same-origin\r\n"),
              std::nullopt);
    EXPECT_EQ(verdict("Host: localhost:8080\r\nOrigin: http://LOCALHOST:8080\r\n"), std::nullopt);
}

TEST(AdminGuard, ACrossSitePageIsRefused) {
    auto refusal = verdict("Host: 127.0.0.1:8080\r\nOrigin: https://evil.example\r\nContent-Type: text/plain\r\n");
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("https://evil.example"), std::string::npos) << *refusal;
    EXPECT_NE(refusal->find("admin_origins"), std::string::npos) << "says how to allow a real tool: " << *refusal;
    EXPECT_TRUE(verdict("Host: 127.0.0.1:8080\r\nOrigin: null\r\n")) << "sandboxed frames and file: pages";
    EXPECT_TRUE(verdict("Host: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:9999\r\n")) << "another port is another origin";
    EXPECT_TRUE(verdict("Host: 127.0.0.1:8080\r\nSec-Fetch-Site: cross-site\r\n")) << "a no-cors request has no Origin";
}

TEST(AdminGuard, ADnsRebindingPageIsRefusedOnALoopbackListener) {
    auto refusal = verdict("Host: evil.example:8080\r\nOrigin: http://evil.example:8080\r\n");
    ASSERT_TRUE(refusal) << "same-origin from the page's point of view, but not our name";
    EXPECT_NE(refusal->find("evil.example:8080"), std::string::npos) << *refusal;
    EXPECT_TRUE(verdict("Host: 127.0.0.1.evil.example:8080\r\n"));
    EXPECT_EQ(verdict("Host: gpu-box.lan:8080\r\n", /*loopback=*/false), std::nullopt)
        << "a daemon listening beyond loopback is reached by other names";
    EXPECT_TRUE(verdict("Host: gpu-box.lan:8080\r\nOrigin: http://evil.example\r\n", false))
        << "but cross-site pages are refused there too";
}

TEST(AdminGuard, AllowedOriginsPass) {
    const std::vector<std::string> origins = {"http://localhost:3000"};
    EXPECT_EQ(verdict("Host: 127.0.0.1:8080\r\nOrigin: http://localhost:3000\r\n", true, origins), std::nullopt);
    EXPECT_TRUE(verdict("Host: 127.0.0.1:8080\r\nOrigin: http://localhost:3001\r\n", true, origins));
    EXPECT_TRUE(verdict("Host: evil.example\r\nOrigin: http://localhost:3000\r\n", true, origins))
        << "the Host rule still holds";
}

}  // namespace
}  // namespace ggufd::gateway
