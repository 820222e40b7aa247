// engine/cuda/attn_proj.cu — decode attention fused with attn c_proj + bias + residual
// (launch_attn_proj, kernels.h): one dependent kernel fewer per layer than the chain's
// launch_attention + kResidual GEMV.
// Why this shape (docs/perf-cuda.md "Session 9: attention + proj fusion"): a gpt2 decode step is
// ~62 dependent kernels whose cost is each one's latency after griddepcontrol.wait, not the bytes.
//  - Block (b, h, p): batch row b, head h, output slice p.  Before the wait it copies its slice of
//    proj_w (slice_rows rows x the head's head_dim columns, 128-byte segments for D = 64 fp16) to
//    shared memory with cp.async, and the cache keys/values of earlier steps like the chain's
//    decode attention; after the wait it computes (b, h)'s attention exactly as the chain's decode
//    attention with one key split (same warps, same chunks, same combine: bit-identical o where
//    the chain splits none), rounds o to dt as the chain stores att_, and then each thread one
//    output row's partial (head_dim products in d order).
//  - The P slice blocks of a (b, h) recompute the same attention: parallelism for the proj without
//    a second kernel (cheap at the short caches of decode benchmarks; at long caches the chain's
//    key-split attention is shorter: measured, see the doc).
//  - Cross-block sum over heads: the fused MLP's count-in-word protocol (fixed_word.h): each
//    partial becomes 2^-28 fixed point plus a contribution count in one 64-bit word, added with a
//    returning integer atomic (exact, so deterministic whatever the blocks' order); the block whose
//    add completes an output's count (n_head contributions) has the sum in hand and writes that x
//    element (residual loaded after the wait, bias before it) and zeroes the word.  No grid counter,
//    fence or last-block pass (session 9's version had them and did not pay at gpt2 batch 1:
//    docs/perf-cuda.md "Session 10: attention + proj on the count-in-word protocol").
//  - int8 / E4M3 proj weights (session 15, AttnProjArgs::wq; the atomic sum, fp16 activations): the
//    slice is staged as codes, o is quantized with the site's static activation scale exactly as
//    the chain's GEMV stages att_, and each head's partial is the codes' dot product (int8: exact
//    int32 via dp4a, added as p / 4 so the word holds the chain's int32 total / 4 exactly and x is
//    bit-identical to the chain; E4M3: fp32, dequantized per head).  One dependent kernel fewer per
//    layer for the int8 / fp8 engines (docs/perf-cuda.md "Session 15").
#include "engine/cuda/device_common.cuh"
#include "engine/cuda/fixed_word.h"

