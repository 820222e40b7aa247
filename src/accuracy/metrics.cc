#include "accuracy/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"

namespace sb::accuracy {
namespace {

double max_of(std::span<const float> x) {
  float m = x[0];
  for (float v : x) {
    if (!std::isfinite(v)) sb::fail("logits hold a non-finite value ({})", v);
    m = std::max(m, v);
  }
  return m;
}

}  // namespace

double log_sum_exp(std::span<const float> x) {
  if (x.empty()) sb::fail("log_sum_exp of an empty logits row");
  const double m = max_of(x);
  double s = 0;
  for (float v : x) s += std::exp(static_cast<double>(v) - m);
  return m + std::log(s);
}

double token_nll(std::span<const float> logits, std::int32_t label) {
  if (label < 0 || static_cast<std::size_t>(label) >= logits.size())
    sb::fail("label {} is outside the vocabulary of {} logits", label, logits.size());
  return log_sum_exp(logits) - static_cast<double>(logits[label]);
}

std::int32_t argmax(std::span<const float> x) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[best]) best = i;   // strict: the lowest id wins ties
  return static_cast<std::int32_t>(best);
}

PositionComparison compare_position(std::span<const float> ref, std::span<const float> cand) {
  if (ref.size() != cand.size())
    sb::fail("logits rows differ in size: reference {} vs candidate {}", ref.size(), cand.size());
  const double lse_r = log_sum_exp(ref);
  const double lse_c = log_sum_exp(cand);
  PositionComparison c;
  double kl = 0;
  for (std::size_t v = 0; v < ref.size(); ++v) {
    const double lr = static_cast<double>(ref[v]) - lse_r;
    const double lc = static_cast<double>(cand[v]) - lse_c;
    kl += std::exp(lr) * (lr - lc);
    const double d = std::fabs(static_cast<double>(ref[v]) - static_cast<double>(cand[v]));
    c.max_abs = std::max(c.max_abs, d);
    c.sum_abs += d;
  }
  // KL is >= 0 mathematically; rounding can leave a tiny negative for identical rows.
  c.kl = std::max(0.0, kl);
  c.top1_equal = argmax(ref) == argmax(cand);
  return c;
}

void ComparisonAccumulator::add(const PositionComparison& c, std::int64_t vocab) {
  kl_.push_back(c.kl);
  if (c.top1_equal) ++top1_equal_;
  max_abs_ = std::max(max_abs_, c.max_abs);
  sum_abs_ += c.sum_abs;
  elements_ += vocab;
}

double ComparisonAccumulator::kl_mean() const {
  if (kl_.empty()) return 0;
  return std::accumulate(kl_.begin(), kl_.end(), 0.0) / static_cast<double>(kl_.size());
}
double ComparisonAccumulator::kl_quantile(double p) const { return quantile(kl_, p); }
double ComparisonAccumulator::kl_max() const {
  return kl_.empty() ? 0 : *std::max_element(kl_.begin(), kl_.end());
}
double ComparisonAccumulator::top1_agreement() const {
  return kl_.empty() ? 0 : static_cast<double>(top1_equal_) / static_cast<double>(kl_.size());
}
double ComparisonAccumulator::logit_mean_abs() const {
  return elements_ == 0 ? 0 : sum_abs_ / static_cast<double>(elements_);
}

double quantile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (rank - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace sb::accuracy
