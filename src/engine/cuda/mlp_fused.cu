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
#include "engine/cuda/device_common.cuh"
#include "engine/cuda/fixed_word.h"

#include <cstdio>

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
struct MlpSmem {
  std::size_t w1, w2, raw, xs, hs, b1, total;
};
__host__ __device__ inline MlpSmem mlp_smem(int R, int E, int M, int es) {
  MlpSmem s{};
  s.w1 = 0;
  s.w2 = s.w1 + static_cast<std::size_t>(R) * E * es;
  s.raw = s.w2 + static_cast<std::size_t>(E) * w2_row_bytes(R, es);
  s.xs = s.raw + ((static_cast<std::size_t>(M) * E * es + 15) & ~std::size_t{15});
  s.hs = s.xs + ((static_cast<std::size_t>(M) * E * es + 15) & ~std::size_t{15});
  s.b1 = s.hs + static_cast<std::size_t>(R) * 16;  // h as float4 per hidden unit (rows m = .x .. .w)
  s.total = s.b1 + static_cast<std::size_t>(R) * 4;
  return s;
}

template <typename T, int M>
__global__ void __launch_bounds__(kMlpThreads, 1) mlp_fused_kernel(MlpFusedArgs a) {
  using detail::to_f;
  using detail::from_f;
  using detail::Vec16;
  constexpr int es = sizeof(T), VN = 16 / es;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float red[kMlpWarps][M];
  const int E = a.n_embd, I = a.n_inner, R = a.slice_rows;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int k0 = blockIdx.x * R, nr = min(R, I - k0);  // this block's hidden units k0 .. k0 + nr
  const MlpSmem L = mlp_smem(R, E, M, es);
  T* w1s = reinterpret_cast<T*>(smem_raw + L.w1);
  unsigned char* w2s = smem_raw + L.w2;
  T* raw = reinterpret_cast<T*>(smem_raw + L.raw);
  T* xs = reinterpret_cast<T*>(smem_raw + L.xs);
  float* hs = reinterpret_cast<float*>(smem_raw + L.hs);  // [R][4]: h[m] of hidden unit k0 + r at 4 r + m
  float* b1s = reinterpret_cast<float*>(smem_raw + L.b1);  // c_fc bias of the slice
  const int RB = w2_row_bytes(R, es);

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
  if (tid < nr) b1s[tid] = fcb != nullptr ? to_f(fcb[k0 + tid]) : 0.0f;
  float g_r[kPerThread], be_r[kPerThread], b2_r[kPerThread];  // element tid + 256 j
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int k = tid + kMlpThreads * j;
    g_r[j] = k < E ? __ldg(a.ln_gamma + k) : 0.0f;
    be_r[j] = k < E ? __ldg(a.ln_beta + k) : 0.0f;
    b2_r[j] = (k < E && fc2b != nullptr) ? to_f(fc2b[k]) : 0.0f;
  }
  detail::pdl_wait();

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
#pragma unroll
    for (int j = 0; j < kXVecs; ++j) {
      const int i = tid + kMlpThreads * j;
      if (i < nx) reinterpret_cast<uint4*>(raw)[i] = t[j];
    }
  }
  __syncthreads();
  // LayerNorm 2 in gemv.cu's prologue order (device_common.cuh).
  detail::layernorm_rows_shared<kMlpWarps, kMlpThreads, kLnThreads, kPerThread, T, M>(raw, xs, E, a.ln_eps, g_r, be_r, red, tid);
  asm volatile("cp.async.wait_group 1;" ::: "memory");  // this thread's c_fc rows (group 1)
  __syncthreads();

  // ---- c_fc + gelu_new: one warp per hidden unit, the GEMV's order (lane v, v + 32, ..; within a
  // vector element by element; then the xor butterfly), h rounded to dt as the chain stores it.
  const int KV = E / VN;
  for (int r = warp; r < R; r += kMlpWarps) {
    if (r >= nr) {
      if (lane < 4) hs[4 * r + lane] = 0.0f;
      continue;
    }
    float acc[M];
#pragma unroll
    for (int m = 0; m < M; ++m) acc[m] = 0.0f;
    for (int v = lane; v < KV; v += 32)
      detail::dot16_rows<T, M>(reinterpret_cast<const uint4*>(w1s + static_cast<std::size_t>(r) * E)[v], xs, E, v, acc);
    const float bias = b1s[r];
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float tot = detail::warp_sum(acc[m]);
      if (lane == m) {
        const T h = from_f<T>(detail::gelu_new(tot + bias));
        hs[4 * r + m] = to_f(h);
        if (a.h_out != nullptr) static_cast<T*>(a.h_out)[static_cast<std::size_t>(m) * I + k0 + r] = h;
      }
    }
  }
  asm volatile("cp.async.wait_group 0;" ::: "memory");  // this thread's fc2 columns (group 2)
  __syncthreads();

  // ---- fc2 partials of this slice for outputs n = tid + 256 j, all of a thread's atomics in
  // flight together; the block that completes an element's count writes it.
  unsigned long long* accg = static_cast<unsigned long long*>(a.scratch);
  const int nv = (nr + VN - 1) / VN;
  float p[kPerThread][M];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int n = tid + kMlpThreads * j;
