// engine/cuda/attn_layer.cu — LN1 + QKV (+ KV-cache write) + decode attention + attn c_proj +
// residual in ONE kernel per layer (launch_attn_layer; contract in attn_layer.h).
// Why this shape (docs/perf-cuda.md "Session 10: one kernel for the attention half of a layer"): at
// batch 1 a gpt2 decode step is a chain of dependent kernels, each costing its latency after
// griddepcontrol.wait (~5 us), not its bytes.  The chain spends three of them on the attention half
// (QKV GEMV, decode attention, attn c_proj GEMV).  Here one cluster of C blocks per head keeps
// everything on chip: the head's q/k/v and the softmax partials move through distributed shared
// memory (two cluster barriers, no L2 round trip), and the cross-head sum is the fused MLP's
// count-in-word protocol (one returning 64-bit atomic per output: the completing head writes x).
// Session 6's persistent kernel lost with ~1-2 us per grid barrier + 4-6 us per phase; here the
// phases are on-chip and only the final sum touches L2.
#include "engine/cuda/attn_layer.h"
#include "engine/cuda/device_common.cuh"
#include "engine/cuda/fixed_word.h"

#include <cooperative_groups.h>

#include <cstdio>

namespace sb::engine::cudak {
namespace {
using detail::g_detail;
namespace cg = cooperative_groups;

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
// The GEMV prologue's block (gemv.cu kThreads): LayerNorm statistics use its thread partition so the
// normalized rows, and with them q/k/v, match the chain bit for bit (as mlp_fused.cu does).
constexpr int kLnThreads = 128;
constexpr int kPerThread = 8;     // LN parameters per thread (n_embd <= 2048) and proj outputs per thread
constexpr int kMaxCluster = 8;    // portable cluster size

// Padded key-row length (elements) of the staged keys: 16 bytes more per row (or one element where
// rows are not whole 16-byte vectors), so score threads reading consecutive rows spread over banks.
__host__ __device__ __forceinline__ int key_stride(int D, int es) { return (D * es) % 16 == 0 ? D + 16 / es : D + 1; }
// Byte stride of a proj_w tile row: head_dim elements, + 16 bytes when that is an even number of
// 16-byte units (8 threads of a quarter warp reading rows r .. r + 7 hit different bank groups).
__host__ __device__ __forceinline__ int wrow_bytes(int D, int es) {
  const int b = D * es;
  return (b / 16) % 2 == 0 ? b + 16 : b;
}
__host__ __device__ __forceinline__ std::size_t al16(std::size_t v) { return (v + 15) & ~std::size_t{15}; }

struct Smem {
  std::size_t wq, wp, raw, xs, ks, vs, pq, qs, sc, part, os, pv, bq, bp, total;
};
// M rows, E = n_embd, D = head_dim, dq = q/k/v rows per part per block, eo = proj outputs per block,
// kmax = staged keys per block and row.
__host__ __device__ inline Smem layout(int M, int E, int D, int dq, int eo, int kmax, int es) {
  Smem s{};
  s.wq = 0;
  s.wp = al16(s.wq + static_cast<std::size_t>(3) * dq * E * es);
  s.raw = al16(s.wp + static_cast<std::size_t>(eo) * wrow_bytes(D, es));
  s.xs = al16(s.raw + static_cast<std::size_t>(M) * E * es);
  s.ks = al16(s.xs + static_cast<std::size_t>(M) * E * es);
  s.vs = al16(s.ks + static_cast<std::size_t>(M) * kmax * key_stride(D, es) * es);
  s.pq = al16(s.vs + static_cast<std::size_t>(M) * kmax * D * es);       // [M][3 dq] this block's q|k|v (float of dt)
  s.qs = al16(s.pq + static_cast<std::size_t>(M) * 3 * dq * 4);           // [M][D] q * scale
  s.sc = al16(s.qs + static_cast<std::size_t>(M) * D * 4);                // [M][kmax] scores, then probabilities
  s.part = al16(s.sc + static_cast<std::size_t>(M) * kmax * 4);           // [M][D + 2] max, sum, accumulator
  s.os = al16(s.part + static_cast<std::size_t>(M) * (D + 2) * 4);        // [M][D] o (float of dt)
  s.pv = al16(s.os + static_cast<std::size_t>(M) * D * 4);                // [kThreads] p.v group partials
  s.bq = al16(s.pv + static_cast<std::size_t>(kThreads) * 4);             // [3 dq] qkv bias
  s.bp = al16(s.bq + static_cast<std::size_t>(3) * dq * 4);               // [eo] proj bias
  s.total = al16(s.bp + static_cast<std::size_t>(eo) * 4);
  return s;
}

__device__ __forceinline__ void stamp(const AttnLayerArgs& a, int i) {
  if (a.trace != nullptr && threadIdx.x == 0) {
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    a.trace[blockIdx.x * kAttnLayerStamps + i] = t;
  }
}
__device__ __forceinline__ void cluster_arrive() { asm volatile("barrier.cluster.arrive.aligned;" ::: "memory"); }
__device__ __forceinline__ void cluster_wait() { asm volatile("barrier.cluster.wait.aligned;" ::: "memory"); }

template <typename T, int M>
__global__ void __launch_bounds__(kThreads, 1) attn_layer_kernel(AttnLayerArgs a) {
  using detail::from_f;
  using detail::to_f;
  using detail::Vec16;
  constexpr int es = sizeof(T), VN = 16 / es;
  extern __shared__ __align__(16) unsigned char smem[];
  __shared__ float red[kWarps][M];
  __shared__ float blk_m[M], blk_l[M];
  cg::cluster_group cluster = cg::this_cluster();
  const int H = a.n_head, D = a.head_dim, E = H * D, dq = a.q_rows, eo = a.out_rows, kmax = a.max_keys;
  const int C = static_cast<int>(cluster.num_blocks());
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int rank = static_cast<int>(cluster.block_rank()), h = blockIdx.x / C;
  const Smem L = layout(M, E, D, dq, eo, kmax, es);
  T* wq = reinterpret_cast<T*>(smem + L.wq);
  unsigned char* wp = smem + L.wp;
  T* raw = reinterpret_cast<T*>(smem + L.raw);
  T* xs = reinterpret_cast<T*>(smem + L.xs);
  T* ks = reinterpret_cast<T*>(smem + L.ks);
  T* vs = reinterpret_cast<T*>(smem + L.vs);
  float* pq = reinterpret_cast<float*>(smem + L.pq);
  float* qs = reinterpret_cast<float*>(smem + L.qs);
  float* sc = reinterpret_cast<float*>(smem + L.sc);
  float* part = reinterpret_cast<float*>(smem + L.part);
  float* os = reinterpret_cast<float*>(smem + L.os);
  float* pv = reinterpret_cast<float*>(smem + L.pv);
  float* bq = reinterpret_cast<float*>(smem + L.bq);
  float* bp = reinterpret_cast<float*>(smem + L.bp);
  const int kd = key_stride(D, es), RB = wrow_bytes(D, es);
  const int n0 = rank * eo;  // this block's proj outputs n0 .. n0 + eo

  stamp(a, 0);
  detail::pdl_trigger();
  // ---- Before the wait: weights (nothing a previous kernel writes), then the old keys/values.
  {
    // Group 1: the QKV rows part * E + h D + rank dq + i (part 0..2 = q, k, v; i < dq), contiguous per part.
    const int per_part = dq * E * es / 16;
    for (int i = tid; i < 3 * per_part; i += kThreads) {
      const int part_i = i / per_part, c = i - part_i * per_part;
      const unsigned char* src = static_cast<const unsigned char*>(a.qkv_w) +
                                 (static_cast<std::size_t>(part_i) * E + static_cast<std::size_t>(h) * D + rank * dq) * E * es;
      detail::cp_async16(smem + L.wq + static_cast<std::size_t>(part_i) * dq * E * es + 16 * static_cast<std::size_t>(c), src + 16 * static_cast<std::size_t>(c));
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
    // Group 2: the proj_w tile (rows n0 + r, the head's D columns) ...
    const int cpr = D * es / 16;
    const unsigned char* wg =
        static_cast<const unsigned char*>(a.proj_w) + (static_cast<std::size_t>(n0) * E + static_cast<std::size_t>(h) * D) * es;
    for (int i = tid; i < eo * cpr; i += kThreads) {
      const int r = i / cpr, c = i - r * cpr;
      detail::cp_async16(wp + static_cast<std::size_t>(r) * RB + 16 * c, wg + static_cast<std::size_t>(r) * E * es + 16 * c);
    }
  }
  const T* qb = static_cast<const T*>(a.qkv_b);
  for (int r = tid; r < 3 * dq; r += kThreads) {
    const int part_i = r / dq, i = r - part_i * dq;
    bq[r] = qb != nullptr ? to_f(qb[part_i * E + h * D + rank * dq + i]) : 0.0f;
  }
  const T* pb = static_cast<const T*>(a.proj_b);
  for (int r = tid; r < eo; r += kThreads) bp[r] = pb != nullptr ? to_f(pb[n0 + r]) : 0.0f;
  float g_r[kPerThread], be_r[kPerThread];  // LN1 parameters of element tid + 256 j
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int k = tid + kThreads * j;
    g_r[j] = k < E ? __ldg(a.ln_gamma + k) : 0.0f;
    be_r[j] = k < E ? __ldg(a.ln_beta + k) : 0.0f;
  }
  // ... and this block's share of the head's keys: contiguous ranges of ceil(n_keys / C) keys; the
  // rows before the new one were written by earlier steps (a decode step's kernels run after the
  // previous step finished: the same assumption as the chain's decode attention, which stages them
  // before its wait too).
  const int past = *a.past_len;
  const int n_keys = past + 1;
  const int per = (n_keys + C - 1) / C;
  const int kb0 = min(n_keys, rank * per), kb1 = min(n_keys, kb0 + per), nk = kb1 - kb0;
  const int nold = max(0, min(kb1, past) - kb0);
  {
    const int cpr = D * es / 16;
    for (int i = tid; i < M * nold * cpr; i += kThreads) {
      const int m = i / (nold * cpr), rem = i - m * nold * cpr, j = rem / cpr, c = rem - j * cpr;
      const std::size_t src = ((static_cast<std::size_t>(m) * H + h) * a.max_t + kb0 + j) * D;
      detail::cp_async16(ks + (static_cast<std::size_t>(m) * kmax + j) * kd + c * VN, static_cast<const T*>(a.k_cache) + src + c * VN);
      detail::cp_async16(vs + (static_cast<std::size_t>(m) * kmax + j) * D + c * VN, static_cast<const T*>(a.v_cache) + src + c * VN);
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  }
  detail::pdl_wait();
  stamp(a, 1);

  // ---- After the wait: the x rows (16-byte loads through L2), or layer 0's embedding.
  T* x = static_cast<T*>(a.x);
  if (a.tokens != nullptr) {
    const T* wte = static_cast<const T*>(a.wte);
    const T* wpe = static_cast<const T*>(a.wpe) + static_cast<long long>(past) * E;
    for (int i = tid; i < M * E / VN; i += kThreads) {
      const int m = i / (E / VN), v = i - m * (E / VN);
      union { uint4 u; T t[VN]; } e, p, o;
      e.u = __ldg(reinterpret_cast<const uint4*>(wte + static_cast<long long>(a.tokens[m]) * E) + v);
      p.u = __ldg(reinterpret_cast<const uint4*>(wpe) + v);
#pragma unroll
      for (int k = 0; k < VN; ++k) o.t[k] = from_f<T>(to_f(e.t[k]) + to_f(p.t[k]));
      reinterpret_cast<uint4*>(raw)[i] = o.u;
    }
    if (blockIdx.x == 0 && tid < a.n_zero_slots) a.zero_slots[tid] = 0ull;
  } else {
    constexpr int kXVecs = M * kPerThread * kThreads / 4 / kThreads;  // n_embd <= 2048
    const int nx = M * E / VN;
    uint4 t[kXVecs];
#pragma unroll
    for (int j = 0; j < kXVecs; ++j) {
      const int i = tid + kThreads * j;
      if (i < nx) t[j] = __ldcg(reinterpret_cast<const uint4*>(x) + i);
    }
#pragma unroll
    for (int j = 0; j < kXVecs; ++j) {
      const int i = tid + kThreads * j;
      if (i < nx) reinterpret_cast<uint4*>(raw)[i] = t[j];
    }
  }
  __syncthreads();
  stamp(a, 2);
  // LayerNorm 1 in gemv.cu's prologue order (device_common.cuh).
  detail::layernorm_rows_shared<kWarps, kThreads, kLnThreads, kPerThread, T, M>(raw, xs, E, a.ln_eps, g_r, be_r, red, tid);
  asm volatile("cp.async.wait_group 1;" ::: "memory");  // this thread's QKV rows (group 1)
  __syncthreads();
  stamp(a, 3);

  // ---- This block's q/k/v outputs: one warp per row in the GEMV's lane order and xor butterfly
  // (bit-identical to the chain's kQkvScatter output); k/v into the caches at *past_len.
  const int KV = E / VN;
  for (int r = warp; r < 3 * dq; r += kWarps) {
    float acc[M];
#pragma unroll
    for (int m = 0; m < M; ++m) acc[m] = 0.0f;
    for (int v = lane; v < KV; v += 32)
      detail::dot16_rows<T, M>(reinterpret_cast<const uint4*>(wq + static_cast<std::size_t>(r) * E)[v], xs, E, v, acc);
    const int part_i = r / dq, d = rank * dq + (r - part_i * dq);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float tot = detail::warp_sum(acc[m]);
      if (lane == m) {
        const T val = from_f<T>(tot + bq[r]);
        pq[m * 3 * dq + r] = to_f(val);
        if (part_i > 0) {
          const std::size_t dst = ((static_cast<std::size_t>(m) * H + h) * a.max_t + past) * D + d;
          static_cast<T*>(part_i == 1 ? a.k_cache : a.v_cache)[dst] = val;
        }
        if (a.qkv_out != nullptr) static_cast<T*>(a.qkv_out)[static_cast<std::size_t>(m) * 3 * E + part_i * E + h * D + d] = val;
      }
    }
  }
  cluster.sync();  // #1: every block's q/k/v outputs are in its shared memory
  stamp(a, 4);

  // ---- q (every block) and the new key/value (the block whose range holds key `past`) from the
  // cluster's blocks through DSMEM.
  const bool owns_new = past >= kb0 && past < kb1;
  for (int i = tid; i < M * D; i += kThreads) {
    const int m = i / D, d = i - m * D, src = d / dq, j = d - src * dq;
    const float* rp = cluster.map_shared_rank(pq, src) + m * 3 * dq;
    qs[i] = rp[j] * a.scale;
    if (owns_new) {
      ks[(static_cast<std::size_t>(m) * kmax + (past - kb0)) * kd + d] = from_f<T>(rp[dq + j]);  // exact: values of dt
      vs[(static_cast<std::size_t>(m) * kmax + (past - kb0)) * D + d] = from_f<T>(rp[2 * dq + j]);
    }
  }
  asm volatile("cp.async.wait_group 0;" ::: "memory");  // the proj tile and the old keys/values
  __syncthreads();
  stamp(a, 5);

  // ---- Attention over keys kb0 .. kb1 - 1 of every row: scores (the chain's dot-product order),
  // the block's max and sum, then p.v with the keys split over thread groups (added in group order).
  for (int i = tid; i < M * nk; i += kThreads) {
    const int m = i / nk, j = i - m * nk;
    const T* kr = ks + (static_cast<std::size_t>(m) * kmax + j) * kd;
    const float* qv = qs + m * D;
    float s = 0.0f;
    for (int d = 0; d < D; d += VN) {
      float f[VN];
      Vec16<T>::load(kr + d, f);
#pragma unroll
      for (int k = 0; k < VN; ++k) s += qv[d + k] * f[k];
    }
    sc[m * kmax + j] = s;
  }
  __syncthreads();
  if (warp < M) {
    const int m = warp;
    float mx = -INFINITY;
    for (int j = lane; j < nk; j += 32) mx = fmaxf(mx, sc[m * kmax + j]);
    mx = detail::warp_max(mx);
    float l = 0.0f;
    for (int j = lane; j < nk; j += 32) {
      const float p = expf(sc[m * kmax + j] - mx);
      sc[m * kmax + j] = p;
      l += p;
    }
    l = detail::warp_sum(l);
    if (lane == 0) {
      blk_m[m] = mx;
      blk_l[m] = l;
    }
  }
  __syncthreads();
  const int MD = M * D;
  if (MD <= kThreads) {
    const int G = kThreads / MD, g = tid / MD, it = tid - g * MD;
    if (g < G) {
      const int m = it / D, d = it - m * D;
      float acc = 0.0f;
      for (int j = g; j < nk; j += G) acc += sc[m * kmax + j] * to_f(vs[(static_cast<std::size_t>(m) * kmax + j) * D + d]);
      pv[g * MD + it] = acc;
    }
    __syncthreads();
    if (tid < MD) {
      float s = 0.0f;
      for (int gg = 0; gg < G; ++gg) s += pv[gg * MD + tid];
      const int m = tid / D, d = tid - m * D;
      part[m * (D + 2) + 2 + d] = s;
    }
  } else {
    for (int it = tid; it < MD; it += kThreads) {
      const int m = it / D, d = it - m * D;
      float acc = 0.0f;
      for (int j = 0; j < nk; ++j) acc += sc[m * kmax + j] * to_f(vs[(static_cast<std::size_t>(m) * kmax + j) * D + d]);
      part[m * (D + 2) + 2 + d] = acc;
    }
  }
  if (tid < M) {
    part[tid * (D + 2)] = blk_m[tid];
    part[tid * (D + 2) + 1] = blk_l[tid];
  }
  stamp(a, 6);
  cluster.sync();  // #2: every block's softmax partials are in its shared memory
  stamp(a, 7);

  // ---- o of every row: the C partials combined in rank order (every block computes the same o).
  for (int i = tid; i < MD; i += kThreads) {
    const int m = i / D, d = i - m * D;
    float pm[kMaxCluster], pl[kMaxCluster], pa[kMaxCluster];
#pragma unroll
    for (int r = 0; r < kMaxCluster; ++r) {
      if (r < C) {
        const float* rp = cluster.map_shared_rank(part, r) + m * (D + 2);
        pm[r] = rp[0];
        pl[r] = rp[1];
        pa[r] = rp[2 + d];
      }
    }
    float mx = -INFINITY;
#pragma unroll
    for (int r = 0; r < kMaxCluster; ++r)
      if (r < C) mx = fmaxf(mx, pm[r]);
    float lsum = 0.0f, o = 0.0f;
#pragma unroll
    for (int r = 0; r < kMaxCluster; ++r)
      if (r < C && pl[r] > 0.0f) {
        const float f = expf(pm[r] - mx);
        lsum += pl[r] * f;
        o += pa[r] * f;
      }
    const T ot = from_f<T>(o * (1.0f / lsum));  // the chain stores att_ in dt and proj reads it back
    os[i] = to_f(ot);
    if (a.att_out != nullptr && rank == 0) static_cast<T*>(a.att_out)[static_cast<std::size_t>(m) * E + h * D + d] = ot;
  }
  cluster_arrive();  // this block has read the others' partials (they may leave once all have)
  __syncthreads();
  stamp(a, 8);

  // ---- This block's attn c_proj partials (outputs n0 + r, d ascending), every thread's atomics in
  // flight together; the head whose add completes an element's count writes that x element.
  unsigned long long* accg = static_cast<unsigned long long*>(a.scratch);
  float p[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int it = tid + kThreads * j;
    p[j] = 0.0f;
    if (it >= M * eo) continue;
    const int m = it / eo, r = it - m * eo;
    const unsigned char* row = wp + static_cast<std::size_t>(r) * RB;
    const float* ov = os + m * D;
    float s = 0.0f;
    for (int c = 0; c < D / VN; ++c) {
      float wf[VN];
      Vec16<T>::load(reinterpret_cast<const T*>(row + 16 * c), wf);
#pragma unroll
      for (int k = 0; k < VN; ++k) s += wf[k] * ov[c * VN + k];
    }
    p[j] = s;
  }
  bool bad = false;
  auto increment = [&](float v) {  // count 1 + the fixed-point partial (0 when out of range / NaN)
    return static_cast<unsigned long long>(fixed_word_add(v, bad));
  };
  unsigned long long got[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int it = tid + kThreads * j;
    if (it < M * eo) {
      const int m = it / eo, r = it - m * eo;
      got[j] = atomicAdd(accg + static_cast<std::size_t>(m) * E + n0 + r, increment(p[j]));
    }
  }
  if (bad) {  // the host word is the report (the sums of this launch are not used: the engine throws)
    *reinterpret_cast<volatile int*>(a.host_error) = 1;
    __threadfence_system();
  }
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int it = tid + kThreads * j;
    if (it >= M * eo) break;
    const unsigned long long w = got[j] + increment(p[j]);
    if (fixed_word_count(w) != static_cast<unsigned>(H)) continue;  // not the last head for this element
    const int m = it / eo, r = it - m * eo;
    const std::size_t n = static_cast<std::size_t>(m) * E + n0 + r;
    const float f = fixed_word_value(w);
    x[n] = from_f<T>(to_f(raw[n]) + (f + bp[r]));
    accg[n] = 0ull;  // every head has added: zero for the next launch
  }
  stamp(a, 9);
  cluster_wait();  // no block leaves while another still reads its partials
  stamp(a, 10);
}

template <typename T, int M>
void* kernel_ptr() {
  return reinterpret_cast<void*>(attn_layer_kernel<T, M>);
}
void* kernel_for(Dt dt, int rows) {
  auto pick = [&](auto t) -> void* {
    using T = decltype(t);
    switch (rows) {
      case 1: return kernel_ptr<T, 1>();
      case 2: return kernel_ptr<T, 2>();
      case 3: return kernel_ptr<T, 3>();
      default: return kernel_ptr<T, 4>();
    }
  };
  switch (dt) {
    case Dt::kF32: return pick(float{});
    case Dt::kF16: return pick(__half{});
    case Dt::kBF16: return pick(__nv_bfloat16{});
  }
  return nullptr;
}

cudaLaunchConfig_t config(const AttnLayerArgs& a, cudaStream_t st, cudaLaunchAttribute (&attr)[2]) {
  return detail::cluster_launch_config(static_cast<unsigned>(a.blocks), kThreads, a.smem_bytes, st, a.blocks / a.n_head, attr);
}

unsigned long long* g_trace = nullptr;
std::size_t g_trace_entries = 0;
unsigned long long g_trace_launch = 0;

}  // namespace

