// The performance goals of issue 6, checked against reduced results: what ggufd must show
// against the fake upstream (where the proxy is all that is measured) relative to direct and
// nginx. Pure: rows in, verdicts out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "results.h"

namespace ggufd::bench {

struct GoalVerdict {
    explicit GoalVerdict(std::string what) : goal(std::move(what)) {}

    std::string goal;    ///< "added p50 latency at c=1 no higher than nginx's"
    bool met = false;
    bool measured = false;  ///< false: the figures it needs are missing from this run
    std::string detail;  ///< the figures behind the verdict: "ggufd +41.0 µs, nginx +35.0 µs"
};

/// Every goal, in the order.
std::vector<GoalVerdict> check_goals(const Results& results);

}  // namespace ggufd::bench
