#include "ggufd/supervisor/log_ring.h"

#include <algorithm>

namespace ggufd::supervisor {

void LogRing::append(std::string line) {
    std::vector<Subscriber> to_notify;
    {
        std::lock_guard lock(mutex_);
        if (lines_.size() == capacity_) lines_.pop_front();
        if (subscribers_.empty()) {
            lines_.push_back(std::move(line));  // the common case: nobody follows
            return;
        }
        lines_.push_back(line);
        to_notify.reserve(subscribers_.size());
        for (const auto& [id, subscriber] : subscribers_) to_notify.push_back(subscriber);
    }
    for (const auto& subscriber : to_notify) subscriber(line);
}

std::vector<std::string> LogRing::tail(size_t count) const {
    std::lock_guard lock(mutex_);
    size_t start = lines_.size() > count ? lines_.size() - count : 0;
    return {lines_.begin() + static_cast<std::ptrdiff_t>(start), lines_.end()};
}

uint64_t LogRing::subscribe(Subscriber subscriber) {
    std::lock_guard lock(mutex_);
    uint64_t id = next_id_++;
    subscribers_.emplace_back(id, std::move(subscriber));
    return id;
}

void LogRing::unsubscribe(uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace ggufd::supervisor
