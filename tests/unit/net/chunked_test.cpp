// ChunkedDecoder and append_chunk as a specification: the same data comes out however the body is
// cut into reads, well-formed extensions and trailers are skipped, and malformed framing (a bare
// LF or CR, a malformed extension or trailer) is an error, never a guess.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ggufd/net/chunked.h"

namespace ggufd::net {
namespace {

struct Decoded {
    std::string data;
    size_t consumed = 0;  ///< bytes of the input used before done/error/end
    bool done = false;
    std::string error;
    int chunk_ends = 0;
};

// Feeds `pieces` in order, as successive socket reads, driving next() as its contract says.
Decoded decode_pieces(const std::vector<std::string_view>& pieces) {
    ChunkedDecoder decoder;
    Decoded out;
    for (std::string_view piece : pieces) {
        while (!piece.empty() && out.error.empty() && !out.done) {
            ChunkedDecoder::Step step = decoder.next(piece);
            if (!step.data.empty()) {
                // The data is a view into the input: nothing is copied on the way through.
                EXPECT_GE(step.data.data(), piece.data());
                EXPECT_LE(step.data.data() + step.data.size(), piece.data() + piece.size());
            }
            out.data.append(step.data);
            out.consumed += step.consumed;
            out.chunk_ends += step.chunk_end ? 1 : 0;
            out.error = step.error;
            out.done = step.done;
            if (step.error.empty() && !step.done) {
                EXPECT_GT(step.consumed, 0u) << "a step must make progress";
            }
            piece.remove_prefix(step.consumed);
        }
    }
    EXPECT_EQ(out.done, decoder.done());
    return out;
}

Decoded decode(std::string_view body) { return decode_pieces({body}); }

Decoded decode_bytewise(std::string_view body) {
    std::vector<std::string_view> pieces;
    for (size_t i = 0; i < body.size(); ++i) pieces.push_back(body.substr(i, 1));
    return decode_pieces(pieces);
}

constexpr std::string_view kBody = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

TEST(ChunkedDecoder, DecodesAWholeBody) {
    Decoded out = decode(kBody);
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.data, "hello world");
    EXPECT_EQ(out.consumed, kBody.size());
    EXPECT_EQ(out.chunk_ends, 2);
}

TEST(ChunkedDecoder, TheSameResultAtEverySplit) {
    const std::string bodies[] = {
        std::string(kBody),
        "1a;name=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "3;a=b;c;d=\"e\\\"f\"\r\nabc\r\n0\r\nX-A: 1\r\nX-B:\r\n\r\n",
        "2\r\n\r\n\r\n0\r\n\r\n",  // data that looks like line ends
    };
    for (const std::string& body : bodies) {
        const Decoded whole = decode(body);
        ASSERT_TRUE(whole.done) << body << whole.error;
        EXPECT_EQ(decode_bytewise(body).data, whole.data) << body;
        EXPECT_TRUE(decode_bytewise(body).done) << body;
        for (size_t cut = 0; cut <= body.size(); ++cut) {
            std::string_view view = body;
            Decoded split = decode_pieces({view.substr(0, cut), view.substr(cut)});
            EXPECT_TRUE(split.error.empty()) << "cut at " << cut << ": " << split.error;
            EXPECT_TRUE(split.done) << "cut at " << cut;
            EXPECT_EQ(split.data, whole.data) << "cut at " << cut;
            EXPECT_EQ(split.consumed, body.size()) << "cut at " << cut;
            if (cut < body.size()) {
                EXPECT_FALSE(decode(view.substr(0, cut)).done) << "done before the last chunk: cut at " << cut;
            }
        }
    }
}

TEST(ChunkedDecoder, ExtensionsAreIgnored) {
    Decoded out = decode("5;foo=bar;baz\r\nhello\r\n5 ; quoted=\"a;b\"\r\nworld\r\n0;last\r\n\r\n");
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_EQ(out.data, "helloworld");
    EXPECT_TRUE(out.done);
}

TEST(ChunkedDecoder, TrailersAreReadAndSkipped) {
    Decoded out = decode("3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: y\r\n\r\n");
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.data, "abc");
}

