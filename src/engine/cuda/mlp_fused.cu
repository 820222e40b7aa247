// engine/cuda/mlp_fused.cu — the fused MLP of the GEMV decode path (launch_mlp_fused, kernels.h):
// LayerNorm 2 + c_fc + gelu_new + mlp c_proj + residual in ONE kernel, one dependent kernel fewer
// per layer than the chain's c_fc (kGelu) and mlp c_proj (kResidual) GEMVs.
// Why this shape (docs/perf-cuda.md "Session 9: fused MLP"): a gpt2 decode step is ~62 dependent
// kernels whose cost is each one's latency after griddepcontrol.wait, not the weight bytes.  Here
// every block owns a slice of the hidden units, so the hidden activations never leave the block:
//  - before the wait, the block copies its c_fc rows and the matching fc2 columns (E rows of
//    slice_rows elements, read in place from fc2_w's [E, I] layout: a 48-byte segment per row for
//    gpt2) into shared memory with cp.async, overlapping the previous kernels;
//  - after the wait: the x rows, LayerNorm 2 exactly as the GEMV prologue computes it (threads 0..127
//    in its partition), the c_fc rows one warp each in the GEMV's lane order (so h is bit-identical
//    to the chain's), then each thread's fc2 partials over the slice for n_embd / 256 outputs;
//  - the cross-block sum is fixed point (2^-28 units) added with 64-bit integer atomics: exact, so
//    the result does not depend on which block adds first (deterministic, unlike float atomics).
//    Each word also counts its contributions in its top 8 bits (every block adds 2^56 + q), so the
//    block whose atomicAdd completes an element's count knows the final sum from the value it got
//    back: it writes that x element and zeroes the word for the next launch.  No grid-wide
//    counter, fence or last-block pass: one atomic round trip after the partials (call 1 of
//    session 9 measured the counter + last-block version: docs/perf-cuda.md).
// Measured (H200, session 9 calls 2-3, decode ms/step against the chain in one process): gpt2
// fp16 / bf16 at batch 1 -9% / -12%, bf16 at 3-4 rows -4%, fp32 at 2-4 rows -3..-12%; slower where
// the chain is strong or the slices are large (fp16 at 2-4 rows +4%, gpt2-medium +14-17% at batch
// 1).  The engine takes it by a shape rule (cuda_engine.cc mlp_rule_says_no).
// Session 11 (docs/perf-cuda.md "Session 11: the fused MLP's post-wait chain"): a per-phase
// %globaltimer trace (set_mlp_fused_trace, sb_cuda_bench --trace-mlp) and three A/B modes, all
// bit-identical to the plain kernel: warp-local LayerNorm + interleaved c_fc units (MODE bit 0),
// fc2 partials by 8-unit chunks of h (MODE bit 1; default at bf16 4 rows, -3%), and a cluster
// pre-reduction of the partials through DSMEM (a.cluster, runtime).  At one row the block must stay
// at <= 64 registers: it waits beside the neighbouring kernels' early blocks, which fill the rest of
// the register file (69-96 registers cost ~2 us per layer in the attention half).
#include "engine/cuda/device_common.cuh"
#include "engine/cuda/fixed_word.h"

#include <cooperative_groups.h>

#include <cstdio>
#include <type_traits>

