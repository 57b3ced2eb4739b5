// Reloading the configuration (docs/CONFIG.md): unchanged services keep running, changed ones
// restart, removed ones stop, new ones start per their `load`; an invalid file changes nothing;
// nothing is pulled from under its requests; a failure the new config fixes is retried.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <fstream>

#include "binaries.h"
#include "daemon.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string service(const TempDir& dir, const std::string& name, const std::string& extra = "") {
    return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\n" + extra;
}

std::vector<std::string> names(const json& list) { return list.get<std::vector<std::string>>(); }

class Reload : public testing::Test {
protected:
    void SetUp() override {
        daemon = std::make_unique<Daemon>(
            dir, DaemonOptions{service(dir, "keep") + service(dir, "change", "args = [\"--fake-tokens\", \"5\"]\n") +
                               service(dir, "drop")});
        for (const char* name : {"keep", "change", "drop"}) ASSERT_TRUE(daemon->wait_state(name, "ready")) << daemon->log();
        keep_pid = daemon->service("keep")["pid"];
        change_pid = daemon->service("change")["pid"];
    }
    TempDir dir;
    std::unique_ptr<Daemon> daemon;
    json keep_pid, change_pid;
};

}  // namespace

TEST_F(Reload, AppliesAddedRemovedAndChangedServicesAndKeepsTheRest) {
    daemon->rewrite_config(service(dir, "keep") + service(dir, "change", "args = [\"--fake-tokens\", \"3\"]\n") +
                           service(dir, "new") + service(dir, "later", "load = \"lazy\"\n"));
    auto response = http_post(daemon->port(), "/reload", "");
    ASSERT_EQ(response.status, 200) << response.body;
    auto report = json::parse(response.body);
    EXPECT_EQ(names(report["added"]), (std::vector<std::string>{"new", "later"}));
    EXPECT_EQ(names(report["removed"]), (std::vector<std::string>{"drop"}));
    EXPECT_EQ(names(report["restarted"]), (std::vector<std::string>{"change"}));
    EXPECT_EQ(names(report["unchanged"]), (std::vector<std::string>{"keep"}));

    EXPECT_EQ(daemon->service("keep")["pid"], keep_pid) << "an unchanged service keeps its child";
    EXPECT_EQ(http_get(daemon->port(), "/services/drop").status, 404);
    ASSERT_TRUE(daemon->wait_state("change", "ready")) << daemon->log();
    EXPECT_NE(daemon->service("change")["pid"], change_pid);
    ASSERT_TRUE(daemon->wait_state("new", "ready")) << daemon->log();
    EXPECT_EQ(daemon->service("later")["state"], "stopped");

    // The changed service answers with its new settings: 3 tokens, no longer 5.
    auto answer = http_post(daemon->port(), "/v1/chat/completions", chat_body("change", false, 100));
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(json::parse(answer.body)["usage"]["completion_tokens"], 3);
    EXPECT_EQ(http_post(daemon->port(), "/v1/chat/completions", chat_body("drop", false)).status, 404);
    EXPECT_EQ(http_post(daemon->port(), "/v1/chat/completions", chat_body("later", false)).status, 200);
}

TEST_F(Reload, AnInvalidFileChangesNothingAndSaysWhy) {
    daemon->rewrite_config(service(dir, "keep", "port = 70000\n"));
    auto response = http_post(daemon->port(), "/reload", "");
    EXPECT_EQ(response.status, 400);
    auto body = json::parse(response.body);
    EXPECT_FALSE(body["ok"].get<bool>());
    EXPECT_NE(body["errors"][0].get<std::string>().find("services.keep.port"), std::string::npos) << body;
    EXPECT_EQ(daemon->service("keep")["pid"], keep_pid);
    EXPECT_EQ(daemon->service("drop")["state"], "ready");

    ChildProcess cli({build_binary("ggufd").string(), "reload", "--url", daemon->url()}, dir.path() / "reload.log");
    auto status = cli.wait(60s);
    ASSERT_TRUE(status && WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 2) << cli.log();
    EXPECT_NE(cli.log().find("services.keep.port"), std::string::npos) << cli.log();
}

TEST_F(Reload, SighupReloadsToo) {
    daemon->rewrite_config(service(dir, "keep") + service(dir, "change", "args = [\"--fake-tokens\", \"5\"]\n") +
                           service(dir, "drop") + service(dir, "extra"));
    daemon->process().signal(SIGHUP);
    ASSERT_TRUE(daemon->wait_state("extra", "ready")) << daemon->log();
    EXPECT_EQ(daemon->service("keep")["pid"], keep_pid);
    EXPECT_EQ(daemon->service("change")["pid"], change_pid);
}

