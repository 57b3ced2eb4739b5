// `ggufd chat` as a person uses it, in a real terminal (tmux: send-keys, capture-pane), through
// ggufd to real llama-servers on models the test writes: replies stream in as they are
// generated, the conversation is kept until /clear, /set and /model change the next replies,
// Ctrl-C stops a reply (the server stops generating) without leaving, /quit leaves. Piped
// input gets one reply on stdout.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <regex>

#include "binaries.h"
#include "daemon.h"
#include "ggufd/gguf/tiny_llama.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// A tmux server of the test's own (its own socket), running one command in one pane.
class Terminal {
public:
    Terminal(const TempDir& dir, const std::string& command) : dir_(dir), socket_((dir.path() / "tmux.sock").string()) {
        tmux({"new-session", "-d", "-s", "chat", "-x", "200", "-y", "50", command});
    }
    ~Terminal() { tmux({"kill-server"}); }

    void send(const std::string& keys, bool enter = true) {
        std::vector<std::string> args = {"send-keys", "-t", "chat", "-l", keys};
        tmux(args);
        if (enter) tmux({"send-keys", "-t", "chat", "Enter"});
    }
    void interrupt() { tmux({"send-keys", "-t", "chat", "C-c"}); }

    /// Everything the pane shows and has scrolled by, wrapped lines joined.
    std::string screen() {
        tmux({"capture-pane", "-p", "-J", "-S", "-2000", "-t", "chat"}, "screen.txt");
        return read_file(dir_.path() / "screen.txt");
    }
    bool wait_for(const std::function<bool(const std::string&)>& condition, std::chrono::milliseconds timeout = 60s) {
        return wait_until([&] { return condition(screen()); }, timeout, 100ms);
    }
    bool wait_for_text(const std::string& text, std::chrono::milliseconds timeout = 60s) {
        return wait_for([&](const std::string& s) { return s.find(text) != std::string::npos; }, timeout);
    }

private:
    void tmux(std::vector<std::string> args, const std::string& output = "tmux.log") {
        args.insert(args.begin(), {"/usr/bin/tmux", "-S", socket_});
        ChildProcess process(args, dir_.path() / output);
        process.wait(30s);
    }
    const TempDir& dir_;
    std::string socket_;
};

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// The total tokens of each finished llama-server task, in order ("stop processing: n_tokens = N").
std::vector<int> task_tokens(const std::string& log) {
    static const std::regex pattern("stop processing: n_tokens = ([0-9]+)");
    std::vector<int> tokens;
    for (std::sregex_iterator it(log.begin(), log.end(), pattern), end; it != end; ++it) tokens.push_back(std::stoi((*it)[1]));
    return tokens;
}

class ChatInATerminal : public testing::Test {
protected:
    void SetUp() override {
        auto lookup = find_llama_server();
        if (!lookup.path) {
            std::fprintf(stderr, "\n*** SKIPPED: no llama-server found (searched: %s) ***\n\n", lookup.searched.c_str());
            GTEST_SKIP() << "no llama-server found";
        }
        if (!std::filesystem::exists("/usr/bin/tmux")) {
            std::fprintf(stderr, "\n*** SKIPPED: tmux not installed (Debian package tmux) ***\n\n");
            GTEST_SKIP() << "no tmux";
        }
        ggufd::gguf::TinyLlamaSpec spec;
        spec.seed = 3;
        ggufd::gguf::tiny_llama(spec).write(dir_.path() / "tiny.gguf", 2);
        // The long reply runs until this context is full: seconds, time enough to stop it.
        DaemonOptions options("[defaults]\nstop_timeout = \"5s\"\n[services.tiny]\nmodel = \"" +
                              (dir_.path() / "tiny.gguf").string() + "\"\nctx_size = 32768\nparallel = 1\ngpus = []\n" +
                              "[services.other]\nmodel = \"" + (dir_.path() / "tiny.gguf").string() +
                              "\"\nload = \"lazy\"\ngpus = []\n");
        options.llama_server = lookup.path->string();
        daemon_ = std::make_unique<Daemon>(dir_, options);
        ASSERT_TRUE(daemon_->wait_state("tiny", "ready")) << daemon_->log();
    }