namespace sb::engine::cudak {
namespace {
using detail::g_detail;

constexpr int kMlpThreads = 256;
constexpr int kMlpWarps = kMlpThreads / 32;
// The GEMV prologue's block (gemv.cu kThreads): LayerNorm statistics use its thread partition so the
// normalized rows, and with them h, match the chain bit for bit.
constexpr int kLnThreads = 128;
// Fixed point (fixed_word.h): partial p -> q = llrint(p * 2^28) in words of count + sum.
// Per-thread registers for the LayerNorm parameters and the fc2 bias, loaded before the wait
// (element k = tid + 256 j): n_embd <= 256 * kPerThread.
constexpr int kPerThread = 8;

// Byte stride of a row of the fc2 tile in shared memory: slice_rows elements rounded up to 16
// bytes, plus 16 when that is an even number of 16-byte units, so the 8 threads of a quarter warp
// (rows n .. n + 7, one 16-byte load each) hit 8 different 4-bank groups.
__host__ __device__ constexpr int w2_row_bytes(int slice_rows, int es) {
  const int b = (slice_rows * es + 15) / 16 * 16;
  return (b / 16) % 2 == 0 ? b + 16 : b;
}
// Warp-LayerNorm path (MlpFusedArgs::want_warp_ln, session 11): rows and 16-byte vectors of a
// normalized row per lane (n_embd x dt_size <= 32 x kLaneVecs x 16 bytes: gpt2 in fp16/bf16) it
// takes; a lane's LayerNorm statistics elements (4 prologue threads x kStatsPer).
constexpr int kWarpLnMaxRows = 2;
constexpr int kLaneVecs = 3;
// c_fc hidden units a warp computes together (interleaved dot products and butterflies).
constexpr int kUnitGroup = 4;
constexpr int kMaxCluster = 8;
// Words a thread completes with a cluster (its block's share of rows x n_embd <= 256 x this).
constexpr int kClusterPerThread = 2;

struct MlpSmem {
  std::size_t w1, w2, raw, xs, hs, b1, gs, bs, total;
};
// wln: the warp-LayerNorm path (no xs; gamma / beta staged as fp32).  cluster > 1: the fc2 partials'
// increments ([M][E] u64) reuse the c_fc rows' space once c_fc is done, which grows to hold them.
// fold (session 12, MODE bit 2): no normalized rows (xs) either, and gs holds the slice's R fold g values.
__host__ __device__ inline MlpSmem mlp_smem(int R, int E, int M, int es, bool wln = false, int cluster = 0,
                                            bool fold = false) {
  MlpSmem s{};
  s.w1 = 0;
  std::size_t w1b = static_cast<std::size_t>(R) * E * es;
  if (cluster > 1 && static_cast<std::size_t>(M) * E * 8 > w1b) w1b = static_cast<std::size_t>(M) * E * 8;
  s.w2 = s.w1 + ((w1b + 15) & ~std::size_t{15});
  s.raw = s.w2 + static_cast<std::size_t>(E) * w2_row_bytes(R, es);
  s.xs = s.raw + ((static_cast<std::size_t>(M) * E * es + 15) & ~std::size_t{15});
  s.hs = s.xs + ((wln || fold) ? 0 : ((static_cast<std::size_t>(M) * E * es + 15) & ~std::size_t{15}));
  s.b1 = s.hs + static_cast<std::size_t>(R) * 16;  // h as float4 per hidden unit (rows m = .x .. .w)
  // gamma / beta of every lane's c_fc elements, lane-interleaved ([i][e][lane]: conflict-free).
  const std::size_t lane_params = static_cast<std::size_t>(kLaneVecs) * (16 / es) * 32 * 4;
  s.gs = s.b1 + ((static_cast<std::size_t>(R) * 4 + 15) & ~std::size_t{15});
  s.bs = s.gs + (wln ? lane_params : (fold ? ((static_cast<std::size_t>(R) * 4 + 15) & ~std::size_t{15}) : 0));
  s.total = s.bs + (wln ? lane_params : 0);
  return s;
}

__device__ __forceinline__ void stamp(const MlpFusedArgs& a, int i) {
  if (a.trace != nullptr && threadIdx.x == 0) {
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    a.trace[blockIdx.x * kMlpStamps + i] = t;
  }
  // The step timeline's entry / past the wait / end (kernels.h set_step_trace).
  if (i == 0 || i == 1 || i == 8) detail::step_stamp(a.step_trace, i == 8 ? 2 : i);
}

// MODE bit 0: the warp-LayerNorm path (a.warp_ln); bit 1: the chunked fc2 partials (a.fc2_chunks).
// Compile-time, so the plain kernel (MODE 0) is main's code and register count.
// Register cap of the session-11 modes: kMlpRegBlocks blocks of 256 threads per SM's 64K registers
// = 64 per thread, the plain kernel's allocation (62 -> 64).  Call 2 measured why it matters: the
// MLP's blocks wait (resident, griddepcontrol.wait) beside the QKV GEMV's (4-5 x 128 threads x 64)
// and attn_proj's (256 x 64) blocks, which fill an SM's registers exactly with a 64-register MLP
// block; at 69 or 96 registers the attention half of each layer took ~2 us longer.  One row only
// (more rows spill under the cap; the plain kernel is above 64 there already).
constexpr int kMlpRegBlocks = 4;
// MODE bit 2 (session 12): LayerNorm 2 folded into c_fc (MlpFusedArgs::ln_fold): the statistics
// summed while the x rows are staged, c_fc on the raw rows, rstd (acc - mean g) + c before gelu.
// Without bit 0; no register cap (it drops the gamma / beta registers the plain kernel holds).
template <typename T, int M, int MODE>
__global__ void __launch_bounds__(kMlpThreads, ((MODE & 3) == 0 || M > 1) ? 1 : kMlpRegBlocks) mlp_fused_kernel(MlpFusedArgs a) {
  constexpr bool WLN = (MODE & 1) != 0;
  constexpr bool hchunk = (MODE & 2) != 0;
  constexpr bool FOLD = (MODE & 4) != 0;
  static_assert(!(WLN && FOLD), "the folded LayerNorm has no warp-LayerNorm variant");
  using detail::to_f;
  using detail::from_f;
  using detail::Vec16;
  using detail::kFull;
  namespace cg = cooperative_groups;
  constexpr int es = sizeof(T), VN = 16 / es;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float red[kMlpWarps][M];
  __shared__ float fold_red[FOLD ? 2 * kMlpWarps : 1][M];  // per-warp sums of x and x^2 (FOLD)
  const int E = a.n_embd, I = a.n_inner, R = a.slice_rows;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int k0 = blockIdx.x * R, nr = min(R, I - k0);  // this block's hidden units k0 .. k0 + nr
  const int C = a.cluster > 1 ? a.cluster : 1;       // blocks whose partials meet in shared memory first
  const MlpSmem L = mlp_smem(R, E, M, es, WLN, C, FOLD);
  T* w1s = reinterpret_cast<T*>(smem_raw + L.w1);
  unsigned char* w2s = smem_raw + L.w2;
  T* raw = reinterpret_cast<T*>(smem_raw + L.raw);
  T* xs = reinterpret_cast<T*>(smem_raw + L.xs);
  // h of the slice: [R][4] (h[m] of hidden unit k0 + r at 4 r + m), or with a.fc2_chunks [M][R]
  // (at m R + r: a chunk of VN units of one row is VN / 4 float4 loads).
  float* hs = reinterpret_cast<float*>(smem_raw + L.hs);
  float* b1s = reinterpret_cast<float*>(smem_raw + L.b1);  // c_fc bias of the slice
  const int RB = w2_row_bytes(R, es);
  // Outputs this thread completes: without a cluster n = tid + 256 j of every row; with one, the
  // block's share e0 .. e1 of the [M][E] words (element e = e0 + tid + 256 j).
  int e0 = 0, e1 = E;
  if (C > 1) {
    const int chunk = (M * E + C - 1) / C;
    e0 = static_cast<int>(cg::this_cluster().block_rank()) * chunk;
    e1 = min(M * E, e0 + chunk);
  }

  stamp(a, 0);
  detail::pdl_trigger();
  // ---- Before the wait: both weight slices into shared memory (nothing a previous kernel writes).
  {
    const unsigned char* w1g = static_cast<const unsigned char*>(a.fc_w) + static_cast<std::size_t>(k0) * E * es;
    const int n1 = nr * E * es / 16;
    for (int i = tid; i < n1; i += kMlpThreads) detail::cp_async16(smem_raw + L.w1 + 16 * i, w1g + 16 * i);
    asm volatile("cp.async.commit_group;" ::: "memory");  // group 1: c_fc rows (needed first)
    // fc2 columns k0 .. k0 + R of every row n; chunks past nr (the last block's short slice) are
    // zero, so the partial loops below may run over whole vectors.
    const int cr = R * es / 16, cv = nr * es / 16;
    const unsigned char* w2g = static_cast<const unsigned char*>(a.fc2_w) + static_cast<std::size_t>(k0) * es;
    for (int i = tid; i < E * cr; i += kMlpThreads) {
      const int n = i / cr, c = i - n * cr;
      unsigned char* dst = w2s + static_cast<std::size_t>(n) * RB + 16 * c;
      if (c < cv) detail::cp_async16(dst, w2g + static_cast<std::size_t>(n) * I * es + 16 * c);
      else *reinterpret_cast<uint4*>(dst) = make_uint4(0u, 0u, 0u, 0u);
    }
    asm volatile("cp.async.commit_group;" ::: "memory");  // group 2: fc2 columns (after c_fc)
  }
  const T* fcb = static_cast<const T*>(a.fc_b);
  const T* fc2b = static_cast<const T*>(a.fc2_b);
  if (tid < nr) b1s[tid] = (fcb != nullptr ? to_f(fcb[k0 + tid]) : 0.0f) + (FOLD ? a.ln_fold[I + k0 + tid] : 0.0f);
  float* g1s = reinterpret_cast<float*>(smem_raw + L.gs);  // FOLD: g of the slice's c_fc rows
  if constexpr (FOLD) {
    if (tid < nr) g1s[tid] = a.ln_fold[k0 + tid];
  }
  float g_r[kPerThread], be_r[kPerThread], b2_r[kPerThread];  // g/be: element tid + 256 j; b2: output j
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int k = tid + kMlpThreads * j;
    if constexpr (!WLN && !FOLD) {
      g_r[j] = k < E ? __ldg(a.ln_gamma + k) : 0.0f;
      be_r[j] = k < E ? __ldg(a.ln_beta + k) : 0.0f;
    }
    const int e = e0 + k;
    const int n = C > 1 ? e % E : k;
    b2_r[j] = ((C > 1 ? e < e1 : k < E) && fc2b != nullptr) ? to_f(fc2b[n]) : 0.0f;
  }
  if constexpr (WLN) {  // LN parameters for every warp's own normalization (visible after barrier A):
    // entry (i VN + e) 32 + l holds element (l + 32 i) VN + e, so lane l's loads are conflict-free.
    float* gs = reinterpret_cast<float*>(smem_raw + L.gs);
    float* bs = reinterpret_cast<float*>(smem_raw + L.bs);
    for (int idx = tid; idx < kLaneVecs * VN * 32; idx += kMlpThreads) {
      const int l = idx & 31, ie = idx >> 5, i = ie / VN, e = ie - i * VN;
      const int k = (l + 32 * i) * VN + e;
      gs[idx] = k < E ? __ldg(a.ln_gamma + k) : 0.0f;
      bs[idx] = k < E ? __ldg(a.ln_beta + k) : 0.0f;
    }
  }
  detail::pdl_wait();
  stamp(a, 1);

