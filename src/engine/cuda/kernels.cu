// engine/cuda/kernels.cu — the device kernels declared in kernels.h (one source of truth each).
// Why these shapes:
//  - Decode is memory-bound: the GEMV (gemv.cu) reads each weight row once with 16-byte loads,
//    and fuses the LayerNorm that feeds it (prologue) and the bias/gelu/residual/KV-append/argmax
//    that follow it (epilogue), so a decode layer is 5 kernels instead of ~10.
//  - Prefill attention keeps one query per warp with an online softmax; keys are handled one per
//    lane (scores) and values one dimension per lane (accumulation), so any head dim 1..128
//    works, including tiny-gpt2's 1.  Decode attention (one query per sequence) gives a block of
//    warps to each (sequence, head), the warps splitting the keys.
#include "engine/cuda/kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

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

// The same LayerNorm with the row held in registers: each lane loads its C 16-byte chunks (lane,
// lane + 32, ...) at once, so a row costs one round trip of loads instead of ~E/32 dependent
// 2-byte loads per pass over it (ncu, gpt2 prefill 1x8: the scalar kernel took 13 us per call, 24
// calls = 39% of the eager prefill's device time; docs/perf-cuda.md, session 7).  Needs E a
// multiple of the vector width, 16-byte aligned rows and E <= 32 * C * vector width.
template <typename T, int C>
__global__ void layernorm_vec_kernel(T* out, const T* in, long long in_stride, const float* gamma,
                                     const float* beta, int rows, int E, float eps) {
  constexpr int V = Vec16<T>::kN;
  pdl_trigger();
  pdl_wait();
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (warp >= rows) return;
  const T* x = in + warp * in_stride;
  const int chunks = E / V;
  float v[C][V];
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < C; ++j) {
    const int c = lane + 32 * j;
    if (c < chunks) {
      Vec16<T>::load(x + c * V, v[j]);
#pragma unroll
      for (int i = 0; i < V; ++i) s += v[j][i];
    }
  }
  const float mean = warp_sum(s) / E;
  float q = 0.0f;
#pragma unroll
  for (int j = 0; j < C; ++j)
    if (lane + 32 * j < chunks) {
#pragma unroll
      for (int i = 0; i < V; ++i) {
        const float d = v[j][i] - mean;
        q += d * d;
      }
    }
  const float rstd = 1.0f / sqrtf(warp_sum(q) / E + eps);
  T* y = out + static_cast<long long>(warp) * E;
#pragma unroll
  for (int j = 0; j < C; ++j) {
    const int c = lane + 32 * j;
    if (c < chunks) {
      union { uint4 u; T t[V]; } o;
#pragma unroll
      for (int i = 0; i < V; ++i) o.t[i] = from_f<T>((v[j][i] - mean) * rstd * gamma[c * V + i] + beta[c * V + i]);
      *reinterpret_cast<uint4*>(y + c * V) = o.u;
    }
  }
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

// ---------------------------------------------------------------- prefill attention (S > 1)
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

// ---------------------------------------------------------------- decode attention (one query per sequence)
// One block of W warps per (batch*head, query, split).  The split's keys [k0, k1) go to the warps
// in chunks of 32; each chunk's keys (rows padded by 16 bytes, so the lanes' 16-byte row reads
// hit distinct banks) and values are copied into shared memory with cp.async, then each lane
// scores one key from shared memory and the lanes accumulate one value dimension each; the warps'
// online-softmax states are combined in shared memory, and only a multi-block split goes through
// global partials.
// Programmatic dependent launch: the first chunk of every warp is copied BEFORE
// griddepcontrol.wait, except the keys at positions >= *past_len.  Those are this pass's new
// keys/values (the QKV GEMV just before writes them); every other cache row was written by an
// earlier pass, and *past_len by this step's input copy, which precedes every kernel of the step
// (a kernel starts only after its predecessor started, back to the first kernel, which follows
// the copy).  So after the wait only q and the new rows are read: one memory round trip instead
// of one per step of the key loop (docs/perf-cuda.md, session 3).

