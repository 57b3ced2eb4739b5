// `ggufd doctor`'s verdicts: pure functions from what was observed (the loaded config, GPU
// discovery, model surveys, port probes) to findings that say what is wrong and what to do.
// doctor.cpp does the observing; llama-server has its own file (doctor_llama_server.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config_source.h"
#include "doctor_report.h"
#include "ggufd/config/config.h"
#include "ggufd/supervisor/service_checks.h"
#include "ggufd/gpu/discovery.h"
#include "models_survey.h"

namespace ggufd::cli {

/// The config's errors (each a problem), its warnings, and a summary of its services.
std::vector<Finding> check_config(const LoadedConfig& loaded);

/// One finding per GPU (memory, integrated or discrete, masked by default or not), the /dev/kfd
/// access check, and discovery's own notes. `amd_gpu_in_use`: some service would be given an AMD
/// GPU, which makes an inaccessible /dev/kfd a problem rather than a warning.
std::vector<Finding> check_gpus(const gpu::Discovery& discovery, bool amd_gpu_in_use);

/// Per service: the model file readable and valid GGUF (and its projector), its `gpus`
/// possible, its memory need within its GPUs' budget, and a summary when all is well.
std::vector<Finding> check_models(const std::vector<ModelSurvey>& surveys);

/// Whether an address could be bound now; `in_use` when something listens there already.
struct PortProbe {
    bool free = true;
    bool in_use = false;
    std::string error;  ///< the bind error when not free ("listen on 127.0.0.1:80: Permission denied")
};

/// An address ggufd or one of its children must bind: the front door, the admin listener, or a
/// service's fixed port.
struct AddressCheck {
    std::string owner;                 ///< "listen", "admin_listen", or a service name
    bool is_service = false;
    std::string host;
    uint16_t port = 0;
    config::SourceLocation defined_at; ///< where a service's port is set; empty for listeners
    PortProbe probe;
};

/// What doctor learnt about a ggufd already running on this config's front door.
struct RunningGgufd {
    bool answers = false;                      ///< a ggufd answered GET /health on `listen`
    std::map<uint16_t, std::string> services;  ///< port -> service, from its GET /services (if allowed)
};

/// The front door and admin listener in use by the running ggufd are this config's own daemon:
/// fine. A service port in use by one of its services likewise; any other port in use while a
/// ggufd runs is a warning (doctor cannot tell whose it is). `config_file` is named in advice.
std::vector<Finding> check_ports(const std::vector<AddressCheck>& addresses, const RunningGgufd& running,
                                 const std::string& config_file);

/// "/etc/ggufd/ggufd.toml:12", "/etc/ggufd/ggufd.toml", or "the config file" when unknown
/// (shared with the daemon's own messages).
using supervisor::describe_location;

}  // namespace ggufd::cli