#include <cooperative_groups.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace sb::engine::cudak {
namespace {
using detail::g_detail;

constexpr int kApThreads = 256;
// The chain's decode attention: at most 8 warps, as many as fit 96 KiB of key/value staging
// (kernels.cu kDecodeAttnMaxWarps / kDecodeAttnSmemCap); the same count keeps o bit-identical.
constexpr int kAttMaxWarps = 8;
constexpr int kAttSmemCap = 96 * 1024;
// Fixed point (fixed_word.h): one word per (row, output), one contribution per head, so n_head <=
// kFixedWordMaxAdds (255) and every partial |p| < 2^19 (else the host error word).
constexpr int kPerThread = 8;                       // outputs per thread: slice_rows <= 2048
constexpr int kMaxSlices = 32;                      // slice counts the plan tries

// Padded key-row length (elements) of the staged chunk: kernels.cu decode_attn_key_stride.
__host__ __device__ __forceinline__ int key_stride(int D, int es) { return (D * es) % 16 == 0 ? D + 16 / es : D + 1; }
// Byte stride of a proj_w slice row in shared memory: head_dim elements, + 16 bytes when that is
// an even number of 16-byte units, so the 8 threads of a quarter warp (rows r .. r + 7, one 16-byte
// load each) hit 8 different 4-bank groups.
__host__ __device__ __forceinline__ int wrow_bytes(int D, int es) {
  const int b = D * es;
  return (b / 16) % 2 == 0 ? b + 16 : b;
}
__host__ __device__ __forceinline__ std::size_t att_per_warp_bytes(int D, int es) {
  return 32ull * (key_stride(D, es) + D) * es;
}
__host__ __device__ __forceinline__ std::size_t w_bytes(int R, int D, int es) {
  return (static_cast<std::size_t>(R) * wrow_bytes(D, es) + 15) & ~std::size_t{15};
}
// The atomic kernel's residual and bias values of its slice (fp32, [2][R]), after the weight slice.
__host__ __device__ __forceinline__ std::size_t xo_bytes(int R) { return (static_cast<std::size_t>(R) * 8 + 15) & ~std::size_t{15}; }
int att_warps_for(int D, int es) {
  const std::size_t pw = att_per_warp_bytes(D, es);
  const std::size_t w = kAttSmemCap / pw;
  return static_cast<int>(w < 1 ? 1 : (w > kAttMaxWarps ? kAttMaxWarps : w));
}

// One warp copies rows r0 .. r1 of the key/value chunk at cache position t (cp.async, 16 bytes a
// lane): keys to ks with row stride kd (padded against bank conflicts), values to vs densely.
template <typename T>
__device__ __forceinline__ void stage_kv_rows(T* ks, T* vs, int kd, const T* kb, const T* vb, int D, int t, int r0,
                                              int r1, int lane) {
  if (r0 >= r1) return;
  const int per_row = D * static_cast<int>(sizeof(T)) / 16;
  const uint4* ksrc = reinterpret_cast<const uint4*>(kb + static_cast<long long>(t) * D);
  const uint4* vsrc = reinterpret_cast<const uint4*>(vb + static_cast<long long>(t) * D);
  for (int i = r0 * per_row + lane; i < r1 * per_row; i += 32) {
    const int r = i / per_row, c = i - r * per_row;
    detail::cp_async16(reinterpret_cast<uint4*>(ks + r * kd) + c, ksrc + i);
    detail::cp_async16(reinterpret_cast<uint4*>(vs) + i, vsrc + i);
  }
}

// One attention warp's pass over its chunks of 32 keys (keys t, t + step, ..): kernels.cu
// decode_attention_kernel's vectorized arithmetic in its order, so o stays bit-identical to the
// chain's.  stage_rows(t, r0, r1) copies rows r0 .. r1 of the chunk at key t into ks / vs (the
// first chunk is staged by the caller).  The warp's online-softmax state (max, sum, accumulator of
// its d = lane + 32 c) goes to *w_m, *w_l and w_acc_row for the block's combine.
template <typename T, int NCH, typename Stage>
__device__ __forceinline__ void warp_attention(const float* qv, const T* ks, const T* vs, int kd, int D, int t,
                                               int step, int n_keys, int lane, Stage& stage_rows, float* w_m,
                                               float* w_l, float* w_acc_row) {
  using detail::to_f;
  using detail::Vec16;
  constexpr int VN = 16 / sizeof(T);
  float m = -INFINITY, l = 0.0f, acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) acc[c] = 0.0f;
  for (bool first = true; t < n_keys; t += step, first = false) {
    const int cnt = min(32, n_keys - t);
    if (!first) stage_rows(t, 0, cnt);
    detail::cp_async_wait_all();
    __syncwarp();
    float sc = -INFINITY;
    if (lane < cnt) {
      const T* kr = ks + lane * kd;
      sc = 0.0f;
      for (int d = 0; d < D; d += VN) {
        float f[VN];
        Vec16<T>::load(kr + d, f);
#pragma unroll
        for (int i = 0; i < VN; ++i) sc += qv[d + i] * f[i];
      }
    }
    const float m_new = fmaxf(m, detail::warp_max(sc));
    const float corr = expf(m - m_new);
    const float pr = lane < cnt ? expf(sc - m_new) : 0.0f;
    l = l * corr + detail::warp_sum(pr);
#pragma unroll
    for (int c = 0; c < NCH; ++c) acc[c] *= corr;
#pragma unroll 8
    for (int jj = 0; jj < cnt; ++jj) {
      const float pj = __shfl_sync(detail::kFull, pr, jj);
#pragma unroll
      for (int c = 0; c < NCH; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] += pj * to_f(vs[jj * D + d]);
      }
    }
    __syncwarp();  // the next chunk's copy overwrites ks/vs
    m = m_new;
  }
  if (lane == 0) {
    *w_m = m;
    *w_l = l;
  }
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) w_acc_row[d] = acc[c];
  }
}

