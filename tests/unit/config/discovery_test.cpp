// Discovery on real directories: which files become services, with which projector, and what
// is skipped with a warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_files.h"
#include "test_support.h"

namespace ggufd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::HasSubstr;

/// A models directory and the Environment that points GGUFD_MODELS_DIR at it.
class Discovery : public ::testing::Test {
protected:
    Discovery() {
        env_.home = "/home/tester";
        env_.ggufd_models_dir = models_.path().string();
    }

    LoadResult load_with(const std::string& toml) {
        LoadResult result = load(toml, env_);
        EXPECT_THAT(rendered(result.errors), IsEmpty());
        return result;
    }

    std::vector<std::string> names(const LoadResult& result) const {
        std::vector<std::string> out;
        if (result.config) {
            for (const ServiceConfig& service : result.config->services) out.push_back(service.name);
        }
        return out;
    }

    const ServiceConfig& service(const LoadResult& result, const std::string& name) const {
        static const ServiceConfig kNone;
        if (!result.config) return kNone;
        for (const ServiceConfig& s : result.config->services) {
            if (s.name == name) return s;
        }
        ADD_FAILURE() << "no service " << name;
        return kNone;
    }

    TempDir models_;
    Environment env_;
};

TEST_F(Discovery, EveryGgufFileBecomesALazyServiceThatInheritsDefaults) {
    auto a = models_.write("alpha.gguf");
    models_.write("Beta-Q4_K_M.GGUF");
    models_.write("notes.txt");
    models_.write(".hidden.gguf");
    models_.write("model.gguf.part");
    LoadResult result = load_with("[defaults]\nctx_size = 2048\ngpus = []\n");
    EXPECT_THAT(names(result), ElementsAre("Beta-Q4_K_M", "alpha"));
    const ServiceConfig& alpha = service(result, "alpha");
    EXPECT_TRUE(alpha.discovered);
    EXPECT_EQ(alpha.load, LoadMode::lazy);
    EXPECT_EQ(alpha.model, a);
    EXPECT_FALSE(alpha.mmproj);
    EXPECT_EQ(alpha.ctx_size, 2048);
    EXPECT_EQ(alpha.gpus, std::vector<int>{});
    EXPECT_TRUE(alpha.defined_at.file.empty());
    EXPECT_THAT(result.warnings, IsEmpty());
}

TEST_F(Discovery, DiscoveredServicesStayLazyEvenWhenDefaultsSayEager) {
    models_.write("alpha.gguf");
    LoadResult result = load_with("[defaults]\nload = \"eager\"\n");
    EXPECT_EQ(service(result, "alpha").load, LoadMode::lazy);
}

