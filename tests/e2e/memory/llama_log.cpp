// Parsing llama-server's memory report lines, e.g.
//   "load_tensors:   CPU_Mapped model buffer size =     5.11 MiB"
//   "common_params_fit_impl: projected to use 13 MiB of host memory vs. ..."
#include "llama_log.h"

#include <fstream>
#include <sstream>
#include <string>

namespace ggufd::test {
namespace {

/// The number after "= " in a "... size = X MiB" line.
double size_after_equals(const std::string& line) {
    const auto eq = line.rfind("= ");
    return eq == std::string::npos ? 0 : std::stod(line.substr(eq + 2));
}

}  // namespace

LlamaMemoryReport parse_memory_report(std::string_view log_text) {
    LlamaMemoryReport report;
    std::istringstream in{std::string(log_text)};
    bool output_seen = false;
    for (std::string line; std::getline(in, line);) {
        if (line.find("model buffer size") != std::string::npos) {
            report.model_mib += size_after_equals(line);
        } else if (line.find("KV buffer size") != std::string::npos) {
            report.kv_mib += size_after_equals(line);
        } else if (line.find("compute buffer size") != std::string::npos) {
            report.compute_mib += size_after_equals(line);
        } else if (line.find("output buffer size") != std::string::npos && !output_seen) {
            report.output_mib = size_after_equals(line);
            output_seen = true;
        } else if (auto at = line.find("projected to use "); at != std::string::npos && !report.projected_mib) {
            report.projected_mib = std::stod(line.substr(at + 17));
        } else {
            continue;
        }
        ++report.lines_seen;
    }
    return report;
}

LlamaMemoryReport read_memory_report(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return parse_memory_report(text.str());
}

}  // namespace ggufd::test
