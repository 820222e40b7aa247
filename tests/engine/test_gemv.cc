// The decode path's GEMV kernels (engine/cpu/gemv.h) against a plain double-precision
// reference over many shapes — odd sizes, every row count 1..kMaxRows, strided operands —
// for every implementation this CPU can run; sum_partials; and the pool's run()/barrier().
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/cpu/gemv.h"
#include "engine/cpu/kernels.h"
#include "engine/cpu/thread_pool.h"

namespace sb::engine {
namespace {

using gemv::Isa;

std::vector<Isa> runnable_isas() {
  std::vector<Isa> r;
  for (Isa i : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (gemv::cpu_supports(i)) r.push_back(i);
  }
  return r;
}

// Deterministic values in [-1, 1) with varied magnitudes.
float val(std::uint64_t i, std::uint64_t salt) {
  std::uint64_t z = (i + 1) * 0x9E3779B97F4A7C15ull ^ (salt * 0xBF58476D1CE4E5B9ull);
  z ^= z >> 31;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 29;
  return static_cast<float>(static_cast<double>(z >> 40) / static_cast<double>(1ull << 24) * 2.0 - 1.0);
}

TEST(Gemv, DispatchPicksASupportedIsa) {
  EXPECT_TRUE(gemv::cpu_supports(gemv::active_isa())) << gemv::isa_name(gemv::active_isa());
  EXPECT_TRUE(gemv::cpu_supports(Isa::kScalar));
}

TEST(Gemv, AccumulateMatchesDoubleReference) {
  for (Isa isa : runnable_isas()) {
    for (int rows = 1; rows <= gemv::kMaxRows; ++rows) {
      for (int K : {0, 1, 3, 4, 5, 8, 17, 64, 131}) {
        for (int N : {1, 7, 8, 15, 16, 17, 33, 100}) {
          for (bool overwrite : {true, false}) {
            const int ldx = K + 3, lda = N + 5;
            const std::int64_t ldw = N + 2;
            std::vector<float> x(static_cast<std::size_t>(rows) * ldx), W(static_cast<std::size_t>(K) * ldw + 1);
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = val(i, 1);
            for (std::size_t i = 0; i < W.size(); ++i) W[i] = val(i, 2) * (i % 5 == 0 ? 8.0f : 1.0f);
            std::vector<float> acc(static_cast<std::size_t>(rows) * lda);
            for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = val(i, 3);
            const std::vector<float> before = acc;
            gemv::gemv_accumulate_isa(isa, x.data(), ldx, rows, K, W.data(), ldw, N, acc.data(), lda, overwrite);
            for (int b = 0; b < rows; ++b) {
              for (int n = 0; n < lda; ++n) {
                const std::size_t at = static_cast<std::size_t>(b) * lda + n;
                if (n >= N) {  // padding between rows is never written
                  ASSERT_EQ(acc[at], before[at]) << "wrote past N at b " << b << " n " << n;
                  continue;
                }
                double ref = overwrite ? 0.0 : before[at], mag = std::fabs(ref);
                for (int k = 0; k < K; ++k) {
                  const double p = static_cast<double>(x[b * ldx + k]) * W[k * ldw + n];
                  ref += p;
                  mag += std::fabs(p);
                }
                ASSERT_NEAR(acc[at], ref, 1e-6 * (1.0 + mag))
                    << fmt::format("isa {} rows {} K {} N {} overwrite {} at b {} n {}",
                                   gemv::isa_name(isa), rows, K, N, overwrite, b, n);
              }
            }
          }
        }
      }
    }
  }
}

TEST(Gemv, RowdotArgmaxMatchesDoubleReference) {
  for (Isa isa : runnable_isas()) {
    for (int rows = 1; rows <= gemv::kMaxRows; ++rows) {
      for (int K : {1, 2, 7, 8, 15, 16, 17, 48, 100}) {
        const int V = 23;
        std::vector<float> T(static_cast<std::size_t>(V) * K), x(static_cast<std::size_t>(rows) * (K + 1));
        for (std::size_t i = 0; i < T.size(); ++i) T[i] = val(i, 4);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = val(i, 5);
        for (auto [v0, v1] : {std::pair{0, 23}, std::pair{3, 4}, std::pair{5, 12}, std::pair{7, 7}, std::pair{1, 22}}) {
          for (bool store : {true, false}) {
            const std::int64_t ldo = V + 1;
            std::vector<float> out(static_cast<std::size_t>(rows) * ldo, -7.0f);
            std::vector<gemv::Best> best(rows, gemv::Best{0.0f, -1});
            gemv::rowdot_argmax_isa(isa, x.data(), K + 1, rows, K, T.data(), v0, v1,
                                    store ? out.data() : nullptr, ldo, best.data());
            const std::string where = fmt::format("isa {} rows {} K {} v [{}, {}) store {}",
                                                  gemv::isa_name(isa), rows, K, v0, v1, store);
            for (int b = 0; b < rows; ++b) {
              double best_ref = 0;
              int best_v = -1;
              for (int v = 0; v < static_cast<int>(ldo); ++v) {
                const float got = out[b * ldo + v];
                if (v < v0 || v >= v1 || !store) {
                  ASSERT_EQ(got, -7.0f) << where << ": wrote outside [v0, v1) at " << v;
                  continue;
                }
                double ref = 0, mag = 0;
                for (int k = 0; k < K; ++k) {
                  const double p = static_cast<double>(x[b * (K + 1) + k]) * T[v * K + k];
                  ref += p;
                  mag += std::fabs(p);
                }
                ASSERT_NEAR(got, ref, 1e-6 * (1.0 + mag)) << where << " b " << b << " v " << v;
              }
              for (int v = v0; v < v1; ++v) {
                double ref = 0;
                for (int k = 0; k < K; ++k) ref += static_cast<double>(x[b * (K + 1) + k]) * T[v * K + k];
                if (best_v < 0 || ref > best_ref) { best_ref = ref; best_v = v; }
              }
              ASSERT_EQ(best[b].index, best_v) << where << " b " << b;
            }
          }
        }
      }
    }
  }
}

TEST(Gemv, RowdotArgmaxKeepsTheLowestIdAmongEqualMaxima) {
  const int K = 19, V = 40;
  std::vector<float> T(static_cast<std::size_t>(V) * K, 0.0f), x(K, 1.0f);
  for (int v : {9, 13, 30}) {
    for (int k = 0; k < K; ++k) T[v * K + k] = 0.25f;  // identical rows: identical sums
  }
  for (Isa isa : runnable_isas()) {
    gemv::Best best{0.0f, -1};
    gemv::rowdot_argmax_isa(isa, x.data(), K, 1, K, T.data(), 0, V, nullptr, V, &best);
    EXPECT_EQ(best.index, 9) << gemv::isa_name(isa);
    gemv::Best later{0.0f, -1};
    gemv::rowdot_argmax_isa(isa, x.data(), K, 1, K, T.data(), 10, V, nullptr, V, &later);
    EXPECT_EQ(later.index, 13) << gemv::isa_name(isa);
  }
}

TEST(Kernels, SumPartialsAddsBiasAndEveryPartInOrder) {
  for (int n : {1, 5, 16, 37}) {
    for (int parts : {1, 2, 3}) {
      const std::int64_t stride = n + 4;
      std::vector<float> p(static_cast<std::size_t>(parts) * stride), bias(n), y(n), y0(n);
      for (std::size_t i = 0; i < p.size(); ++i) p[i] = val(i, 6);
      for (int i = 0; i < n; ++i) { bias[i] = val(i, 7); y0[i] = val(i, 8); }
      for (bool accumulate : {false, true}) {
        for (bool with_bias : {false, true}) {
          y = y0;
          kernels::sum_partials(y.data(), with_bias ? bias.data() : nullptr, p.data(), stride, parts, n, accumulate);
          for (int i = 0; i < n; ++i) {
            float ref = accumulate ? y0[i] : 0.0f;
            if (with_bias) ref += bias[i];
            for (int t = 0; t < parts; ++t) ref += p[t * stride + i];
            ASSERT_FLOAT_EQ(y[i], ref) << n << " " << parts << " " << accumulate << " " << with_bias;
          }
        }
      }
    }
  }
}

TEST(ThreadPool, RunCallsEveryWorkerOnceAndBarriersSeparatePhases) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 50; ++round) {
      std::vector<std::atomic<int>> calls(threads);
      std::atomic<int> phase_count{0};
      std::atomic<bool> ordered{true};
      const int phases = 1 + round % 7;
      pool.run([&](int w) {
        calls[w].fetch_add(1);
        for (int p = 0; p < phases; ++p) {
          phase_count.fetch_add(1);
          pool.barrier();
          // Every worker has finished phase p before anyone starts phase p + 1.
          if (phase_count.load() != (p + 1) * threads) ordered = false;
          pool.barrier();
        }
      });
      for (int w = 0; w < threads; ++w) ASSERT_EQ(calls[w].load(), 1) << threads << " " << w;
      ASSERT_EQ(phase_count.load(), phases * threads);
      ASSERT_TRUE(ordered.load()) << "threads " << threads << " round " << round;
    }
  }
}

}  // namespace
}  // namespace sb::engine
