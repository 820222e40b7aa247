// stats — the statistics scalebench's report is allowed to use, each with its definition.
// Contract:
//  * Pure functions of their inputs; no hidden state.  Randomness (bootstrap) is seeded by the
//    caller and uses only std::mt19937_64 (whose output sequence the C++ standard fixes) with
//    our own bounded-integer rejection sampling, so results are identical on every platform.
//  * Functions that need at least two values (variance, CI, t-tests, effect sizes) say so in
//    their types: they return std::optional and give std::nullopt for n < 2 (or a zero
//    variance where a statistic is undefined) — callers must decide what to print instead.
//  * Percentiles use linear interpolation between order statistics, Hyndman & Fan (1996)
//    definition 7 (R's quantile() default, numpy.percentile's default "linear" method):
//    h = (n - 1) p,  Q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]),
//    with x sorted ascending and 0-based.
//  * Distribution functions (Student's t) come from Boost.Math.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sb::stats {

// Welford's online mean / variance in double (numerically stable; no sum-of-squares).
class Welford {
 public:
  void add(double x);
  std::int64_t count() const { return n_; }
  double mean() const { return mean_; }                 // 0 when empty
  std::optional<double> variance() const;               // sample variance (n - 1), n >= 2
  std::optional<double> stddev() const;                 // sqrt(variance)

 private:
  std::int64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

// Hyndman-Fan type 7 quantile of `values` (any order), p in [0, 1].  Needs n >= 1.
double quantile_type7(std::span<const double> values, double p);
// Same, on values already sorted ascending.
double quantile_type7_sorted(std::span<const double> sorted, double p);
double median(std::span<const double> values);

struct ConfidenceInterval {
  double low = 0.0;
  double high = 0.0;
};

// Descriptive summary of n >= 1 values.  Fields that need n >= 2 are optional.
struct Summary {
  std::int64_t n = 0;
  double mean = 0.0;
  double min = 0.0;
  double max = 0.0;
  double median = 0.0;                       // = p50
  double p90 = 0.0, p95 = 0.0, p99 = 0.0;    // type 7
  std::optional<double> stddev;              // sample std (n - 1)
  std::optional<double> cv;                  // stddev / mean (absent when mean == 0)
  std::optional<ConfidenceInterval> mean_ci95;  // Student's t, n - 1 df
};
// Throws sb::Error when values is empty or holds a non-finite number.
Summary summarize(std::span<const double> values);

// Two-sided (1 - alpha) CI of the mean: mean ± t_{1-alpha/2, n-1} · s / sqrt(n).  n >= 2.
std::optional<ConfidenceInterval> mean_ci(std::span<const double> values, double level = 0.95);

// Two-sided quantile of Student's t with df degrees of freedom (Boost.Math).
double student_t_quantile(double df, double probability);
// Two-sided p-value of |t| with df degrees of freedom: 2 · (1 - F(|t|)).
double student_t_two_sided_p(double t, double df);

// Welch's unequal-variance t-test of mean(a) - mean(b).
struct WelchResult {
  double mean_diff = 0.0;      // mean(a) - mean(b)
  double t = 0.0;
  double df = 0.0;             // Welch-Satterthwaite
  double p_two_sided = 1.0;
  ConfidenceInterval diff_ci95;  // CI of mean(a) - mean(b) with the Welch df
};
// nullopt when either sample has n < 2, or both variances are 0 (t undefined).
std::optional<WelchResult> welch_t_test(std::span<const double> a, std::span<const double> b);

// Effect sizes of mean(a) - mean(b).
// Cohen's d = (mean_a - mean_b) / s_pooled,
//   s_pooled = sqrt(((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)).
// Hedges' g = J(df) · d with the EXACT small-sample correction
//   J(df) = Γ(df/2) / (sqrt(df/2) · Γ((df - 1)/2)),  df = n_a + n_b - 2
// (Hedges 1981); the common approximation 1 - 3 / (4 df - 1) is hedges_correction_approx.
struct EffectSize {
  double cohens_d = 0.0;
  double hedges_g = 0.0;
  double pooled_sd = 0.0;
};
// nullopt when either n < 2 or the pooled std is 0.
std::optional<EffectSize> effect_size(std::span<const double> a, std::span<const double> b);
double hedges_correction_exact(double df);
double hedges_correction_approx(double df);

// Holm-Bonferroni step-down adjusted p-values, returned in the input order:
//   sort ascending p_(1) <= ... <= p_(m); adj_(i) = max_{j<=i} min(1, (m - j + 1) p_(j)).
// Ties keep their input order (stable sort), which does not change the adjusted values.
std::vector<double> holm_adjust(std::span<const double> p_values);

// Percentile bootstrap CI of the median: `resamples` resamples with replacement drawn with
// std::mt19937_64(seed); each index is drawn by rejection sampling on the generator's 64-bit
// output (unbiased, platform independent); the CI is the type-7 (alpha/2, 1 - alpha/2)
// quantiles of the resampled medians.  n >= 2, else nullopt.
std::optional<ConfidenceInterval> bootstrap_median_ci(std::span<const double> values,
                                                      std::uint64_t seed, int resamples = 2000,
                                                      double level = 0.95);

// Geometric mean of strictly positive ratios: exp(mean(log r)).  Throws on empty or r <= 0.
double geometric_mean(std::span<const double> ratios);

}  // namespace sb::stats
