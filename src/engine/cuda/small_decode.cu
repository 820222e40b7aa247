// engine/cuda/small_decode.cu — the single-kernel decode step for small models (small_decode.h).
// Why this shape (docs/perf-cuda.md, "Session 7: single-kernel decode for small models"):
// tiny-gpt2's step on the kernel chain is ~11 dependent kernels whose work is nanoseconds; the
// persistent kernel removes the launches but pays a grid barrier (~1 us) per phase.  A small model
// needs neither: its layer weights fit in every block's shared memory, so every block runs the
// whole network redundantly (no block waits for another) and only the LM head is split.
//  - everything a block reads that does not change between steps (layer weights, biases, LayerNorm
//    parameters, its LM-head rows) is staged with cp.async BEFORE griddepcontrol.wait, in one
//    commit group: one round trip of latency, overlapping the step-input read and the embedding;
//  - the old keys/values of a layer (positions < past) are staged kv_bufs layers ahead, so a
//    layer's attention reads shared memory (the new key/value: the block's own q|k|v row);
//  - phases inside a layer are separated by __syncthreads only (LayerNorm: a warp per row; the
//    matrix-vector products: a thread per output, K from shared memory; attention: warps per
//    (row, head) with lanes over keys, two passes (max, then exp-sum and values), partials
//    combined per output element);
//  - fp8 (default, quant 3): the weights in shared memory are the fp16 values of the E4M3 codes
//    and each matrix input is quantized once by the phase that writes it, so a dot product is K
//    independent exact products and a short add tree (docs/perf-cuda.md, session 11: the codes
//    path, quant 2, re-quantized the input row in every output thread: fc2 1.8 us a layer).
#include "engine/cuda/small_decode.h"

#include "engine/cuda/device_common.cuh"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#if defined(__CUDACC__)
#define SB_SMALL_HD __host__ __device__ __forceinline__
#else
#define SB_SMALL_HD inline
#endif

namespace sb::engine::cudak {
namespace {

constexpr int kW = kSmallThreads / 32;  // warps per block

// A staged range of n bytes starting anywhere in a 16-byte chunk: whole chunks are copied, so its
// area holds n + 15 bytes rounded up to 16.
SB_SMALL_HD std::size_t area(std::size_t n) { return (n + 30) & ~std::size_t{15}; }

// A layer's staged buffers: qkv_w, qkv_b, proj_w, proj_b, fc_w, fc_b, fc2_w, fc2_b (storage type;
// the matrices one byte per weight for int8/fp8; fp8 with decoded weights (q 3): fp16 values),
// ln1_g, ln1_b, ln2_g, ln2_b (fp32), and for int8/fp8 (q != 0) the weight scales of qkv, proj, fc,
// fc2 (fp32), in that order.
constexpr int kLayerBufs = 16;
SB_SMALL_HD std::size_t layer_buf_bytes(int i, int E, int I, int es, int q) {
  const std::size_t e = E, n = I, s = es, w = q == 1 || q == 2 ? 1 : es, f = q != 0 ? 4 : 0;
  switch (i) {
    case 0: return 3 * e * e * w;
    case 1: return 3 * e * s;
    case 2: return e * e * w;
    case 4: return n * e * w;
    case 5: return n * s;
    case 6: return e * n * w;
    case 3:
    case 7: return e * s;
    case 12: return 3 * e * f;
    case 13: return e * f;
    case 14: return n * f;
    case 15: return e * f;
    default: return e * 4;
  }
}
// An area per non-empty buffer (the fp32/fp16/bf16 layout is the one before int8/fp8 existed).
SB_SMALL_HD std::size_t buf_area(std::size_t n) { return n > 0 ? area(n) : 0; }
SB_SMALL_HD std::size_t layer_stride(int E, int I, int es, int q) {
  std::size_t t = 0;
  for (int i = 0; i < kLayerBufs; ++i) t += buf_area(layer_buf_bytes(i, E, I, es, q));
  return t;
}

// Shared-memory layout (dynamic part), computed identically on the host (plan) and the device.
struct SmallLayout {
  std::size_t stride = 0;     // one layer's weights
  std::size_t lnf = 0;        // ln_f gamma, then beta
  std::size_t lm = 0;         // the block's LM-head rows
  std::size_t kv = 0;         // kv_bufs x {keys, values} x rows x heads areas
  std::size_t kv_area = 0;    // one (row, head) area: max_t positions
  std::size_t act = 0;        // fp32 activations and attention partials
  std::size_t total = 0;
  int part_slots = 0;         // attention partial records (row-head pairs x warps per pair)
  SB_SMALL_HD SmallLayout(int L, int H, int E, int I, int max_t, int es, int q, int rows, int rpb, int kv_bufs) {
    const int D = E / H, P = rows * H;
    stride = layer_stride(E, I, es, q);
    lnf = stride * L;
    lm = lnf + 2 * area(static_cast<std::size_t>(E) * 4);
    kv = lm + area(static_cast<std::size_t>(rpb) * E * es);
    kv_area = area(static_cast<std::size_t>(max_t) * D * es);
    act = kv + static_cast<std::size_t>(kv_bufs) * 2 * P * kv_area;
    part_slots = P >= kW ? P : P * (kW / P);
    const std::size_t floats = static_cast<std::size_t>(rows) * (6 * E + I) +
                               static_cast<std::size_t>(part_slots) * (2 + D);
    total = act + floats * 4;
  }
};

SB_SMALL_HD std::size_t raw_layer_weight_bytes(int E, int I, int es, int q) {
  std::size_t t = 0;
  for (int i = 0; i < kLayerBufs; ++i) t += layer_buf_bytes(i, E, I, es, q);
  return t;
}

__device__ __forceinline__ void cp_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N> __device__ __forceinline__ void cp_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}
__device__ __forceinline__ unsigned long long globaltimer_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t));
  return t;
}

