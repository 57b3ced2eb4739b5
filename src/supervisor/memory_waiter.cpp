#include "memory_waiter.h"

#include "ggufd/util/units.h"

namespace ggufd::supervisor {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(200);

}  // namespace

MemoryWaiter::MemoryWaiter(net::EventLoop& loop, ReadFree read_free)
    : loop_(loop), read_free_(std::move(read_free)), thread_([this] { run(); }) {}

MemoryWaiter::~MemoryWaiter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void MemoryWaiter::wait(std::vector<int> devices, uint64_t bytes, std::chrono::milliseconds timeout, Done done) {
    {
        std::lock_guard lock(mutex_);
        requests_.push_back({std::move(devices), bytes, std::chrono::steady_clock::now() + timeout, std::move(done)});
    }
    wake_.notify_all();
}

bool MemoryWaiter::satisfied(const Request& request, std::string& detail) {
    detail.clear();
    bool all = true;
    for (int device : request.devices) {
        std::optional<uint64_t> free = read_free_ ? read_free_(device) : std::nullopt;
        if (!free) continue;
        detail += (detail.empty() ? "" : ", ") + std::string("GPU ") + std::to_string(device) + " has " +
                  units::format_bytes(*free) + " free";
        all &= *free >= request.bytes;
    }
    return all;
}

void MemoryWaiter::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
        if (stopping_) return;
        Request request = std::move(requests_.front());
        requests_.pop_front();
        while (true) {
            lock.unlock();
            std::string detail;
            bool freed = satisfied(request, detail);
            bool expired = std::chrono::steady_clock::now() >= request.deadline;
            if (freed || expired) {
                loop_.post([done = std::move(request.done), freed, detail] { done(freed, detail); });
                lock.lock();
                break;
            }
            lock.lock();
            if (wake_.wait_for(lock, kPollInterval, [this] { return stopping_; })) return;
        }
    }
}

}  // namespace ggufd::supervisor
