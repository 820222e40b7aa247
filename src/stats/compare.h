// stats/compare — THE delta/speedup function.  Every ratio, delta and "x faster" in scalebench
// comes from compare_values(); nothing else divides a candidate by a baseline.
// Sign convention (printed in every report):
//   speedup   = baseline / candidate   for lower-is-better metrics (latency, TPOT)
//             = candidate / baseline   for higher-is-better metrics (throughput)
//             so speedup > 1 always means "the candidate is better".
//   delta_pct = 100 · (candidate − baseline) / baseline  — the raw change of the metric itself,
//             whatever its direction (a latency delta of −20% is an improvement; a throughput
//             delta of +25% is the same improvement seen as throughput).
#pragma once

namespace sb::stats {

enum class Better { kLower, kHigher };

struct Delta {
  double speedup = 1.0;     // > 1: candidate better (see the convention above)
  double delta_pct = 0.0;   // 100 (candidate - baseline) / baseline
};

// Throws sb::Error when either value is not finite and strictly positive (a ratio of a
// non-positive latency or throughput is meaningless).
Delta compare_values(double baseline, double candidate, Better better);

// The convention as one sentence, for reports and docs.
const char* delta_convention_text();

}  // namespace sb::stats
