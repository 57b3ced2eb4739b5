#include "launch_plan.h"

#include <map>
#include <sstream>

namespace ggufd::supervisor {
namespace {

void replace_all(std::string& text, std::string_view pattern, const std::string& value) {
    for (size_t at = text.find(pattern); at != std::string::npos; at = text.find(pattern, at + value.size())) {
        text.replace(at, pattern.size(), value);
    }
}

std::vector<std::string> llama_server_argv(const LaunchInputs& in) {
    const config::ServiceConfig& s = *in.service;
    std::vector<std::string> argv = {in.llama_server, "--host", "127.0.0.1", "--port", std::to_string(in.port),
                                     "--model", s.model.string()};
    if (s.ctx_size) argv.insert(argv.end(), {"--ctx-size", std::to_string(*s.ctx_size)});
    // No visible device means nothing can be offloaded: say so explicitly rather than let the
    // server try and fail.
    std::string layers = in.gpus.devices.empty() ? "0" : s.n_gpu_layers < 0 ? "all" : std::to_string(s.n_gpu_layers);
    argv.insert(argv.end(), {"--n-gpu-layers", layers});
    if (s.parallel) argv.insert(argv.end(), {"--parallel", std::to_string(*s.parallel)});
    argv.insert(argv.end(), {"--alias", s.name});
    if (s.mmproj) argv.insert(argv.end(), {"--mmproj", s.mmproj->string()});
    argv.insert(argv.end(), s.args.begin(), s.args.end());
    return argv;
}

std::vector<std::string> command_argv(const LaunchInputs& in) {
    std::vector<std::string> argv = in.service->command;
    const std::string port = std::to_string(in.port);
    const std::string model = in.service->model.string();
    for (auto& arg : argv) {
        replace_all(arg, "{port}", port);
        replace_all(arg, "{model}", model);
    }
    // A full command is taken as written: llama-server settings and `args` do not apply.
    return argv;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
    std::vector<int> cpus;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        size_t dash = part.find('-');
        try {
            int first = std::stoi(part.substr(0, dash));
            int last = dash == std::string::npos ? first : std::stoi(part.substr(dash + 1));
            if (first < 0 || last < first || last > 4095) return {};
            for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
        } catch (const std::exception&) {
            return {};
        }
    }
    return cpus;
}

LaunchPlan build_launch_plan(const LaunchInputs& in) {
    const config::ServiceConfig& s = *in.service;
    LaunchPlan plan;
    plan.argv = s.command.empty() ? llama_server_argv(in) : command_argv(in);
    plan.executable = plan.argv.front();

    // Later entries win: the daemon's environment, then the service's env, then GPU masking
    // (which the service cannot accidentally undo through `env`; it sets `gpus` instead).
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    auto set = [&](const std::string& name, const std::string& value) {
        if (env.emplace(name, value).second) order.push_back(name);
        else env[name] = value;
    };
    for (const auto& entry : in.inherited_env) {
        size_t eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        set(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [name, value] : s.env) set(name, value);
    for (const auto& [name, value] : in.gpus.environment) set(name, value);
    for (const auto& name : order) plan.env.push_back(name + "=" + env[name]);

    if (s.cpu_affinity) plan.cpu_affinity = parse_cpu_list(*s.cpu_affinity);
    return plan;
}

}  // namespace ggufd::supervisor
