// The writer's description of a file and its header bytes. Producing the tensor data (threads,
// file output) lives in writer_output.cpp.
#include "ggufd/gguf/writer.h"

#include <stdexcept>
#include <type_traits>

#include "ggufd/gguf/reader.h"

namespace ggufd::gguf {
namespace {

uint64_t pad(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

class ByteWriter {
public:
    explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

    template <typename T>
    void le(T value) {
        using U = std::make_unsigned_t<std::conditional_t<
            std::is_floating_point_v<T>, std::conditional_t<sizeof(T) == 4, int32_t, int64_t>,
            std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>>;
        const U bits = std::bit_cast<U>(static_cast<std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>(value));
        for (size_t i = 0; i < sizeof(U); ++i) out_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    }
    void string(const std::string& text) {
        le<uint64_t>(text.size());
        out_.insert(out_.end(), text.begin(), text.end());
    }
    void array(const Array& array) {
        le<uint32_t>(static_cast<uint32_t>(array.element_type()));
        le<uint64_t>(array.size());
        std::visit(
            [this](const auto& elements) {
                for (const auto& element : elements) scalar(element);
            },
            array.storage());
    }
    template <typename T>
    void scalar(const T& value) {
        if constexpr (std::is_same_v<T, std::string>) string(value);
        else if constexpr (std::is_same_v<T, Array>) array(value);
        else le<T>(value);
    }
    void value(const Value& value) {
        std::visit([this](const auto& v) { scalar(v); }, value.storage());
    }

private:
    std::vector<uint8_t>& out_;
};

}  // namespace

Writer::Writer(uint32_t version) : version_(version) {
    if (version != 2 && version != 3) throw std::invalid_argument("GGUF version must be 2 or 3");
}

void Writer::add(std::string key, Value value) {
    if (key.empty() || key.size() > kMaxKeyBytes) throw std::invalid_argument("metadata key length out of range");
    for (const auto& [existing, _] : metadata_) {
        if (existing == key) throw std::invalid_argument("duplicate metadata key '" + key + "'");
    }
    if (key == "general.alignment") {
        const auto* alignment = value.get_if<uint32_t>();
        if (!alignment || *alignment == 0 || (*alignment & (*alignment - 1)) != 0) {
            throw std::invalid_argument("general.alignment must be a u32 power of two");
        }
        if (!tensors_.empty()) throw std::invalid_argument("set general.alignment before adding tensors");
        alignment_ = *alignment;
    }
    metadata_.emplace_back(std::move(key), std::move(value));
}

void Writer::add_tensor(std::string name, std::vector<uint64_t> dims, GgmlType type, TensorFill fill) {
    if (name.empty() || name.size() > kMaxTensorNameBytes) {
        throw std::invalid_argument("tensor name '" + name + "' must be 1-" + std::to_string(kMaxTensorNameBytes) +
                                    " bytes");
    }
    for (const auto& tensor : tensors_) {
        if (tensor.name == name) throw std::invalid_argument("duplicate tensor '" + name + "'");
    }
    if (dims.size() > kMaxDims) throw std::invalid_argument("tensor '" + name + "' has more than 4 dimensions");
    const auto& info = ggml_type_info(type);
    if (!dims.empty() && dims[0] % info.block_size != 0) {
        throw std::invalid_argument("tensor '" + name + "': row length " + std::to_string(dims[0]) +
                                    " is not a multiple of " + std::string(info.name) + "'s block size " +
                                    std::to_string(info.block_size));
    }
    uint64_t elements = 1;
    for (uint64_t dim : dims) elements *= dim;
    const uint64_t n_bytes = ggml_bytes(type, elements);
    tensors_.push_back(Tensor{std::move(name), std::move(dims), type, std::move(fill), n_bytes, data_bytes_});
    data_bytes_ += pad(n_bytes, alignment_);
}

uint64_t Writer::data_offset() const {
    // The header's size does not depend on the data, so measure it rather than mirror it.
    const uint64_t unpadded = header().size();
    return tensors_.empty() ? unpadded : pad(unpadded, alignment_);
}

uint64_t Writer::file_size() const { return data_offset() + data_bytes_; }

uint64_t Writer::total_elements() const {
    uint64_t total = 0;
    for (const auto& tensor : tensors_) {
        uint64_t elements = 1;
        for (uint64_t dim : tensor.dims) elements *= dim;
        total += elements;
    }
    return total;
}

std::vector<uint8_t> Writer::header() const {
    std::vector<uint8_t> out;
    ByteWriter w(out);
    w.le<uint32_t>(0x46554747);  // "GGUF"
    w.le<uint32_t>(version_);
    w.le<uint64_t>(tensors_.size());
    w.le<uint64_t>(metadata_.size());
    for (const auto& [key, value] : metadata_) {
        w.string(key);
        w.le<uint32_t>(static_cast<uint32_t>(value.type()));
        w.value(value);
    }
    for (const auto& tensor : tensors_) {
        w.string(tensor.name);
        w.le<uint32_t>(static_cast<uint32_t>(tensor.dims.size()));
        for (uint64_t dim : tensor.dims) w.le<uint64_t>(dim);
        w.le<uint32_t>(static_cast<uint32_t>(tensor.type));
        w.le<uint64_t>(tensor.offset);
    }
    if (!tensors_.empty()) out.resize(pad(out.size(), alignment_), 0);
    return out;
}

std::vector<Writer::Chunk> Writer::chunks() const {
    constexpr uint64_t kChunkBytes = 4ull << 20;
    std::vector<Chunk> out;
    for (const auto& tensor : tensors_) {
        if (!tensor.fill || tensor.n_bytes == 0) continue;
        const uint64_t row_bytes = ggml_bytes(tensor.type, tensor.dims.empty() ? 1 : tensor.dims[0]);
        const uint64_t step = row_bytes == 0 ? tensor.n_bytes : std::max<uint64_t>(1, kChunkBytes / row_bytes) * row_bytes;
        for (uint64_t offset = 0; offset < tensor.n_bytes; offset += step) {
            out.push_back(Chunk{&tensor, offset, std::min(step, tensor.n_bytes - offset)});
        }
    }
    return out;
}

}  // namespace ggufd::gguf
