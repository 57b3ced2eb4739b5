// Models that appear, through the real binary: files added to, removed from and renamed in
// models_dir join and leave /v1/models without `ggufd reload`; a file still being written is
// not served until it is whole; a removed model's request in flight finishes first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "ggufd/gguf/tiny_llama.h"
#include "wait.h"

using namespace ggufd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The watcher settles for a second before it rescans; "a few seconds" with room for a loaded machine.
constexpr auto kPickedUp = 15s;

std::string tiny_model_bytes() {
    static const std::string bytes = [] {
        auto data = ggufd::gguf::tiny_llama({}).to_bytes();
        return std::string(data.begin(), data.end());
    }();
    return bytes;
}

// Writes a complete model the way downloaders do: under a hidden name, then renamed into place.
void place_model(const fs::path& file) {
    fs::path partial = file.parent_path() / ("." + file.filename().string() + ".part");
    std::ofstream(partial, std::ios::binary) << tiny_model_bytes();
    fs::rename(partial, file);
}

class ModelsWatch : public testing::Test {
protected:
    void SetUp() override {
        fs::create_directory(models_);
        place_model(models_ / "first.gguf");
        DaemonOptions options("[defaults]\nargs = [\"--fake-tokens\", \"3\"]\n");
        options.models_dir = models_.string();
        daemon_ = std::make_unique<Daemon>(dir_, options);
        ASSERT_TRUE(daemon_->wait_listening()) << daemon_->log();
        ASSERT_TRUE(wait_until([&] { return daemon_->log().find("watched") != std::string::npos; }, 30s)) << daemon_->log();
    }

    bool listed(const std::string& id) const {
        auto response = http_get(daemon_->port(), "/v1/models");
        if (response.status != 200) return false;
        const json list = json::parse(response.body);  // kept alive: the loop walks inside it
        for (const auto& entry : list["data"]) {
            if (entry["id"] == id) return true;
        }
        return false;
    }
    bool appears(const std::string& id) const {
        return wait_until([&] { return listed(id); }, kPickedUp);
    }
    bool leaves(const std::string& id) const {
        return wait_until([&] { return !listed(id); }, kPickedUp);
    }

    TempDir dir_;
    fs::path models_ = dir_.path() / "models";
    std::unique_ptr<Daemon> daemon_;
};

}  // namespace

TEST_F(ModelsWatch, AFileAddedIsServedWithoutAReload) {
    ASSERT_TRUE(listed("first")) << daemon_->log();
    place_model(models_ / "second.gguf");
    ASSERT_TRUE(appears("second")) << daemon_->log();
    auto answer = http_post(daemon_->port(), "/v1/chat/completions", chat_body("second", false));
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_NE(answer.body.find("second@"), std::string::npos) << answer.body;
    EXPECT_NE(daemon_->log().find("models_dir changed: added second"), std::string::npos) << daemon_->log();

    // Subdirectories count too, as discovery reads them.
    fs::create_directory(models_ / "family");
    place_model(models_ / "family" / "third.gguf");
    EXPECT_TRUE(appears("third")) << daemon_->log();
}

TEST_F(ModelsWatch, AFileRemovedOrRenamedLeaves) {
    place_model(models_ / "doomed.gguf");
    ASSERT_TRUE(appears("doomed")) << daemon_->log();
    fs::remove(models_ / "doomed.gguf");
    ASSERT_TRUE(leaves("doomed")) << daemon_->log();
    auto gone = http_post(daemon_->port(), "/v1/chat/completions", chat_body("doomed", false));
    EXPECT_EQ(gone.status, 404);
    EXPECT_NE(gone.body.find(models_.string()), std::string::npos) << "the 404 says where models are looked for";

    fs::rename(models_ / "first.gguf", models_ / "renamed.gguf");
    EXPECT_TRUE(appears("renamed")) << daemon_->log();
    EXPECT_TRUE(leaves("first")) << daemon_->log();
}

