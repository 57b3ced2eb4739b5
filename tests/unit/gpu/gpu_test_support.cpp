#include "gpu_test_support.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ggufd::gpu::test {
namespace fs = std::filesystem;

fs::path fixture(const std::string& machine) { return fs::path(GGUFD_GPU_FIXTURES) / machine; }

CommandResult ReplayRunner::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const {
    calls.push_back(argv);
    timeouts.push_back(timeout);
    return results_[std::min(calls.size(), results_.size()) - 1];
}

CommandResult recorded_nvidia_smi(const std::string& machine) {
    CommandResult result;
    std::ifstream out(fixture(machine) / "nvidia-smi.out");
    if (!out) throw std::runtime_error("no recorded nvidia-smi output for " + machine);
    std::stringstream text;
    text << out.rdbuf();
    result.out = text.str();
    std::ifstream exit_code(fixture(machine) / "exit-code");
    if (exit_code) exit_code >> result.exit_code;
    return result;
}

CommandResult nvidia_smi_missing() {
    CommandResult result;
    result.status = CommandResult::Status::not_found;
    result.error = "nvidia-smi: No such file or directory";
    return result;
}

DiscoveryOptions options_for(const fs::path& root, const CommandRunner& runner) {
    DiscoveryOptions options;
    options.root = root;
    options.runner = &runner;
    options.can_open_rw = [](const fs::path&) { return true; };
    return options;
}

ScratchMachine::ScratchMachine(const std::string& machine) {
    std::string pattern = (fs::temp_directory_path() / "ggufd-gpu-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    fs::copy(fixture(machine), root_, fs::copy_options::recursive);
}

ScratchMachine::~ScratchMachine() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

void ScratchMachine::write(const std::string& relative, const std::string& text) const {
    std::ofstream(root_ / relative) << text;
}

void ScratchMachine::remove(const std::string& relative) const { fs::remove_all(root_ / relative); }

void ScratchMachine::swap_kfd_nodes(int a, int b) const {
    const fs::path nodes = root_ / "sys/class/kfd/kfd/topology/nodes";
    fs::rename(nodes / std::to_string(a), nodes / "swapping");
    fs::rename(nodes / std::to_string(b), nodes / std::to_string(a));
    fs::rename(nodes / "swapping", nodes / std::to_string(b));
}

}  // namespace ggufd::gpu::test
