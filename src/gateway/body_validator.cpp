#include "body_validator.h"

#include <algorithm>

namespace ggufd::gateway {

BodyValidator::BodyValidator(int threads) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

BodyValidator::~BodyValidator() { stop(); }

int BodyValidator::threads_for(unsigned cores) { return std::clamp(static_cast<int>(cores / 2), 1, 2); }

void BodyValidator::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;  // shutting down: the job and its buffer are dropped
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void BodyValidator::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
}

void BodyValidator::run() {
    while (true) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        const std::string_view body = std::string_view(job.buffer).substr(job.offset, job.length);
        // The bytes after the body in the buffer, up to its capacity, are the parser's padding.
        ModelField field = extract_model(body, job.buffer.capacity() - job.offset - job.length);
        job.done(std::move(job.buffer), std::move(field));
    }
}

}  // namespace ggufd::gateway