    bool generating() const {
        auto slots = json::parse(http_get(daemon_->port(), "/upstream/tiny/slots").body, nullptr, false);
        bool busy = false;
        if (slots.is_array()) {
            for (const auto& slot : slots) busy |= slot.value("is_processing", false);
        }
        return busy;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

}  // namespace

TEST_F(ChatInATerminal, StreamsKeepsHistoryStopsOnCtrlCAndSwitchesModels) {
    // The shell's own SIGINT handler keeps it (and so the pane) alive when Ctrl-C reaches the
    // whole foreground group; a handler, unlike an ignored signal, is not inherited by ggufd.
    Terminal terminal(dir_, "trap : INT; '" + build_binary("ggufd").string() + "' chat tiny --url " + daemon_->url() +
                                " --set temperature=0 --set ignore_eos=true --set max_tokens=8; echo CHAT-EXITED-$?; "
                                "sleep 600");
    ASSERT_TRUE(terminal.wait_for_text("chatting with tiny")) << terminal.screen();

    // A reply, then a second one that carries the first exchange, then one after /clear.
    auto finished_tasks = [&](size_t n) {
        return wait_until([&] { return task_tokens(daemon_->log()).size() >= n; }, 60s);
    };
    terminal.send("hello");
    ASSERT_TRUE(terminal.wait_for([](const std::string& s) { return count(s, ">>> ") >= 2; })) << terminal.screen();
    ASSERT_TRUE(finished_tasks(1)) << daemon_->log();
    terminal.send("again");
    ASSERT_TRUE(terminal.wait_for([](const std::string& s) { return count(s, ">>> ") >= 3; })) << terminal.screen();
    ASSERT_TRUE(finished_tasks(2)) << daemon_->log();
    terminal.send("/clear");
    ASSERT_TRUE(terminal.wait_for_text("(conversation cleared)")) << terminal.screen();
    terminal.send("again");
    ASSERT_TRUE(terminal.wait_for([](const std::string& s) { return count(s, ">>> ") >= 5; })) << terminal.screen();
    ASSERT_TRUE(finished_tasks(3)) << daemon_->log();
    auto tokens = task_tokens(daemon_->log());
    EXPECT_GT(tokens[1], tokens[0]) << "the second request carries the first exchange";
    EXPECT_LT(tokens[2], tokens[1]) << "after /clear it does not";

    // A long reply streams in as it is generated; Ctrl-C stops it and the server stops too.
    terminal.send("/set max_tokens=1000000");
    ASSERT_TRUE(terminal.wait_for_text("(set max_tokens=1000000")) << terminal.screen();
    terminal.send("tell me a long story");
    auto reply_length = [](const std::string& s) {
        size_t at = s.find(">>> tell me a long story\n");
        return at == std::string::npos ? 0 : s.size() - at;
    };
    ASSERT_TRUE(terminal.wait_for([&](const std::string& s) { return reply_length(s) > 200; })) << terminal.screen();
    const size_t seen = reply_length(terminal.screen());
    ASSERT_TRUE(terminal.wait_for([&](const std::string& s) { return reply_length(s) > seen + 200; }))
        << "more arrives while the reply is generated";
    EXPECT_TRUE(generating());
    terminal.interrupt();
    ASSERT_TRUE(terminal.wait_for_text("(reply stopped)")) << terminal.screen();
    EXPECT_TRUE(wait_until([&] { return !generating(); }, 10s)) << "the server stops generating";
    ASSERT_TRUE(terminal.wait_for([](const std::string& s) {
        size_t stopped = s.find("(reply stopped)");
        return s.find(">>> ", stopped) != std::string::npos;
    })) << "still chatting: " << terminal.screen();

    // Another model, lazily started by the first reply it gives.
    terminal.send("/set max_tokens=4");
    terminal.send("/model other");
    ASSERT_TRUE(terminal.wait_for_text("(now chatting with other")) << terminal.screen();
    terminal.send("hi");
    EXPECT_TRUE(daemon_->wait_state("other", "ready")) << daemon_->log();
    EXPECT_TRUE(wait_until([&] { return daemon_->service("other")["requests"].get<int>() >= 1; }, 60s));

    terminal.send("/quit");
    EXPECT_TRUE(terminal.wait_for_text("CHAT-EXITED-0")) << terminal.screen();
}

TEST_F(ChatInATerminal, PipedInputPrintsOneReply) {
    ChildProcess shell({"/bin/sh", "-c",
                        "echo hi | '" + build_binary("ggufd").string() + "' chat tiny --url " + daemon_->url() +
                            " --set max_tokens=8 --set ignore_eos=true"},
                       dir_.path() / "piped.log");
    auto status = shell.wait(120s);
    ASSERT_TRUE(status && WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0) << shell.log();
    EXPECT_FALSE(shell.log().empty());
    EXPECT_EQ(shell.log().find(">>>"), std::string::npos) << shell.log();
}
