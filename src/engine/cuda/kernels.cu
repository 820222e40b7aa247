// engine/cuda/kernels.cu — the device kernels declared in kernels.h (one source of truth each).
// Why these shapes:
//  - Decode is memory-bound: the GEMV reads each weight row once with 16-byte loads, and fuses
//    the LayerNorm that feeds it (prologue) and the bias/gelu/residual/KV-append/argmax that
//    follow it (epilogue), so a decode layer is 5 kernels instead of ~10.
//  - Attention keeps one query per warp with an online softmax; keys are handled one per lane
//    (scores) and values one dimension per lane (accumulation), so any head dim 1..128 works,
//    including tiny-gpt2's 1.
#include "engine/cuda/kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/device_common.cuh"

namespace sb::engine::cudak {

using namespace detail;

const char* dt_name(Dt d) {
  switch (d) {
    case Dt::kF32: return "fp32";
    case Dt::kF16: return "fp16";
    case Dt::kBF16: return "bf16";
  }
  return "?";
}

namespace {

// ---------------------------------------------------------------- embedding
template <typename T>
__global__ void embed_kernel(T* x, const T* wte, const T* wpe, const std::int32_t* tokens,
                             const int* past_len, int rows, int seq, int E,
                             unsigned long long* slots, int n_slots) {
  pdl_trigger();
  pdl_wait();
  if (blockIdx.x == 0) {
    for (int i = threadIdx.x; i < n_slots; i += blockDim.x) slots[i] = 0ull;
  }
  const long long n = static_cast<long long>(rows) * E;
  const int past = *past_len;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int r = static_cast<int>(i / E), e = static_cast<int>(i % E);
    const int pos = past + r % seq;
    const long long tok = tokens[r];
    x[i] = from_f<T>(to_f(wte[tok * E + e]) + to_f(wpe[static_cast<long long>(pos) * E + e]));
  }
}

// ---------------------------------------------------------------- layernorm
template <typename T>
__global__ void layernorm_kernel(T* out, const T* in, long long in_stride, const float* gamma,
                                 const float* beta, int rows, int E, float eps) {
  pdl_trigger();
  pdl_wait();
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (warp >= rows) return;
  const T* x = in + warp * in_stride;
  float s = 0.0f;
  for (int k = lane; k < E; k += 32) s += to_f(x[k]);
  const float mean = warp_sum(s) / E;
  float q = 0.0f;
  for (int k = lane; k < E; k += 32) {
    const float d = to_f(x[k]) - mean;
    q += d * d;
  }
  const float rstd = 1.0f / sqrtf(warp_sum(q) / E + eps);
  T* y = out + static_cast<long long>(warp) * E;
  for (int k = lane; k < E; k += 32) y[k] = from_f<T>((to_f(x[k]) - mean) * rstd * gamma[k] + beta[k]);
}

// ---------------------------------------------------------------- KV append
template <typename T>
__global__ void kv_append_kernel(T* kc, T* vc, const T* qkv, const int* past_len, int B, int S,
                                 int H, int D, int max_t) {
  pdl_trigger();
  pdl_wait();
  const int E = H * D;
  const long long n = static_cast<long long>(B) * S * E;
  const int past = *past_len;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int r = static_cast<int>(i / E), hd = static_cast<int>(i % E);
    const int b = r / S, s = r % S, h = hd / D, d = hd % D;
    const long long dst = ((static_cast<long long>(b) * H + h) * max_t + past + s) * D + d;
    const T* row = qkv + static_cast<long long>(r) * 3 * E;
    kc[dst] = row[E + hd];
    vc[dst] = row[2 * E + hd];
  }
}

// ---------------------------------------------------------------- attention
template <typename T>
__device__ __forceinline__ float q_dot_k(const float* q_s, const T* k, int D) {
  constexpr int V = Vec16<T>::kN;
  float s = 0.0f;
  if (D % V == 0) {
    for (int d = 0; d < D; d += V) {
      float f[V];
      Vec16<T>::load(k + d, f);
#pragma unroll
      for (int i = 0; i < V; ++i) s += q_s[d + i] * f[i];
    }
  } else {
    for (int d = 0; d < D; ++d) s += q_s[d] * to_f(k[d]);
  }
  return s;
}

template <typename T, int NCH>
__global__ void __launch_bounds__(32) attention_kernel(T* out, const T* qkv, const T* kc,
                                                       const T* vc, const int* past_len, int S,
                                                       int H, int D, int max_t, float scale,
                                                       int split_keys, float* partial,
                                                       unsigned* counters) {
  pdl_trigger();
  pdl_wait();
  __shared__ float q_s[NCH * 32];
  const int lane = threadIdx.x;
  const int b = blockIdx.x / H, h = blockIdx.x % H, s = blockIdx.y, z = blockIdx.z;
  const int n_split = gridDim.z, E = H * D;
  const int n_keys = *past_len + s + 1;  // causal: keys 0 .. position
  const int k0 = z * split_keys, k1 = min(n_keys, k0 + split_keys);
  const T* q = qkv + static_cast<long long>(b * S + s) * 3 * E + h * D;
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) q_s[d] = to_f(q[d]) * scale;
  }
  __syncwarp();
  const long long head_base = (static_cast<long long>(b) * H + h) * max_t * D;
  const T* kb = kc + head_base;
  const T* vb = vc + head_base;
  float m = -INFINITY, l = 0.0f, acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) acc[c] = 0.0f;
  for (int t = k0; t < k1; t += 32) {
    const int j = t + lane;
    const float sc = j < k1 ? q_dot_k(q_s, kb + static_cast<long long>(j) * D, D) : -INFINITY;
    const float m_new = fmaxf(m, warp_max(sc));
    const float corr = expf(m - m_new);
    const float p = j < k1 ? expf(sc - m_new) : 0.0f;
    l = l * corr + warp_sum(p);
#pragma unroll
    for (int c = 0; c < NCH; ++c) acc[c] *= corr;
    const int cnt = min(32, k1 - t);
#pragma unroll 4
    for (int jj = 0; jj < cnt; ++jj) {
      const float pj = __shfl_sync(kFull, p, jj);
      const T* vr = vb + static_cast<long long>(t + jj) * D;
#pragma unroll
      for (int c = 0; c < NCH; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] += pj * to_f(vr[d]);
      }
    }
    m = m_new;
  }
  T* o = out + static_cast<long long>(b * S + s) * E + h * D;
  if (n_split == 1) {
    const float inv = 1.0f / l;
#pragma unroll
    for (int c = 0; c < NCH; ++c) {
      const int d = lane + 32 * c;
      if (d < D) o[d] = from_f<T>(acc[c] * inv);
    }
    return;
  }
  // Split keys: publish this block's (m, l, acc), and let the last block of the query combine.
  const long long qi = (static_cast<long long>(b) * H + h) * S + s;
  float* mine = partial + (qi * n_split + z) * (D + 2);
  if (lane == 0) {
    mine[0] = m;
    mine[1] = l;
  }
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) mine[2 + d] = acc[c];
  }
  __threadfence();
  __syncwarp();
  unsigned last = 0;
  if (lane == 0) last = atomicAdd(&counters[qi], 1u) == static_cast<unsigned>(n_split - 1);
  last = __shfl_sync(kFull, last, 0);
  if (!last) return;
  __threadfence();
  const float* all = partial + qi * n_split * (D + 2);
  float mx = -INFINITY;
  for (int zz = 0; zz < n_split; ++zz) mx = fmaxf(mx, __ldcg(all + zz * (D + 2)));
  float lsum = 0.0f, o_acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) o_acc[c] = 0.0f;
  for (int zz = 0; zz < n_split; ++zz) {
    const float* pz = all + zz * (D + 2);
    const float lz = __ldcg(pz + 1);
    if (!(lz > 0.0f)) continue;  // empty split
    const float w = expf(__ldcg(pz) - mx);
    lsum += lz * w;
#pragma unroll
    for (int c = 0; c < NCH; ++c) {
      const int d = lane + 32 * c;
      if (d < D) o_acc[c] += w * __ldcg(pz + 2 + d);
    }
  }
  const float inv = 1.0f / lsum;
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) o[d] = from_f<T>(o_acc[c] * inv);
  }
  if (lane == 0) counters[qi] = 0u;
}