// RFC 9112 §7.1 ends every chunk line with CRLF. Parsers that also take a bare LF (or CR)
// disagree with those that do not about where a body ends: the stuff of request smuggling.
TEST(ChunkedDecoder, BareLineFeedsAndCarriageReturnsAreRefused) {
    for (const char* body : {"5\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\n\r\n",
                             "5\r\nhello\r\n0\r\n\n", "5\r\r\nhello\r\n0\r\n\r\n", "5\rX\r\nhello\r\n0\r\n\r\n",
                             "3\r\nabc\r\n0\r\nX: a\rb\r\n\r\n"}) {
        EXPECT_FALSE(decode(body).error.empty()) << "accepted: " << ::testing::PrintToString(std::string(body));
        EXPECT_FALSE(decode_bytewise(body).error.empty()) << "accepted bytewise: " << ::testing::PrintToString(std::string(body));
    }
}

TEST(ChunkedDecoder, UppercaseHexIsAccepted) {
    Decoded upper = decode("A\r\n0123456789\r\nf\r\n0123456789abcde\r\n0\r\n\r\n");
    EXPECT_TRUE(upper.done) << upper.error;
    EXPECT_EQ(upper.data.size(), 25u);
}

TEST(ChunkedDecoder, MalformedSizeLinesAreErrors) {
    for (const char* line : {"", "zz", "-5", "0x5", " 5", "5 5", "+5", ";ext", "1000000000000000"}) {
        Decoded out = decode(std::string(line) + "\r\nhello\r\n0\r\n\r\n");
        EXPECT_FALSE(out.error.empty()) << "size line \"" << line << "\" accepted";
        EXPECT_FALSE(out.done);
    }
}

TEST(ChunkedDecoder, MalformedExtensionsAreErrors) {
    for (const char* line : {"5;", "5; ", "5;=x", "5;a=", "5;a=\"open", "5 ", "5\t", "5;a b", "5;a=b c", "5;a=\"x\"y",
                             "5;a=\"\x01\"", "5;(a)", "5,a"}) {
        Decoded out = decode(std::string(line) + "\r\nhello\r\n0\r\n\r\n");
        EXPECT_FALSE(out.error.empty()) << "size line " << ::testing::PrintToString(std::string(line)) << " accepted";
    }
    for (const char* line : {"5;a", "5 ;a", "5;a=b", "5;a = b", "5;a=\"b c;d\"", "5;a=\"\\\"\";b=1"}) {
        Decoded out = decode(std::string(line) + "\r\nhello\r\n0\r\n\r\n");
        EXPECT_TRUE(out.done) << "size line " << ::testing::PrintToString(std::string(line)) << ": " << out.error;
    }
}

TEST(ChunkedDecoder, MalformedTrailersAreErrors) {
    for (const char* trailer : {"no colon", ": x", " folded: x", "Bad Name: x", "X: a\x01"}) {
        Decoded out = decode("3\r\nabc\r\n0\r\n" + std::string(trailer) + "\r\n\r\n");
        EXPECT_FALSE(out.error.empty()) << "trailer " << ::testing::PrintToString(std::string(trailer)) << " accepted";
    }
    std::string many = "0\r\n";
    for (int i = 0; i < 1000; ++i) many += "X-" + std::to_string(i) + ": " + std::string(20, 'v') + "\r\n";
    Decoded out = decode_bytewise(many + "\r\n");
    EXPECT_FALSE(out.error.empty()) << "the trailer section is bounded";
    EXPECT_LT(out.consumed, ChunkedDecoder::kMaxTrailerBytes + 4200);
}

TEST(ChunkedDecoder, ChunkDataMustBeFollowedByALineEnd) {
    EXPECT_FALSE(decode("5\r\nhelloX\r\n0\r\n\r\n").error.empty());
    EXPECT_FALSE(decode("5\r\nhello\r\r\n0\r\n\r\n").error.empty());
    EXPECT_FALSE(decode_bytewise("5\r\nhello\rX0\r\n\r\n").error.empty());
    EXPECT_FALSE(decode("5\r\nhello\n0\r\n\r\n").error.empty()) << "a bare LF";
}

