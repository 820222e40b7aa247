// engine/cuda/device_common.cuh — device helpers shared by the kernel files (kernels.cu, gemv.cu):
// type conversions, 16-byte vector loads, warp/block reductions, gelu_new, programmatic dependent
// launch, the launcher's process-wide state and int8/E4M3 conversions.
// Internal to engine/cuda (included by .cu files only); kernels.h is the public contract.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/kernels.h"

#ifndef SB_STEP_TRACE
#define SB_STEP_TRACE 0
#endif

namespace sb::engine::cudak::detail {

constexpr unsigned kFull = 0xFFFFFFFFu;

template <typename T> __device__ __forceinline__ float to_f(T v);
template <> __device__ __forceinline__ float to_f<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_f<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_f<__nv_bfloat16>(__nv_bfloat16 v) {
  return __bfloat162float(v);
}
template <typename T> __device__ __forceinline__ T from_f(float v);
template <> __device__ __forceinline__ float from_f<float>(float v) { return v; }
template <> __device__ __forceinline__ __half from_f<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

// 16 bytes of T as floats.
template <typename T> struct Vec16 {
  static constexpr int kN = 16 / sizeof(T);
  __device__ __forceinline__ static void load(const T* p, float (&f)[kN]) {
    union { uint4 u; T t[kN]; } v;
    v.u = *reinterpret_cast<const uint4*>(p);
#pragma unroll
    for (int i = 0; i < kN; ++i) f[i] = to_f(v.t[i]);
  }
  __device__ __forceinline__ static void load_nc(const T* p, float (&f)[kN]) {
    union { uint4 u; T t[kN]; } v;
    v.u = __ldg(reinterpret_cast<const uint4*>(p));
#pragma unroll
    for (int i = 0; i < kN; ++i) f[i] = to_f(v.t[i]);
  }
};

// acc[m] += the 16 bytes w (as T) times x row m's same 16 bytes at xs + m * K + v * 16 / sizeof(T),
// element by element in order: the decode GEMV's dot product (gemv.cu dot_vec) and the fused
// MLP's c_fc (mlp_fused.cu), which must sum in the same order for its h to match the GEMV's bit
// for bit.
template <typename T, int M>
__device__ __forceinline__ void dot16_rows(const uint4& w, const T* xs, int K, int v, float (&acc)[M]) {
  constexpr int VN = Vec16<T>::kN;
  union { uint4 u; T t[VN]; } wu;
  wu.u = w;
  float wf[VN];
#pragma unroll
  for (int i = 0; i < VN; ++i) wf[i] = to_f(wu.t[i]);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    float xv[VN];
    Vec16<T>::load(xs + m * K + v * VN, xv);
#pragma unroll
    for (int i = 0; i < VN; ++i) acc[m] += wf[i] * xv[i];
  }
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFull, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(kFull, v, o));
  return v;
}
// Sum (MAX = false) or maximum (MAX = true) of v[m] over a block of WARPS warps; every thread gets
// the results.  red: shared scratch of [WARPS][>= M] floats.  The maximum starts from 0: for
// non-negative values (absolute maxima).
template <int WARPS, bool MAX, int M, int COLS>
__device__ __forceinline__ void block_reduce_rows(float (&v)[M], float (*red)[COLS]) {
  static_assert(COLS >= M, "block_reduce_rows: scratch rows too short");
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int m = 0; m < M; ++m) v[m] = MAX ? warp_max(v[m]) : warp_sum(v[m]);
  __syncthreads();  // red may still be read from a previous call
  if (lane == 0) {
#pragma unroll
    for (int m = 0; m < M; ++m) red[warp][m] = v[m];
  }
  __syncthreads();
