#include "stats/stats.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <boost/math/distributions/students_t.hpp>

#include "util/error.h"

namespace sb::stats {

void Welford::add(double x) {
  ++n_;
  double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

std::optional<double> Welford::variance() const {
  if (n_ < 2) return std::nullopt;
  return m2_ / static_cast<double>(n_ - 1);
}

std::optional<double> Welford::stddev() const {
  auto v = variance();
  if (!v) return std::nullopt;
  return std::sqrt(*v);
}

double quantile_type7_sorted(std::span<const double> x, double p) {
  if (x.empty()) fail("quantile of an empty sample");
  if (!(p >= 0.0 && p <= 1.0)) fail("quantile probability {} outside [0, 1]", p);
  double h = static_cast<double>(x.size() - 1) * p;
  auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x[x.size() - 1];
  double frac = h - static_cast<double>(lo);
  return x[lo] + frac * (x[lo + 1] - x[lo]);
}

double quantile_type7(std::span<const double> values, double p) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return quantile_type7_sorted(sorted, p);
}

double median(std::span<const double> values) { return quantile_type7(values, 0.5); }

double student_t_quantile(double df, double probability) {
  boost::math::students_t dist(df);
  return boost::math::quantile(dist, probability);
}

double student_t_two_sided_p(double t, double df) {
  boost::math::students_t dist(df);
  // cdf(complement) keeps precision for large |t| (tiny p-values).
  return 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
}

std::optional<ConfidenceInterval> mean_ci(std::span<const double> values, double level) {
  if (values.size() < 2) return std::nullopt;
  Welford w;
  for (double v : values) w.add(v);
  double n = static_cast<double>(values.size());
  double tq = student_t_quantile(n - 1.0, 1.0 - (1.0 - level) / 2.0);
  double half = tq * *w.stddev() / std::sqrt(n);
  return ConfidenceInterval{w.mean() - half, w.mean() + half};
}

Summary summarize(std::span<const double> values) {
  if (values.empty()) fail("summary of an empty sample");
  Welford w;
  for (double v : values) {
    if (!std::isfinite(v)) fail("summary of a sample holding a non-finite value ({})", v);
    w.add(v);
  }
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  Summary s;
  s.n = static_cast<std::int64_t>(values.size());
  s.mean = w.mean();
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = quantile_type7_sorted(sorted, 0.5);
  s.p90 = quantile_type7_sorted(sorted, 0.90);
  s.p95 = quantile_type7_sorted(sorted, 0.95);
  s.p99 = quantile_type7_sorted(sorted, 0.99);
  s.stddev = w.stddev();
  if (s.stddev && s.mean != 0.0) s.cv = *s.stddev / s.mean;
  s.mean_ci95 = mean_ci(values, 0.95);
  return s;
}

namespace {
struct Moments {
  double n, mean, var;
};
Moments moments(std::span<const double> v) {
  Welford w;
  for (double x : v) w.add(x);
  return {static_cast<double>(v.size()), w.mean(), w.variance().value_or(0.0)};
}
}  // namespace

std::optional<WelchResult> welch_t_test(std::span<const double> a, std::span<const double> b) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  Moments ma = moments(a), mb = moments(b);
  double va = ma.var / ma.n, vb = mb.var / mb.n;  // squared standard errors
  double se2 = va + vb;
  if (!(se2 > 0.0)) return std::nullopt;
  WelchResult r;
  r.mean_diff = ma.mean - mb.mean;
  r.t = r.mean_diff / std::sqrt(se2);
  // Welch-Satterthwaite: (va + vb)^2 / (va^2/(na-1) + vb^2/(nb-1)).
  r.df = se2 * se2 / (va * va / (ma.n - 1.0) + vb * vb / (mb.n - 1.0));
  r.p_two_sided = student_t_two_sided_p(r.t, r.df);
  double half = student_t_quantile(r.df, 0.975) * std::sqrt(se2);
  r.diff_ci95 = {r.mean_diff - half, r.mean_diff + half};
  return r;
}

double hedges_correction_exact(double df) {
  // Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)) through lgamma to avoid overflow for large df.
  return std::exp(std::lgamma(df / 2.0) - std::lgamma((df - 1.0) / 2.0)) / std::sqrt(df / 2.0);
}

double hedges_correction_approx(double df) { return 1.0 - 3.0 / (4.0 * df - 1.0); }

std::optional<EffectSize> effect_size(std::span<const double> a, std::span<const double> b) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  Moments ma = moments(a), mb = moments(b);
  double df = ma.n + mb.n - 2.0;
  double pooled = std::sqrt(((ma.n - 1.0) * ma.var + (mb.n - 1.0) * mb.var) / df);
  if (!(pooled > 0.0)) return std::nullopt;
  EffectSize e;
  e.pooled_sd = pooled;
  e.cohens_d = (ma.mean - mb.mean) / pooled;
  e.hedges_g = hedges_correction_exact(df) * e.cohens_d;
  return e;
}

std::vector<double> holm_adjust(std::span<const double> p) {
  const std::size_t m = p.size();
  std::vector<std::size_t> order(m);
  for (std::size_t i = 0; i < m; ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) fail("Holm adjustment: p-value {} outside [0, 1]", p[i]);
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return p[x] < p[y]; });
  std::vector<double> adj(m);
  double running = 0.0;
  for (std::size_t j = 0; j < m; ++j) {
    double v = std::min(1.0, static_cast<double>(m - j) * p[order[j]]);
    running = std::max(running, v);
    adj[order[j]] = running;
  }
  return adj;
}

namespace {
// Uniform integer in [0, bound) from a 64-bit generator, by rejection of the biased tail.
std::uint64_t bounded(std::mt19937_64& g, std::uint64_t bound) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // multiple of bound
  for (;;) {
    std::uint64_t x = g();
    if (x < limit) return x % bound;
  }
}
}  // namespace

std::optional<ConfidenceInterval> bootstrap_median_ci(std::span<const double> values,
                                                      std::uint64_t seed, int resamples,
                                                      double level) {
  if (values.size() < 2 || resamples < 2) return std::nullopt;
  std::mt19937_64 gen(seed);
  std::vector<double> medians;
  medians.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> draw(values.size());
  for (int r = 0; r < resamples; ++r) {
    for (auto& d : draw) d = values[bounded(gen, values.size())];
    std::sort(draw.begin(), draw.end());
    medians.push_back(quantile_type7_sorted(draw, 0.5));
  }
  std::sort(medians.begin(), medians.end());
  double alpha = 1.0 - level;
  return ConfidenceInterval{quantile_type7_sorted(medians, alpha / 2.0),
                            quantile_type7_sorted(medians, 1.0 - alpha / 2.0)};
}

double geometric_mean(std::span<const double> r) {
  if (r.empty()) fail("geometric mean of no ratios");
  double s = 0.0;
  for (double x : r) {
    if (!(x > 0.0) || !std::isfinite(x)) fail("geometric mean needs positive ratios, got {}", x);
    s += std::log(x);
  }
  return std::exp(s / static_cast<double>(r.size()));
}

}  // namespace sb::stats