#pragma unroll
    for (int m = 0; m < M; ++m) p[j][m] = 0.0f;
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
  bool bad = false;
  auto increment = [&](float v) {  // count 1 + the fixed-point partial (0 when out of range / NaN)
    return static_cast<unsigned long long>(fixed_word_add(v, bad));
  };
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
}

template <typename T, int M>
cudaError_t launch_t(const MlpFusedArgs& a, cudaStream_t st) {
  auto kernel = mlp_fused_kernel<T, M>;
  static std::size_t raised = 0;  // the kernel's dynamic shared-memory limit, raised once per size
  if (a.smem_bytes > raised) {
    const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                               static_cast<int>(a.smem_bytes));
    if (e != cudaSuccess) {
      std::snprintf(g_detail, sizeof g_detail, "mlp_fused: cudaFuncSetAttribute(max dynamic smem %zu): %s",
                    a.smem_bytes, cudaGetErrorName(e));
      return e;
    }
    raised = a.smem_bytes;
  }
  const cudaError_t e = detail::launch_k(kernel, a.blocks, kMlpThreads, a.smem_bytes, st, a);
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused<es=%d,M=%d> blocks=%d smem=%zu E=%d I=%d: %s",
                  static_cast<int>(sizeof(T)), M, a.blocks, a.smem_bytes, a.n_embd, a.n_inner, cudaGetErrorName(e));
  return e;
}

// The kernel's instantiations by row count (1..kGemvMaxRows), per storage type.
using Launch = cudaError_t (*)(const MlpFusedArgs&, cudaStream_t);
template <typename T>
constexpr Launch kByRows[kGemvMaxRows] = {launch_t<T, 1>, launch_t<T, 2>, launch_t<T, 3>, launch_t<T, 4>};

}  // namespace

std::size_t mlp_fused_scratch_bytes(int rows, int n_embd) {
  return static_cast<std::size_t>(rows) * n_embd * 8;
}

cudaError_t mlp_fused_plan(MlpFusedArgs& a) {
  a.slice_rows = a.blocks = 0;
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
  e = cudaFuncGetAttributes(&fa, a.dt == Dt::kF32   ? reinterpret_cast<const void*>(mlp_fused_kernel<float, kGemvMaxRows>)
                                 : a.dt == Dt::kF16 ? reinterpret_cast<const void*>(mlp_fused_kernel<__half, kGemvMaxRows>)
                                                    : reinterpret_cast<const void*>(mlp_fused_kernel<__nv_bfloat16, kGemvMaxRows>));
  if (e != cudaSuccess) return e;
  const std::size_t smem = mlp_smem(R, a.n_embd, a.rows, es).total;
  if (smem + fa.sharedSizeBytes > static_cast<std::size_t>(detail::g_smem_optin))
    return no("the weight slices do not fit one block's shared memory");
  a.slice_rows = R;
  a.blocks = blocks;
  a.smem_bytes = smem;
  return cudaSuccess;
}

cudaError_t launch_mlp_fused(const MlpFusedArgs& a, cudaStream_t st) {
  if (a.blocks <= 0 || a.slice_rows <= 0 || a.rows < 1 || a.rows > kGemvMaxRows || a.x == nullptr ||
      a.fc_w == nullptr || a.fc2_w == nullptr || a.scratch == nullptr || a.host_error == nullptr ||
      a.ln_gamma == nullptr || a.ln_beta == nullptr) {
    std::snprintf(g_detail, sizeof g_detail, "mlp_fused: arguments not planned or incomplete");
    return cudaErrorInvalidValue;
  }
  const Launch* by_rows = a.dt == Dt::kF32 ? kByRows<float> : a.dt == Dt::kF16 ? kByRows<__half> : kByRows<__nv_bfloat16>;
  return by_rows[a.rows - 1](a, st);
}

}  // namespace sb::engine::cudak
