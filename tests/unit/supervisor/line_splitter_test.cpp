// LineSplitter as a specification: a child's output becomes lines without their line ends,
// whatever pieces the pipe delivers it in, and no line grows past max_line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "output_reader.h"

namespace ggufd::supervisor {
namespace {

using Lines = std::vector<std::string>;

Lines split_pieces(const std::vector<std::string_view>& pieces, size_t max_line, bool flush = true) {
    LineSplitter splitter(max_line);
    Lines lines;
    auto emit = [&](std::string line) { lines.push_back(std::move(line)); };
    for (std::string_view piece : pieces) splitter.feed(piece, emit);
    if (flush) splitter.flush(emit);
    return lines;
}

Lines split(std::string_view text, size_t max_line = 8192, bool flush = true) {
    return split_pieces({text}, max_line, flush);
}

TEST(LineSplitter, LinesLoseTheirLineEnds) {
    EXPECT_EQ(split("one\ntwo\r\nthree\n"), (Lines{"one", "two", "three"}));
    EXPECT_EQ(split("a\n\n\r\nb\n"), (Lines{"a", "", "", "b"})) << "empty lines are lines";
    EXPECT_EQ(split("a\rb\n"), (Lines{"a\rb"})) << "only a CR right before the LF is a line end";
}

TEST(LineSplitter, PartialLinesWaitForTheirEnd) {
    LineSplitter splitter;
    Lines lines;
    auto emit = [&](std::string line) { lines.push_back(std::move(line)); };
    splitter.feed("llama_model_load: loaded ", emit);
    EXPECT_TRUE(lines.empty());
    splitter.feed("meta data\r", emit);
    EXPECT_TRUE(lines.empty());
    splitter.feed("\nnext", emit);
    EXPECT_EQ(lines, (Lines{"llama_model_load: loaded meta data"}));
    splitter.flush(emit);
    EXPECT_EQ(lines, (Lines{"llama_model_load: loaded meta data", "next"})) << "flush emits the unfinished line";
    splitter.flush(emit);
    EXPECT_EQ(lines.size(), 2u) << "a second flush has nothing left";
}

TEST(LineSplitter, FlushWithNothingPendingEmitsNothing) {
    EXPECT_EQ(split("done\n"), (Lines{"done"}));
    EXPECT_EQ(split(""), Lines{});
}

TEST(LineSplitter, LongLinesAreCutAtMaxLine) {
    EXPECT_EQ(split("abcdefghij\n", 4), (Lines{"abcd", "efgh", "ij"}));
    EXPECT_EQ(split("abcdefghij", 4, false), (Lines{"abcd", "efgh"})) << "cut pieces go out without a newline";
    EXPECT_EQ(split_pieces({"ab", "cdef", "gh\n"}, 4), (Lines{"abcd", "efgh"}));
    const std::string huge(1 << 20, 'x');
    Lines lines = split(huge, 8192);
    EXPECT_EQ(lines.size(), 128u);
    for (const auto& line : lines) EXPECT_EQ(line.size(), 8192u);
}

TEST(LineSplitter, ALineOfExactlyMaxLineIsOneLine) {
    EXPECT_EQ(split("abcd\nef\n", 4), (Lines{"abcd", "ef"}));
    EXPECT_EQ(split("abcd\r\nef\r\n", 4), (Lines{"abcd", "ef"})) << "the CR of a CRLF is not line content";
}

// However the pipe cuts the output into reads, the lines are the same.
TEST(LineSplitter, TheSameLinesAtEverySplit) {
    const std::pair<std::string, Lines> cases[] = {
        {"ab\r\ncd\r\n", {"ab", "cd"}},
        {"abc\r\nabcd\r\nabcde\r\n\r\nx", {"abc", "abcd", "abcd", "e", "", "x"}},
        {"abcd\nabcdefgh\n\n", {"abcd", "abcd", "efgh", ""}},
    };
    for (const auto& [text, expected] : cases) {
        for (size_t cut = 0; cut <= text.size(); ++cut) {
            std::string_view view = text;
            EXPECT_EQ(split_pieces({view.substr(0, cut), view.substr(cut)}, 4), expected)
                << "cut at " << cut << " of " << testing::PrintToString(text);
        }
    }
}

}  // namespace
}  // namespace ggufd::supervisor