// Code size: the helpers below are inlined at each call site (142-161 KB of code per kernel).
// One __noinline__ body each (90-110 KB) measured 3 us slower per tiny-gpt2 step at batch 1 and
// 5 us at batch 4 on an H100, and with every loop also kept rolled (39-59 KB) slower still
// (docs/perf-cuda.md, session 7); the long runtime-bounded loops are not unrolled.

// Starts the copy of [src, src + n) into `area` (16-byte aligned) by whole 16-byte chunks (the
// source buffer is readable up to its size rounded up to 16, see small_decode.h); returns where
// src's first byte lands (area + src % 16).
__device__ __forceinline__ unsigned char* stage(unsigned char* area_p, const void* src, std::size_t n) {
  const std::uintptr_t s = reinterpret_cast<std::uintptr_t>(src);
  if (n > 0) {
    const std::uintptr_t s16 = s & ~std::uintptr_t{15}, e16 = (s + n + 15) & ~std::uintptr_t{15};
    const int nc = static_cast<int>((e16 - s16) >> 4);
#pragma unroll 1
    for (int i = threadIdx.x; i < nc; i += kSmallThreads)
      detail::cp_async16(area_p + 16 * i, reinterpret_cast<const void*>(s16 + 16 * static_cast<std::uintptr_t>(i)));
  }
  return area_p + (s & 15u);
}

// Where the staged copy of src starts inside area (same rule as stage, without copying).
__device__ __forceinline__ unsigned char* staged(unsigned char* area_p, const void* src) {
  return area_p + (reinterpret_cast<std::uintptr_t>(src) & 15u);
}

// Buffer i (0..15) of a layer in staging order (layer_buf_bytes gives its size).
inline const void* layer_buf(const SmallDecodeLayer& y, int i) {
  switch (i) {
    case 0: return y.qkv_w;
    case 1: return y.qkv_b;
    case 2: return y.proj_w;
    case 3: return y.proj_b;
    case 4: return y.fc_w;
    case 5: return y.fc_b;
    case 6: return y.fc2_w;
    case 7: return y.fc2_b;
    case 8: return y.ln1_g;
    case 9: return y.ln1_b;
    case 10: return y.ln2_g;
    case 11: return y.ln2_b;
    default: return y.w_scale[i - 12];
  }
}

// One LayerNorm output rounded to T (the same expression for every path, so the same rounding).
template <typename T>
__device__ __forceinline__ float ln_value(float r, float mean, float rstd, float g, float b) {
  return detail::to_f(detail::from_f<T>((r - mean) * rstd * g + b));
}

// fp8 with decoded weights (Q = 3): a matrix input element as the chain's quantized GEMV sees it,
// the E4M3 value of (its fp16 value, held as fp32) times the site's static inverse scale, decoded
// to fp32 (fp8_dot_chain's `fp8_code_to_float(float_to_fp8_code(xr[k] * inv))`, computed once by
// the phase that writes the element instead of by every output thread that reads it).
__device__ __forceinline__ float fp8_quant_value(float v, float inv) {
  return detail::fp8_code_to_float(detail::float_to_fp8_code(v * inv));
}

// LayerNorm of rows [B][E] of in into out (rounded to T): a warp per row, statistics summed in
// 32-element chunks with warp_sum and lane 0's value, chunk sums added in order (the chain's
// GEMV prologue sums a row the same way: one element per thread, warp sums, then warps in order).
// FQ (fp8 with decoded weights, LayerNorm 1 and 2): each output stored as fp8_quant_value(.., qinv),
// the next matrix's quantized input (that matrix is the output's only reader).
template <typename T, bool FQ = false>
__device__ __forceinline__ void sd_layernorm(const float* in, float* out, const float* g, const float* bt, int B,
                                             int E, float eps, float qinv = 1.0f) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll 1
  for (int m = warp; m < B; m += kW) {
    const float* r = in + m * E;
    float s = 0.0f;
    for (int c = 0; c < E; c += 32) {
      float v = c + lane < E ? r[c + lane] : 0.0f;
      v = detail::warp_sum(v);
      s += __shfl_sync(detail::kFull, v, 0);
    }
    const float mean = s / E;
    float q = 0.0f;
    for (int c = 0; c < E; c += 32) {
      float v = 0.0f;
      if (c + lane < E) {
        const float d = r[c + lane] - mean;
        v = d * d;
      }
      v = detail::warp_sum(v);
      q += __shfl_sync(detail::kFull, v, 0);
    }
    const float rstd = 1.0f / sqrtf(q / E + eps);
    for (int k = lane; k < E; k += 32) {
      const float v = ln_value<T>(r[k], mean, rstd, g[k], bt[k]);
      out[m * E + k] = FQ ? fp8_quant_value(v, qinv) : v;
    }
  }
}

// The attention output element (pair pr, dim d) from its WP warps' partials [max, exp-sum, D
// values], rounded to T.
template <typename T>
__device__ __forceinline__ float comb_value(const float* part, int pr, int d, int WP, int D) {
  const float* ps = part + pr * WP * (2 + D);
  float M = -INFINITY;
  for (int s = 0; s < WP; ++s) M = fmaxf(M, ps[s * (2 + D)]);
  float ls = 0.0f, o = 0.0f;
  for (int s = 0; s < WP; ++s) {
    const float* r = ps + s * (2 + D);
    if (r[1] > 0.0f) {
      const float e = expf(r[0] - M);
      ls += r[1] * e;
      o += r[2 + d] * e;
    }
  }
  return detail::to_f(detail::from_f<T>(o * (1.0f / ls)));
}