// Q: the proj weights' format (0: dt like the activations; 1: int8 codes; 2: E4M3 codes; session 15).
template <typename T, int NCH, int Q = 0>
__global__ void __launch_bounds__(kApThreads) attn_proj_kernel(AttnProjArgs a) {
  using detail::from_f;
  using detail::to_f;
  using detail::Vec16;
  static_assert(Q == 0 || std::is_same_v<T, __half>, "quantized proj weights: fp16 activations");
  constexpr int es = sizeof(T), VN = 16 / es;
  constexpr int esw = Q == 0 ? es : 1;  // bytes per weight
  __shared__ __align__(16) signed char oq_s[Q == 1 ? NCH * 32 : 16];  // int8: the quantized o
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float q_s[NCH * 32];
  __shared__ float o_s[NCH * 32];
  __shared__ float w_m[kAttMaxWarps], w_l[kAttMaxWarps];
  __shared__ float w_acc[kAttMaxWarps][NCH * 32];
  const int H = a.n_head, D = a.head_dim, E = H * D, P = a.slices, R = a.slice_rows, W = a.att_warps;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  detail::step_stamp(a.step_trace, 0);
  const int p = blockIdx.x % P, h = (blockIdx.x / P) % H, b = blockIdx.x / (P * H);
  const int n0 = p * R, nr = min(R, E - n0);  // this block's outputs n0 .. n0 + nr
  const int RB = wrow_bytes(D, esw);
  unsigned char* ws = smem_raw;
  float* xo_s = reinterpret_cast<float*>(smem_raw + w_bytes(R, D, esw));  // [R] residual x[b, n0 + r]
  float* b_s = xo_s + R;                                                   // [R] proj_b[n0 + r]

  detail::pdl_trigger();
  // ---- Before the wait: the proj_w slice (weights: nothing a previous kernel writes).
  {
    const int cpr = D * esw / 16;
    const unsigned char* wg =
        static_cast<const unsigned char*>(a.proj_w) + (static_cast<std::size_t>(n0) * E + static_cast<std::size_t>(h) * D) * esw;
    for (int i = tid; i < nr * cpr; i += kApThreads) {
      const int r = i / cpr, c = i - r * cpr;
      detail::cp_async16(ws + static_cast<std::size_t>(r) * RB + 16 * c, wg + static_cast<std::size_t>(r) * E * esw + 16 * c);
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  }
  const T* pb = static_cast<const T*>(a.proj_b);
  for (int r = tid; r < nr; r += kApThreads) b_s[r] = pb != nullptr ? to_f(pb[n0 + r]) : 0.0f;
  // Quantized weights: this thread's outputs' dequantization factors x_scale * w_scale[n] (the
  // chain's GEMV epilogue's product, in its order).
  float dq[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    dq[j] = (Q != 0 && r < nr) ? a.x_scale * a.w_scale[n0 + r] : 1.0f;
  }

  // ---- Attention of (b, h): kernels.cu decode_attention_kernel with one split (keys 0..past), warps
  // 0 .. W - 1; the other warps only join the barriers.  Cache rows of earlier steps are staged before
  // the wait (see decode_attention_kernel for why that is safe), q and the new row after it.
  const int past = *a.past_len;
  const int n_keys = past + 1;
  const long long head_base = (static_cast<long long>(b) * H + h) * a.max_t * D;
  const T* kb = static_cast<const T*>(a.k_cache) + head_base;
  const T* vb = static_cast<const T*>(a.v_cache) + head_base;
  const int kd = key_stride(D, es);
  const bool att_warp = warp < W;
  T* ks = reinterpret_cast<T*>(smem_raw + w_bytes(R, D, esw) + xo_bytes(R)) + static_cast<std::size_t>(att_warp ? warp : 0) * 32 * (kd + D);
  T* vs = ks + 32 * kd;
  auto stage_rows = [&](int t, int r0, int r1) { stage_kv_rows(ks, vs, kd, kb, vb, D, t, r0, r1, lane); };
  int t = warp * 32;
  const int cnt0 = (att_warp && t < n_keys) ? min(32, n_keys - t) : 0;
  const int pre = max(0, min(cnt0, past - t));  // rows of the first chunk written by earlier passes
  stage_rows(t, 0, pre);
  detail::pdl_wait();
  detail::step_stamp(a.step_trace, 1);

  // The residual of this thread's outputs (the previous kernel wrote it), loaded beside q and stored
  // to shared memory right after it (its round trip overlaps q's).  The store needs the loaded value
  // and precedes this thread's atomics (barriers in between), so no load of x is still in flight when
  // a block completes an output and writes x there.
  T* x = static_cast<T*>(a.x) + static_cast<std::size_t>(b) * E + n0;
  float xo_r[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    xo_r[j] = r < nr ? to_f(__ldcg(x + r)) : 0.0f;
  }
  const T* q = static_cast<const T*>(a.qkv) + static_cast<long long>(b) * 3 * E + h * D;
  for (int d = tid; d < D; d += kApThreads) q_s[d] = to_f(q[d]) * a.scale;
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    if (r < nr) xo_s[r] = xo_r[j];
  }
  stage_rows(t, pre, cnt0);  // this pass's new key/value
  __syncthreads();
  if (att_warp) warp_attention<T, NCH>(q_s, ks, vs, kd, D, t, W * 32, n_keys, lane, stage_rows, &w_m[warp], &w_l[warp], w_acc[warp]);
  detail::cp_async_wait_all();  // the weight slice (and, for warps >= W, nothing else)
  __syncthreads();
  {
    float mx = -INFINITY;
    for (int w = 0; w < W; ++w) mx = fmaxf(mx, w_m[w]);
    float lsum = 0.0f;
    for (int w = 0; w < W; ++w)
      if (w_l[w] > 0.0f) lsum += w_l[w] * expf(w_m[w] - mx);
    const float inv = 1.0f / lsum;
    T* att = a.att_out != nullptr && p == 0 ? static_cast<T*>(a.att_out) + static_cast<long long>(b) * E + h * D : nullptr;
    for (int d = tid; d < D; d += kApThreads) {
      float o = 0.0f;
      for (int w = 0; w < W; ++w)
        if (w_l[w] > 0.0f) o += w_acc[w][d] * expf(w_m[w] - mx);
      const T ot = from_f<T>(o * inv);  // the chain stores att_ in dt and proj reads it back
      o_s[d] = to_f(ot);
      if constexpr (Q == 1) {
        oq_s[d] = static_cast<signed char>(detail::float_to_int8(o_s[d] * a.x_inv_scale));  // the chain's staging
      } else if constexpr (Q == 2) {
        o_s[d] = detail::fp8_code_to_float(detail::float_to_fp8_code(o_s[d] * a.x_inv_scale));
      }
      if (att != nullptr) att[d] = ot;
    }
  }
  __syncthreads();

  // ---- Partials of outputs n0 + r (r = tid, tid + 256, ..): d ascending, each added as fixed point +
  // count to its word (all of a thread's atomics in flight together); the block whose add completes
  // the word's count (every head's block has added) writes x and zeroes the word.
  unsigned long long* acc_b = static_cast<unsigned long long*>(a.scratch) + static_cast<std::size_t>(b) * E + n0;
  bool bad = false;
  float part[kPerThread];  // this thread's partials (their increments again below: fewer live registers)
  unsigned long long got[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    if (r >= nr) break;
    const unsigned char* row = ws + static_cast<std::size_t>(r) * RB;
    float s = 0.0f;
    if constexpr (Q == 1) {
      // Exact int32 dot product of the codes; added as p / 4 (|p| <= 127^2 x 128 < 2^21: exact in
      // fp32 and in the fixed-point word, and within its 2^19 range), so the completed word holds
      // the chain's int32 total / 4 exactly.
      int t = 0;
      for (int c = 0; c < D / 16; ++c) {
        const int4 wi = *reinterpret_cast<const int4*>(row + 16 * c);
        const int4 xv = *reinterpret_cast<const int4*>(oq_s + 16 * c);
        t = __dp4a(wi.x, xv.x, t);
        t = __dp4a(wi.y, xv.y, t);
        t = __dp4a(wi.z, xv.z, t);
        t = __dp4a(wi.w, xv.w, t);
      }
      s = static_cast<float>(t) * 0.25f;
    } else if constexpr (Q == 2) {
      for (int c = 0; c < D / 16; ++c) {
        float wf[16];
        detail::fp8x16_to_float(*reinterpret_cast<const uint4*>(row + 16 * c), wf);
#pragma unroll
        for (int i = 0; i < 16; ++i) s += wf[i] * o_s[c * 16 + i];
      }
      s *= dq[j];
    } else {
      for (int c = 0; c < D / VN; ++c) {
        float wf[VN];
        Vec16<T>::load(reinterpret_cast<const T*>(row + 16 * c), wf);
#pragma unroll
        for (int i = 0; i < VN; ++i) s += wf[i] * o_s[c * VN + i];
      }
    }
    part[j] = s;
    got[j] = atomicAdd(acc_b + r, static_cast<unsigned long long>(fixed_word_add(s, bad)));
  }
  if (bad && a.host_error != nullptr) {  // the report (this launch's x is not used: the engine throws)
    *reinterpret_cast<volatile int*>(a.host_error) = 1;
    __threadfence_system();
  }
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    if (r >= nr) break;
    bool unused = false;
    const unsigned long long w = got[j] + static_cast<unsigned long long>(fixed_word_add(part[j], unused));
    if (fixed_word_count(w) != static_cast<unsigned>(H)) continue;  // another head's block adds later
    // int8: the int32 total (exact: 4 x the word's value) times x_scale * w_scale, as the chain.
    const float v = Q == 1 ? (fixed_word_value(w) * 4.0f) * dq[j] : fixed_word_value(w);
    x[r] = from_f<T>(xo_s[r] + (v + b_s[r]));
    acc_b[r] = 0ull;  // every head has added: zero for the next launch
  }
  detail::step_stamp(a.step_trace, 2);
}