#pragma unroll
  for (int m = 0; m < M; ++m) {
    float t = 0.0f;
#pragma unroll
    for (int w = 0; w < WARPS; ++w) t = MAX ? fmaxf(t, red[w][m]) : t + red[w][m];
    v[m] = t;
  }
}
// Sum of v[m] over the block (the GEMV and the persistent decode kernel's LayerNorm statistics).
template <int WARPS, int M, int COLS>
__device__ __forceinline__ void block_sum_rows(float (&v)[M], float (*red)[COLS]) {
  block_reduce_rows<WARPS, false>(v, red);
}
// LayerNorm of M rows of E values in shared memory (raw, row stride E) into xs, as the fused decode
// kernels compute it (mlp_fused.cu's LayerNorm 2, attn_layer.cu's LayerNorm 1): gemv.cu's prologue
// order — sums over k = tid, tid + LN_THREADS, .. by threads 0..LN_THREADS-1, the block sum in warp
// order (threads beyond add zeros, which leaves the sums' bits unchanged) — then element
// tid + THREADS j with this thread's gamma / beta registers g_r[j], be_r[j].
template <int WARPS, int THREADS, int LN_THREADS, int PER_THREAD, typename T, int M, int COLS>
__device__ __forceinline__ void layernorm_rows_shared(const T* raw, T* xs, int E, float eps, const float (&g_r)[PER_THREAD],
                                                      const float (&be_r)[PER_THREAD], float (*red)[COLS], int tid) {
  float s[M], mean[M], q[M];
#pragma unroll
  for (int m = 0; m < M; ++m) {
    s[m] = 0.0f;
    if (tid < LN_THREADS)
      for (int k = tid; k < E; k += LN_THREADS) s[m] += to_f(raw[m * E + k]);
  }
  block_sum_rows<WARPS>(s, red);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    mean[m] = s[m] / E;
    q[m] = 0.0f;
    if (tid < LN_THREADS) {
#pragma unroll 4
      for (int k = tid; k < E; k += LN_THREADS) {
        const float d = to_f(raw[m * E + k]) - mean[m];
        q[m] += d * d;
      }
    }
  }
  block_sum_rows<WARPS>(q, red);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    const float rstd = 1.0f / sqrtf(q[m] / E + eps);
#pragma unroll
    for (int j = 0; j < PER_THREAD; ++j) {
      const int k = tid + THREADS * j;
      if (k < E) xs[m * E + k] = from_f<T>((to_f(raw[m * E + k]) - mean[m]) * rstd * g_r[j] + be_r[j]);
    }
  }
}
__device__ __forceinline__ unsigned long long warp_max_u64(unsigned long long v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    unsigned long long w = __shfl_xor_sync(kFull, v, o);
    v = w > v ? w : v;
  }
  return v;
}

__device__ __forceinline__ float gelu_new(float x) {
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  const float k = 0.7978845608028654f;
  return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

// Sum over a block of blockDim.x (multiple of 32, <= 1024) threads; every thread gets the sum.
__device__ __forceinline__ float block_sum(float v, float* scratch /* >= 33 floats */) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read from a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    float t = lane < nwarps ? scratch[lane] : 0.0f;
    t = warp_sum(t);
    if (lane == 0) scratch[32] = t;
  }
  __syncthreads();
  return scratch[32];
}

__device__ __forceinline__ float block_max(float v, float* scratch /* >= 33 floats */) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    float t = lane < nwarps ? scratch[lane] : 0.0f;
    t = warp_max(t);
    if (lane == 0) scratch[32] = t;
  }
  __syncthreads();
  return scratch[32];
}

// Per-row dynamic activation scale of a max |x| >= 0: quant::scale_for's arithmetic (amax / qmax
// in double, rounded to float; 1 for a zero row).
__device__ __forceinline__ float row_scale_for(float amax, double qmax) {
  return amax > 0.0f ? static_cast<float>(static_cast<double>(amax) / qmax) : 1.0f;
}

// Process-wide launcher state shared by kernels.cu and gemv.cu (one definition: inline).
inline char g_detail[512] = "";
inline bool g_pdl = true;
// Preferred shared-memory carveout of every forward kernel (cudaFuncAttributePreferred-
// SharedMemoryCarveout; -1 = the driver's choice per kernel).  One value for all kernels keeps
// the SMs' L1/shared split the same across kernel boundaries (a change of split between
// launches may insert a device-side synchronization, which would defeat PDL's overlap).
inline int g_carveout = -1;
inline const void* g_carveout_fn[256] = {};
inline int g_carveout_val[256] = {};
inline int g_carveout_n = 0;
// Sets the kernel's carveout attribute when it differs from g_carveout (host side, once per
// kernel and value).
inline cudaError_t apply_carveout(const void* fn) {
  int i = 0;
  while (i < g_carveout_n && g_carveout_fn[i] != fn) ++i;
  if (i == g_carveout_n) {
    if (g_carveout_n == 256) return cudaSuccess;  // table full: leave the driver's choice
    g_carveout_fn[i] = fn;
    g_carveout_val[i] = -1;
    ++g_carveout_n;
  }
  if (g_carveout_val[i] == g_carveout) return cudaSuccess;
  const cudaError_t e = cudaFuncSetAttribute(fn, cudaFuncAttributePreferredSharedMemoryCarveout, g_carveout);
  if (e == cudaSuccess) g_carveout_val[i] = g_carveout;
  return e;
}

