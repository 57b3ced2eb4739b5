// The walking skeleton and the supervision promises against a real llama-server: two tiny
// models the test writes itself, served as eager services through ggufd.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "binaries.h"
#include "daemon.h"
#include "ggufd/gguf/tiny_llama.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string generate_body(const std::string& model, bool stream, int tokens, bool chat = true) {
    json body = {{"model", model}, {"max_tokens", tokens}, {"stream", stream}, {"ignore_eos", true},
                 {"temperature", 0}};
    if (chat) body["messages"] = json::array({{{"role", "user"}, {"content", "hello"}}});
    else body["prompt"] = "hello";
    return body.dump();
}

std::map<std::string, std::string> environment_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    std::map<std::string, std::string> env;
    std::string entry;
    while (std::getline(in, entry, '\0')) {
        size_t eq = entry.find('=');
        if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return env;
}

int count_llama_children(pid_t daemon) {
    int count = 0;
    for (pid_t child : children_of(daemon)) {
        std::ifstream comm("/proc/" + std::to_string(child) + "/comm");
        std::string name;
        std::getline(comm, name);
        if (name.find("llama-server") != std::string::npos) ++count;
    }
    return count;
}

class RealLlamaServer : public testing::Test {
protected:
    void SetUp() override {
        auto lookup = find_llama_server();
        if (!lookup.path) {
            std::fprintf(stderr, "\n*** SKIPPED: no llama-server found (searched: %s) ***\n\n", lookup.searched.c_str());
            GTEST_SKIP() << "no llama-server found (searched: " << lookup.searched << ")";
        }
        server_ = lookup.path->string();
        // Two shapes, so the two children answer differently.
        ggufd::gguf::TinyLlamaSpec small;
        small.seed = 1;
        ggufd::gguf::tiny_llama(small).write(dir_.path() / "small.gguf", 2);
        ggufd::gguf::TinyLlamaSpec wide = small;
        wide.embedding = 96;
        wide.seed = 2;
        ggufd::gguf::tiny_llama(wide).write(dir_.path() / "wide.gguf", 2);
    }

    std::unique_ptr<Daemon> start(const std::string& services) {
        DaemonOptions options("[defaults]\nctx_size = 4096\nstop_timeout = \"5s\"\n" + services);
        options.llama_server = server_;
        return std::make_unique<Daemon>(dir_, options);
    }

    std::string two_eager_services() const {
        return "[services.small]\nmodel = \"" + (dir_.path() / "small.gguf").string() +
               "\"\naliases = [\"s\"]\ngpus = [0]\n[services.wide]\nmodel = \"" +
               (dir_.path() / "wide.gguf").string() + "\"\naliases = [\"w\", \"default\"]\ngpus = []\n";
    }

    TempDir dir_;
    std::string server_;
};

}  // namespace

TEST_F(RealLlamaServer, ServesTwoModelsByNameAndAliasStreamingAndNot) {
    auto daemon = start(two_eager_services());
    ASSERT_TRUE(daemon->wait_state("small", "ready")) << daemon->log();
    ASSERT_TRUE(daemon->wait_state("wide", "ready")) << daemon->log();
    EXPECT_EQ(http_get(daemon->port(), "/health").status, 200);

    // llama-server names the model by its --alias, i.e. the service: that is who answered.
    for (const auto& [model, service] : std::vector<std::pair<std::string, std::string>>{
             {"small", "small"}, {"s", "small"}, {"wide", "wide"}, {"w", "wide"}, {"default", "wide"}}) {
        auto chat = http_post(daemon->port(), "/v1/chat/completions", generate_body(model, false, 4));
        ASSERT_EQ(chat.status, 200) << chat.body;
        EXPECT_EQ(json::parse(chat.body)["model"], service) << model;
        auto completion = http_post(daemon->port(), "/v1/completions", generate_body(model, false, 4, false));
        ASSERT_EQ(completion.status, 200) << completion.body;
        EXPECT_EQ(json::parse(completion.body)["model"], service) << model;
    }

    auto models = json::parse(http_get(daemon->port(), "/v1/models").body);
    std::set<std::string> ids;
    for (const auto& entry : models["data"]) ids.insert(entry["id"]);
    EXPECT_EQ(ids, (std::set<std::string>{"small", "s", "wide", "w", "default"}));

    for (const char* path : {"/v1/chat/completions", "/v1/completions"}) {
        bool chat = std::string(path) == "/v1/chat/completions";
        StreamReader stream(daemon->port(), "POST", path, generate_body("s", true, 500, chat));
        auto first = stream.next_event();
        ASSERT_TRUE(first.has_value());
        EXPECT_FALSE(stream.ended()) << "the first event arrives while generation is still going";
        std::vector<std::string> events{*first};
        while (auto event = stream.next_event()) events.push_back(*event);
        EXPECT_EQ(events.back(), "data: [DONE]") << path;
        EXPECT_TRUE(stream.ended());
    }
}

