#include "launch_plan.h"

#include <charconv>
#include <map>
#include <string_view>

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
    // server try and fail. `--device none` rather than `--n-gpu-layers 0`, which makes every
    // CPU-only child print three "no usable GPU found" warnings.
    if (in.gpus.devices.empty()) {
        argv.insert(argv.end(), {"--device", "none"});
    } else {
        argv.insert(argv.end(), {"--n-gpu-layers", s.n_gpu_layers < 0 ? "all" : std::to_string(s.n_gpu_layers)});
    }
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

// What systemd hands the daemon alone: a child that saw NOTIFY_SOCKET could report READY=1 or
// STOPPING=1 for ggufd, and the watchdog and socket-activation variables name ggufd's pid.
bool meant_for_the_daemon_only(std::string_view name) {
    for (std::string_view own : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
                                 "LISTEN_FDNAMES"}) {
        if (name == own) return true;
    }
    return false;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
    // Each item is "N" or "N-M" with nothing else around the numbers, as config validation says.
    auto cpu = [](std::string_view digits, int& out) {
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && out >= 0 && out <= 4095;
    };
    std::vector<int> cpus;
    std::string_view rest = text;
    while (true) {
        size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        size_t dash = item.find('-');
        int first = 0;
        int last = 0;
        if (!cpu(item.substr(0, dash), first)) return {};
        if (dash == std::string_view::npos) last = first;
        else if (!cpu(item.substr(dash + 1), last)) return {};
        if (last < first) return {};
        for (int n = first; n <= last; ++n) cpus.push_back(n);
        if (comma == std::string_view::npos) return cpus;
        rest.remove_prefix(comma + 1);
    }
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
        if (eq == std::string::npos || eq == 0 || meant_for_the_daemon_only(std::string_view(entry).substr(0, eq))) continue;
        set(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [name, value] : s.env) set(name, value);
    for (const auto& [name, value] : in.gpus.environment) set(name, value);
    for (const auto& name : order) plan.env.push_back(name + "=" + env[name]);

    if (s.cpu_affinity) plan.cpu_affinity = parse_cpu_list(*s.cpu_affinity);
    return plan;
}

}  // namespace ggufd::supervisor