  // ---- After the wait: the x rows (16-byte loads through L2: the previous kernel wrote them).
  // All of a thread's loads in flight together (<= M * 2048 / 4 / 256 = 8 vectors each).
  T* x = static_cast<T*>(a.x);
  {
    constexpr int kXVecs = M * kMlpThreads * kPerThread / 4 / kMlpThreads;
    const int nx = M * E / VN;
    uint4 t[kXVecs];
#pragma unroll
    for (int j = 0; j < kXVecs; ++j) {
      const int i = tid + kMlpThreads * j;
      if (i < nx) t[j] = __ldcg(reinterpret_cast<const uint4*>(x) + i);
    }
    float s1[M], s2[M];  // FOLD: this thread's sums of x and x^2 per row
#pragma unroll
    for (int m = 0; m < M; ++m) s1[m] = s2[m] = 0.0f;
#pragma unroll
    for (int j = 0; j < kXVecs; ++j) {
      const int i = tid + kMlpThreads * j;
      if (i < nx) {
        reinterpret_cast<uint4*>(raw)[i] = t[j];
        if constexpr (FOLD) detail::fold_stats_add<T, M>(t[j], i / (E / VN), s1, s2);
      }
    }
    if constexpr (FOLD) detail::fold_stats_publish<kMlpWarps, M>(s1, s2, fold_red, warp, lane);
  }
  if constexpr (WLN || FOLD) asm volatile("cp.async.wait_group 1;" ::: "memory");  // this thread's c_fc rows (group 1)
  __syncthreads();  // barrier A
  stamp(a, 2);
  const int KV = E / VN;
  if constexpr (!WLN) {
    // FOLD: mean and 1 / std of each row from the warps' sums (warp order; E[x^2] - mean^2 clamped
    // at 0); else LayerNorm 2 in gemv.cu's prologue order (device_common.cuh).
    float f_mean[M], f_rstd[M];
    if constexpr (FOLD) {
      detail::fold_stats_finish<kMlpWarps, M>(fold_red, E, a.ln_eps, f_mean, f_rstd);
    } else {
      detail::layernorm_rows_shared<kMlpWarps, kMlpThreads, kLnThreads, kPerThread, T, M>(raw, xs, E, a.ln_eps, g_r, be_r, red, tid);
      asm volatile("cp.async.wait_group 1;" ::: "memory");  // this thread's c_fc rows (group 1)
      __syncthreads();
    }
    stamp(a, 3);
    const T* xin = FOLD ? raw : xs;

    // ---- c_fc + gelu_new: one warp per hidden unit, the GEMV's order (lane v, v + 32, ..; within a
    // vector element by element; then the xor butterfly), h rounded to dt as the chain stores it.
    for (int r = warp; r < R; r += kMlpWarps) {
      if (r >= nr) {
        if (lane < (hchunk ? M : 4)) hs[hchunk ? lane * R + r : 4 * r + lane] = 0.0f;
        continue;
      }
      float acc[M];
#pragma unroll
      for (int m = 0; m < M; ++m) acc[m] = 0.0f;
      for (int v = lane; v < KV; v += 32)
        detail::dot16_rows<T, M>(reinterpret_cast<const uint4*>(w1s + static_cast<std::size_t>(r) * E)[v], xin, E, v, acc);
      const float bias = b1s[r];
      const float fg = FOLD ? g1s[r] : 0.0f;
#pragma unroll
      for (int m = 0; m < M; ++m) {
        float tot = detail::warp_sum(acc[m]);
        if constexpr (FOLD) tot = f_rstd[m] * (tot - f_mean[m] * fg);
        if (lane == m) {
          const T h = from_f<T>(detail::gelu_new(tot + bias));
          hs[hchunk ? m * R + r : 4 * r + m] = to_f(h);
          if (a.h_out != nullptr) static_cast<T*>(a.h_out)[static_cast<std::size_t>(m) * I + k0 + r] = h;
        }
      }
    }
  } else {
    // LayerNorm 2 statistics by every warp for itself, with no block barrier: lane l plays threads
    // l, l + 32, l + 64, l + 96 of gemv.cu's prologue partition (sums over k = t + 128 j in that
    // order), the four warp butterflies interleaved, then the block sum in warp order (warps 4..7 of
    // the prologue add zeros): the same float operations in the same order as
    // layernorm_rows_shared, so mean, rstd and every normalized element are bit-identical.
    constexpr int kLnW = kLnThreads / 32;
    constexpr int kStatsPer = kLaneVecs * VN * 32 / kLnThreads;  // elements per prologue thread (E <= 32 kLaneVecs VN)
    static_assert(kLnW <= kMlpWarps, "LN partition wider than the block");
    float mean[M], rstd[M];
    {
      // Lane l's elements of prologue threads t = 32 w + l: k = t + 128 j (one 2-byte load each,
      // consecutive across the warp), kept for the second pass.
      float xr[M][kLnW][kStatsPer];
      float s[M][kLnW];
#pragma unroll
      for (int m = 0; m < M; ++m)
#pragma unroll
        for (int w = 0; w < kLnW; ++w) {
#pragma unroll
          for (int j = 0; j < kStatsPer; ++j) {
            const int k = 32 * w + lane + kLnThreads * j;
            xr[m][w][j] = k < E ? to_f(raw[m * E + k]) : 0.0f;
          }
          s[m][w] = 0.0f;
#pragma unroll
          for (int j = 0; j < kStatsPer; ++j)
            if (32 * w + lane + kLnThreads * j < E) s[m][w] += xr[m][w][j];
        }
#pragma unroll
      for (int o = 16; o > 0; o >>= 1)
#pragma unroll
        for (int m = 0; m < M; ++m)
#pragma unroll
          for (int w = 0; w < kLnW; ++w) s[m][w] += __shfl_xor_sync(kFull, s[m][w], o);
#pragma unroll
      for (int m = 0; m < M; ++m) {
        float t = 0.0f;
#pragma unroll
        for (int w = 0; w < kMlpWarps; ++w) t = t + (w < kLnW ? s[m][w] : 0.0f);
        mean[m] = t / E;
      }
      float q[M][kLnW];
#pragma unroll
      for (int m = 0; m < M; ++m)
#pragma unroll
        for (int w = 0; w < kLnW; ++w) {
          q[m][w] = 0.0f;
#pragma unroll
          for (int j = 0; j < kStatsPer; ++j)
            if (32 * w + lane + kLnThreads * j < E) {
              const float d = xr[m][w][j] - mean[m];
              q[m][w] += d * d;
            }
        }
#pragma unroll
      for (int o = 16; o > 0; o >>= 1)
#pragma unroll
        for (int m = 0; m < M; ++m)
#pragma unroll
          for (int w = 0; w < kLnW; ++w) q[m][w] += __shfl_xor_sync(kFull, q[m][w], o);
#pragma unroll
      for (int m = 0; m < M; ++m) {
        float t = 0.0f;
#pragma unroll
        for (int w = 0; w < kMlpWarps; ++w) t = t + (w < kLnW ? q[m][w] : 0.0f);
        rstd[m] = 1.0f / sqrtf(t / E + a.ln_eps);
      }
    }
    // This lane's c_fc vectors v = lane + 32 i of the normalized rows, rounded to dt, kept as floats
    // (16-byte loads of the staged rows; gamma / beta from the lane-interleaved copies).
    const float* gs = reinterpret_cast<const float*>(smem_raw + L.gs);
    const float* bs = reinterpret_cast<const float*>(smem_raw + L.bs);
    float xf[M][kLaneVecs][VN];
#pragma unroll
    for (int i = 0; i < kLaneVecs; ++i) {
      const int v = lane + 32 * i;
      float g[VN], be[VN];
#pragma unroll
      for (int e = 0; e < VN; ++e) {
        g[e] = gs[(i * VN + e) * 32 + lane];
        be[e] = bs[(i * VN + e) * 32 + lane];
      }
#pragma unroll
      for (int m = 0; m < M; ++m) {
        float rv[VN];
        if (v < KV) Vec16<T>::load(raw + m * E + v * VN, rv);
#pragma unroll
        for (int e = 0; e < VN; ++e)
          xf[m][i][e] = v < KV ? to_f(from_f<T>((rv[e] - mean[m]) * rstd[m] * g[e] + be[e])) : 0.0f;
      }
    }
    stamp(a, 3);

    // ---- c_fc + gelu_new: a warp's hidden units r = warp + 8 u, kUnitGroup at a time with their
    // dot products and butterflies interleaved; per unit the GEMV's order (lane v, v + 32, ..;
    // element by element; the xor butterfly), so h is bit-identical to the chain's.  Lane g M + m
    // then finishes unit g's row m (gelu, rounding, stores): the tanh of a group in parallel.
    const int upw = (R + kMlpWarps - 1) / kMlpWarps;
    const uint4* w1v = reinterpret_cast<const uint4*>(w1s);
    for (int u0 = 0; u0 < upw; u0 += kUnitGroup) {
      float acc[kUnitGroup][M];
#pragma unroll
      for (int g = 0; g < kUnitGroup; ++g)
#pragma unroll
        for (int m = 0; m < M; ++m) acc[g][m] = 0.0f;
#pragma unroll
      for (int i = 0; i < kLaneVecs; ++i) {
        const int v = lane + 32 * i;
        if (v < KV) {
#pragma unroll
          for (int g = 0; g < kUnitGroup; ++g) {
            const int r = warp + kMlpWarps * (u0 + g);
            if (r < nr) {
              union { uint4 u; T t[VN]; } wu;
              wu.u = w1v[static_cast<std::size_t>(r) * KV + v];
              float wf[VN];
#pragma unroll
              for (int e = 0; e < VN; ++e) wf[e] = to_f(wu.t[e]);
#pragma unroll
              for (int m = 0; m < M; ++m)
#pragma unroll
                for (int e = 0; e < VN; ++e) acc[g][m] += wf[e] * xf[m][i][e];
            }
          }
        }
      }
#pragma unroll
      for (int o = 16; o > 0; o >>= 1)
#pragma unroll
        for (int g = 0; g < kUnitGroup; ++g)
#pragma unroll
          for (int m = 0; m < M; ++m) acc[g][m] += __shfl_xor_sync(kFull, acc[g][m], o);
      float mine = 0.0f;
      int gi = 0, mi = 0;
#pragma unroll
      for (int g = 0; g < kUnitGroup; ++g)
#pragma unroll
        for (int m = 0; m < M; ++m)
          if (lane == g * M + m) {
            mine = acc[g][m];
            gi = g;
            mi = m;
          }
      const int r = warp + kMlpWarps * (u0 + gi);
      if (lane < kUnitGroup * M && r < R) {
        if (r < nr) {
          const T h = from_f<T>(detail::gelu_new(mine + b1s[r]));
          hs[hchunk ? mi * R + r : 4 * r + mi] = to_f(h);
          if (a.h_out != nullptr) static_cast<T*>(a.h_out)[static_cast<std::size_t>(mi) * I + k0 + r] = h;
        } else {
          hs[hchunk ? mi * R + r : 4 * r + mi] = 0.0f;
        }
      }
    }
  }
  asm volatile("cp.async.wait_group 0;" ::: "memory");  // this thread's fc2 columns (group 2)
  __syncthreads();  // barrier B
  stamp(a, 4);

