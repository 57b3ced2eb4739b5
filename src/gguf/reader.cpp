// The GGUF header parser. It walks the header once, front to back; every length and count is
// checked against the bytes left in the file, the caps in reader.h and a memory budget before
// anything is allocated, and every failure names the offset it was found at.
#include "ggufd/gguf/reader.h"

#include <bit>
#include <cstdio>
#include <limits>
#include <unordered_set>

#include "byte_source.h"

namespace ggufd::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr uint32_t kDefaultAlignment = 32;

// The fewest file bytes one element of a type can take: lets an array's count be checked
// against the bytes left before its elements are read.
uint64_t min_encoded_bytes(ValueType type) {
    switch (type) {
        case ValueType::uint8: case ValueType::int8: case ValueType::boolean: return 1;
        case ValueType::uint16: case ValueType::int16: return 2;
        case ValueType::uint32: case ValueType::int32: case ValueType::float32: return 4;
        case ValueType::uint64: case ValueType::int64: case ValueType::float64: return 8;
        case ValueType::string: return 8;   // the length, even when empty
        case ValueType::array: return 12;   // element type + count
    }
    return 1;
}

// What a string costs in memory, including its share of a hash-set node when it is also
// remembered for duplicate checks: the budget counts what parsing really allocates.
uint64_t remembered_string_cost(const std::string& text) { return 2 * (sizeof(std::string) + text.size()) + 32; }

