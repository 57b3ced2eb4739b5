// `ggufd doctor`'s look at llama-server: find the configured binary, ask it for its build
// (--version), the flags it accepts (--help) and the devices it sees (--list-devices), and judge
// the answers. Commands go through an injectable runner; parsing and verdicts are pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doctor_report.h"
#include "ggufd/gpu/command_runner.h"
#include "ggufd/supervisor/service_checks.h"

namespace ggufd::cli {

/// Each llama-server command may take this long: a GPU build initialises its runtime first,
/// and a hung driver must not hang doctor.
inline constexpr std::chrono::seconds kLlamaServerProbeTimeout{10};

/// The floor, decided by what ggufd relies on rather than by a date: every flag ggufd passes
/// must be in --help (that is a problem when missing: the child would refuse to start), and a
/// build older than the oldest one ggufd has been seen to work with (b9749) is
/// a warning. ggufd's formulas and tests follow kTestedBuild. docs/CLI.md says the same.
inline constexpr int kOldestKnownGoodBuild = 9749;
inline constexpr int kTestedBuild = 10472;

/// What the configured llama-server said. Commands after --version run only when it succeeded.
struct LlamaServerProbe {
    std::string configured;                 ///< `llama_server` as configured (or GGUFD_LLAMA_SERVER)
    std::optional<std::string> path;        ///< the executable found; nullopt: none
    bool found_on_path = false;             ///< `configured` was a bare name searched on PATH
    std::optional<gpu::CommandResult> version;  ///< --version
    std::optional<gpu::CommandResult> help;     ///< --help
    std::optional<gpu::CommandResult> devices;  ///< --list-devices
};

/// `name` itself when it contains a '/', else the first match in `path_list` (PATH's format);
/// a match must be a regular file this user may execute. The daemon finds programs the same way.
using supervisor::find_executable;

/// Finds and runs the configured llama-server (PATH from the environment).
LlamaServerProbe probe_llama_server(const std::string& configured, const gpu::CommandRunner& runner);

/// The build number in `--version` output ("version: 10472 (d32676d)"); nullopt when absent.
std::optional<int> parse_build_number(std::string_view output);

/// The flags of `required` that `help` does not list. "--n-gpu-layers all" is a pseudo-flag:
/// --n-gpu-layers must be listed and its description must offer 'all', which ggufd passes.
std::vector<std::string> missing_flags(std::string_view help, const std::vector<std::string>& required);

/// The devices `--list-devices` printed ("CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80548 MiB
/// free)"): empty for "(none)", nullopt when the output has no device list at all.
std::optional<std::vector<std::string>> parse_device_list(std::string_view output);

/// What the configuration needs from llama-server.
struct LlamaServerNeeds {
    bool used = true;                     ///< a service runs llama-server (or none is configured yet)
    bool mmproj = false;                  ///< a llama-server service loads a projector (--mmproj)
    std::vector<std::string> gpus_in_use; ///< "GPU 0 (NVIDIA H100)": what services would be given
    bool cpu_only = false;                ///< a llama-server service sees no GPU (--device none)
};

/// The flags every llama-server child gets (launch plan), plus --mmproj and --device when needed.
std::vector<std::string> required_flags(const LlamaServerNeeds& needs);

/// Verdicts on a probe; `probe.version` must be set whenever `probe.path` is, as
/// probe_llama_server() does.
std::vector<Finding> check_llama_server(const LlamaServerProbe& probe, const LlamaServerNeeds& needs);

}  // namespace ggufd::cli
