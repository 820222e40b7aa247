// The prefill GEMM (engine/cpu/gemm.h) against a double-precision reference over many shapes:
// row tails (M mod 8), column tails (N mod 48 and mod 16), small, odd and long K, every
// epilogue (bias, gelu_new, residual), panels and row ranges computed in any order; gemm_small
// (attention's unpacked operands) and gemv_packed (the decode step over the packed copy) the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/cpu/gemm.h"
#include "engine/cpu/gemv.h"

namespace sb::engine {
namespace {

using gemm::Epilogue;

double gelu_new_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

// sum_k A[m, k] B[k, n] in double, and sum_k |A B| (the scale of its fp32 rounding error).
void dot_ref(const std::vector<float>& A, int lda, const std::vector<float>& B, int ldb, int K,
             int m, int n, double& sum, double& mag) {
  sum = 0.0;
  mag = 0.0;
  for (int k = 0; k < K; ++k) {
    const double t = static_cast<double>(A[static_cast<std::size_t>(m) * lda + k]) *
                     B[static_cast<std::size_t>(k) * ldb + n];
    sum += t;
    mag += std::fabs(t);
  }
}

TEST(Gemm, PackedPanelsMatchADoubleReferenceForEveryEpilogue) {
  if (!gemm::available()) GTEST_SKIP() << "no AVX-512F on this CPU: the engine uses OpenBLAS";
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  int checked = 0;
  for (int M : {1, 2, 7, 8, 9, 17, 33, 64}) {
    for (int N : {1, 15, 16, 17, 47, 48, 49, 96, 100, 130}) {
      for (int K : {0, 1, 3, 16, 77, 300}) {
        for (Epilogue ep : {Epilogue::kStore, Epilogue::kBias, Epilogue::kBiasGelu, Epilogue::kBiasResidual}) {
          const int lda = K + 3, ldb = N + 5, ldc = N + 2;  // strided, as for blocks of larger matrices
          std::vector<float> A(static_cast<std::size_t>(M) * lda), B(static_cast<std::size_t>(K) * ldb + 1),
              C(static_cast<std::size_t>(M) * ldc), bias(N), packed(gemm::packed_floats(K, N));
          for (auto* v : {&A, &B, &C, &bias}) for (auto& x : *v) x = u(rng);
          // Poison the packed buffer: pack() must write every float of it (padding included).
          std::fill(packed.begin(), packed.end(), std::nanf(""));
          gemm::pack(B.data(), K, N, ldb, packed.data());
          for (float p : packed) ASSERT_FALSE(std::isnan(p)) << "pack left a float unwritten";
          const std::vector<float> C0 = C;
          const bool with_bias = ep != Epilogue::kStore;
          // Panels in reverse order, each in two row ranges (second first): no panel or row
          // range may depend on another.
          const int split = M / 2;
          for (int p = gemm::panels(N) - 1; p >= 0; --p) {
            gemm::gemm_packed_panel(p, split, M, A.data(), lda, packed.data(), K, N,
                                    with_bias ? bias.data() : nullptr, ep, C.data(), ldc);
            gemm::gemm_packed_panel(p, 0, split, A.data(), lda, packed.data(), K, N,
                                    with_bias ? bias.data() : nullptr, ep, C.data(), ldc);
          }
          for (int m = 0; m < M; ++m) {
            for (int n = 0; n < ldc; ++n) {
              const std::size_t i = static_cast<std::size_t>(m) * ldc + n;
              if (n >= N) {  // padding columns of C are never written
                ASSERT_EQ(C[i], C0[i]) << M << " " << N << " " << K << " m " << m << " n " << n;
                continue;
              }
              double sum, mag;
              dot_ref(A, lda, B, ldb, K, m, n, sum, mag);
              double ref = sum, tol = 2e-6 * (1 + mag);
              if (with_bias) ref += bias[n];
              if (ep == Epilogue::kBiasGelu) ref = gelu_new_ref(ref);
              if (ep == Epilogue::kBiasResidual) {
                ref += C0[i];
                tol += 2e-7 * std::fabs(C0[i]);
              }
              ASSERT_NEAR(C[i], ref, tol) << M << " " << N << " " << K << " ep " << static_cast<int>(ep)
                                          << " m " << m << " n " << n;
            }
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 8 * 10 * 6 * 4);
}

// The gelu_new epilogue over the range where tanh saturates and where exp clamps.
TEST(Gemm, GeluEpilogueMatchesTheReferenceOverItsRange) {
  if (!gemm::available()) GTEST_SKIP() << "no AVX-512F on this CPU";
  const int N = 48 * 3;
  std::vector<float> bias(N), out(N), packed(gemm::packed_floats(1, N));
  std::vector<float> A{1.0f}, W(N, 0.0f);
  for (int n = 0; n < N; ++n) bias[n] = -60.0f + 120.0f * n / (N - 1);  // acc = 0: out = gelu(bias)
  bias[0] = -200.0f;
  bias[1] = 200.0f;
  gemm::pack(W.data(), 1, N, N, packed.data());
  for (int p = 0; p < gemm::panels(N); ++p) {
    gemm::gemm_packed_panel(p, 0, 1, A.data(), 1, packed.data(), 1, N, bias.data(),
                            Epilogue::kBiasGelu, out.data(), N);
  }
  for (int n = 0; n < N; ++n) {
    const double ref = gelu_new_ref(bias[n]);
    ASSERT_NEAR(out[n], ref, 1e-6 * (1 + std::fabs(ref))) << "x = " << bias[n];
  }
}

TEST(Gemm, SmallGemmOverUnpackedOperandsMatchesADoubleReference) {
  if (!gemm::available()) GTEST_SKIP() << "no AVX-512F on this CPU";
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int M : {1, 5, 8, 13, 32}) {
    for (int N : {1, 7, 16, 31, 48, 64, 65, 129}) {
      for (int K : {1, 2, 64, 130}) {
        const int lda = K + 1, ldb = N + 3, ldc = N + 4;
        std::vector<float> A(static_cast<std::size_t>(M) * lda), B(static_cast<std::size_t>(K) * ldb),
            C(static_cast<std::size_t>(M) * ldc, -7.0f);
        for (auto* v : {&A, &B}) for (auto& x : *v) x = u(rng);
        gemm::gemm_small(A.data(), lda, M, B.data(), ldb, K, N, C.data(), ldc);
        for (int m = 0; m < M; ++m) {
          for (int n = 0; n < ldc; ++n) {
            const float got = C[static_cast<std::size_t>(m) * ldc + n];
            if (n >= N) {
              ASSERT_EQ(got, -7.0f);
              continue;
            }
            double sum, mag;
            dot_ref(A, lda, B, ldb, K, m, n, sum, mag);
            ASSERT_NEAR(got, sum, 2e-6 * (1 + mag)) << M << " " << N << " " << K << " m " << m << " n " << n;
          }
        }
      }
    }
  }
}

TEST(Gemm, PackedGemvOverARangeOfRowsMatchesADoubleReference) {
  if (!gemm::available()) GTEST_SKIP() << "no AVX-512F on this CPU";
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int rows : {1, 3, gemv::kMaxRows}) {
    for (int N : {1, 17, 48, 100}) {
      for (int K : {1, 9, 70}) {
        for (int k0 : {0, K / 3}) {
          const int k1 = std::max(k0, K - K / 4);
          std::vector<float> W(static_cast<std::size_t>(K) * N), packed(gemm::packed_floats(K, N));
          std::vector<float> x(static_cast<std::size_t>(rows) * K), acc(static_cast<std::size_t>(rows) * (N + 2), 5.0f);
          for (auto* v : {&W, &x}) for (auto& f : *v) f = u(rng);
          gemm::pack(W.data(), K, N, N, packed.data());
          gemm::gemv_packed(x.data() + k0, K, rows, k0, k1, packed.data(), K, N, acc.data(), N + 2);
          for (int r = 0; r < rows; ++r) {
            for (int n = 0; n < N; ++n) {
              double sum = 0, mag = 0;
              for (int k = k0; k < k1; ++k) {
                const double t = static_cast<double>(x[static_cast<std::size_t>(r) * K + k]) * W[static_cast<std::size_t>(k) * N + n];
                sum += t;
                mag += std::fabs(t);
              }
              ASSERT_NEAR(acc[static_cast<std::size_t>(r) * (N + 2) + n], sum, 2e-6 * (1 + mag))
                  << rows << " " << N << " " << K << " [" << k0 << ", " << k1 << ") r " << r << " n " << n;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace sb::engine
