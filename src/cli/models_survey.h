// What `ggufd models` lists and `ggufd doctor` judges about each service's model: its GGUF
// summary, the GPUs it would be given, the memory estimate there and whether it fits the budget.
// The only I/O is the injectable header reader, so every verdict is unit-tested on fake files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ggufd/config/config.h"
#include "ggufd/gguf/gguf_file.h"
#include "ggufd/gguf/model_info.h"
#include "ggufd/gpu/device.h"
#include "ggufd/gpu/mask.h"
#include "ggufd/memory/estimate.h"
#include "ggufd/supervisor/service_checks.h"

namespace ggufd::cli {

/// Reads a GGUF header. Throws gguf::FormatError for a file that is not valid GGUF and
/// std::system_error for one that cannot be opened or read (as gguf::read_header does).
using HeaderReader = std::function<gguf::GgufFile(const std::filesystem::path&)>;

/// The machine as the survey sees it: the GPUs discovery found, the [memory] budget settings,
/// the host's RAM, and how to read a header.
struct SurveyContext {
    std::vector<gpu::Device> devices;
    config::MemoryConfig memory;
    std::optional<uint64_t> host_memory_bytes;  ///< MemTotal; nullopt when unknown
    HeaderReader read_header;                   ///< empty: gguf::read_header
};

/// Where a service's child would run: the GPUs of its mask (the default policy or its `gpus`).
struct Placement {
    std::vector<int> gpus;            ///< indices, each once (per-vendor indices coincide by design)
    std::string where;                ///< "GPU 0", "GPUs 0, 1" or "CPU"
    std::string reason;               ///< the mask's reason, for the curious
    std::string error;                ///< non-empty: `gpus` cannot be honoured; the service will not start
    memory::GpuBackend backend = memory::GpuBackend::none;
    /// What ggufd may fill on those GPUs together ([memory] budget, else total - reserve);
    /// nullopt for the CPU, or when a GPU does not report its memory.
    std::optional<uint64_t> budget_bytes;
};

/// Why a file could not be used, so that advice can fit the cause (the daemon judges the same).
using ReadFailure = supervisor::FileFailure;

/// How a model's memory need compares with its budget.
enum class Fit {
    unknown,   ///< no estimate, or no budget to compare with (GPU memory not reported)
    cpu,       ///< runs on the CPU: nothing to fit on a GPU
    fits,
    too_big,   ///< needs more than the GPUs' budget: starting it would fail
};

/// Everything known about one service's model.
struct ModelSurvey {
    std::string service;
    bool discovered = false;
    bool own_command = false;                 ///< runs `command`, not llama-server
    config::SourceLocation defined_at;
    std::filesystem::path file;
    std::optional<std::filesystem::path> mmproj;

    /// The model cannot be used: "…: cannot open: No such file or directory" or the reader's
    /// FormatError message ("x.gguf: offset 0: not a GGUF file …"). Empty when it was read.
    std::string error;
    ReadFailure failure = ReadFailure::none;
    std::string mmproj_error;                 ///< the same for the projector file

    std::optional<gguf::ModelInfo> info;
    Placement placement;
    std::optional<memory::Estimate> estimate;
    std::string estimate_error;               ///< why there is no estimate (own command, odd model, bad args)
    /// Bytes the service needs on its GPUs: its configured `memory`, else the estimate's device
    /// part. nullopt when unknown or when it runs on the CPU.
    std::optional<uint64_t> gpu_need_bytes;
    bool need_configured = false;             ///< gpu_need_bytes is the service's own `memory`
    Fit fit = Fit::unknown;
    /// The estimate's host part exceeds the machine's RAM (llama-server maps weights, so it may
    /// still start, but it will page from disk).
    bool host_memory_short = false;
};


/// Where a service would run and the budget there.
Placement place(const config::ServiceConfig& service, const SurveyContext& context);

/// Surveys one service. Services without a model file (a `command` that needs none) are not
/// surveyed: the caller skips them.
ModelSurvey survey_model(const config::ServiceConfig& service, const SurveyContext& context);

/// Every service of `config` that has a model file, in config order.
std::vector<ModelSurvey> survey_models(const config::Config& config, const SurveyContext& context);

/// "4.2M", "7.6B", "950": parameter counts as model cards write them.
std::string format_parameters(uint64_t count);

/// "1.6 GiB on GPU 0, 92.4 MiB host", "92.4 MiB on CPU", "2.0 GiB on GPU 0 (configured)";
/// empty when there is nothing to say.
std::string describe_need(const ModelSurvey& survey);

}  // namespace ggufd::cli
