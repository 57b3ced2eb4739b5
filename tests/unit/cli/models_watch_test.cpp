// The models_dir watcher on a real directory: which changes it reports (model files written,
// renamed, deleted; subdirectories and symlinks to them; the directory itself going away) and
// which it ignores (hidden partial downloads, other files in subdirectories).
#include <gtest/gtest.h>

#include <fstream>

#include "models_watch.h"
#include "temp_dir.h"
#include "wait.h"

namespace ggufd::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(ModelsWatch, WhichNamesMatter) {
    EXPECT_TRUE(may_change_discovery("gemma.gguf", false));
    EXPECT_TRUE(may_change_discovery("Gemma-Q4_K_M.GGUF", false));
    EXPECT_TRUE(may_change_discovery("qwen", true));
    EXPECT_FALSE(may_change_discovery("notes.txt", false));
    EXPECT_FALSE(may_change_discovery(".gemma.gguf.part", false));
    EXPECT_FALSE(may_change_discovery(".git", true));
    EXPECT_FALSE(may_change_discovery(".gguf", false));
    EXPECT_FALSE(may_change_discovery("", false));
}

class Watching : public ::testing::Test {
protected:
    // Waits for the watcher to report a change (events arrive asynchronously, if quickly).
    bool reports_change() {
        return test::wait_until([&] { return watch.drain(); }, 10s);
    }
    // Gives the kernel a moment to deliver anything pending, then says whether it mattered.
    bool quiet() {
        bool changed = false;
        test::wait_until([&] { changed |= watch.drain(); return changed; }, 300ms);
        return !changed;
    }
    test::TempDir dir;
    ModelsDirWatch watch{dir.path()};
};

TEST_F(Watching, ModelFilesWrittenRenamedAndDeleted) {
    ASSERT_GE(watch.fd(), 0) << watch.problem();
    dir.write("a.gguf", "x");
    EXPECT_TRUE(reports_change());
    fs::rename(dir.path() / "a.gguf", dir.path() / "b.gguf");
    EXPECT_TRUE(reports_change());
    fs::remove(dir.path() / "b.gguf");
    EXPECT_TRUE(reports_change());
}

TEST_F(Watching, HiddenPartialFilesAreIgnoredUntilRenamedIntoPlace) {
    dir.write(".big.gguf.part", "half");
    EXPECT_TRUE(quiet());
    fs::rename(dir.path() / ".big.gguf.part", dir.path() / "big.gguf");
    EXPECT_TRUE(reports_change());
}

TEST_F(Watching, NewSubdirectoriesAreWatchedTooButOnlyForModels) {
    fs::create_directory(dir.path() / "qwen");
    EXPECT_TRUE(reports_change());
    dir.write("qwen/readme.md", "x");
    EXPECT_TRUE(quiet()) << "inside a subdirectory only *.gguf entries matter";
    dir.write("qwen/qwen-7b.gguf", "x");
    EXPECT_TRUE(reports_change());
}

TEST_F(Watching, SymlinkedSubdirectoriesAreFollowed) {
    test::TempDir snapshot;  // a Hugging Face snapshot elsewhere
    fs::create_directory_symlink(snapshot.path(), dir.path() / "hf-model");
    EXPECT_TRUE(reports_change());
    snapshot.write("model.gguf", "x");
    EXPECT_TRUE(reports_change()) << "a file written in the link's target";
}

TEST(ModelsWatchProblems, AMissingDirectoryIsSaidNotThrown) {
    ModelsDirWatch watch("/nonexistent/models");
    EXPECT_EQ(watch.fd(), -1);
    EXPECT_NE(watch.problem().find("cannot watch /nonexistent/models"), std::string::npos) << watch.problem();
    EXPECT_FALSE(watch.drain());
}

TEST(ModelsWatchProblems, TheDirectoryGoingAwayIsAChangeAndSaysSo) {
    auto dir = std::make_unique<test::TempDir>();
    fs::path models = dir->path() / "models";
    fs::create_directory(models);
    ModelsDirWatch watch(models);
    fs::remove_all(models);
    EXPECT_TRUE(test::wait_until([&] { return watch.drain(); }, 10s));
    EXPECT_NE(watch.problem().find("was removed or moved away"), std::string::npos);
}

}  // namespace
}  // namespace ggufd::cli