  // ---- fc2 partials of this slice for outputs n = tid + 256 j (per output: chunks c ascending,
  // units within a chunk ascending).
  unsigned long long* accg = static_cast<unsigned long long*>(a.scratch);
  const int nv = (nr + VN - 1) / VN;
  float p[kPerThread][M];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j)
#pragma unroll
    for (int m = 0; m < M; ++m) p[j][m] = 0.0f;
  if constexpr (hchunk) {
    // A chunk's h (VN units x M rows: M VN / 4 float4 loads) once for all of the thread's outputs:
    // shared-memory loads per thread nv (M VN / 4 + outputs) instead of nv (VN + 1) outputs.
    for (int c = 0; c < nv; ++c) {
      float hv[M][VN];
#pragma unroll
      for (int m = 0; m < M; ++m)
#pragma unroll
        for (int q4 = 0; q4 < VN / 4; ++q4) {
          const float4 f = reinterpret_cast<const float4*>(hs + m * R + c * VN)[q4];
          hv[m][4 * q4] = f.x;
          hv[m][4 * q4 + 1] = f.y;
          hv[m][4 * q4 + 2] = f.z;
          hv[m][4 * q4 + 3] = f.w;
        }
#pragma unroll
      for (int j = 0; j < kPerThread; ++j) {
        const int n = tid + kMlpThreads * j;
        if (n >= E) break;
        float wf[VN];
        Vec16<T>::load(reinterpret_cast<const T*>(w2s + static_cast<std::size_t>(n) * RB + 16 * c), wf);
#pragma unroll
        for (int i = 0; i < VN; ++i)
#pragma unroll
          for (int m = 0; m < M; ++m) p[j][m] += wf[i] * hv[m][i];
      }
    }
  } else {
#pragma unroll
    for (int j = 0; j < kPerThread; ++j) {
      const int n = tid + kMlpThreads * j;
      if (n >= E) continue;
      const unsigned char* row = w2s + static_cast<std::size_t>(n) * RB;
      for (int c = 0; c < nv; ++c) {
        float wf[VN];
        Vec16<T>::load(reinterpret_cast<const T*>(row + 16 * c), wf);
#pragma unroll
        for (int i = 0; i < VN; ++i) {
          const float4 hv = reinterpret_cast<const float4*>(hs)[c * VN + i];  // one broadcast load, all rows
          const float hm[4] = {hv.x, hv.y, hv.z, hv.w};
#pragma unroll
          for (int m = 0; m < M; ++m) p[j][m] += wf[i] * hm[m];
        }
      }
    }
  }
  stamp(a, 5);
  bool bad = false;
  auto increment = [&](float v) {  // count 1 + the fixed-point partial (0 when out of range / NaN)
    return static_cast<unsigned long long>(fixed_word_add(v, bad));
  };
  if (C > 1) {
    // ---- Cluster pre-reduction: every block's increments into its shared memory (the c_fc rows'
    // space, free after barrier B), one cluster barrier, then each block sums its share e0 .. e1 of
    // the words over the C blocks (rank order; integer sums, exact) and adds them with one atomic
    // per word: C contributions per add, so the count still completes at gridDim.x.
    unsigned long long* part = reinterpret_cast<unsigned long long*>(smem_raw + L.w1);
#pragma unroll
    for (int j = 0; j < kPerThread; ++j) {
      const int n = tid + kMlpThreads * j;
#pragma unroll
      for (int m = 0; m < M; ++m)
        if (n < E) part[m * E + n] = increment(p[j][m]);
    }
    asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
    asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
    cg::cluster_group cluster = cg::this_cluster();
    unsigned long long sum[kClusterPerThread];
#pragma unroll
    for (int j = 0; j < kClusterPerThread; ++j) {
      const int e = e0 + tid + kMlpThreads * j;
      unsigned long long v[kMaxCluster];
#pragma unroll
      for (int rk = 0; rk < kMaxCluster; ++rk) v[rk] = (e < e1 && rk < C) ? *cluster.map_shared_rank(part + e, rk) : 0ull;
      sum[j] = 0ull;
#pragma unroll
      for (int rk = 0; rk < kMaxCluster; ++rk) sum[j] += v[rk];
    }
    // Done reading the other blocks' shared memory: they may leave once everyone has arrived.
    asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
    stamp(a, 6);
    unsigned long long got[kClusterPerThread];
#pragma unroll
    for (int j = 0; j < kClusterPerThread; ++j) {
      const int e = e0 + tid + kMlpThreads * j;
      if (e < e1) got[j] = atomicAdd(accg + e, sum[j]);
    }
    if (bad) {
      *reinterpret_cast<volatile int*>(a.host_error) = 1;
      __threadfence_system();
    }
#pragma unroll
    for (int j = 0; j < kClusterPerThread; ++j) {
      const int e = e0 + tid + kMlpThreads * j;
      if (e >= e1) break;
      const unsigned long long w = got[j] + sum[j];
      if (fixed_word_count(w) != gridDim.x) continue;
      const float f = fixed_word_value(w);
      x[e] = from_f<T>(to_f(raw[e]) + (f + b2_r[j]));
      accg[e] = 0ull;
    }
    stamp(a, 7);
    asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
    stamp(a, 8);
    return;
  }
  stamp(a, 6);
  // All of a thread's atomics in flight together; the block that completes an element's count
  // writes it.
  unsigned long long got[kPerThread][M];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int n = tid + kMlpThreads * j;
#pragma unroll
    for (int m = 0; m < M; ++m)
      if (n < E) got[j][m] = atomicAdd(accg + static_cast<std::size_t>(m) * E + n, increment(p[j][m]));
  }
  if (bad) {  // the host word is the report (the sums of this launch are not used: the engine throws)
    *reinterpret_cast<volatile int*>(a.host_error) = 1;
    __threadfence_system();
  }
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int n = tid + kMlpThreads * j;
    if (n >= E) break;
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const unsigned long long w = got[j][m] + increment(p[j][m]);
      if (fixed_word_count(w) != gridDim.x) continue;  // not the last block for this element
      const float f = fixed_word_value(w);
      x[static_cast<std::size_t>(m) * E + n] = from_f<T>(to_f(raw[m * E + n]) + (f + b2_r[j]));
      accg[static_cast<std::size_t>(m) * E + n] = 0ull;  // every block has added: zero for the next launch
    }
  }
  stamp(a, 7);
  stamp(a, 8);
}