// ---------------------------------------------------------------- decode attention, generation 3
// One block of W warps per (batch*head, query, split).  The split's keys [k0, k1) go to the warps
// in chunks of 32 (one key per lane for the score, as above); each chunk's values, contiguous in
// the cache, are copied into shared memory with cp.async while the same lanes load the keys, so a
// chunk costs one memory round trip instead of one per few keys; the warps' online-softmax states
// are combined in shared memory, and only a multi-block split goes through global partials.

constexpr int kAttn3MaxWarps = 8;

template <typename T, int NCH>
__global__ void __launch_bounds__(kAttn3MaxWarps * 32) attention3_kernel(
    T* out, const T* qkv, const T* kc, const T* vc, const int* past_len, int S, int H, int D,
    int max_t, float scale, int split_keys, float* partial, unsigned* counters) {
  pdl_trigger();
  pdl_wait();
  extern __shared__ __align__(16) unsigned char smem_raw[];  // W x 32 x D staged values
  __shared__ float q_s[NCH * 32];
  __shared__ float w_m[kAttn3MaxWarps], w_l[kAttn3MaxWarps];
  __shared__ float w_acc[kAttn3MaxWarps][NCH * 32];
  __shared__ unsigned last_s;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, W = blockDim.x >> 5;
  const int b = blockIdx.x / H, h = blockIdx.x % H, s = blockIdx.y, z = blockIdx.z;
  const int n_split = gridDim.z, E = H * D;
  const int n_keys = *past_len + s + 1;
  const int k0 = z * split_keys, k1 = min(n_keys, k0 + split_keys);
  const long long head_base = (static_cast<long long>(b) * H + h) * max_t * D;
  const T* kb = kc + head_base;
  const T* vb = vc + head_base;
  T* vs = reinterpret_cast<T*>(smem_raw) + static_cast<std::size_t>(warp) * 32 * D;
  const bool vec = (D * sizeof(T)) % 16 == 0;
  // Values of this warp's first chunk: start the copy before waiting for q.
  auto stage_values = [&](int t, int cnt) {
    const T* src = vb + static_cast<long long>(t) * D;
    if (vec) {
      const int nv = cnt * D * static_cast<int>(sizeof(T)) / 16;
      for (int i = lane; i < nv; i += 32)
        cp_async16(reinterpret_cast<uint4*>(vs) + i, reinterpret_cast<const uint4*>(src) + i);
    } else {
      for (int i = lane; i < cnt * D; i += 32) vs[i] = src[i];
    }
  };
  int t = k0 + warp * 32;
  if (t < k1) stage_values(t, min(32, k1 - t));
  const T* q = qkv + static_cast<long long>(b * S + s) * 3 * E + h * D;
  for (int d = tid; d < D; d += blockDim.x) q_s[d] = to_f(q[d]) * scale;
  __syncthreads();
  float m = -INFINITY, l = 0.0f, acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) acc[c] = 0.0f;
  for (; t < k1; t += W * 32) {
    const int cnt = min(32, k1 - t);
    if (t != k0 + warp * 32) stage_values(t, cnt);
    const int j = t + lane;
    const float sc = j < k1 ? q_dot_k(q_s, kb + static_cast<long long>(j) * D, D) : -INFINITY;
    const float m_new = fmaxf(m, warp_max(sc));
    const float corr = expf(m - m_new);
    const float p = j < k1 ? expf(sc - m_new) : 0.0f;
    l = l * corr + warp_sum(p);
#pragma unroll
    for (int c = 0; c < NCH; ++c) acc[c] *= corr;
    cp_async_wait_all();
    __syncwarp();
#pragma unroll 8
    for (int jj = 0; jj < cnt; ++jj) {
      const float pj = __shfl_sync(kFull, p, jj);
#pragma unroll
      for (int c = 0; c < NCH; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] += pj * to_f(vs[jj * D + d]);
      }
    }
    __syncwarp();  // the next chunk's copy overwrites vs
    m = m_new;
  }
  // Combine the warps: state (m, l, acc) of each warp -> the block's (mx, lsum, o).
  if (lane == 0) {
    w_m[warp] = m;
    w_l[warp] = l;
  }
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) w_acc[warp][d] = acc[c];
  }
  __syncthreads();
  float mx = -INFINITY;
  for (int w = 0; w < W; ++w) mx = fmaxf(mx, w_m[w]);
  float lsum = 0.0f;
  for (int w = 0; w < W; ++w)
    if (w_l[w] > 0.0f) lsum += w_l[w] * expf(w_m[w] - mx);
  auto block_o = [&](int d) {
    float o = 0.0f;
    for (int w = 0; w < W; ++w)
      if (w_l[w] > 0.0f) o += w_acc[w][d] * expf(w_m[w] - mx);
    return o;
  };
  T* o = out + static_cast<long long>(b * S + s) * E + h * D;
  if (n_split == 1) {
    const float inv = 1.0f / lsum;
    for (int d = tid; d < D; d += blockDim.x) o[d] = from_f<T>(block_o(d) * inv);
    return;
  }
  // Several blocks per query: publish (mx, lsum, o), the last block to finish combines.
  const long long qi = (static_cast<long long>(b) * H + h) * S + s;
  float* mine = partial + (qi * n_split + z) * (D + 2);
  if (tid == 0) {
    mine[0] = mx;
    mine[1] = lsum;
  }
  for (int d = tid; d < D; d += blockDim.x) mine[2 + d] = block_o(d);
  __threadfence();
  __syncthreads();
  if (tid == 0) last_s = atomicAdd(&counters[qi], 1u) == static_cast<unsigned>(n_split - 1);
  __syncthreads();
  if (!last_s) return;
  __threadfence();
  const float* all = partial + qi * n_split * (D + 2);
  float gmx = -INFINITY;
  for (int zz = 0; zz < n_split; ++zz) gmx = fmaxf(gmx, __ldcg(all + zz * (D + 2)));
  float gl = 0.0f;
  for (int zz = 0; zz < n_split; ++zz) {
    const float lz = __ldcg(all + zz * (D + 2) + 1);
    if (lz > 0.0f) gl += lz * expf(__ldcg(all + zz * (D + 2)) - gmx);
  }
  const float inv = 1.0f / gl;
  for (int d = tid; d < D; d += blockDim.x) {
    float acc_d = 0.0f;
    for (int zz = 0; zz < n_split; ++zz) {
      const float* pz = all + zz * (D + 2);
      const float lz = __ldcg(pz + 1);
      if (lz > 0.0f) acc_d += __ldcg(pz + 2 + d) * expf(__ldcg(pz) - gmx);
    }
    o[d] = from_f<T>(acc_d * inv);
  }
  __syncthreads();
  if (tid == 0) counters[qi] = 0u;
}

