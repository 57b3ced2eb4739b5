// `ggufd doctor`: gathers the facts (config, llama-server, GPUs, models, ports), hands them to
// the verdicts in doctor_checks.h and doctor_llama_server.h, and prints the report. This file
// owns the order of the checks; it decides nothing itself.
#include "doctor.h"

#include <algorithm>
#include <cstdio>

#include "config_source.h"
#include "doctor_checks.h"
#include "doctor_llama_server.h"
#include "doctor_probes.h"
#include "doctor_report.h"
#include "ggufd/gpu/discovery.h"
#include "ggufd/gpu/mask.h"
#include "models_host_memory.h"
#include "models_survey.h"

namespace ggufd::cli {
namespace {

// The discovered GPUs that some service would be given (with no services yet, the default
// mask's), each once.
std::vector<const gpu::Device*> devices_in_use(const config::Config& config, const std::vector<gpu::Device>& devices) {
    std::vector<std::optional<std::vector<int>>> settings;
    for (const auto& service : config.services) settings.push_back(service.gpus);
    if (settings.empty()) settings.push_back(std::nullopt);
    std::vector<const gpu::Device*> used;
    for (const auto& setting : settings) {
        auto mask = gpu::choose_mask(devices, setting);
        if (!std::holds_alternative<gpu::Mask>(mask)) continue;
        for (const gpu::DeviceRef& ref : std::get<gpu::Mask>(mask).visible) {
            for (const gpu::Device& device : devices) {
                const bool same = device.vendor == ref.vendor && device.index == ref.index;
                if (same && std::find(used.begin(), used.end(), &device) == used.end()) used.push_back(&device);
            }
        }
    }
    return used;
}

LlamaServerNeeds needs_of(const config::Config& config, const std::vector<gpu::Device>& devices,
                          const std::vector<const gpu::Device*>& in_use) {
    LlamaServerNeeds needs;
    needs.used = config.services.empty();
    for (const auto& service : config.services) {
        if (!service.command.empty()) continue;
        needs.used = true;
        needs.mmproj = needs.mmproj || service.mmproj.has_value();
        auto mask = gpu::choose_mask(devices, service.gpus);
        needs.cpu_only = needs.cpu_only || (std::holds_alternative<gpu::Mask>(mask) && std::get<gpu::Mask>(mask).cpu_only());
    }
    for (const gpu::Device* device : in_use) {
        needs.gpus_in_use.push_back("GPU " + std::to_string(device->index) + " (" + device->name + ")");
    }
    return needs;
}

std::vector<AddressCheck> addresses_of(const config::Config& config) {
    std::vector<AddressCheck> addresses;
    auto listener = [](const std::string& owner, const config::ListenAddress& address) {
        return AddressCheck{owner, false, address.host, address.port, {}, probe_port(address.host, address.port)};
    };
    addresses.push_back(listener("listen", config.listen));
    if (config.admin_listen) addresses.push_back(listener("admin_listen", *config.admin_listen));
    for (const auto& service : config.services) {
        if (!service.port) continue;
        // Children bind 127.0.0.1 (launch_plan.cpp); a `command` that binds elsewhere still clashes there.
        addresses.push_back({service.name, true, "127.0.0.1", *service.port, service.defined_at,
                             probe_port("127.0.0.1", *service.port)});
    }
    return addresses;
}

void check_served_config(const config::Config& config, const gpu::Discovery& gpus, DoctorReport& report) {
    const auto in_use = devices_in_use(config, gpus.devices);
    report.add(check_llama_server(probe_llama_server(config.llama_server.string(), gpu::process_runner()),
                                  needs_of(config, gpus.devices, in_use)));
    const bool amd_in_use = std::any_of(in_use.begin(), in_use.end(),
                                        [](const gpu::Device* d) { return d->vendor == gpu::Vendor::amd; });
    report.add(check_gpus(gpus, amd_in_use));

    SurveyContext context{gpus.devices, config.memory, host_memory_bytes(), {}};
    report.add(check_models(survey_models(config, context)));

    std::vector<AddressCheck> addresses = addresses_of(config);
    // Only a taken front door raises the question whose it is.
    const RunningGgufd running = addresses.front().probe.free ? RunningGgufd{} : probe_running_ggufd(config);
    const std::string file = config.source_file.empty() ? "a config file" : config.source_file.string();
    report.add(check_ports(addresses, running, file));
}

}  // namespace

int run_doctor(const DoctorOptions& options) {
    LoadedConfig loaded = load_config(options.config_path);
    DoctorReport report;
    report.config_source = loaded.described_source;
    report.add(check_config(loaded));

    const gpu::Discovery gpus = gpu::discover(gpu::DiscoveryOptions::from_environment());
    if (loaded.result.config) {
        check_served_config(*loaded.result.config, gpus, report);
    } else {
        report.add(check_gpus(gpus, false));
        report.findings.push_back({"config", loaded.described_source, Severity::info,
                                   "llama-server, models and ports were not checked: they depend on the config",
                                   "fix the config errors above first"});
    }

    if (options.json) {
        std::printf("%s\n", to_json(report).dump(2).c_str());
    } else {
        std::fputs(render_text(report).c_str(), stdout);
    }
    return report.exit_code();
}

}  // namespace ggufd::cli
