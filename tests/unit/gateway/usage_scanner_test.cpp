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
