// The small parsers behind listen, port_range, cpu_affinity and names, and "did you mean".
#include <gtest/gtest.h>

#include "suggest.h"
#include "text_rules.h"
#include "user_paths.h"

namespace ggufd::config {
namespace {

ListenAddress listen(std::string_view text) {
    auto parsed = parse_listen_address(text);
    if (auto* message = std::get_if<std::string>(&parsed)) ADD_FAILURE() << *message;
    return std::get_if<ListenAddress>(&parsed) ? std::get<ListenAddress>(parsed) : ListenAddress{};
}

TEST(TextRules, ListenAddressesTakeHostsNamesAndBracketedIpv6) {
    EXPECT_EQ(listen("127.0.0.1:8080").host, "127.0.0.1");
    EXPECT_EQ(listen("127.0.0.1:8080").port, 8080);
    EXPECT_EQ(listen("localhost:1").host, "localhost");
    EXPECT_EQ(listen("[::1]:8080").host, "::1");
    EXPECT_EQ(listen("[::]:80").host, "::");
    EXPECT_EQ(listen("0.0.0.0:0").port, 0) << "port 0: the system picks one (tests)";
    for (const char* bad : {"", "8080", ":8080", "host:", "host:http", "[::1]8080", "[::1]", "a b:80", "::1:80", "h:-1"}) {
        EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address(bad))) << bad;
    }
}

TEST(TextRules, PortRanges) {
    using Range = std::pair<uint16_t, uint16_t>;
    auto range = parse_port_range("2000-2099");
    ASSERT_TRUE(std::holds_alternative<Range>(range));
    EXPECT_EQ(std::get<Range>(range), Range(2000, 2099));
    EXPECT_TRUE(std::holds_alternative<Range>(parse_port_range("5-5")));
    for (const char* bad : {"", "2000", "2000-", "-2000", "a-b", "2000-70000", "10-5", "0-5", " 1-2"}) {
        EXPECT_TRUE(std::holds_alternative<std::string>(parse_port_range(bad))) << bad;
    }
}

TEST(TextRules, CorsOriginsAreSchemeHostAndPortOnly) {
    for (const char* good : {"*", "https://chat.example.com", "HTTP://LocalHost:3000", "http://[::1]:8080",
                             "app://obsidian.md"}) {  // desktop apps send schemes of their own
        EXPECT_EQ(cors_origin_problem(good), std::nullopt) << good;
    }
    for (const char* bad : {"", "null", "chat.example.com", "://x", "https://", "https://a/b", "https://a?x", "https://u@a",
                            "https://a:", "https://a:0", "https://a:70000", "https://a b", "1http://a", "https://[::1"}) {
        EXPECT_TRUE(cors_origin_problem(bad)) << bad;
    }
}

TEST(TextRules, CpuListsAsTasksetWritesThem) {
    for (const char* good : {"0", "0-7", "0-7,16", "1,3,5", "0-0"}) EXPECT_FALSE(cpu_list_problem(good)) << good;
    for (const char* bad : {"", ",", "0-", "-3", "7-0", "0,,1", "a", "0-7,"}) EXPECT_TRUE(cpu_list_problem(bad)) << bad;
}

TEST(TextRules, NamesAreUrlSafe) {
    for (const char* good : {"gemma3-4b", "Qwen2.5-7B", "llama:8b", "a_b", "x"}) EXPECT_FALSE(name_problem(good)) << good;
    for (const char* bad : {"", "a/b", "a b", "ü", "a?b", "%2F", ".", ".."}) EXPECT_TRUE(name_problem(bad)) << bad;
}

TEST(TextRules, Loopback) {
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.1.2.3"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_FALSE(is_loopback_host("0.0.0.0"));
    EXPECT_FALSE(is_loopback_host("::"));
    EXPECT_FALSE(is_loopback_host("192.168.1.2"));
}

TEST(Suggest, NearMissesOnlyAndCaseInsensitive) {
    constexpr std::string_view kKeys[] = {"listen", "admin_listen", "ctx_size", "models_dir"};
    EXPECT_EQ(closest_match("listne", kKeys), "listen");
    EXPECT_EQ(closest_match("Listen", kKeys), "listen");
    EXPECT_EQ(closest_match("ctx-size", kKeys), "ctx_size");
    EXPECT_EQ(closest_match("model_dir", kKeys), "models_dir");
    EXPECT_FALSE(closest_match("frobnicate", kKeys));
    EXPECT_FALSE(closest_match("port", kKeys));
}

TEST(UserPaths, HomeAndConfigRelativePaths) {
    auto resolved = [](std::string_view text, std::optional<std::string> home, std::filesystem::path base) {
        auto result = resolve_user_path(text, home, base);
        return std::holds_alternative<std::filesystem::path>(result) ? std::get<std::filesystem::path>(result).string()
                                                                     : "error: " + std::get<std::string>(result);
    };
    EXPECT_EQ(resolved("~", "/home/u", "/etc"), "/home/u");
    EXPECT_EQ(resolved("~/models", "/home/u", "/etc"), "/home/u/models");
    EXPECT_EQ(resolved("m/../a.gguf", "/home/u", "/etc/ggufd"), "/etc/ggufd/a.gguf");
    EXPECT_EQ(resolved("a.gguf", "/home/u", ""), "a.gguf");
    EXPECT_EQ(resolved("/abs/a.gguf", "/home/u", "/etc"), "/abs/a.gguf");
    EXPECT_TRUE(resolved("~/x", std::nullopt, "/etc").starts_with("error: "));
    EXPECT_TRUE(resolved("~bob/x", "/home/u", "/etc").starts_with("error: "));
    EXPECT_TRUE(is_bare_program_name("llama-server"));
    EXPECT_FALSE(is_bare_program_name("./llama-server"));
    EXPECT_FALSE(is_bare_program_name("~/bin/llama-server"));
}

}  // namespace
}  // namespace ggufd::config
