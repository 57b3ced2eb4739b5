// The exact argv and environment a service's child is started with: llama-server's flags mapped
// from the service's settings, or the service's own command with {port}/{model} filled in, plus
// GPU masking. Pure: everything it needs is passed in, so it is unit-tested directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/supervisor/supervisor.h"

namespace ggufd::supervisor {

struct LaunchInputs {
    const config::ServiceConfig* service = nullptr;
    std::string llama_server;                  ///< resolved path, used when service->command is empty
    uint16_t port = 0;
    GpuAssignment gpus;
    std::vector<std::string> inherited_env;    ///< the daemon's environment, "NAME=value"
};

struct LaunchPlan {
    std::string executable;                    ///< argv[0] as given (resolved by the caller)
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::vector<int> cpu_affinity;
};

LaunchPlan build_launch_plan(const LaunchInputs& inputs);

/// "0-3,8" -> {0,1,2,3,8}. Returns an empty vector for malformed text (validated in config).
std::vector<int> parse_cpu_list(const std::string& text);

}  // namespace ggufd::supervisor