// Launch configuration: grid, block, dynamic shared memory, PDL (process switch) and, with
// a.cluster > 1, the cluster dimension.
cudaLaunchConfig_t mlp_config(const MlpFusedArgs& a, cudaStream_t st, cudaLaunchAttribute (&attr)[2], int cluster,
                              std::size_t smem) {
  return detail::cluster_launch_config(static_cast<unsigned>(a.blocks), kMlpThreads, smem, st, cluster > 1 ? cluster : 0, attr);
}

template <typename T, int M, int MODE>
cudaError_t launch_t(const MlpFusedArgs& a, cudaStream_t st) {
  auto kernel = mlp_fused_kernel<T, M, MODE>;
  cudaError_t e = detail::raise_dyn_smem(reinterpret_cast<const void*>(kernel), a.smem_bytes, "mlp_fused");
  if (e != cudaSuccess) return e;
  if (a.cluster > 1) {
    e = detail::apply_carveout(reinterpret_cast<const void*>(kernel));
    if (e == cudaSuccess) {
      cudaLaunchAttribute attr[2];
      const cudaLaunchConfig_t cfg = mlp_config(a, st, attr, a.cluster, a.smem_bytes);
      MlpFusedArgs b = a;
      void* args[] = {&b};
      e = cudaLaunchKernelExC(&cfg, reinterpret_cast<const void*>(kernel), args);
    }
  } else {
    e = detail::launch_k(kernel, a.blocks, kMlpThreads, a.smem_bytes, st, a);
  }
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused<es=%d,M=%d,mode=%d> blocks=%d cluster=%d smem=%zu E=%d I=%d: %s",
                  static_cast<int>(sizeof(T)), M, MODE, a.blocks, a.cluster, a.smem_bytes, a.n_embd, a.n_inner,
                  cudaGetErrorName(e));
  return e;
}

