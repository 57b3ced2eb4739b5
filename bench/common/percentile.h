// Order statistics shared by the SSE load generator and the report: nearest-rank percentiles
// and medians over plain vectors. Pure functions, no I/O.
#pragma once

#include <vector>

namespace ggufd::bench {

/// The nearest-rank `p`-th percentile (0 < p <= 100) of `values`, which it reorders; 0 for an
/// empty vector. Nearest rank means the answer is always one of the samples.
double percentile(std::vector<double>& values, double p);

/// The median of `values` (the mean of the two middle samples for an even count); 0 if empty.
double median(std::vector<double> values);

}  // namespace ggufd::bench
