// The CPU engine's SIMD kernels against double-precision references, and its thread pool.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "engine/cpu/kernels.h"
#include "engine/cpu/thread_pool.h"

namespace sb::engine {
namespace {

TEST(Kernels, ReportsIsa) {
  const std::string isa = kernels::active_isa();
  EXPECT_TRUE(isa == "x86-64-v3" || isa == "default") << isa;
}

TEST(Kernels, ExpIsAccurateToAFewUlp) {
  std::vector<float> x;
  for (float v = -87.0f; v <= 88.0f; v += 0.0137f) x.push_back(v);
  std::vector<float> y = x;
  kernels::exp_inplace(y.data(), static_cast<std::int64_t>(y.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double ref = std::exp(static_cast<double>(x[i]));
    EXPECT_NEAR(y[i] / ref, 1.0, 4e-7) << "x = " << x[i];
  }
}

double gelu_new_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

TEST(Kernels, GeluNewMatchesTheTanhFormula) {
  std::vector<float> x;
  for (float v = -12.0f; v <= 12.0f; v += 0.00731f) x.push_back(v);
  x.push_back(0.0f);
  x.push_back(-30.0f);
  x.push_back(50.0f);
  std::vector<float> y = x;
  kernels::gelu_new_inplace(y.data(), static_cast<std::int64_t>(y.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double ref = gelu_new_ref(x[i]);
    EXPECT_LE(std::fabs(y[i] - ref), 1e-7 + 1e-6 * std::fabs(ref)) << "x = " << x[i];
  }
  // Distinguishable from exact (erf) GELU — the golden sensitivity test relies on it.
  std::vector<float> e = {1.5f};
  kernels::gelu_erf_inplace(e.data(), 1);
  EXPECT_GT(std::fabs(e[0] - gelu_new_ref(1.5)), 1e-4);
}

TEST(Kernels, LayerNormMatchesDoubleReference) {
  const int n = 771;  // not a multiple of any vector width
  std::vector<float> x(2 * n), g(n), b(n), y(2 * n);
  for (int i = 0; i < 2 * n; ++i) x[i] = std::sin(i * 0.37f) * 3.0f + 0.5f;
  for (int i = 0; i < n; ++i) { g[i] = 1.0f + 0.01f * (i % 7); b[i] = 0.02f * (i % 5) - 0.04f; }
  kernels::layer_norm(x.data(), y.data(), 2, n, g.data(), b.data(), 1e-5f);
  for (int r = 0; r < 2; ++r) {
    double mean = 0, var = 0;
    for (int i = 0; i < n; ++i) mean += x[r * n + i];
    mean /= n;
    for (int i = 0; i < n; ++i) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
    var /= n;
    for (int i = 0; i < n; ++i) {
      const double ref = (x[r * n + i] - mean) / std::sqrt(var + 1e-5) * g[i] + b[i];
      EXPECT_NEAR(y[r * n + i], ref, 2e-6 + 2e-6 * std::fabs(ref));
    }
  }
}

TEST(Kernels, SoftmaxDotAxpy) {
  for (int n : {1, 2, 7, 16, 33, 100}) {
    std::vector<float> s(n);
    for (int i = 0; i < n; ++i) s[i] = std::cos(i * 1.3f) * 5.0f;
    std::vector<double> ref(n);
    double m = -1e30, z = 0;
    for (int i = 0; i < n; ++i) m = std::max(m, static_cast<double>(s[i]));
    for (int i = 0; i < n; ++i) z += ref[i] = std::exp(s[i] - m);
    kernels::softmax_inplace(s.data(), n);
    for (int i = 0; i < n; ++i) EXPECT_NEAR(s[i], ref[i] / z, 1e-6) << n;
    std::vector<float> a(n), b(n, 2.0f);
    double d = 0;
    for (int i = 0; i < n; ++i) { a[i] = 0.5f * i - 3; d += a[i] * 2.0; }
    EXPECT_NEAR(kernels::dot(a.data(), b.data(), n), d, 1e-4 * (1 + std::fabs(d)));
    kernels::axpy(0.5f, a.data(), b.data(), n);
    for (int i = 0; i < n; ++i) EXPECT_FLOAT_EQ(b[i], 2.0f + 0.5f * a[i]);
  }
}

// The one-call attention kernels against a double-precision reference, for head widths from 1
// (tiny-gpt2) to 96 and 1..70 positions; out is overwritten, not accumulated.
TEST(Kernels, AttentionScoresAndWeightedSum) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int d : {1, 2, 3, 8, 16, 17, 64, 96}) {
    for (int n : {1, 2, 7, 70}) {
      std::vector<float> q(d), K(static_cast<std::size_t>(n) * d), V(K.size()), w(n), s(n);
      for (auto* v : {&q, &K, &V}) for (auto& x : *v) x = u(rng);
      for (auto& x : w) x = u(rng);
      const float denom = std::sqrt(static_cast<float>(d));
      kernels::attention_scores(q.data(), K.data(), n, d, denom, s.data());
      std::vector<float> out(d, 123.0f);
      kernels::weighted_sum(w.data(), V.data(), n, d, out.data());
      for (int j = 0; j < n; ++j) {
        double ref = 0, mag = 0;
        for (int i = 0; i < d; ++i) { ref += double(q[i]) * K[j * d + i]; mag += std::fabs(double(q[i]) * K[j * d + i]); }
        ASSERT_NEAR(s[j], ref / denom, 1e-6 * (1 + mag)) << "d " << d << " n " << n << " j " << j;
      }
      for (int i = 0; i < d; ++i) {
        double ref = 0, mag = 0;
        for (int j = 0; j < n; ++j) { ref += double(w[j]) * V[j * d + i]; mag += std::fabs(double(w[j]) * V[j * d + i]); }
        ASSERT_NEAR(out[i], ref, 1e-6 * (1 + mag)) << "d " << d << " n " << n << " i " << i;
      }
    }
  }
}

TEST(Kernels, ArgmaxTakesTheLowestIdOnTies) {
  std::vector<float> x = {0.1f, 3.0f, -1.0f, 3.0f, 2.0f};
  EXPECT_EQ(kernels::argmax(x.data(), 5), 1);
  x[0] = 3.0f;
  EXPECT_EQ(kernels::argmax(x.data(), 5), 0);
  std::vector<float> big(50257, 0.0f);
  big[40000] = 1.0f;
  big[50256] = 1.0f;
  EXPECT_EQ(kernels::argmax(big.data(), 50257), 40000);
}

// The two-pass vectorized argmax against the scalar scan it replaced (strict >: lowest index on
// ties, NaN never wins, NaN at 0 returned), over lengths around the 16-lane blocks, with ties,
// signed zeros, infinities and NaNs planted at random places.
TEST(Kernels, ArgmaxEqualsTheScalarScan) {
  auto scalar = [](const std::vector<float>& x) {
    std::int64_t best = 0;
    for (std::size_t i = 1; i < x.size(); ++i) {
      if (x[i] > x[best]) best = static_cast<std::int64_t>(i);
    }
    return static_cast<std::int32_t>(best);
  };
  std::mt19937 rng(11);
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), 5.0f};
  int checked = 0;
  for (int n : {1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 50257}) {
    for (int round = 0; round < 40; ++round) {
      std::vector<float> x(n);
      // Few distinct values so that ties are common.
      std::uniform_int_distribution<int> small(-3, 3);
      for (auto& v : x) v = static_cast<float>(small(rng));
      std::uniform_int_distribution<int> at(0, n - 1), which(0, 5);
      for (int k = 0; k < round % 5; ++k) x[at(rng)] = specials[which(rng)];
      ASSERT_EQ(kernels::argmax(x.data(), n), scalar(x)) << "n " << n << " round " << round;
      ++checked;
    }
  }
  EXPECT_GT(checked, 400);
}

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 200; ++round) {
      const int n = 1 + (round * 37) % 97;
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> max_worker{0};
      pool.parallel_for(n, [&](int t, int w) {
        hits[t].fetch_add(1);
        int m = max_worker.load();
        while (w > m && !max_worker.compare_exchange_weak(m, w)) {}
      });
      for (int t = 0; t < n; ++t) ASSERT_EQ(hits[t].load(), 1) << "threads " << threads << " task " << t;
      ASSERT_LT(max_worker.load(), threads);
    }
  }
  EXPECT_GE(available_cpus(), 1);
}

