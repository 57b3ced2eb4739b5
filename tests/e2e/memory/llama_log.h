// The memory lines llama-server logs at -lv 4 (the memory breakdown and the buffer sizes),
// summed per kind: what the memory estimate is checked against.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace ggufd::test {

struct LlamaMemoryReport {
    double model_mib = 0;    ///< every "model buffer size" line
    double kv_mib = 0;       ///< every "KV buffer size" line
    double compute_mib = 0;  ///< every "compute buffer size" line
    double output_mib = 0;   ///< the first "output buffer size" line (logits)
    std::optional<double> projected_mib;  ///< "projected to use N MiB"
    int lines_seen = 0;
};

LlamaMemoryReport parse_memory_report(std::string_view log_text);
LlamaMemoryReport read_memory_report(const std::filesystem::path& log);

}  // namespace ggufd::test
