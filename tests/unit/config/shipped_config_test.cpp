// The config/ggufd.toml that ships with ggufd must load cleanly on a machine with no models.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace ggufd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::filesystem::path kShipped = std::filesystem::path(GGUFD_SOURCE_DIR) / "config" / "ggufd.toml";

TEST(ShippedConfig, LoadsWithAnEmptyModelsDirectory) {
    TempDir home;
    std::filesystem::create_directories(home.path() / "models");
    Environment env;
    env.home = home.path().string();
    LoadResult result = load_file(kShipped, env);
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    EXPECT_THAT(result.warnings, IsEmpty());
    ASSERT_TRUE(result.config);
    EXPECT_EQ(result.config->listen.host, "127.0.0.1");
    EXPECT_EQ(result.config->listen.port, 8080);
    EXPECT_EQ(result.config->models_dir, home.path() / "models");
    EXPECT_THAT(result.config->services, IsEmpty());
}

TEST(ShippedConfig, LoadsWithoutAModelsDirectory) {
    TempDir home;
    Environment env;
    env.home = home.path().string();
    LoadResult result = load_file(kShipped, env);
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    ASSERT_TRUE(result.config);
    EXPECT_THAT(result.warnings, ElementsAre(::testing::HasSubstr("does not exist: no models discovered")));
}

TEST(ShippedConfig, ItsExampleServicesAreValidWhenUncommented) {
    std::ifstream in(kShipped);
    std::string text, line;
    // Uncomment the example service tables (and only them) to prove that what we suggest works.
    bool in_example = false;
    while (std::getline(in, line)) {
        if (line.starts_with("# [services.")) in_example = true;
        if (in_example && line.starts_with("# ")) line = line.substr(2);
        if (line.empty()) in_example = false;
        text += line + "\n";
    }
    LoadResult result = load(text);
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    ASSERT_TRUE(result.config);
    ASSERT_EQ(result.config->services.size(), 2u);
    EXPECT_EQ(result.config->services[0].name, "gemma3-4b");
    EXPECT_EQ(result.config->services[1].name, "bitnet-dlm");
}

}  // namespace
}  // namespace ggufd::config::test
