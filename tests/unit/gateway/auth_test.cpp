// API keys as a specification (docs/CONFIG.md): which key a request presents, when a set of keys accepts
// it, and what constant_time_equals must answer (its timing is its implementation's business).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth.h"

namespace ggufd::gateway {
namespace {

net::RequestHead with_headers(std::string_view headers) {
    net::RequestHead head;
    std::string text = "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\n" + std::string(headers) + "\r\n";
    auto result = net::parse_request_head(text, 65536, head);
    EXPECT_EQ(result.status, net::ParseStatus::complete) << result.error;
    return head;
}

TEST(PresentedKey, BearerSchemeIsCaseInsensitive) {
    EXPECT_EQ(presented_key(with_headers("Authorization: Bearer sk-123\r\n")), "sk-123");
    EXPECT_EQ(presented_key(with_headers("authorization: bearer sk-123\r\n")), "sk-123");
    EXPECT_EQ(presented_key(with_headers("AUTHORIZATION: BEARER sk-123\r\n")), "sk-123");
    EXPECT_EQ(presented_key(with_headers("Authorization: Bearer    sk-123\r\n")), "sk-123") << "extra spaces";
}

TEST(PresentedKey, XApiKeyIsTheFallback) {
    EXPECT_EQ(presented_key(with_headers("x-api-key: sk-ant\r\n")), "sk-ant");
    EXPECT_EQ(presented_key(with_headers("X-Api-Key: sk-ant\r\n")), "sk-ant");
    EXPECT_EQ(presented_key(with_headers("Authorization: Basic dXNlcjpwYXNz\r\nx-api-key: sk-ant\r\n")), "sk-ant")
        << "a non-Bearer Authorization is not a key";
    EXPECT_EQ(presented_key(with_headers("x-api-key: sk-ant\r\nAuthorization: Bearer sk-bearer\r\n")), "sk-bearer")
        << "Bearer wins when both are present";
}

TEST(PresentedKey, NothingPresented) {
    EXPECT_EQ(presented_key(with_headers("")), "");
    EXPECT_EQ(presented_key(with_headers("Authorization: Bearer\r\n")), "") << "scheme without a key";
    EXPECT_EQ(presented_key(with_headers("Authorization: Bearer \r\n")), "");
    EXPECT_EQ(presented_key(with_headers("Authorization: Bearersk-123\r\n")), "") << "no space after the scheme";
    EXPECT_EQ(presented_key(with_headers("Authorization: sk-123\r\n")), "") << "no scheme";
}

TEST(KeyAccepted, NoConfiguredKeysAcceptsEveryone) {
    EXPECT_TRUE(key_accepted({}, ""));
    EXPECT_TRUE(key_accepted({}, "anything"));
}

TEST(KeyAccepted, OneOfTheConfiguredKeysExactly) {
    const std::vector<std::string> keys = {"sk-first", "sk-second"};
    EXPECT_TRUE(key_accepted(keys, "sk-first"));
    EXPECT_TRUE(key_accepted(keys, "sk-second"));
    for (const char* wrong : {"", "sk-firs", "sk-first ", "sk-firstx", "SK-FIRST", "sk-third", "sk-first,sk-second"}) {
        EXPECT_FALSE(key_accepted(keys, wrong)) << "\"" << wrong << "\"";
    }
}

TEST(ConstantTimeEquals, IsPlainEquality) {
    EXPECT_TRUE(constant_time_equals("", ""));
    EXPECT_TRUE(constant_time_equals("sk-123", "sk-123"));
    EXPECT_FALSE(constant_time_equals("sk-123", "sk-124"));
    EXPECT_FALSE(constant_time_equals("sk-123", "sk-12"));
    EXPECT_FALSE(constant_time_equals("sk-12", "sk-123"));
    EXPECT_FALSE(constant_time_equals("", "a"));
    EXPECT_FALSE(constant_time_equals("a", ""));
    EXPECT_FALSE(constant_time_equals(std::string_view("a\0", 2), "a")) << "a trailing NUL is a difference";
    EXPECT_TRUE(constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
    EXPECT_FALSE(constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
    EXPECT_FALSE(constant_time_equals(std::string_view("\x80", 1), std::string_view("\0", 1))) << "bytes, not chars";
    EXPECT_TRUE(constant_time_equals("\xff\xfe", "\xff\xfe"));
    const std::string long_key(4096, 'k');
    EXPECT_TRUE(constant_time_equals(long_key, std::string(4096, 'k')));
    EXPECT_FALSE(constant_time_equals(long_key, std::string(4095, 'k') + "j"));
}

}  // namespace
}  // namespace ggufd::gateway
