// Following models_dir while the daemon runs (README.md, "Models that appear"): files added,
// removed or renamed there join or leave the served models within a few seconds, without
// `ggufd reload`. Owned and driven by the daemon's main thread: it polls fd(), calls
// on_readable() when it is readable and on_due() when due_in() has passed; a rescan is applied
// through Supervisor::reload, as a reload is.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ggufd/config/config.h"
#include "ggufd/gpu/device_monitor.h"
#include "ggufd/supervisor/supervisor.h"
#include "models_rescan.h"
#include "models_watch.h"
#include "rescan_schedule.h"

namespace ggufd::cli {

class ModelsDirFollower {
public:
    /// Watches `running`'s models_dir (unless discovery or watch_models_dir is off).
    ModelsDirFollower(const config::Config& running, supervisor::Supervisor& supervisor, gpu::DeviceMonitor& monitor);

    /// The inotify descriptor to poll; -1 when nothing is watched.
    int fd() const { return watch_ ? watch_->fd() : -1; }
    /// How long until a rescan is due; nullopt when none is pending.
    std::optional<std::chrono::milliseconds> due_in() const;
    /// The descriptor is readable: takes the events, and schedules a rescan if they matter.
    void on_readable();
    /// Rescans and applies the result if a rescan is due (blocks until the supervisor has it).
    void on_due();
    /// A reload applied `applied`: it is what later rescans start from (and its models_dir is
    /// the one watched).
    void config_changed(const config::Config& applied);

private:
    void start_watching();
    void rescan();
    void report_held_back(const std::vector<HeldBack>& held_back);

    config::Config running_;
    supervisor::Supervisor& supervisor_;
    gpu::DeviceMonitor& monitor_;
    std::unique_ptr<ModelsDirWatch> watch_;
    RescanSchedule schedule_;
    std::map<std::string, std::string> reported_;  // service -> the problem last logged for it
};

}  // namespace ggufd::cli
