// Reading small sysfs and procfs-style files: whole text, or one decimal/hex number. The only
// file I/O of AMD discovery goes through here, so a missing or unreadable file is one nullopt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ggufd::gpu {

/// The file's contents (sysfs files are small; reads stop at 1 MiB), or nullopt when it cannot
/// be opened or read (absent, EPERM from KFD's device cgroup check, EACCES).
std::optional<std::string> read_text_file(const std::filesystem::path& path);

/// The first token of the file as an unsigned number: decimal, or hex with "0x" ("0xc8", as
/// amdgpu's `revision` file reads). nullopt when unreadable or not a number.
std::optional<uint64_t> read_number_file(const std::filesystem::path& path);

}  // namespace ggufd::gpu
