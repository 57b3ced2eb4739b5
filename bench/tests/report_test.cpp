// The report: medians over rounds, figures relative to the same round's direct and nginx runs,
// and the goals judged from them.
#include <gtest/gtest.h>

#include "../report/goals.h"
#include "../report/markdown.h"
#include "../report/results.h"

namespace ggufd::bench {
namespace {

nlohmann::json chat(const std::string& target, int c, int round, double rps, double p50, int errors = 0) {
    return {{"kind", "chat"}, {"upstream", "fake"}, {"target", target}, {"concurrency", c}, {"round", round},
            {"result", {{"rps", rps}, {"p50_us", p50}, {"p99_us", p50 * 2}, {"requests", 100}, {"errors", errors},
                        {"cpu_us_per_request", target == "ggufd" ? 20.0 : 10.0}}}};
}

nlohmann::json stream(const std::string& target, int c, int round, double delay_p99, int broken = 0) {
    return {{"kind", "stream"}, {"upstream", "fake"}, {"target", target}, {"concurrency", c}, {"round", round},
            {"result", {{"ttfb_us", {{"p50", 100}, {"p99", 200}}}, {"event_delay_us", {{"p50", 0}, {"p99", delay_p99}}},
                        {"events_per_s", 1000}, {"streams", 10}, {"broken", broken}, {"failed", 0}, {"timed_out", 0},
                        {"rss_max_kib", 2048}}}};
}

const Row& row(const Results& r, const std::string& kind, int c, const std::string& target) {
    for (const auto& x : r.rows) {
        if (x.kind == kind && x.concurrency == c && x.target == target) return x;
    }
    throw std::runtime_error("no row " + kind + " " + target);
}

TEST(Reduce, MediansOfPerRoundDifferencesAndRatios) {
    std::vector<nlohmann::json> records = {
        chat("direct", 1, 1, 1000, 20), chat("ggufd", 1, 1, 800, 50), chat("nginx", 1, 1, 900, 40),
        chat("direct", 1, 2, 1000, 30), chat("ggufd", 1, 2, 600, 50), chat("nginx", 1, 2, 900, 50),
        chat("direct", 1, 3, 2000, 20), chat("ggufd", 1, 3, 1000, 90, 2), chat("nginx", 1, 3, 1000, 40),
    };
    auto results = reduce(records);
    const Row& ggufd = row(results, "chat", 1, "ggufd");
    EXPECT_EQ(ggufd.rounds, 3);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("rps"), 800);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("added_p50_us"), 30);  // rounds: 30, 20, 70
    EXPECT_DOUBLE_EQ(ggufd.figures.at("rps_vs_direct"), 0.6);  // rounds: 0.8, 0.6, 0.5
    EXPECT_DOUBLE_EQ(ggufd.figures.at("added_p50_us_vs_nginx"), 1.5);  // rounds: 1.5, 1.0, 3.5
    EXPECT_DOUBLE_EQ(ggufd.counters.at("errors"), 2);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("cpu_us_per_request_vs_nginx"), 2.0);
    EXPECT_FALSE(ggufd.figures.count("cpu_us_per_request_vs_direct"));  // direct runs no proxy
    // Direct is listed first and has nothing relative to itself but zero added latency.
    EXPECT_EQ(results.rows.front().target, "direct");
    EXPECT_DOUBLE_EQ(results.rows.front().figures.at("added_p50_us"), 0);
}

TEST(Reduce, MissingResultsAreListed) {
    auto record = chat("ggufd", 8, 1, 1, 1);
    record["result"] = nullptr;
    record["error"] = "wrk exited with status 1";
    auto results = reduce({record});
    ASSERT_EQ(results.missing.size(), 1u);
    EXPECT_EQ(results.missing[0], "chat fake c=8 ggufd round 1: wrk exited with status 1");
}

TEST(Goals, JudgedAgainstNginxAndTheEventBudget) {
    std::vector<nlohmann::json> records = {
        chat("direct", 1, 1, 1000, 20),  chat("ggufd", 1, 1, 900, 40),   chat("nginx", 1, 1, 900, 50),
        chat("direct", 8, 1, 1000, 20),  chat("ggufd", 8, 1, 900, 80),   chat("nginx", 8, 1, 900, 50),
        chat("direct", 64, 1, 9000, 20), chat("ggufd", 64, 1, 5000, 80), chat("nginx", 64, 1, 6000, 50),
        stream("direct", 16, 1, 300),    stream("ggufd", 16, 1, 350),    stream("nginx", 16, 1, 340),
        stream("direct", 128, 1, 300),   stream("ggufd", 128, 1, 500, 1),
    };
    auto goals = check_goals(reduce(records));
    ASSERT_EQ(goals.size(), 6u);
    EXPECT_TRUE(goals[0].met);   // c=1: +20 vs +30
    EXPECT_FALSE(goals[1].met);  // c=8: +60 vs +30
    EXPECT_FALSE(goals[2].met);  // 5000 < 6000
    EXPECT_EQ(goals[2].detail, "ggufd at 0.833× nginx");
    EXPECT_TRUE(goals[3].met);   // c=16: +50 µs
    EXPECT_FALSE(goals[4].met);  // c=128: +200 µs
    EXPECT_FALSE(goals[5].met);  // one broken stream
    for (const auto& g : goals) EXPECT_TRUE(g.measured) << g.goal;

    auto text = render_markdown(reduce(records), goals);
    EXPECT_NE(text.find("[ ] NOT met: non-streaming: requests/s at c=64"), std::string::npos);
    EXPECT_NE(text.find("| 128 | ggufd |"), std::string::npos);
    EXPECT_NE(text.find("2.0 MiB"), std::string::npos);  // RSS under the top concurrency
}

TEST(Goals, UnmeasuredWhenFiguresAreMissing) {
    auto goals = check_goals(reduce({}));
    for (const auto& g : goals) EXPECT_FALSE(g.measured) << g.goal;
}

}  // namespace
}  // namespace ggufd::bench