// The kernel's instantiations: by mode (bit 0 warp LayerNorm: 1..kWarpLnMaxRows rows; bit 1
// chunked fc2 partials) and row count, per storage type.
using Launch = cudaError_t (*)(const MlpFusedArgs&, cudaStream_t);
// The folded modes (bit 2) exist for fp16 / bf16 only.
template <typename T, int M, int MODE>
constexpr Launch lt() {
  if constexpr ((MODE & 4) != 0 && std::is_same_v<T, float>) return nullptr;
  else return launch_t<T, M, MODE>;
}
template <typename T>
constexpr Launch kByRows[8][kGemvMaxRows] = {
    {lt<T, 1, 0>(), lt<T, 2, 0>(), lt<T, 3, 0>(), lt<T, 4, 0>()},
    {lt<T, 1, 1>(), lt<T, 2, 1>(), nullptr, nullptr},
    {lt<T, 1, 2>(), lt<T, 2, 2>(), lt<T, 3, 2>(), lt<T, 4, 2>()},
    {lt<T, 1, 3>(), lt<T, 2, 3>(), nullptr, nullptr},
    {lt<T, 1, 4>(), lt<T, 2, 4>(), lt<T, 3, 4>(), lt<T, 4, 4>()},
    {nullptr, nullptr, nullptr, nullptr},
    {lt<T, 1, 6>(), lt<T, 2, 6>(), lt<T, 3, 6>(), lt<T, 4, 6>()},
    {nullptr, nullptr, nullptr, nullptr}};