TEST(ChunkedDecoder, OverlongLinesAreRefusedWithoutBufferingThem) {
    const std::string long_extension = "5;" + std::string(10000, 'x') + "\r\nhello\r\n0\r\n\r\n";
    EXPECT_FALSE(decode(long_extension).error.empty());
    Decoded bytewise = decode_bytewise(long_extension);
    EXPECT_FALSE(bytewise.error.empty());
    EXPECT_LT(bytewise.consumed, 4200u) << "the decoder stopped near its line limit, not at the end";

    const std::string long_trailer = "0\r\nX: " + std::string(10000, 'y') + "\r\n\r\n";
    EXPECT_FALSE(decode(long_trailer).error.empty());
    EXPECT_FALSE(decode_bytewise(long_trailer).error.empty());

    const std::string fine = "5;" + std::string(1000, 'x') + "\r\nhello\r\n0\r\n\r\n";
    EXPECT_EQ(decode_bytewise(fine).data, "hello") << "a long but reasonable extension";
}

TEST(ChunkedDecoder, StopsAtTheEndOfTheBody) {
    const std::string next_response = "HTTP/1.1 200 OK\r\n";
    ChunkedDecoder decoder;
    std::string_view input = "2\r\nhi\r\n0\r\n\r\n";
    std::string buffer = std::string(input) + next_response;
    std::string_view rest = buffer;
    while (!decoder.done()) {
        ChunkedDecoder::Step step = decoder.next(rest);
        ASSERT_TRUE(step.error.empty()) << step.error;
        rest.remove_prefix(step.consumed);
    }
    EXPECT_EQ(rest, next_response) << "bytes after the last chunk belong to the next message";
    ChunkedDecoder::Step after = decoder.next(rest);
    EXPECT_TRUE(after.done);
    EXPECT_EQ(after.consumed, 0u);
    EXPECT_TRUE(after.data.empty());
    EXPECT_TRUE(decoder.next("").done);
}

TEST(ChunkedDecoder, ReportsWhatRemainsOfTheCurrentChunk) {
    ChunkedDecoder decoder;
    EXPECT_EQ(decoder.remaining_in_chunk(), 0u);
    EXPECT_EQ(decoder.next("a\r\n").consumed, 3u);
    EXPECT_EQ(decoder.remaining_in_chunk(), 10u);
    ChunkedDecoder::Step step = decoder.next("0123");
    EXPECT_EQ(step.data, "0123");
    EXPECT_FALSE(step.chunk_end);
    EXPECT_EQ(decoder.remaining_in_chunk(), 6u);
    step = decoder.next("456789\r\n");
    EXPECT_EQ(step.data, "456789");
    EXPECT_TRUE(step.chunk_end);
    EXPECT_EQ(decoder.remaining_in_chunk(), 0u);
    EXPECT_FALSE(decoder.done());
    EXPECT_FALSE(decoder.next("").done) << "an empty read is not the end of the body";
}

TEST(AppendChunk, FramesOneChunkInLowercaseHex) {
    std::string out = "prefix:";
    append_chunk(out, std::string(26, 'z'));
    EXPECT_EQ(out, "prefix:1a\r\n" + std::string(26, 'z') + "\r\n");
    std::string empty;
    append_chunk(empty, "");
    EXPECT_EQ(empty, "") << "an empty chunk would end the body";
    EXPECT_EQ(kLastChunk, "0\r\n\r\n");
}

TEST(AppendChunk, RoundTripsThroughTheDecoder) {
    const std::vector<std::string> pieces = {"data: {\"a\":1}\n\n", "", std::string(1, '\0'), std::string(70000, 'q'),
                                             "0\r\n\r\n", "x"};
    std::string body;
    std::string expected;
    for (const auto& piece : pieces) {
        append_chunk(body, piece);
        expected += piece;
    }
    body += kLastChunk;
    Decoded out = decode(body);
    EXPECT_TRUE(out.done) << out.error;
    EXPECT_EQ(out.data, expected);
    EXPECT_EQ(out.chunk_ends, 5) << "one chunk per non-empty piece";
    EXPECT_EQ(decode_bytewise(body).data, expected);
}

}  // namespace
}  // namespace ggufd::net
