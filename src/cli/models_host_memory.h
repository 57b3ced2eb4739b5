// The host's RAM, which the survey compares a model's host-side memory need with: MemTotal
// from /proc/meminfo. The parser is separate from the read so that it is tested on text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ggufd::cli {

/// Bytes of "MemTotal:  16314556 kB" in /proc/meminfo's text; nullopt when absent or malformed.
std::optional<uint64_t> parse_mem_total(std::string_view meminfo);

/// This machine's RAM; nullopt when /proc/meminfo cannot be read.
std::optional<uint64_t> host_memory_bytes();

}  // namespace ggufd::cli
