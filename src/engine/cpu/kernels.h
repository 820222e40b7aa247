// engine/cpu/kernels — the element-wise and reduction kernels of the CPU engine (fp32).
// Contract: plain functions over raw row-major arrays; no allocation, no threads (callers split
// work).  Each has a default (SSE2) and an x86-64-v3 (AVX2+FMA) clone picked at load time by the
// dynamic loader (GCC target_clones / ifunc) — never by compile flags of the whole program.
// Numerics follow PyTorch's fp32 CPU results to ~1e-6 relative:
//  - layer_norm: mean and biased variance over the row, y = (x - mean) / sqrt(var + eps) * g + b.
//  - gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated as the identical
//    x * sigmoid(2u) = x / (1 + exp(-2u)), which needs only exp and keeps full relative accuracy
//    near 0 (1 + tanh(u) would cancel for u << 0).
//  - exp: Cody-Waite range reduction + degree-6 polynomial (Cephes expf coefficients), ~1 ulp.
//  - argmax returns the lowest index among equal maxima.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sb::engine::kernels {

// Name of the instruction set whose clones the loader picked ("x86-64-v3" or "default").
const char* active_isa();

void layer_norm(const float* x, float* y, std::int64_t rows, int n, const float* gain,
                const float* bias, float eps);
void gelu_new_inplace(float* x, std::int64_t n);
// Exact GELU 0.5 x (1 + erf(x / sqrt 2)): not GPT-2's activation; used only by fault-injection
// tests to prove the golden comparison tells the two apart.
void gelu_erf_inplace(float* x, std::int64_t n);
void exp_inplace(float* x, std::int64_t n);
float dot(const float* a, const float* b, int n);
void axpy(float alpha, const float* x, float* y, int n);  // y += alpha * x
// Attention of one query over n cached positions of width d (rows of K and V are d apart):
// scores[j] = dot(q, K[j]) / denom, and out = sum_j w[j] V[j] (out overwritten; the terms added
// in order j = 0, 1, ...).  The same arithmetic as dot / axpy per position, in one call: with a
// small head width (tiny-gpt2: d = 1) the calls themselves cost more than the arithmetic.
void attention_scores(const float* q, const float* K, int n, int d, float denom, float* scores);
void weighted_sum(const float* w, const float* V, int n, int d, float* out);
void scale_inplace(float* x, float s, int n);
void add_inplace(const float* x, float* y, std::int64_t n);  // y += x
// In place: x[i] = exp(x[i] - max) / sum over i < n.
void softmax_inplace(float* x, int n);
// y[i] = (accumulate ? y[i] : 0) + bias[i] + sum_{t < nparts} parts[t * part_stride + i], the
// parts added in order t = 0, 1, ... (deterministic for a given thread count).  Reduces the
// per-thread partial sums of gemv::gemv_accumulate; bias may be null.
void sum_partials(float* y, const float* bias, const float* parts, std::int64_t part_stride,
                  int nparts, int n, bool accumulate);
// Sum of n floats (read-only bandwidth kernel for the ceilings).
float sum(const float* x, std::int64_t n);
std::int32_t argmax(const float* x, std::int64_t n);

}  // namespace sb::engine::kernels
