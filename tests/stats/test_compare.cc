// The one delta/speedup function, in both conventions.
#include <gtest/gtest.h>

#include "stats/compare.h"
#include "util/error.h"

namespace sb::stats {
namespace {

TEST(Compare, LatencyLowerIsBetter) {
  // Baseline 10 ms, candidate 5 ms: candidate twice as fast, latency changed by -50%.
  Delta d = compare_values(10.0, 5.0, Better::kLower);
  EXPECT_DOUBLE_EQ(d.speedup, 2.0);
  EXPECT_DOUBLE_EQ(d.delta_pct, -50.0);
  // Slower candidate: speedup below 1, positive delta.
  Delta s = compare_values(10.0, 12.5, Better::kLower);
  EXPECT_DOUBLE_EQ(s.speedup, 0.8);
  EXPECT_DOUBLE_EQ(s.delta_pct, 25.0);
}

TEST(Compare, ThroughputHigherIsBetter) {
  // Baseline 100 tok/s, candidate 200 tok/s: twice as fast, throughput changed by +100%.
  Delta d = compare_values(100.0, 200.0, Better::kHigher);
  EXPECT_DOUBLE_EQ(d.speedup, 2.0);
  EXPECT_DOUBLE_EQ(d.delta_pct, 100.0);
  Delta s = compare_values(100.0, 80.0, Better::kHigher);
  EXPECT_DOUBLE_EQ(s.speedup, 0.8);
  EXPECT_DOUBLE_EQ(s.delta_pct, -20.0);
}

TEST(Compare, ConventionsAgreeOnTheSameWork) {
  // The same measurement as latency (ms for 64 tokens) and as throughput (tokens/s) gives the
  // same speedup: that is what "speedup > 1 means candidate better" buys.
  double base_ms = 40.0, cand_ms = 25.0;
  Delta lat = compare_values(base_ms, cand_ms, Better::kLower);
  Delta thr = compare_values(64 / (base_ms / 1e3), 64 / (cand_ms / 1e3), Better::kHigher);
  EXPECT_NEAR(lat.speedup, thr.speedup, 1e-12);
  EXPECT_LT(lat.delta_pct, 0.0);
  EXPECT_GT(thr.delta_pct, 0.0);
}

TEST(Compare, RejectsNonPositive) {
  EXPECT_THROW(compare_values(0.0, 1.0, Better::kLower), sb::Error);
  EXPECT_THROW(compare_values(1.0, -1.0, Better::kHigher), sb::Error);
}

}  // namespace
}  // namespace sb::stats
