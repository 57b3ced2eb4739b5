// Reading the "model" of big request bodies off the event loops. simdjson validates about a
// gigabyte a second here, so a 32 MB body would hold a worker's other connections and streams
// for ~30 ms; bodies over kOnLoopBodyBytes are read on a small pool of threads instead, and the
// answer comes back to the worker's loop.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model_field.h"

namespace ggufd::gateway {

/// Bodies up to this size are read on the worker's own thread: simdjson takes well under a
/// millisecond for them, and so does the reference parser when it has to say where one is
/// malformed. Bigger ones go to the BodyValidator.
inline constexpr size_t kOnLoopBodyBytes = 64 * 1024;

/// BodyValidator runs extract_model() on its own threads. A job carries the buffer that holds
/// the body, and owns it until its `done` callback (run on a pool thread) hands it back with the
/// answer; so nothing a job reads can be freed under it, whatever happens to the connection it
/// came from. The callback must only post to an event loop: it carries ids, never pointers to
/// connections. Thread-safe. stop() (also run by the destructor) finishes the jobs that have
/// started, drops the others (their buffers with them) and joins the threads.
class BodyValidator {
public:
    struct Job {
        std::string buffer;  ///< holds the body at [offset, offset + length)
        size_t offset = 0;
        size_t length = 0;
        std::function<void(std::string buffer, ModelField field)> done;
    };

    explicit BodyValidator(int threads);
    ~BodyValidator();
    BodyValidator(const BodyValidator&) = delete;
    BodyValidator& operator=(const BodyValidator&) = delete;

    void submit(Job job);
    void stop();

    /// Threads for a machine with `cores` cores: one per two, at least one, at most two (a
    /// body is read at ~1 GB/s; more threads would only take cores from the event loops).
    static int threads_for(unsigned cores);

private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace ggufd::gateway