constexpr int kDecodeAttnMaxWarps = 8;
constexpr int kDecodeAttnSmemCap = 96 * 1024;  // dynamic shared memory of a block (opt-in above 48 KiB)

// Padded key-row length (elements) of the staged chunk: +16 bytes when rows are 16-byte vectors,
// else +1 element (scalar reads).
__host__ __device__ __forceinline__ int decode_attn_key_stride(int D, int elem_bytes) {
  return (D * elem_bytes) % 16 == 0 ? D + 16 / elem_bytes : D + 1;
}

template <typename T, int NCH>
__global__ void __launch_bounds__(kDecodeAttnMaxWarps * 32) decode_attention_kernel(
    T* out, const T* qkv, const T* kc, const T* vc, const int* past_len, int S, int H, int D,
    int max_t, float scale, int split_keys, float* partial, unsigned* counters, int rows_first) {
  pdl_trigger();
  extern __shared__ __align__(16) unsigned char smem_raw[];  // per warp: 32 keys (padded), 32 values
  __shared__ float q_s[NCH * 32];
  __shared__ float w_m[kDecodeAttnMaxWarps], w_l[kDecodeAttnMaxWarps];
  __shared__ float w_acc[kDecodeAttnMaxWarps][NCH * 32];
  __shared__ unsigned last_s;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, W = blockDim.x >> 5;
  const int b = blockIdx.x / H, h = blockIdx.x % H, s = blockIdx.y, z = blockIdx.z;
  const int n_split = gridDim.z, E = H * D;
  const int past = *past_len;  // before the wait: see above
  const int n_keys = past + s + 1;
  const int k0 = z * split_keys, k1 = min(n_keys, k0 + split_keys);
  const long long head_base = (static_cast<long long>(b) * H + h) * max_t * D;
  const T* kb = kc + head_base;
  const T* vb = vc + head_base;
  const bool vec = (D * sizeof(T)) % 16 == 0;
  const int kd = decode_attn_key_stride(D, static_cast<int>(sizeof(T)));
  T* ks = reinterpret_cast<T*>(smem_raw) + static_cast<std::size_t>(warp) * 32 * (kd + D);
  T* vs = ks + 32 * kd;
  // Rows r0 .. r1 - 1 of the chunk that starts at key t (key t + r -> staged row r).
  auto stage_rows = [&](int t, int r0, int r1) {
    if (r0 >= r1) return;
    if (vec) {
      const int per_row = D * static_cast<int>(sizeof(T)) / 16;
      const uint4* ksrc = reinterpret_cast<const uint4*>(kb + static_cast<long long>(t) * D);
      const uint4* vsrc = reinterpret_cast<const uint4*>(vb + static_cast<long long>(t) * D);
      for (int i = r0 * per_row + lane; i < r1 * per_row; i += 32) {
        const int r = i / per_row, c = i - r * per_row;
        cp_async16(reinterpret_cast<uint4*>(ks + r * kd) + c, ksrc + i);
        cp_async16(reinterpret_cast<uint4*>(vs) + i, vsrc + i);
      }
    } else {
      const T* ksrc = kb + static_cast<long long>(t) * D;
      const T* vsrc = vb + static_cast<long long>(t) * D;
      for (int i = r0 * D + lane; i < r1 * D; i += 32) {
        const int r = i / D, c = i - r * D;
        ks[r * kd + c] = ksrc[i];
        vs[i] = vsrc[i];
      }
    }
  };
  int t = k0 + warp * 32;
  const int cnt0 = t < k1 ? min(32, k1 - t) : 0;
  const int pre = max(0, min(cnt0, past - t));  // rows of the first chunk written by earlier passes
  stage_rows(t, 0, pre);
  pdl_wait();

  const T* q = qkv + static_cast<long long>(b * S + s) * 3 * E + h * D;
  // rows_first (set_decode_attention_rows_first): the new key/value rows' cp.async copies are
  // issued before q is read, so the two L2 round trips overlap (q's loop stores to q_s, which
  // waits for its load, so with q first a warp that holds the new rows issues their copies only
  // after q arrived).  Same values either way.
  if (rows_first) stage_rows(t, pre, cnt0);  // this pass's new keys/values
  for (int d = tid; d < D; d += blockDim.x) q_s[d] = to_f(q[d]) * scale;
  if (!rows_first) stage_rows(t, pre, cnt0);
  __syncthreads();
  float m = -INFINITY, l = 0.0f, acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) acc[c] = 0.0f;
  for (bool first = true; t < k1; t += W * 32, first = false) {
    const int cnt = min(32, k1 - t);
    if (!first) stage_rows(t, 0, cnt);
    cp_async_wait_all();
    __syncwarp();
    float sc = -INFINITY;
    if (lane < cnt) {
      const T* kr = ks + lane * kd;
      sc = 0.0f;
      if (vec) {
        constexpr int V = Vec16<T>::kN;
        for (int d = 0; d < D; d += V) {
          float f[V];
          Vec16<T>::load(kr + d, f);
#pragma unroll
          for (int i = 0; i < V; ++i) sc += q_s[d + i] * f[i];
        }
      } else {
        for (int d = 0; d < D; ++d) sc += q_s[d] * to_f(kr[d]);
      }
    }
    const float m_new = fmaxf(m, warp_max(sc));
    const float corr = expf(m - m_new);
    const float p = lane < cnt ? expf(sc - m_new) : 0.0f;
    l = l * corr + warp_sum(p);
#pragma unroll
    for (int c = 0; c < NCH; ++c) acc[c] *= corr;
#pragma unroll 8
    for (int jj = 0; jj < cnt; ++jj) {
      const float pj = __shfl_sync(kFull, p, jj);
#pragma unroll
      for (int c = 0; c < NCH; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] += pj * to_f(vs[jj * D + d]);
      }
    }
    __syncwarp();  // the next chunk's copy overwrites ks/vs
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

