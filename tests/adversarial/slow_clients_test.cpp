// Slow and silent clients against the real binary, with the timeouts shortened so that the suite
// stays quick: heads and bodies dribbled a byte at a time (slowloris), idle keep-alive
// connections, and a stream whose client stops reading. Each is cut at its deadline, counted
// from the start (never reset by a byte), while a normal client is answered meanwhile.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include "attack.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;

namespace {

constexpr auto kTimeout = 2s;  // every timeout below, as configured
// The deadlines are checked once a second; a loaded machine adds its own delay.
constexpr auto kSlack = kSanitized ? 4s : 2500ms;

const std::string kTimeouts =
    "header_timeout = \"2s\"\nbody_timeout = \"2s\"\nkeepalive_timeout = \"2s\"\nsend_timeout = \"2s\"\n";

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// A crowd of connections that each send `opening`, then one more byte of `dribble` every
// 250 ms. It records when the daemon closed each one and what it answered before.
struct Dribblers {
    struct Victim {
        RawConnection connection;
        std::string received;
        std::optional<Millis> closed_after;
    };

    Dribblers(uint16_t port, int count, const std::string& opening) {
        for (int i = 0; i < count; ++i) {
            victims.push_back(Victim{RawConnection(port), "", std::nullopt});
            victims.back().connection.send_all(opening);
        }
    }

    // Dribbles until every connection is closed or `limit` passes.
    void run(Millis limit) {
        while (std::chrono::steady_clock::now() - start < limit) {
            bool open = false;
            for (auto& victim : victims) {
                if (victim.closed_after) continue;
                open = true;
                victim.connection.send_some("a");
                char buffer[4096];
                ssize_t n;
                while ((n = ::recv(victim.connection.fd(), buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
                    victim.received.append(buffer, static_cast<size_t>(n));
                }
                if (n == 0 || (n < 0 && errno != EAGAIN)) {
                    victim.closed_after = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
                }
            }
            if (!open) return;
            std::this_thread::sleep_for(250ms);
        }
    }

    int closed() const {
        int count = 0;
        for (const auto& victim : victims) count += victim.closed_after ? 1 : 0;
        return count;
    }
    int answered(std::string_view status_line) const {
        int count = 0;
        for (const auto& victim : victims) count += victim.received.rfind(status_line, 0) == 0 ? 1 : 0;
        return count;
    }
    Millis earliest() const {
        Millis best = Millis::max();
        for (const auto& victim : victims) best = std::min(best, victim.closed_after.value_or(Millis::max()));
        return best;
    }
    Millis latest() const {
        Millis worst{0};
        for (const auto& victim : victims) worst = std::max(worst, victim.closed_after.value_or(Millis::max()));
        return worst;
    }

    const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::vector<Victim> victims;
};

}  // namespace

class SlowClients : public testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<Daemon>(
            dir, DaemonOptions{kTimeouts + fake_service(dir, "fake", "\"--fake-tokens\", \"1000000\"")});
        ASSERT_TRUE(daemon->wait_state("fake", "ready")) << daemon->log();
    }

    TempDir dir;
    std::unique_ptr<Daemon> daemon;
};

// Finding 4: every byte used to restart a 60 s timer, so 1,000 connections dribbling a byte every
// 5 s were all still open after 95 s. Now the whole head has one deadline.
TEST_F(SlowClients, SlowlorisHeadsAreCutAtTheHeadDeadline) {
    Prober prober(daemon->port());
    PeakRss rss(daemon->process().pid());
    LogGrowth log(daemon->process().log_file());
    Dribblers crowd(daemon->port(), 300, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    crowd.run(kTimeout + kSlack + 2s);
    prober.stop();
    report("300 slowloris heads", rss.peak(), prober, log.bytes());
    EXPECT_EQ(crowd.closed(), 300);
    EXPECT_GE(crowd.earliest(), kTimeout - 200ms) << "cut before header_timeout";
    EXPECT_LE(crowd.latest(), kTimeout + kSlack);
    EXPECT_EQ(crowd.answered("HTTP/1.1 408 "), 300) << "each is told why";
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
    EXPECT_LT(rss.peak(), kRssBound);
    EXPECT_LT(log.bytes_per_minute(), kLogBytesPerMinute);
}

TEST_F(SlowClients, SlowlorisBodiesAreCutAtTheBodyDeadline) {
    Prober prober(daemon->port());
    Dribblers crowd(daemon->port(), 100,
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{");
    crowd.run(kTimeout + kSlack + 2s);
    prober.stop();
    EXPECT_EQ(crowd.closed(), 100);
    EXPECT_GE(crowd.earliest(), kTimeout - 200ms);
    EXPECT_LE(crowd.latest(), kTimeout + kSlack);
    EXPECT_EQ(crowd.answered("HTTP/1.1 408 "), 100);
    EXPECT_TRUE(prober.failures().empty()) << join(prober.failures());
}

TEST_F(SlowClients, SilentAndIdleConnectionsAreClosedQuietly) {
    RawConnection silent(daemon->port());
    RawConnection idle(daemon->port());
    ASSERT_TRUE(idle.send_all("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    ASSERT_EQ(read_responses(idle, 1).size(), 1u);
    auto start = std::chrono::steady_clock::now();
    std::string from_silent, from_idle;
    EXPECT_TRUE(silent.read_until_closed(from_silent, kTimeout + kSlack + 1s)) << "header_timeout from the accept";
    EXPECT_TRUE(idle.read_until_closed(from_idle, kTimeout + kSlack + 1s)) << "keepalive_timeout";
    EXPECT_GE(std::chrono::steady_clock::now() - start, kTimeout - 200ms);
    EXPECT_EQ(from_silent, "") << "nothing to answer: no 408";
    EXPECT_EQ(from_idle, "");
}

// Finding 7: a client that stopped reading a stream held it (and the child's slot) for 130 s.
TEST_F(SlowClients, AStreamWhoseClientStopsReadingEndsAtTheSendTimeout) {
    RawConnection reader(daemon->port(), /*receive_buffer=*/4096);
    ASSERT_TRUE(reader.send_all(post("/v1/chat/completions", chat_body("fake", true, 1000000))));
    std::string head;
    ASSERT_TRUE(reader.read_some(head, 10s));
    ASSERT_EQ(head.rfind("HTTP/1.1 200 ", 0), 0u) << head;
    // ... and reads nothing more.
    EXPECT_TRUE(wait_until([&] { return daemon->log().find("generation stopped") != std::string::npos; },
                           kTimeout + kSlack + 10s))
        << "the child's connection is closed, so it stops generating\n"
        << daemon->log();
    EXPECT_TRUE(wait_until([&] { return daemon->service("fake")["in_flight"] == 0; }, 10s));
}