// ---------------------------------------------------------------- gelu (fallback)
template <typename T>
__global__ void gelu_kernel(T* x, std::size_t n) {
  pdl_trigger();
  pdl_wait();
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    x[i] = from_f<T>(gelu_new(to_f(x[i])));
}

// ---------------------------------------------------------------- GEMV
constexpr int kGemvThreads = 256;
constexpr int kGemvWarps = kGemvThreads / 32;
constexpr int kRowsPerWarp = 2;
constexpr int kRowsPerBlockIter = kGemvWarps * kRowsPerWarp;

template <typename T, int M, GemvEpilogue EPI>
__global__ void __launch_bounds__(kGemvThreads) gemv_kernel(GemvArgs a) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float scratch[33];
  __shared__ unsigned long long best_s[kGemvWarps][M];
  T* xs = reinterpret_cast<T*>(smem_raw);
  const int K = a.k_in, N = a.n_out;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const T* x = static_cast<const T*>(a.x);
  pdl_trigger();
  {
    // Weights don't depend on the previous kernel: start pulling this block's first rows into L2
    // while that kernel finishes.
    const int n_first = blockIdx.x * kRowsPerBlockIter;
    if (n_first < N) {
      const char* base = static_cast<const char*>(a.w) + static_cast<std::size_t>(n_first) * K * sizeof(T);
      const std::size_t bytes = static_cast<std::size_t>(min(kRowsPerBlockIter, N - n_first)) * K * sizeof(T);
      for (std::size_t off = static_cast<std::size_t>(tid) * 128; off < bytes; off += kGemvThreads * 128)
        asm volatile("prefetch.global.L2 [%0];" ::"l"(base + off));
    }
  }
  pdl_wait();

  // Prologue: stage the M input rows (LayerNorm'd when asked) in shared memory, rounded to T as
  // the cuBLASLt path rounds its LayerNorm output.
#pragma unroll
  for (int m = 0; m < M; ++m) {
    const T* xr = x + m * a.x_row_stride;
    if (a.ln_gamma != nullptr) {
      float s = 0.0f;
      for (int k = tid; k < K; k += kGemvThreads) s += to_f(xr[k]);
      const float mean = block_sum(s, scratch) / K;
      float q = 0.0f;
      for (int k = tid; k < K; k += kGemvThreads) {
        const float d = to_f(xr[k]) - mean;
        q += d * d;
      }
      const float rstd = 1.0f / sqrtf(block_sum(q, scratch) / K + a.ln_eps);
      for (int k = tid; k < K; k += kGemvThreads)
        xs[m * K + k] = from_f<T>((to_f(xr[k]) - mean) * rstd * a.ln_gamma[k] + a.ln_beta[k]);
    } else {
      for (int k = tid; k < K; k += kGemvThreads) xs[m * K + k] = xr[k];
    }
  }
  __syncthreads();

  const T* W = static_cast<const T*>(a.w);
  constexpr int V = Vec16<T>::kN;
  unsigned long long best[M];
#pragma unroll
  for (int m = 0; m < M; ++m) best[m] = 0ull;

  for (int n0 = blockIdx.x * kRowsPerBlockIter + warp * kRowsPerWarp; n0 < N;
       n0 += gridDim.x * kRowsPerBlockIter) {
    float acc[kRowsPerWarp][M];
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) acc[r][m] = 0.0f;
    const int nrows = min(kRowsPerWarp, N - n0);
    if (K % V == 0) {
#pragma unroll 2
      for (int k = lane * V; k < K; k += 32 * V) {
        float wv[kRowsPerWarp][V];
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) {
          if (r < nrows) {
            Vec16<T>::load_nc(W + static_cast<long long>(n0 + r) * K + k, wv[r]);
          } else {
#pragma unroll
            for (int i = 0; i < V; ++i) wv[r][i] = 0.0f;
          }
        }
#pragma unroll
        for (int m = 0; m < M; ++m) {
          float xv[V];
          Vec16<T>::load(xs + m * K + k, xv);
#pragma unroll
          for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
            for (int i = 0; i < V; ++i) acc[r][m] += wv[r][i] * xv[i];
        }
      }
    } else {
      for (int k = lane; k < K; k += 32) {
#pragma unroll
        for (int r = 0; r < kRowsPerWarp; ++r) {
          if (r < nrows) {
            const float wk = to_f(W[static_cast<long long>(n0 + r) * K + k]);
#pragma unroll
            for (int m = 0; m < M; ++m) acc[r][m] += wk * to_f(xs[m * K + k]);
          }
        }
      }
    }
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) acc[r][m] = warp_sum(acc[r][m]);

    if (lane == 0) {
      GemvSide<T, M, EPI, kRowsPerWarp> side;
      side.weights(a, n0, N);
      side.activations(a, n0, N);
      gemv_epilogue<T, M, EPI>(a, n0, nrows, acc, side, best);
    }
  }
  if constexpr (EPI == GemvEpilogue::kArgmax) {
    if (lane == 0) {
#pragma unroll
      for (int m = 0; m < M; ++m) best_s[warp][m] = best[m];
    }
    __syncthreads();
    if (tid < M) {
      unsigned long long bk = 0ull;
      for (int w = 0; w < kGemvWarps; ++w) bk = best_s[w][tid] > bk ? best_s[w][tid] : bk;
      atomicMax(&a.argmax_slots[tid], bk);
    }
  }
}

