// Hand-assembled GGUF bytes for tests that need files the writer refuses to produce: wrong
// counts, bad types, truncated or hostile headers. Little-endian, field by field.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ggufd::gguf::test {

class RawGguf {
public:
    RawGguf& u8(uint8_t v) { return le(v, 1); }
    RawGguf& u32(uint32_t v) { return le(v, 4); }
    RawGguf& u64(uint64_t v) { return le(v, 8); }
    RawGguf& f32(float v) {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        return u32(bits);
    }
    RawGguf& str(const std::string& s) {
        u64(s.size());
        bytes.insert(bytes.end(), s.begin(), s.end());
        return *this;
    }
    /// "GGUF", version, tensor count, metadata count.
    RawGguf& preamble(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
        bytes.insert(bytes.end(), {'G', 'G', 'U', 'F'});
        return u32(version).u64(n_tensors).u64(n_kv);
    }
    /// A tensor info: name, dims, ggml type, data offset.
    RawGguf& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(dims.size()));
        for (auto d : dims) u64(d);
        return u32(type).u64(offset);
    }
    RawGguf& pad_to(size_t alignment) {
        while (bytes.size() % alignment) bytes.push_back(0);
        return *this;
    }
    RawGguf& zeros(size_t n) {
        bytes.resize(bytes.size() + n, 0);
        return *this;
    }

    std::vector<uint8_t> bytes;

private:
    RawGguf& le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
};

}  // namespace ggufd::gguf::test