// ---- Cluster mode (AttnProjArgs::use_cluster): cluster (b, p) of C blocks; block k owns heads
// k, k + C, .. (at most kMaxSlots), their attentions side by side (head slot i = warps i WH ..
// i WH + WH - 1, the chain's arithmetic with WH warps: bit-identical o while the cache fits WH x 32
// keys), its partial of each slice output over its heads (head order) into its shared memory; after
// a cluster barrier block k sums the C partials in rank order for its share of the slice (DSMEM
// reads) and writes x; a second barrier keeps every block's shared memory alive until those reads
// are done.
constexpr int kMaxSlots = 8;

template <typename T, int NCH>
__global__ void __launch_bounds__(kApThreads) attn_proj_cluster_kernel(AttnProjArgs a) {
  using detail::from_f;
  using detail::to_f;
  using detail::Vec16;
  namespace cg = cooperative_groups;
  constexpr int es = sizeof(T), VN = 16 / es;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float q_s[kMaxSlots][NCH * 32];
  __shared__ float o_s[kMaxSlots][NCH * 32];
  __shared__ float w_m[kApThreads / 32], w_l[kApThreads / 32];
  __shared__ float w_acc[kApThreads / 32][NCH * 32];
  cg::cluster_group cluster = cg::this_cluster();
  const int H = a.n_head, D = a.head_dim, E = H * D, P = a.slices, R = a.slice_rows;
  const int C = a.cluster, NH = a.heads_per_block, WH = a.att_warps;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  detail::step_stamp(a.step_trace, 0);
  const int k = static_cast<int>(cluster.block_rank());
  const int cid = blockIdx.x / C, p = cid % P, b = cid / P;
  const int nh = (H - k + C - 1) / C;  // heads of this block: k + C i, i < nh (<= NH)
  const int n0 = p * R, nr = min(R, E - n0);
  const int RB = wrow_bytes(NH * D, es);
  unsigned char* ws = smem_raw;  // [R][NH * D] proj_w columns of this block's heads
  float* part = reinterpret_cast<float*>(smem_raw + w_bytes(R, NH * D, es));  // [R] fp32 partials
  T* stage = reinterpret_cast<T*>(reinterpret_cast<unsigned char*>(part) + ((static_cast<std::size_t>(R) * 4 + 15) & ~std::size_t{15}));
  // This block's share of the slice for the final sum: outputs k Rc .. k Rc + Rc - 1 (thread tid).
  const int Rc = (nr + C - 1) / C;
  const int r_fin = k * Rc + tid;
  const bool fin = tid < Rc && r_fin < nr;

  detail::pdl_trigger();
  {
    const int cpr = D * es / 16;
    for (int i = tid; i < nh * nr * cpr; i += kApThreads) {
      const int hi = i / (nr * cpr), rem = i - hi * nr * cpr, r = rem / cpr, c = rem - r * cpr;
      const unsigned char* src = static_cast<const unsigned char*>(a.proj_w) +
                                 (static_cast<std::size_t>(n0 + r) * E + static_cast<std::size_t>(k + C * hi) * D) * es + 16 * c;
      detail::cp_async16(ws + static_cast<std::size_t>(r) * RB + static_cast<std::size_t>(hi) * D * es + 16 * c, src);
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  }
  const T* pb = static_cast<const T*>(a.proj_b);
  const float bias = (pb != nullptr && fin) ? to_f(pb[n0 + r_fin]) : 0.0f;

  // ---- Attention of (b, head k + C slot): warps slot WH .. slot WH + WH - 1.
  const int past = *a.past_len;
  const int n_keys = past + 1;
  const int slot = warp / WH, wi = warp - slot * WH;
  const bool att_warp = slot < nh;
  const int h = k + C * (att_warp ? slot : 0);
  const long long head_base = (static_cast<long long>(b) * H + h) * a.max_t * D;
  const T* kb = static_cast<const T*>(a.k_cache) + head_base;
  const T* vb = static_cast<const T*>(a.v_cache) + head_base;
  const int kd = key_stride(D, es);
  T* ks = stage + static_cast<std::size_t>(att_warp ? warp : 0) * 32 * (kd + D);
  T* vs = ks + 32 * kd;
  auto stage_rows = [&](int t, int r0, int r1) { stage_kv_rows(ks, vs, kd, kb, vb, D, t, r0, r1, lane); };
  int t = wi * 32;
  const int cnt0 = (att_warp && t < n_keys) ? min(32, n_keys - t) : 0;
  const int pre = max(0, min(cnt0, past - t));
  stage_rows(t, 0, pre);
  detail::pdl_wait();
  detail::step_stamp(a.step_trace, 1);

  // The residual this block finalizes, loaded now (the previous kernels wrote it).
  const float x_old = fin ? to_f(__ldcg(static_cast<const T*>(a.x) + static_cast<std::size_t>(b) * E + n0 + r_fin)) : 0.0f;
  for (int i = tid; i < nh * D; i += kApThreads) {
    const int hi = i / D, d = i - hi * D;
    q_s[hi][d] = to_f(static_cast<const T*>(a.qkv)[static_cast<long long>(b) * 3 * E + (k + C * hi) * D + d]) * a.scale;
  }
  stage_rows(t, pre, cnt0);
  __syncthreads();
  if (att_warp) warp_attention<T, NCH>(q_s[slot], ks, vs, kd, D, t, WH * 32, n_keys, lane, stage_rows, &w_m[warp], &w_l[warp], w_acc[warp]);
  detail::cp_async_wait_all();  // the weight slices
  __syncthreads();
  for (int i = tid; i < nh * D; i += kApThreads) {
    const int hi = i / D, d = i - hi * D, w0 = hi * WH;
    float mx = -INFINITY;
    for (int w = w0; w < w0 + WH; ++w) mx = fmaxf(mx, w_m[w]);
    float lsum = 0.0f;
    for (int w = w0; w < w0 + WH; ++w)
      if (w_l[w] > 0.0f) lsum += w_l[w] * expf(w_m[w] - mx);
    float o = 0.0f;
    for (int w = w0; w < w0 + WH; ++w)
      if (w_l[w] > 0.0f) o += w_acc[w][d] * expf(w_m[w] - mx);
    const T ot = from_f<T>(o * (1.0f / lsum));  // the chain stores att_ in dt
    o_s[hi][d] = to_f(ot);
    if (a.att_out != nullptr && p == 0) static_cast<T*>(a.att_out)[static_cast<long long>(b) * E + (k + C * hi) * D + d] = ot;
  }
  __syncthreads();

  // ---- This block's partials (heads in order, d ascending), then the cluster's sum in rank order.
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int r = tid + kApThreads * j;
    if (r >= nr) break;
    const unsigned char* row = ws + static_cast<std::size_t>(r) * RB;
    float s = 0.0f;
    for (int hi = 0; hi < nh; ++hi) {
      float sh = 0.0f;
      for (int c = 0; c < D / VN; ++c) {
        float wf[VN];
        Vec16<T>::load(reinterpret_cast<const T*>(row + static_cast<std::size_t>(hi) * D * es + 16 * c), wf);
#pragma unroll
        for (int i = 0; i < VN; ++i) sh += wf[i] * o_s[hi][c * VN + i];
      }
      s += sh;
    }
    part[r] = s;
  }
  cluster.sync();  // every block's partials written (release / acquire at cluster scope)
  if (fin) {
    float s = 0.0f;
    for (int kk = 0; kk < C; ++kk) s += *cluster.map_shared_rank(part + r_fin, kk);
    static_cast<T*>(a.x)[static_cast<std::size_t>(b) * E + n0 + r_fin] = from_f<T>(x_old + (s + bias));
  }
  cluster.sync();  // no block leaves while another still reads its partials
  detail::step_stamp(a.step_trace, 2);
}

