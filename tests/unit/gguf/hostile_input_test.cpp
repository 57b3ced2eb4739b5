// Malformed, truncated and hostile headers: each is rejected with a FormatError that names the
// offset and the problem, without crashing and without allocating what the file claims.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ggufd/gguf/reader.h"
#include "ggufd/gguf/tiny_llama.h"
#include "ggufd/gguf/writer.h"
#include "raw_gguf.h"

namespace ggufd::gguf {
namespace {

using test::RawGguf;
using ::testing::HasSubstr;

constexpr uint32_t kString = 8, kArray = 9, kU32 = 4, kU8 = 0;

/// The FormatError that parsing `bytes` throws; fails the test when there is none.
FormatError rejection(const std::vector<uint8_t>& bytes) {
    try {
        parse(bytes, "bad.gguf");
    } catch (const FormatError& e) {
        return e;
    }
    ADD_FAILURE() << "the file was accepted";
    return FormatError("", 0, "");
}

Writer small_file() {
    Writer w;
    w.add("general.architecture", "llama");
    w.add("a.list", Array(std::vector<std::string>{"x", "yy"}));
    w.add("a.nested", Array(std::vector<Array>{Array(std::vector<uint16_t>{1, 2})}));
    w.add("a.f", 1.0f);
    w.add_tensor("t0", {32, 2}, GgmlType::Q8_0, [](uint64_t, std::span<uint8_t> b) { std::fill(b.begin(), b.end(), 1); });
    w.add_tensor("t1", {3}, GgmlType::F32, [](uint64_t, std::span<uint8_t> b) { std::fill(b.begin(), b.end(), 2); });
    return w;
}

TEST(HostileInput, EveryTruncationIsRejected) {
    const auto bytes = small_file().to_bytes();
    const GgufFile whole = parse(bytes, "whole.gguf");
    // Like llama.cpp, the padding after the last tensor's data is not required.
    const uint64_t data_end = whole.data_offset + whole.tensors.back().offset + whole.tensors.back().n_bytes;
    ASSERT_LT(data_end, bytes.size());
    for (size_t length = 0; length < bytes.size(); ++length) {
        const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
        if (length < data_end) {
            EXPECT_THROW(parse(prefix, "cut.gguf"), FormatError) << "prefix of " << length << " bytes";
        } else {
            EXPECT_NO_THROW(parse(prefix, "cut.gguf")) << "prefix of " << length << " bytes";
        }
    }
}

TEST(HostileInput, EveryTruncationOfAModelHeaderIsRejected) {
    TinyLlamaSpec spec;
    spec.vocab = 300;
    const auto bytes = tiny_llama(spec).to_bytes();
    const uint64_t data_offset = parse(bytes, "m.gguf").data_offset;
    for (size_t length = 0; length <= data_offset; ++length) {
        const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
        EXPECT_THROW(parse(prefix, "cut.gguf"), FormatError) << "prefix of " << length << " bytes";
    }
}

TEST(HostileInput, TruncationMessageSaysWhatWasBeingRead) {
    const auto bytes = RawGguf().preamble(3, 0, 1).str("general.name").u32(kString).u64(100).bytes;
    const auto e = rejection(bytes);
    EXPECT_EQ(e.offset(), bytes.size());
    EXPECT_THAT(e.what(), HasSubstr("bad.gguf: offset " + std::to_string(bytes.size()) +
                                    ": file ends while reading value of 'general.name' (100 bytes needed, 0 left)"));
}

TEST(HostileInput, BadMagic) {
    auto bytes = small_file().to_bytes();
    bytes[0] = 'P';
    bytes[1] = 'K';
    const auto e = rejection(bytes);
    EXPECT_EQ(e.offset(), 0u);
    EXPECT_THAT(e.what(), HasSubstr("not a GGUF file (magic 0x46554b50 'PKUF', expected 'GGUF')"));
}

TEST(HostileInput, VersionsOtherThanTwoAndThree) {
    EXPECT_THAT(rejection(RawGguf().preamble(1, 0, 0).bytes).what(), HasSubstr("GGUF version 1"));
    EXPECT_THAT(rejection(RawGguf().preamble(0, 0, 0).bytes).what(), HasSubstr("unsupported GGUF version 0"));
    EXPECT_THAT(rejection(RawGguf().preamble(4, 0, 0).bytes).what(), HasSubstr("unsupported GGUF version 4"));
    // A big-endian v3 file reads as 0x03000000 on a little-endian host.
    const auto e = rejection(RawGguf().preamble(0x03000000, 0, 0).bytes);
    EXPECT_EQ(e.offset(), 4u);
    EXPECT_THAT(e.what(), HasSubstr("big-endian"));
}

TEST(HostileInput, CountsLargerThanTheFileAreRejectedBeforeAllocating) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, uint64_t{1} << 62, 0).bytes).what(),
                HasSubstr("offset 8: tensor count is 4611686018427387904, but 8 bytes cannot hold that many"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, ~uint64_t{0}).bytes).what(),
                HasSubstr("offset 16: metadata count is 18446744073709551615"));
}

