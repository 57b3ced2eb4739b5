// `ggufd chat` with piped input, against the fake llama-server: stdin is one message, its reply
// streams to stdout, and failures get their documented exit codes (docs/CLI.md). The terminal
// side (prompt, /commands, Ctrl-C) is tested in tmux against a real llama-server, in e2e_serving.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "binaries.h"
#include "cli.h"
#include "daemon.h"

using namespace ggufd::test;
using namespace std::chrono_literals;

namespace {

class Chat : public testing::Test {
protected:
    // `ggufd chat ARGS... < input`, the way `echo hi | ggufd chat m` runs.
    CliResult piped(const std::string& input, const std::vector<std::string>& args) {
        static int counter = 0;
        const auto input_file = dir.write("input-" + std::to_string(counter) + ".txt", input);
        std::string command = "exec '" + build_binary("ggufd").string() + "' chat";
        for (const auto& arg : args) command += " '" + arg + "'";
        command += " < '" + input_file.string() + "'";
        ChildProcess shell({"/bin/sh", "-c", command}, dir.path() / ("chat-" + std::to_string(counter++) + ".log"));
        auto status = shell.wait(120s);
        CliResult result;
        result.output = shell.log();
        if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
        return result;
    }

    std::string service(const std::string& name, const std::string& extra = "") {
        return "[services." + name + "]\nmodel = \"" + dir.write(name + ".gguf", "x").string() + "\"\n" + extra;
    }

    TempDir dir;
};

}  // namespace

TEST_F(Chat, PipedInputIsOneMessageAndItsReplyGoesToStdout) {
    Daemon daemon(dir, DaemonOptions(service("one", "args = [\"--fake-tokens\", \"3\"]\n")));
    ASSERT_TRUE(daemon.wait_state("one", "ready")) << daemon.log();
    auto result = piped("Hi\n", {"one", "--url", daemon.url()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("#0 "), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("#2 "), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("#3 "), std::string::npos) << "one reply of three tokens: " << result.output;
    EXPECT_EQ(result.output.find(">>>"), std::string::npos) << "no prompt when stdin is not a terminal";

    auto without_model = piped("Hi\n", {"--url", daemon.url()});
    EXPECT_EQ(without_model.exit_code, 0) << "the only model there is: " << without_model.output;
    auto empty = piped("", {"one", "--url", daemon.url()});
    EXPECT_EQ(empty.exit_code, 2) << empty.output;
    EXPECT_NE(empty.output.find("nothing to send"), std::string::npos) << empty.output;
}

TEST_F(Chat, ModelsThatCannotBeChosenOrFound) {
    Daemon daemon(dir, DaemonOptions(service("one") + service("two", "load = \"lazy\"\n")));
    ASSERT_TRUE(daemon.wait_state("one", "ready")) << daemon.log();
    auto ambiguous = piped("Hi\n", {"--url", daemon.url()});
    EXPECT_EQ(ambiguous.exit_code, 2) << ambiguous.output;
    EXPECT_NE(ambiguous.output.find("several models; name one: ggufd chat MODEL (one, two)"), std::string::npos)
        << ambiguous.output;
    auto unknown = piped("Hi\n", {"three", "--url", daemon.url()});
    EXPECT_EQ(unknown.exit_code, 4) << unknown.output;
    EXPECT_NE(unknown.output.find("one"), std::string::npos) << "the 404 lists the known models: " << unknown.output;
}

TEST_F(Chat, AReplyThatBreaksOffFailsWithTheReason) {
    Daemon daemon(dir, DaemonOptions(service("one", "args = [\"--fake-crash-mid-stream\", \"2\"]\nrestart = \"never\"\n")));
    ASSERT_TRUE(daemon.wait_state("one", "ready")) << daemon.log();
    auto result = piped("Hi\n", {"one", "--url", daemon.url()});
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("#1 "), std::string::npos) << "what came before the break is shown: " << result.output;
    EXPECT_NE(result.output.find("the reply failed"), std::string::npos) << result.output;
}

TEST_F(Chat, NoDaemonIsExitCode3) {
    auto result = piped("Hi\n", {"one", "--url", "http://127.0.0.1:" + std::to_string(free_port())});
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_NE(result.output.find("no daemon answered"), std::string::npos) << result.output;
}
