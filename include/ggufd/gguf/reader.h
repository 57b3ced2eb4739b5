// Reading a GGUF header (versions 2 and 3, little-endian) from bytes or from a file. Only the
// header is read, never tensor data, and every count and length is checked against the bytes
// that remain and against fixed caps before anything is allocated: a hostile file costs at
// most kMaxHeaderMemory of memory and time linear in its header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "ggufd/gguf/gguf_file.h"

namespace ggufd::gguf {

/// Caps beyond which a header is rejected as malformed. Real models stay far below them:
/// a 262k-token vocabulary with merges takes ~20 MiB; DeepSeek-V3 has ~1,000 tensors.
inline constexpr uint64_t kMaxHeaderMemory = 256ull << 20;  ///< parsed metadata + tensor infos
inline constexpr uint64_t kMaxStringBytes = 64ull << 20;    ///< one string value or key
inline constexpr uint32_t kMaxKeyBytes = 65535;             ///< GGUF's own limit on keys
inline constexpr uint32_t kMaxTensorNameBytes = 63;         ///< ggml's GGML_MAX_NAME - 1
inline constexpr uint32_t kMaxArrayDepth = 8;               ///< arrays of arrays of ...
inline constexpr uint32_t kMaxDims = 4;                     ///< ggml's GGML_MAX_DIMS

/// Parses the header at the start of `bytes`, which hold the whole file (tensors must lie
/// within them). `name` is used in error messages. Throws FormatError.
GgufFile parse(std::span<const uint8_t> bytes, std::string_view name);

/// Reads the header of the file at `path`, with reads that grow from 1 MiB as the header
/// needs: a 16 GB model costs a few reads. Throws FormatError for a malformed file and
/// std::system_error (message names the path) when the file cannot be opened or read.
GgufFile read_header(const std::filesystem::path& path);

}  // namespace ggufd::gguf
