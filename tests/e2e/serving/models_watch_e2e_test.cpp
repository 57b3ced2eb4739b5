// Models that appear, against a real llama-server: a model file copied into models_dir while the
// daemon runs is served (llama-server loads it and answers), one renamed is served under its new
// name, one removed is gone; none of it needs `ggufd reload`.
#include <gtest/gtest.h>

#include <filesystem>

#include "binaries.h"
#include "daemon.h"
#include "ggufd/gguf/tiny_llama.h"
#include "wait.h"

using namespace ggufd::test;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string chat(const std::string& model) {
    return json{{"model", model}, {"max_tokens", 4}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}}
        .dump();
}

// Written under a hidden name, then renamed into place, as downloaders do.
void place_model(const fs::path& file, uint64_t seed) {
    ggufd::gguf::TinyLlamaSpec spec;
    spec.seed = seed;
    fs::path partial = file.parent_path() / ("." + file.filename().string() + ".part");
    ggufd::gguf::tiny_llama(spec).write(partial, 2);
    fs::rename(partial, file);
}

}  // namespace

TEST(RealLlamaServerModelsWatch, FilesAddedRenamedAndRemovedWithoutAReload) {
    auto lookup = find_llama_server();
    if (!lookup.path) {
        std::fprintf(stderr, "\n*** SKIPPED: no llama-server found (searched: %s) ***\n\n", lookup.searched.c_str());
        GTEST_SKIP() << "no llama-server found (searched: " << lookup.searched << ")";
    }
    TempDir dir;
    fs::path models = dir.path() / "models";
    fs::create_directory(models);
    DaemonOptions options("[defaults]\nctx_size = 1024\ngpus = []\nstop_timeout = \"5s\"\n");
    options.llama_server = lookup.path->string();
    options.models_dir = models.string();
    Daemon daemon(dir, options);
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("watched") != std::string::npos; }, 60s)) << daemon.log();
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat("fresh")).status, 404);

    place_model(models / "fresh.gguf", 1);
    HttpResponse answer;
    ASSERT_TRUE(wait_until([&] {
        answer = http_post(daemon.port(), "/v1/chat/completions", chat("fresh"));
        return answer.status != 404;
    }, 60s)) << daemon.log();
    ASSERT_EQ(answer.status, 200) << answer.body << daemon.log();
    EXPECT_EQ(json::parse(answer.body)["model"], "fresh") << "llama-server itself answered, under the file's name";

    fs::rename(models / "fresh.gguf", models / "renamed.gguf");
    ASSERT_TRUE(wait_until([&] {
        answer = http_post(daemon.port(), "/v1/chat/completions", chat("renamed"));
        return answer.status != 404;
    }, 60s)) << daemon.log();
    EXPECT_EQ(answer.status, 200) << answer.body << daemon.log();
    EXPECT_EQ(http_post(daemon.port(), "/v1/chat/completions", chat("fresh")).status, 404);

    fs::remove(models / "renamed.gguf");
    EXPECT_TRUE(wait_until([&] { return http_post(daemon.port(), "/v1/chat/completions", chat("renamed")).status == 404; },
                           60s))
        << daemon.log();
    auto list = json::parse(http_get(daemon.port(), "/v1/models").body);
    EXPECT_TRUE(list["data"].empty()) << list.dump();
}
