// accuracy/metrics — per-position quantities computed from logits, in double.
// Contract: every function takes raw logits rows of `vocab` floats (any constant offset
// allowed); log-softmax is computed in double with the max subtracted.  Argmax ties resolve to
// the lowest id (the Engine contract).  KL is KL(ref || cand) = sum_v p_ref(v) (log p_ref(v) -
// log p_cand(v)) in nats.  Non-finite logits are an sb::Error naming `who`.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::accuracy {

// log(sum exp(x)) in double.
double log_sum_exp(std::span<const float> logits);
// -log softmax(logits)[label].
double token_nll(std::span<const float> logits, std::int32_t label);
std::int32_t argmax(std::span<const float> logits);

struct PositionComparison {
  double kl = 0;                 // KL(ref || cand), nats
  bool top1_equal = false;
  double max_abs = 0;            // max_v |ref - cand|
  double sum_abs = 0;            // sum_v |ref - cand|
};
PositionComparison compare_position(std::span<const float> ref, std::span<const float> cand);

// Accumulates comparisons over positions; p99 by linear interpolation between order statistics
// (rank p * (n - 1)), the same convention as the stats module.
class ComparisonAccumulator {
 public:
  void add(const PositionComparison& c, std::int64_t vocab);
  std::int64_t positions() const { return static_cast<std::int64_t>(kl_.size()); }
  double kl_mean() const;
  double kl_quantile(double p) const;
  double kl_max() const;
  double top1_agreement() const;
  double logit_max_abs() const { return max_abs_; }
  double logit_mean_abs() const;

 private:
  std::vector<double> kl_;
  std::int64_t top1_equal_ = 0;
  double max_abs_ = 0;
  double sum_abs_ = 0;
  std::int64_t elements_ = 0;
};

// Linear-interpolation quantile of unsorted values (copied and sorted); p in [0, 1].
double quantile(std::vector<double> values, double p);

}  // namespace sb::accuracy