// One block per row: scale = max |x| / qmax (fp32 from the fp16 values, the division in double
// as quant::scale_for does; 1 for a zero row), then the codes with that row's scale.
template <int Q>
__global__ void quantize_rows_dynamic_kernel(unsigned char* out, float* row_scales, const __half* in,
                                             long long ld, int K) {
  pdl_trigger();
  pdl_wait();
  __shared__ float scratch[33];
  const int r = blockIdx.x;
  const __half* x = in + r * ld;
  float amax = 0.0f;
  for (int k = threadIdx.x; k < K; k += blockDim.x) amax = fmaxf(amax, fabsf(__half2float(x[k])));
  amax = block_max(amax, scratch);
  const float scale = row_scale_for(amax, Q == 1 ? 127.0 : 448.0);
  if (threadIdx.x == 0) row_scales[r] = scale;
  const float inv = 1.0f / scale;
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float v = __half2float(x[k]) * inv;
    out[static_cast<long long>(r) * K + k] =
        Q == 1 ? static_cast<unsigned char>(static_cast<signed char>(float_to_int8(v))) : float_to_fp8_code(v);
  }
}

template <int Q>
__global__ void dequant_kernel(__half* out, long long ldo, const void* acc, int rows, int N,
                               float x_scale, const float* x_row_scales, const float* w_scale,
                               const __half* bias, int epi) {
  pdl_trigger();
  pdl_wait();
  const long long n = static_cast<long long>(rows) * N;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int m = static_cast<int>(i / N), c = static_cast<int>(i % N);
    const float av = Q == 1 ? static_cast<float>(static_cast<const int*>(acc)[i])
                            : static_cast<const float*>(acc)[i];
    const float xs = x_row_scales != nullptr ? x_row_scales[m] : x_scale;
    float v = av * (xs * w_scale[c]) + (bias != nullptr ? __half2float(bias[c]) : 0.0f);
    __half* o = out + m * ldo + c;
    if (epi == static_cast<int>(DequantEpilogue::kGelu)) v = gelu_new(v);
    if (epi == static_cast<int>(DequantEpilogue::kResidual)) v += __half2float(*o);
    *o = __float2half_rn(v);
  }
}

