#include "nvidia_smi_csv.h"

#include <charconv>

namespace ggufd::gpu {
namespace {

constexpr size_t kFields = 7;

std::string_view trim(std::string_view text) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> split_commas(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        size_t comma = line.find(',', start);
        fields.push_back(trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
        if (comma == std::string_view::npos) return fields;
        start = comma + 1;
    }
}

bool parse_number(std::string_view text, uint64_t& out) {
    auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && rest == text.data() + text.size();
}

// nvidia-smi prints "[N/A]", "[Not Supported]", "[Unknown Error]"… where it has no number.
bool is_unavailable(std::string_view text) {
    return text.size() >= 2 && text.front() == '[' && text.back() == ']';
}

// A memory field: a number of MiB, or unavailable (nullopt). False when it is neither.
bool parse_mib(std::string_view text, std::optional<uint64_t>& out) {
    uint64_t value = 0;
    if (is_unavailable(text) || text == "N/A") {
        out.reset();
        return true;
    }
    if (!parse_number(text, value)) return false;
    out = value;
    return true;
}

}  // namespace

NvidiaSmiTable parse_nvidia_smi_csv(std::string_view text) {
    NvidiaSmiTable table;
    int line_number = 0;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        ++line_number;
        if (line.empty()) continue;

        const std::string where = "line " + std::to_string(line_number) + " (\"" + std::string(line) + "\"): ";
        std::vector<std::string_view> fields = split_commas(line);
        if (fields.size() < kFields) {
            table.errors.push_back(where + "expected 7 comma-separated fields (index, name, uuid, "
                                           "pci.bus_id, memory.total, memory.used, memory.free)");
            continue;
        }
        const size_t n = fields.size();
        NvidiaSmiRow row;
        uint64_t index = 0;
        if (!parse_number(fields[0], index) || index > 1024) {
            table.errors.push_back(where + "the index \"" + std::string(fields[0]) + "\" is not a GPU index");
            continue;
        }
        row.index = static_cast<int>(index);
        // The name is everything between the index and the uuid, commas included.
        row.name = std::string(fields[1].data(), fields[n - 6].data() + fields[n - 6].size());
        row.uuid = fields[n - 5];
        row.pci_bus_id = fields[n - 4];
        if (!parse_mib(fields[n - 3], row.total_mib) || !parse_mib(fields[n - 2], row.used_mib) ||
            !parse_mib(fields[n - 1], row.free_mib)) {
            table.errors.push_back(where + "memory fields must be MiB numbers or a bracketed \"[N/A]\"");
            continue;
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

}  // namespace ggufd::gpu
