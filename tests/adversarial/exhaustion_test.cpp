// Exhausting the daemon's descriptors and memory against the real binary: more idle
// connections than a lowered descriptor limit allows (the limit set with prlimit, before start
// and while running), and big bodies sent without an API key. The daemon must keep answering a
// normal client, never spin on accept, log a line per interval rather than per failure, and
// never read a refused body into memory.
#include <gtest/gtest.h>

#include <cstdlib>

#include "attack.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;

namespace {

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

size_t count_of(const std::string& text, std::string_view needle) {
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
    return count;
}

// Opens `count` connections that never send anything, as fast as the daemon accepts them.
std::vector<RawConnection> idle_crowd(uint16_t port, int count) {
    std::vector<RawConnection> crowd;
    for (int i = 0; i < count; ++i) crowd.emplace_back(port);
    return crowd;
}

void expect_quiet_afterwards(ChildProcess& daemon) {
    // No spinning: with the crowd still connected and nothing new arriving, the daemon sleeps.
    double before = usage_of(daemon.pid()).cpu_seconds;
    std::this_thread::sleep_for(2s);
    EXPECT_LT(usage_of(daemon.pid()).cpu_seconds - before, 0.5) << "CPU seconds used in 2 idle seconds";
}

}  // namespace

// Finding 3: 1,100 idle connections ran the daemon out of descriptors at the default limit of
// 1024; the accept loop spun and logged 27 million lines, and health probes failed. Now
// max_connections is cut to fit the limit, and at max_connections the connections that have
// waited longest for a request make room for new ones.
TEST(Exhaustion, MoreIdleConnectionsThanTheDescriptorLimitAllows) {
    if (raise_own_fd_limit() < 2000) GTEST_SKIP() << "this test process needs 2000 descriptors";
    TempDir dir;
    DaemonOptions options(fake_service(dir, "fake"));
    options.command_prefix = {"/usr/bin/prlimit", "--nofile=512:512"};
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    EXPECT_NE(daemon.log().find("does not fit the file descriptor limit 512"), std::string::npos) << daemon.log();

    LogGrowth log(daemon.process().log_file());
    Prober prober(daemon.port());
    auto crowd = idle_crowd(daemon.port(), 1100);
    std::this_thread::sleep_for(1s);
    Usage usage = usage_of(daemon.process().pid());
    expect_quiet_afterwards(daemon.process());
    prober.stop();
    report("1,100 idle connections, descriptor limit 512 (" + std::to_string(usage.open_fds) + " open)", usage.rss_bytes,
           prober, log.bytes());

    EXPECT_TRUE(daemon.process().running());
    EXPECT_LE(usage.open_fds, 512);
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_GT(prober.answered(), 0);
    EXPECT_LT(log.bytes(), 4096u) << "a line per interval, not per connection";
    EXPECT_EQ(daemon.service("fake")["state"], "ready") << "health probes still get descriptors";
}

// The same crowd after the limit was lowered under the running daemon: accept() fails with
// EMFILE, and the daemon frees descriptors by closing idle connections, or pauses, never spins.
TEST(Exhaustion, RunningOutOfDescriptorsWhileRunning) {
    if (raise_own_fd_limit() < 2000) GTEST_SKIP() << "this test process needs 2000 descriptors";
    TempDir dir;
    Daemon daemon(dir, DaemonOptions(fake_service(dir, "fake")));
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    const std::string lower = "/usr/bin/prlimit --pid " + std::to_string(daemon.process().pid()) + " --nofile=200:200";
    ASSERT_EQ(std::system(lower.c_str()), 0);

    LogGrowth log(daemon.process().log_file());
    Prober prober(daemon.port());
    auto crowd = idle_crowd(daemon.port(), 600);
    std::this_thread::sleep_for(1s);
    expect_quiet_afterwards(daemon.process());
    prober.stop();
    report("600 idle connections, descriptor limit lowered to 200 while running",
           usage_of(daemon.process().pid()).rss_bytes, prober, log.bytes());

    EXPECT_TRUE(daemon.process().running());
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    std::string log_text = daemon.log();
    EXPECT_GE(count_of(log_text, "cannot accept a connection"), 1u) << log_text;
    EXPECT_LE(count_of(log_text, "cannot accept a connection"), 2u) << "once per 10 s per worker at most";
    EXPECT_LT(log.bytes_per_minute(), kLogBytesPerMinute);
}

// Finding 5: four 50 MB bodies without a key were read in full before the 401 (+261 MB), and
// clients without a key were sent 100 Continue. Now the 401 follows the head, and the body is
// never buffered: what still arrives is discarded for a few seconds, then the connection closes.
TEST(Exhaustion, UnauthenticatedBigBodiesAreRefusedAfterTheHead) {
    TempDir dir;
    DaemonOptions options("api_keys = [\"secret\"]\n" + fake_service(dir, "fake"));
    options.admin_key = "secret";
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_state("fake", "ready")) << daemon.log();
    constexpr size_t kBody = 50u << 20;
    PeakRss rss(daemon.process().pid());
    std::vector<std::thread> clients;
    std::atomic<int> refused_at_once{0}, closed{0};
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&, i] {
            RawConnection connection(daemon.port());
            std::string expect = i % 2 ? "Expect: 100-continue\r\n" : "";
            auto start = std::chrono::steady_clock::now();
            connection.send_all("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + expect +
                                "Content-Length: " + std::to_string(kBody) + "\r\n\r\n");
            std::thread sender([&] {
                const std::string piece(1 << 16, 'x');
                for (size_t sent = 0; sent < kBody; sent += piece.size()) {
                    if (!connection.send_all(piece, 10s)) return;
                }
            });
            std::string received;
            connection.read_some(received, 10s);
            auto took = std::chrono::steady_clock::now() - start;
            if (received.rfind("HTTP/1.1 401 ", 0) == 0 && took < kAnswerBound) ++refused_at_once;
            if (connection.read_until_closed(received, 15s)) ++closed;
            sender.join();
        });
    }
    for (auto& client : clients) client.join();
    std::printf("[ measured ] 4 unauthenticated 50 MB bodies: peak RSS %.1f MB (bound %.0f)\n",
                static_cast<double>(rss.peak()) / 1e6, static_cast<double>(kRssBound) / 1e6);
    EXPECT_EQ(refused_at_once.load(), 4) << "401 (never 100 Continue) right after the head";
    EXPECT_EQ(closed.load(), 4);
    EXPECT_LT(rss.peak(), kRssBound);
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("fake", false),
                        {{"Authorization", "Bearer secret"}})
                  .status,
              200);
}
