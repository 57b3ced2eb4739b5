// Doctor's verdicts on the config, the GPUs and the ports (see doctor_checks.h); the models'
// verdicts are in doctor_model_checks.cpp.
#include "doctor_checks.h"

#include <unistd.h>

#include <algorithm>

#include "ggufd/gpu/mask.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

std::string memory_text(const gpu::Device& device) {
    if (!device.memory.total_bytes) return "memory not reported (shared with the CPU)";
    std::string text = units::format_bytes(*device.memory.total_bytes);
    if (device.memory.used_bytes) text += ", " + units::format_bytes(*device.memory.used_bytes) + " in use";
    return text;
}

std::string chip_text(const gpu::Device& device) {
    return device.name + (device.arch.empty() ? "" : " (" + device.arch + ")");
}

bool in_mask(const gpu::Mask& mask, const gpu::Device& device) {
    return std::any_of(mask.visible.begin(), mask.visible.end(), [&](const gpu::DeviceRef& ref) {
        return ref.vendor == device.vendor && ref.index == device.index;
    });
}

Finding device_finding(const gpu::Device& device, const gpu::Mask& default_mask) {
    const std::string subject = std::string(gpu::to_string(device.vendor)) + " GPU " + std::to_string(device.index);
    const std::string facts = chip_text(device) + ", " + (device.integrated ? "integrated" : "discrete") + ", " +
                              memory_text(device);
    if (!device.integrated) return {"gpu", subject, Severity::ok, facts, ""};
    if (in_mask(default_mask, device)) {
        return {"gpu", subject, Severity::ok, facts + ": used by default, as there is no discrete GPU", ""};
    }
    const std::string index = std::to_string(device.index);
    return {"gpu", subject, Severity::info,
            facts + ": masked by default (llama-server would split tensors onto it and the load would crash)",
            "to use it anyway, set gpus = [" + index + "] for a service; on its own, not beside a discrete GPU"};
}

// The services' own port, or the config file's listen address.
std::string port_advice(const AddressCheck& address, const std::string& config_file) {
    const std::string port = std::to_string(address.port);
    const std::string who = "`ss -ltnp 'sport = :" + port + "'` shows which program holds it";
    if (address.is_service) return who + "; stop it, or change port in " + describe_location(address.defined_at);
    return who + "; stop it, or change " + address.owner + " in " + config_file;
}

Finding address_finding(const AddressCheck& address, const RunningGgufd& running, const std::string& config_file) {
    const std::string where = (address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host) +
                              ":" + std::to_string(address.port);
    const std::string role = address.is_service ? "port of service \"" + address.owner + "\"" : address.owner;
    Finding finding{"port", where, Severity::ok, role + ": free", ""};
    if (address.probe.free) return finding;
    if (!address.probe.in_use) {
        finding.severity = Severity::problem;
        finding.message = role + ": cannot be bound: " + address.probe.error;
        finding.action = address.is_service ? "change port in " + describe_location(address.defined_at)
                                            : "use an address of this machine for " + address.owner + " in " + config_file;
        return finding;
    }
    if (running.answers) {
        auto holder = running.services.find(address.port);
        if (!address.is_service) {
            finding.message = role + ": in use by this config's running ggufd (its /health answered)";
            return finding;
        }
        if (holder != running.services.end() && holder->second == address.owner) {
            finding.message = role + ": in use by that service, run by this config's running ggufd";
            return finding;
        }
        finding.severity = Severity::warning;
        finding.message = role + ": in use while a ggufd runs on this config" +
                          (holder != running.services.end() ? ", by its service \"" + holder->second + "\""
                                                            : ", not by one of its services that it reports");
        finding.action = "nothing to do if that ggufd serves this config (`ggufd status` shows it); otherwise " +
                         port_advice(address, config_file);
        return finding;
    }
    finding.severity = Severity::problem;
    finding.message = role + ": in use by another program" +
                      (address.is_service ? ": the service would fail to start" : ": ggufd could not listen there");
    finding.action = port_advice(address, config_file);
    return finding;
}

}  // namespace