TEST_F(Discovery, OneLevelOfSubdirectoriesIsSearched) {
    models_.write("gemma-3-4b-it/gemma-3-4b-it-Q4_K_M.gguf");
    models_.write("deep/er/hidden-model.gguf");
    models_.write(".cache/cached.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("gemma-3-4b-it-Q4_K_M"));
}

TEST_F(Discovery, ASubdirectorysOnlyProjectorGoesToEveryModelInIt) {
    auto q4 = models_.write("gemma-3-4b-it/gemma-3-4b-it-Q4_K_M.gguf");
    auto q8 = models_.write("gemma-3-4b-it/gemma-3-4b-it-Q8_0.gguf");
    auto projector = models_.write("gemma-3-4b-it/mmproj-F16.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("gemma-3-4b-it-Q4_K_M", "gemma-3-4b-it-Q8_0"));
    EXPECT_EQ(service(result, "gemma-3-4b-it-Q4_K_M").mmproj, projector);
    EXPECT_EQ(service(result, "gemma-3-4b-it-Q8_0").mmproj, projector);
}

TEST_F(Discovery, TopLevelProjectorsGoByNameOrToALoneModel) {
    models_.write("gemma-3-4b-it-Q4_K_M.gguf");
    models_.write("llama-3.1-8b.gguf");
    auto named = models_.write("mmproj-gemma-3-4b-it-Q4_K_M.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("gemma-3-4b-it-Q4_K_M", "llama-3.1-8b"));
    EXPECT_EQ(service(result, "gemma-3-4b-it-Q4_K_M").mmproj, named);
    EXPECT_FALSE(service(result, "llama-3.1-8b").mmproj) << "a text model must not get another model's projector";
    EXPECT_THAT(result.warnings, IsEmpty());
}

TEST_F(Discovery, AProjectorThatFitsNoModelIsAWarning) {
    models_.write("gemma.gguf");
    models_.write("llama.gguf");
    auto stray = models_.write("gemma.BF16-mmproj.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("gemma", "llama")) << "a name containing mmproj is a projector";
    EXPECT_FALSE(service(result, "gemma").mmproj);
    EXPECT_THAT(result.warnings, ElementsAre(stray.string() + ": projector not given to any model (which one is it "
                                             "for?); name it \"mmproj-<model file name>\", put it in a directory with "
                                             "its model, or set mmproj in [services.NAME]"));
}

TEST_F(Discovery, ALoneTopLevelModelGetsTheLoneProjector) {
    models_.write("qwen2.5-vl-7b.gguf");
    auto projector = models_.write("mmproj-qwen2.5-vl-7b-f16.gguf");
    LoadResult result = load_with("");
    EXPECT_EQ(service(result, "qwen2.5-vl-7b").mmproj, projector);
}

TEST_F(Discovery, SplitModelsAreServedFromTheirFirstShard) {
    auto first = models_.write("Kimi-K2-00001-of-00003.gguf");
    models_.write("Kimi-K2-00002-of-00003.gguf");
    models_.write("Kimi-K2-00003-of-00003.gguf");
    auto orphan = models_.write("big/orphan-00002-of-00002.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("Kimi-K2"));
    EXPECT_EQ(service(result, "Kimi-K2").model, first);
    EXPECT_THAT(result.warnings, ElementsAre(orphan.string() + ": a shard of \"orphan\" whose first shard "
                                             "(-00001-of-...) is missing; not served"));
}

TEST_F(Discovery, ConfiguredServicesKeepTheirFilesAndNames) {
    models_.write("gemma.gguf");
    auto other = models_.write("default.gguf");
    models_.write("llama.gguf");
    auto served_by_config = models_.path() / "sub" / ".." / "gemma.gguf";
    LoadResult result = load_with("[services.g]\nmodel = \"" + served_by_config.string() +
                                  "\"\naliases = [\"default\"]\n[services.llama]\nmodel = \"/elsewhere/llama.gguf\"\n");
    EXPECT_THAT(names(result), ElementsAre("g", "llama"))
        << "gemma.gguf is already served by g (same canonical path); default.gguf and llama.gguf collide";
    EXPECT_THAT(result.warnings,
                ElementsAre(other.string() + ": not served: the name \"default\" is already taken by another service or "
                                             "alias; add a [services.NAME] entry with this model to serve it under "
                                             "another name",
                            (models_.path() / "llama.gguf").string() +
                                ": not served: the name \"llama\" is already taken by another service or alias; add a "
                                "[services.NAME] entry with this model to serve it under another name"));
}

TEST_F(Discovery, ConfiguredServicesGetTheProjectorBesideTheirModel) {
    auto in_subdirectory = models_.write("gemma/gemma-3-4b-it-Q4_K_M.gguf");
    models_.write("gemma/gemma-3-4b-it-Q8_0.gguf");
    auto lone_projector = models_.write("gemma/mmproj-F16.gguf");
    TempDir elsewhere;
    auto vision = elsewhere.write("qwen2.5-vl-7b.gguf");
    auto text = elsewhere.write("llama-3.1-8b.gguf");
    auto named = elsewhere.write("mmproj-qwen2.5-vl-7b.gguf");
    auto chosen = elsewhere.write("chosen-mmproj.gguf");
    auto quoted = [](const std::filesystem::path& path) { return "\"" + path.string() + "\""; };
    LoadResult result = load_with("[services.gemma]\nmodel = " + quoted(in_subdirectory) +
                                  "\n[services.vision]\nmodel = " + quoted(vision) +
                                  "\n[services.text]\nmodel = " + quoted(text) +
                                  "\n[services.explicit]\nmodel = " + quoted(vision) + "\nmmproj = " + quoted(chosen) +
                                  "\n[services.text_only]\nmodel = " + quoted(vision) + "\nmmproj = false" +
                                  "\n[services.custom]\nmodel = " + quoted(vision) +
                                  "\ncommand = [\"/opt/server\", \"{port}\"]\n[services.missing]\nmodel = \"/absent/m.gguf\"\n");
    EXPECT_EQ(service(result, "gemma").mmproj, lone_projector) << "a models_dir subdirectory's only projector";
    EXPECT_EQ(service(result, "vision").mmproj, named) << "mmproj-<model file name>";
    EXPECT_FALSE(service(result, "text").mmproj) << "another directory's lone projector is not guessed at";
    EXPECT_EQ(service(result, "explicit").mmproj, chosen) << "a configured projector wins";
    EXPECT_FALSE(service(result, "text_only").mmproj) << "mmproj = false";
    EXPECT_FALSE(service(result, "custom").mmproj) << "a command service gets no llama-server flags";
    EXPECT_FALSE(service(result, "missing").mmproj);
    EXPECT_THAT(result.warnings, IsEmpty()) << "the discovered Q8_0 gets the same projector";
    EXPECT_EQ(service(result, "gemma-3-4b-it-Q8_0").mmproj, lone_projector);
}

TEST_F(Discovery, ASymlinkedSubdirectoryKeepsTheSubdirectoryRule) {
    TempDir cache;  // a Hugging Face cache snapshot, linked into models_dir
    auto q4 = cache.write("snapshot/gemma-Q4_K_M.gguf");
    cache.write("snapshot/gemma-Q8_0.gguf");
    auto projector = cache.write("snapshot/mmproj-F16.gguf");
    std::filesystem::create_directory_symlink(cache.path() / "snapshot", models_.path() / "gemma");
    LoadResult result = load_with("[services.q4]\nmodel = \"" + (models_.path() / "gemma" / q4.filename()).string() +
                                  "\"\n[services.direct]\nmodel = \"" + q4.string() + "\"\n");
    EXPECT_EQ(service(result, "q4").mmproj, models_.path() / "gemma" / projector.filename());
    EXPECT_EQ(service(result, "gemma-Q8_0").mmproj, models_.path() / "gemma" / projector.filename());
    EXPECT_FALSE(service(result, "direct").mmproj) << "outside models_dir, a lone projector among two models is not guessed at";
}

TEST_F(Discovery, ASymlinkedModelIsTheSameFile) {
    auto real = models_.write("real/model.gguf");
    std::filesystem::create_symlink(real, models_.path() / "link.gguf");
    LoadResult result = load_with("[services.m]\nmodel = \"" + real.string() + "\"\n");
    EXPECT_THAT(names(result), ElementsAre("m"));
}

TEST_F(Discovery, UnusableNamesAndRepeatedStemsAreSkippedWithAWarning) {
    auto spaced = models_.write("My Model.gguf");
    models_.write("tiny.gguf");
    auto again = models_.write("copies/tiny.gguf");
    LoadResult result = load_with("");
    EXPECT_THAT(names(result), ElementsAre("tiny"));
    EXPECT_EQ(service(result, "tiny").model, models_.path() / "tiny.gguf") << "the top level comes first";
    ASSERT_EQ(result.warnings.size(), 2u);
    EXPECT_THAT(result.warnings[0], HasSubstr(spaced.string() + ": not served: service name \"My Model\" may contain "
                                                                "only letters"));
    EXPECT_THAT(result.warnings[1], HasSubstr(again.string() + ": not served: the name \"tiny\" is already taken"));
}

TEST_F(Discovery, AMissingModelsDirectoryIsOnlyAWarning) {
    env_.ggufd_models_dir = (models_.path() / "absent").string();
    LoadResult result = load_with("[services.a]\nmodel = \"/m/a.gguf\"\n");
    EXPECT_THAT(names(result), ElementsAre("a"));
    EXPECT_THAT(result.warnings, ElementsAre("models_dir " + *env_.ggufd_models_dir +
                                             " does not exist: no models discovered (create it, or point models_dir or "
                                             "GGUFD_MODELS_DIR elsewhere)"));

    env_.ggufd_models_dir = models_.write("file.gguf").string();
    EXPECT_THAT(load_with("").warnings, ElementsAre(HasSubstr("file.gguf is not a directory")));
}

TEST_F(Discovery, ConfiguredServicesComeFirst) {
    models_.write("aaa.gguf");
    LoadResult result = load_with("[services.zzz]\nmodel = \"/m/z.gguf\"\n");
    EXPECT_THAT(names(result), ElementsAre("zzz", "aaa"));
}

TEST_F(Discovery, NothingIsDiscoveredWhileTheFileHasErrors) {
    models_.write("alpha.gguf");
    LoadResult result = load("workers = -1\n", env_);
    EXPECT_FALSE(result.config);
    EXPECT_THAT(result.warnings, IsEmpty());
}

TEST(ModelFiles, ShardNamesFollowGgufSplit) {
    ModelDirectory directory{"/m", true, {"x-00001-of-00002.gguf", "x-00002-of-00002.gguf", "of-1.gguf",
                                          "y-1-of-1.gguf", "-00001-of-00002.gguf"}};
    std::vector<std::string> warnings;
    std::vector<std::string> found;
    for (const FoundModel& model : find_models(directory, warnings)) found.push_back(model.name);
    EXPECT_THAT(found, ElementsAre("-00001-of-00002", "of-1", "x", "y"));
    EXPECT_THAT(warnings, IsEmpty());
}

// What the models_dir watcher applies: the directory as it is now, the file not read again.
TEST_F(Discovery, RediscoveryFindsTheDirectoryAfreshAndKeepsConfiguredServices) {
    auto configured = models_.write("configured.gguf");
    models_.write("old.gguf");
    LoadResult loaded = load_with("[defaults]\nctx_size = 2048\n[services.mine]\nmodel = \"" + configured.string() +
                                  "\"\naliases = [\"new\"]\n");
    ASSERT_TRUE(loaded.config);
    EXPECT_THAT(names(loaded), ElementsAre("mine", "old"));

    std::filesystem::remove(models_.path() / "old.gguf");
    models_.write("fresh.gguf");
    models_.write("new.gguf");  // its name is an alias of a configured service
    LoadResult again = rediscover(*loaded.config);
    EXPECT_THAT(names(again), ElementsAre("mine", "fresh"));
    EXPECT_EQ(service(again, "fresh").ctx_size, 2048) << "[defaults] as the file said at the last load";
    EXPECT_TRUE(service(again, "fresh").discovered);
    EXPECT_EQ(service(again, "mine").aliases, std::vector<std::string>{"new"});
    EXPECT_THAT(again.warnings, ElementsAre(HasSubstr("the name \"new\" is already taken")));
}

}  // namespace
}  // namespace ggufd::config::test