// A reload never pulls a service from under its requests: a stream on the old definition runs
// to its end while new requests already go to the new one, and the reload does not wait for it.
TEST(ReloadInFlight, AChangedServiceFinishesItsStreamWhileNewRequestsGoToTheNewDefinition) {
    TempDir dir;
    auto slow = [&](const std::string& tokens) {
        return service(dir, "s", "args = [\"--fake-tokens\", \"" + tokens + "\", \"--fake-token-interval\", \"100ms\"]\n");
    };
    Daemon daemon(dir, {slow("30")});
    ASSERT_TRUE(daemon.wait_state("s", "ready")) << daemon.log();
    json old_pid = daemon.service("s")["pid"];
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("s", true, 30));
    ASSERT_TRUE(stream.next_event().has_value());

    daemon.rewrite_config(slow("3"));
    auto reload = http_post(daemon.port(), "/reload", "");
    ASSERT_EQ(reload.status, 200) << reload.body;
    EXPECT_EQ(names(json::parse(reload.body)["restarted"]), (std::vector<std::string>{"s"}));
    EXPECT_FALSE(stream.ended()) << "the reload waited for the old child's stream";

    auto answer = http_post(daemon.port(), "/v1/chat/completions", chat_body("s", false, 100));
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(json::parse(answer.body)["usage"]["completion_tokens"], 3) << "served by the new definition";
    EXPECT_NE(daemon.service("s")["pid"], old_pid);

    std::string rest = stream.read_rest();
    EXPECT_NE(rest.find("data: [DONE]"), std::string::npos) << "the old child's stream was cut: " << rest;
    EXPECT_TRUE(stream.ended());
    ASSERT_TRUE(wait_until([&] { return process_gone(old_pid.get<pid_t>()); }, 30s)) << "the old child never stopped";
    reap_orphans();
}

TEST(ReloadInFlight, ARemovedServiceAnswers404ToNewRequestsWhileItsStreamRunsToTheEnd) {
    TempDir dir;
    Daemon daemon(dir, {service(dir, "keep") +
                        service(dir, "gone", "args = [\"--fake-tokens\", \"20\", \"--fake-token-interval\", \"100ms\"]\n")});
    ASSERT_TRUE(daemon.wait_state("gone", "ready")) << daemon.log();
    json old_pid = daemon.service("gone")["pid"];
    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("gone", true, 20));
    ASSERT_TRUE(stream.next_event().has_value());

    daemon.rewrite_config(service(dir, "keep"));
    ASSERT_EQ(http_post(daemon.port(), "/reload", "").status, 200);
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat_body("gone", false)).status, 404);
    EXPECT_NE(stream.read_rest().find("data: [DONE]"), std::string::npos);
    ASSERT_TRUE(wait_until([&] { return process_gone(old_pid.get<pid_t>()); }, 30s));
    reap_orphans();
}

// A service that failed for a cause the configuration fixes (issue 13): said at startup in
// doctor's words, and the reload that fixes the config starts it, though its own table did not
// change (only the global llama_server did).
TEST(ReloadInFlight, AServiceFailedForAMissingLlamaServerIsSaidAtStartupAndRetriedByTheReloadThatFixesIt) {
    TempDir dir;
    DaemonOptions options{service(dir, "m")};
    options.llama_server = (dir.path() / "no-such-llama-server").string();
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_state("m", "failed")) << daemon.log();
    const std::string expected = "llama-server \"" + options.llama_server +
                                 "\" does not exist or is not an executable file; install llama.cpp's llama-server";
    EXPECT_NE(daemon.log().find("service m: failed: " + expected), std::string::npos) << daemon.log();
    auto health = http_get(daemon.port(), "/health/m");
    EXPECT_EQ(health.status, 503);
    EXPECT_NE(json::parse(health.body)["reason"].get<std::string>().find(expected), std::string::npos) << health.body;

    // `ggufd start` says what still fails, rather than to run `ggufd start`.
    auto start = http_post(daemon.port(), "/services/m/start", "");
    EXPECT_EQ(start.status, 503);
    auto said = json::parse(start.body)["error"]["message"].get<std::string>();
    EXPECT_NE(said.find(expected), std::string::npos) << said;
    EXPECT_EQ(said.find("ggufd start m"), std::string::npos) << said;

    std::string text = read_file(daemon.config_file());
    size_t at = text.find(options.llama_server);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, options.llama_server.size(), fake_llama_server());
    std::ofstream(daemon.config_file(), std::ios::trunc) << text;
    auto reload = http_post(daemon.port(), "/reload", "");
    ASSERT_EQ(reload.status, 200) << reload.body;
    auto report = json::parse(reload.body);
    ASSERT_TRUE(report["retried"].is_array()) << reload.body;
    EXPECT_EQ(names(report["unchanged"]), (std::vector<std::string>{"m"}));
    EXPECT_EQ(names(report["retried"]), (std::vector<std::string>{"m"}));
    ASSERT_TRUE(daemon.wait_state("m", "ready")) << daemon.log();
}
