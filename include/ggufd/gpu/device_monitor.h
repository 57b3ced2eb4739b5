// The daemon's live view of its GPUs: the devices found at start, with memory figures refreshed
// on demand. Thread-safe; refresh() may block (it runs nvidia-smi), so only helper threads call
// it, while the front door reads snapshots.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <optional>
#include <vector>

#include "ggufd/gpu/discovery.h"

namespace ggufd::gpu {

class DeviceMonitor {
public:
    DeviceMonitor(std::vector<Device> devices, DiscoveryOptions options);
    ~DeviceMonitor();  ///< stops the background refresher

    /// Refreshes every `interval` on a thread of its own, so that status output stays current
    /// without anyone blocking on nvidia-smi. Does nothing when there are no devices.
    void refresh_every(std::chrono::milliseconds interval);

    /// A copy of the devices with their latest memory figures.
    std::vector<Device> snapshot() const;
    /// Re-reads every device's memory (blocking: sysfs reads, one nvidia-smi call).
    void refresh();
    /// Free bytes of the device with this index, from the latest refresh; nullopt when unknown.
    std::optional<uint64_t> free_bytes(int index) const;

private:
    const DiscoveryOptions options_;
    mutable std::mutex mutex_;
    std::vector<Device> devices_;
    std::mutex refresh_mutex_;  // one refresh at a time; snapshots are never blocked by one

    std::mutex stop_mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread refresher_;
};

}  // namespace ggufd::gpu
