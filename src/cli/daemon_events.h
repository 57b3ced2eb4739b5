// What the daemon's main thread waits for: SIGTERM/SIGINT/SIGHUP (through a signalfd, the
// signals being blocked in every thread) and reload requests from the admin API (through an
// eventfd).
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ggufd/gateway/gateway.h"
#include "ggufd/net/unique_fd.h"

namespace ggufd::cli {

using gateway::ReloadReply;

class DaemonEvents {
public:
    /// `signals` must already be blocked in every thread (block_daemon_signals()).
    explicit DaemonEvents(const sigset_t& signals);

    struct Event {
        int signal = 0;                    ///< SIGTERM, SIGINT or SIGHUP; 0 when none
        std::vector<ReloadReply> reloads;  ///< reload requests to answer
        bool also_readable = false;        ///< `also` (wait()'s) is readable
    };
    /// Waits up to `timeout` (negative: for ever) for signals or reload requests, or for `also`
    /// (when not -1: the models_dir watch) to be readable.
    Event wait(std::chrono::milliseconds timeout, int also = -1);

    /// Thread-safe: asks the main thread to reload; `reply` is called from the main thread.
    void request_reload(ReloadReply reply);

private:
    net::UniqueFd signal_fd_;
    net::UniqueFd reload_fd_;
    std::mutex mutex_;
    std::vector<ReloadReply> pending_;
};

/// Blocks SIGTERM/SIGINT/SIGHUP in the calling thread (and so in every thread it starts) and
/// ignores SIGPIPE. Call before any thread exists.
sigset_t block_daemon_signals();

}  // namespace ggufd::cli