template <typename T, int M, GemvEpilogue EPI>
cudaError_t gemv_launch_t(const GemvArgs& a, cudaStream_t st) {
  const std::size_t smem = static_cast<std::size_t>(M) * a.k_in * sizeof(T);
  const cudaError_t stale = cudaGetLastError();  // an earlier unchecked failure is not ours
  cudaError_t e = device_limits();
  if (e != cudaSuccess) return e;
  if (smem > static_cast<std::size_t>(g_smem_optin)) {
    std::snprintf(g_detail, sizeof g_detail, "gemv: %zu B of shared memory > device limit %d", smem,
                  g_smem_optin);
    return cudaErrorInvalidValue;
  }
  // Raise the dynamic limit once per instantiation, always: dynamic + static shared memory must
  // fit the default 48 KiB otherwise (dynamic exactly 48 KiB plus the static scratch failed).
  static bool raised = false;
  if (!raised) {
    e = cudaFuncSetAttribute(gemv_kernel<T, M, EPI>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             g_smem_optin - 1024);
    if (e != cudaSuccess) return e;
    raised = true;
  }
  // Persistent-ish grid: enough blocks to fill the chip, each staging its input once.
  const int per_sm = smem <= 24 * 1024 ? 4 : (smem <= 48 * 1024 ? 2 : 1);
  const int want = (a.n_out + kRowsPerBlockIter - 1) / kRowsPerBlockIter;
  const int grid = want < g_sm_count * per_sm ? want : g_sm_count * per_sm;
  e = launch_k(gemv_kernel<T, M, EPI>, grid, kGemvThreads, smem, st, a);
  if (e != cudaSuccess) {
    cudaFuncAttributes fa{};
    cudaFuncGetAttributes(&fa, gemv_kernel<T, M, EPI>);
    std::snprintf(g_detail, sizeof g_detail,
                  "gemv<%s,M=%d,epi=%d> launch grid=%d block=%d smem=%zu N=%d K=%d: %s; stale error "
                  "before launch: %s; kernel regs=%d static_smem=%zu max_threads=%d "
                  "max_dyn_smem=%d sm_count=%d optin=%d",
                  dt_name(a.dt), M, static_cast<int>(EPI), grid, kGemvThreads, smem, a.n_out, a.k_in,
                  cudaGetErrorName(e), cudaGetErrorName(stale), fa.numRegs, fa.sharedSizeBytes,
                  fa.maxThreadsPerBlock, fa.maxDynamicSharedSizeBytes, g_sm_count, g_smem_optin);
  }
  return e;
}

template <typename T, int M>
cudaError_t gemv_dispatch_epi(const GemvArgs& a, cudaStream_t st) {
  switch (a.epilogue) {
    case GemvEpilogue::kStore: return gemv_launch_t<T, M, GemvEpilogue::kStore>(a, st);
    case GemvEpilogue::kGelu: return gemv_launch_t<T, M, GemvEpilogue::kGelu>(a, st);
    case GemvEpilogue::kResidual: return gemv_launch_t<T, M, GemvEpilogue::kResidual>(a, st);
    case GemvEpilogue::kQkvScatter: return gemv_launch_t<T, M, GemvEpilogue::kQkvScatter>(a, st);
    case GemvEpilogue::kArgmax: return gemv_launch_t<T, M, GemvEpilogue::kArgmax>(a, st);
  }
  return cudaErrorInvalidValue;
}

template <typename T>
cudaError_t gemv_dispatch_rows(const GemvArgs& a, cudaStream_t st) {
  switch (a.rows) {
    case 1: return gemv_dispatch_epi<T, 1>(a, st);
    case 2: return gemv_dispatch_epi<T, 2>(a, st);
    case 3: return gemv_dispatch_epi<T, 3>(a, st);
    case 4: return gemv_dispatch_epi<T, 4>(a, st);
  }
  return cudaErrorInvalidValue;
}


// ---------------------------------------------------------------- quantized GEMV (int8 / fp8)
// Same structure as gemv_kernel (fp16 activations; block stages the M input rows once; each warp
// owns kRowsPerWarp output rows per iteration and reads each weight row once with 16-byte loads,
// i.e. 16 weights per load instead of 8), with the input quantized while staged:
//  int8: staged as int8, 4 x dp4a per 16 bytes, exact int32 sums;
//  fp8:  staged as the fp16 value of its E4M3 code (exact), weights converted pairwise to fp16,
//        fp32 FMAs.