// The 404 names where models come from as the running config says, not as the first one did.
TEST_F(ModelsWatch, TheNotFoundAnswerFollowsAReload) {
    auto before = http_post(daemon_->port(), "/v1/chat/completions", chat_body("absent", false));
    ASSERT_EQ(before.status, 404);
    EXPECT_NE(before.body.find("served within seconds"), std::string::npos) << before.body;

    daemon_->rewrite_config("watch_models_dir = false\n[defaults]\nargs = [\"--fake-tokens\", \"3\"]\n");
    auto reload = http_post(daemon_->port(), "/reload", "");
    ASSERT_EQ(reload.status, 200) << reload.body;
    auto after = http_post(daemon_->port(), "/v1/chat/completions", chat_body("absent", false));
    ASSERT_EQ(after.status, 404);
    EXPECT_NE(after.body.find("served after `ggufd reload`"), std::string::npos) << after.body;
    EXPECT_NE(after.body.find(models_.string()), std::string::npos) << after.body;
}

TEST_F(ModelsWatch, AFileStillBeingWrittenWaitsUntilItIsWhole) {
    const std::string bytes = tiny_model_bytes();
    {
        // A copy in progress: the first half, written and closed (as a slow network copy may).
        std::ofstream(models_ / "big.gguf", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    ASSERT_TRUE(wait_until([&] { return daemon_->log().find("\"big\" is not served yet") != std::string::npos; },
                           kPickedUp))
        << daemon_->log();
    EXPECT_NE(daemon_->log().find("truncated"), std::string::npos);
    EXPECT_FALSE(listed("big"));
    {
        std::ofstream(models_ / "big.gguf", std::ios::binary | std::ios::app) << bytes.substr(bytes.size() / 2);
    }
    EXPECT_TRUE(appears("big")) << daemon_->log();
}

TEST(ModelsWatchInUse, ARemovedModelFinishesTheRequestsItHas) {
    TempDir dir;
    fs::path models = dir.path() / "models";
    fs::create_directory(models);
    place_model(models / "busy.gguf");
    // A 10 s stream: the removal (applied about a second after the file goes) lands in its middle.
    DaemonOptions options("[defaults]\nargs = [\"--fake-tokens\", \"100\", \"--fake-token-interval\", \"100ms\"]\n");
    options.models_dir = models.string();
    Daemon daemon(dir, options);
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("watched") != std::string::npos; }, 30s)) << daemon.log();

    StreamReader stream(daemon.port(), "POST", "/v1/chat/completions", chat_body("busy", true, 100));
    ASSERT_TRUE(stream.read_head()) << daemon.log();
    ASSERT_EQ(stream.status(), 200);
    ASSERT_TRUE(stream.next_event()) << "the stream has begun";
    fs::remove(models / "busy.gguf");
    ASSERT_TRUE(wait_until([&] { return http_post(daemon.port(), "/v1/chat/completions", chat_body("busy", false)).status == 404; },
                           kPickedUp))
        << "new requests are refused once the file is gone\n" << daemon.log();

    // The stream that had begun runs to its end, every token included.
    std::string rest = stream.read_rest(60s);
    EXPECT_NE(rest.find("busy@"), std::string::npos);
    EXPECT_NE(rest.find("#99 "), std::string::npos) << rest;
    EXPECT_NE(rest.find("data: [DONE]"), std::string::npos) << rest;
    EXPECT_TRUE(stream.ended());
}

// A models_dir missing at start is not watched (with a warning); once it exists, a reload finds
// it and watches it from then on.
TEST(ModelsWatchLater, ADirectoryCreatedAfterStartIsWatchedFromTheNextReload) {
    TempDir dir;
    fs::path models = dir.path() / "models";
    DaemonOptions options("[defaults]\nargs = [\"--fake-tokens\", \"3\"]\n");
    options.models_dir = models.string();
    Daemon daemon(dir, options);
    ASSERT_TRUE(daemon.wait_listening()) << daemon.log();
    ASSERT_TRUE(wait_until([&] { return daemon.log().find("not watched") != std::string::npos; }, 30s)) << daemon.log();

    fs::create_directory(models);
    ASSERT_EQ(http_post(daemon.port(), "/reload", "").status, 200) << daemon.log();
    ASSERT_TRUE(wait_until([&] { return daemon.log().find(": watched;") != std::string::npos; }, 30s)) << daemon.log();
    place_model(models / "late.gguf");
    EXPECT_TRUE(wait_until(
        [&] { return http_post(daemon.port(), "/v1/chat/completions", chat_body("late", false)).status == 200; },
        kPickedUp))
        << daemon.log();
}