// fp8: sum_k w[k] * x[k] (E4M3 weight codes; x the E4M3 values of the quantized input, xr[k] * inv
// encoded) in the chain's fp32 order (gemv.cu, scalar path): lane l of the warp owns units
// l, l + 32, ... of U consecutive k (U = 16 when K is a multiple of 16: its 16-byte weight vectors;
// else U = 1), summed in order from 0.0f, then warp_sum's butterfly (small_butterfly_sum).  Every product
// of two E4M3 values is exact in fp32, so fmaf and the chain's multiply-add round alike.  A lane
// partial starts at +0 and so is never -0: lanes without units are the butterfly's zeros.
// The lane partials of that order for any term: add(k, acc) returns acc plus term k.
template <typename Add>
__device__ __forceinline__ float fp8_lane_chain(int K, Add add) {
  const int U = K % 16 == 0 ? 16 : 1;
  const int lanes = min(32, (K + U - 1) / U);
  return small_butterfly_sum(lanes, [&](int l) {
    float acc = 0.0f;
#pragma unroll 1
    for (int k0 = l * U; k0 < K; k0 += 32 * U)
      for (int k = k0; k < k0 + U; ++k) acc = add(k, acc);
    return acc;
  });
}
__device__ __forceinline__ float fp8_dot_chain(const unsigned char* w, const float* xr, int K, float inv) {
  return fp8_lane_chain(K, [&](int k, float acc) {
    return fmaf(detail::fp8_code_to_float(w[k]), detail::fp8_code_to_float(detail::float_to_fp8_code(xr[k] * inv)), acc);
  });
}

// fp8 with decoded weights (Q = 3): fp8_dot_chain's sum, bit for bit, from w = the fp16 values of
// the E4M3 codes and xq = the inputs already quantized and decoded (fp8_quant_value).  K <= 8 (no
// 16-wide units: one k per lane, K lanes): the butterfly as a fixed 8-leaf tree of independent
// leaves (small_butterfly_tree; leaves >= K are +0, which the partials, never -0, absorb exactly,
// so one tree serves every K <= 8: one code path per call site); else small_butterfly_sum over the
// lane partials as fp8_dot_chain.
__device__ __forceinline__ float fp8_dot_pre(const __half* w, const float* xq, int K) {
  if (K <= 8) {
    auto leaf = [&](int l) { return l < K ? fmaf(__half2float(w[l]), xq[l], 0.0f) : 0.0f; };
    return small_butterfly_tree<3, 0, 1>(leaf) + 0.0f;
  }
  return fp8_lane_chain(K, [&](int k, float acc) { return fmaf(__half2float(w[k]), xq[k], acc); });
}

// Matrix j of a layer as staged: [N, K] storage-type values (Q = 0; Q = 3: the decoded E4M3
// weights) or byte codes (Q = 1, 2) with per-channel scales ws (Q != 0), the bias, the static
// activation scale and its inverse (int8/fp8), per_row: int8's per-token scales at the mlp c_proj
// input.
template <typename T>
struct SdMat {
  const T* w;
  const float* ws;
  const T* bias;
  float x_scale, x_inv;
  bool per_row;
};

// v(n) = dot(w[n], xr) + bias[n] before the epilogue.  Q = 0: K from shared memory, the sum
// started at n % K (the lanes of a warp, consecutive n, read different banks).  int8 / fp8 (Q = 1 /
// 2): the chain's quantized GEMV (gemv.cu) step by step: input values (fp16, held as fp32) times
// the static inverse scale (per_row: 1 / s_m, s_m = max_k |x[m, k]| / 127 as row_scale_for), int8
// rne clamped to +-127 (exact int32 sum, any order) or E4M3 (fp8_dot_chain), the sum times
// (s * ws[n]) plus the bias.
template <typename T, int Q>
__device__ __forceinline__ float mv_value(const SdMat<T>& M, const float* xr, int n, int K) {
  using detail::to_f;
  if constexpr (Q == 3) {
    // (xr: the quantized inputs, fp8_quant_value; no per-row scales for fp8)
    float o = fp8_dot_pre(M.w + static_cast<std::size_t>(n) * K, xr, K);
    o *= M.x_scale * M.ws[n];
    return o + to_f(M.bias[n]);
  } else if constexpr (Q == 0) {
    const T* wr = M.w + static_cast<std::size_t>(n) * K;
    float acc = 0.0f;
    int k = n % K;
    for (int j = 0; j < K; ++j) {
      acc = fmaf(to_f(wr[k]), xr[k], acc);
      if (++k == K) k = 0;
    }
    return acc + to_f(M.bias[n]);
  } else {
    const unsigned char* wr = reinterpret_cast<const unsigned char*>(M.w) + static_cast<std::size_t>(n) * K;
    float rs = M.x_scale, ri = M.x_inv;
    if (M.per_row) {
      float amax = 0.0f;
#pragma unroll 1
      for (int k = 0; k < K; ++k) amax = fmaxf(amax, fabsf(xr[k]));
      rs = detail::row_scale_for(amax, Q == 1 ? 127.0 : 448.0);
      ri = 1.0f / rs;
    }
    float o;
    if constexpr (Q == 1) {
      int acc = 0;
      int k = n % K;  // (start spread over banks; the int32 sum is exact in any order)
#pragma unroll 1
      for (int j = 0; j < K; ++j) {
        acc += static_cast<int>(static_cast<signed char>(wr[k])) * detail::float_to_int8(xr[k] * ri);
        if (++k == K) k = 0;
      }
      o = static_cast<float>(acc);
    } else {
      o = fp8_dot_chain(wr, xr, K, ri);
    }
    o *= rs * M.ws[n];
    return o + to_f(M.bias[n]);
  }
}

// The epilogue: out = T(v) (epi 0), T(gelu_new(v)) (epi 1) or T(out + v) (epi 2, the residual).
// FQ (fp8 with decoded weights): epi 1's output (c_fc's, read only by mlp c_proj) stored as
// fp8_quant_value(.., qinv), that matrix's quantized input.
template <typename T, bool FQ = false>
__device__ __forceinline__ void mv_store(float* out, float v, int epi, float qinv = 1.0f) {
  const float r = detail::to_f(detail::from_f<T>(epi == 0 ? v : epi == 1 ? detail::gelu_new(v) : *out + v));
  *out = FQ && epi == 1 ? fp8_quant_value(r, qinv) : r;
}