static_assert(kWarpLnMaxRows == 2, "kByRows lists the warp-LayerNorm instantiations");

template <typename T, int MODE>
const void* kernel_ptr_m(int rows) {
  if constexpr ((MODE & 1) != 0) {
    return rows == 1 ? reinterpret_cast<const void*>(mlp_fused_kernel<T, 1, MODE>)
                     : reinterpret_cast<const void*>(mlp_fused_kernel<T, 2, MODE>);
  } else {
    switch (rows) {
      case 1: return reinterpret_cast<const void*>(mlp_fused_kernel<T, 1, MODE>);
      case 2: return reinterpret_cast<const void*>(mlp_fused_kernel<T, 2, MODE>);
      case 3: return reinterpret_cast<const void*>(mlp_fused_kernel<T, 3, MODE>);
      default: return reinterpret_cast<const void*>(mlp_fused_kernel<T, 4, MODE>);
    }
  }
}
template <typename T>
const void* kernel_ptr(int rows, int mode) {
  if constexpr (!std::is_same_v<T, float>) {
    if (mode == 4) return kernel_ptr_m<T, 4>(rows);
    if (mode == 6) return kernel_ptr_m<T, 6>(rows);
  }
  switch (mode) {
    case 1: return kernel_ptr_m<T, 1>(rows);
    case 2: return kernel_ptr_m<T, 2>(rows);
    case 3: return kernel_ptr_m<T, 3>(rows);
    default: return kernel_ptr_m<T, 0>(rows);
  }
}
const void* kernel_for(Dt dt, int rows, int mode) {
  return dt == Dt::kF32 ? kernel_ptr<float>(rows, mode) : dt == Dt::kF16 ? kernel_ptr<__half>(rows, mode)
                                                                        : kernel_ptr<__nv_bfloat16>(rows, mode);
}
unsigned long long* g_trace = nullptr;
std::size_t g_trace_entries = 0;
unsigned long long g_trace_launch = 0;

}  // namespace

std::size_t mlp_fused_scratch_bytes(int rows, int n_embd) {
  return static_cast<std::size_t>(rows) * n_embd * 8;
}

void set_mlp_fused_trace(unsigned long long* buffer, std::size_t entries) {
  g_trace = buffer;
  g_trace_entries = entries;
  g_trace_launch = 0;
}

