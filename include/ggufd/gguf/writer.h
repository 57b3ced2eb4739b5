// Writing GGUF files: metadata of every type and tensors whose bytes come from a callback, so
// a 16 GB model never sits in memory. Data is produced in chunks of whole rows, in parallel
// when asked, and written in place; the header is computed up front.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "ggufd/gguf/ggml_type.h"
#include "ggufd/gguf/value.h"

namespace ggufd::gguf {

/// Produces the bytes [offset, offset + bytes.size()) of one tensor's data. Chunks are whole
/// rows (dims[0] elements). It may be called from several threads at once for different
/// chunks, so it must depend only on its arguments (and immutable captures): that also makes
/// the output independent of the thread count.
using TensorFill = std::function<void(uint64_t offset, std::span<uint8_t> bytes)>;

/// Builds a GGUF file description, then writes it. Misuse (a duplicate key or tensor name, a
/// row length that is not a multiple of the type's block size, general.alignment that is not
/// a power-of-two u32) throws std::invalid_argument at the call that introduces it.
class Writer {
public:
    /// `version` 2 or 3 (the byte layout is the same; 3 is what llama.cpp writes today).
    explicit Writer(uint32_t version = 3);

    /// Appends a metadata entry. Setting "general.alignment" (a u32 power of two) changes the
    /// alignment of the tensor data, which is 32 otherwise.
    void add(std::string key, Value value);
    /// Appends a tensor; `fill` may be empty for all-zero data.
    void add_tensor(std::string name, std::vector<uint64_t> dims, GgmlType type, TensorFill fill = {});

    uint32_t alignment() const { return alignment_; }
    uint64_t data_offset() const;     ///< where the data section starts
    uint64_t file_size() const;
    uint64_t total_elements() const;  ///< the parameter count of a model

    /// The bytes before the data section: preamble, metadata, tensor infos and padding.
    std::vector<uint8_t> header() const;
    /// The whole file in memory (for tests and small models).
    std::vector<uint8_t> to_bytes(unsigned threads = 1) const;
    /// Writes the file at `path` (replaced if it exists), producing data with `threads`
    /// threads; memory stays at a few MiB per thread. Throws std::system_error naming the
    /// path on I/O errors (the partial file is removed) and rethrows a fill's exception.
    void write(const std::filesystem::path& path, unsigned threads = 1) const;

private:
    struct Tensor {
        std::string name;
        std::vector<uint64_t> dims;
        GgmlType type;
        TensorFill fill;
        uint64_t n_bytes;
        uint64_t offset;  ///< in the data section
    };
    struct Chunk {
        const Tensor* tensor;
        uint64_t offset;  ///< in the tensor
        uint64_t size;
    };

    std::vector<Chunk> chunks() const;

    uint32_t version_;
    uint32_t alignment_ = 32;
    std::vector<std::pair<std::string, Value>> metadata_;
    std::vector<Tensor> tensors_;
    uint64_t data_bytes_ = 0;  ///< padded size of the data section
};

}  // namespace ggufd::gguf