void set_attn_layer_trace(unsigned long long* buffer, std::size_t entries) {
  g_trace = buffer;
  g_trace_entries = entries;
  g_trace_launch = 0;
}

std::size_t attn_layer_scratch_bytes(int rows, int n_embd) { return static_cast<std::size_t>(rows) * n_embd * 8; }

cudaError_t attn_layer_plan(AttnLayerArgs& a) {
  const int want = a.cluster;
  a.blocks = a.q_rows = a.out_rows = a.max_keys = 0;
  a.smem_bytes = 0;
  const int es = static_cast<int>(dt_size(a.dt));
  const int H = a.n_head, D = a.head_dim, E = H * D;
  auto no = [&](const char* why) {
    std::snprintf(g_detail, sizeof g_detail, "attn_layer: %s (H=%d D=%d rows=%d max_t=%d %s)", why, H, D, a.rows, a.max_t,
                  dt_name(a.dt));
    return cudaErrorNotSupported;
  };
  if (a.rows < 1 || a.rows > kGemvMaxRows) return no("rows outside 1..4");
  if (D < 1 || D > kMaxHeadDim || (D * es) % 16 != 0) return no("head_dim x dt_size must be a multiple of 16 bytes, head_dim <= 128");
  if (H < 1 || H > kFixedWordMaxAdds) return no("n_head outside 1..255 (the fixed-point word counts the heads)");
  if (E > kThreads * kPerThread) return no("n_embd above 2048");
  if (a.max_t < 1) return no("max_t < 1");
  int C = 0;
  if (want > 0) {
    if (want > kMaxCluster || (want & (want - 1)) != 0 || D % want != 0) return no("forced cluster size not 1/2/4/8 dividing head_dim");
    C = want;
  } else {
    for (C = kMaxCluster; C > 1 && D % C != 0; C /= 2) {
    }
  }
  const int dq = D / C, eo = E / C, kmax = (a.max_t + C - 1) / C;
  if (a.rows * eo > kThreads * kPerThread) return no("more than 2048 proj outputs per block");
  cudaError_t e = detail::device_limits();
  if (e != cudaSuccess) return e;
  void* kernel = kernel_for(a.dt, a.rows);
  cudaFuncAttributes fa{};
  e = cudaFuncGetAttributes(&fa, kernel);
  if (e != cudaSuccess) return e;
  const std::size_t smem = layout(a.rows, E, D, dq, eo, kmax, es).total;
  if (smem + fa.sharedSizeBytes > static_cast<std::size_t>(detail::g_smem_optin))
    return no("weights + key/value staging do not fit one block's shared memory (max_seq too long?)");
  a.blocks = H * C;
  a.q_rows = dq;
  a.out_rows = eo;
  a.max_keys = kmax;
  a.smem_bytes = smem;
  // A cluster of C such blocks must fit the device at all.
  e = detail::raise_dyn_smem(kernel, smem, "attn_layer");
  if (e != cudaSuccess) return e;
  cudaLaunchAttribute attr[2];
  cudaLaunchConfig_t cfg = config(a, nullptr, attr);
  cfg.numAttrs = 1;  // the cluster dimension alone
  int clusters = 0;
  e = cudaOccupancyMaxActiveClusters(&clusters, kernel, &cfg);
  if (e != cudaSuccess || clusters < 1) {
    cudaGetLastError();
    a.blocks = 0;
    return no("no cluster of this size fits the device");
  }
  return cudaSuccess;
}

