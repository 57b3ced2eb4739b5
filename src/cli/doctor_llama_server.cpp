// Finding, asking and judging llama-server (see doctor_llama_server.h).
#include "doctor_llama_server.h"

#include <cctype>

namespace ggufd::cli {
namespace {

constexpr const char* kUpdateAdvice = "install a recent llama.cpp build (ggufd is tested with b10472)";

// llama-server prints --version to stderr, --help and --list-devices to stdout; search both.
std::string output_of(const gpu::CommandResult& result) { return result.out + result.err; }

std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return "";
    size_t start = text.rfind('\n', end);
    start = start == std::string::npos ? 0 : start + 1;
    std::string line = text.substr(start, end - start + 1);
    return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

// "exited with code 127 (error while loading shared libraries: libcudart.so.13 ...)".
std::string how_it_ended(const gpu::CommandResult& result) {
    std::string text;
    switch (result.status) {
        case gpu::CommandResult::Status::not_found: return "was not found";
        case gpu::CommandResult::Status::failed_to_start: return "could not be started: " + result.error;
        case gpu::CommandResult::Status::timed_out:
            text = "did not finish within " + std::to_string(kLlamaServerProbeTimeout.count()) + " s";
            break;
        case gpu::CommandResult::Status::exited:
            text = result.term_signal ? "was killed by signal " + std::to_string(result.term_signal)
                                      : "exited with code " + std::to_string(result.exit_code);
            break;
    }
    std::string last = last_line(output_of(result));
    return last.empty() ? text : text + " (" + last + ")";
}

bool is_flag_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// Where `flag` appears as a whole option name ("--model", not "--model-url"); npos if nowhere.
size_t find_flag(std::string_view help, std::string_view flag) {
    for (size_t at = help.find(flag); at != std::string_view::npos; at = help.find(flag, at + 1)) {
        const bool starts = at == 0 || !is_flag_char(help[at - 1]);
        const size_t after = at + flag.size();
        const bool ends = after == help.size() || !is_flag_char(help[after]);
        if (starts && ends) return at;
    }
    return std::string_view::npos;
}

// The description of the option at `at`: up to the next line that starts another option.
std::string_view option_text(std::string_view help, size_t at) {
    size_t end = help.find("\n-", at);
    return help.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
}

std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

Finding finding(const LlamaServerProbe& probe, Severity severity, std::string message, std::string action = "") {
    return {"llama-server", probe.path.value_or(probe.configured), severity, std::move(message), std::move(action)};
}

Finding version_finding(const LlamaServerProbe& probe, const gpu::CommandResult& version) {
    const std::string output = output_of(version);
    const std::string where = probe.found_on_path ? " (found on PATH)" : "";
    std::optional<int> build = parse_build_number(output);
    if (!build) {
        return finding(probe, Severity::warning,
                       "`--version` printed no build number" + where + ": \"" + last_line(output) + "\"",
                       "make sure llama_server names llama.cpp's llama-server; " + std::string(kUpdateAdvice));
    }
    const std::string line = "build " + std::to_string(*build) + where;
    if (*build < kOldestKnownGoodBuild) {
        return finding(probe, Severity::warning,
                       line + ": older than any build ggufd has been seen to work with (b" +
                           std::to_string(kOldestKnownGoodBuild) + ")",
                       "if a service misbehaves, " + std::string(kUpdateAdvice));
    }
    return finding(probe, Severity::ok, line);
}

Finding devices_finding(const LlamaServerProbe& probe, const gpu::CommandResult& devices,
                        const LlamaServerNeeds& needs) {
    // The list is on stdout; a GPU build logs its runtime's own device lines (also indented) on
    // stderr, which must not be read as part of it.
    std::optional<std::vector<std::string>> listed = parse_device_list(devices.out);
    if (!listed) listed = parse_device_list(devices.err);
    if (!devices.succeeded() || !listed) {
        return finding(probe, Severity::info, "could not list the devices it sees: `--list-devices` " + how_it_ended(devices));
    }
    if (!listed->empty()) return finding(probe, Severity::ok, "sees " + join(*listed));
    if (needs.gpus_in_use.empty()) return finding(probe, Severity::ok, "sees no GPU: a CPU build, and no GPU is in use");
    return finding(probe, Severity::warning,
                   "sees no GPU, yet services would be given " + join(needs.gpus_in_use) +
                       ": every model will run on the CPU",
                   "use a llama-server built for these GPUs (CUDA or ROCm/HIP), or find out why it cannot open "
                   "them: run `" + probe.path.value_or(probe.configured) + " --list-devices`");
}

}  // namespace

LlamaServerProbe probe_llama_server(const std::string& configured, const gpu::CommandRunner& runner) {
    LlamaServerProbe probe;
    probe.configured = configured;
    probe.path = find_executable(configured);
    if (!probe.path) return probe;
    probe.found_on_path = configured.find('/') == std::string::npos;
    probe.version = runner.run({*probe.path, "--version"}, kLlamaServerProbeTimeout);
    if (!probe.version->succeeded()) return probe;
    probe.help = runner.run({*probe.path, "--help"}, kLlamaServerProbeTimeout);
    probe.devices = runner.run({*probe.path, "--list-devices"}, kLlamaServerProbeTimeout);
    return probe;
}

std::optional<int> parse_build_number(std::string_view output) {
    constexpr std::string_view kKey = "version: ";
    size_t at = output.find(kKey);
    if (at == std::string_view::npos) return std::nullopt;
    at += kKey.size();
    int build = 0;
    size_t digits = 0;
    for (; at < output.size() && std::isdigit(static_cast<unsigned char>(output[at])) && digits < 9; ++at, ++digits) {
        build = build * 10 + (output[at] - '0');
    }
    return digits ? std::optional(build) : std::nullopt;
}

std::vector<std::string> missing_flags(std::string_view help, const std::vector<std::string>& required) {
    constexpr std::string_view kAllLayers = "--n-gpu-layers all";
    std::vector<std::string> missing;
    for (const std::string& flag : required) {
        if (flag == kAllLayers) {
            size_t at = find_flag(help, "--n-gpu-layers");
            if (at == std::string_view::npos || option_text(help, at).find("'all'") == std::string_view::npos) {
                missing.push_back(flag);
            }
        } else if (find_flag(help, flag) == std::string_view::npos) {
            missing.push_back(flag);
        }
    }
    return missing;
}

std::optional<std::vector<std::string>> parse_device_list(std::string_view output) {
    constexpr std::string_view kHeader = "Available devices:";
    size_t at = output.find(kHeader);
    if (at == std::string_view::npos) return std::nullopt;
    std::vector<std::string> devices;
    std::string_view rest = output.substr(at + kHeader.size());
    while (!rest.empty()) {
        size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos) continue;
        // Device lines are indented; anything else (a log line, the next section) ends the list.
        if (first == 0) break;
        line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
        if (line != "(none)") devices.emplace_back(line);
    }
    return devices;
}

