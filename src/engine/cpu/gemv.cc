#include "engine/cpu/gemv.h"

#include <immintrin.h>

#include <cstdlib>
#include <cstring>

// Each SIMD implementation is compiled for its instruction set through function attributes
// only (no -m flags on the file), so nothing else in this translation unit — in particular no
// inline library function that the linker might share with other files — uses AVX2/AVX-512.
#define SB_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define SB_AVX2 __attribute__((target("avx2,fma")))

// GCC 12's _mm512_reduce_add_ps passes _mm256_undefined_pd() to a builtin, which
// -Wuninitialized reports inside every caller (a false positive of the header).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace sb::engine::gemv {
namespace {

// Rows of W consumed per pass over the accumulators: 8 concurrent read streams, and the
// accumulator row (in L1) is loaded and stored once per 8 weight vectors.  Measured on the
// gpt2 chain (bench_cpu_engine chain::*, Zen 5, 2 threads): the 48 layer matrices took 6.6-6.9
// ms with 8 rows per pass against 7.7-7.8 ms with 4 at batch 1, and 9.5 against 11.5 ms at 4
// activation rows.
constexpr int kBlock = 8;

inline void update_best(Best& best, float value, std::int32_t index) {
  if (best.index < 0 || value > best.value) best = {value, index};
}

// ---------------------------------------------------------------- plain C++ (any x86-64)

void gemv_scalar(const float* x, int ldx, int rows, int K, const float* W, std::int64_t ldw,
                 int N, float* acc, int lda, bool overwrite) {
  for (int b = 0; b < rows; ++b) {
    float* a = acc + static_cast<std::int64_t>(b) * lda;
    if (overwrite) std::memset(a, 0, sizeof(float) * N);
    for (int k = 0; k < K; ++k) {
      const float xv = x[static_cast<std::int64_t>(b) * ldx + k];
      const float* w = W + k * ldw;
      for (int n = 0; n < N; ++n) a[n] += xv * w[n];
    }
  }
}

void rowdot_scalar(const float* x, int ldx, int rows, int K, const float* T, int v0, int v1,
                   float* out, std::int64_t ldo, Best* best) {
  for (int v = v0; v < v1; ++v) {
    const float* t = T + static_cast<std::int64_t>(v) * K;
    for (int b = 0; b < rows; ++b) {
      const float* xb = x + static_cast<std::int64_t>(b) * ldx;
      float s = 0.0f;
      for (int k = 0; k < K; ++k) s += xb[k] * t[k];
      if (out) out[b * ldo + v] = s;
      update_best(best[b], s, v);
    }
  }
}

// ---------------------------------------------------------------- AVX-512F

template <int R, int KB, bool First>
SB_AVX512 inline void gemv512_block(const float* x, int ldx, int k, const float* W,
                                    std::int64_t ldw, int N, float* acc, int lda) {
  const float* w[KB];
  for (int i = 0; i < KB; ++i) w[i] = W + (k + i) * ldw;
  __m512 xs[R][KB];
  for (int b = 0; b < R; ++b) {
    for (int i = 0; i < KB; ++i) xs[b][i] = _mm512_set1_ps(x[static_cast<std::int64_t>(b) * ldx + k + i]);
  }
  int n = 0;
  for (; n + 16 <= N; n += 16) {
    __m512 wv[KB];
    for (int i = 0; i < KB; ++i) wv[i] = _mm512_loadu_ps(w[i] + n);
    for (int b = 0; b < R; ++b) {
      float* a = acc + static_cast<std::int64_t>(b) * lda + n;
      __m512 s = First ? _mm512_setzero_ps() : _mm512_loadu_ps(a);
      for (int i = 0; i < KB; ++i) s = _mm512_fmadd_ps(xs[b][i], wv[i], s);
      _mm512_storeu_ps(a, s);
    }
  }
  if (n < N) {
    const __mmask16 m = static_cast<__mmask16>((1u << (N - n)) - 1);
    __m512 wv[KB];
    for (int i = 0; i < KB; ++i) wv[i] = _mm512_maskz_loadu_ps(m, w[i] + n);
    for (int b = 0; b < R; ++b) {
      float* a = acc + static_cast<std::int64_t>(b) * lda + n;
      __m512 s = First ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, a);
      for (int i = 0; i < KB; ++i) s = _mm512_fmadd_ps(xs[b][i], wv[i], s);
      _mm512_mask_storeu_ps(a, m, s);
    }
  }
}

