#include "ggufd/gpu/device_monitor.h"

namespace ggufd::gpu {

DeviceMonitor::DeviceMonitor(std::vector<Device> devices, DiscoveryOptions options)
    : options_(std::move(options)), devices_(std::move(devices)) {}

DeviceMonitor::~DeviceMonitor() {
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    if (refresher_.joinable()) refresher_.join();
}

void DeviceMonitor::refresh_every(std::chrono::milliseconds interval) {
    if (snapshot().empty() || refresher_.joinable()) return;
    refresher_ = std::thread([this, interval] {
        std::unique_lock lock(stop_mutex_);
        while (!stop_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            refresh();
            lock.lock();
        }
    });
}

std::vector<Device> DeviceMonitor::snapshot() const {
    std::lock_guard lock(mutex_);
    return devices_;
}

void DeviceMonitor::refresh() {
    std::lock_guard refreshing(refresh_mutex_);
    std::vector<Device> devices = snapshot();
    if (devices.empty()) return;
    refresh_memory(devices, options_);
    std::lock_guard lock(mutex_);
    devices_ = std::move(devices);
}

std::optional<uint64_t> DeviceMonitor::free_bytes(int index) const {
    std::lock_guard lock(mutex_);
    for (const auto& device : devices_) {
        if (device.index != index) continue;
        if (device.memory.free_bytes) return device.memory.free_bytes;
        if (device.memory.total_bytes && device.memory.used_bytes) {
            return *device.memory.total_bytes - std::min(*device.memory.total_bytes, *device.memory.used_bytes);
        }
    }
    return std::nullopt;
}

}  // namespace ggufd::gpu
