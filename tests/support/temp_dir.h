// A directory under $TMPDIR for one test, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>

namespace ggufd::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// Writes `contents` to path()/name and returns the full path.
    std::filesystem::path write(const std::string& name, const std::string& contents) const;

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);

}  // namespace ggufd::test
