// `ggufd chat`'s pure parts as a specification: the request a conversation makes, what a line
// at the prompt asks for, --set's fields, and a streamed reply decoded however its bytes arrive.
#include <gtest/gtest.h>

#include "chat_session.h"

namespace ggufd::cli {
namespace {

using nlohmann::json;
using Kind = ChatStreamDecoder::Piece::Kind;

TEST(ChatSession, TheRequestCarriesTheHistoryTheFieldsAndStreams) {
    ChatSession session("tiny", "Be brief.", json{{"temperature", 0}});
    json first = json::parse(session.request_body("Hi"));
    EXPECT_EQ(first["model"], "tiny");
    EXPECT_EQ(first["stream"], true);
    EXPECT_EQ(first["temperature"], 0);
    EXPECT_EQ(first["messages"], json::parse(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}])"));

    session.remember("Hi", "Hello!");
    json second = json::parse(session.request_body("And?"));
    ASSERT_EQ(second["messages"].size(), 4u);
    EXPECT_EQ(second["messages"][2], (json{{"role", "assistant"}, {"content", "Hello!"}}));
    EXPECT_EQ(second["messages"][3], (json{{"role", "user"}, {"content", "And?"}}));
    EXPECT_EQ(session.exchanges(), 1u);
}

TEST(ChatSession, ClearForgetsTheExchangesButNotTheSystemPrompt) {
    ChatSession session("tiny", "Be brief.", json::object());
    session.remember("Hi", "Hello!");
    session.clear();
    EXPECT_EQ(session.exchanges(), 0u);
    EXPECT_EQ(json::parse(session.request_body("Hi"))["messages"].size(), 2u);
}

TEST(ChatSession, SetFieldsChangeTheRepliesToCome) {
    ChatSession session("tiny", "", json{{"temperature", 0}, {"max_tokens", 8}});
    session.set_fields(json{{"max_tokens", 100}});
    json body = json::parse(session.request_body("Hi"));
    EXPECT_EQ(body["max_tokens"], 100);
    EXPECT_EQ(body["temperature"], 0);
}

TEST(ChatSession, AnotherModelCarriesTheConversationOn) {
    ChatSession session("tiny", "", json::object());
    session.remember("Hi", "Hello!");
    session.set_model("other");
    json body = json::parse(session.request_body("Again"));
    EXPECT_EQ(body["model"], "other");
    EXPECT_EQ(body["messages"].size(), 3u) << "no system prompt, one exchange, the new message";
}

TEST(ChatInput, CommandsAndMessages) {
    using K = ChatInput::Kind;
    const struct {
        const char* line;
        K kind;
        const char* text;
    } cases[] = {
        {"/quit", K::quit, ""},
        {"/exit\n", K::quit, ""},
        {"/bye", K::quit, ""},
        {"/clear", K::clear, ""},
        {"/help", K::help, ""},
        {"/?", K::help, ""},
        {"/model  qwen2.5  ", K::model, "qwen2.5"},
        {"/model", K::model, ""},
        {"/set max_tokens=20", K::set, "max_tokens=20"},
        {"/load x", K::unknown_command, "/load"},
        {"   ", K::empty, ""},
        {"Hello there\r\n", K::message, "Hello there"},
        {"//etc/passwd is a file", K::message, "/etc/passwd is a file"},
    };
    for (const auto& c : cases) {
        ChatInput input = parse_chat_input(c.line);
        EXPECT_EQ(input.kind, c.kind) << c.line;
        EXPECT_EQ(input.text, c.text) << c.line;
    }
}

TEST(ParseFields, JsonWhereItParsesElseAString) {
    auto fields = parse_fields({"temperature=0.2", "max_tokens=64", "ignore_eos=true", "stop=[\"\\n\"]", "grammar=root ::= x"});
    ASSERT_TRUE(std::holds_alternative<json>(fields));
    const json& f = std::get<json>(fields);
    EXPECT_EQ(f["temperature"], 0.2);
    EXPECT_EQ(f["max_tokens"], 64);
    EXPECT_EQ(f["ignore_eos"], true);
    EXPECT_EQ(f["stop"], json::array({"\n"}));
    EXPECT_EQ(f["grammar"], "root ::= x");
}

TEST(ParseFields, MalformedItemsAndChatsOwnFieldsAreRefused) {
    auto missing = parse_fields({"temperature"});
    ASSERT_TRUE(std::holds_alternative<std::string>(missing));
    EXPECT_NE(std::get<std::string>(missing).find("expected KEY=VALUE"), std::string::npos);
    auto own = parse_fields({"model=x"});
    ASSERT_TRUE(std::holds_alternative<std::string>(own));
    EXPECT_NE(std::get<std::string>(own).find("chat's own"), std::string::npos);
}

// A llama-server chat stream: role chunk, two content chunks, finish chunk, [DONE].
const std::string kStream =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n"
    "data: {\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}]}\n\n"
    "data: [DONE]\n\n";

std::string content_of(const std::vector<ChatStreamDecoder::Piece>& pieces) {
    std::string text;
    for (const auto& piece : pieces) {
        if (piece.kind == Kind::content) text += piece.text;
    }
    return text;
}

TEST(ChatStreamDecoder, ContentAsItArrivesInAnySplit) {
    for (size_t split : {size_t{1}, size_t{7}, size_t{50}, kStream.size()}) {
        ChatStreamDecoder decoder;
        std::vector<ChatStreamDecoder::Piece> pieces;
        for (size_t at = 0; at < kStream.size(); at += split) {
            for (auto& piece : decoder.feed(std::string_view(kStream).substr(at, split))) pieces.push_back(piece);
        }
        EXPECT_EQ(content_of(pieces), "Hello") << "split " << split;
        ASSERT_FALSE(pieces.empty());
        EXPECT_EQ(pieces.back().kind, Kind::done);
    }
}

TEST(ChatStreamDecoder, AnErrorEventInTheStream) {
    ChatStreamDecoder decoder;
    auto pieces = decoder.feed("data: {\"error\":{\"code\":500,\"message\":\"context full\",\"type\":\"server_error\"}}\n\n");
    ASSERT_EQ(pieces.size(), 1u);
    EXPECT_EQ(pieces[0].kind, Kind::error);
    EXPECT_EQ(pieces[0].text, "context full");
}

TEST(ChatStreamDecoder, ReasoningIsSetApartAndCrlfEventsWork) {
    ChatStreamDecoder decoder;
    auto pieces = decoder.feed("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm\"}}]}\r\n\r\n"
                               ": keep-alive comment\n\n"
                               "data: {\"choices\":[{\"delta\":{\"content\":\"Yes\"}}]}\n\n");
    ASSERT_EQ(pieces.size(), 2u);
    EXPECT_EQ(pieces[0].kind, Kind::reasoning);
    EXPECT_EQ(pieces[0].text, "hmm");
    EXPECT_EQ(pieces[1].kind, Kind::content);
}

}  // namespace
}  // namespace ggufd::cli