// Programmatic dependent launch (sm_90): every forward kernel lets the next one be scheduled as
// soon as all its blocks run (trigger), and waits for the previous kernel's completion and memory
// (wait) before touching activations, so launch latency and weight prefetch overlap the tail of
// the previous kernel.  Both are no-ops for kernels launched without the attribute.
__device__ __forceinline__ void pdl_trigger() { asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); }
__device__ __forceinline__ void pdl_wait() { asm volatile("griddepcontrol.wait;" ::: "memory"); }

// Step timeline (kernels.h set_step_trace; diagnostics): thread 0 of the block writes %globaltimer (ns)
// at t[blockIdx.x * kStepStamps + i] (i = 0 entry, 1 past griddepcontrol.wait, 2 its end; 3 holds
// the block's multiprocessor, %smid; 4 the block's end: every thread of the block past a barrier
// after stamp 2, which all of them reach); t == nullptr:
// off.  Only in a build configured with SB_CUDA_STEP_TRACE=ON (SB_STEP_TRACE): elsewhere nothing,
// so the kernels' code is what it is without it.  Stamps 0 and 1 keep the timer's low 32 bits in
// shared memory (one register, an immediate address: a 64-bit address and value beside the
// prefetched weights spilled the 64-register GEMVs); the end stamp (i = 2, where little is live)
// writes all of them, the high bits from the end time (a kernel is far shorter than 2^32 ns).
#if SB_STEP_TRACE
__shared__ unsigned step_lo_s[2];
#endif
__device__ __forceinline__ void step_stamp(unsigned long long* t, int i) {
#if SB_STEP_TRACE
  if (i < 2) {
    if (threadIdx.x == 0) {
      unsigned v;
      asm volatile("mov.u32 %0, %%globaltimer_lo;" : "=r"(v));
      step_lo_s[i] = v;
    }
  } else if (t != nullptr) {
    unsigned long long v = 0;
    if (threadIdx.x == 0) asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(v));
    __syncthreads();  // every thread of the block reaches the end stamp: the block's last warp
    if (threadIdx.x == 0) {
      unsigned long long w;
      asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(w));
      unsigned long long* o = t + static_cast<std::size_t>(blockIdx.x) * kStepStamps;
      o[0] = v - static_cast<unsigned>(static_cast<unsigned>(v) - step_lo_s[0]);
      o[1] = v - static_cast<unsigned>(static_cast<unsigned>(v) - step_lo_s[1]);
      o[2] = v;
      unsigned sm;
      asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
      o[3] = sm;
      o[4] = w;
    }
  }
#else
  (void)t;
  (void)i;
#endif
}

template <typename... KArgs, typename... Args>
cudaError_t launch_k(void (*kernel)(KArgs...), dim3 grid, dim3 block, std::size_t smem,
                     cudaStream_t st, Args&&... args) {
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr[0].val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = attr;
  cfg.numAttrs = g_pdl ? 1 : 0;
  const cudaError_t e = apply_carveout(reinterpret_cast<const void*>(kernel));
  if (e != cudaSuccess) return e;
  return cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...);
}
// The launch configuration of a kernel that may run in clusters: attr[0] the 1-D cluster dimension
// when cluster >= 1 (so `numAttrs = 1` leaves the cluster alone, as cudaOccupancyMaxActiveClusters
// wants it), then programmatic dependent launch when g_pdl.  attr is the caller's and must outlive
// the launch.  (The fused MLP, attention + proj and attention-layer kernels.)
inline cudaLaunchConfig_t cluster_launch_config(unsigned blocks, unsigned threads, std::size_t smem, cudaStream_t st,
                                                int cluster, cudaLaunchAttribute (&attr)[2]) {
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(blocks);
  cfg.blockDim = dim3(threads);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = st;
  int n = 0;
  if (cluster >= 1) {
    attr[n].id = cudaLaunchAttributeClusterDimension;
    attr[n].val.clusterDim.x = static_cast<unsigned>(cluster);
    attr[n].val.clusterDim.y = 1;
    attr[n].val.clusterDim.z = 1;
    ++n;
  }
  if (g_pdl) {
    attr[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr[n].val.programmaticStreamSerializationAllowed = 1;
    ++n;
  }
  cfg.attrs = attr;
  cfg.numAttrs = n;
  return cfg;
}
// The dynamic shared-memory limit of a kernel, raised once per (kernel, size): a table of the kernels
// seen with the most each was raised to (past its 64 entries it raises at every call, still correct).
// Host-side, at plan and launch time of the kernels that keep every raise of theirs to this function
// (the fused MLP, the attention-layer kernel).  On failure g_detail names `who` and the size.
inline cudaError_t raise_dyn_smem(const void* kernel, std::size_t bytes, const char* who) {
  constexpr int kSlots = 64;
  static const void* fn[kSlots] = {};
  static std::size_t raised[kSlots] = {};
  int i = 0;
  while (i < kSlots && fn[i] != nullptr && fn[i] != kernel) ++i;
  if (i < kSlots && fn[i] == kernel && raised[i] >= bytes) return cudaSuccess;
  const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes));
  if (e != cudaSuccess) {
    std::snprintf(g_detail, sizeof g_detail, "%s: cudaFuncSetAttribute(max dynamic smem %zu): %s", who, bytes,
                  cudaGetErrorName(e));
    return e;
  }
  if (i < kSlots) {
    fn[i] = kernel;
    raised[i] = bytes;
  }
  return e;
}
inline int g_sm_count = 0;
inline int g_smem_optin = 0;
inline cudaError_t device_limits() {
  if (g_sm_count > 0) return cudaSuccess;
  int dev = 0;
  cudaError_t e = cudaGetDevice(&dev);
  if (e != cudaSuccess) return e;
  e = cudaDeviceGetAttribute(&g_sm_count, cudaDevAttrMultiProcessorCount, dev);
  if (e != cudaSuccess) return e;
  return cudaDeviceGetAttribute(&g_smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev);
}

