// Environment variables against the file: GGUFD_* override it, ROCM_* stand in for what it
// leaves out; and where the config file is looked for.
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace ggufd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Environment with_home(const std::string& home = "/home/tester") {
    Environment env;
    env.home = home;
    return env;
}

Config loaded(const std::string& toml, const Environment& env) {
    LoadResult result = load(toml, env);
    EXPECT_THAT(rendered(result.errors), IsEmpty());
    return result.config.value_or(Config{});
}

TEST(Environment, LlamaServerPrecedence) {
    Environment env = with_home();
    EXPECT_EQ(loaded("", env).llama_server, "llama-server") << "built-in default, found on PATH later";

    env.rocm_llama_server_path = "/opt/rocm/llama-server";
    EXPECT_EQ(loaded("", env).llama_server, "/opt/rocm/llama-server") << "ROCm fallback when the file is silent";
    EXPECT_EQ(loaded("llama_server = \"/usr/bin/llama-server\"\n", env).llama_server, "/usr/bin/llama-server")
        << "the file beats the ROCm fallback";

    env.ggufd_llama_server = "~/llama.cpp/llama-server";
    EXPECT_EQ(loaded("llama_server = \"/usr/bin/llama-server\"\n", env).llama_server,
              "/home/tester/llama.cpp/llama-server")
        << "GGUFD_LLAMA_SERVER beats the file, with ~ expanded";

    env.ggufd_llama_server = "";
    EXPECT_EQ(loaded("", env).llama_server, "/opt/rocm/llama-server") << "an empty variable counts as unset";
}

TEST(Environment, ModelsDirPrecedence) {
    Environment env = with_home();
    const std::string file_sets_it = "models_dir = \"/srv/models\"\n";
    EXPECT_EQ(loaded("", env).models_dir, "/home/tester/models") << "built-in default ~/models";

    env.rocm_model_dir = "/opt/rocm-models";
    EXPECT_EQ(loaded("", env).models_dir, "/opt/rocm-models");
    EXPECT_EQ(loaded(file_sets_it, env).models_dir, "/srv/models");
    EXPECT_EQ(loaded("models_dir = \"\"\n", env).models_dir, "") << "the file switched discovery off";

    env.ggufd_models_dir = "/data/gguf";
    EXPECT_EQ(loaded(file_sets_it, env).models_dir, "/data/gguf");
}

TEST(Environment, VariablesAreNotRelativeToTheConfigFile) {
    Environment env = with_home();
    env.ggufd_models_dir = "models";
    env.ggufd_llama_server = "bin/llama-server";
    Config config = loaded("", env);
    EXPECT_EQ(config.models_dir, "models") << "relative to the working directory, like any shell path";
    EXPECT_EQ(config.llama_server, "bin/llama-server");
}

TEST(Environment, ProblemsWithVariablesNameTheVariableNotTheFile) {
    Environment env;
    env.ggufd_models_dir = "~/models";
    LoadResult result = load("", env);
    EXPECT_THAT(rendered(result.errors),
                ElementsAre("GGUFD_MODELS_DIR: \"~/models\": cannot expand \"~\" because HOME is not set; write the "
                            "full path"));
}

TEST(Environment, NoHomeMeansNoDefaultModelsDirButStillAConfig) {
    LoadResult result = load("", Environment{});
    ASSERT_TRUE(result.config);
    EXPECT_EQ(result.config->models_dir, "");
    EXPECT_THAT(result.warnings, ElementsAre("HOME is not set, so there is no default models directory (~/models): no "
                                             "models discovered; set models_dir or GGUFD_MODELS_DIR"));
}

/// Sets an environment variable for the life of the object, restoring the previous value.
class ScopedVariable {
public:
    ScopedVariable(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        setenv(name, value, 1);
    }
    ~ScopedVariable() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(Environment, FromProcessReadsEveryVariable) {
    ScopedVariable a("HOME", "/home/p"), b("XDG_CONFIG_HOME", "/home/p/.cfg"), c("GGUFD_LLAMA_SERVER", "/l"),
        d("GGUFD_MODELS_DIR", "/m"), e("ROCM_LLAMA_SERVER_PATH", "/rl"), f("ROCM_MODEL_DIR", "/rm");
    Environment env = Environment::from_process();
    EXPECT_EQ(env.home, "/home/p");
    EXPECT_EQ(env.xdg_config_home, "/home/p/.cfg");
    EXPECT_EQ(env.ggufd_llama_server, "/l");
    EXPECT_EQ(env.ggufd_models_dir, "/m");
    EXPECT_EQ(env.rocm_llama_server_path, "/rl");
    EXPECT_EQ(env.rocm_model_dir, "/rm");
}

TEST(Environment, DefaultConfigPathPrefersXdgThenHome) {
    TempDir home;
    std::optional<std::filesystem::path> system;
    if (std::filesystem::exists("/etc/ggufd/ggufd.toml")) system = "/etc/ggufd/ggufd.toml";

    Environment env = with_home(home.path().string());
    EXPECT_EQ(default_config_path(env), system) << "nothing in ~/.config";

    auto in_home = home.write(".config/ggufd/ggufd.toml", "");
    EXPECT_EQ(default_config_path(env), in_home);

    env.xdg_config_home = (home.path() / "xdg").string();
    EXPECT_EQ(default_config_path(env), system) << "XDG_CONFIG_HOME replaces ~/.config";
    auto in_xdg = home.write("xdg/ggufd/ggufd.toml", "");
    EXPECT_EQ(default_config_path(env), in_xdg);

    env.xdg_config_home = "relative/xdg";
    EXPECT_EQ(default_config_path(env), in_home) << "a relative XDG_CONFIG_HOME is ignored, as the XDG spec says";
}

TEST(Environment, LoadDefaultsServesTheModelsDirectoryOnLoopback) {
    TempDir models;
    models.write("tiny.gguf");
    Environment env = with_home();
    env.ggufd_models_dir = models.path().string();
    LoadResult result = load_defaults(env);
    ASSERT_TRUE(result.config);
    EXPECT_THAT(result.warnings, IsEmpty());
    const Config& config = *result.config;
    EXPECT_TRUE(config.source_file.empty());
    EXPECT_EQ(config.listen.host, "127.0.0.1");
    EXPECT_EQ(config.listen.port, 8080);
    ASSERT_EQ(config.services.size(), 1u);
    EXPECT_EQ(config.services[0].name, "tiny");
    EXPECT_EQ(config.services[0].load, LoadMode::lazy);
}

}  // namespace
}  // namespace ggufd::config::test