template <int R>
SB_AVX512 void gemv512(const float* x, int ldx, int K, const float* W, std::int64_t ldw, int N,
                       float* acc, int lda, bool overwrite) {
  int k = 0;
  if (overwrite) {
    if (K >= kBlock) {
      gemv512_block<R, kBlock, true>(x, ldx, 0, W, ldw, N, acc, lda);
      k = kBlock;
    } else if (K >= 1) {
      gemv512_block<R, 1, true>(x, ldx, 0, W, ldw, N, acc, lda);
      k = 1;
    } else {
      for (int b = 0; b < R; ++b) std::memset(acc + static_cast<std::int64_t>(b) * lda, 0, sizeof(float) * N);
      return;
    }
  }
  for (; k + kBlock <= K; k += kBlock) gemv512_block<R, kBlock, false>(x, ldx, k, W, ldw, N, acc, lda);
  for (; k < K; ++k) gemv512_block<R, 1, false>(x, ldx, k, W, ldw, N, acc, lda);
}

// RT rows of T at a time, each dotted with all R activation rows (RT * R accumulators).
template <int R, int RT>
SB_AVX512 inline void rowdot512_tile(const float* x, int ldx, int K, const float* T, int v,
                                     float* out, std::int64_t ldo, Best* best) {
  __m512 s[RT][R];
  for (int r = 0; r < RT; ++r) {
    for (int b = 0; b < R; ++b) s[r][b] = _mm512_setzero_ps();
  }
  const float* t[RT];
  for (int r = 0; r < RT; ++r) t[r] = T + static_cast<std::int64_t>(v + r) * K;
  int k = 0;
  for (; k + 16 <= K; k += 16) {
    __m512 xv[R];
    for (int b = 0; b < R; ++b) xv[b] = _mm512_loadu_ps(x + static_cast<std::int64_t>(b) * ldx + k);
    for (int r = 0; r < RT; ++r) {
      const __m512 w = _mm512_loadu_ps(t[r] + k);
      for (int b = 0; b < R; ++b) s[r][b] = _mm512_fmadd_ps(w, xv[b], s[r][b]);
    }
  }
  if (k < K) {
    const __mmask16 m = static_cast<__mmask16>((1u << (K - k)) - 1);
    __m512 xv[R];
    for (int b = 0; b < R; ++b) xv[b] = _mm512_maskz_loadu_ps(m, x + static_cast<std::int64_t>(b) * ldx + k);
    for (int r = 0; r < RT; ++r) {
      const __m512 w = _mm512_maskz_loadu_ps(m, t[r] + k);
      for (int b = 0; b < R; ++b) s[r][b] = _mm512_fmadd_ps(w, xv[b], s[r][b]);
    }
  }
  for (int r = 0; r < RT; ++r) {
    for (int b = 0; b < R; ++b) {
      const float d = _mm512_reduce_add_ps(s[r][b]);
      if (out) out[b * ldo + v + r] = d;
      update_best(best[b], d, v + r);
    }
  }
}

template <int R>
SB_AVX512 void rowdot512(const float* x, int ldx, int K, const float* T, int v0, int v1,
                         float* out, std::int64_t ldo, Best* best) {
  constexpr int RT = R <= 4 ? 4 : 2;  // at most 16 accumulators in registers
  int v = v0;
  for (; v + RT <= v1; v += RT) rowdot512_tile<R, RT>(x, ldx, K, T, v, out, ldo, best);
  for (; v < v1; ++v) rowdot512_tile<R, 1>(x, ldx, K, T, v, out, ldo, best);
}

// ---------------------------------------------------------------- AVX2 + FMA