inline unsigned blocks_for(std::size_t n, unsigned threads) {
  std::size_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(b > 0x7FFFFFFF ? 0x7FFFFFFF : (b == 0 ? 1 : b));
}


// 16 bytes global -> shared without passing through registers (sm_80+); all copies a thread
// issued complete at cp_async_wait_all (then a barrier makes them visible to the others).
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(s), "l"(gmem) : "memory");
}
__device__ __forceinline__ void cp_async_wait_all() {
  asm volatile("cp.async.commit_group;\ncp.async.wait_all;" ::: "memory");
}

// mbarrier and 1-D bulk copy (global -> shared, the copy engine; completion counted on the
// mbarrier with expect_tx): persistent.cu's weight ring, gemv.cu's input staging (V = 4).
__device__ __forceinline__ unsigned smem_u32(const void* p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void mbar_init(unsigned long long* bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_u32(bar)), "r"(count) : "memory");
}
__device__ __forceinline__ void mbar_expect_tx(unsigned long long* bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_u32(bar)), "r"(bytes)
               : "memory");
}
__device__ __forceinline__ void mbar_arrive(unsigned long long* bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(smem_u32(bar)) : "memory");
}
__device__ __forceinline__ bool mbar_try_wait(unsigned long long* bar, unsigned parity) {
  unsigned ok = 0;
  asm volatile(
      "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}\n"
      : "=r"(ok)
      : "r"(smem_u32(bar)), "r"(parity)
      : "memory");
  return ok != 0;
}
__device__ __forceinline__ void bulk_g2s(void* dst, const void* src, unsigned bytes, unsigned long long* bar) {
  asm volatile(
      "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
          smem_u32(dst)),
      "l"(src), "r"(bytes), "r"(smem_u32(bar))
      : "memory");
}
// int8 / E4M3 conversions, bit-for-bit the host arithmetic of engine/cuda/quant.h.
__device__ __forceinline__ float fp8_code_to_float(unsigned char c) {
  const __half_raw r = __nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(c), __NV_E4M3);
  return __half2float(__half(r));
}
// 16 E4M3 codes (one 16-byte load) to fp32, two codes per conversion instruction (exact).
__device__ __forceinline__ void fp8x16_to_float(const uint4& u, float (&f)[16]) {
  const unsigned words[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const __half2_raw lo = __nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(words[j] & 0xFFFFu), __NV_E4M3);
    const __half2_raw hi = __nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(words[j] >> 16), __NV_E4M3);
    const float2 flo = __half22float2(__half2(lo)), fhi = __half22float2(__half2(hi));
    f[4 * j + 0] = flo.x;
    f[4 * j + 1] = flo.y;
    f[4 * j + 2] = fhi.x;
    f[4 * j + 3] = fhi.y;
  }
}
__device__ __forceinline__ unsigned char float_to_fp8_code(float v) {
  return static_cast<unsigned char>(__nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3));
}
__device__ __forceinline__ int float_to_int8(float v) {
  return max(-127, min(127, __float2int_rn(v)));
}

