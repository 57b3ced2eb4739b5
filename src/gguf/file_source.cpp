// The file-backed byte source: the only place the reader touches the file system.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "byte_source.h"

namespace ggufd::gguf::detail {
namespace {

constexpr uint64_t kFirstRead = 1ull << 20;

[[noreturn]] void throw_errno(const std::filesystem::path& path, const char* what) {
    throw std::system_error(errno, std::generic_category(), path.string() + ": " + what);
}

int open_regular_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno(path, "cannot open");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        throw_errno(path, "cannot stat");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        throw_errno(path, "not a regular file");
    }
    return fd;
}

uint64_t file_size(int fd) {
    struct stat st {};
    ::fstat(fd, &st);
    return static_cast<uint64_t>(st.st_size);
}

}  // namespace

FileSource::FileSource(const std::filesystem::path& path) : FileSource(path, open_regular_file(path)) {}

FileSource::FileSource(const std::filesystem::path& path, int fd)
    : ByteSource(file_size(fd)), path_(path), fd_(fd) {}

FileSource::~FileSource() { ::close(fd_); }

const uint8_t* FileSource::prefix(uint64_t end) {
    if (end > held_.size()) {
        const uint64_t want = std::min<uint64_t>(size(), std::max<uint64_t>({end, 2 * held_.size(), kFirstRead}));
        uint64_t have = held_.size();
        held_.resize(want);
        while (have < want) {
            ssize_t got = ::pread(fd_, held_.data() + have, want - have, static_cast<off_t>(have));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw_errno(path_, "read failed");
            if (got == 0) {
                // The file shrank under us: report it as the I/O problem it is.
                errno = EIO;
                throw_errno(path_, "file shrank while being read");
            }
            have += static_cast<uint64_t>(got);
        }
    }
    return held_.data();
}

}  // namespace ggufd::gguf::detail