SB_AVX2 inline float hsum256(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

template <int R, int KB, bool First>
SB_AVX2 inline void gemv256_block(const float* x, int ldx, int k, const float* W,
                                  std::int64_t ldw, int N, float* acc, int lda) {
  const float* w[KB];
  for (int i = 0; i < KB; ++i) w[i] = W + (k + i) * ldw;
  int n = 0;
  for (; n + 8 <= N; n += 8) {
    __m256 wv[KB];
    for (int i = 0; i < KB; ++i) wv[i] = _mm256_loadu_ps(w[i] + n);
    for (int b = 0; b < R; ++b) {
      const float* xb = x + static_cast<std::int64_t>(b) * ldx + k;
      float* a = acc + static_cast<std::int64_t>(b) * lda + n;
      __m256 s = First ? _mm256_setzero_ps() : _mm256_loadu_ps(a);
      for (int i = 0; i < KB; ++i) s = _mm256_fmadd_ps(_mm256_broadcast_ss(xb + i), wv[i], s);
      _mm256_storeu_ps(a, s);
    }
  }
  for (; n < N; ++n) {
    for (int b = 0; b < R; ++b) {
      const float* xb = x + static_cast<std::int64_t>(b) * ldx + k;
      float* a = acc + static_cast<std::int64_t>(b) * lda + n;
      float s = First ? 0.0f : *a;
      for (int i = 0; i < KB; ++i) s = __builtin_fmaf(xb[i], w[i][n], s);
      *a = s;
    }
  }
}

template <int R>
SB_AVX2 void gemv256(const float* x, int ldx, int K, const float* W, std::int64_t ldw, int N,
                     float* acc, int lda, bool overwrite) {
  int k = 0;
  if (overwrite) {
    if (K >= kBlock) {
      gemv256_block<R, kBlock, true>(x, ldx, 0, W, ldw, N, acc, lda);
      k = kBlock;
    } else if (K >= 1) {
      gemv256_block<R, 1, true>(x, ldx, 0, W, ldw, N, acc, lda);
      k = 1;
    } else {
      for (int b = 0; b < R; ++b) std::memset(acc + static_cast<std::int64_t>(b) * lda, 0, sizeof(float) * N);
      return;
    }
  }
  for (; k + kBlock <= K; k += kBlock) gemv256_block<R, kBlock, false>(x, ldx, k, W, ldw, N, acc, lda);
  for (; k < K; ++k) gemv256_block<R, 1, false>(x, ldx, k, W, ldw, N, acc, lda);
}

template <int R, int RT>
SB_AVX2 inline void rowdot256_tile(const float* x, int ldx, int K, const float* T, int v,
                                   float* out, std::int64_t ldo, Best* best) {
  __m256 s[RT][R];
  for (int r = 0; r < RT; ++r) {
    for (int b = 0; b < R; ++b) s[r][b] = _mm256_setzero_ps();
  }
  const float* t[RT];
  for (int r = 0; r < RT; ++r) t[r] = T + static_cast<std::int64_t>(v + r) * K;
  int k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 xv[R];
    for (int b = 0; b < R; ++b) xv[b] = _mm256_loadu_ps(x + static_cast<std::int64_t>(b) * ldx + k);
    for (int r = 0; r < RT; ++r) {
      const __m256 w = _mm256_loadu_ps(t[r] + k);
      for (int b = 0; b < R; ++b) s[r][b] = _mm256_fmadd_ps(w, xv[b], s[r][b]);
    }
  }
  for (int r = 0; r < RT; ++r) {
    for (int b = 0; b < R; ++b) {
      float d = hsum256(s[r][b]);
      const float* xb = x + static_cast<std::int64_t>(b) * ldx;
      for (int kk = k; kk < K; ++kk) d = __builtin_fmaf(xb[kk], t[r][kk], d);
      if (out) out[b * ldo + v + r] = d;
      update_best(best[b], d, v + r);
    }
  }
}

