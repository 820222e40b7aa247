#include "engine/cpu/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>


// AVX-512 through function attributes only (no -m flags on the file): see gemv.cc.
#define SB_AVX512 __attribute__((target("avx512f,avx2,fma")))

// GCC 12's AVX-512 headers pass undefined vectors to builtins (masked loads, setzero), which
// -Wmaybe-uninitialized reports inside every caller (false positives of the header).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace sb::engine::gemm {
namespace {

constexpr int kVecs = kPanel / 16;
// Rows of the packed panel that the first row tile of a panel prefetches ahead (32 rows x 192
// bytes = 6 KB): that tile is the one that pulls the panel from memory; the others find it in
// L2.  Measured per core at 32 rows (gpt2 shapes): +0-20% (most where N is small).
constexpr int kPrefetchRows = 32;

// exp and gelu_new on 16 lanes: the same range reduction, polynomial and formula as
// kernels.cc's scalar exp_f32 / gelu_new_inplace (agreement to ~1 ulp; tests compare them).
SB_AVX512 inline __m512 exp512(__m512 x) {
  // max/min with x second: a NaN input stays NaN (as in the scalar version).
  x = _mm512_max_ps(_mm512_set1_ps(-87.3f), x);
  x = _mm512_min_ps(_mm512_set1_ps(88.3f), x);
  const __m512 magic = _mm512_set1_ps(12582912.0f);
  const __m512 big = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), magic);
  const __m512 n = _mm512_sub_ps(big, magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  __m512 er = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r);
  er = _mm512_add_ps(er, _mm512_set1_ps(1.0f));
  const __m512i bits = _mm512_slli_epi32(
      _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(big), _mm512_set1_epi32(0x4B400000)),
                       _mm512_set1_epi32(127)),
      23);
  return _mm512_mul_ps(er, _mm512_castsi512_ps(bits));
}

SB_AVX512 inline __m512 gelu512(__m512 v) {
  const __m512 v3 = _mm512_mul_ps(_mm512_mul_ps(v, v), v);
  const __m512 u = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f),
                                 _mm512_fmadd_ps(_mm512_set1_ps(0.044715f), v3, v));
  const __m512 e = exp512(_mm512_mul_ps(_mm512_set1_ps(-2.0f), u));
  return _mm512_div_ps(v, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

inline __mmask16 lane_mask(int cols) {
  cols = std::clamp(cols, 0, 16);
  return static_cast<__mmask16>((1u << cols) - 1);
}

// R rows x NV vectors of C: acc = A[R, K] @ B[K, 16 NV] (B row k at B + k ldb), then the
// epilogue over the first ncols columns.  Packed: B rows are padded to full vectors (plain
// loads); otherwise the lanes past ncols are masked off in every load.
template <int R, int NV, bool kPacked, bool kPrefetch>
SB_AVX512 void tile(const float* A, std::int64_t lda, const float* B, std::int64_t ldb, int K,
                    float* C, std::int64_t ldc, int ncols, const float* bias, Epilogue ep) {
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) mask[v] = lane_mask(ncols - 16 * v);
  __m512 acc[R][NV];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  const float* a[R];
  for (int r = 0; r < R; ++r) a[r] = A + r * lda;
  for (int k = 0; k < K; ++k) {
    const float* b = B + k * ldb;
    if constexpr (kPrefetch) {
      const char* ahead = reinterpret_cast<const char*>(b + kPrefetchRows * ldb);
      for (int v = 0; v < NV; ++v) _mm_prefetch(ahead + 64 * v, _MM_HINT_T0);
    }
    __m512 w[NV];
    for (int v = 0; v < NV; ++v) {
      w[v] = kPacked ? _mm512_loadu_ps(b + 16 * v) : _mm512_maskz_loadu_ps(mask[v], b + 16 * v);
    }
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r][k]);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(x, w[v], acc[r][v]);
    }
  }
  for (int v = 0; v < NV; ++v) {
    if (mask[v] == 0) break;
    const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask[v], bias + 16 * v) : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) {
      float* c = C + r * ldc + 16 * v;
      __m512 s = acc[r][v];
      switch (ep) {
        case Epilogue::kStore: break;
        case Epilogue::kBias: s = _mm512_add_ps(s, bv); break;
        case Epilogue::kBiasGelu: s = gelu512(_mm512_add_ps(s, bv)); break;
        case Epilogue::kBiasResidual:
          s = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], c), _mm512_add_ps(s, bv));
          break;
      }
      _mm512_mask_storeu_ps(c, mask[v], s);
    }
  }
}

