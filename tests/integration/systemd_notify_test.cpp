// What ggufd tells systemd, read from a fake NOTIFY_SOCKET (a unix datagram socket the test
// owns): watchdog pings that go on while the main thread waits, RELOADING=1 with MONOTONIC_USEC, a
// STATUS= that says what the last reload did, and none of systemd's variables in a child's
// environment. Also: the drain at shutdown uses the drain_timeout of the latest reload.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

uint64_t monotonic_usec() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

/// A unix datagram socket standing in for systemd's: every message, with when it arrived.
class NotifySocket {
public:
    struct Message {
        std::chrono::steady_clock::time_point at;
        std::string text;
    };

    explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) ADD_FAILURE() << "bind " << path;
        timeval tick{0, 100'000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
        reader_ = std::thread([this] { read_until_stopped(); });
    }
    ~NotifySocket() {
        stop_ = true;
        reader_.join();
        ::close(fd_);
    }

    const std::filesystem::path& path() const { return path_; }
    std::vector<Message> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    /// True once a message containing `text` has arrived.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 60s) const {
        return wait_until([&] { return find(text).has_value(); }, timeout);
    }
    std::optional<Message> find(const std::string& text) const {
        for (auto& message : messages()) {
            if (message.text.find(text) != std::string::npos) return message;
        }
        return std::nullopt;
    }
    std::string all() const {
        std::string text;
        for (auto& message : messages()) text += "[" + message.text + "] ";
        return text;
    }

private:
    void read_until_stopped() {
        char buffer[4096];
        while (!stop_) {
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) continue;
            std::lock_guard lock(mutex_);
            messages_.push_back({std::chrono::steady_clock::now(), std::string(buffer, static_cast<size_t>(n))});
        }
    }

    std::filesystem::path path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Message> messages_;
    std::thread reader_;
};

std::string service(const TempDir& dir, const std::string& name, const std::string& extra = "") {
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\n" + extra;
}

class SystemdNotify : public testing::Test {
protected:
    std::unique_ptr<Daemon> start(const std::string& config, std::map<std::string, std::string> env = {}) {
        env.emplace("NOTIFY_SOCKET", notify.path().string());
        DaemonOptions options(config);
        options.env = std::move(env);
        return std::make_unique<Daemon>(dir, options);
    }

    TempDir dir;
    NotifySocket notify{dir.path() / "notify.sock"};
};

// No silence longer than `limit` between `from` and `to` in the WATCHDOG=1 pings received.
void expect_pings_every(const NotifySocket& notify, std::chrono::steady_clock::time_point from,
                        std::chrono::steady_clock::time_point to, std::chrono::milliseconds limit, const char* during) {
    std::vector<std::chrono::steady_clock::time_point> pings = {from};
    for (const auto& message : notify.messages()) {
        if (message.text == "WATCHDOG=1" && message.at > from && message.at < to) pings.push_back(message.at);
    }
    pings.push_back(to);
    for (size_t i = 1; i < pings.size(); ++i) {
        EXPECT_LT(pings[i] - pings[i - 1], limit) << "silence longer than WatchdogSec " << during;
    }
}

}  // namespace

TEST_F(SystemdNotify, ReloadingCarriesItsMonotonicTimeAndTheStatusSaysWhatItDid) {
    const std::string slow = "args = [\"--fake-term-delay\", \"3s\"]\nstop_timeout = \"30s\"\n";
    auto daemon = start(service(dir, "slow", slow), {{"WATCHDOG_USEC", "2000000"}});
    ASSERT_TRUE(notify.wait_for("READY=1")) << daemon->log();

    daemon->rewrite_config(service(dir, "slow", slow + "env = { CHANGED = \"1\" }\n"));
    const uint64_t before = monotonic_usec();
    const auto reload_started = std::chrono::steady_clock::now();
    auto response = http_post(daemon->port(), "/reload", "");
    ASSERT_EQ(response.status, 200) << response.body;
    // Sent before the reload began, but the reader thread may not have taken it in yet.
    ASSERT_TRUE(notify.wait_for("RELOADING=1")) << notify.all();
    auto reloading = notify.find("RELOADING=1");
    const std::string key = "MONOTONIC_USEC=";
    size_t at = reloading->text.find(key);
    ASSERT_NE(at, std::string::npos) << reloading->text;
    const uint64_t stamp = std::stoull(reloading->text.substr(at + key.size()));
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, monotonic_usec());
    EXPECT_TRUE(notify.wait_for("STATUS=Serving; last reload applied: 0 added, 0 removed, 1 restarted"))
        << notify.all();
    // The old child takes 3 s to finish; the pings go on meanwhile.
    ASSERT_TRUE(daemon->wait_state("slow", "ready")) << daemon->log();
    ASSERT_TRUE(wait_until([&] { return std::chrono::steady_clock::now() - reload_started > 4s; }, 10s));
    expect_pings_every(notify, reload_started, std::chrono::steady_clock::now(), 2s, "after a reload");
}