// The end of an argmax LM head block (gemv.cu's argmax epilogue, lm_head.cu): best_s[w][m] holds
// warp w's packed argmax key of input row m (argmax_key.h); threads 0..M-1 atomicMax the block's
// maxima into a.argmax_slots, and when a.argmax_host is set the last block to finish
// (threadFenceReduction pattern: every block's atomicMax is done before its counter increment, so
// the last one reads the final maxima) copies them to pinned host memory and resets the counter.
// Every thread of the block calls it (it has block barriers).
template <int WARPS, int M>
__device__ __forceinline__ void argmax_block_finish(const GemvArgs& a, const unsigned long long (*best_s)[M]) {
  const int tid = threadIdx.x;
  __syncthreads();
  if (tid < M) {
    unsigned long long bk = 0ull;
    for (int w = 0; w < WARPS; ++w) bk = best_s[w][tid] > bk ? best_s[w][tid] : bk;
    atomicMax(&a.argmax_slots[tid], bk);
  }
  if (a.argmax_host != nullptr) {
    __shared__ bool last_block;
    __threadfence();
    __syncthreads();
    if (tid == 0) last_block = atomicAdd(a.argmax_counter, 1u) == gridDim.x - 1;
    __syncthreads();
    if (last_block) {
      if (tid < M) a.argmax_host[tid] = atomicOr(&a.argmax_slots[tid], 0ull);
      if (tid == 0) *a.argmax_counter = 0u;
      __threadfence_system();
    }
  }
}

// The decode GEMV (gemv.cu), after launch_gemv's argument checks.
cudaError_t launch_gemv_impl(const GemvArgs& a, cudaStream_t st);
// The tensor-core LM head (lm_head.cu): whether it takes this argmax GEMV (lm_head_mma() on, fp16 /
// bf16, k_in a multiple of 64, 16-byte-aligned weights), and its launch.
bool lm_head_mma_applies(const GemvArgs& a);
cudaError_t launch_lm_head_mma(const GemvArgs& a, cudaStream_t st);

// Folded LayerNorm (session 12; gemv.cu's V = 5 kernels, mlp_fused.cu's mode bit 2): the row
// statistics in one pass beside the dot products.  fold_stats_add: one 16-byte vector of input row
// mi (T values, summed in order) into this thread's sums of x and x^2; fold_stats_publish: the warp
// sums into red[warp] / red[WARPS + warp] (lane 0); after a block barrier, fold_stats_finish: mean
// and 1 / std of each row from the WARPS partials (warp order; variance E[x^2] - mean^2 clamped at 0).
template <typename T, int M>
__device__ __forceinline__ void fold_stats_add(const uint4& v, int mi, float (&s1)[M], float (&s2)[M]) {
  constexpr int VN = 16 / static_cast<int>(sizeof(T));
  union { uint4 u; T t[VN]; } e;
  e.u = v;
  float ps = 0.0f, pq = 0.0f;
#pragma unroll
  for (int j = 0; j < VN; ++j) {
    const float x = to_f(e.t[j]);
    ps += x;
    pq += x * x;
  }
#pragma unroll
  for (int m = 0; m < M; ++m)
    if (m == mi) {
      s1[m] += ps;
      s2[m] += pq;
    }
}
template <int WARPS, int M>
__device__ __forceinline__ void fold_stats_publish(float (&s1)[M], float (&s2)[M], float (*red)[M], int warp, int lane) {
#pragma unroll
  for (int m = 0; m < M; ++m) {
    s1[m] = warp_sum(s1[m]);
    s2[m] = warp_sum(s2[m]);
    if (lane == 0) {
      red[warp][m] = s1[m];
      red[WARPS + warp][m] = s2[m];
    }
  }
}
template <int WARPS, int M>
__device__ __forceinline__ void fold_stats_finish(const float (*red)[M], int K, float eps, float (&mean)[M], float (&rstd)[M]) {
#pragma unroll
  for (int m = 0; m < M; ++m) {
    float t1 = 0.0f, t2 = 0.0f;
#pragma unroll
    for (int w = 0; w < WARPS; ++w) {
      t1 += red[w][m];
      t2 += red[WARPS + w][m];
    }
    mean[m] = t1 / K;
    rstd[m] = 1.0f / sqrtf(fmaxf(t2 / K - mean[m] * mean[m], 0.0f) + eps);
  }
}

}  // namespace sb::engine::cudak::detail
