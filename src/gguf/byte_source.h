// Where the reader's bytes come from: a buffer held by the caller, or a file read in growing
// chunks. The parser only ever asks for a prefix of the file, so a source is a growing prefix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace ggufd::gguf::detail {

/// A file's bytes [0, size()), made available front to back on request.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    uint64_t size() const { return size_; }
    /// The first `end` bytes (end <= size()). The pointer is valid until the next call.
    virtual const uint8_t* prefix(uint64_t end) = 0;

protected:
    explicit ByteSource(uint64_t size) : size_(size) {}

private:
    uint64_t size_;
};

class BufferSource final : public ByteSource {
public:
    explicit BufferSource(std::span<const uint8_t> bytes) : ByteSource(bytes.size()), bytes_(bytes) {}
    const uint8_t* prefix(uint64_t) override { return bytes_.data(); }

private:
    std::span<const uint8_t> bytes_;
};

/// Reads with pread(), doubling what it holds (from 1 MiB) whenever the parser needs more.
class FileSource final : public ByteSource {
public:
    /// Throws std::system_error naming `path` when it cannot be opened or is not a file.
    explicit FileSource(const std::filesystem::path& path);
    ~FileSource() override;
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    const uint8_t* prefix(uint64_t end) override;

private:
    FileSource(const std::filesystem::path& path, int fd);

    std::filesystem::path path_;
    int fd_;
    std::vector<uint8_t> held_;
};

}  // namespace ggufd::gguf::detail
