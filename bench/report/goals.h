// The performance goals of the issues that set them, checked against reduced results: what ggufd
// must show against the fake upstream (where the proxy is all that is measured) relative to
// direct, nginx, HAProxy and ggufd before the front-door rewrite. Pure: rows in, verdicts out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "results.h"

namespace ggufd::bench {

struct GoalVerdict {
    GoalVerdict(std::string issue_title, std::string what) : issue(std::move(issue_title)), goal(std::move(what)) {}

    std::string issue;   ///< "issue 15: speed under real bodies"
    std::string goal;    ///< "added p50 latency at c=1 no higher than nginx's"
    bool met = false;
    bool measured = false;  ///< false: the figures it needs are missing from this run
    std::string detail;  ///< the figures behind the verdict: "ggufd +41.0 µs, nginx +35.0 µs"
};

/// Below this ratio to the baseline a throughput counts as slower, above this ratio an added
/// latency: the spread of one target's median between full runs on the development machine.
constexpr double kBaselineTolerance = 0.05;

/// Every goal, issue by issue, in each issue's order.
std::vector<GoalVerdict> check_goals(const Results& results);

}  // namespace ggufd::bench