template <typename T, int DMAX, int Q>
__global__ void __launch_bounds__(kSmallThreads, 1) small_decode_kernel(const __grid_constant__ SmallDecodeArgs a) {
  static_assert(Q == 0 || std::is_same_v<T, __half>, "int8/fp8 engines keep fp16 activations");
  constexpr bool FQ = Q == 3;  // matrix inputs quantized by the phase that writes them
  constexpr int NB = Q != 0 ? kLayerBufs : 12;  // staged buffers per layer
  using detail::from_f;
  using detail::to_f;
  extern __shared__ __align__(16) unsigned char sm[];
  __shared__ unsigned long long best_s[kW][kSmallMaxRows];
  constexpr int es = static_cast<int>(sizeof(T));
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int B = a.rows, L = a.n_layer, H = a.n_head, D = a.head_dim, E = a.n_embd, I = a.n_inner, V = a.vocab;
  const int Tm = a.max_t, rpb = a.rows_per_block, kv_bufs = a.kv_bufs;
  float* x = reinterpret_cast<float*>(sm + a.off_act);  // residual stream [B][E]
  float* ln = x + B * E;                              // LayerNorm output [B][E]
  float* qkv = ln + B * E;                            // [B][3E]
  float* att = qkv + B * 3 * E;                       // [B][E]
  float* hb = att + B * E;                            // MLP hidden [B][I]
  float* part = hb + B * I;                           // attention partials [slots][2 + D]
  const int P = B * H;                                // (row, head) pairs
  const int WP = P >= kW ? 1 : kW / P;                // warps per pair
  unsigned long long* trace =
      a.trace != nullptr && tid == 0 ? a.trace + static_cast<std::size_t>(blockIdx.x) * kSmallTraceStamps : nullptr;
  // Timeline only: stamp j of layer l after a block barrier (extra barriers only when tracing).
  auto phase_stamp = [&](int l, int j, bool sync) {
    if (a.trace == nullptr) return;
    if (sync) __syncthreads();
    if (trace != nullptr) trace[7 + 8 * l + j] = globaltimer_ns();
  };
  if (trace != nullptr) trace[0] = globaltimer_ns();

  // ---- The step input first: nothing this kernel reads is written by a kernel it could overlap
  // under programmatic dependent launch (its predecessor is always the step's input copy, a full
  // dependency, or the host), so the wait comes first and the loads of the position and this
  // thread's embedding token are in flight while the staging below is issued.
  detail::pdl_trigger();
  detail::pdl_wait();
  const int past_ld = a.step[0];
  const int tok_ld = tid < B * E ? a.step[1 + tid / E] : 0;  // (B * E <= 4 x 64 = kSmallThreads)

  // ---- Weights: the engine's image of every layer's buffers and ln_f in exactly this layout
  // (SmallDecodeArgs::image), one contiguous copy; then the block's LM-head rows.
  {
    const uint4* img = static_cast<const uint4*>(a.image);
    const int nc = static_cast<int>(a.off_lm >> 4);
#pragma unroll 1
    for (int i = tid; i < nc; i += kSmallThreads) detail::cp_async16(sm + 16 * i, img + i);
  }
  const int r0 = blockIdx.x * rpb;
  const int nrows = r0 < V ? min(rpb, V - r0) : 0;
  const T* wte = static_cast<const T*>(a.wte);
  const T* lm_w = reinterpret_cast<const T*>(
      stage(sm + a.off_lm, wte + static_cast<std::size_t>(r0) * E, static_cast<std::size_t>(nrows) * E * es));
  cp_commit();

  // ---- The old keys/values of the first layers (positions < past).
  const int past = past_ld;
  if (trace != nullptr && past >= 0) trace[1] = globaltimer_ns();  // (the branch waits for the load)
  const std::size_t kv_bytes = static_cast<std::size_t>(past) * D * es;  // positions 0 .. past - 1
  // Layer l's cache of keys (kind 0) or values (kind 1) of pair pr = b * H + h ([b][h][t][d]).
  auto kv_src = [&](int l, int kind, int pr) {
    T* c = static_cast<T*>(kind == 0 ? a.layers[l].k_cache : a.layers[l].v_cache);
    return c + static_cast<std::size_t>(pr) * Tm * D;
  };
  // Its staged copy's area in buffer buf.
  auto kv_area = [&](int buf, int kind, int pr) {
    return sm + a.off_kv + ((buf * 2 + kind) * P + pr) * a.kv_area;
  };
  // All 2P (kind, pair) ranges of a layer in one pass over the block's threads (whole 16-byte
  // chunks as stage(); ncm: the most chunks a range of kv_bytes can span).
  const int ncm = past > 0 ? static_cast<int>((kv_bytes + 30) >> 4) : 0;
  auto stage_kv = [&](int l, int buf) {
    const T* kc = static_cast<const T*>(a.layers[l].k_cache);
    const T* vc = static_cast<const T*>(a.layers[l].v_cache);
#pragma unroll 1
    for (int i = tid; i < 2 * P * ncm; i += kSmallThreads) {
      const int j = i / ncm, c = i - j * ncm, kind = j >= P ? 1 : 0, pr = j - kind * P;
      const std::uintptr_t s =
          reinterpret_cast<std::uintptr_t>((kind == 0 ? kc : vc) + static_cast<std::size_t>(pr) * Tm * D);
      const std::uintptr_t s16 = s & ~std::uintptr_t{15}, e16 = (s + kv_bytes + 15) & ~std::uintptr_t{15};
      const std::uintptr_t g = s16 + 16 * static_cast<std::uintptr_t>(c);
      if (g < e16) detail::cp_async16(kv_area(buf, kind, pr) + 16 * c, reinterpret_cast<const void*>(g));
    }
  };
#pragma unroll 1
  for (int l = 0; l < kv_bufs; ++l) {
    if (l < L) stage_kv(l, l);
    cp_commit();  // (empty groups keep the wait_group arithmetic below uniform)
  }
  // Embedding: the fp32 sum of the wte and wpe rows rounded to T (the chain's arithmetic).
  if (tid < B * E) {
    const int e = tid - (tid / E) * E;
    x[tid] = to_f(from_f<T>(to_f(wte[static_cast<std::size_t>(tok_ld) * E + e]) +
                            to_f(static_cast<const T*>(a.wpe)[static_cast<std::size_t>(past) * E + e])));
  }

#pragma unroll 1
  for (int l = 0; l < L; ++l) {
    const int buf = l % kv_bufs;
    // At l = 0 the weights (the first group) have landed; the kv_bufs key/value groups after it
    // may still be in flight: layer l's are waited for only before its attention (kv_wait), so
    // their latency overlaps LayerNorm 1 and q|k|v.
    if (l == 0) {
      if (kv_bufs == 2) cp_wait<2>();
      else cp_wait<1>();
    }
    __syncthreads();
    if (l == 0 && trace != nullptr) trace[2] = globaltimer_ns();
    // Layer l's keys/values have landed (this thread's copies; the next barrier publishes them):
    // the groups committed after them are the kv_bufs - 1 layers staged further ahead.
    auto kv_wait = [&] {
      if (kv_bufs == 2) cp_wait<1>();
      else cp_wait<0>();
    };
    const SmallDecodeLayer& ly = a.layers[l];
    // The image holds each buffer at the start of its area.
    const unsigned char* p = sm + a.layer_stride * l;
    const T* wts[8];  // staged qkv_w, qkv_b, proj_w, proj_b, fc_w, fc_b, fc2_w, fc2_b
    const float* lnp[4];  // ln1_g, ln1_b, ln2_g, ln2_b
    const float* wsc[4] = {nullptr, nullptr, nullptr, nullptr};  // int8/fp8 weight scales
#pragma unroll
    for (int i = 0; i < NB; ++i) {
      const void* q = p;
      if (i < 8) wts[i] = static_cast<const T*>(q);
      else if (i < 12) lnp[i - 8] = static_cast<const float*>(q);
      else wsc[i - 12] = static_cast<const float*>(q);
      p += buf_area(layer_buf_bytes(i, E, I, es, Q));
    }
    // Q = 3: the inverse activation scale of matrix j's input, for the phase that writes it.
    auto qinv = [&](int j) { return FQ ? ly.x_inv_scale[j] : 1.0f; };
    auto mat = [&](int j) {
      return SdMat<T>{wts[2 * j], wsc[j], wts[2 * j + 1], Q != 0 ? ly.x_scale[j] : 1.0f,
                      Q != 0 ? ly.x_inv_scale[j] : 1.0f, Q == 1 && j == 3 && a.fc2_per_row};
    };
    // Matrix j over the rows of in ([B][K]): out[m * N + n] = epilogue(v(m, n)).
    auto matvec = [&](int j, const float* in, int N, int K, int epi, float* out) {
      const SdMat<T> M = mat(j);
#pragma unroll 1
      for (int i = tid; i < B * N; i += kSmallThreads) {
        const int m = i / N, n = i - m * N;
        // (Q = 3: epi 1 is c_fc's store, whose row is mlp c_proj's input: site 3's scale)
        mv_store<T, FQ>(out + i, mv_value<T, Q>(M, in + m * K, n, K), epi, qinv(3));
      }
    };

    sd_layernorm<T, FQ>(x, ln, lnp[0], lnp[1], B, E, a.ln_eps, qinv(0));
    __syncthreads();
    phase_stamp(l, 0, false);
    matvec(0, ln, 3 * E, E, 0, qkv);
    kv_wait();
    __syncthreads();
    phase_stamp(l, 1, false);
    // The new key/value rows into the KV cache (block 0 only; this kernel's attention reads them
    // from qkv, and the next step's launch orders the stores before its staging).
    if (blockIdx.x == 0) {
#pragma unroll 1
      for (int i = tid; i < 2 * B * E; i += kSmallThreads) {
        const int kind = i >= B * E ? 1 : 0, r = i - kind * B * E, m = r / E, e = r - m * E, h = e / D;
        kv_src(l, kind, m * H + h)[static_cast<std::size_t>(past) * D + (e - h * D)] =
            from_f<T>(qkv[m * 3 * E + (1 + kind) * E + e]);
      }
    }
    // Attention: pair pr = (row m, head h) gets WP warps, each a contiguous key range; lanes over
    // keys; keys and values before past from the staged cache, the new ones (t = past) from qkv.
    {
      const int n_keys = past + 1;
      const int pstep = kW / WP;
      const int sub = warp % WP;
#pragma unroll 1
      for (int pr = warp / WP; pr < P && warp < pstep * WP; pr += pstep) {
        const int m = pr / H, h = pr - m * H;
        const int chunk = (n_keys + WP - 1) / WP, t0 = sub * chunk, t1 = min(n_keys, t0 + chunk);
        float q[DMAX];
#pragma unroll
        for (int d = 0; d < DMAX; ++d) q[d] = d < D ? qkv[m * 3 * E + h * D + d] * a.att_scale : 0.0f;
        const T* kb = reinterpret_cast<const T*>(staged(kv_area(buf, 0, pr), kv_src(l, 0, pr)));
        const T* vb = reinterpret_cast<const T*>(staged(kv_area(buf, 1, pr), kv_src(l, 1, pr)));
        const float* kn = qkv + m * 3 * E + E + h * D;  // the new key; its value at kn + E
        auto score = [&](int t) {
          float s = 0.0f;
#pragma unroll
          for (int d = 0; d < DMAX; ++d)
            if (d < D) s = fmaf(q[d], t < past ? to_f(kb[t * D + d]) : kn[d], s);
          return s;
        };
        float mx = -INFINITY;
#pragma unroll 1
        for (int t = t0 + lane; t < t1; t += 32) mx = fmaxf(mx, score(t));
        mx = detail::warp_max(mx);
        float lsum = 0.0f, acc[DMAX];
#pragma unroll
        for (int d = 0; d < DMAX; ++d) acc[d] = 0.0f;
#pragma unroll 1
        for (int t = t0 + lane; t < t1; t += 32) {
          const float pt = expf(score(t) - mx);
          lsum += pt;
#pragma unroll
          for (int d = 0; d < DMAX; ++d)
            if (d < D) acc[d] = fmaf(pt, t < past ? to_f(vb[t * D + d]) : kn[E + d], acc[d]);
        }
        lsum = detail::warp_sum(lsum);
#pragma unroll
        for (int d = 0; d < DMAX; ++d)
          if (d < D) acc[d] = detail::warp_sum(acc[d]);
        if (lane == 0) {
          float* ps = part + (pr * WP + sub) * (2 + D);
          ps[0] = mx;
          ps[1] = lsum;
#pragma unroll
          for (int d = 0; d < DMAX; ++d)
            if (d < D) ps[2 + d] = acc[d];
        }
      }
    }
    __syncthreads();
    phase_stamp(l, 2, false);
    // Buffer buf is free again: stage the keys/values of layer l + kv_bufs into it.
    if (l + kv_bufs < L) stage_kv(l + kv_bufs, buf);
    cp_commit();
#pragma unroll 1
    for (int i = tid; i < P * D; i += kSmallThreads) {
      const int pr = i / D, d = i - pr * D;
      const int m = pr / H, h = pr - m * H;
      const float v = comb_value<T>(part, pr, d, WP, D);
      att[m * E + h * D + d] = FQ ? fp8_quant_value(v, qinv(1)) : v;
    }
    __syncthreads();
    phase_stamp(l, 3, false);
    matvec(1, att, E, E, 2, x);  // attn c_proj + residual
    __syncthreads();
    phase_stamp(l, 4, false);
    sd_layernorm<T, FQ>(x, ln, lnp[2], lnp[3], B, E, a.ln_eps, qinv(2));
    __syncthreads();
    phase_stamp(l, 5, false);
    matvec(2, ln, I, E, 1, hb);  // c_fc + gelu_new
    __syncthreads();
    phase_stamp(l, 6, false);
    matvec(3, hb, E, I, 2, x);   // mlp c_proj + residual
    phase_stamp(l, 7, true);
  }
  cp_wait<0>();  // only empty groups can be left
  __syncthreads();
  if (trace != nullptr) trace[3] = globaltimer_ns();
  const float* lnf_g = reinterpret_cast<const float*>(sm + a.off_lnf);
  const float* lnf_b = reinterpret_cast<const float*>(sm + a.off_lnf + area(static_cast<std::size_t>(E) * 4));

  // ---- LM head rows r0 .. r0 + nrows: logits (optional) and the packed argmax of each row.
  // n_embd <= 8: k in order from 0, the chain's small-K LM head's sum bit for bit.
  sd_layernorm<T>(x, ln, lnf_g, lnf_b, B, E, a.ln_eps);
  __syncthreads();
  unsigned long long best[kSmallMaxRows];
#pragma unroll
  for (int m = 0; m < kSmallMaxRows; ++m) best[m] = 0ull;
#pragma unroll 1
  for (int r = tid; r < nrows; r += kSmallThreads) {
    const T* wr = lm_w + static_cast<std::size_t>(r) * E;
    const int k0 = E > 8 ? r % E : 0;
#pragma unroll
    for (int m = 0; m < kSmallMaxRows; ++m) {
      if (m >= B) break;
      float acc = 0.0f;
      int k = k0;
      for (int j = 0; j < E; ++j) {
        acc = fmaf(to_f(wr[k]), ln[m * E + k], acc);
        if (++k == E) k = 0;
      }
      const float v = acc + 0.0f;  // the chain adds its (absent) bias: -0 -> +0
      if (a.logits != nullptr) a.logits[static_cast<std::size_t>(m) * V + r0 + r] = v;
      const unsigned long long key = argmax_key(v, static_cast<std::uint32_t>(r0 + r));
      best[m] = key > best[m] ? key : best[m];
    }
  }
#pragma unroll
  for (int m = 0; m < kSmallMaxRows; ++m)
    if (m < B) best[m] = detail::warp_max_u64(best[m]);
  if (lane == 0) {
#pragma unroll
    for (int m = 0; m < kSmallMaxRows; ++m) best_s[warp][m] = best[m];
  }
  __syncthreads();
  if (trace != nullptr) trace[4] = globaltimer_ns();
  // Last block out (threadFenceReduction pattern, as the chain's LM head), all in thread 0: the
  // block's maxima into the slots, a fence, then the counter; the block that increments it last
  // sees every block's maxima, publishes them to the host and resets slots and counter.  (No
  // system-scope fence: the host reads host_out only after the kernel has completed.)
  if (tid == 0) {
#pragma unroll
    for (int m = 0; m < kSmallMaxRows; ++m) {
      if (m >= B) break;
      unsigned long long bk = 0ull;
#pragma unroll
      for (int w = 0; w < kW; ++w) bk = best_s[w][m] > bk ? best_s[w][m] : bk;
      atomicMax(&a.slots[m], bk);
    }
    __threadfence();
    const bool last = atomicAdd(a.counter, 1u) == gridDim.x - 1;
    if (trace != nullptr) trace[5] = globaltimer_ns();
    if (last) {
      unsigned long long v[kSmallMaxRows];
#pragma unroll
      for (int m = 0; m < kSmallMaxRows; ++m)
        if (m < B) v[m] = atomicExch(&a.slots[m], 0ull);
#pragma unroll
      for (int m = 0; m < kSmallMaxRows; ++m)
        if (m < B) a.host_out[m] = v[m];
      *a.counter = 0u;
    }
    if (trace != nullptr) trace[6] = globaltimer_ns();
  }
}