template <typename T, bool CL>
const void* kernel_for(int nch) {
  auto pick = [](auto k1, auto k2, auto k3, auto k4, int n) {
    return n == 1 ? reinterpret_cast<const void*>(k1) : n == 2 ? reinterpret_cast<const void*>(k2)
         : n == 3 ? reinterpret_cast<const void*>(k3) : reinterpret_cast<const void*>(k4);
  };
  if constexpr (CL)
    return pick(attn_proj_cluster_kernel<T, 1>, attn_proj_cluster_kernel<T, 2>, attn_proj_cluster_kernel<T, 3>,
                attn_proj_cluster_kernel<T, 4>, nch);
  else
    return pick(attn_proj_kernel<T, 1>, attn_proj_kernel<T, 2>, attn_proj_kernel<T, 3>, attn_proj_kernel<T, 4>, nch);
}
template <int Q>
const void* kernel_for_q(int nch) {
  return nch == 1 ? reinterpret_cast<const void*>(attn_proj_kernel<__half, 1, Q>)
       : nch == 2 ? reinterpret_cast<const void*>(attn_proj_kernel<__half, 2, Q>)
       : nch == 3 ? reinterpret_cast<const void*>(attn_proj_kernel<__half, 3, Q>)
                  : reinterpret_cast<const void*>(attn_proj_kernel<__half, 4, Q>);
}
const void* kernel_for(Dt dt, bool cl, int nch, WQuant wq = WQuant::kNone) {
  if (wq == WQuant::kInt8) return kernel_for_q<1>(nch);
  if (wq == WQuant::kFp8) return kernel_for_q<2>(nch);
  switch (dt) {
    case Dt::kF32: return cl ? kernel_for<float, true>(nch) : kernel_for<float, false>(nch);
    case Dt::kF16: return cl ? kernel_for<__half, true>(nch) : kernel_for<__half, false>(nch);
    case Dt::kBF16: return cl ? kernel_for<__nv_bfloat16, true>(nch) : kernel_for<__nv_bfloat16, false>(nch);
  }
  return nullptr;
}