cudaError_t mlp_fused_plan(MlpFusedArgs& a) {
  a.slice_rows = a.blocks = 0;
  a.warp_ln = a.cluster = a.fc2_chunks = a.fold = 0;
  a.smem_bytes = 0;
  const int es = static_cast<int>(dt_size(a.dt)), VN = 16 / es;
  auto no = [&](const char* why) {
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused: %s (E=%d I=%d rows=%d %s)", why, a.n_embd, a.n_inner,
                  a.rows, dt_name(a.dt));
    return cudaErrorNotSupported;
  };
  if (a.rows < 1 || a.rows > kGemvMaxRows) return no("rows outside 1..4");
  if (a.n_embd <= 0 || a.n_inner <= 0 || a.n_embd % VN != 0 || a.n_inner % VN != 0)
    return no("n_embd and n_inner must be multiples of the 16-byte vector");
  cudaError_t e = detail::device_limits();
  if (e != cudaSuccess) return e;
  // The smallest slice (a whole number of vectors) that needs no more blocks than SMs.
  const int per_sm = (a.n_inner + detail::g_sm_count - 1) / detail::g_sm_count;
  const int R = (per_sm + VN - 1) / VN * VN;
  const int blocks = (a.n_inner + R - 1) / R;
  if (blocks > kFixedWordMaxAdds) return no("more blocks than the fixed-point word counts");
  if (a.n_embd > kMlpThreads * kPerThread) return no("n_embd above 2048");
  if (R > kMlpThreads) return no("more than 256 hidden units per block");
  // Static shared memory of the kernel's largest instantiation (its reduction scratch grows with rows).
  cudaFuncAttributes fa{};
  e = cudaFuncGetAttributes(&fa, kernel_for(a.dt, kGemvMaxRows, 0));
  if (e != cudaSuccess) return e;
  const std::size_t smem = mlp_smem(R, a.n_embd, a.rows, es).total;
  if (smem + fa.sharedSizeBytes > static_cast<std::size_t>(detail::g_smem_optin))
    return no("the weight slices do not fit one block's shared memory");
  a.slice_rows = R;
  a.blocks = blocks;
  a.smem_bytes = smem;
  a.fc2_chunks = a.want_fc2_chunks != 0 ? 1 : 0;  // same shared memory (h takes M R of its 4 R floats)
  const int chunk_bit = a.fc2_chunks != 0 ? 2 : 0;
  // Session 12's folded LayerNorm (fp16 / bf16): no normalized rows in shared memory; excludes the
  // warp-LayerNorm path.
  const bool fold = a.want_ln_fold != 0 && a.dt != Dt::kF32;
  if (fold) {
    a.fold = 1;
    a.smem_bytes = mlp_smem(R, a.n_embd, a.rows, es, false, 0, true).total;
  }
  // Session 11's options: taken where they apply, else the plain kernel (the plan still succeeds).
  const bool wln = !fold && a.want_warp_ln != 0 && a.rows <= kWarpLnMaxRows && a.n_embd / VN <= 32 * kLaneVecs;
  int C = a.want_cluster;
  if (C <= 1 || C > kMaxCluster || (C & (C - 1)) != 0 || blocks % C != 0 ||
      (a.rows * a.n_embd + C - 1) / C > kMlpThreads * kClusterPerThread)
    C = 0;
  const std::size_t smem2 = mlp_smem(R, a.n_embd, a.rows, es, wln, C, fold).total;
  const int fold_bit = fold ? 4 : 0;
  if ((wln || C > 1) && smem2 + fa.sharedSizeBytes <= static_cast<std::size_t>(detail::g_smem_optin)) {
    if (C > 1) {  // a cluster of C such blocks must fit the device at all
      e = detail::raise_dyn_smem(kernel_for(a.dt, a.rows, (wln ? 1 : 0) | chunk_bit | fold_bit), smem2, "mlp_fused");
      if (e != cudaSuccess) return e;
      MlpFusedArgs b = a;
      b.blocks = blocks;
      cudaLaunchAttribute attr[2];
      cudaLaunchConfig_t cfg = mlp_config(b, nullptr, attr, C, smem2);
      cfg.numAttrs = 1;  // the cluster dimension alone
      int clusters = 0;
      e = cudaOccupancyMaxActiveClusters(&clusters, kernel_for(a.dt, a.rows, (wln ? 1 : 0) | chunk_bit | fold_bit), &cfg);
      if (e != cudaSuccess || clusters < 1) {
        cudaGetLastError();
        C = 0;
      }
    }
    a.warp_ln = wln ? 1 : 0;
    a.cluster = C;
    a.smem_bytes = mlp_smem(R, a.n_embd, a.rows, es, wln, C, fold).total;
  }
  return cudaSuccess;
}

cudaError_t launch_mlp_fused(const MlpFusedArgs& a, cudaStream_t st) {
  if (a.blocks <= 0 || a.slice_rows <= 0 || a.rows < 1 || a.rows > kGemvMaxRows || a.x == nullptr ||
      a.fc_w == nullptr || a.fc2_w == nullptr || a.scratch == nullptr || a.host_error == nullptr ||
      a.ln_gamma == nullptr || a.ln_beta == nullptr) {
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused: arguments not planned or incomplete");
    return cudaErrorInvalidValue;
  }
  if (a.warp_ln != 0 && a.rows > kWarpLnMaxRows) {
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused: warp_ln planned for %d rows", a.rows);
    return cudaErrorInvalidValue;
  }
  if ((a.fold != 0) != (a.ln_fold != nullptr) || (a.fold != 0 && (a.warp_ln != 0 || a.dt == Dt::kF32))) {
    std::snprintf(g_detail, sizeof g_detail,
                  "mlp_fused: ln_fold %s but the plan %s the folded kernel (want_ln_fold decides; fp16/bf16 only)",
                  a.ln_fold != nullptr ? "set" : "not set", a.fold != 0 ? "took" : "did not take");
    return cudaErrorInvalidValue;
  }
  MlpFusedArgs b = a;
  b.trace = nullptr;
  const std::size_t slot = static_cast<std::size_t>(a.blocks) * kMlpStamps;
  if (g_trace != nullptr && g_trace_entries >= slot)
    b.trace = g_trace + (g_trace_launch++ % (g_trace_entries / slot)) * slot;
  b.step_trace = step_trace_take("mlp_fused", a.blocks);
  const int mode = (a.warp_ln != 0 ? 1 : 0) | (a.fc2_chunks != 0 ? 2 : 0) | (a.fold != 0 ? 4 : 0);
  const Launch* by_rows = a.dt == Dt::kF32   ? kByRows<float>[mode]
                          : a.dt == Dt::kF16 ? kByRows<__half>[mode]
                                             : kByRows<__nv_bfloat16>[mode];
  if (by_rows[a.rows - 1] == nullptr) {
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused: no kernel for mode %d at %d rows (%s)", mode, a.rows, dt_name(a.dt));
    return cudaErrorInvalidValue;
  }
  return by_rows[a.rows - 1](b, st);
}

}  // namespace sb::engine::cudak
