// Test doubles for the GPU part: a CommandRunner that replays a recorded nvidia-smi answer, the
// path of a recorded machine, and a scratch copy of one that a test may alter.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ggufd/gpu/command_runner.h"
#include "ggufd/gpu/discovery.h"

namespace ggufd::gpu::test {

/// tests/fixtures/gpu/<machine>
std::filesystem::path fixture(const std::string& machine);

/// Answers every call with `result` and remembers the argv it was given.
class ReplayRunner final : public CommandRunner {
public:
    explicit ReplayRunner(CommandResult result) : results_{std::move(result)} {}
    /// Answers call i with results[i], and later calls with the last one.
    explicit ReplayRunner(std::vector<CommandResult> results) : results_(std::move(results)) {}

    CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const override;

    mutable std::vector<std::vector<std::string>> calls;
    mutable std::vector<std::chrono::milliseconds> timeouts;

private:
    std::vector<CommandResult> results_;
};

/// What nvidia-smi answered on a recorded machine: <machine>/nvidia-smi.out as stdout, and
/// <machine>/exit-code when the recording failed.
CommandResult recorded_nvidia_smi(const std::string& machine);

/// The answer on a machine without nvidia-smi.
CommandResult nvidia_smi_missing();

/// Options reading `root` and asking `runner`, with every device node accessible.
DiscoveryOptions options_for(const std::filesystem::path& root, const CommandRunner& runner);

/// A private copy of a recorded machine, removed when the test ends.
class ScratchMachine {
public:
    explicit ScratchMachine(const std::string& machine);
    ~ScratchMachine();
    ScratchMachine(const ScratchMachine&) = delete;
    ScratchMachine& operator=(const ScratchMachine&) = delete;

    const std::filesystem::path& root() const { return root_; }
    /// Writes `text` to the file at `relative` under the copy.
    void write(const std::string& relative, const std::string& text) const;
    void remove(const std::string& relative) const;
    /// Swaps two KFD topology nodes, as if the kernel had probed the GPUs the other way round.
    void swap_kfd_nodes(int a, int b) const;

private:
    std::filesystem::path root_;
};

}  // namespace ggufd::gpu::test