template <int Q, int M, GemvEpilogue EPI>
__global__ void __launch_bounds__(kGemvThreads) qgemv_kernel(GemvArgs a) {
  using T = __half;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float scratch[33];
  const int K = a.k_in, N = a.n_out;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const T* x = static_cast<const T*>(a.x);
  pdl_trigger();
  {
    const int n_first = blockIdx.x * kRowsPerBlockIter;
    if (n_first < N) {
      const char* base = static_cast<const char*>(a.w) + static_cast<std::size_t>(n_first) * K;
      const std::size_t bytes = static_cast<std::size_t>(min(kRowsPerBlockIter, N - n_first)) * K;
      for (std::size_t off = static_cast<std::size_t>(tid) * 128; off < bytes; off += kGemvThreads * 128)
        asm volatile("prefetch.global.L2 [%0];" ::"l"(base + off));
    }
  }
  pdl_wait();
  signed char* xs8 = reinterpret_cast<signed char*>(smem_raw);  // Q == 1
  T* xsh = reinterpret_cast<T*>(smem_raw);                        // Q == 2
  const float inv = a.x_inv_scale;
  auto stage = [&](int m, int k, float v) {
    const float h = __half2float(__float2half_rn(v));  // fp16 activation, as on the prefill path
    if constexpr (Q == 1) {
      xs8[m * K + k] = static_cast<signed char>(float_to_int8(h * inv));
    } else {
      xsh[m * K + k] = __float2half_rn(fp8_code_to_float(float_to_fp8_code(h * inv)));
    }
  };
#pragma unroll
  for (int m = 0; m < M; ++m) {
    const T* xr = x + m * a.x_row_stride;
    if (a.ln_gamma != nullptr) {
      float s = 0.0f;
      for (int k = tid; k < K; k += kGemvThreads) s += to_f(xr[k]);
      const float mean = block_sum(s, scratch) / K;
      float q = 0.0f;
      for (int k = tid; k < K; k += kGemvThreads) {
        const float d = to_f(xr[k]) - mean;
        q += d * d;
      }
      const float rstd = 1.0f / sqrtf(block_sum(q, scratch) / K + a.ln_eps);
      for (int k = tid; k < K; k += kGemvThreads)
        stage(m, k, (to_f(xr[k]) - mean) * rstd * a.ln_gamma[k] + a.ln_beta[k]);
    } else {
      for (int k = tid; k < K; k += kGemvThreads) stage(m, k, to_f(xr[k]));
    }
  }
  __syncthreads();

  const unsigned char* W = static_cast<const unsigned char*>(a.w);
  unsigned long long best[M];
#pragma unroll
  for (int m = 0; m < M; ++m) best[m] = 0ull;
  for (int n0 = blockIdx.x * kRowsPerBlockIter + warp * kRowsPerWarp; n0 < N;
       n0 += gridDim.x * kRowsPerBlockIter) {
    const int nrows = min(kRowsPerWarp, N - n0);
    float acc[kRowsPerWarp][M];
    if constexpr (Q == 1) {
      int iacc[kRowsPerWarp][M];
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m) iacc[r][m] = 0;
      if (K % 16 == 0) {
#pragma unroll 2
        for (int k = lane * 16; k < K; k += 32 * 16) {
          int4 wv[kRowsPerWarp];
#pragma unroll
          for (int r = 0; r < kRowsPerWarp; ++r)
            wv[r] = r < nrows ? __ldg(reinterpret_cast<const int4*>(W + static_cast<long long>(n0 + r) * K + k))
                              : make_int4(0, 0, 0, 0);
#pragma unroll
          for (int m = 0; m < M; ++m) {
            const int4 xv = *reinterpret_cast<const int4*>(xs8 + m * K + k);
#pragma unroll
            for (int r = 0; r < kRowsPerWarp; ++r) {
              int t = iacc[r][m];
              t = __dp4a(wv[r].x, xv.x, t);
              t = __dp4a(wv[r].y, xv.y, t);
              t = __dp4a(wv[r].z, xv.z, t);
              t = __dp4a(wv[r].w, xv.w, t);
              iacc[r][m] = t;
            }
          }
        }
      } else {
        for (int k = lane; k < K; k += 32) {
#pragma unroll
          for (int r = 0; r < kRowsPerWarp; ++r) {
            if (r < nrows) {
              const int wk = static_cast<signed char>(W[static_cast<long long>(n0 + r) * K + k]);
#pragma unroll
              for (int m = 0; m < M; ++m) iacc[r][m] += wk * static_cast<int>(xs8[m * K + k]);
            }
          }
        }
      }
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m) acc[r][m] = static_cast<float>(__reduce_add_sync(kFull, iacc[r][m]));
    } else {
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m) acc[r][m] = 0.0f;
      if (K % 16 == 0) {
#pragma unroll 2
        for (int k = lane * 16; k < K; k += 32 * 16) {
          float wv[kRowsPerWarp][16];
#pragma unroll
          for (int r = 0; r < kRowsPerWarp; ++r) {
            const uint4 u = r < nrows ? __ldg(reinterpret_cast<const uint4*>(W + static_cast<long long>(n0 + r) * K + k))
                                      : make_uint4(0, 0, 0, 0);
            const unsigned words[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
              const __half2_raw lo = __nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(words[j] & 0xFFFFu), __NV_E4M3);
              const __half2_raw hi = __nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(words[j] >> 16), __NV_E4M3);
              const float2 flo = __half22float2(__half2(lo)), fhi = __half22float2(__half2(hi));
              wv[r][4 * j + 0] = flo.x;
              wv[r][4 * j + 1] = flo.y;
              wv[r][4 * j + 2] = fhi.x;
              wv[r][4 * j + 3] = fhi.y;
            }
          }
#pragma unroll
          for (int m = 0; m < M; ++m) {
            float xv[16];
            Vec16<T>::load(xsh + m * K + k, *reinterpret_cast<float(*)[8]>(xv));
            Vec16<T>::load(xsh + m * K + k + 8, *reinterpret_cast<float(*)[8]>(xv + 8));
#pragma unroll
            for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
              for (int i = 0; i < 16; ++i) acc[r][m] += wv[r][i] * xv[i];
          }
        }
      } else {
        for (int k = lane; k < K; k += 32) {
#pragma unroll
          for (int r = 0; r < kRowsPerWarp; ++r) {
            if (r < nrows) {
              const float wk = fp8_code_to_float(W[static_cast<long long>(n0 + r) * K + k]);
#pragma unroll
              for (int m = 0; m < M; ++m) acc[r][m] += wk * __half2float(xsh[m * K + k]);
            }
          }
        }
      }
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m) acc[r][m] = warp_sum(acc[r][m]);
    }
    if (lane == 0) {
#pragma unroll
      for (int r = 0; r < kRowsPerWarp; ++r) {
        const float sc = r < nrows ? a.x_scale * a.w_scale[n0 + r] : 0.0f;
#pragma unroll
        for (int m = 0; m < M; ++m) acc[r][m] *= sc;
      }
      GemvSide<T, M, EPI, kRowsPerWarp> side;
      side.weights(a, n0, N);
      side.activations(a, n0, N);
      gemv_epilogue<T, M, EPI>(a, n0, nrows, acc, side, best);
    }
  }
}

template <int Q, int M, GemvEpilogue EPI>
cudaError_t qgemv_launch_t(const GemvArgs& a, cudaStream_t st) {
  const std::size_t smem = static_cast<std::size_t>(M) * a.k_in * (Q == 1 ? 1 : 2);
  cudaError_t e = device_limits();
  if (e != cudaSuccess) return e;
  if (smem > static_cast<std::size_t>(g_smem_optin) - 1024) {
    std::snprintf(g_detail, sizeof g_detail, "qgemv: %zu B of shared memory > device limit %d", smem,
                  g_smem_optin);
    return cudaErrorInvalidValue;
  }
  static bool raised = false;
  if (!raised) {
    e = cudaFuncSetAttribute(qgemv_kernel<Q, M, EPI>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             g_smem_optin - 1024);
    if (e != cudaSuccess) return e;
    raised = true;
  }
  const int per_sm = smem <= 24 * 1024 ? 4 : (smem <= 48 * 1024 ? 2 : 1);
  const int want = (a.n_out + kRowsPerBlockIter - 1) / kRowsPerBlockIter;
  const int grid = want < g_sm_count * per_sm ? want : g_sm_count * per_sm;
  e = launch_k(qgemv_kernel<Q, M, EPI>, grid, kGemvThreads, smem, st, a);
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "qgemv<%d,M=%d,epi=%d> grid=%d smem=%zu N=%d K=%d: %s", Q,
                  M, static_cast<int>(EPI), grid, smem, a.n_out, a.k_in, cudaGetErrorName(e));
  return e;
}