unsigned long long* g_trace = nullptr;
std::size_t g_trace_entries = 0;

// build_small_image, quant 3: dst[i] = the fp16 value of the E4M3 code src[i] (exact).
__global__ void fp8_codes_to_half_kernel(__half* dst, const unsigned char* src, std::size_t n) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    dst[i] = __float2half(detail::fp8_code_to_float(src[i]));
}

template <typename T, int DMAX, int Q>
cudaError_t launch_t(const SmallDecodeArgs& a_in, cudaStream_t st) {
  auto kernel = small_decode_kernel<T, DMAX, Q>;
  SmallDecodeArgs a = a_in;
  a.trace = g_trace != nullptr && g_trace_entries >= static_cast<std::size_t>(a.blocks) * kSmallTraceStamps ? g_trace
                                                                                                          : nullptr;
  static std::size_t raised = 0;
  if (a.smem_bytes > raised) {
    const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                               static_cast<int>(a.smem_bytes));
    if (e != cudaSuccess) {
      std::snprintf(detail::g_detail, sizeof detail::g_detail,
                    "small_decode: cudaFuncSetAttribute(max dynamic smem %zu): %s", a.smem_bytes, cudaGetErrorName(e));
      return e;
    }
    raised = a.smem_bytes;
  }
  const cudaError_t e = detail::launch_k(kernel, a.blocks, kSmallThreads, a.smem_bytes, st, a);
  if (e != cudaSuccess)
    std::snprintf(detail::g_detail, sizeof detail::g_detail, "small_decode<es=%d,D<=%d,q=%d> grid=%d smem=%zu: %s",
                  static_cast<int>(sizeof(T)), DMAX, Q, a.blocks, a.smem_bytes, cudaGetErrorName(e));
  return e;
}

