#include "nvidia_discovery.h"

#include <algorithm>
#include <optional>

#include "nvidia_smi_csv.h"
#include "pci_address.h"
#include "ggufd/util/units.h"

namespace ggufd::gpu {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

struct QueryOutcome {
    std::optional<NvidiaSmiTable> table;  // nullopt: nvidia-smi gave no usable answer
    std::vector<Note> notes;
};

// The first two non-empty lines of what a failing command said, for a one-line note.
std::string first_lines(const std::string& text) {
    std::string result;
    int lines = 0;
    size_t start = 0;
    while (start < text.size() && lines < 2) {
        size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        result += (lines++ ? " / " : "") + line;
    }
    return result;
}

QueryOutcome query(const CommandRunner& runner, const std::string& program, std::chrono::milliseconds timeout) {
    const std::vector<std::string> argv{program, std::string(kNvidiaSmiQuery), std::string(kNvidiaSmiFormat)};
    CommandResult result = runner.run(argv, timeout);
    QueryOutcome outcome;
    switch (result.status) {
        case CommandResult::Status::not_found:
            outcome.notes.push_back({Note::Level::info, "nvidia-smi not found (\"" + program +
                                                            "\" is not on PATH): no NVIDIA GPUs assumed"});
            return outcome;
        case CommandResult::Status::failed_to_start:
            outcome.notes.push_back({Note::Level::warning, "could not start " + program + ": " + result.error +
                                                               "; NVIDIA GPUs unknown"});
            return outcome;
        case CommandResult::Status::timed_out:
            outcome.notes.push_back({Note::Level::warning,
                                     program + " did not answer within " + units::format_duration(timeout) +
                                         " and was killed (a hung NVIDIA driver?); NVIDIA GPUs unknown"});
            return outcome;
        case CommandResult::Status::exited:
            break;
    }
    if (!result.succeeded()) {
        std::string how = result.term_signal ? "killed by signal " + std::to_string(result.term_signal)
                                             : "exit " + std::to_string(result.exit_code);
        std::string said = first_lines(result.err.empty() ? result.out : result.err);
        outcome.notes.push_back({Note::Level::warning, program + " failed (" + how + ")" +
                                                           (said.empty() ? "" : ": " + said) +
                                                           "; NVIDIA GPUs unknown"});
        return outcome;
    }
    outcome.table = parse_nvidia_smi_csv(result.out);
    for (const std::string& error : outcome.table->errors) {
        outcome.notes.push_back({Note::Level::warning, "nvidia-smi output " + error + "; that GPU is left out"});
    }
    return outcome;
}

void set_memory(Device& device, const NvidiaSmiRow& row) {
    auto bytes = [](std::optional<uint64_t> mib) { return mib ? std::optional<uint64_t>(*mib * kMiB) : std::nullopt; };
    device.memory = {bytes(row.total_mib), bytes(row.used_mib), bytes(row.free_mib)};
    device.source.memory = "nvidia-smi memory.total, memory.used, memory.free";
}

Device make_device(int index, const NvidiaSmiRow& row, const PciAddress& address) {
    Device device;
    device.vendor = Vendor::nvidia;
    device.index = index;
    device.name = row.name;
    device.pci_bus_id = address.to_string();
    device.uuid = row.uuid;
    device.source.listing = "nvidia-smi GPU " + std::to_string(row.index) + ", number " +
                            std::to_string(index) + " in PCI bus order (CUDA_DEVICE_ORDER=PCI_BUS_ID)";
    device.source.name = "nvidia-smi";
    set_memory(device, row);
    device.integrated = !row.total_mib;
    device.source.integrated =
        device.integrated ? "nvidia-smi reports no dedicated memory (memory.total unavailable): a "
                            "unified-memory GPU such as GB10 or Jetson"
                          : "nvidia-smi reports " + units::format_bytes(*row.total_mib * kMiB) +
                                " of dedicated memory";
    return device;
}

}  // namespace

NvidiaDiscovery discover_nvidia(const CommandRunner& runner, const std::string& nvidia_smi,
                                std::chrono::milliseconds timeout) {
    QueryOutcome outcome = query(runner, nvidia_smi, timeout);
    NvidiaDiscovery result{{}, std::move(outcome.notes)};
    if (!outcome.table) return result;

    std::vector<std::pair<PciAddress, const NvidiaSmiRow*>> placed;
    for (const NvidiaSmiRow& row : outcome.table->rows) {
        if (auto address = parse_pci_address(row.pci_bus_id)) {
            placed.emplace_back(*address, &row);
        } else {
            result.notes.push_back({Note::Level::warning, "nvidia-smi GPU " + std::to_string(row.index) +
                                                              " has an unreadable PCI bus id \"" + row.pci_bus_id +
                                                              "\"; it is left out"});
        }
    }
    std::sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < placed.size(); ++i) {
        const NvidiaSmiRow& row = *placed[i].second;
        if (row.index != static_cast<int>(i)) {
            result.notes.push_back({Note::Level::info,
                                    "nvidia-smi calls " + row.uuid + " GPU " + std::to_string(row.index) +
                                        " but CUDA in PCI bus order calls it " + std::to_string(i) +
                                        "; ggufd's `gpus` uses " + std::to_string(i)});
        }
        result.devices.push_back(make_device(static_cast<int>(i), row, placed[i].first));
    }
    return result;
}

std::vector<Note> refresh_nvidia_memory(std::vector<Device>& devices, const CommandRunner& runner,
                                        const std::string& nvidia_smi, std::chrono::milliseconds timeout) {
    auto is_nvidia = [](const Device& d) { return d.vendor == Vendor::nvidia; };
    if (std::none_of(devices.begin(), devices.end(), is_nvidia)) return {};

    QueryOutcome outcome = query(runner, nvidia_smi, timeout);
    for (Device& device : devices) {
        if (!is_nvidia(device)) continue;
        const NvidiaSmiRow* match = nullptr;
        if (outcome.table) {
            for (const NvidiaSmiRow& row : outcome.table->rows) {
                auto address = parse_pci_address(row.pci_bus_id);
                if (address && address->to_string() == device.pci_bus_id) match = &row;
            }
        }
        if (match) {
            set_memory(device, *match);
            continue;
        }
        device.memory = {};
        if (outcome.table) {
            outcome.notes.push_back({Note::Level::warning, "NVIDIA GPU " + std::to_string(device.index) + " (" +
                                                               device.pci_bus_id +
                                                               ") is no longer listed by nvidia-smi; its memory is unknown"});
        }
    }
    return std::move(outcome.notes);
}

}  // namespace ggufd::gpu
