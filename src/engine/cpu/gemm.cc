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
// then C[r, 0..nw) += acc[r].  kVecs vectors of 16 columns per row.
constexpr int kVecs = kPanel / 16;

template <int R>
SB_AVX512 void tile(const float* A, int lda, const float* pack, int K, float* C, int ldc, int nw) {
  __m512 acc[R][kVecs];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  const float* a[R];
  for (int r = 0; r < R; ++r) a[r] = A + static_cast<std::int64_t>(r) * lda;
  for (int k = 0; k < K; ++k) {
    __m512 w[kVecs];
    for (int v = 0; v < kVecs; ++v) w[v] = _mm512_loadu_ps(pack + static_cast<std::int64_t>(k) * kPanel + 16 * v);
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r][k]);
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_fmadd_ps(x, w[v], acc[r][v]);
    }
  }
  for (int v = 0; v < kVecs; ++v) {
    const int cols = std::clamp(nw - 16 * v, 0, 16);
    if (cols == 0) break;
    const __mmask16 m = static_cast<__mmask16>((1u << cols) - 1);
    for (int r = 0; r < R; ++r) {
      float* c = C + static_cast<std::int64_t>(r) * ldc + 16 * v;
      _mm512_mask_storeu_ps(c, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), acc[r][v]));
    }
  }
}

using TileFn = void (*)(const float*, int, const float*, int, float*, int, int);
constexpr TileFn kTiles[kRows + 1] = {nullptr, tile<1>, tile<2>, tile<3>, tile<4>, tile<5>, tile<6>};

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
  // Copy the panel's columns of B contiguously ([K][kPanel], zero-padded): the tiles then read it
  // front to back M / kRows times from L1/L2 instead of touching lines of B rows each time.
  // The panel's rows are 256 bytes ldb apart (9-12 KB for gpt2): too far apart for the hardware
  // prefetchers, and with few rows of A (short prompts) this copy is most of the time.  Ask for
  // the rows kPrefetchRows ahead.
  constexpr int kPrefetchRows = 16;
  for (int k = 0; k < K; ++k) {
    if (k + kPrefetchRows < K) {
      const char* ahead = reinterpret_cast<const char*>(B + static_cast<std::int64_t>(k + kPrefetchRows) * ldb + n0);
      for (int byte = 0; byte < kPanel * 4; byte += 64) _mm_prefetch(ahead + byte, _MM_HINT_T0);
      _mm_prefetch(ahead + kPanel * 4 - 1, _MM_HINT_T0);
    }
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