std::string printable(std::string_view text) {
    constexpr size_t kShown = 80;
    std::string out = "'";
    for (char c : text.substr(0, kShown)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out + (text.size() > kShown ? "...'" : "'");
}

class Parser {
public:
    Parser(detail::ByteSource& source, std::string name) : source_(source), name_(std::move(name)) {}

    GgufFile parse_file() {
        GgufFile file;
        file.name = name_;
        file.file_size = source_.size();
        file.version = read_preamble();

        const uint64_t n_tensors = read_count("tensor count", 24, "tensor infos");  // name len, n_dims, type, offset
        const uint64_t n_kv = read_count("metadata count", 14, "metadata entries");  // key len+1, type, 1 byte

        std::vector<KeyValue> entries;
        std::unordered_set<std::string> keys;
        for (uint64_t i = 0; i < n_kv; ++i) {
            KeyValue entry;
            entry.offset = pos_;
            entry.key = read_string("key of metadata entry " + std::to_string(i), kMaxKeyBytes);
            if (entry.key.empty()) fail(entry.offset, "metadata entry " + std::to_string(i) + " has an empty key");
            if (!keys.insert(entry.key).second) fail(entry.offset, "duplicate metadata key " + printable(entry.key));
            const auto type = read_value_type("type of " + printable(entry.key));
            entry.value = read_value(type, entry.key, 0);
            charge(sizeof(KeyValue) + remembered_string_cost(entry.key), "metadata");
            entries.push_back(std::move(entry));
        }
        file.metadata = Metadata(name_, std::move(entries));
        file.alignment = alignment(file.metadata);

        std::unordered_set<std::string> names;
        std::vector<uint64_t> info_offsets;
        uint64_t expected_offset = 0;
        for (uint64_t i = 0; i < n_tensors; ++i) {
            info_offsets.push_back(pos_);
            file.tensors.push_back(read_tensor_info(i, names));
            const auto& tensor = file.tensors.back();
            if (tensor.offset != expected_offset) {
                fail(info_offsets.back(), "tensor " + printable(tensor.name) + " has its data at offset " +
                                              std::to_string(tensor.offset) + " of the data section, expected " +
                                              std::to_string(expected_offset) +
                                              " (tensors are stored in order, each padded to " +
                                              std::to_string(file.alignment) + " bytes)");
            }
            expected_offset = checked_add(expected_offset, pad(tensor.n_bytes, file.alignment), info_offsets.back(),
                                          "the data section size");
        }

        // llama.cpp pads to the data section only when there are tensors.
        file.data_offset = n_tensors > 0 ? pad(pos_, file.alignment) : pos_;
        for (size_t i = 0; i < file.tensors.size(); ++i) {
            const auto& tensor = file.tensors[i];
            const uint64_t start = file.data_offset + tensor.offset;  // both bounded: no overflow
            if (start > file.file_size || tensor.n_bytes > file.file_size - start) {
                fail(info_offsets[i], "tensor " + printable(tensor.name) + " needs " + std::to_string(tensor.n_bytes) +
                                          " bytes at file offset " + std::to_string(start) +
                                          ", beyond the end of the file (" + std::to_string(file.file_size) +
                                          " bytes): the file is truncated");
            }
        }
        return file;
    }

private:
    [[noreturn]] void fail(uint64_t at, const std::string& problem) const { throw FormatError(name_, at, problem); }

    uint64_t left() const { return source_.size() - pos_; }

    const uint8_t* take(uint64_t n, std::string_view what) {
        if (n > left()) {
            fail(pos_, "file ends while reading " + std::string(what) + " (" + std::to_string(n) + " bytes needed, " +
                           std::to_string(left()) + " left): the file is truncated");
        }
        const uint8_t* at = source_.prefix(pos_ + n) + pos_;
        pos_ += n;
        return at;
    }

    template <typename T>
    T read_le(std::string_view what) {
        using U = std::make_unsigned_t<std::conditional_t<std::is_floating_point_v<T>,
                                                          std::conditional_t<sizeof(T) == 4, int32_t, int64_t>, T>>;
        const uint8_t* bytes = take(sizeof(T), what);
        U bits = 0;
        for (size_t i = 0; i < sizeof(T); ++i) bits |= static_cast<U>(static_cast<U>(bytes[i]) << (8 * i));
        return std::bit_cast<T>(bits);
    }

    void charge(uint64_t bytes, std::string_view what) { charge(1, bytes, what); }

    void charge(uint64_t count, uint64_t each, std::string_view what) {
        if (each != 0 && count > budget_ / each) {
            fail(pos_, "the header's " + std::string(what) + " would need more than " +
                           std::to_string(kMaxHeaderMemory >> 20) + " MiB of memory; no real model comes close");
        }
        budget_ -= count * each;
    }

    static uint64_t pad(uint64_t n, uint64_t alignment) {
        return n % alignment == 0 ? n : n + (alignment - n % alignment);
    }

    uint64_t checked_add(uint64_t a, uint64_t b, uint64_t at, std::string_view what) const {
        if (b > std::numeric_limits<uint64_t>::max() - a) fail(at, std::string(what) + " overflows 64 bits");
        return a + b;
    }

    uint32_t read_preamble() {
        const uint32_t magic = read_le<uint32_t>("the magic number");
        if (magic != kMagic) {
            char text[5] = {};
            for (int i = 0; i < 4; ++i) {
                char c = static_cast<char>((magic >> (8 * i)) & 0xff);
                text[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
            }
            char hex[11];
            std::snprintf(hex, sizeof hex, "0x%08x", magic);
            fail(0, std::string("not a GGUF file (magic ") + hex + " '" + text + "', expected 'GGUF')");
        }
        const uint32_t version = read_le<uint32_t>("the version");
        if (version == 2 || version == 3) return version;
        if (version != 0 && (version & 0xffff) == 0) {
            fail(4, "version field reads " + std::to_string(version) +
                        ": this is a big-endian GGUF file, which is not supported; use a little-endian conversion");
        }
        if (version == 1) {
            fail(4, "GGUF version 1 (from before August 2023) is not supported; convert the model again with a "
                    "current llama.cpp");
        }
        fail(4, "unsupported GGUF version " + std::to_string(version) + " (versions 2 and 3 are supported)");
    }

    uint64_t read_count(std::string_view what, uint64_t min_bytes_each, std::string_view items) {
        const uint64_t at = pos_;
        const uint64_t count = read_le<uint64_t>(what);
        if (count > left() / min_bytes_each) {
            fail(at, std::string(what) + " is " + std::to_string(count) + ", but " + std::to_string(left()) +
                         " bytes cannot hold that many " + std::string(items));
        }
        return count;
    }

    ValueType read_value_type(const std::string& what) {
        const uint64_t at = pos_;
        const uint32_t id = read_le<uint32_t>(what);
        if (id >= kValueTypeCount) {
            fail(at, what + " is " + std::to_string(id) + ", not a GGUF value type (0-12)");
        }
        return static_cast<ValueType>(id);
    }

    std::string read_string(const std::string& what, uint64_t max_bytes) {
        const uint64_t at = pos_;
        const uint64_t length = read_le<uint64_t>(what);
        if (length > max_bytes) {
            fail(at, what + " is " + std::to_string(length) + " bytes long (at most " + std::to_string(max_bytes) +
                         ")");
        }
        const uint8_t* bytes = take(length, what);
        charge(length, "strings");  // the std::string itself is charged with its array or entry
        return std::string(reinterpret_cast<const char*>(bytes), length);
    }

    Value read_value(ValueType type, const std::string& key, uint32_t depth) {
        const std::string what = "value of " + printable(key);
        switch (type) {
            case ValueType::uint8: return read_le<uint8_t>(what);
            case ValueType::int8: return read_le<int8_t>(what);
            case ValueType::uint16: return read_le<uint16_t>(what);
            case ValueType::int16: return read_le<int16_t>(what);
            case ValueType::uint32: return read_le<uint32_t>(what);
            case ValueType::int32: return read_le<int32_t>(what);
            case ValueType::float32: return read_le<float>(what);
            case ValueType::boolean: return read_bool(what);
            case ValueType::string: return read_string(what, kMaxStringBytes);
            case ValueType::array: return read_array(key, depth + 1);
            case ValueType::uint64: return read_le<uint64_t>(what);
            case ValueType::int64: return read_le<int64_t>(what);
            case ValueType::float64: return read_le<double>(what);
        }
        fail(pos_, "unreachable value type");
    }

    bool read_bool(const std::string& what) {
        const uint64_t at = pos_;
        const uint8_t byte = read_le<uint8_t>(what);
        if (byte > 1) fail(at, what + " is a bool of " + std::to_string(byte) + " (must be 0 or 1)");
        return byte == 1;
    }

    template <typename T>
    T read_element(const std::string& what, const std::string& key, uint32_t depth) {
        if constexpr (std::is_same_v<T, bool>) return read_bool(what);
        else if constexpr (std::is_same_v<T, std::string>) return read_string(what, kMaxStringBytes);
        else if constexpr (std::is_same_v<T, Array>) return read_array(key, depth + 1);
        else return read_le<T>(what);
    }

    template <typename T>
    Array read_elements(uint64_t count, const std::string& key, uint32_t depth) {
        const std::string what = "element of array " + printable(key);
        std::vector<T> elements;
        elements.reserve(count);
        for (uint64_t i = 0; i < count; ++i) elements.push_back(read_element<T>(what, key, depth));
        return Array(std::move(elements));
    }

    Array read_array(const std::string& key, uint32_t depth) {
        if (depth > kMaxArrayDepth) {
            fail(pos_, "array " + printable(key) + " nests deeper than " + std::to_string(kMaxArrayDepth) + " levels");
        }
        const auto type = read_value_type("element type of array " + printable(key));
        const uint64_t at = pos_;
        const uint64_t count = read_le<uint64_t>("length of array " + printable(key));
        if (count > left() / min_encoded_bytes(type)) {
            fail(at, "array " + printable(key) + " claims " + std::to_string(count) + " elements of type " +
                         std::string(to_string(type)) + ", but only " + std::to_string(left()) + " bytes are left");
        }
        // The vector is charged before it is reserved; the contents of strings and nested
        // arrays are charged as they are read.
        charge(count, element_memory(type), "arrays");
        switch (type) {
            case ValueType::uint8: return read_elements<uint8_t>(count, key, depth);
            case ValueType::int8: return read_elements<int8_t>(count, key, depth);
            case ValueType::uint16: return read_elements<uint16_t>(count, key, depth);
            case ValueType::int16: return read_elements<int16_t>(count, key, depth);
            case ValueType::uint32: return read_elements<uint32_t>(count, key, depth);
            case ValueType::int32: return read_elements<int32_t>(count, key, depth);
            case ValueType::float32: return read_elements<float>(count, key, depth);
            case ValueType::boolean: return read_elements<bool>(count, key, depth);
            case ValueType::string: return read_elements<std::string>(count, key, depth);
            case ValueType::array: return read_elements<Array>(count, key, depth);
            case ValueType::uint64: return read_elements<uint64_t>(count, key, depth);
            case ValueType::int64: return read_elements<int64_t>(count, key, depth);
            case ValueType::float64: return read_elements<double>(count, key, depth);
        }
        fail(at, "unreachable element type");
    }

    static uint64_t element_memory(ValueType type) {
        switch (type) {
            case ValueType::string: return sizeof(std::string);
            case ValueType::array: return sizeof(Array);
            case ValueType::boolean: return 1;
            default: return min_encoded_bytes(type);
        }
    }

    uint32_t alignment(const Metadata& metadata) const {
        const KeyValue* entry = metadata.find("general.alignment");
        if (!entry) return kDefaultAlignment;
        const auto* value = entry->value.get_if<uint32_t>();
        if (!value) fail(entry->offset, "general.alignment is " + entry->value.describe() + ", expected a u32");
        if (*value == 0 || (*value & (*value - 1)) != 0) {
            fail(entry->offset, "general.alignment is " + std::to_string(*value) + ", not a power of two");
        }
        return *value;
    }

    TensorInfo read_tensor_info(uint64_t index, std::unordered_set<std::string>& names) {
        const uint64_t at = pos_;
        TensorInfo tensor;
        tensor.name = read_string("name of tensor " + std::to_string(index), kMaxTensorNameBytes);
        const std::string label = "tensor " + printable(tensor.name);
        if (tensor.name.empty()) fail(at, "tensor " + std::to_string(index) + " has an empty name");
        if (!names.insert(tensor.name).second) fail(at, "duplicate " + label);

        const uint64_t dims_at = pos_;
        const uint32_t n_dims = read_le<uint32_t>("dimension count of " + label);
        if (n_dims > kMaxDims) {
            fail(dims_at, label + " has " + std::to_string(n_dims) + " dimensions (at most " +
                              std::to_string(kMaxDims) + ")");
        }
        tensor.n_elements = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t dim_at = pos_;
            const uint64_t dim = read_le<uint64_t>("dimensions of " + label);
            if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
                (dim != 0 && tensor.n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / dim)) {
                fail(dim_at, label + " has dimension " + std::to_string(d) + " of " + std::to_string(dim) +
                                 ": its element count overflows");
            }
            tensor.dims.push_back(dim);
            tensor.n_elements *= dim;
        }

        const uint64_t type_at = pos_;
        const uint32_t type_id = read_le<uint32_t>("type of " + label);
        const GgmlTypeInfo* info = ggml_type_info(type_id);
        if (!info) {
            fail(type_at, label + " has unknown ggml type " + std::to_string(type_id) +
                              " (removed or newer than this reader; see docs/GGUF.md)");
        }
        tensor.type = info->type;
        const uint64_t row = tensor.dims.empty() ? 1 : tensor.dims[0];
        if (row % info->block_size != 0) {
            fail(type_at, label + " of type " + std::string(info->name) + " has rows of " + std::to_string(row) +
                              " elements, not a multiple of the block size " + std::to_string(info->block_size));
        }
        const uint64_t blocks = tensor.n_elements / info->block_size;
        if (blocks > std::numeric_limits<uint64_t>::max() / info->block_bytes) {
            fail(type_at, label + ": its size in bytes overflows");
        }
        tensor.n_bytes = blocks * info->block_bytes;
        tensor.offset = read_le<uint64_t>("data offset of " + label);
        // The info, its name (also in the duplicate check), its dimensions and its offset.
        charge(sizeof(TensorInfo) + remembered_string_cost(tensor.name) + (tensor.dims.size() + 1) * sizeof(uint64_t),
               "tensor infos");
        return tensor;
    }

    detail::ByteSource& source_;
    std::string name_;
    uint64_t pos_ = 0;
    uint64_t budget_ = kMaxHeaderMemory;
};

}  // namespace

GgufFile parse(std::span<const uint8_t> bytes, std::string_view name) {
    detail::BufferSource source(bytes);
    return Parser(source, std::string(name)).parse_file();
}

GgufFile read_header(const std::filesystem::path& path) {
    detail::FileSource source(path);
    return Parser(source, path.string()).parse_file();
}

}  // namespace ggufd::gguf
