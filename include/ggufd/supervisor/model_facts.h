// What ggufd knows about a service's model before running it: the GGUF header's summary and
// the memory the child will need, or why neither could be read. Shown by /v1/models and status,
// and used by the memory budget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/gguf/model_info.h"
#include "ggufd/memory/estimate.h"
#include "ggufd/supervisor/service_checks.h"

namespace ggufd::supervisor {

struct ModelFacts {
    std::optional<gguf::ModelInfo> info;
    std::optional<memory::Estimate> estimate;
    /// What the budget charges per device the service uses: the configured `memory`, else the
    /// estimate's Estimate::device_share. 0 for a CPU-only service.
    uint64_t bytes_per_device = 0;
    /// Why the header or the estimate could not be had, or "projector: ..." when only the
    /// projector could not be read (the model is then estimated without it). Not fatal.
    std::string error;
    /// How reading the model itself failed (none when it was read, or only the projector failed).
    FileFailure failure = FileFailure::none;
};

/// The estimate's inputs for a service: its settings and its projector's header (nullptr: none),
/// then the llama-server flags in its `args` (which come later on the command line, so they win
/// there too). Throws std::invalid_argument for a malformed flag value.
memory::EstimateParams estimate_params_for(const config::ServiceConfig& service, memory::GpuBackend backend,
                                           const gguf::GgufFile* projector);

/// Reads the model's GGUF header (and its projector's) and estimates its memory for `devices`
/// on `backend`. Never throws: a missing or malformed file is described in `error`.
ModelFacts inspect_model(const config::ServiceConfig& service, const std::vector<int>& devices,
                         memory::GpuBackend backend);

}  // namespace ggufd::supervisor
