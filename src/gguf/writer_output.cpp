// Producing a file's bytes: the header, then every tensor's data chunk by chunk. Chunks land at
// offsets known in advance, so worker threads fill and write them in any order with no
// hand-off; the threads live only inside one call.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "ggufd/gguf/writer.h"

namespace ggufd::gguf {
namespace {

/// Runs work(index, worker) for every index in [0, count) on `threads` threads and rethrows
/// the first exception once all have stopped.
template <typename Work>
void parallel_for(size_t count, unsigned threads, Work work) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto run = [&](unsigned worker) {
        try {
            for (size_t i = next++; i < count && !failed; i = next++) work(i, worker);
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            failed = true;
        }
    };
    const unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::min<size_t>(count, 1024))));
    std::vector<std::thread> pool;
    for (unsigned worker = 1; worker < n; ++worker) pool.emplace_back(run, worker);
    run(0);
    for (auto& thread : pool) thread.join();
    if (error) std::rethrow_exception(error);
}

[[noreturn]] void throw_errno(int error, const std::filesystem::path& path, const char* what) {
    throw std::system_error(error, std::generic_category(), path.string() + ": " + what);
}

void write_all(int fd, const uint8_t* data, uint64_t size, uint64_t offset, const std::filesystem::path& path) {
    while (size > 0) {
        ssize_t done = ::pwrite(fd, data, size, static_cast<off_t>(offset));
        if (done < 0 && errno == EINTR) continue;
        if (done < 0) throw_errno(errno, path, "write failed");
        data += done;
        size -= static_cast<uint64_t>(done);
        offset += static_cast<uint64_t>(done);
    }
}

}  // namespace

std::vector<uint8_t> Writer::to_bytes(unsigned threads) const {
    std::vector<uint8_t> out = header();
    const uint64_t base = out.size();
    out.resize(base + data_bytes_, 0);
    const auto work = chunks();
    parallel_for(work.size(), threads, [&](size_t i, unsigned) {
        const Chunk& chunk = work[i];
        chunk.tensor->fill(chunk.offset, std::span(out.data() + base + chunk.tensor->offset + chunk.offset, chunk.size));
    });
    return out;
}

void Writer::write(const std::filesystem::path& path, unsigned threads) const {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw_errno(errno, path, "cannot create");
    try {
        const auto head = header();
        const uint64_t base = head.size();
        // Sized up front: padding and all-zero tensors stay holes, chunks go where they belong.
        if (::ftruncate(fd, static_cast<off_t>(base + data_bytes_)) != 0) throw_errno(errno, path, "cannot resize");
        write_all(fd, head.data(), head.size(), 0, path);
        const auto work = chunks();
        std::vector<std::vector<uint8_t>> buffers(std::max(1u, threads));
        parallel_for(work.size(), threads, [&](size_t i, unsigned worker) {
            const Chunk& chunk = work[i];
            auto& buffer = buffers[worker];
            buffer.resize(chunk.size);
            chunk.tensor->fill(chunk.offset, std::span(buffer.data(), chunk.size));
            write_all(fd, buffer.data(), chunk.size, base + chunk.tensor->offset + chunk.offset, path);
        });
        if (::close(fd) != 0) {
            fd = -1;
            throw_errno(errno, path, "close failed");
        }
    } catch (...) {
        if (fd >= 0) ::close(fd);
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        throw;
    }
}

}  // namespace ggufd::gguf
