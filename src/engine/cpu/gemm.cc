#include "engine/cpu/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

// AVX-512 through function attributes only (no -m flags on the file): see gemv.cc.
#define SB_AVX512 __attribute__((target("avx512f,avx2,fma")))

namespace sb::engine::gemm {
namespace {

// R rows (1..kRows) of A against the packed panel: acc[r] = sum_k A[r, k] * panel[k] in k order,
// then C[r, 0..nw) += acc[r].
template <int R>
SB_AVX512 void tile(const float* A, int lda, const float* pack, int K, float* C, int ldc, int nw) {
  __m512 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) {
    acc0[r] = _mm512_setzero_ps();
    acc1[r] = _mm512_setzero_ps();
  }
  const float* a[R];
  for (int r = 0; r < R; ++r) a[r] = A + static_cast<std::int64_t>(r) * lda;
  for (int k = 0; k < K; ++k) {
    const __m512 w0 = _mm512_loadu_ps(pack + static_cast<std::int64_t>(k) * kPanel);
    const __m512 w1 = _mm512_loadu_ps(pack + static_cast<std::int64_t>(k) * kPanel + 16);
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r][k]);
      acc0[r] = _mm512_fmadd_ps(x, w0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(x, w1, acc1[r]);
    }
  }
  const int n0 = std::min(nw, 16), n1 = std::max(0, nw - 16);
  const __mmask16 m0 = static_cast<__mmask16>((1u << n0) - 1);
  const __mmask16 m1 = static_cast<__mmask16>((1u << n1) - 1);
  for (int r = 0; r < R; ++r) {
    float* c = C + static_cast<std::int64_t>(r) * ldc;
    _mm512_mask_storeu_ps(c, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c), acc0[r]));
    if (n1 > 0) _mm512_mask_storeu_ps(c + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + 16), acc1[r]));
  }
}

using TileFn = void (*)(const float*, int, const float*, int, float*, int, int);
constexpr TileFn kTiles[kRows + 1] = {nullptr, tile<1>, tile<2>, tile<3>, tile<4>,
                                      tile<5>, tile<6>, tile<7>, tile<8>};

}  // namespace

bool available() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

void gemm_panel(int panel, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                int M, int N, int K, float* pack) {
  const int n0 = panel * kPanel;
  const int nw = std::min(kPanel, N - n0);
  if (nw <= 0) return;
  // Copy the panel's columns of B contiguously ([K][32], zero-padded): the tiles then read it
  // front to back M / 8 times from L1/L2 instead of touching one line per row of B each time.
  for (int k = 0; k < K; ++k) {
    float* dst = pack + static_cast<std::int64_t>(k) * kPanel;
    std::memcpy(dst, B + static_cast<std::int64_t>(k) * ldb + n0, sizeof(float) * nw);
    if (nw < kPanel) std::memset(dst + nw, 0, sizeof(float) * (kPanel - nw));
  }
  for (int m = 0; m < M; m += kRows) {
    const int rows = std::min(kRows, M - m);
    kTiles[rows](A + static_cast<std::int64_t>(m) * lda, lda, pack, K,
                 C + static_cast<std::int64_t>(m) * ldc + n0, ldc, nw);
  }
}

}  // namespace sb::engine::gemm
