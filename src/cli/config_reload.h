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
    std::optional<config::Config> applied;  ///< the configuration now running, when it was applied
};

/// Blocks until the supervisor has applied the new configuration (old children stopped, new
/// ones started). `running` is the configuration the daemon started with.
ReloadOutcome reload_config(const std::string& config_path, const config::Config& running,
                            supervisor::Supervisor& supervisor, gpu::DeviceMonitor& monitor);

}  // namespace ggufd::cli