TEST(HostileInput, HugeLengthsAreRejectedBeforeAllocating) {
    // A key, a string value and an array that claim far more than the file holds.
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).u64(~uint64_t{0}).zeros(16).bytes).what(),
                HasSubstr("key of metadata entry 0 is 18446744073709551615 bytes long (at most 65535)"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("k").u32(kString).u64(uint64_t{1} << 40).bytes).what(),
                HasSubstr("value of 'k' is 1099511627776 bytes long (at most 67108864)"));
    const auto e = rejection(RawGguf().preamble(3, 0, 1).str("k").u32(kArray).u32(kU32).u64(uint64_t{1} << 40).zeros(64).bytes);
    EXPECT_THAT(e.what(), HasSubstr("array 'k' claims 1099511627776 elements of type u32, but only 64 bytes are left"));
}

TEST(HostileInput, ArraysThatWouldExceedTheMemoryBudgetAreRejected) {
    // 9M empty strings fit in 72 MB of file but would take 288 MiB as std::strings.
    const uint64_t count = 9'000'000;
    auto raw = RawGguf().preamble(3, 0, 1).str("k").u32(kArray).u32(kString).u64(count);
    raw.zeros(count * 8);
    EXPECT_THAT(rejection(raw.bytes).what(), HasSubstr("would need more than 256 MiB of memory"));
}

TEST(HostileInput, DeepNestingIsRejected) {
    RawGguf raw;
    raw.preamble(3, 0, 1).str("deep").u32(kArray);
    for (int i = 0; i < 20; ++i) raw.u32(kArray).u64(1);
    raw.u32(kU8).u64(1).u8(0);
    EXPECT_THAT(rejection(raw.bytes).what(), HasSubstr("array 'deep' nests deeper than 8 levels"));
}

TEST(HostileInput, UnknownValueTypes) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("k").u32(13).zeros(8).bytes).what(),
                HasSubstr("offset 33: type of 'k' is 13, not a GGUF value type (0-12)"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("k").u32(kArray).u32(99).u64(0).bytes).what(),
                HasSubstr("element type of array 'k' is 99"));
}

TEST(HostileInput, KeysMustBeUniqueAndNonEmpty) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 2).str("k").u32(kU8).u8(1).str("k").u32(kU8).u8(2).bytes).what(),
                HasSubstr("offset 38: duplicate metadata key 'k'"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("").u32(kU8).u8(1).zeros(8).bytes).what(),
                HasSubstr("metadata entry 0 has an empty key"));
}

TEST(HostileInput, BoolsAreZeroOrOne) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("b").u32(7).u8(2).bytes).what(),
                HasSubstr("value of 'b' is a bool of 2 (must be 0 or 1)"));
}

TEST(HostileInput, AlignmentMustBeAPowerOfTwoU32) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("general.alignment").u32(kU32).u32(48).bytes).what(),
                HasSubstr("general.alignment is 48, not a power of two"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 0, 1).str("general.alignment").u32(kU8).u8(32).bytes).what(),
                HasSubstr("general.alignment is u8 32, expected a u32"));
}

