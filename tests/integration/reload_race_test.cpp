// The reload race (issue 12): for a bounded time, reloads that add, remove and change services
// (one slow to stop, one with a fixed port, three that compete for a faked GPU's budget and wait
// for its memory) race starts, stops, restarts, SIGKILLed children and a stream of requests.
// Then one last config is applied. The daemon must not crash, every request must get an answer,
// no child may be leaked, and what runs at the end must be exactly what the last config says.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr auto kChaos = 15s;
const std::vector<std::string> kNames = {"plain", "lazy", "slow", "fixed", "gpu_a", "gpu_b", "gpu_c"};

class Race {
public:
    explicit Race(TempDir& dir) : dir_(dir), fixed_port_(free_port()), seed_(std::random_device{}()) {
        // A fake nvidia-smi: one discrete GPU whose free memory the test sets.
        gpu_state_ = dir_.path() / "gpu.csv";
        set_gpu_free(false);
        auto script = dir_.write("bin/nvidia-smi", "#!/bin/sh\ncat " + gpu_state_.string() + "\n");
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
        for (const auto& name : kNames) dir_.write(name + ".gguf", "x");
    }

    unsigned seed() const { return seed_; }
    std::string path_with_fake_gpu() const {
        const char* path = std::getenv("PATH");
        return (dir_.path() / "bin").string() + ":" + (path ? path : "/usr/bin:/bin");
    }

    void set_gpu_free(bool free) {
        std::ofstream(gpu_state_, std::ios::trunc)
            << "0, NVIDIA Fake, GPU-00000000-0000-0000-0000-000000000001, 00000000:01:00.0, 24576, "
            << (free ? "0, 24576" : "24576, 0") << "\n";
    }

    /// The config with `included` services, each at variant `tokens` (its --fake-tokens).
    std::string config(const std::map<std::string, int>& included) const {
        std::string text = "drain_timeout = \"1s\"\n[memory]\nbudget = { \"0\" = \"1300MiB\" }\n";
        for (const auto& [name, tokens] : included) {
            text += "[services." + name + "]\nmodel = \"" + (dir_.path() / (name + ".gguf")).string() + "\"\n";
            std::string args = "\"--fake-tokens\", \"" + std::to_string(tokens) + "\"";
            if (name == "lazy") text += "load = \"lazy\"\n";
            if (name == "slow") {
                text += "stop_timeout = \"3s\"\n";
                args += ", \"--fake-term-delay\", \"1500ms\"";
            }
            if (name == "fixed") text += "port = " + std::to_string(fixed_port_) + "\n";
            if (name.starts_with("gpu_")) text += "load = \"lazy\"\ngpus = [0]\nmemory = \"600MiB\"\n";
            text += "args = [" + args + "]\n";
        }
        return text;
    }

    std::map<std::string, int> random_config(std::mt19937& random) const {
        std::map<std::string, int> included;
        for (const auto& name : kNames) {
            if (random() % 4 != 0) included[name] = 2 + static_cast<int>(random() % 5);
        }
        return included;
    }

private:
    TempDir& dir_;
    uint16_t fixed_port_;
    unsigned seed_;
    std::filesystem::path gpu_state_;
};

// Every answer must be a whole HTTP response; a 200 stream must end with [DONE] or an error event.
std::string judge(const HttpResponse& response, bool stream) {
    if (response.status == 0) return "no response: " + response.error;
    if (response.status != 200) return "";
    if (stream) {
        bool done = response.body.find("data: [DONE]") != std::string::npos;
        bool error = response.body.find("\"error\"") != std::string::npos;
        return done || error ? "" : "a stream that ended without [DONE] or an error: " + response.body;
    }
    return json::accept(response.body) ? "" : "a body that is not JSON: " + response.body;
}

std::set<pid_t> service_pids(const Daemon& daemon) {
    std::set<pid_t> pids;
    auto list = json::parse(http_get(daemon.port(), "/services").body, nullptr, false);
    if (!list.is_object() || !list["services"].is_array()) return pids;
    for (const auto& service : list["services"]) {
        if (service["pid"].is_number()) pids.insert(service["pid"].get<pid_t>());
    }
    return pids;
}

std::string command_line(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::replace(text.begin(), text.end(), '\0', ' ');
    return "pid " + std::to_string(pid) + ": " + text;
}

}  // namespace