template <typename T, int Q = 0>
cudaError_t launch_dim(const SmallDecodeArgs& a, cudaStream_t st) {
  if (a.head_dim <= 1) return launch_t<T, 1, Q>(a, st);
  if (a.head_dim <= 4) return launch_t<T, 4, Q>(a, st);
  return launch_t<T, kSmallMaxHeadDim, Q>(a, st);
}

template <typename T>
cudaError_t static_smem_t(int head_dim, std::size_t* bytes) {
  cudaFuncAttributes fa{};
  cudaError_t e;
  // (The int8/fp8 instantiations have the fp16 ones' static arrays.)
  if (head_dim <= 1) e = cudaFuncGetAttributes(&fa, small_decode_kernel<T, 1, 0>);
  else if (head_dim <= 4) e = cudaFuncGetAttributes(&fa, small_decode_kernel<T, 4, 0>);
  else e = cudaFuncGetAttributes(&fa, small_decode_kernel<T, kSmallMaxHeadDim, 0>);
  *bytes = fa.sharedSizeBytes;
  return e;
}

}  // namespace

SmallDecodePlan plan_small_decode(const SmallDecodeShape& s, int blocks, int sm_count, std::size_t smem_limit) {
  SmallDecodePlan p;
  auto no = [&](std::string why) {
    p.why_not = std::move(why);
    p.blocks = 0;
    return p;
  };
  if (s.n_layer < 1 || s.n_head < 1 || s.n_embd < 1 || s.n_inner < 1 || s.vocab < 1 || s.max_t < 1 ||
      s.n_embd % s.n_head != 0 || (s.elem_bytes != 2 && s.elem_bytes != 4) || s.quant < 0 ||
      s.quant > 3 || (s.quant != 0 && s.elem_bytes != 2))
    return no("invalid shape");
  if (s.rows < 1 || s.rows > kSmallMaxRows) return no("batch " + std::to_string(s.rows) + " > " + std::to_string(kSmallMaxRows));
  if (s.n_embd > kSmallMaxEmbd) return no("n_embd " + std::to_string(s.n_embd) + " > " + std::to_string(kSmallMaxEmbd));
  const int D = s.n_embd / s.n_head;
  if (D > kSmallMaxHeadDim) return no("head dim " + std::to_string(D) + " > " + std::to_string(kSmallMaxHeadDim));
  if (s.n_layer > kSmallMaxLayers)
    return no("n_layer " + std::to_string(s.n_layer) + " > " + std::to_string(kSmallMaxLayers));
  if ((s.quant == 2 || s.quant == 3) && s.rows >= s.fp8_mma_min_rows && (s.n_embd % 16 == 0 || s.n_inner % 16 == 0))
    return no("fp8 at batch " + std::to_string(s.rows) + " >= " + std::to_string(s.fp8_mma_min_rows) +
              " with K % 16 == 0: the chain's tensor-core GEMV, whose accumulation is not reproduced");
  p.layer_weight_bytes = raw_layer_weight_bytes(s.n_embd, s.n_inner, s.elem_bytes, s.quant) * s.n_layer;
  if (p.layer_weight_bytes > kSmallMaxLayerWeightBytes)
    return no("layer weights " + std::to_string(p.layer_weight_bytes) + " B > " +
              std::to_string(kSmallMaxLayerWeightBytes) + " B");
  const int G = blocks > 0 ? blocks : (sm_count > 0 ? sm_count : 1);
  p.rows_per_block = (s.vocab + G - 1) / G;
  for (int kv_bufs = 2; kv_bufs >= 1; --kv_bufs) {
    const SmallLayout lay(s.n_layer, s.n_head, s.n_embd, s.n_inner, s.max_t, s.elem_bytes, s.quant, s.rows,
                          p.rows_per_block, kv_bufs);
    if (lay.total <= smem_limit) {
      p.kv_bufs = kv_bufs;
      p.smem_bytes = lay.total;
      p.blocks = G;
      p.layer_stride = static_cast<unsigned>(lay.stride);
      p.off_lnf = static_cast<unsigned>(lay.lnf);
      p.off_lm = static_cast<unsigned>(lay.lm);
      p.off_kv = static_cast<unsigned>(lay.kv);
      p.kv_area = static_cast<unsigned>(lay.kv_area);
      p.off_act = static_cast<unsigned>(lay.act);
      return p;
    }
    if (kv_bufs == 1)
      return no("needs " + std::to_string(lay.total) + " B of shared memory per block > " + std::to_string(smem_limit));
  }
  return p;
}

