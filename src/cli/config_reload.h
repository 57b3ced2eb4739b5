// Reloading the configuration on SIGHUP or POST /reload (docs/CLI.md): the file is read and
// validated as at startup; an invalid file changes nothing; a valid one is handed to the
// supervisor. Settings the front door took at startup need a restart, and the answer says so.
#pragma once

#include <optional>
#include <string>

#include "ggufd/config/config.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::cli {

struct ReloadOutcome {
    int http_status = 200;  ///< 200 applied, 400 invalid config (nothing changed), 503 not now
    std::string json;       ///< what changed, or every error
    std::string status;     ///< one line for systemd's STATUS=: what the reload did, or that it failed
    /// The configuration now running, when it was applied (the drain at shutdown uses its
    /// drain_timeout; the models_dir watch follows its models_dir).
    std::optional<config::Config> applied;
};

/// Blocks until the supervisor has applied the new configuration (old children stopped, new
/// ones started). `running` is the configuration the daemon started with.
ReloadOutcome reload_config(const std::string& config_path, const config::Config& running,
                            supervisor::Supervisor& supervisor, gpu::DeviceMonitor& monitor);

}  // namespace ggufd::cli
