#include "stats/compare.h"

#include <cmath>

#include "util/error.h"

namespace sb::stats {

Delta compare_values(double baseline, double candidate, Better better) {
  if (!(baseline > 0.0) || !std::isfinite(baseline) || !(candidate > 0.0) ||
      !std::isfinite(candidate))
    fail("compare_values: baseline {} and candidate {} must both be finite and > 0", baseline,
         candidate);
  Delta d;
  d.speedup = better == Better::kLower ? baseline / candidate : candidate / baseline;
  d.delta_pct = 100.0 * (candidate - baseline) / baseline;
  return d;
}

const char* delta_convention_text() {
  return "speedup = baseline / candidate for lower-is-better metrics (latency, TPOT) and "
         "candidate / baseline for higher-is-better metrics (throughput), so a speedup above 1 "
         "always means the candidate is better; delta% = 100 * (candidate - baseline) / baseline, "
         "the raw change of the metric itself.";
}

}  // namespace sb::stats