TEST(ReloadRace, RandomReloadsStartsStopsKillsAndRequestsLeaveNoCrashNoLeakAndTheLastConfig) {
    TempDir dir;
    Race race(dir);
    std::mt19937 setup(race.seed());
    DaemonOptions options{race.config(race.random_config(setup))};
    options.env = {{"PATH", race.path_with_fake_gpu()}};
    Daemon daemon(dir, options);
    SCOPED_TRACE("seed " + std::to_string(race.seed()));

    std::atomic<bool> over{false};
    std::mutex problems_mutex;
    std::vector<std::string> problems;
    std::atomic<int> requests{0}, reloads{0};
    auto note = [&](const std::string& problem) {
        std::lock_guard lock(problems_mutex);
        if (problems.size() < 20) problems.push_back(problem);
    };
    auto pause = [&](std::mt19937& random, int low_ms, int high_ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(low_ms + static_cast<int>(random() % (high_ms - low_ms))));
    };

    std::vector<std::thread> actors;
    actors.emplace_back([&, random = std::mt19937(race.seed() + 1)]() mutable {  // the operator's reloads
        while (!over) {
            pause(random, 100, 600);
            daemon.rewrite_config(race.config(race.random_config(random)));
            race.set_gpu_free(random() % 2 == 0);
            if (random() % 2) {
                daemon.process().signal(SIGHUP);
            } else if (auto reply = http_post(daemon.port(), "/reload", ""); reply.status != 200) {
                note("POST /reload answered " + std::to_string(reply.status) + ": " + reply.body);
            }
            ++reloads;
        }
    });
    actors.emplace_back([&, random = std::mt19937(race.seed() + 2)]() mutable {  // start, stop, restart
        const char* actions[] = {"start", "stop", "restart"};
        while (!over) {
            pause(random, 50, 400);
            const std::string& name = kNames[random() % kNames.size()];
            auto reply = http_post(daemon.port(), "/services/" + name + "/" + actions[random() % 3], "");
            if (reply.status == 0) note("no answer to an admin action: " + reply.error);
        }
    });
    actors.emplace_back([&, random = std::mt19937(race.seed() + 3)]() mutable {  // children that crash
        while (!over) {
            pause(random, 700, 2000);
            auto pids = service_pids(daemon);
            if (pids.empty()) continue;
            ::kill(*std::next(pids.begin(), static_cast<long>(random() % pids.size())), SIGKILL);
        }
    });
    for (int i = 0; i < 3; ++i) {
        actors.emplace_back([&, random = std::mt19937(race.seed() + 10 + i)]() mutable {  // clients
            while (!over) {
                bool stream = random() % 2;
                const std::string& name = kNames[random() % kNames.size()];
                auto response = http_post(daemon.port(), "/v1/chat/completions", chat_body(name, stream, 4));
                ++requests;
                if (auto problem = judge(response, stream); !problem.empty()) note(name + ": " + problem);
                pause(random, 5, 60);
            }
        });
    }
    std::this_thread::sleep_for(kChaos);
    over = true;
    for (auto& actor : actors) actor.join();
    ASSERT_TRUE(daemon.process().running()) << "the daemon died; seed " << race.seed() << "\n" << daemon.log();
    for (const auto& problem : problems) ADD_FAILURE() << problem;
    EXPECT_GT(requests.load(), 20);
    EXPECT_GT(reloads.load(), 5);

    // The last config changes every service (variant 7 is never drawn above): all new runners.
    std::map<std::string, int> last;
    for (const auto& name : kNames) last[name] = 7;
    race.set_gpu_free(true);
    daemon.rewrite_config(race.config(last));
    ASSERT_EQ(http_post(daemon.port(), "/reload", "").status, 200);
    for (const std::string name : {"plain", "slow", "fixed"}) {
        ASSERT_TRUE(daemon.wait_state(name, "ready", 60s)) << name << "\n" << daemon.service(name) << daemon.log();
        auto answer = http_post(daemon.port(), "/v1/chat/completions", chat_body(name, false, 100));
        ASSERT_EQ(answer.status, 200) << answer.body;
        EXPECT_EQ(json::parse(answer.body)["usage"]["completion_tokens"], 7) << name << " runs an old definition";
    }
    auto list = json::parse(http_get(daemon.port(), "/services").body);
    std::vector<std::string> listed;
    for (const auto& service : list["services"]) listed.push_back(service["name"]);
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), std::set<std::string>(kNames.begin(), kNames.end()));

    // Every child of the daemon is one that /services shows: old definitions have gone.
    pid_t daemon_pid = daemon.process().pid();
    bool settled = wait_until(
        [&] {
            auto children = children_of(daemon_pid);
            return std::set<pid_t>(children.begin(), children.end()) == service_pids(daemon);
        },
        60s);
    EXPECT_TRUE(settled) << "children of the daemon that no service owns";
    // Named: a range-for over a member of a temporary would outlive the temporary.
    auto settled_list = json::parse(http_get(daemon.port(), "/services").body);
    for (const auto& service : settled_list["services"]) {
        EXPECT_TRUE(service["state"] == "ready" || service["state"] == "stopped") << service;
    }

    // No child escaped to us (the tests are the subreaper of the daemon's orphans).
    reap_orphans();
    for (pid_t orphan : children_of(::getpid())) {
        EXPECT_EQ(orphan, daemon_pid) << "an orphaned child: " << command_line(orphan);
    }
    EXPECT_EQ(daemon.log().find("Sanitizer"), std::string::npos) << daemon.log();

    auto children = children_of(daemon_pid);
    auto status = daemon.stop(SIGTERM);
    ASSERT_TRUE(status && WIFEXITED(*status)) << daemon.log();
    EXPECT_EQ(WEXITSTATUS(*status), 0);
    reap_orphans();
    for (pid_t child : children) EXPECT_TRUE(process_gone(child)) << "pid " << child << " outlived the daemon";
}
