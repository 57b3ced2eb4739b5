// The smaller framing findings of issue #11 through the real binary: what follows a HEAD, HTTP/1.0
// with chunked, Host rules, header floods, chunk lines without CR. Each answer is checked byte for
// byte where the framing matters, and the connection's fate (kept or closed) with it.
#include <gtest/gtest.h>

#include "attack.h"
#include "daemon.h"

using namespace ggufd::test;

class Framing : public testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<Daemon>(dir, DaemonOptions{fake_service(dir, "fake")});
        ASSERT_TRUE(daemon->wait_state("fake", "ready")) << daemon->log();
    }

    // Sends `bytes`, reads until the daemon closes, and returns everything it sent back.
    std::string until_closed(const std::string& bytes) {
        RawConnection connection(daemon->port());
        EXPECT_TRUE(connection.send_all(bytes));
        std::string received;
        EXPECT_TRUE(connection.read_until_closed(received, 10s)) << "the daemon closes the connection";
        return received;
    }

    TempDir dir;
    std::unique_ptr<Daemon> daemon;
};

// A 400 that follows a HEAD used to be framed as a HEAD answer: no body although it declared one.
TEST_F(Framing, AnErrorAfterAHeadHasItsBody) {
    std::string received = until_closed("HEAD /health HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n");
    size_t offset = 0;
    auto head_answer = take_responses(received, offset, "HEAD", 1);
    ASSERT_EQ(head_answer.size(), 1u) << received;
    EXPECT_EQ(head_answer[0].status, 200);
    auto error = take_responses(received, offset, "GET");
    ASSERT_EQ(error.size(), 1u) << received;
    EXPECT_EQ(error[0].status, 400);
    EXPECT_NE(error[0].body.find("\"error\""), std::string::npos);
    EXPECT_EQ(offset, received.size()) << "nothing left over: the framing held";
}

TEST_F(Framing, Http10WithChunkedIsAnsweredAndClosed) {
    std::string received = until_closed(
        "POST /v1/chat/completions HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\n{}\r\n0\r\n\r\nGET /health HTTP/1.0\r\n\r\n");
    size_t offset = 0;
    auto responses = take_responses(received, offset);
    ASSERT_EQ(responses.size(), 1u) << "the request after it is not taken: " << received;
    EXPECT_TRUE(responses[0].has_header("connection", "close"));
}

TEST_F(Framing, Http11NeedsExactlyOneHost) {
    for (const char* request : {"GET /health HTTP/1.1\r\n\r\n", "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
        std::string received = until_closed(request);
        EXPECT_EQ(received.rfind("HTTP/1.1 400 ", 0), 0u) << request << " -> " << received;
        EXPECT_NE(received.find("Host"), std::string::npos) << "the message says what was wrong";
    }
}

TEST_F(Framing, TooManyHeaderFieldsAre431) {
    std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 16000; ++i) request += "X:\r\n";  // 64 KB of empty headers
    std::string received = until_closed(request + "Content-Length: 2\r\n\r\n{}");
    EXPECT_EQ(received.rfind("HTTP/1.1 431 ", 0), 0u) << received.substr(0, 300);
    EXPECT_NE(received.find("100 header fields"), std::string::npos);
}

TEST_F(Framing, ChunkLinesNeedCrlf) {
    for (const char* body : {"2\n{}\r\n0\r\n\r\n", "2\r\n{}\n0\r\n\r\n", "2\r{}\r\n0\r\n\r\n"}) {
        std::string received =
            until_closed(std::string("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") +
                         body);
        EXPECT_EQ(received.rfind("HTTP/1.1 400 ", 0), 0u) << ::testing::PrintToString(std::string(body)) << " -> " << received;
    }
}