template <int Q, int M>
cudaError_t qgemv_dispatch_epi(const GemvArgs& a, cudaStream_t st) {
  switch (a.epilogue) {
    case GemvEpilogue::kStore: return qgemv_launch_t<Q, M, GemvEpilogue::kStore>(a, st);
    case GemvEpilogue::kGelu: return qgemv_launch_t<Q, M, GemvEpilogue::kGelu>(a, st);
    case GemvEpilogue::kResidual: return qgemv_launch_t<Q, M, GemvEpilogue::kResidual>(a, st);
    case GemvEpilogue::kQkvScatter: return qgemv_launch_t<Q, M, GemvEpilogue::kQkvScatter>(a, st);
    case GemvEpilogue::kArgmax: break;  // the LM head stays fp16
  }
  std::snprintf(g_detail, sizeof g_detail, "qgemv: the argmax epilogue (LM head) has no quantized variant");
  return cudaErrorInvalidValue;
}

template <int Q>
cudaError_t qgemv_dispatch_rows(const GemvArgs& a, cudaStream_t st) {
  switch (a.rows) {
    case 1: return qgemv_dispatch_epi<Q, 1>(a, st);
    case 2: return qgemv_dispatch_epi<Q, 2>(a, st);
    case 3: return qgemv_dispatch_epi<Q, 3>(a, st);
    case 4: return qgemv_dispatch_epi<Q, 4>(a, st);
  }
  return cudaErrorInvalidValue;
}

// ---------------------------------------------------------------- quantized prefill helpers
template <int Q>
__global__ void quantize_rows_kernel(unsigned char* out, const __half* in, long long ld, int rows,
                                     int K, float inv) {
  pdl_trigger();
  pdl_wait();
  const long long n = static_cast<long long>(rows) * K;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int r = static_cast<int>(i / K), k = static_cast<int>(i % K);
    const float v = __half2float(in[r * ld + k]) * inv;
    out[i] = Q == 1 ? static_cast<unsigned char>(static_cast<signed char>(float_to_int8(v)))
                    : float_to_fp8_code(v);
  }
}

template <int Q>
__global__ void dequant_kernel(__half* out, long long ldo, const void* acc, int rows, int N,
                               float x_scale, const float* w_scale, const __half* bias, int epi) {
  pdl_trigger();
  pdl_wait();
  const long long n = static_cast<long long>(rows) * N;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int m = static_cast<int>(i / N), c = static_cast<int>(i % N);
    const float av = Q == 1 ? static_cast<float>(static_cast<const int*>(acc)[i])
                            : static_cast<const float*>(acc)[i];
    float v = av * (x_scale * w_scale[c]) + (bias != nullptr ? __half2float(bias[c]) : 0.0f);
    __half* o = out + m * ldo + c;
    if (epi == static_cast<int>(DequantEpilogue::kGelu)) v = gelu_new(v);
    if (epi == static_cast<int>(DequantEpilogue::kResidual)) v += __half2float(*o);
    *o = __float2half_rn(v);
  }
}

template <int Q>
__global__ void qgemm_simple_kernel(void* acc, const unsigned char* xq, const unsigned char* wq,
                                    int M, int N, int K) {
  pdl_trigger();
  pdl_wait();
  __shared__ float xs_f[16][17], ws_f[16][17];
  __shared__ int xs_i[16][17], ws_i[16][17];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int n = blockIdx.x * 16 + tx, m = blockIdx.y * 16 + ty;
  int ia = 0;
  float fa = 0.0f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    // xs[ty][tx] = x[m, k0 + tx]; ws[ty][tx] = w[blockIdx.x*16 + ty, k0 + tx]
    const int kx = k0 + tx;
    const int wn = blockIdx.x * 16 + ty;
    const bool xin = m < M && kx < K, win = wn < N && kx < K;
    const unsigned char xb = xin ? xq[static_cast<long long>(m) * K + kx] : 0;
    const unsigned char wb = win ? wq[static_cast<long long>(wn) * K + kx] : 0;
    if constexpr (Q == 1) {
      xs_i[ty][tx] = static_cast<signed char>(xb);
      ws_i[ty][tx] = static_cast<signed char>(wb);
    } else {
      xs_f[ty][tx] = fp8_code_to_float(xb);
      ws_f[ty][tx] = fp8_code_to_float(wb);
    }
    __syncthreads();
#pragma unroll
    for (int j = 0; j < 16; ++j) {
      if constexpr (Q == 1) ia += xs_i[ty][j] * ws_i[tx][j];
      else fa += xs_f[ty][j] * ws_f[tx][j];
    }
    __syncthreads();
  }
  if (m < M && n < N) {
    if constexpr (Q == 1) static_cast<int*>(acc)[static_cast<long long>(m) * N + n] = ia;
    else static_cast<float*>(acc)[static_cast<long long>(m) * N + n] = fa;
  }
}

// One warp per row: amax, scale, quantize (synthetic engines only).
template <int Q>
__global__ void quantize_weight_rows_kernel(unsigned char* wq, float* scales, const __half* w, int N,
                                            int K) {
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (row >= N) return;
  const __half* wr = w + static_cast<long long>(row) * K;
  float amax = 0.0f;
  for (int k = lane; k < K; k += 32) amax = fmaxf(amax, fabsf(__half2float(wr[k])));
  amax = warp_max(amax);
  const float s = amax > 0.0f ? amax / (Q == 1 ? 127.0f : 448.0f) : 1.0f;
  if (lane == 0) scales[row] = s;
  for (int k = lane; k < K; k += 32) {
    const float v = __half2float(wr[k]) / s;
    wq[static_cast<long long>(row) * K + k] =
        Q == 1 ? static_cast<unsigned char>(static_cast<signed char>(float_to_int8(v)))
               : float_to_fp8_code(v);
  }
}

// ---------------------------------------------------------------- argmax over rows
__global__ void argmax_rows_kernel(const float* logits, int V, long long stride,
                                   unsigned long long* slots) {
  pdl_trigger();
  pdl_wait();
  __shared__ unsigned long long part[32];
  const float* row = logits + blockIdx.x * stride;
  unsigned long long best = 0ull;
  for (int i = threadIdx.x; i < V; i += blockDim.x) {
    const unsigned long long k = argmax_key(row[i], static_cast<std::uint32_t>(i));
    best = k > best ? k : best;
  }
  best = warp_max_u64(best);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) part[warp] = best;
  __syncthreads();
  if (warp == 0) {
    best = lane < static_cast<int>(blockDim.x >> 5) ? part[lane] : 0ull;
    best = warp_max_u64(best);
    if (lane == 0) slots[blockIdx.x] = best;
  }
}

// ---------------------------------------------------------------- weight preparation
template <typename T>
__global__ void convert_kernel(T* dst, const float* src, std::size_t n) {
  pdl_trigger();
  pdl_wait();
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    dst[i] = from_f<T>(src[i]);
}