std::vector<Finding> check_config(const LoadedConfig& loaded) {
    const config::LoadResult& result = loaded.result;
    std::vector<Finding> findings;
    for (const config::ConfigError& error : result.errors) {
        config::SourceLocation at{error.file, error.line};
        findings.push_back({"config", describe_location(at), Severity::problem,
                            (error.key.empty() ? "" : error.key + ": ") + error.message,
                            "correct it in the file; `ggufd check-config` lists every error"});
    }
    for (const std::string& warning : result.warnings) {
        findings.push_back({"config", loaded.described_source, Severity::warning, warning, ""});
    }
    if (!result.config) return findings;

    const config::Config& config = *result.config;
    const auto discovered = std::count_if(config.services.begin(), config.services.end(),
                                          [](const config::ServiceConfig& s) { return s.discovered; });
    const auto configured = static_cast<long>(config.services.size()) - discovered;
    const std::string models_dir = config.models_dir.empty() ? "(no models_dir)" : config.models_dir.string();
    if (config.services.empty()) {
        findings.push_back({"config", loaded.described_source, Severity::warning,
                            "valid, but there is nothing to serve: no [services] and no models in " + models_dir,
                            "put .gguf files into " + models_dir + ", or add [services.NAME] entries with a model"});
    } else {
        findings.push_back({"config", loaded.described_source, Severity::ok,
                            "valid: " + std::to_string(configured) + " configured service(s), " +
                                std::to_string(discovered) + " discovered in " + models_dir,
                            ""});
    }
    return findings;
}

std::vector<Finding> check_gpus(const gpu::Discovery& discovery, bool amd_gpu_in_use) {
    std::vector<Finding> findings;
    if (discovery.devices.empty()) {
        findings.push_back({"gpu", "-", Severity::info, "no GPUs found: every service runs on the CPU",
                            "if this machine has a GPU, its driver is not working: NVIDIA needs a working "
                            "nvidia-smi, AMD the amdgpu driver with /dev/kfd (see the notes below)"});
    }
    const auto default_mask = gpu::choose_mask(discovery.devices, std::nullopt);
    for (const gpu::Device& device : discovery.devices) {
        findings.push_back(device_finding(device, std::get<gpu::Mask>(default_mask)));
    }

    const gpu::KfdAccess& kfd = discovery.kfd;
    const bool kfd_locked = kfd.exists && !kfd.accessible;
    if (kfd_locked) {
        findings.push_back({"gpu", kfd.path.string(), amd_gpu_in_use ? Severity::problem : Severity::warning,
                            "not readable and writable by this user (uid " + std::to_string(::geteuid()) +
                                "): ROCm finds no GPU at all, so models run on the CPU or fail",
                            "add the user to the render and video groups (sudo usermod -aG render,video $USER), "
                            "then log in again and rerun `ggufd doctor`"});
    }
    // Discovery words the same /dev/kfd fact as a note for the daemon's log; the finding above
    // replaces it here, with a severity that depends on whether a service needs the GPU.
    const std::string kfd_note = kfd.path.string() + " exists but is not readable";
    for (const gpu::Note& note : discovery.notes) {
        if (kfd_locked && note.text.starts_with(kfd_note)) continue;
        findings.push_back({"gpu", "discovery", note.level == gpu::Note::Level::warning ? Severity::warning : Severity::info,
                            note.text, ""});
    }
    return findings;
}

std::vector<Finding> check_ports(const std::vector<AddressCheck>& addresses, const RunningGgufd& running,
                                 const std::string& config_file) {
    std::vector<Finding> findings;
    for (const AddressCheck& address : addresses) findings.push_back(address_finding(address, running, config_file));
    return findings;
}

}  // namespace ggufd::cli
