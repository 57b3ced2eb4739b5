#include "port_allocator.h"

#include "ggufd/net/socket.h"

namespace ggufd::supervisor {

PortAllocator::PortAllocator(uint16_t first, uint16_t last, std::set<uint16_t> reserved,
                             std::function<bool(uint16_t)> is_free)
    : first_(first), last_(last), reserved_(std::move(reserved)), is_free_(std::move(is_free)) {
    if (!is_free_) is_free_ = [](uint16_t port) { return net::port_is_free("127.0.0.1", port); };
}

PortAllocator::Result PortAllocator::acquire(const std::string& service, std::optional<uint16_t> fixed) {
    if (fixed) {
        if (!is_free_(*fixed)) {
            return {0, "port " + std::to_string(*fixed) +
                           " is already in use by another program: stop it or change this service's `port`"};
        }
        assigned_[service] = *fixed;
        return {*fixed, ""};
    }
    if (auto it = assigned_.find(service); it != assigned_.end() && is_free_(it->second)) {
        return {it->second, ""};
    }
    std::set<uint16_t> taken = reserved_;
    for (const auto& [name, port] : assigned_) {
        if (name != service) taken.insert(port);
    }
    for (uint32_t port = first_; port <= last_; ++port) {
        if (taken.count(static_cast<uint16_t>(port)) || !is_free_(static_cast<uint16_t>(port))) continue;
        assigned_[service] = static_cast<uint16_t>(port);
        return {static_cast<uint16_t>(port), ""};
    }
    return {0, "no free port in port_range " + std::to_string(first_) + "-" + std::to_string(last_) +
                   ": widen port_range or give the service a fixed `port`"};
}

void PortAllocator::release(const std::string& service) { assigned_.erase(service); }

void PortAllocator::reconfigure(uint16_t first, uint16_t last, std::set<uint16_t> reserved) {
    first_ = first;
    last_ = last;
    reserved_ = std::move(reserved);
}

}  // namespace ggufd::supervisor