cudaError_t build_small_image(void* image, std::size_t image_bytes, const SmallDecodeArgs& a, cudaStream_t st) {
  const int q = a.quant, E = a.n_embd, I = a.n_inner;
  const int es = a.dt == Dt::kF32 ? 4 : 2;
  if (image == nullptr || a.n_layer < 1 || a.n_layer > kSmallMaxLayers || image_bytes < a.off_lm ||
      a.layer_stride != layer_stride(E, I, es, q) || a.off_lnf != a.layer_stride * static_cast<unsigned>(a.n_layer)) {
    std::snprintf(detail::g_detail, sizeof detail::g_detail, "build_small_image: arguments do not match the layout");
    return cudaErrorInvalidValue;
  }
  unsigned char* img = static_cast<unsigned char*>(image);
  cudaError_t e = cudaMemsetAsync(img, 0, image_bytes, st);
  for (int l = 0; e == cudaSuccess && l < a.n_layer; ++l) {
    std::size_t off = static_cast<std::size_t>(a.layer_stride) * l;
    for (int i = 0; e == cudaSuccess && i < (q != 0 ? kLayerBufs : 12); ++i) {
      const std::size_t n = layer_buf_bytes(i, E, I, es, q);
      if (q == 3 && (i == 0 || i == 2 || i == 4 || i == 6)) {  // the matrices: codes -> fp16 values
        const std::size_t cnt = n / 2;
        const int grid = static_cast<int>(std::min<std::size_t>(1024, (cnt + 255) / 256));
        fp8_codes_to_half_kernel<<<grid, 256, 0, st>>>(reinterpret_cast<__half*>(img + off),
                                                       static_cast<const unsigned char*>(layer_buf(a.layers[l], i)), cnt);
        e = cudaGetLastError();
      } else if (n > 0) {
        e = cudaMemcpyAsync(img + off, layer_buf(a.layers[l], i), n, cudaMemcpyDeviceToDevice, st);
      }
      off += buf_area(n);
    }
  }
  const std::size_t nf = static_cast<std::size_t>(E) * 4;
  if (e == cudaSuccess) e = cudaMemcpyAsync(img + a.off_lnf, a.lnf_g, nf, cudaMemcpyDeviceToDevice, st);
  if (e == cudaSuccess) e = cudaMemcpyAsync(img + a.off_lnf + area(nf), a.lnf_b, nf, cudaMemcpyDeviceToDevice, st);
  if (e != cudaSuccess)
    std::snprintf(detail::g_detail, sizeof detail::g_detail, "build_small_image: %s", cudaGetErrorName(e));
  return e;
}