template <typename T>
__global__ void transpose_convert_kernel(T* dst, const float* src, int in, int out) {
  pdl_trigger();
  pdl_wait();
  // 32x32 tiles through shared memory so both sides are coalesced.
  __shared__ float tile[32][33];
  const int i0 = blockIdx.y * 32, o0 = blockIdx.x * 32;
  for (int r = threadIdx.y; r < 32; r += blockDim.y) {
    const int i = i0 + r, o = o0 + threadIdx.x;
    if (i < in && o < out) tile[r][threadIdx.x] = src[static_cast<long long>(i) * out + o];
  }
  __syncthreads();
  for (int r = threadIdx.y; r < 32; r += blockDim.y) {
    const int o = o0 + r, i = i0 + threadIdx.x;
    if (i < in && o < out) dst[static_cast<long long>(o) * in + i] = from_f<T>(tile[threadIdx.x][r]);
  }
}

__device__ __forceinline__ std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

template <typename T>
__global__ void fill_normal_kernel(T* dst, std::size_t n, std::uint64_t seed, std::uint64_t stream,
                                   float mean, float stddev) {
  pdl_trigger();
  pdl_wait();
  const std::uint64_t base = splitmix64(seed ^ splitmix64(stream));
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::uint64_t h = splitmix64(base + i);
    const float u1 = (static_cast<float>(h >> 40) + 1.0f) * (1.0f / 16777216.0f);  // (0, 1]
    const float u2 = static_cast<float>(h & 0xFFFFFFull) * (1.0f / 16777216.0f);   // [0, 1)
    const float z = sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2);
    dst[i] = from_f<T>(mean + stddev * z);
  }
}

template <typename F>
cudaError_t by_type(Dt dt, F&& f) {
  switch (dt) {
    case Dt::kF32: return f(float{});
    case Dt::kF16: return f(__half{});
    case Dt::kBF16: return f(__nv_bfloat16{});
  }
  return cudaErrorInvalidValue;
}

unsigned grid_for(std::size_t n, unsigned threads) {
  const unsigned b = blocks_for(n, threads);
  return b > 65536u ? 65536u : b;
}

}  // namespace

cudaError_t launch_embed(Dt dt, void* x, const void* wte, const void* wpe,
                         const std::int32_t* tokens, const int* past_len, int rows, int seq,
                         int n_embd, unsigned long long* slots, int n_slots, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    return launch_k(embed_kernel<T>, grid_for(static_cast<std::size_t>(rows) * n_embd, 256), 256, 0,
                    st, static_cast<T*>(x), static_cast<const T*>(wte), static_cast<const T*>(wpe),
                    tokens, past_len, rows, seq, n_embd, slots, n_slots);
  });
}

cudaError_t launch_layernorm(Dt dt, void* out, const void* in, long long in_row_stride,
                             const float* gamma, const float* beta, int rows, int n_embd,
                             float eps, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    return launch_k(layernorm_kernel<T>, blocks_for(static_cast<std::size_t>(rows) * 32, 128), 128,
                    0, st, static_cast<T*>(out), static_cast<const T*>(in), in_row_stride, gamma,
                    beta, rows, n_embd, eps);
  });
}

cudaError_t launch_kv_append(Dt dt, void* k_cache, void* v_cache, const void* qkv,
                             const int* past_len, int batch, int seq, int n_head, int head_dim,
                             int max_t, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    const std::size_t n = static_cast<std::size_t>(batch) * seq * n_head * head_dim;
    return launch_k(kv_append_kernel<T>, grid_for(n, 256), 256, 0, st, static_cast<T*>(k_cache),
                    static_cast<T*>(v_cache), static_cast<const T*>(qkv), past_len, batch, seq,
                    n_head, head_dim, max_t);
  });
}

cudaError_t launch_attention(Dt dt, void* out, const void* qkv, const void* k_cache,
                             const void* v_cache, const int* past_len, int batch, int seq,
                             int n_head, int head_dim, int max_t, float scale, int n_split,
                             int split_keys, float* partial, unsigned* counters, cudaStream_t st) {
  if (head_dim < 1 || head_dim > kMaxHeadDim || n_split < 1 || seq > 65535 || n_split > 65535)
    return cudaErrorInvalidValue;
  if (n_split > 1 && (partial == nullptr || counters == nullptr)) return cudaErrorInvalidValue;
  if (n_split == 1) split_keys = max_t;  // one block sees every key of its query
  // Every cache position must belong to some split.
  if (static_cast<long long>(n_split) * split_keys < max_t) return cudaErrorInvalidValue;
  const dim3 grid(static_cast<unsigned>(batch * n_head), static_cast<unsigned>(seq),
                  static_cast<unsigned>(n_split));
  const int nch = (head_dim + 31) / 32;
  if (g_kernel_version >= 3 && seq == 1) {
    // Decode: warps of a block split the keys; staged values capped at 40 KiB of shared memory
    // (with the static arrays under the 48 KiB that needs no opt-in).
    const std::size_t per_warp = 32ull * head_dim * dt_size(dt);
    const int warps = static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(kAttn3MaxWarps, 40960 / per_warp)));
    return by_type(dt, [&](auto t) {
      using T = decltype(t);
      auto args = [&](auto kernel) {
        return launch_k(kernel, grid, warps * 32, warps * per_warp, st, static_cast<T*>(out),
                        static_cast<const T*>(qkv), static_cast<const T*>(k_cache),
                        static_cast<const T*>(v_cache), past_len, seq, n_head, head_dim, max_t,
                        scale, split_keys, partial, counters);
      };
      switch (nch) {
        case 1: return args(attention3_kernel<T, 1>);
        case 2: return args(attention3_kernel<T, 2>);
        case 3: return args(attention3_kernel<T, 3>);
        default: return args(attention3_kernel<T, 4>);
      }
    });
  }
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    auto args = [&](auto kernel) {
      return launch_k(kernel, grid, 32, 0, st, static_cast<T*>(out), static_cast<const T*>(qkv),
                      static_cast<const T*>(k_cache), static_cast<const T*>(v_cache), past_len, seq,
                      n_head, head_dim, max_t, scale, split_keys, partial, counters);
    };
    switch (nch) {
      case 1: return args(attention_kernel<T, 1>);
      case 2: return args(attention_kernel<T, 2>);
      case 3: return args(attention_kernel<T, 3>);
      default: return args(attention_kernel<T, 4>);
    }
  });
}

cudaError_t launch_gelu_inplace(Dt dt, void* x, std::size_t n, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    return launch_k(gelu_kernel<T>, grid_for(n, 256), 256, 0, st, static_cast<T*>(x), n);
  });
}

const char* last_launch_detail() { return g_detail; }
void set_programmatic_launch(bool on) { g_pdl = on; }
bool programmatic_launch() { return g_pdl; }
void set_kernel_version(int v) { g_kernel_version = v >= 3 ? 3 : 2; }
int kernel_version() { return g_kernel_version; }
void set_gemv_tuning(unsigned bits) {
  g_gemv_tuning = bits & (kGemvStageAsync | kGemvPrefetchL2 | kGemvStageRegs);
}
unsigned gemv_tuning() { return g_gemv_tuning; }