cudaError_t launch_attn_layer(const AttnLayerArgs& a, cudaStream_t st) {
  if (a.blocks <= 0 || a.q_rows <= 0 || a.out_rows <= 0 || a.max_keys <= 0 || a.rows < 1 || a.rows > kGemvMaxRows ||
      a.x == nullptr || a.qkv_w == nullptr || a.proj_w == nullptr || a.k_cache == nullptr || a.v_cache == nullptr ||
      a.past_len == nullptr || a.scratch == nullptr || a.host_error == nullptr || a.ln_gamma == nullptr ||
      a.ln_beta == nullptr || (a.tokens != nullptr && (a.wte == nullptr || a.wpe == nullptr))) {
    std::snprintf(g_detail, sizeof g_detail, "attn_layer: arguments not planned or incomplete");
    return cudaErrorInvalidValue;
  }
  void* kernel = kernel_for(a.dt, a.rows);
  AttnLayerArgs b = a;
  b.trace = nullptr;
  const std::size_t slot = static_cast<std::size_t>(a.blocks) * kAttnLayerStamps;
  if (g_trace != nullptr && g_trace_entries >= slot)
    b.trace = g_trace + (g_trace_launch++ % (g_trace_entries / slot)) * slot;
  cudaError_t e = detail::raise_dyn_smem(kernel, a.smem_bytes, "attn_layer");
  if (e == cudaSuccess) e = detail::apply_carveout(kernel);
  if (e == cudaSuccess) {
    cudaLaunchAttribute attr[2];
    cudaLaunchConfig_t cfg = config(b, st, attr);
    void* args[] = {&b};
    e = cudaLaunchKernelExC(&cfg, kernel, args);
  }
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "attn_layer<es=%d,M=%d> blocks=%d cluster=%d smem=%zu H=%d D=%d: %s",
                  static_cast<int>(dt_size(a.dt)), a.rows, a.blocks, a.blocks / a.n_head, a.smem_bytes, a.n_head,
                  a.head_dim, cudaGetErrorName(e));
  return e;
}

}  // namespace sb::engine::cudak
