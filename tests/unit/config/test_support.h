// Helpers shared by the config tests: a scratch directory, an Environment that discovers
// nothing, and errors rendered as the strings users see.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ggufd/config/loader.h"

namespace ggufd::config::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ggufd-config-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    /// Creates `relative` (and its directories) holding `content`; returns its full path.
    std::filesystem::path write(const std::string& relative, const std::string& content = "GGUF") const {
        std::filesystem::path file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file) << content;
        return file;
    }

private:
    std::filesystem::path path_;
};

inline std::vector<std::string> rendered(const std::vector<ConfigError>& errors) {
    std::vector<std::string> lines;
    for (const ConfigError& error : errors) lines.push_back(error.to_string());
    return lines;
}

/// An Environment whose GGUFD_MODELS_DIR is an empty directory (shared by the tests of one
/// run): discovery finds nothing and warns about nothing, whatever the file says.
inline Environment no_discovery() {
    static TempDir empty;
    Environment env;
    env.home = "/home/tester";
    env.ggufd_models_dir = empty.path().string();
    return env;
}

/// Loads `toml` as if from /etc/ggufd/test.toml.
inline LoadResult load(const std::string& toml, const Environment& env = no_discovery()) {
    return load_string(toml, "/etc/ggufd/test.toml", env);
}

}  // namespace ggufd::config::test
