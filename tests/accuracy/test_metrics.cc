// KL / top-1 / logit errors / NLL on hand-made logits with known answers.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "accuracy/metrics.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {

TEST(Metrics, LogSumExpAndNll) {
  const std::vector<float> z{0.0f, 0.0f};
  EXPECT_NEAR(log_sum_exp(z), std::log(2.0), 1e-12);
  // softmax([0, ln 3]) = [1/4, 3/4].
  const std::vector<float> x{0.0f, static_cast<float>(std::log(3.0))};
  EXPECT_NEAR(token_nll(x, 0), std::log(4.0), 1e-6);
  EXPECT_NEAR(token_nll(x, 1), std::log(4.0 / 3.0), 1e-6);
  // Large offsets do not overflow (max subtracted).
  const std::vector<float> big{1000.0f, 1000.0f};
  EXPECT_NEAR(token_nll(big, 1), std::log(2.0), 1e-9);
  EXPECT_THROW(token_nll(x, 2), sb::Error);
  EXPECT_THROW(token_nll(x, -1), sb::Error);
}

TEST(Metrics, KlOfKnownDistributions) {
  const double l3 = std::log(3.0);
  const std::vector<float> ref{0.0f, static_cast<float>(l3)};   // p = [1/4, 3/4]
  const std::vector<float> cand{0.0f, 0.0f};                     // q = [1/2, 1/2]
  const double want = 0.25 * std::log(0.25 / 0.5) + 0.75 * std::log(0.75 / 0.5);
  const auto c = compare_position(ref, cand);
  EXPECT_NEAR(c.kl, want, 1e-7);
  EXPECT_TRUE(c.top1_equal == false);   // argmax 1 vs tie -> 0
  EXPECT_NEAR(c.max_abs, l3, 1e-6);
  EXPECT_NEAR(c.sum_abs, l3, 1e-6);
  // KL is not symmetric: KL(q || p) differs.
  const auto r = compare_position(cand, ref);
  EXPECT_NEAR(r.kl, 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75), 1e-7);
}

TEST(Metrics, ConstantOffsetIsNotADistributionChange) {
  const std::vector<float> ref{1.0f, -2.0f, 0.5f, 3.0f};
  std::vector<float> cand = ref;
  for (auto& v : cand) v += 5.0f;
  const auto c = compare_position(ref, cand);
  EXPECT_NEAR(c.kl, 0.0, 1e-12);
  EXPECT_TRUE(c.top1_equal);
  EXPECT_NEAR(c.max_abs, 5.0, 1e-6);   // raw logit error still sees it
  EXPECT_NEAR(c.sum_abs, 20.0, 1e-5);
}

TEST(Metrics, ArgmaxTiesPickLowestId) {
  EXPECT_EQ(argmax(std::vector<float>{1, 3, 3, 0}), 1);
  EXPECT_EQ(argmax(std::vector<float>{2, 2}), 0);
}

TEST(Metrics, AccumulatorMeansAndQuantiles) {
  ComparisonAccumulator acc;
  for (int i = 1; i <= 100; ++i) {
    PositionComparison p;
    p.kl = i;
    p.top1_equal = i % 4 != 0;   // 75 of 100 agree
    p.max_abs = i * 0.5;
    p.sum_abs = 10.0;            // over vocab 4 -> mean abs 2.5
    acc.add(p, 4);
  }
  EXPECT_EQ(acc.positions(), 100);
  EXPECT_DOUBLE_EQ(acc.kl_mean(), 50.5);
  EXPECT_NEAR(acc.kl_quantile(0.99), 99.01, 1e-9);   // rank 0.99*99 = 98.01 -> 99 + 0.01
  EXPECT_DOUBLE_EQ(acc.kl_max(), 100);
  EXPECT_DOUBLE_EQ(acc.top1_agreement(), 0.75);
  EXPECT_DOUBLE_EQ(acc.logit_max_abs(), 50);
  EXPECT_DOUBLE_EQ(acc.logit_mean_abs(), 2.5);
  EXPECT_DOUBLE_EQ(quantile({3.0}, 0.99), 3.0);
  EXPECT_DOUBLE_EQ(quantile({1.0, 2.0}, 0.5), 1.5);
}

TEST(Metrics, NonFiniteLogitsAreAnError) {
  const std::vector<float> bad{0.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THROW(log_sum_exp(bad), sb::Error);
  const std::vector<float> inf{0.0f, std::numeric_limits<float>::infinity()};
  EXPECT_THROW(compare_position(inf, inf), sb::Error);
}

}  // namespace
}  // namespace sb::accuracy
