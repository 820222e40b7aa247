// Crossover interpolation on synthetic curves: crossing, no crossing, never extrapolated.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "report/crossover.h"
#include "util/error.h"

namespace sb::report {
namespace {

TEST(Crossover, PowerLawsCrossWhereTheyShould) {
  // a = 1e-3 * p^0.5 and b = 1e-5 * p^0.75 cross where p^0.25 = 100, p = 1e8.  Both are
  // straight lines in log-log, so interpolation between 1e7 and 1e9 recovers it exactly.
  std::vector<double> p = {1e5, 1e7, 1e9, 1e10};
  std::vector<double> a, b;
  for (double x : p) {
    a.push_back(1e-3 * std::pow(x, 0.5));
    b.push_back(1e-5 * std::pow(x, 0.75));
  }
  CrossoverResult r = find_crossings(p, a, b);
  ASSERT_EQ(r.crossings.size(), 1u);
  EXPECT_NEAR(std::log10(r.crossings[0].params), 8.0, 1e-9);
  EXPECT_NEAR(r.crossings[0].value, 1e-3 * 1e4, 1e-9);
  EXPECT_EQ(r.crossings[0].lo, 1u);  // bracketed by the measured 1e7 and 1e9
  EXPECT_EQ(r.crossings[0].hi, 2u);
  EXPECT_EQ(r.sign_first, 1);       // a above b at small sizes
  EXPECT_EQ(r.sign_last, -1);
}

TEST(Crossover, NoCrossingWithinMeasuredRange) {
  // Same curves measured only below 1e8: they would cross at 1e8, but that is outside the
  // measured range and must not be reported (no extrapolation).
  std::vector<double> p = {1e5, 1e6, 1e7, 5e7};
  std::vector<double> a, b;
  for (double x : p) {
    a.push_back(1e-3 * std::pow(x, 0.5));
    b.push_back(1e-5 * std::pow(x, 0.75));
  }
  CrossoverResult r = find_crossings(p, a, b);
  EXPECT_TRUE(r.crossings.empty());
  EXPECT_EQ(r.sign_first, 1);
  EXPECT_EQ(r.sign_last, 1);
}

TEST(Crossover, EqualAtAMeasuredSizeIsReportedThere) {
  std::vector<double> p = {1e6, 1e7, 1e8}, a = {1, 2, 3}, b = {2, 2, 2};
  CrossoverResult r = find_crossings(p, a, b);
  ASSERT_EQ(r.crossings.size(), 1u);
  EXPECT_EQ(r.crossings[0].lo, 1u);
  EXPECT_EQ(r.crossings[0].hi, 1u);
  EXPECT_DOUBLE_EQ(r.crossings[0].params, 1e7);
}

TEST(Crossover, TwoCrossings) {
  std::vector<double> p = {1, 10, 100}, a = {1, 3, 1}, b = {2, 2, 2};
  CrossoverResult r = find_crossings(p, a, b);
  ASSERT_EQ(r.crossings.size(), 2u);
  for (const auto& c : r.crossings) {
    EXPECT_GT(c.params, p[c.lo]);
    EXPECT_LT(c.params, p[c.hi]);
    EXPECT_NEAR(c.value, 2.0, 1e-12);  // where a meets b = 2
  }
}

TEST(Crossover, RejectsBadInput) {
  std::vector<double> one = {1}, two = {1, 2}, desc = {2, 1}, neg = {1, -1};
  EXPECT_THROW(find_crossings(one, one, one), sb::Error);
  EXPECT_THROW(find_crossings(two, two, one), sb::Error);
  EXPECT_THROW(find_crossings(desc, two, two), sb::Error);
  EXPECT_THROW(find_crossings(two, neg, two), sb::Error);
}

}  // namespace
}  // namespace sb::report