// Dependents are released (pdl_trigger) only after the K loop, not at entry as elsewhere: this
// kernel runs for tens of microseconds in up to hundreds of blocks, and an entry trigger let the
// chain of kernels after it (dequant, quantize, LayerNorm, ... each triggering at entry) launch and
// hold SM slots at their griddepcontrol.wait while it ran.  Measured on an H100 (session 7, call 2):
// fp8 prefill in a CUDA graph with PDL 2.53 / 3.02 / 4.76 ms at 1x8 / 1x32 / 1x64, without PDL
// 2.19 / 2.29 / 3.01 (docs/perf-cuda.md).
template <int Q>
__global__ void qgemm_simple_kernel(void* acc, const unsigned char* xq, const unsigned char* wq,
                                    int M, int N, int K) {
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
  pdl_trigger();
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

// LayerNorm folding (launch_ln_fold): one warp per output row n; lane l walks k = l, l + 32, ..
// (partial sums in that order), then the xor butterfly: fixed order, deterministic.
template <typename T>
__global__ void ln_fold_kernel(const T* w, const float* gamma, const float* beta, int n_out, int k_in,
                               T* w_out, float* fold) {
  pdl_trigger();
  pdl_wait();  // w, gamma and beta may come from the kernels before it
  const int lane = threadIdx.x & 31;
  const int warps = blockDim.x >> 5;
  for (int n = blockIdx.x * warps + (threadIdx.x >> 5); n < n_out; n += gridDim.x * warps) {
    const T* wr = w + static_cast<std::size_t>(n) * k_in;
    T* wo = w_out + static_cast<std::size_t>(n) * k_in;
    float g = 0.0f, c = 0.0f;
    for (int k = lane; k < k_in; k += 32) {
      const float wv = to_f(wr[k]);
      const T f = from_f<T>(wv * gamma[k]);
      wo[k] = f;
      g += to_f(f);
      c += wv * beta[k];
    }
    g = warp_sum(g);
    c = warp_sum(c);
    if (lane == 0) {
      fold[n] = g;
      fold[n_out + n] = c;
    }
  }
}

__global__ void chain_probe_kernel(unsigned* counter) {
  pdl_trigger();
  pdl_wait();
  if (blockIdx.x == 0 && threadIdx.x == 0) *counter += 1u;
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

cudaError_t launch_ln_fold(Dt dt, const void* w, const float* gamma, const float* beta, int n_out, int k_in,
                           void* w_out, float* fold, cudaStream_t st) {
  if (dt == Dt::kF32 || n_out <= 0 || k_in <= 0 || w == nullptr || w_out == nullptr || w_out == w ||
      gamma == nullptr || beta == nullptr || fold == nullptr)
    return cudaErrorInvalidValue;
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    return launch_k(ln_fold_kernel<T>, grid_for(static_cast<std::size_t>(n_out) * 32, 256), 256, 0, st,
                    static_cast<const T*>(w), gamma, beta, n_out, k_in, static_cast<T*>(w_out), fold);
  });
}