template <int R>
SB_AVX2 void rowdot256(const float* x, int ldx, int K, const float* T, int v0, int v1,
                       float* out, std::int64_t ldo, Best* best) {
  constexpr int RT = R <= 2 ? 4 : (R <= 4 ? 2 : 1);  // at most 8 accumulators (16 ymm in all)
  int v = v0;
  for (; v + RT <= v1; v += RT) rowdot256_tile<R, RT>(x, ldx, K, T, v, out, ldo, best);
  for (; v < v1; ++v) rowdot256_tile<R, 1>(x, ldx, K, T, v, out, ldo, best);
}

// ---------------------------------------------------------------- dispatch

using GemvFn = void (*)(const float*, int, int, const float*, std::int64_t, int, float*, int, bool);
using RowdotFn = void (*)(const float*, int, int, const float*, int, int, float*, std::int64_t, Best*);

#define SB_ROW_TABLE(fn)                                                              \
  { &fn<1>, &fn<2>, &fn<3>, &fn<4>, &fn<5>, &fn<6>, &fn<7>, &fn<8> }

const GemvFn kGemv512[kMaxRows] = SB_ROW_TABLE(gemv512);
const GemvFn kGemv256[kMaxRows] = SB_ROW_TABLE(gemv256);
const RowdotFn kRowdot512[kMaxRows] = SB_ROW_TABLE(rowdot512);
const RowdotFn kRowdot256[kMaxRows] = SB_ROW_TABLE(rowdot256);

Isa detect_isa() {
  Isa best = Isa::kScalar;
  if (cpu_supports(Isa::kAvx512)) {
    best = Isa::kAvx512;
  } else if (cpu_supports(Isa::kAvx2)) {
    best = Isa::kAvx2;
  }
  if (const char* cap = std::getenv("SB_CPU_GEMV_ISA")) {
    if (std::strcmp(cap, "scalar") == 0) best = Isa::kScalar;
    if (std::strcmp(cap, "avx2") == 0 && best == Isa::kAvx512) best = Isa::kAvx2;
  }
  return best;
}

void check_rows(int rows) {
  if (rows < 1 || rows > kMaxRows) std::abort();  // a caller bug, never user input
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kScalar: return "scalar";
  }
  return "?";
}

bool cpu_supports(Isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kAvx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case Isa::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kScalar: return true;
  }
  return false;
}

Isa active_isa() {
  static const Isa isa = detect_isa();
  return isa;
}

void gemv_accumulate_isa(Isa isa, const float* x, int ldx, int rows, int K, const float* W,
                         std::int64_t ldw, int N, float* acc, int lda, bool overwrite) {
  check_rows(rows);
  switch (isa) {
    case Isa::kAvx512: return kGemv512[rows - 1](x, ldx, K, W, ldw, N, acc, lda, overwrite);
    case Isa::kAvx2: return kGemv256[rows - 1](x, ldx, K, W, ldw, N, acc, lda, overwrite);
    case Isa::kScalar: return gemv_scalar(x, ldx, rows, K, W, ldw, N, acc, lda, overwrite);
  }
}

void rowdot_argmax_isa(Isa isa, const float* x, int ldx, int rows, int K, const float* T, int v0,
                       int v1, float* out, std::int64_t ldo, Best* best) {
  check_rows(rows);
  switch (isa) {
    case Isa::kAvx512: return kRowdot512[rows - 1](x, ldx, K, T, v0, v1, out, ldo, best);
    case Isa::kAvx2: return kRowdot256[rows - 1](x, ldx, K, T, v0, v1, out, ldo, best);
    case Isa::kScalar: return rowdot_scalar(x, ldx, rows, K, T, v0, v1, out, ldo, best);
  }
}

void gemv_accumulate(const float* x, int ldx, int rows, int K, const float* W, std::int64_t ldw,
                     int N, float* acc, int lda, bool overwrite) {
  gemv_accumulate_isa(active_isa(), x, ldx, rows, K, W, ldw, N, acc, lda, overwrite);
}

void rowdot_argmax(const float* x, int ldx, int rows, int K, const float* T, int v0, int v1,
                   float* out, std::int64_t ldo, Best* best) {
  rowdot_argmax_isa(active_isa(), x, ldx, rows, K, T, v0, v1, out, ldo, best);
}

}  // namespace sb::engine::gemv
