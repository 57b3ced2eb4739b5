// Reloading the configuration (docs/CLI.md): unchanged services keep running, changed ones restart,
// removed ones stop, new ones start per their `load`; an invalid file changes nothing.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

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