cudaError_t launch_layernorm(Dt dt, void* out, const void* in, long long in_row_stride,
                             const float* gamma, const float* beta, int rows, int n_embd,
                             float eps, cudaStream_t st) {
  return by_type(dt, [&](auto t) {
    using T = decltype(t);
    const unsigned grid = blocks_for(static_cast<std::size_t>(rows) * 32, 128);
    constexpr int V = Vec16<T>::kN;
    const bool aligned = reinterpret_cast<std::uintptr_t>(in) % 16 == 0 &&
                         reinterpret_cast<std::uintptr_t>(out) % 16 == 0 &&
                         (in_row_stride * static_cast<long long>(sizeof(T))) % 16 == 0 && n_embd % V == 0;
    const int chunks_per_lane = (n_embd / V + 31) / 32;
    auto vec = [&](auto kernel) {
      return launch_k(kernel, grid, 128, 0, st, static_cast<T*>(out), static_cast<const T*>(in),
                      in_row_stride, gamma, beta, rows, n_embd, eps);
    };
    if (aligned && chunks_per_lane <= 1) return vec(layernorm_vec_kernel<T, 1>);
    if (aligned && chunks_per_lane <= 2) return vec(layernorm_vec_kernel<T, 2>);
    if (aligned && chunks_per_lane <= 4) return vec(layernorm_vec_kernel<T, 4>);
    if (aligned && chunks_per_lane <= 8) return vec(layernorm_vec_kernel<T, 8>);
    if (aligned && chunks_per_lane <= 16) return vec(layernorm_vec_kernel<T, 16>);
    return launch_k(layernorm_kernel<T>, grid, 128, 0, st, static_cast<T*>(out), static_cast<const T*>(in),
                    in_row_stride, gamma, beta, rows, n_embd, eps);
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
  if (seq == 1) {
    // Decode: warps of a block split the keys; each warp stages 32 keys and values in shared
    // memory, as many warps as fit under kDecodeAttnSmemCap.
    const int es = static_cast<int>(dt_size(dt));
    const std::size_t per_warp = 32ull * (decode_attn_key_stride(head_dim, es) + head_dim) * es;
    const int warps = static_cast<int>(std::max<std::size_t>(
        1, std::min<std::size_t>(kDecodeAttnMaxWarps, kDecodeAttnSmemCap / per_warp)));
    return by_type(dt, [&](auto t) {
      using T = decltype(t);
      auto args = [&](auto kernel) {
        // The opt-in shared-memory limit, once per kernel instantiation (4 per type).
        static bool raised[4] = {false, false, false, false};
        bool& r = raised[std::min(nch, 4) - 1];
        if (!r) {
          const cudaError_t e = cudaFuncSetAttribute(
              kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kDecodeAttnSmemCap);
          if (e != cudaSuccess) return e;
          r = true;
        }
        return launch_k(kernel, grid, warps * 32, warps * per_warp, st, static_cast<T*>(out),
                        static_cast<const T*>(qkv), static_cast<const T*>(k_cache),
                        static_cast<const T*>(v_cache), past_len, seq, n_head, head_dim, max_t,
                        scale, split_keys, partial, counters, decode_attention_rows_first() ? 1 : 0);
      };
      switch (nch) {
        case 1: return args(decode_attention_kernel<T, 1>);
        case 2: return args(decode_attention_kernel<T, 2>);
        case 3: return args(decode_attention_kernel<T, 3>);
        default: return args(decode_attention_kernel<T, 4>);
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
namespace {
unsigned long long* g_step_trace = nullptr;
std::size_t g_step_trace_entries = 0, g_step_trace_used = 0;
std::vector<StepTraceRecord> g_step_records;
}  // namespace
void set_step_trace(unsigned long long* device_buffer, std::size_t entries) {
  g_step_trace = device_buffer;
  g_step_trace_entries = device_buffer != nullptr ? entries : 0;
  g_step_trace_used = 0;
  g_step_records.clear();
}
unsigned long long* step_trace_take(const char* kernel, int blocks, int n_out) {
  const std::size_t need = static_cast<std::size_t>(blocks) * kStepStamps;
  if (g_step_trace == nullptr || blocks <= 0 || g_step_trace_used + need > g_step_trace_entries) return nullptr;
  g_step_records.push_back({kernel, blocks, g_step_trace_used, n_out});
  unsigned long long* p = g_step_trace + g_step_trace_used;
  g_step_trace_used += need;
  return p;
}
bool step_trace_compiled() { return SB_STEP_TRACE != 0; }
std::size_t step_trace_count() { return g_step_records.size(); }
StepTraceRecord step_trace_record(std::size_t i) { return g_step_records.at(i); }
namespace {
bool initial_rows_first() {
  const char* e = std::getenv("SB_ATT_ROWS_FIRST");
  return e != nullptr && *e != '\0' && *e != '0';
}
bool g_att_rows_first = initial_rows_first();
}  // namespace
void set_decode_attention_rows_first(bool on) { g_att_rows_first = on; }
bool decode_attention_rows_first() { return g_att_rows_first; }
void set_shared_carveout(int percent) { g_carveout = percent; }
bool programmatic_launch() { return g_pdl; }


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

cudaError_t launch_quantize_rows_dynamic(WQuant q, void* out, float* row_scales, const void* in_f16,
                                         long long in_row_stride, int rows, int k, cudaStream_t st) {
  if (rows < 1 || rows > 0x7FFFFFFF || k < 1) return cudaErrorInvalidValue;
  auto* o = static_cast<unsigned char*>(out);
  auto* in = static_cast<const __half*>(in_f16);
  if (q == WQuant::kInt8) return launch_k(quantize_rows_dynamic_kernel<1>, rows, 256, 0, st, o, row_scales, in, in_row_stride, k);
  if (q == WQuant::kFp8) return launch_k(quantize_rows_dynamic_kernel<2>, rows, 256, 0, st, o, row_scales, in, in_row_stride, k);
  return cudaErrorInvalidValue;
}

cudaError_t launch_dequant(WQuant q, void* out_f16, long long ldo, const void* acc, int rows, int n,
                           float x_scale, const float* x_row_scales, const float* w_scale,
                           const void* bias_f16, DequantEpilogue epi, cudaStream_t st) {
  const unsigned g = grid_for(static_cast<std::size_t>(rows) * n, 256);
  auto* o = static_cast<__half*>(out_f16);
  auto* b = static_cast<const __half*>(bias_f16);
  const int e = static_cast<int>(epi);
  if (q == WQuant::kInt8) return launch_k(dequant_kernel<1>, g, 256, 0, st, o, ldo, acc, rows, n, x_scale, x_row_scales, w_scale, b, e);
  if (q == WQuant::kFp8) return launch_k(dequant_kernel<2>, g, 256, 0, st, o, ldo, acc, rows, n, x_scale, x_row_scales, w_scale, b, e);
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
  if (a.x_per_row && (a.wq == WQuant::kNone || a.ln_gamma != nullptr)) {
    std::snprintf(g_detail, sizeof g_detail, "gemv: per-row input scales need quantized weights and no LayerNorm prologue");
    return cudaErrorInvalidValue;
  }
  if (a.wq != WQuant::kNone && (a.dt != Dt::kF16 || a.w_scale == nullptr)) {
    std::snprintf(g_detail, sizeof g_detail, "qgemv needs fp16 activations and weight scales");
    return cudaErrorInvalidValue;
  }
  if (a.argmax_host != nullptr && (a.epilogue != GemvEpilogue::kArgmax || a.argmax_counter == nullptr)) {
    std::snprintf(g_detail, sizeof g_detail, "gemv: argmax_host needs the argmax epilogue and argmax_counter");
    return cudaErrorInvalidValue;
  }
  const bool qkv = a.epilogue == GemvEpilogue::kQkvScatter || a.epilogue == GemvEpilogue::kQkvAttention;
  if (a.epilogue == GemvEpilogue::kQkvAttention &&
      (a.seq != 1 || a.att_out == nullptr || a.head_counters == nullptr || a.n_head < 1 ||
       a.head_dim < 1 || a.head_dim > kMaxHeadDim || a.n_out != 3 * a.n_head * a.head_dim ||
       a.past_len == nullptr)) {
    std::snprintf(g_detail, sizeof g_detail,
                  "gemv: the fused QKV + attention epilogue needs seq 1, att_out, head_counters, "
                  "head_dim 1..%d and n_out = 3 n_head head_dim", kMaxHeadDim);
    return cudaErrorInvalidValue;
  }
  if (a.wte != nullptr &&
      (!qkv || a.wpe == nullptr || a.tokens == nullptr ||
       a.embed_out == nullptr || a.past_len == nullptr || a.n_zero_slots < 0 ||
       a.n_zero_slots > 128 || (a.n_zero_slots > 0 && a.zero_slots == nullptr))) {
    std::snprintf(g_detail, sizeof g_detail,
                  "gemv: the folded embedding needs a QKV epilogue, wpe, tokens, embed_out, "
                  "past_len and 0..128 zero_slots");
    return cudaErrorInvalidValue;
  }
  return launch_gemv_impl(a, st);
}

cudaError_t launch_chain_probe(unsigned* counter, int blocks, int threads, cudaStream_t st) {
  return launch_k(chain_probe_kernel, blocks, threads, 0, st, counter);
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
