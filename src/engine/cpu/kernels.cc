#include "engine/cpu/kernels.h"

#include <bit>
#include <cmath>

// Each kernel is compiled twice (AVX2+FMA and baseline); the ifunc resolver picks one when the
// library is loaded.  Loops are written so that GCC vectorizes them without -ffast-math:
// reductions carry `#pragma omp simd reduction` (built with -fopenmp-simd, no runtime).
#define SB_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))

namespace sb::engine::kernels {
namespace {

// exp(x) for one float; written branch-free so that it vectorizes when inlined into a loop.
// Cephes expf: n = round(x / ln2), r = x - n ln2 (ln2 split in two for exactness), e^r by a
// degree-6 polynomial, scaled by 2^n built from the exponent bits.
inline __attribute__((always_inline)) float exp_f32(float x) {
  x = x < -87.3f ? -87.3f : x;  // keeps 2^n normal; exp(-87.3) ~ 1.2e-38
  x = x > 88.3f ? 88.3f : x;
  // n = round(x / ln2) by the 1.5 * 2^23 trick, and 2^n from the same float's low mantissa
  // bits: a float-to-int conversion or floorf (a libm call in the x86-64-v3 clone) kept every
  // loop using exp scalar, and gelu_new and softmax took ~10% of gpt2 prefill (perf, session 5).
  // Needs -fno-trapping-math (CMakeLists.txt) for the clamps above to be if-converted.
  const float big = x * 1.44269504088896341f + 12582912.0f;
  const float n = big - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r * r + r + 1.0f;
  const std::int32_t bits = (std::bit_cast<std::int32_t>(big) - 0x4B400000 + 127) << 23;
  return er * std::bit_cast<float>(bits);
}

}  // namespace

const char* active_isa() {
  __builtin_cpu_init();
  // Mirrors the resolver's choice: x86-64-v3 needs AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE.
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c")) {
    return "x86-64-v3";
  }
  return "default";
}

SB_CLONES void layer_norm(const float* x, float* y, std::int64_t rows, int n, const float* gain,
                          const float* bias, float eps) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; ++i) s += xr[i];
    const float mean = s / static_cast<float>(n);
    float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
    for (int i = 0; i < n; ++i) {
      const float d = xr[i] - mean;
      ss += d * d;
    }
    const float rstd = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
#pragma omp simd
    for (int i = 0; i < n; ++i) yr[i] = (xr[i] - mean) * rstd * gain[i] + bias[i];
  }
}

SB_CLONES void gelu_new_inplace(float* x, std::int64_t n) {
  const float k = 0.7978845608028654f;  // sqrt(2/pi)
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float u = k * (v + 0.044715f * v * v * v);
    x[i] = v / (1.0f + exp_f32(-2.0f * u));
  }
}

void gelu_erf_inplace(float* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
}

SB_CLONES void exp_inplace(float* x, std::int64_t n) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) x[i] = exp_f32(x[i]);
}

SB_CLONES float dot(const float* a, const float* b, int n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

SB_CLONES void axpy(float alpha, const float* x, float* y, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

SB_CLONES void attention_scores(const float* q, const float* K, int n, int d, float denom,
                                float* scores) {
  for (int j = 0; j < n; ++j) {
    const float* k = K + static_cast<std::int64_t>(j) * d;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < d; ++i) s += q[i] * k[i];
    scores[j] = s / denom;
  }
}

SB_CLONES void weighted_sum(const float* w, const float* V, int n, int d, float* out) {
  for (int i = 0; i < d; ++i) out[i] = 0.0f;
  for (int j = 0; j < n; ++j) {
    const float* v = V + static_cast<std::int64_t>(j) * d;
    const float a = w[j];
#pragma omp simd
    for (int i = 0; i < d; ++i) out[i] += a * v[i];
  }
}

SB_CLONES void scale_inplace(float* x, float s, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) x[i] *= s;
}

SB_CLONES void add_inplace(const float* x, float* y, std::int64_t n) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) y[i] += x[i];
}

SB_CLONES void softmax_inplace(float* x, int n) {
  float m = x[0];
#pragma omp simd reduction(max : m)
  for (int i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; ++i) {
    const float e = exp_f32(x[i] - m);
    x[i] = e;
    s += e;
  }
  const float inv = 1.0f / s;
#pragma omp simd
  for (int i = 0; i < n; ++i) x[i] *= inv;
}

SB_CLONES void sum_partials(float* y, const float* bias, const float* parts,
                            std::int64_t part_stride, int nparts, int n, bool accumulate) {
  if (!accumulate) {
    if (bias) {
#pragma omp simd
      for (int i = 0; i < n; ++i) y[i] = bias[i];
    } else {
#pragma omp simd
      for (int i = 0; i < n; ++i) y[i] = 0.0f;
    }
  } else if (bias) {
#pragma omp simd
    for (int i = 0; i < n; ++i) y[i] += bias[i];
  }
  for (int t = 0; t < nparts; ++t) {
    const float* p = parts + t * part_stride;
#pragma omp simd
    for (int i = 0; i < n; ++i) y[i] += p[i];
  }
}

// 64 running sums (eight 256-bit registers): eight independent add chains, so the loop is
// bound by memory, not by the latency of one vector add — this is the bandwidth ceiling, and a
// single chain measured less than the decode step itself achieves.
SB_CLONES float sum(const float* x, std::int64_t n) {
  float part[64] = {};
  std::int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
#pragma omp simd
    for (int j = 0; j < 64; ++j) part[j] += x[i + j];
  }
  float s = 0.0f;
  for (; i < n; ++i) s += x[i];
  for (int j = 0; j < 64; ++j) s += part[j];
  return s;
}

// Same result as the scalar scan `if (x[i] > x[best]) best = i` (strict: the lowest index wins
// ties; NaN never wins, and a NaN at 0 is returned as is), in two vectorizable passes: the
// largest value per lane (compare-and-blend, no fast-math max), then the first index holding it.
// The scalar scan's loop-carried index cost ~1 ns per element; the greedy token of a small
// model's fused step reads 50,257 logits per row (engine/cpu/cpu_engine.cc).
SB_CLONES std::int32_t argmax(const float* x, std::int64_t n) {
  if (n <= 0 || std::isnan(x[0])) return 0;
  constexpr int kLanes = 16;
  float lane[kLanes];
  for (int j = 0; j < kLanes; ++j) lane[j] = x[0];
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
  }
  float m = lane[0];
  for (int j = 1; j < kLanes; ++j) m = lane[j] > m ? lane[j] : m;
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  // m is x[0] or the largest value after it, never NaN: the first x[i] == m is the answer.
  i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    int hit = 0;
    for (int j = 0; j < kLanes; ++j) hit |= x[i + j] == m;
    if (hit) break;
  }
  for (; i < n; ++i) {
    if (x[i] == m) return static_cast<std::int32_t>(i);
  }
  return 0;  // unreachable: m is one of the values
}

}  // namespace sb::engine::kernels
