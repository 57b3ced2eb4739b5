#include "port_allocator.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ggufd/net/unique_fd.h"

namespace ggufd::supervisor {
namespace {

PortAllocator::Result cannot_check(uint16_t port) {
    return {0, "could not check port " + std::to_string(port) + ": " + std::strerror(errno), true};
}

}  // namespace

PortState probe_port(uint16_t port) {
    net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return PortState::unknown;
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return PortState::free;
    return errno == ENOBUFS || errno == ENOMEM ? PortState::unknown : PortState::in_use;
}

PortAllocator::PortAllocator(uint16_t first, uint16_t last, std::set<uint16_t> reserved,
                             std::function<PortState(uint16_t)> probe)
    : first_(first), last_(last), reserved_(std::move(reserved)), probe_(std::move(probe)) {
    if (!probe_) probe_ = probe_port;
}

PortAllocator::Result PortAllocator::acquire(const std::string& service, std::optional<uint16_t> fixed) {
    if (fixed) {
        PortState state = probe_(*fixed);
        if (state == PortState::unknown) return cannot_check(*fixed);
        if (state == PortState::in_use) {
            return {0, "port " + std::to_string(*fixed) +
                           " is already in use by another program: stop it or change this service's `port`"};
        }
        assigned_[service] = *fixed;
        return {*fixed, ""};
    }
    if (auto it = assigned_.find(service); it != assigned_.end()) {
        PortState state = probe_(it->second);
        if (state == PortState::unknown) return cannot_check(it->second);
        if (state == PortState::free) return {it->second, ""};
    }
    std::set<uint16_t> taken = reserved_;
    for (const auto& [name, port] : assigned_) {
        if (name != service) taken.insert(port);
    }
    for (uint32_t port = first_; port <= last_; ++port) {
        if (taken.count(static_cast<uint16_t>(port))) continue;
        PortState state = probe_(static_cast<uint16_t>(port));
        if (state == PortState::unknown) return cannot_check(static_cast<uint16_t>(port));
        if (state == PortState::in_use) continue;
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
