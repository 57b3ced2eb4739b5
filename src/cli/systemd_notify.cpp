// sd_notify messages and the watchdog thread (see systemd_notify.h).
#include "systemd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace ggufd::cli {

namespace notify_text {
std::string ready(const std::string& status) { return "READY=1\nSTATUS=" + status; }
std::string reloading(uint64_t monotonic_usec) {
    return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec) + "\nSTATUS=Reloading the configuration";
}
std::string stopping() { return "STOPPING=1\nSTATUS=Shutting down"; }
}  // namespace notify_text

void notify_systemd(const std::string& message) { sd_notify(0, message.c_str()); }

uint64_t monotonic_usec() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

WatchdogPinger::WatchdogPinger() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    interval_ = std::chrono::microseconds(usec / 2);
    thread_ = std::thread([this] { run(); });
}

WatchdogPinger::~WatchdogPinger() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void WatchdogPinger::run() {
    std::unique_lock lock(mutex_);
    do {
        sd_notify(0, "WATCHDOG=1");
    } while (!wake_.wait_for(lock, interval_, [this] { return stop_; }));
}

}  // namespace ggufd::cli
