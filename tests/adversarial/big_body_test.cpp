// Big bodies against the real binary (issue #15): a body of tens of megabytes is validated off the
// worker's event loop, so a stream on the same (single) worker keeps flowing and other clients are
// answered meanwhile; a client that leaves while its body is being read costs nothing; a pipelined
// request after a big body is answered in order; a body malformed far into it gets a short 400
// that says where. The bodies go to a /v1/ path the fake does not serve: ggufd routes them by
// their "model" and the fake's own 404 ("File Not Found") shows that they reached it.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "attack.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;

namespace {

constexpr size_t kBigBody = 32u << 20;

// A chat request carrying an image as base64, `bytes` long in all.
std::string image_request(size_t bytes, std::string_view model = "fake") {
    const std::string head = R"({"model":")" + std::string(model) +
                             R"(","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,)";
    const std::string tail = R"("}}]}]})";
    return head + std::string(bytes - head.size() - tail.size(), 'A') + tail;
}

bool reached_the_fake(const RawResponse& response) {
    return response.status == 404 && response.body.find("File Not Found") != std::string::npos;
}

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// One event loop, and a fake that paces its tokens like a fast model.
DaemonOptions one_worker(const TempDir& dir) {
    return DaemonOptions("workers = 1\n" +
                         fake_service(dir, "fake", "\"--fake-token-interval\", \"20ms\", \"--fake-tokens\", \"1000\""));
}

}  // namespace

TEST(BigBodies, AStreamOnTheSameWorkerKeepsFlowingWhileBigBodiesAreRouted) {
    TempDir dir;
    Daemon daemon(dir, one_worker(dir));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    Prober prober(daemon.port());

    // 150 tokens 20 ms apart: three seconds of stream, timed event by event on its own thread.
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("fake", true, 150));
    ASSERT_TRUE(stream.read_head());
    Millis worst_gap{0};
    int events = 0;
    std::thread reader([&] {
        auto last = std::chrono::steady_clock::now();
        while (stream.next_event()) {
            auto now = std::chrono::steady_clock::now();
            worst_gap = std::max(worst_gap, std::chrono::duration_cast<Millis>(now - last));
            last = now;
            ++events;
        }
    });

    const std::string upload = post("/v1/upload", image_request(kBigBody));
    for (int i = 0; i < 3; ++i) {
        RawConnection client(daemon.port());
        ASSERT_TRUE(client.send_all(upload));
        auto answers = read_responses(client, 1);
        ASSERT_EQ(answers.size(), 1u);
        EXPECT_TRUE(reached_the_fake(answers[0])) << answers[0].status << " " << answers[0].body;
    }
    reader.join();
    prober.stop();

    EXPECT_TRUE(stream.ended()) << "the stream ran to its end";
    EXPECT_EQ(events, 150 + 3);  // role, tokens, finish, [DONE]
    RecordProperty("worst_gap_ms", static_cast<int>(worst_gap.count()));
    EXPECT_LT(worst_gap, kAnswerBound) << "the worst gap between two events of the stream";
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_LT(prober.slowest(), kAnswerBound);
}

TEST(BigBodies, AClientThatLeavesWhileItsBodyIsReadCostsNothing) {
    TempDir dir;
    Daemon daemon(dir, one_worker(dir));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    const std::string upload = post("/v1/upload", image_request(kBigBody));
    for (int i = 0; i < 8; ++i) {
        RawConnection client(daemon.port());
        ASSERT_TRUE(client.send_all(upload));
        client.close();  // gone while its body is validated (or just before)
    }
    // The daemon is whole: it answers, and the lent buffers went with their answers.
    RawConnection client(daemon.port());
    ASSERT_TRUE(client.send_all(post("/v1/upload", image_request(1u << 20))));
    auto answers = read_responses(client, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_TRUE(reached_the_fake(answers[0])) << answers[0].status << " " << answers[0].body;
    EXPECT_TRUE(wait_until([&] { return usage_of(daemon.process().pid()).rss_bytes < kRssBound; }))
        << "RSS " << usage_of(daemon.process().pid()).rss_bytes << " once the bodies are gone";
}

TEST(BigBodies, ARequestPipelinedAfterABigBodyIsAnsweredInOrder) {
    TempDir dir;
    Daemon daemon(dir, one_worker(dir));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    RawConnection client(daemon.port());
    ASSERT_TRUE(client.send_all(post("/v1/upload", image_request(4u << 20)) +
                                "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto answers = read_responses(client, 2);
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_TRUE(reached_the_fake(answers[0])) << answers[0].status << " " << answers[0].body;
    EXPECT_EQ(answers[1].status, 200) << answers[1].body;
}

TEST(BigBodies, AMalformedBigBodyGetsAShort400ThatSaysWhere) {
    TempDir dir;
    Daemon daemon(dir, one_worker(dir));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    std::string numbers;
    for (int i = 0; i < 500000; ++i) numbers += "12345,";
    RawConnection client(daemon.port());
    ASSERT_TRUE(client.send_all(post("/v1/chat/completions", "{\n\"model\": \"fake\",\n\"x\": [" + numbers + "nope]}")));
    auto answers = read_responses(client, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].status, 400);
    EXPECT_NE(answers[0].body.find("invalid_json"), std::string::npos) << answers[0].body;
    EXPECT_NE(answers[0].body.find("line 3"), std::string::npos) << answers[0].body;
    EXPECT_LT(answers[0].body.size(), 1024u);
}

// A body goes to the child a slice per loop turn (ProxyExchange::kSendBudgetPerWake), resumed by
// connection id. Several big bodies on one worker then go out interleaved, each one whole (the
// fake reads a body to its end before its 404); clients that leave while theirs is on its way
// leave the others unharmed; and a prober on the same worker is answered throughout.
TEST(BigBodies, BigBodiesSentToTheChildInSlicesArriveWholeBesideOthersAndLeavers) {
    TempDir dir;
    Daemon daemon(dir, one_worker(dir));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    Prober prober(daemon.port());

    const std::string upload = post("/v1/upload", image_request(16u << 20));
    constexpr int kStaying = 4, kLeaving = 2;
    std::vector<std::unique_ptr<RawConnection>> clients;
    for (int i = 0; i < kStaying + kLeaving; ++i) clients.push_back(std::make_unique<RawConnection>(daemon.port()));
    std::vector<std::thread> senders;
    std::atomic<int> sent{0};
    for (auto& client : clients) {
        senders.emplace_back([&, connection = client.get()] { sent += connection->send_all(upload) ? 1 : 0; });
    }
    for (auto& sender : senders) sender.join();
    ASSERT_EQ(sent.load(), kStaying + kLeaving);
    for (int i = kStaying; i < kStaying + kLeaving; ++i) clients[static_cast<size_t>(i)]->close();

    for (int i = 0; i < kStaying; ++i) {
        auto answers = read_responses(*clients[static_cast<size_t>(i)], 1);
        ASSERT_EQ(answers.size(), 1u) << "client " << i;
        EXPECT_TRUE(reached_the_fake(answers[0])) << "client " << i << ": " << answers[0].status << " " << answers[0].body;
    }
    prober.stop();
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_LT(prober.slowest(), kAnswerBound);
    EXPECT_TRUE(wait_until([&] { return usage_of(daemon.process().pid()).rss_bytes < kRssBound; }))
        << "RSS " << usage_of(daemon.process().pid()).rss_bytes << " once the bodies are gone";
}
