// report/crossover — where two backends' curves of a metric vs parameter count cross.
// Contract: the input is the sizes BOTH backends measured (ascending, distinct parameter
// counts, positive values).  Between each pair of adjacent measured sizes the log-ratio
// d(p) = ln(a(p) / b(p)) is interpolated linearly in ln(p); a sign change brackets a crossing
// at ln p* = ln p_i + d_i / (d_i - d_{i+1}) * (ln p_{i+1} - ln p_i), and the metric value there
// is the log-log interpolation of a (equal to b's).  A d of exactly 0 at a measured size is a
// crossing AT that size.  Nothing is ever extrapolated beyond the first or last measured size.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

namespace sb::report {

struct Crossing {
  double params = 0.0;        // interpolated parameter count of the crossing
  double value = 0.0;         // interpolated metric value there (both curves)
  std::size_t lo = 0, hi = 0; // indices of the bracketing measured sizes (lo == hi: at a size)
};

struct CrossoverResult {
  std::vector<Crossing> crossings;   // empty: no crossing within the measured range
  // Sign of ln(a/b) at the first and last measured size: -1 a lower, +1 a higher, 0 equal.
  int sign_first = 0, sign_last = 0;
};

// Throws sb::Error on mismatched lengths, fewer than 2 sizes, non-increasing params or
// non-positive values.
CrossoverResult find_crossings(std::span<const double> params, std::span<const double> a,
                               std::span<const double> b);

}  // namespace sb::report
