// Facts the cli tests inject: GPUs as discovery would report them, services as the config
// would hold them, and tiny GGUF headers read from memory instead of disk.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>

#include "ggufd/config/config.h"
#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/gpu/device.h"
#include "models_survey.h"

namespace ggufd::cli::test {

inline constexpr uint64_t kGiB = 1ull << 30;

inline gpu::Device nvidia(int index, std::optional<uint64_t> total = 80 * kGiB, std::string name = "NVIDIA H100") {
    gpu::Device device;
    device.vendor = gpu::Vendor::nvidia;
    device.index = index;
    device.name = std::move(name);
    device.memory.total_bytes = total;
    if (total) device.memory.used_bytes = 0;
    device.integrated = !total;  // as discovery decides for unified-memory parts
    return device;
}

inline gpu::Device amd(int index, bool integrated, uint64_t total, std::string arch) {
    gpu::Device device;
    device.vendor = gpu::Vendor::amd;
    device.index = index;
    device.name = integrated ? "AMD Radeon Graphics" : "AMD Radeon RX 7800 XT";
    device.arch = std::move(arch);
    device.integrated = integrated;
    device.memory.total_bytes = total;
    device.memory.used_bytes = 0;
    return device;
}

inline config::ServiceConfig service(std::string name, std::string model) {
    config::ServiceConfig s;
    s.name = std::move(name);
    s.model = std::move(model);
    s.defined_at = {"/etc/ggufd/ggufd.toml", 12};
    return s;
}

/// A header reader over named in-memory files: "tiny.gguf" is a valid tiny llama; other names
/// hold what `files` says, and any name not there is missing.
class FakeFiles {
public:
    FakeFiles() { files_["tiny.gguf"] = gguf::tiny_llama({}).to_bytes(); }
    void add(const std::string& name, std::vector<uint8_t> bytes) { files_[name] = std::move(bytes); }
    void add_tiny(const std::string& name, const gguf::TinyLlamaSpec& spec) { files_[name] = gguf::tiny_llama(spec).to_bytes(); }
    void deny(const std::string& name) { denied_.insert(name); }

    HeaderReader reader() const {
        return [this](const std::filesystem::path& path) {
            const std::string name = path.string();
            if (denied_.contains(name)) {
                throw std::system_error(std::make_error_code(std::errc::permission_denied), name + ": cannot open");
            }
            auto it = files_.find(name);
            if (it == files_.end()) {
                throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory), name + ": cannot open");
            }
            return gguf::parse(it->second, name);
        };
    }

private:
    std::map<std::string, std::vector<uint8_t>> files_;
    std::set<std::string> denied_;
};

}  // namespace ggufd::cli::test