const char* wquant_name(WQuant q) {
  switch (q) {
    case WQuant::kNone: return "none";
    case WQuant::kInt8: return "int8";
    case WQuant::kFp8: return "fp8";
  }
  return "?";
}

cudaError_t launch_quantize_rows(WQuant q, void* out, const void* in_f16, long long in_row_stride,
                                 int rows, int k, float inv_scale, cudaStream_t st) {
  const unsigned g = grid_for(static_cast<std::size_t>(rows) * k, 256);
  auto* o = static_cast<unsigned char*>(out);
  auto* in = static_cast<const __half*>(in_f16);
  if (q == WQuant::kInt8) return launch_k(quantize_rows_kernel<1>, g, 256, 0, st, o, in, in_row_stride, rows, k, inv_scale);
  if (q == WQuant::kFp8) return launch_k(quantize_rows_kernel<2>, g, 256, 0, st, o, in, in_row_stride, rows, k, inv_scale);
  return cudaErrorInvalidValue;
}

cudaError_t launch_dequant(WQuant q, void* out_f16, long long ldo, const void* acc, int rows, int n,
                           float x_scale, const float* w_scale, const void* bias_f16,
                           DequantEpilogue epi, cudaStream_t st) {
  const unsigned g = grid_for(static_cast<std::size_t>(rows) * n, 256);
  auto* o = static_cast<__half*>(out_f16);
  auto* b = static_cast<const __half*>(bias_f16);
  const int e = static_cast<int>(epi);
  if (q == WQuant::kInt8) return launch_k(dequant_kernel<1>, g, 256, 0, st, o, ldo, acc, rows, n, x_scale, w_scale, b, e);
  if (q == WQuant::kFp8) return launch_k(dequant_kernel<2>, g, 256, 0, st, o, ldo, acc, rows, n, x_scale, w_scale, b, e);
  return cudaErrorInvalidValue;
}

cudaError_t launch_qgemm_simple(WQuant q, void* acc, const void* xq, const void* wq, int rows, int n,
                                int k, cudaStream_t st) {
  if (rows < 1 || n < 1 || k < 1 || rows > 65535 * 16) return cudaErrorInvalidValue;
  const dim3 grid((n + 15) / 16, (rows + 15) / 16), block(16, 16);
  auto* x = static_cast<const unsigned char*>(xq);
  auto* w = static_cast<const unsigned char*>(wq);
  if (q == WQuant::kInt8) return launch_k(qgemm_simple_kernel<1>, grid, block, 0, st, acc, x, w, rows, n, k);
  if (q == WQuant::kFp8) return launch_k(qgemm_simple_kernel<2>, grid, block, 0, st, acc, x, w, rows, n, k);
  return cudaErrorInvalidValue;
}

cudaError_t launch_quantize_weight_rows(WQuant q, void* wq, float* scales, const void* w_f16, int n,
                                        int k, cudaStream_t st) {
  const unsigned g = blocks_for(static_cast<std::size_t>(n) * 32, 256);
  auto* o = static_cast<unsigned char*>(wq);
  auto* w = static_cast<const __half*>(w_f16);
  if (q == WQuant::kInt8) quantize_weight_rows_kernel<1><<<g, 256, 0, st>>>(o, scales, w, n, k);
  else if (q == WQuant::kFp8) quantize_weight_rows_kernel<2><<<g, 256, 0, st>>>(o, scales, w, n, k);
  else return cudaErrorInvalidValue;
  return cudaGetLastError();
}

cudaError_t launch_gemv(const GemvArgs& a, cudaStream_t st) {
  if (a.rows < 1 || a.rows > kGemvMaxRows || a.n_out < 1 || a.k_in < 1) return cudaErrorInvalidValue;
  if (g_kernel_version >= 3) {
    if (a.wq != WQuant::kNone && (a.dt != Dt::kF16 || a.w_scale == nullptr)) {
      std::snprintf(g_detail, sizeof g_detail, "qgemv needs fp16 activations and weight scales");
      return cudaErrorInvalidValue;
    }
    GemvArgs t = a;
    t.tuning = g_gemv_tuning;
    return launch_gemv_v3(t, st);
  }
  if (a.wq != WQuant::kNone) {
    if (a.dt != Dt::kF16 || a.w_scale == nullptr) {
      std::snprintf(g_detail, sizeof g_detail, "qgemv needs fp16 activations and weight scales");
      return cudaErrorInvalidValue;
    }
    return a.wq == WQuant::kInt8 ? qgemv_dispatch_rows<1>(a, st) : qgemv_dispatch_rows<2>(a, st);
  }
  switch (a.dt) {
    case Dt::kF32: return gemv_dispatch_rows<float>(a, st);
    case Dt::kF16: return gemv_dispatch_rows<__half>(a, st);
    case Dt::kBF16: return gemv_dispatch_rows<__nv_bfloat16>(a, st);
  }
  return cudaErrorInvalidValue;
}

cudaError_t launch_argmax_rows(const float* logits, int rows, int vocab, long long row_stride,
                               unsigned long long* slots, cudaStream_t st) {
  if (rows < 1) return cudaSuccess;
  return launch_k(argmax_rows_kernel, rows, 1024, 0, st, logits, vocab, row_stride, slots);
}

cudaError_t launch_convert(Dt dt, void* dst, const float* src, std::size_t n, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    convert_kernel<T><<<grid_for(n, 256), 256, 0, st>>>(static_cast<T*>(dst), src, n);
    return cudaGetLastError();
  });
}

cudaError_t launch_transpose_convert(Dt dt, void* dst, const float* src, int in, int out,
                                     cudaStream_t st) {
  const dim3 grid((out + 31) / 32, (in + 31) / 32), block(32, 8);
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    transpose_convert_kernel<T><<<grid, block, 0, st>>>(static_cast<T*>(dst), src, in, out);
    return cudaGetLastError();
  });
}

cudaError_t launch_fill_normal(Dt dt, void* dst, std::size_t n, std::uint64_t seed,
                               std::uint64_t stream_id, float mean, float stddev, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    fill_normal_kernel<T><<<grid_for(n, 256), 256, 0, st>>>(static_cast<T*>(dst), n, seed,
                                                             stream_id, mean, stddev);
    return cudaGetLastError();
  });
}

cudaError_t launch_fill_normal_f32(float* dst, std::size_t n, std::uint64_t seed,
                                   std::uint64_t stream_id, float mean, float stddev,
                                   cudaStream_t st) {
  return launch_fill_normal(Dt::kF32, dst, n, seed, stream_id, mean, stddev, st);
}

}  // namespace sb::engine::cudak
