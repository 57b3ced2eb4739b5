#include "usage_scanner.h"

#include <gtest/gtest.h>

using ggufd::gateway::UsageScanner;

TEST(UsageScanner, ReadsCompletionTokensFromUsage) {
    UsageScanner scanner;
    scanner.scan(R"({"choices":[],"usage":{"completion_tokens":17,"prompt_tokens":5,"total_tokens":22}})");
    EXPECT_EQ(scanner.tokens(), 17u);
}

TEST(UsageScanner, ReadsPredictedNFromAStreamsTimings) {
    UsageScanner scanner;
    scanner.scan(R"(data: {"choices":[{"delta":{"content":"hi"}}]})" "\n\n");
    EXPECT_EQ(scanner.tokens(), 0u);
    scanner.scan(R"(data: {"choices":[{"finish_reason":"length"}],"timings":{"prompt_n":3,"predicted_n": 42}})" "\n\n");
    EXPECT_EQ(scanner.tokens(), 42u);
}

TEST(UsageScanner, KeepsTheLargestCountSeen) {
    UsageScanner scanner;
    scanner.scan(R"({"timings":{"predicted_n":9}} {"usage":{"completion_tokens":9}})");
    scanner.scan(R"({"usage":{"completion_tokens":3}})");
    EXPECT_EQ(scanner.tokens(), 9u);
}

TEST(UsageScanner, IgnoresKeysWithoutANumber) {
    UsageScanner scanner;
    scanner.scan(R"({"completion_tokens":null,"predicted_n":"x"})");
    EXPECT_EQ(scanner.tokens(), 0u);
}

TEST(UsageScanner, FindsACounterCutByAReadBoundary) {
    // Cut at every byte: the key, the colon, the spaces or the digits may be split between reads.
    const std::string body = R"({"choices":[],"usage":{"completion_tokens":  1234,"prompt_tokens":5}})";
    for (size_t cut = 0; cut <= body.size(); ++cut) {
        UsageScanner scanner;
        scanner.scan(std::string_view(body).substr(0, cut));
        scanner.scan(std::string_view(body).substr(cut));
        EXPECT_EQ(scanner.tokens(), 1234u) << "cut at " << cut;
    }
}

TEST(UsageScanner, FindsACounterSpreadOverManySmallReads) {
    const std::string events = std::string("data: {\"choices\":[{\"delta\":{\"content\":\"x_y\"}}]}\n\n") +
                               R"(data: {"choices":[],"timings":{"prompt_n":3,"predicted_n":42}})" "\n\n";
    for (size_t step : {1u, 2u, 3u, 7u, 47u, 48u, 49u}) {
        UsageScanner scanner;
        for (size_t at = 0; at < events.size(); at += step) scanner.scan(std::string_view(events).substr(at, step));
        EXPECT_EQ(scanner.tokens(), 42u) << "reads of " << step << " bytes";
    }
}

TEST(UsageScanner, KeysInsideStringsAndLookalikesDoNotCount) {
    UsageScanner scanner;
    scanner.scan(R"({"content":"say \"completion_tokens\":99","completion_tokens_details":{"x":98},"my_predicted_n":97})");
    scanner.scan(R"({"xcompletion_tokens":96,"predicted_number":95})");
    EXPECT_EQ(scanner.tokens(), 0u);
}
