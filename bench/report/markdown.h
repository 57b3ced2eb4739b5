// The results as Markdown: what a person reads on stdout, in bench/results/*.md and in
// docs/PERFORMANCE.md. Pure formatting of reduced results and goal verdicts.
#pragma once

#include <string>
#include <vector>

#include "goals.h"
#include "results.h"

namespace ggufd::bench {

std::string render_markdown(const Results& results, const std::vector<GoalVerdict>& goals);

}  // namespace ggufd::bench
