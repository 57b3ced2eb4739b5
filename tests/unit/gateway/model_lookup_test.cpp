// The 404 for an unknown model as a user reads it: the names that would work (bounded) and
// where models come from.
#include <gtest/gtest.h>

#include "model_lookup.h"

namespace ggufd::gateway {
namespace {

supervisor::ServiceDirectory directory_of(const std::vector<std::pair<std::string, std::vector<std::string>>>& services) {
    supervisor::ServiceDirectory directory;
    for (const auto& [name, aliases] : services) {
        config::ServiceConfig config;
        config.name = name;
        config.aliases = aliases;
        directory.services.push_back(std::make_shared<supervisor::ServiceHandle>(config));
    }
    return directory;
}

TEST(ModelLookup, KnownModelsAreNamesAndAliasesInOrder) {
    EXPECT_EQ(known_models(directory_of({{"alpha", {"a", "default"}}, {"beta", {}}})), "alpha, a, default, beta");
    EXPECT_EQ(known_models(directory_of({})), "(none)");
}

TEST(ModelLookup, AHugeFleetIsListedOnlyInPart) {
    std::vector<std::pair<std::string, std::vector<std::string>>> many;
    for (int i = 0; i < 60; ++i) many.push_back({"m" + std::to_string(i), {}});
    std::string list = known_models(directory_of(many), 50);
    EXPECT_TRUE(list.starts_with("m0, m1, "));
    EXPECT_NE(list.find("m49 and 10 more (GET /v1/models lists them all)"), std::string::npos) << list;
    EXPECT_EQ(list.find("m50"), std::string::npos);
}

TEST(ModelLookup, SaysWhereModelsComeFrom) {
    supervisor::ModelSources sources{"/etc/ggufd/ggufd.toml", "/srv/models", true};
    EXPECT_EQ(where_models_come_from(sources),
              "models are the services of /etc/ggufd/ggufd.toml and the *.gguf files in /srv/models (a file added "
              "there is served within seconds)");
    sources.config_file.clear();
    sources.models_dir_watched = false;
    EXPECT_EQ(where_models_come_from(sources),
              "models are the *.gguf files in /srv/models (a file added there is served after `ggufd reload`)");
    sources.config_file = "/etc/ggufd/ggufd.toml";
    sources.models_dir.clear();
    EXPECT_EQ(where_models_come_from(sources),
              "models are the services of /etc/ggufd/ggufd.toml (discovery is off: models_dir = \"\")");
}

TEST(ModelLookup, TheWholeMessageSaysWhatTheDirectorysConfigSays) {
    auto directory = directory_of({{"alpha", {}}});
    directory.sources = {"", "/srv/models", true};
    EXPECT_EQ(unknown_model_message("gpt-9", directory),
              "model \"gpt-9\" is not served here; known models: alpha; models are the *.gguf files in /srv/models (a "
              "file added there is served within seconds)");
}

}  // namespace
}  // namespace ggufd::gateway
