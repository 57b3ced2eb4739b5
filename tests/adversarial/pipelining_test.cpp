// Pipelining against the real binary: fifty thousand requests on one connection (the front
// door's own answers and proxied POSTs mixed), big bodies pipelined on warmed connections, and
// clients that never read their answers. Each test checks what the client gets, the daemon's
// memory and log, and that a normal client is answered within the bound meanwhile.
#include <gtest/gtest.h>

#include "attack.h"
#include "daemon.h"

using namespace ggufd::test;

namespace {

std::string get(std::string_view target) { return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"; }

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// Reads `count` responses and returns their statuses (keeping only the statuses: 50,000
// responses are tens of megabytes).
std::vector<int> read_statuses(RawConnection& connection, size_t count, Millis timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    std::string buffer;
    size_t offset = 0;
    std::vector<int> statuses;
    while (statuses.size() < count && std::chrono::steady_clock::now() < end) {
        for (const auto& response : take_responses(buffer, offset)) statuses.push_back(response.status);
        if (offset > (1u << 20)) {
            buffer.erase(0, offset);
            offset = 0;
        }
        if (statuses.size() < count && !connection.read_some(buffer, 5s)) break;
    }
    return statuses;
}

}  // namespace

class Pipelining : public testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<Daemon>(dir, DaemonOptions{fake_service(dir, "fake", "\"--fake-tokens\", \"1\"")});
        ASSERT_TRUE(daemon->wait_state("fake", "ready")) << daemon->log();
    }
    pid_t pid() { return daemon->process().pid(); }

    TempDir dir;
    std::unique_ptr<Daemon> daemon;
};

// Issue #11, finding 1: 5,000 pipelined requests used to overflow the stack (one frame chain per
// answered request); finding 2: a 30,000-request burst stalled after 18,649 answers.
TEST_F(Pipelining, FiftyThousandRequestsOnOneConnectionAreAllAnsweredInOrder) {
    const std::vector<std::pair<std::string, int>> kinds = {
        {get("/health"), 200},
        {get("/v1/models"), 200},
        {post("/v1/chat/completions", chat_body("fake", false, 1)), 200},
        {get("/health/fake"), 200},
        {get("/nowhere"), 404},
    };
    constexpr size_t kRequests = 50000;
    std::string pipeline;
    std::vector<int> expected;
    for (size_t i = 0; i < kRequests; ++i) {
        pipeline += kinds[i % kinds.size()].first;
        expected.push_back(kinds[i % kinds.size()].second);
    }
    PeakRss rss(pid());
    LogGrowth log(daemon->process().log_file());
    Prober prober(daemon->port());
    RawConnection connection(daemon->port());
    ASSERT_TRUE(connection.connected());
    bool sent = false;
    std::thread writer([&] { sent = connection.send_all(pipeline, 240s); });
    std::vector<int> statuses = read_statuses(connection, kRequests, 240s);
    writer.join();
    prober.stop();
    report("50,000 pipelined requests", rss.peak(), prober, log.bytes());

    EXPECT_TRUE(sent);
    ASSERT_EQ(statuses.size(), kRequests) << daemon->log().substr(0, 4000);
    for (size_t i = 0; i < kRequests; ++i) ASSERT_EQ(statuses[i], expected[i]) << "response " << i << " out of order";
    EXPECT_TRUE(daemon->process().running());
    EXPECT_LT(rss.peak(), kRssBound);
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_GT(prober.answered(), 0);
    EXPECT_LT(log.bytes_per_minute(), kLogBytesPerMinute);
}

// Finding 2: a pipelined 1 MB POST on a warmed keep-alive connection stalled until the idle
// timeout (the reads stopped before the socket was drained and no new edge came).
TEST_F(Pipelining, BigBodiesPipelinedOnAWarmedConnectionAreAllAnswered) {
    const std::string big = post("/v1/chat/completions",
                                 R"({"model":"fake","max_tokens":1,"messages":[{"role":"user","content":")" +
                                     std::string(1 << 20, 'a') + R"("}]})");
    PeakRss rss(pid());
    Prober prober(daemon->port());
    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int client = 0; client < 4; ++client) {
        clients.emplace_back([&] {
            RawConnection connection(daemon->port());
            if (!connection.send_all(get("/health")) || read_responses(connection, 1).size() != 1) return;
            for (int round = 0; round < 3; ++round) {
                std::thread writer([&] { connection.send_all(big + big + big + get("/health")); });
                auto responses = read_responses(connection, 4, 60s, "POST");
                writer.join();
                for (const auto& response : responses) answered += response.status == 200 ? 1 : 0;
            }
        });
    }
    for (auto& client : clients) client.join();
    prober.stop();
    report("1 MB bodies pipelined on 4 warmed connections", rss.peak(), prober, 0);
    EXPECT_EQ(answered.load(), 4 * 3 * 4);
    EXPECT_LT(rss.peak(), kRssBound);
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
}

// Finding 5: a client that pipelines and never reads grew the daemon from 16 to 154 MB. Now
// no new request is taken while more than 256 KiB of answers wait, and nothing more is read.
TEST_F(Pipelining, ClientsThatNeverReadTheirAnswersCostABoundedAmount) {
    const std::string burst = repeat(get("/v1/models") + get("/services"), 200);
    PeakRss rss(pid());
    Prober prober(daemon->port());
    std::vector<RawConnection> hogs;
    for (int i = 0; i < 8; ++i) hogs.emplace_back(daemon->port(), /*receive_buffer=*/4096);
    size_t sent = 0;
    auto until = std::chrono::steady_clock::now() + 4s;
    while (std::chrono::steady_clock::now() < until) {
        for (auto& hog : hogs) {
            long n = hog.send_some(burst);
            if (n > 0) sent += static_cast<size_t>(n);
        }
        std::this_thread::sleep_for(10ms);
    }
    const uint64_t peak = rss.peak();
    prober.stop();
    report("8 clients that never read", peak, prober, 0);
    EXPECT_LT(sent, 64u << 20) << "the clients' requests stop being taken: the kernel buffers fill up";
    EXPECT_LT(peak, kRssBound);
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_TRUE(daemon->process().running());
}