template <typename T, int NCH, int Q = 0>
cudaError_t launch_t(const AttnProjArgs& a, cudaStream_t st) {
  const bool cl = a.use_cluster;
  void (*kernel)(AttnProjArgs) = Q != 0 ? attn_proj_kernel<T, NCH, Q> : (cl ? attn_proj_cluster_kernel<T, NCH> : attn_proj_kernel<T, NCH>);
  // The dynamic shared-memory limit, set at every launch (attn_proj_plan sets it while it tries
  // slice counts, so a remembered value could be stale; host-side only, once per graph capture).
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(a.smem_bytes));
  if (e == cudaSuccess) e = detail::apply_carveout(reinterpret_cast<const void*>(kernel));
  if (e == cudaSuccess) {
    cudaLaunchAttribute attr[2];
    const cudaLaunchConfig_t cfg =
        detail::cluster_launch_config(static_cast<unsigned>(a.blocks), kApThreads, a.smem_bytes, st, cl ? a.cluster : 0, attr);
    AttnProjArgs b = a;
    b.step_trace = step_trace_take("attn_proj", a.blocks);
    e = cudaLaunchKernelEx(&cfg, kernel, b);
  }
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "attn_proj%s<es=%d,NCH=%d,Q=%d> blocks=%d cluster=%d smem=%zu H=%d D=%d: %s",
                  cl ? "_cluster" : "", static_cast<int>(sizeof(T)), NCH, Q, a.blocks, a.cluster, a.smem_bytes, a.n_head,
                  a.head_dim, cudaGetErrorName(e));
  return e;
}

