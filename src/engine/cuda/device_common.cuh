// engine/cuda/device_common.cuh — device helpers shared by the kernel files (kernels.cu, gemv.cu):
// type conversions, 16-byte vector loads, warp/block reductions, gelu_new, programmatic dependent
// launch, the launcher's process-wide state, int8/E4M3 conversions and the GEMV epilogue.
// Internal to engine/cuda (included by .cu files only); kernels.h is the public contract.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/kernels.h"

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

// Process-wide launcher state shared by kernels.cu and gemv.cu (one definition: inline).
inline char g_detail[512] = "";
inline bool g_pdl = true;
inline int g_kernel_version = 2;  // kernels.h: set_kernel_version
inline unsigned g_gemv_tuning = kGemvStageAsync | kGemvPrefetchL2;  // kernels.h: set_gemv_tuning

// Programmatic dependent launch (sm_90): every forward kernel lets the next one be scheduled as
// soon as all its blocks run (trigger), and waits for the previous kernel's completion and memory
// (wait) before touching activations, so launch latency and weight prefetch overlap the tail of
// the previous kernel.  Both are no-ops for kernels launched without the attribute.
__device__ __forceinline__ void pdl_trigger() { asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); }
__device__ __forceinline__ void pdl_wait() { asm volatile("griddepcontrol.wait;" ::: "memory"); }

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
  return cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...);
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

// int8 / E4M3 conversions, bit-for-bit the host arithmetic of engine/cuda/quant.h.
__device__ __forceinline__ float fp8_code_to_float(unsigned char c) {
  const __half_raw r = __nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(c), __NV_E4M3);
  return __half2float(__half(r));
}
__device__ __forceinline__ unsigned char float_to_fp8_code(float v) {
  return static_cast<unsigned char>(__nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3));
}
__device__ __forceinline__ int float_to_int8(float v) {
  return max(-127, min(127, __float2int_rn(v)));
}

// What a warp's GEMV epilogue reads besides its dot products, for output rows n0 .. n0 + R
// (lane 0 only).  Split in two so a kernel can issue the loads early: weights() touches only
// weight-like data (bias, per-channel scales) and may run before griddepcontrol.wait;
// activations() reads what the previous kernel wrote (the residual rows, the position).
template <typename T, int M, GemvEpilogue EPI, int R>
struct GemvSide {
  float bias[R];
  float w_scale[R];
  float res[R][M];
  int past = 0;
  __device__ __forceinline__ void weights(const GemvArgs& a, int n0, int N) {
    const T* b = static_cast<const T*>(a.bias);
#pragma unroll
    for (int r = 0; r < R; ++r) {
      const bool in = n0 + r < N;
      bias[r] = (b != nullptr && in) ? to_f(b[n0 + r]) : 0.0f;
      w_scale[r] = (a.w_scale != nullptr && in) ? a.w_scale[n0 + r] : 1.0f;
    }
  }
  __device__ __forceinline__ void activations(const GemvArgs& a, int n0, int N) {
    if constexpr (EPI == GemvEpilogue::kResidual) {
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m)
          res[r][m] = n0 + r < N ? to_f(static_cast<const T*>(a.out)[m * a.out_row_stride + n0 + r]) : 0.0f;
    }
    if constexpr (EPI == GemvEpilogue::kQkvScatter) past = *a.past_len;
  }
};

// The fused epilogue of one warp's output rows n0 .. n0 + nrows (lane 0 only): acc holds the
// finished dot products (dequantized for the int8/fp8 weights); bias, activation, residual, KV
// scatter or argmax follow, with side's values.
template <typename T, int M, GemvEpilogue EPI, int R>
__device__ __forceinline__ void gemv_epilogue(const GemvArgs& a, int n0, int nrows,
                                              const float (&acc)[R][M],
                                              const GemvSide<T, M, EPI, R>& side,
                                              unsigned long long (&best)[M]) {
#pragma unroll
  for (int r = 0; r < R; ++r) {
    if (r >= nrows) break;
    const int n = n0 + r;
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float v = acc[r][m] + side.bias[r];
      if constexpr (EPI == GemvEpilogue::kArgmax) {
        if (a.logits != nullptr) a.logits[m * a.logits_row_stride + n] = v;
        const unsigned long long key = argmax_key(v, static_cast<std::uint32_t>(n));
        best[m] = key > best[m] ? key : best[m];
      } else {
        T* o = static_cast<T*>(a.out) + m * a.out_row_stride + n;
        if constexpr (EPI == GemvEpilogue::kStore || EPI == GemvEpilogue::kQkvScatter) {
          *o = from_f<T>(v);
        } else if constexpr (EPI == GemvEpilogue::kGelu) {
          *o = from_f<T>(gelu_new(v));
        } else if constexpr (EPI == GemvEpilogue::kResidual) {
          *o = from_f<T>(side.res[r][m] + v);
        }
        if constexpr (EPI == GemvEpilogue::kQkvScatter) {
          const int E = a.n_head * a.head_dim;
          if (n >= E) {
            const int which = n / E, hd = n - which * E;
            const int h = hd / a.head_dim, d = hd - h * a.head_dim;
            const int b = m / a.seq, s = m - b * a.seq;
            const long long dst =
                ((static_cast<long long>(b) * a.n_head + h) * a.max_t + side.past + s) *
                    a.head_dim + d;
            T* cache = static_cast<T*>(which == 1 ? a.k_cache : a.v_cache);
            cache[dst] = from_f<T>(v);
          }
        }
      }
    }
  }
}

// The generation-3 GEMV (gemv.cu); launch_gemv dispatches to it when g_kernel_version >= 3.
cudaError_t launch_gemv_v3(const GemvArgs& a, cudaStream_t st);

}  // namespace sb::engine::cudak::detail
