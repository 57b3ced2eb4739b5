// How much memory a llama-server child will take, per place (GPU, host), from the model's
// GGUF header and the service's settings. Pure functions: the formulas mirror llama.cpp
// b10472 and are calibrated against its own buffer reports (docs/MEMORY.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "ggufd/gguf/ggml_type.h"
#include "ggufd/gguf/gguf_file.h"

namespace ggufd::memory {

/// Where offloaded layers go; each backend has its own fixed per-process overhead.
enum class GpuBackend { none, cuda, rocm };

/// The llama-server settings the estimate depends on, as plain values. Defaults are
/// llama-server's own; params_from_args() reads them from a command line.
struct EstimateParams {
    GpuBackend gpu = GpuBackend::none;   ///< none: CPU only, whatever n_gpu_layers says
    int n_gpu_layers = -1;               ///< negative: all layers (ggufd's -1; "all"/"auto" in llama-server)
    std::optional<uint32_t> ctx_size;    ///< nullopt or 0: the model's training context
    std::optional<uint32_t> parallel;    ///< slots; nullopt: llama-server's auto (4, unified KV)
    std::optional<bool> kv_unified;      ///< nullopt: unified only when parallel is auto
    gguf::GgmlType cache_type_k = gguf::GgmlType::F16;
    gguf::GgmlType cache_type_v = gguf::GgmlType::F16;
    uint32_t batch = 2048;               ///< -b
    uint32_t ubatch = 512;               ///< -ub: tokens per compute step, sizes the compute buffer
    bool flash_attention = true;         ///< "-fa off" materialises attention scores (much larger compute)
    bool kv_offload = true;              ///< --no-kv-offload keeps the KV cache in host memory
    bool swa_full = false;               ///< --swa-full: sliding-window layers keep the whole context
    uint64_t projector_bytes = 0;        ///< tensor bytes of the --mmproj file; 0: no projector
    bool projector_offload = true;       ///< --no-mmproj-offload keeps the projector in host memory
};

/// Applies the llama-server flags in `args` that the estimate reads (-c, -np, -ngl, -ctk,
/// -ctv, -b, -ub, -fa, -kvu/-no-kvu, -nkvo, --swa-full, --no-mmproj-offload and their long
/// forms) on top of
/// `base`; later flags win, as in llama-server. Other flags are skipped. Throws
/// std::invalid_argument naming the flag when its value is missing or malformed.
EstimateParams params_from_args(std::span<const std::string> args, EstimateParams base = {});

/// Bytes of each kind in one place.
struct MemoryParts {
    uint64_t weights = 0;
    uint64_t kv_cache = 0;
    uint64_t compute = 0;   ///< compute buffer, plus the logits buffer on the host
    uint64_t overhead = 0;  ///< per process: runtime, libraries, vocabulary, GPU context
    uint64_t total() const;  ///< saturates rather than wraps (absurd headers give absurd sizes)
};

struct Estimate {
    MemoryParts device;  ///< on the GPU (all of it, across devices); zero when nothing is offloaded
    MemoryParts host;    ///< in system memory
    uint32_t context = 0;            ///< KV cells llama-server will allocate (after its padding)
    uint32_t offloaded_layers = 0;   ///< repeating layers on the GPU
    bool output_offloaded = false;   ///< the output layer (output, output_norm) on the GPU
    uint64_t device_projector = 0;   ///< of device.weights: the projector, whole on one GPU
    /// One line for logs and `ggufd models`: "GPU 1.5 GiB (weights 1.3 GiB for 16/16 layers +
    /// output, KV 128 MiB at 4096 x f16, compute 53 MiB, CUDA overhead 590 MiB); host 28 MiB".
    std::string explanation;

    uint64_t total() const;  ///< device + host, saturating
    /// What each of `devices` GPUs must have room for: an even share of the layers, plus the
    /// whole projector, since mtmd puts it on one GPU and llama.cpp chooses which.
    uint64_t device_share(size_t devices) const;
};

/// Per-process overheads. Host: a llama-server process beyond its buffers (binary text,
/// heap, threads, and the vocabulary's own tables) peaked at 12.3 MiB + 165 B per token for
/// vocabularies of 312 to 128k tokens (CPU build b10472); rounded up here. CUDA, on an
/// H200 (docs/GPU-HARDWARE-RUNS.md): 590 MiB beyond llama.cpp's projection. ROCm: the users'
/// own budget line (~200 MiB), not yet measured.
inline constexpr uint64_t kHostOverheadBytes = 14ull << 20;
inline constexpr uint64_t kHostOverheadBytesPerToken = 192;
inline constexpr uint64_t kCudaOverheadBytes = 590ull << 20;
inline constexpr uint64_t kRocmOverheadBytes = 200ull << 20;

/// The estimate for serving `file` with `params`. Throws gguf::FormatError when the header's
/// hyper-parameters are malformed, std::invalid_argument when the model lacks what the
/// estimate needs (an architecture, block_count, embedding and head counts).
Estimate estimate(const gguf::GgufFile& file, const EstimateParams& params);

}  // namespace ggufd::memory