template <typename T, int Q = 0>
cudaError_t launch_nch(const AttnProjArgs& a, cudaStream_t st) {
  switch ((a.head_dim + 31) / 32) {
    case 1: return launch_t<T, 1, Q>(a, st);
    case 2: return launch_t<T, 2, Q>(a, st);
    case 3: return launch_t<T, 3, Q>(a, st);
    default: return launch_t<T, 4, Q>(a, st);
  }
}

}  // namespace

std::size_t attn_proj_scratch_bytes(int n_embd) {
  return static_cast<std::size_t>(kGemvMaxRows) * n_embd * 8;  // one fixed_word.h word per (row, output)
}

cudaError_t attn_proj_plan(AttnProjArgs& a) {
  const int want = a.slices, want_warps = a.att_warps;
  const bool cl = a.use_cluster;
  a.slices = a.slice_rows = a.blocks = a.att_warps = a.cluster = 0;
  a.heads_per_block = 1;
  a.smem_bytes = 0;
  const int es = static_cast<int>(dt_size(a.dt));
  const bool quant = a.wq != WQuant::kNone;
  const int esw = quant ? 1 : es;  // bytes per proj weight
  const int H = a.n_head, D = a.head_dim, E = H * D;
  auto no = [&](const char* why) {
    std::snprintf(g_detail, sizeof g_detail, "attn_proj%s: %s (H=%d D=%d rows=%d %s%s%s)", cl ? "(cluster)" : "", why, H, D,
                  a.rows, dt_name(a.dt), quant ? " weights " : "", quant ? wquant_name(a.wq) : "");
    return cudaErrorNotSupported;
  };
  if (a.rows < 1 || a.rows > kGemvMaxRows) return no("rows outside 1..4");
  if (quant && (a.dt != Dt::kF16 || cl || D % 16 != 0))
    return no("quantized proj weights: fp16 activations, the atomic sum and head_dim a multiple of 16 only");
  if (D < 1 || D > kMaxHeadDim || (D * es) % 16 != 0) return no("head_dim x dt_size must be a multiple of 16 bytes, head_dim <= 128");
  if (H < 1 || H > (cl ? 8 * kMaxSlots : kFixedWordMaxAdds)) return no(cl ? "n_head outside 1..64" : "n_head outside 1..255");
  cudaError_t e = detail::device_limits();
  if (e != cudaSuccess) return e;
  const void* kernel = kernel_for(a.dt, cl, (D + 31) / 32, a.wq);
  cudaFuncAttributes fa{};
  e = cudaFuncGetAttributes(&fa, kernel);
  if (e != cudaSuccess) return e;
  // The chain's warps (and key/value staging cap) per head, or fewer when asked (less shared memory).
  const int W = want_warps > 0 ? std::min(want_warps, att_warps_for(D, es)) : att_warps_for(D, es);
  // Cluster mode: C blocks per (row, slice), NH heads per block side by side, WH warps each.
  const int C = cl ? (H < 8 ? H : 8) : 1;
  const int NH = cl ? (H + C - 1) / C : 1;
  const int WH = cl ? std::max(1, std::min(kApThreads / 32 / NH, W / NH)) : W;
  const std::size_t att_bytes = static_cast<std::size_t>(NH) * WH * att_per_warp_bytes(D, es);
  const int sms = detail::g_sm_count, per_slice = a.rows * (cl ? C : H);
  // Candidates P = 1 .. kMaxSlices: slices of ceil(E / P) outputs (a P whose last slice would be
  // empty gives the same slices as a smaller one and is skipped).
  struct Cand { int P = 0; std::size_t smem = 0; long long waves = 0; };
  Cand one_per_sm, fewest_waves, forced, short_slices, one_row;
  for (int P = 1; P <= kMaxSlices; ++P) {
    const int R = (E + P - 1) / P;
    if ((P - 1) * R >= E) continue;
    if (R > kApThreads * kPerThread || (cl && (R + C - 1) / C > kApThreads)) continue;
    const std::size_t smem =
        cl ? w_bytes(R, NH * D, es) + ((static_cast<std::size_t>(R) * 4 + 15) & ~std::size_t{15}) + att_bytes
           : w_bytes(R, D, esw) + xo_bytes(R) + att_bytes;
    if (smem + fa.sharedSizeBytes > static_cast<std::size_t>(detail::g_smem_optin)) continue;
    if (want > 0) {
      if (P <= want) forced = {P, smem, 0};  // the forced count, or the largest valid one below it
      continue;
    }
    const long long blocks = static_cast<long long>(per_slice) * P;
    if (blocks <= sms) one_per_sm = {P, smem, 1};  // the most slices with one block per SM
    if (one_row.P == 0 && R <= 128 && blocks <= sms) one_row = {P, smem, 1};  // the fewest of <= 128 outputs
    // Resident blocks per SM at this shared memory (needs the limit raised first).
    e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
    if (e != cudaSuccess) return e;
    int occ = 0;
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, kernel, kApThreads, smem);
    if (e != cudaSuccess) return e;
    if (occ <= 0) continue;
    const long long waves = (blocks + static_cast<long long>(occ) * sms - 1) / (static_cast<long long>(occ) * sms);
    if (fewest_waves.P == 0 || waves < fewest_waves.waves) fewest_waves = {P, smem, waves};
    if (short_slices.P == 0 && R <= 256 && waves == 1) short_slices = {P, smem, 1};  // the fewest with <= 256 outputs
  }
  // Rule (docs/perf-cuda.md "Session 9: attention + proj fusion"): the most slices with one block
  // per SM, or more where a slice would still have > 256 outputs and 256-output slices fit one wave
  // (calls 1-2: gpt2 B=4 2 slices of 384 -2.4%, 3 of 256 -4.2%, 4 of 192 -4.2%; gpt2-medium B=3 2
  // of 512 -1.1%, 4 of 256 -4.8%); where rows x heads > SMs the fewest waves of resident blocks.
  // At one row (atomic sum): the fewest slices of <= 128 outputs with one block per SM (session 10
  // call 2, gpt2 fp16 / bf16 beside the fused MLP: 6 slices of 128 (72 blocks) -5.5 / -6.4% against
  // the chain, 11 of 70 (132 blocks, every SM) +12 / +13%).
  Cand pick = want > 0 ? forced : (one_per_sm.P > 0 ? one_per_sm : fewest_waves);
  if (want <= 0 && one_per_sm.P > 0 && short_slices.P > one_per_sm.P) pick = short_slices;
  if (want <= 0 && !cl && a.rows == 1 && one_row.P > 0) pick = one_row;
  if (pick.P == 0)
    return no(want > 0 ? "the forced slice count does not fit one block's shared memory"
                       : "no slice count fits one block's shared memory");
  a.slices = pick.P;
  a.slice_rows = (E + pick.P - 1) / pick.P;
  a.blocks = per_slice * pick.P;
  a.att_warps = WH;
  a.cluster = cl ? C : 0;
  a.heads_per_block = NH;
  a.smem_bytes = pick.smem;
  return cudaSuccess;
}

