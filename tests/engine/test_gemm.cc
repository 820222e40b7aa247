// The prefill GEMM (engine/cpu/gemm.h) against a double-precision reference: every row tail
// (M mod 8), column tails (N mod 32), small and odd K, existing values in C (bias / residual),
// and panels computed in any order give the same result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/cpu/gemm.h"

namespace sb::engine {
namespace {

TEST(Gemm, PanelsMatchADoubleReference) {
  if (!gemm::available()) GTEST_SKIP() << "no AVX-512F on this CPU: the engine uses OpenBLAS";
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  int checked = 0;
  for (int M : {1, 2, 7, 8, 9, 17, 64}) {
    for (int N : {1, 15, 16, 17, 31, 32, 33, 96, 100}) {
      for (int K : {0, 1, 3, 16, 77}) {
        const int lda = K + 3, ldb = N + 5, ldc = N + 2;  // strided, as for blocks of larger matrices
        std::vector<float> A(static_cast<std::size_t>(M) * lda), B(static_cast<std::size_t>(K) * ldb + 1),
            C(static_cast<std::size_t>(M) * ldc), pack(gemm::packed_floats(K));
        for (auto* v : {&A, &B, &C}) for (auto& x : *v) x = u(rng);
        const std::vector<float> C0 = C;
        // Panels in reverse order: no panel may depend on another.
        for (int p = gemm::panels(N) - 1; p >= 0; --p) {
          gemm::gemm_panel(p, A.data(), lda, B.data(), ldb, C.data(), ldc, M, N, K, pack.data());
        }
        for (int m = 0; m < M; ++m) {
          for (int n = 0; n < ldc; ++n) {
            const float got = C[static_cast<std::size_t>(m) * ldc + n];
            const float before = C0[static_cast<std::size_t>(m) * ldc + n];
            if (n >= N) {  // padding columns of C are never written
              ASSERT_EQ(got, before) << M << " " << N << " " << K << " m " << m << " n " << n;
              continue;
            }
            double ref = before, mag = std::fabs(before);
            for (int k = 0; k < K; ++k) {
              const double t = static_cast<double>(A[static_cast<std::size_t>(m) * lda + k]) *
                               B[static_cast<std::size_t>(k) * ldb + n];
              ref += t;
              mag += std::fabs(t);
            }
            ASSERT_NEAR(got, ref, 2e-6 * (1 + mag)) << M << " " << N << " " << K << " m " << m << " n " << n;
          }
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 7 * 9 * 5);
}

}  // namespace
}  // namespace sb::engine