void set_small_trace(unsigned long long* device_buffer, std::size_t entries) {
  g_trace = device_buffer;
  g_trace_entries = entries;
}

cudaError_t small_decode_static_smem(Dt dt, int head_dim, std::size_t* bytes) {
  switch (dt) {
    case Dt::kF32: return static_smem_t<float>(head_dim, bytes);
    case Dt::kF16: return static_smem_t<__half>(head_dim, bytes);
    case Dt::kBF16: return static_smem_t<__nv_bfloat16>(head_dim, bytes);
  }
  return cudaErrorInvalidValue;
}

cudaError_t launch_small_decode(const SmallDecodeArgs& a, cudaStream_t st) {
  bool ok = a.blocks > 0 && a.rows >= 1 && a.rows <= kSmallMaxRows && a.n_layer >= 1 &&
            a.n_layer <= kSmallMaxLayers && a.n_head >= 1 && a.n_embd >= 1 && a.n_embd <= kSmallMaxEmbd &&
            a.n_embd == a.n_head * a.head_dim && a.head_dim <= kSmallMaxHeadDim && a.rows_per_block >= 1 &&
            (a.kv_bufs == 1 || a.kv_bufs == 2) && a.off_act != 0 && a.kv_area != 0 && a.wte != nullptr && a.wpe != nullptr && a.lnf_g != nullptr &&
            a.lnf_b != nullptr && a.image != nullptr && a.step != nullptr && a.slots != nullptr && a.host_out != nullptr &&
            a.counter != nullptr && static_cast<long long>(a.rows_per_block) * a.blocks >= a.vocab;
  ok = ok && (a.quant == 0 || (a.quant >= 1 && a.quant <= 3 && a.dt == Dt::kF16));
  for (int l = 0; ok && l < a.n_layer; ++l) {
    const SmallDecodeLayer& y = a.layers[l];
    ok = y.qkv_w && y.qkv_b && y.proj_w && y.proj_b && y.fc_w && y.fc_b && y.fc2_w && y.fc2_b && y.ln1_g &&
         y.ln1_b && y.ln2_g && y.ln2_b && y.k_cache && y.v_cache;
    for (int j = 0; ok && a.quant != 0 && j < 4; ++j) ok = y.w_scale[j] != nullptr;
  }
  if (!ok) {
    std::snprintf(detail::g_detail, sizeof detail::g_detail, "small_decode: arguments outside the plan's limits");
    return cudaErrorInvalidValue;
  }
  if (a.quant == 1) return launch_dim<__half, 1>(a, st);
  if (a.quant == 2) return launch_dim<__half, 2>(a, st);
  if (a.quant == 3) return launch_dim<__half, 3>(a, st);
  switch (a.dt) {
    case Dt::kF32: return launch_dim<float>(a, st);
    case Dt::kF16: return launch_dim<__half>(a, st);
    case Dt::kBF16: return launch_dim<__nv_bfloat16>(a, st);
  }
  return cudaErrorInvalidValue;
}

}  // namespace sb::engine::cudak