cudaError_t launch_attn_proj(const AttnProjArgs& a, cudaStream_t st) {
  if (a.blocks <= 0 || a.slices <= 0 || a.slices > kMaxSlices || a.slice_rows <= 0 || a.att_warps <= 0 ||
      a.x == nullptr || a.qkv == nullptr || a.k_cache == nullptr || a.v_cache == nullptr || a.past_len == nullptr ||
      a.proj_w == nullptr || (a.use_cluster ? a.cluster <= 0 : a.scratch == nullptr) ||
      (a.wq != WQuant::kNone && (a.w_scale == nullptr || a.dt != Dt::kF16 || a.use_cluster))) {
    std::snprintf(g_detail, sizeof g_detail, "attn_proj: arguments not planned or incomplete");
    return cudaErrorInvalidValue;
  }
  if (a.wq == WQuant::kInt8) return launch_nch<__half, 1>(a, st);
  if (a.wq == WQuant::kFp8) return launch_nch<__half, 2>(a, st);
  switch (a.dt) {
    case Dt::kF32: return launch_nch<float>(a, st);
    case Dt::kF16: return launch_nch<__half>(a, st);
    case Dt::kBF16: return launch_nch<__nv_bfloat16>(a, st);
  }
  return cudaErrorInvalidValue;
}

}  // namespace sb::engine::cudak