// Runs and parallel_fors of fewer workers than the pool holds (the engine's work-size-aware
// threading), interleaved with full ones: only the first n workers are called, barriers count
// only them, and a worker left out of one run takes part in the next.
TEST(ThreadPool, RunsOfFewerWorkersUseOnlyTheFirstOnes) {
  ThreadPool pool(5);
  for (int round = 0; round < 300; ++round) {
    const int n = 1 + (round * 7) % 6;  // 1..6: 6 means "more than the pool", i.e. all 5
    const int expect = std::min(n, 5);
    std::vector<std::atomic<int>> calls(5);
    std::atomic<int> phase_count{0};
    std::atomic<bool> ordered{true};
    pool.run([&](int w) {
      calls[w].fetch_add(1);
      for (int p = 0; p < 3; ++p) {
        phase_count.fetch_add(1);
        pool.barrier();
        if (phase_count.load() != (p + 1) * expect) ordered = false;
        pool.barrier();
      }
    }, n);
    for (int w = 0; w < 5; ++w) ASSERT_EQ(calls[w].load(), w < expect ? 1 : 0) << "n " << n << " worker " << w;
    ASSERT_TRUE(ordered.load()) << "n " << n << " round " << round;
    std::atomic<int> max_worker{0}, hits{0};
    pool.parallel_for(40, [&](int, int w) {
      hits.fetch_add(1);
      int m = max_worker.load();
      while (w > m && !max_worker.compare_exchange_weak(m, w)) {}
    }, n);
    ASSERT_EQ(hits.load(), 40);
    ASSERT_LT(max_worker.load(), expect);
  }
}

}  // namespace
}  // namespace sb::engine

#include "engine/cpu/ceilings.h"
#include "util/error.h"

namespace sb::engine {
namespace {

TEST(Ceilings, SgemmMeasuresSomethingAndBandwidthRefusesSmallBuffers) {
  const double gflops = measure_sgemm_gflops(1, 256, 1);
  EXPECT_GT(gflops, 0.1);
  EXPECT_LT(gflops, 1e5);
  // A buffer that fits in caches would report cache bandwidth, not memory bandwidth.
  EXPECT_THROW(measure_cpu_read_bandwidth_gbps(1, std::size_t{64} << 20), sb::Error);
  EXPECT_THROW(measure_sgemm_gflops(1, 16), sb::Error);
}

}  // namespace
}  // namespace sb::engine
