#include "report/crossover.h"

#include <cmath>

#include "util/error.h"

namespace sb::report {

namespace {
int sign(double x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }
}  // namespace

CrossoverResult find_crossings(std::span<const double> p, std::span<const double> a,
                               std::span<const double> b) {
  if (p.size() != a.size() || p.size() != b.size())
    fail("crossover: {} sizes but {} and {} values", p.size(), a.size(), b.size());
  if (p.size() < 2) fail("crossover: needs at least 2 measured sizes, got {}", p.size());
  std::vector<double> d(p.size()), lp(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] > 0) || !(a[i] > 0) || !(b[i] > 0))
      fail("crossover: size {} has non-positive params or values", i);
    if (i > 0 && !(p[i] > p[i - 1]))
      fail("crossover: parameter counts must increase strictly (index {})", i);
    d[i] = std::log(a[i] / b[i]);
    lp[i] = std::log(p[i]);
  }
  CrossoverResult r;
  r.sign_first = sign(d.front());
  r.sign_last = sign(d.back());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (d[i] == 0.0) {
      r.crossings.push_back({p[i], a[i], i, i});
      continue;
    }
    if (i + 1 < p.size() && d[i + 1] != 0.0 && sign(d[i]) != sign(d[i + 1])) {
      double t = d[i] / (d[i] - d[i + 1]);  // in (0, 1): strictly inside the bracket
      double lpx = lp[i] + t * (lp[i + 1] - lp[i]);
      double la = std::log(a[i]) + t * (std::log(a[i + 1]) - std::log(a[i]));
      r.crossings.push_back({std::exp(lpx), std::exp(la), i, i + 1});
    }
  }
  return r;
}

}  // namespace sb::report