TEST_F(SystemdNotify, WatchdogPingsGoOnWhileTheMainThreadWaitsForChildrenToStop) {
    // At shutdown the main thread waits for every child to exit: this one takes 4 s, twice the
    // watchdog's 2 s. Pings sent from the main thread's loop (as they used to be) stopped there,
    // and during reloads, which used to wait for the old children in the same way.
    auto daemon = start(service(dir, "slow", "args = [\"--fake-term-delay\", \"4s\"]\nstop_timeout = \"30s\"\n"),
                        {{"WATCHDOG_USEC", "2000000"}});
    ASSERT_TRUE(notify.wait_for("READY=1")) << daemon->log();
    const auto stop_started = std::chrono::steady_clock::now();
    auto status = daemon->stop(SIGTERM, 60s);
    const auto stopped = std::chrono::steady_clock::now();
    ASSERT_TRUE(status.has_value());
    ASSERT_GE(stopped - stop_started, 3s) << "the child's SIGTERM delay is waited for";
    EXPECT_TRUE(notify.wait_for("STOPPING=1")) << notify.all();
    expect_pings_every(notify, stop_started, stopped, 2s, "while the children stopped");
}

TEST_F(SystemdNotify, StatusSaysWhenTheLastReloadFailed) {
    auto daemon = start(service(dir, "one"));
    ASSERT_TRUE(notify.wait_for("READY=1")) << daemon->log();
    daemon->rewrite_config(service(dir, "one", "port = 70000\n"));
    EXPECT_EQ(http_post(daemon->port(), "/reload", "").status, 400);
    EXPECT_TRUE(notify.wait_for("STATUS=Serving; last reload FAILED: 1 error(s) in ")) << notify.all();

    daemon->rewrite_config(service(dir, "one") + service(dir, "two"));
    EXPECT_EQ(http_post(daemon->port(), "/reload", "").status, 200);
    EXPECT_TRUE(notify.wait_for("last reload applied: 1 added")) << notify.all();

    ASSERT_TRUE(daemon->stop(SIGTERM).has_value());
    EXPECT_TRUE(notify.wait_for("STOPPING=1")) << notify.all();
}

TEST_F(SystemdNotify, ChildrenSeeNoneOfSystemdsVariables) {
    const auto record = dir.path() / "record.json";
    auto daemon = start(service(dir, "one", "args = [\"--fake-record\", \"" + record.string() + "\"]\n"),
                        {{"WATCHDOG_USEC", "30000000"},
                         {"LISTEN_FDS", "1"},
                         {"LISTEN_PID", "1"},
                         {"LISTEN_FDNAMES", "door"},
                         {"GGUFD_TEST_MARKER", "inherited"}});
    ASSERT_TRUE(daemon->wait_state("one", "ready")) << daemon->log();
    auto env = read_record(record).value()["env"];
    EXPECT_EQ(env.value("GGUFD_TEST_MARKER", ""), "inherited") << "the rest of the environment is passed on";
    for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"}) {
        EXPECT_FALSE(env.contains(name)) << name;
    }
}

TEST_F(SystemdNotify, TheDrainAtShutdownUsesTheReloadedDrainTimeout) {
    const std::string stream = service(dir, "one", "args = [\"--fake-tokens\", \"100000\", \"--fake-token-interval\", \"100ms\"]\n");
    auto daemon = start("drain_timeout = \"10m\"\n" + stream);
    ASSERT_TRUE(daemon->wait_state("one", "ready")) << daemon->log();
    daemon->rewrite_config("drain_timeout = \"1s\"\n" + stream);
    ASSERT_EQ(http_post(daemon->port(), "/reload", "").status, 200);

    StreamReader reader(daemon->port(), "POST", "/v1/chat/completions", chat_body("one", true, 100000));
    ASSERT_TRUE(reader.next_event().has_value());
    auto status = daemon->stop(SIGTERM, 120s);
    ASSERT_TRUE(status.has_value()) << "still draining: the startup drain_timeout (10m) was used";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon->log();
    EXPECT_NE(daemon->log().find("waiting up to 1.0s for 1 request(s) in flight"), std::string::npos) << daemon->log();
}
