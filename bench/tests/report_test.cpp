// The report: medians over rounds, figures relative to the same round's direct, nginx, HAProxy and
// baseline runs, and the issues' goals judged from them.
#include <gtest/gtest.h>

#include "../report/goals.h"
#include "../report/markdown.h"
#include "../report/results.h"

namespace ggufd::bench {
namespace {

nlohmann::json chat(const std::string& target, int c, int round, double rps, double p50, int errors = 0, int loops = 2) {
    return {{"kind", "chat"}, {"upstream", "fake"}, {"loops", loops}, {"target", target}, {"concurrency", c}, {"round", round},
            {"result", {{"rps", rps}, {"p50_us", p50}, {"p99_us", p50 * 2}, {"requests", 100}, {"errors", errors},
                        {"cpu_us_per_request", target == "ggufd" ? 20.0 : 10.0}}}};
}

nlohmann::json stream(const std::string& target, int c, int round, double delay_p99, int broken = 0) {
    return {{"kind", "stream"}, {"upstream", "fake"}, {"loops", 2}, {"target", target}, {"concurrency", c}, {"round", round},
            {"result", {{"ttfb_us", {{"p50", 100}, {"p99", 200}}}, {"event_delay_us", {{"p50", 0}, {"p99", delay_p99}}},
                        {"events_per_s", 1000}, {"streams", 10}, {"broken", broken}, {"failed", 0}, {"timed_out", 0},
                        {"rss_max_kib", 2048}}}};
}

nlohmann::json big_body(const std::string& target, int mb, int round, double worst_gap_us) {
    return {{"kind", "bigbody"}, {"upstream", "fake"}, {"loops", 1}, {"target", target}, {"concurrency", 8},
            {"body_mb", mb}, {"round", round},
            {"result", {{"gap_us", {{"p50", 5000}, {"p99", 6000}, {"max", worst_gap_us}}}, {"streams", 10}, {"broken", 0},
                        {"failed", 0}, {"bodies_sent", mb ? 4 : 0}, {"bodies_routed", mb ? 4 : 0}, {"body_seconds_p50", 0.2}}}};
}

const Row& row(const Results& r, const std::string& kind, int c, const std::string& target, int loops = 2) {
    if (const Row* found = find_row(r, kind, "fake", loops, c, target)) return *found;
    throw std::runtime_error("no row " + kind + " " + target);
}

const GoalVerdict& goal(const std::vector<GoalVerdict>& goals, const std::string& words) {
    for (const auto& g : goals) {
        if (g.goal.find(words) != std::string::npos) return g;
    }
    throw std::runtime_error("no goal with '" + words + "'");
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

TEST(Reduce, RatiosToEveryReferenceProxyAndTheBaseline) {
    std::vector<nlohmann::json> records = {
        chat("direct", 8, 1, 1000, 20), chat("ggufd", 8, 1, 900, 50), chat("nginx", 8, 1, 600, 80),
        chat("haproxy", 8, 1, 450, 50), chat("baseline", 8, 1, 750, 80),
    };
    auto results = reduce(records);
    const Row& ggufd = row(results, "chat", 8, "ggufd");
    EXPECT_DOUBLE_EQ(ggufd.figures.at("rps_vs_nginx"), 1.5);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("rps_vs_haproxy"), 2.0);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("rps_vs_baseline"), 1.2);
    EXPECT_DOUBLE_EQ(ggufd.figures.at("added_p50_us_vs_nginx"), 0.5);  // +30 against +60
    EXPECT_DOUBLE_EQ(ggufd.figures.at("added_p50_us_vs_haproxy"), 1.0);
}

TEST(Reduce, EachLoopCountIsItsOwnComparison) {
    std::vector<nlohmann::json> records = {
        chat("direct", 8, 1, 1000, 20, 0, 1), chat("ggufd", 8, 1, 500, 40, 0, 1),
        chat("direct", 8, 1, 2000, 20, 0, 2), chat("ggufd", 8, 1, 1500, 30, 0, 2),
    };
    auto results = reduce(records);
    EXPECT_DOUBLE_EQ(row(results, "chat", 8, "ggufd", 1).figures.at("rps_vs_direct"), 0.5);
    EXPECT_DOUBLE_EQ(row(results, "chat", 8, "ggufd", 2).figures.at("rps_vs_direct"), 0.75);
    EXPECT_EQ(loop_counts(results, "chat", "fake"), (std::vector<int>{1, 2}));
    auto text = render_markdown(results, check_goals(results));
    EXPECT_NE(text.find("one event loop per proxy"), std::string::npos);
    EXPECT_NE(text.find("2 event loops per proxy"), std::string::npos);
}

TEST(Reduce, BigBodiesAddToTheSameTargetWithoutThem) {
    std::vector<nlohmann::json> records = {
        big_body("ggufd", 0, 1, 9000), big_body("ggufd", 32, 1, 15000), big_body("nginx", 0, 1, 7000),
        big_body("nginx", 32, 1, 9000), big_body("ggufd", 0, 2, 8000),  big_body("ggufd", 32, 2, 30000),
        big_body("ggufd", 0, 3, 9000), big_body("ggufd", 32, 3, 13000),
    };
    auto results = reduce(records);
    const Row* ggufd = find_row(results, "bigbody", "fake", 1, 8, "ggufd", 32);
    ASSERT_NE(ggufd, nullptr);
    EXPECT_DOUBLE_EQ(ggufd->figures.at("added_gap_max_us"), 6000);  // rounds: 6000, 22000, 4000
    EXPECT_DOUBLE_EQ(ggufd->counters.at("bodies_routed"), 12);
    EXPECT_DOUBLE_EQ(find_row(results, "bigbody", "fake", 1, 8, "nginx", 32)->figures.at("added_gap_max_us"), 2000);
    auto goals = check_goals(results);
    const GoalVerdict& g = goal(goals, "32 MB body");
    EXPECT_TRUE(g.measured);
    EXPECT_TRUE(g.met);
    EXPECT_EQ(g.detail, "ggufd +6.0 ms, nginx +2.0 ms");
    EXPECT_NE(render_markdown(results, {}).find("| ggufd | 32 MB | 12 / 12 | 0.20 | 15.0 | +6.0 |"), std::string::npos);
}

TEST(Reduce, MissingResultsAreListed) {
    auto record = chat("ggufd", 8, 1, 1, 1);
    record["result"] = nullptr;
    record["error"] = "wrk exited with status 1";
    auto results = reduce({record});
    ASSERT_EQ(results.missing.size(), 1u);
    EXPECT_EQ(results.missing[0], "chat fake loops=2 c=8 ggufd round 1: wrk exited with status 1");
}

TEST(Goals, JudgedAgainstNginxAndTheEventBudget) {
    std::vector<nlohmann::json> records = {
        chat("direct", 1, 1, 1000, 20),  chat("ggufd", 1, 1, 900, 40),   chat("nginx", 1, 1, 900, 50),
        chat("direct", 8, 1, 1000, 20),  chat("ggufd", 8, 1, 900, 80),   chat("nginx", 8, 1, 900, 50),
        chat("direct", 64, 1, 9000, 20), chat("ggufd", 64, 1, 5000, 80), chat("nginx", 64, 1, 6000, 50),
        stream("direct", 16, 1, 300),    stream("ggufd", 16, 1, 350),    stream("nginx", 16, 1, 340),
        stream("direct", 128, 1, 300),   stream("ggufd", 128, 1, 500, 1),
    };
    auto all = check_goals(reduce(records));
    std::vector<GoalVerdict> goals;
    for (const auto& g : all) {
        if (g.issue.starts_with("issue 6")) goals.push_back(g);
    }
    ASSERT_EQ(goals.size(), 6u);
    EXPECT_TRUE(goals[0].met);   // c=1: +20 vs +30
    EXPECT_FALSE(goals[1].met);  // c=8: +60 vs +30
    EXPECT_FALSE(goals[2].met);  // 5000 < 6000
    EXPECT_EQ(goals[2].detail, "ggufd at 0.833× nginx");
    EXPECT_TRUE(goals[3].met);   // c=16: +50 µs
    EXPECT_FALSE(goals[4].met);  // c=128: +200 µs
    EXPECT_FALSE(goals[5].met);  // one broken stream
    for (const auto& g : goals) EXPECT_TRUE(g.measured) << g.goal;

    auto text = render_markdown(reduce(records), all);
    EXPECT_NE(text.find("[ ] NOT met: non-streaming: requests/s at c=64"), std::string::npos);
    EXPECT_NE(text.find("| 128 | ggufd |"), std::string::npos);
    EXPECT_NE(text.find("2.0 MiB"), std::string::npos);  // RSS under the top concurrency
}

TEST(Goals, AgainstTheBetterOfNginxAndHaproxyAtEachLoopCount) {
    std::vector<nlohmann::json> records;
    for (int loops : {1, 2}) {
        for (int c : {1, 8, 64}) {
            records.push_back(chat("direct", c, 1, 1000, 20, 0, loops));
            records.push_back(chat("ggufd", c, 1, loops == 1 ? 700 : 990, 40, 0, loops));
            records.push_back(chat("nginx", c, 1, 800, 45, 0, loops));
            records.push_back(chat("haproxy", c, 1, 900, loops == 1 ? 35 : 60, 0, loops));
        }
    }
    auto goals = check_goals(reduce(records));
    const auto& c1 = goal(goals, "1 event loop each: added p50 latency at c=1");
    EXPECT_FALSE(c1.met) << "+20 against HAProxy's +15";
    EXPECT_EQ(c1.detail, "ggufd +20.0 µs, nginx +25.0 µs, HAProxy +15.0 µs");
    EXPECT_TRUE(goal(goals, "2 event loops each: added p50 latency at c=8").met);
    EXPECT_FALSE(goal(goals, "1 event loop each: requests/s at c=64").met);
    const auto& rps = goal(goals, "2 event loops each: requests/s at c=8");
    EXPECT_TRUE(rps.met);
    EXPECT_EQ(rps.detail, "ggufd at 1.24× nginx, 1.10× HAProxy; the aim is reached");
}

TEST(Goals, NothingSlowerThanTheBaselineBeyondTheTolerance) {
    std::vector<nlohmann::json> records = {
        chat("direct", 1, 1, 1000, 20), chat("ggufd", 1, 1, 970, 40), chat("baseline", 1, 1, 1000, 39.5),
        chat("direct", 8, 1, 1000, 20), chat("ggufd", 8, 1, 800, 40), chat("baseline", 8, 1, 1000, 60),
    };
    auto goals = check_goals(reduce(records));
    const auto& throughput = goal(goals, "requests/s and events/s at least 0.95×");
    EXPECT_FALSE(throughput.met);
    EXPECT_EQ(throughput.detail, "worst: requests/s at c=8, 0.80× the baseline's");
    const auto& latency = goal(goals, "added p50 latency at most 1.05×");
    EXPECT_TRUE(latency.met) << latency.detail;  // +20 against +19.5 at c=1: within 5 %
}

TEST(Goals, UnmeasuredWhenFiguresAreMissing) {
    auto goals = check_goals(reduce({}));
    for (const auto& g : goals) EXPECT_FALSE(g.measured) << g.goal;
}

}  // namespace
}  // namespace ggufd::bench
