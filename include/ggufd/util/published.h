// A value one thread publishes and others read: readers get a shared_ptr to the whole current
// version, never a half-written one, and keep it alive for as long as they use it.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

namespace ggufd::util {

/// `std::atomic<std::shared_ptr<T>>` with a mutex: GCC 12's libstdc++ releases its lock with
/// relaxed ordering after a load, a data race under the C++ memory model that ThreadSanitizer
/// reports (harmless on x86, not on weaker CPUs). The mutex is held only to copy the pointer; an
/// old version is destroyed outside it.
template <typename T>
class Published {
public:
    std::shared_ptr<T> load() const {
        std::lock_guard lock(mutex_);
        return value_;
    }

    void store(std::shared_ptr<T> value) {
        {
            std::lock_guard lock(mutex_);
            std::swap(value_, value);
        }
        // `value` now holds the old version; it is released here, outside the lock.
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<T> value_;
};

}  // namespace ggufd::util