using TileFn = void (*)(const float*, std::int64_t, const float*, std::int64_t, int, float*,
                        std::int64_t, int, const float*, Epilogue);

template <int NV, bool kPacked, bool kPrefetch>
constexpr TileFn kTiles[kRows + 1] = {
    nullptr,
    tile<1, NV, kPacked, kPrefetch>, tile<2, NV, kPacked, kPrefetch>, tile<3, NV, kPacked, kPrefetch>,
    tile<4, NV, kPacked, kPrefetch>, tile<5, NV, kPacked, kPrefetch>, tile<6, NV, kPacked, kPrefetch>,
    tile<7, NV, kPacked, kPrefetch>, tile<8, NV, kPacked, kPrefetch>};

}  // namespace

bool available() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

void pack(const float* W, int K, int N, std::int64_t ldw, float* out) {
  for (int p = 0; p < panels(N); ++p) {
    const int n0 = p * kPanel, nw = std::min(kPanel, N - n0);
    for (int k = 0; k < K; ++k) {
      float* dst = out + (static_cast<std::int64_t>(p) * K + k) * kPanel;
      std::memcpy(dst, W + k * ldw + n0, sizeof(float) * nw);
      if (nw < kPanel) std::memset(dst + nw, 0, sizeof(float) * (kPanel - nw));
    }
  }
}

void gemm_packed_panel(int panel, int m0, int m1, const float* A, int lda, const float* packed,
                       int K, int N, const float* bias, Epilogue epilogue, float* C, int ldc) {
  const int n0 = panel * kPanel;
  const int nw = std::min(kPanel, N - n0);
  if (nw <= 0) return;
  const float* B = packed + static_cast<std::int64_t>(panel) * K * kPanel;
  const float* b = bias ? bias + n0 : nullptr;
  for (int m = m0; m < m1; m += kRows) {
    const int rows = std::min(kRows, m1 - m);
    const TileFn fn = m == m0 ? kTiles<kVecs, true, true>[rows] : kTiles<kVecs, true, false>[rows];
    fn(A + static_cast<std::int64_t>(m) * lda, lda, B, kPanel, K,
       C + static_cast<std::int64_t>(m) * ldc + n0, ldc, nw, b, epilogue);
  }
}

void gemm_small(const float* A, int lda, int M, const float* B, std::int64_t ldb, int K, int N,
                float* C, int ldc) {
  for (int n0 = 0; n0 < N; n0 += kPanel) {
    const int nw = std::min(kPanel, N - n0);
    const int vecs = (nw + 15) / 16;
    for (int m = 0; m < M; m += kRows) {
      const int rows = std::min(kRows, M - m);
      const TileFn fn = vecs == 3 ? kTiles<3, false, false>[rows]
                        : vecs == 2 ? kTiles<2, false, false>[rows]
                                    : kTiles<1, false, false>[rows];
      fn(A + static_cast<std::int64_t>(m) * lda, lda, B + n0, ldb, K,
         C + static_cast<std::int64_t>(m) * ldc + n0, ldc, nw, nullptr, Epilogue::kStore);
    }
  }
}

void gemv_packed(const float* x, int ldx, int rows, int k0, int k1, const float* packed, int K,
                 int N, float* acc, int lda) {
  // The register tile with the rows as its M: each panel's [k0, k1) rows are one contiguous
  // stream and the sums stay in registers over all of it (the row-major GEMV kernel, called
  // per 48-column panel, reloaded its accumulators every 8 weight rows and streamed 40% slower).
  const TileFn fn = kTiles<kVecs, true, true>[std::clamp(rows, 1, kRows)];
  for (int p = 0; p < panels(N); ++p) {
    const int n0 = p * kPanel;
    fn(x, ldx, packed + (static_cast<std::int64_t>(p) * K + k0) * kPanel, kPanel, k1 - k0, acc + n0,
       lda, std::min(kPanel, N - n0), nullptr, Epilogue::kStore);
  }
}

}  // namespace sb::engine::gemm