TEST(HostileInput, TooManyDimensions) {
    const auto bytes = RawGguf().preamble(3, 1, 0).tensor("blk.0.attn_q.weight", {1, 1, 1, 1, 1, 1, 1}, 0, 0).bytes;
    const auto e = rejection(bytes);
    EXPECT_EQ(e.offset(), 24u + 8 + 19);  // the dimension count, after the name
    EXPECT_THAT(e.what(), HasSubstr("tensor 'blk.0.attn_q.weight' has 7 dimensions (at most 4)"));
}

TEST(HostileInput, UnknownAndRemovedTensorTypes) {
    for (uint32_t type : {4u, 31u, 36u, 43u, 0xffffffffu}) {
        const auto bytes = RawGguf().preamble(3, 1, 0).tensor("w", {32}, type, 0).pad_to(32).zeros(256).bytes;
        EXPECT_THAT(rejection(bytes).what(), HasSubstr("tensor 'w' has unknown ggml type " + std::to_string(type)));
    }
}

TEST(HostileInput, RowsMustBeWholeBlocks) {
    const auto bytes = RawGguf().preamble(3, 1, 0).tensor("w", {33, 2}, 8, 0).pad_to(32).zeros(256).bytes;
    EXPECT_THAT(rejection(bytes).what(),
                HasSubstr("tensor 'w' of type Q8_0 has rows of 33 elements, not a multiple of the block size 32"));
}

TEST(HostileInput, ElementCountsThatOverflow) {
    const auto bytes = RawGguf().preamble(3, 1, 0).tensor("w", {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0).bytes;
    EXPECT_THAT(rejection(bytes).what(), HasSubstr("its element count overflows"));
}

TEST(HostileInput, TensorDataBeyondTheEndOfTheFile) {
    const auto whole = small_file().to_bytes();
    const std::vector<uint8_t> cut(whole.begin(), whole.end() - 40);  // cuts into t1's data
    const auto e = rejection(cut);
    EXPECT_THAT(e.what(), HasSubstr("tensor 't1' needs 12 bytes at file offset"));
    EXPECT_THAT(e.what(), HasSubstr("beyond the end of the file"));

    const auto huge = RawGguf().preamble(3, 1, 0).tensor("w", {1u << 20}, 0, 0).pad_to(32).zeros(64).bytes;
    EXPECT_THAT(rejection(huge).what(), HasSubstr("tensor 'w' needs 4194304 bytes"));
}

TEST(HostileInput, TensorOffsetsMustFollowEachOther) {
    const auto bytes = RawGguf()
                           .preamble(3, 2, 0)
                           .tensor("a", {8}, 0, 0)
                           .tensor("b", {8}, 0, 64)  // a takes 32 bytes, so b belongs at 32
                           .pad_to(32)
                           .zeros(128)
                           .bytes;
    EXPECT_THAT(rejection(bytes).what(),
                HasSubstr("tensor 'b' has its data at offset 64 of the data section, expected 32"));
}

TEST(HostileInput, TensorNames) {
    EXPECT_THAT(rejection(RawGguf().preamble(3, 2, 0).tensor("a", {8}, 0, 0).tensor("a", {8}, 0, 32).pad_to(32).zeros(64).bytes).what(),
                HasSubstr("duplicate tensor 'a'"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 1, 0).tensor(std::string(64, 'n'), {8}, 0, 0).bytes).what(),
                HasSubstr("name of tensor 0 is 64 bytes long (at most 63)"));
    EXPECT_THAT(rejection(RawGguf().preamble(3, 1, 0).tensor("", {8}, 0, 0).bytes).what(),
                HasSubstr("tensor 0 has an empty name"));
}

TEST(HostileInput, NonPrintableNamesAreShownSafely) {
    const auto bytes = RawGguf().preamble(3, 1, 0).tensor(std::string("a\x01\n", 3), {8, 1, 1, 1, 1}, 0, 0).bytes;
    EXPECT_THAT(rejection(bytes).what(), HasSubstr("tensor 'a?" "?' has 5 dimensions"));
}

}  // namespace
}  // namespace ggufd::gguf
