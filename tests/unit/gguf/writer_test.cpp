// The writer: layout and padding, data placement, thread-count independence, files on disk,
// and the misuse it refuses.
#include "ggufd/gguf/writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "ggufd/gguf/reader.h"
#include "temp_dir.h"

namespace ggufd::gguf {
namespace {

/// Byte i of the tensor is (offset + i) * 7 + tag: checks that every chunk lands in place.
TensorFill pattern(uint8_t tag) {
    return [tag](uint64_t offset, std::span<uint8_t> out) {
        for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>((offset + i) * 7 + tag);
    };
}

Writer two_tensors() {
    Writer w;
    w.add("general.name", "w");
    w.add_tensor("big", {1024, 3000}, GgmlType::F32, pattern(1));  // 12 MB: several chunks
    w.add_tensor("small", {32, 3}, GgmlType::Q8_0, pattern(2));
    w.add_tensor("zeros", {64}, GgmlType::F16);
    return w;
}

TEST(Writer, PlacesEveryChunkAtItsOffset) {
    const Writer w = two_tensors();
    const auto bytes = w.to_bytes();
    ASSERT_EQ(bytes.size(), w.file_size());
    const GgufFile file = parse(bytes, "w.gguf");
    for (const auto& tensor : file.tensors) {
        const uint8_t* data = bytes.data() + file.data_offset + tensor.offset;
        const uint8_t tag = tensor.name == "big" ? 1 : 2;
        for (uint64_t i = 0; i < tensor.n_bytes; ++i) {
            const auto expected = tensor.name == "zeros" ? 0 : static_cast<uint8_t>(i * 7 + tag);
            if (data[i] != expected) FAIL() << tensor.name << " byte " << i;
        }
    }
    EXPECT_EQ(w.total_elements(), 1024u * 3000 + 96 + 64);
}

TEST(Writer, OutputDoesNotDependOnThreadCount) {
    const Writer w = two_tensors();
    EXPECT_EQ(w.to_bytes(1), w.to_bytes(4));
}

TEST(Writer, WritesTheSameBytesToDisk) {
    const Writer w = two_tensors();
    test::TempDir dir;
    const auto path = dir / "w.gguf";
    w.write(path, 3);
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(on_disk, w.to_bytes());
}

TEST(Writer, HeaderIsPaddedToTheAlignment) {
    Writer w;
    w.add("general.alignment", uint32_t{256});
    w.add_tensor("a", {3}, GgmlType::F32);
    w.add_tensor("b", {3}, GgmlType::F32);
    EXPECT_EQ(w.alignment(), 256u);
    EXPECT_EQ(w.header().size() % 256, 0u);
    EXPECT_EQ(w.file_size(), w.data_offset() + 512);
    const auto bytes = w.to_bytes();
    EXPECT_EQ(parse(bytes, "a.gguf").tensors[1].offset, 256u);
}

TEST(Writer, AFileWithoutTensorsHasNoPadding) {
    Writer w;
    w.add("k", uint8_t{1});
    EXPECT_EQ(w.file_size(), 4u + 4 + 8 + 8 + (8 + 1) + 4 + 1);
}

TEST(Writer, RefusesMisuse) {
    Writer w;
    w.add("k", uint8_t{1});
    EXPECT_THROW(w.add("k", uint8_t{2}), std::invalid_argument);
    EXPECT_THROW(w.add("", uint8_t{2}), std::invalid_argument);
    EXPECT_THROW(w.add("general.alignment", uint64_t{32}), std::invalid_argument);
    EXPECT_THROW(w.add("general.alignment", uint32_t{24}), std::invalid_argument);
    EXPECT_THROW(w.add_tensor("q", {33}, GgmlType::Q8_0), std::invalid_argument);
    EXPECT_THROW(w.add_tensor("d", {1, 1, 1, 1, 1}, GgmlType::F32), std::invalid_argument);
    EXPECT_THROW(w.add_tensor(std::string(64, 'x'), {1}, GgmlType::F32), std::invalid_argument);
    w.add_tensor("t", {1}, GgmlType::F32);
    EXPECT_THROW(w.add_tensor("t", {1}, GgmlType::F32), std::invalid_argument);
    EXPECT_THROW(w.add("general.alignment", uint32_t{64}), std::invalid_argument);  // after tensors
    EXPECT_THROW(Writer(1), std::invalid_argument);
}

TEST(Writer, AFailingFillRemovesThePartialFile) {
    Writer w;
    w.add_tensor("t", {1024, 4096}, GgmlType::F32, [](uint64_t offset, std::span<uint8_t>) {
        if (offset > 0) throw std::runtime_error("generator broke");
    });
    test::TempDir dir;
    const auto path = dir / "partial.gguf";
    EXPECT_THROW(w.write(path, 2), std::runtime_error);
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Writer, UnwritablePathNamesThePath) {
    Writer w;
    try {
        w.write("/nonexistent-dir/x.gguf");
        FAIL() << "expected an error";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.gguf: cannot create"), std::string::npos);
    }
}

}  // namespace
}  // namespace ggufd::gguf