TEST_F(RealLlamaServer, ChildrenGetTheirGpuMaskAndBindLoopback) {
    auto daemon = start(two_eager_services());
    ASSERT_TRUE(daemon->wait_state("small", "ready") && daemon->wait_state("wide", "ready")) << daemon->log();
    auto small = environment_of(daemon->service("small")["pid"].get<pid_t>());
    auto wide = environment_of(daemon->service("wide")["pid"].get<pid_t>());
    EXPECT_EQ(small["HIP_VISIBLE_DEVICES"], "0");
    EXPECT_EQ(small["CUDA_VISIBLE_DEVICES"], "0");
    EXPECT_EQ(wide["HIP_VISIBLE_DEVICES"], "-1");
    EXPECT_EQ(wide["CUDA_VISIBLE_DEVICES"], "-1");
    // Loopback only: reachable on 127.0.0.1 at the port ggufd gave it.
    uint16_t port = daemon->service("small")["port"].get<uint16_t>();
    EXPECT_EQ(http_get(port, "/health").status, 200);
    std::string argv;
    std::ifstream cmdline("/proc/" + std::to_string(daemon->service("small")["pid"].get<pid_t>()) + "/cmdline");
    std::getline(cmdline, argv);
    EXPECT_NE(argv.find(std::string("--host") + '\0' + "127.0.0.1"), std::string::npos);
}

TEST_F(RealLlamaServer, AKilledChildGivesTheStreamAnErrorEventAndComesBack) {
    auto daemon = start(two_eager_services());
    ASSERT_TRUE(daemon->wait_state("small", "ready")) << daemon->log();
    pid_t child = daemon->service("small")["pid"].get<pid_t>();
    StreamReader stream(daemon->port(), "POST", "/v1/chat/completions", generate_body("small", true, 100000));
    ASSERT_TRUE(stream.next_event().has_value());
    ::kill(child, SIGKILL);
    auto killed_at = std::chrono::steady_clock::now();
    std::string last;
    while (auto event = stream.next_event(5s)) last = *event;
    EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 1s) << "error event and end of stream within 1 s";
    ASSERT_EQ(last.rfind("data: ", 0), 0u) << last;
    EXPECT_TRUE(json::parse(last.substr(6)).contains("error")) << last;
    EXPECT_TRUE(stream.ended());
    // Back after its backoff.
    ASSERT_TRUE(wait_until([&] { return daemon->service("small")["restarts"] == 1; })) << daemon->log();
    ASSERT_TRUE(daemon->wait_state("small", "ready")) << daemon->log();
    EXPECT_EQ(http_post(daemon->port(), "/v1/chat/completions", generate_body("small", false, 4)).status, 200);
    // `ggufd status` shows the restart and how the child ended.
    ChildProcess cli({build_binary("ggufd").string(), "status", "--url", daemon->url()}, dir_.path() / "status.log");
    ASSERT_TRUE(cli.wait(60s).has_value());
    std::string table = cli.log();
    EXPECT_NE(table.find("killed by signal 9 (SIGKILL)"), std::string::npos) << table;
    EXPECT_NE(table.find("small"), std::string::npos);
}

TEST_F(RealLlamaServer, AClosedStreamFreesTheChildsSlotWithinASecond) {
    auto daemon = start(two_eager_services());
    ASSERT_TRUE(daemon->wait_state("small", "ready")) << daemon->log();
    auto busy = [&] {
        auto slots = json::parse(http_get(daemon->port(), "/upstream/small/slots").body, nullptr, false);
        bool processing = false;
        if (slots.is_array()) {
            for (const auto& slot : slots) processing |= slot.value("is_processing", false);
        }
        return processing;
    };
    {
        StreamReader stream(daemon->port(), "POST", "/v1/chat/completions", generate_body("small", true, 100000));
        ASSERT_TRUE(stream.next_event().has_value());
        ASSERT_TRUE(stream.next_event().has_value());
        EXPECT_TRUE(busy());
        stream.close();
    }
    EXPECT_TRUE(wait_until([&] { return !busy(); }, 1s)) << "generation stops when the client leaves";
    EXPECT_EQ(daemon->service("small")["state"], "ready");
}

TEST_F(RealLlamaServer, TwoSimultaneousFirstRequestsStartOneLazyChild) {
    auto daemon = start("[services.lazy]\nmodel = \"" + (dir_.path() / "small.gguf").string() + "\"\nload = \"lazy\"\n");
    ASSERT_EQ(count_llama_children(daemon->process().pid()), 0);
    auto first = std::async(std::launch::async, [&] {
        return http_post(daemon->port(), "/v1/chat/completions", generate_body("lazy", false, 4)).status;
    });
    auto second = std::async(std::launch::async, [&] {
        return http_post(daemon->port(), "/v1/chat/completions", generate_body("lazy", false, 4)).status;
    });
    EXPECT_EQ(first.get(), 200);
    EXPECT_EQ(second.get(), 200);
    EXPECT_EQ(count_llama_children(daemon->process().pid()), 1);
}

TEST_F(RealLlamaServer, SigtermStopsEveryChildAndExitsZero) {
    auto daemon = start(two_eager_services());
    ASSERT_TRUE(daemon->wait_state("small", "ready") && daemon->wait_state("wide", "ready")) << daemon->log();
    std::vector<pid_t> children = {daemon->service("small")["pid"].get<pid_t>(), daemon->service("wide")["pid"].get<pid_t>()};
    auto started = std::chrono::steady_clock::now();
    auto status = daemon->stop(SIGTERM, 30s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << daemon->log();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s + 2s);
    reap_orphans();
    for (pid_t child : children) EXPECT_TRUE(process_gone(child));
}
