// What ggufd tells systemd (sd_notify): READY=1, RELOADING=1 with its timestamp, STOPPING=1 and
// STATUS= lines, and the watchdog's WATCHDOG=1 pings. Without NOTIFY_SOCKET (not under a
// Type=notify unit) every message is a no-op.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ggufd::cli {

/// The text of the notifications, pure so that tests can check their exact form.
namespace notify_text {
std::string ready(const std::string& status);
/// systemd (253+, Type=notify-reload) wants the CLOCK_MONOTONIC time the reload began.
std::string reloading(uint64_t monotonic_usec);
std::string stopping();
}  // namespace notify_text

/// Sends one notification to systemd; harmless when not running under it.
void notify_systemd(const std::string& message);

/// CLOCK_MONOTONIC in microseconds, as systemd's MONOTONIC_USEC expects.
uint64_t monotonic_usec();

/// Pings the systemd watchdog (WATCHDOG=1) from a thread of its own, every half of WatchdogSec,
/// for as long as it lives: a reload or a drain that keeps the main thread waiting for minutes
/// must not make systemd think the daemon hangs. Does nothing when the unit sets no WatchdogSec.
/// The owner (serve.cpp) creates it after startup and destroys it, joining the thread, at exit.
class WatchdogPinger {
public:
    WatchdogPinger();
    ~WatchdogPinger();
    WatchdogPinger(const WatchdogPinger&) = delete;
    WatchdogPinger& operator=(const WatchdogPinger&) = delete;

    /// The interval between pings; zero when the watchdog is off.
    std::chrono::microseconds interval() const { return interval_; }

private:
    void run();

    std::chrono::microseconds interval_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace ggufd::cli