std::vector<std::string> required_flags(const LlamaServerNeeds& needs) {
    std::vector<std::string> flags = {"--host", "--port", "--model", "--alias", "--n-gpu-layers all"};
    if (needs.mmproj) flags.push_back("--mmproj");
    if (needs.cpu_only) flags.push_back("--device");
    return flags;
}

std::vector<Finding> check_llama_server(const LlamaServerProbe& probe, const LlamaServerNeeds& needs) {
    if (!probe.path) {
        if (!needs.used) {
            return {finding(probe, Severity::info, "not found; no service runs llama-server, so none is needed")};
        }
        // The daemon says the same, at startup and in the service's status.
        supervisor::ServiceProblem missing = supervisor::llama_server_missing(probe.configured);
        return {finding(probe, Severity::problem, missing.message, missing.fix)};
    }
    const gpu::CommandResult& version = *probe.version;
    if (!version.succeeded()) {
        return {finding(probe, needs.used ? Severity::problem : Severity::warning,
                        "`--version` " + how_it_ended(version),
                        "run `" + *probe.path + " --version` by hand to see why (a missing shared library, a GPU "
                        "runtime that does not load), and fix that or point llama_server at a build that runs")};
    }
    std::vector<Finding> findings{version_finding(probe, version)};
    if (probe.help) {
        std::vector<std::string> missing = missing_flags(output_of(*probe.help), required_flags(needs));
        if (!probe.help->succeeded() && missing.size() == required_flags(needs).size()) {
            findings.push_back(finding(probe, Severity::warning,
                                       "could not check the flags it accepts: `--help` " + how_it_ended(*probe.help),
                                       "run `" + *probe.path + " --help` by hand to see why"));
        } else if (!missing.empty()) {
            findings.push_back(finding(probe, needs.used ? Severity::problem : Severity::warning,
                                       "does not accept " + join(missing) + ", which ggufd passes to llama-server",
                                       kUpdateAdvice));
        }
    }
    if (probe.devices) findings.push_back(devices_finding(probe, *probe.devices, needs));
    return findings;
}

}  // namespace ggufd::cli
