// engine/cuda/lm_head.cu — the decode LM head on tensor cores (launch_lm_head_mma): logits[m, n] =
// LayerNorm(x[m]) . W[n] for the fp16 / bf16 tied LM head (W = wte, [n_out, k_in]) at 1-4 input
// rows, with launch_gemv's argmax epilogue (packed argmax per row, atomicMax into the slots, the
// last block copying them to pinned host memory).  launch_gemv takes it for GemvEpilogue::kArgmax
// where lm_head_mma() says (kernels.h: 1 always, 2 = the measured rule, 2-4 input rows at
// n_embd <= 1280; 0 never)
// and k_in is a multiple of 64 (every GPT-2 size); the register GEMV (gemv.cu) does the rest.
//
// Why (docs/perf-cuda.md "Session 14"): the register GEMV's LM head gives each warp one row per
// pass (gpt2: 3 loads per lane, ~12 passes a warp) and spends its instructions on conversions,
// FMAs and a 32-lane reduction per row, for each input row — at 4 rows 43 us of a gpt2 step (H200).
// Here a warp owns 16 consecutive rows ("a tile") and the whole K: each step a lane loads four
// 16-byte vectors (rows g and g + 8, 32 k apart x 2) and feeds them to four mma.sync m16n8k16
// (fp32 accumulation) against the staged input rows as the N = 8 side (columns >= rows are zero):
// 256 weights per warp instruction, no shuffle reduction (the mma sums over k), and the same
// instructions for 1 or 4 input rows.  Steps run through a register ring kDepth deep (the first
// kDepth steps issued before griddepcontrol.wait); a warp's steps run on from one tile to its next
// one (grid-stride) without a gap.
// Measured (session 14, H200): 4 input rows 43 -> 30 us in the step (gpt2), one row no faster (both
// ~22-24 us for 77 MB: ~3.2-3.5 TB/s in the step, against a 4.3-4.5 TB/s streaming-read ceiling),
// hence the rule.  Not
// kept: each warp's tiles bulk-copied into shared-memory slots, a block per SM streaming one
// contiguous range (commit 05114f5, mode 2 then): standalone 27.8 vs 30.3 us, in the step 25.5-27.8
// vs 23.75 us at one row, no better than this kernel at 4.
//
// Lane roles (g = lane / 4, t = lane % 4).  Step (tile, kb): rows r0 = 16 tile + g and r1 = r0 + 8,
// k positions p = 64 kb + 8 t (.. + 7) and p + 32.  The mma's A fragment wants A[g][2t, 2t + 1],
// A[g + 8][2t, 2t + 1], A[g][2t + 8, 2t + 9], A[g + 8][2t + 8, 2t + 9]; any map from the mma's k to
// the row's k is fine if A and B use the same one (the dot product is a plain sum), so the lane's
// 16 bytes at p of rows g and g + 8 are two mmas' A fragments (words 0-1 and 2-3), and B (k x
// column) is the same 16 bytes of input row g: words 0-1 and 2-3 of x[g][p .. p + 7].  Results:
// d0 / d1 = rows r0 at input rows 2t / 2t + 1, d2 / d3 = row r1.
#include "engine/cuda/device_common.cuh"

namespace sb::engine::cudak {
namespace {
int mode_clamp(int m) { return m < 0 ? 0 : (m > 2 ? 2 : m); }
int g_lm_head_mode = mode_clamp(env_int("SB_LM_HEAD_MMA", 2));
long long g_lm_head_mma_launches = 0;
}  // namespace
void set_lm_head_mma(int mode) { g_lm_head_mode = mode_clamp(mode); }
int lm_head_mma() { return g_lm_head_mode; }
long long lm_head_mma_launch_count() { return g_lm_head_mma_launches; }
}  // namespace sb::engine::cudak

namespace sb::engine::cudak::detail {
namespace {

constexpr int kThreads = 128, kWarps = 4;
constexpr int kDepth = 3;        // steps in flight per warp (4 x 16-byte loads per lane each)
constexpr int kStepK = 64;       // k per step and row
constexpr int kTileRows = 16;    // rows per warp tile (the mma's M)
constexpr int kPad = 32;         // halves of padding per staged input row (bank spread, below)
constexpr int kMinBlocks = 6;    // register budget: 6 x 128 threads per SM (<= 80 registers)

// Staged input row stride in elements: K + 32, so the 16-byte reads of input rows g and g + 1 in
// one quarter-warp phase (lanes 4g .. 4g + 7) fall on different halves of the 32 banks.
__host__ __device__ constexpr int x_stride(int K) { return K + kPad; }
__host__ __device__ constexpr std::size_t xs_bytes(int M, int K) {
  return (static_cast<std::size_t>(M) * x_stride(K) * 2 + 15) & ~std::size_t{15};
}

template <typename T>
__device__ __forceinline__ void mma_16816(float (&d)[4], unsigned a0, unsigned a1, unsigned a2, unsigned a3,
                                          unsigned b0, unsigned b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  }
}

// ---- Pieces of the kernel below.

// The input rows into shared memory (row stride x_stride(K)), then their LayerNorm in place with
// launch_gemv's arithmetic (sums by 128 threads in k = tid + 128 j order, block sums in warp order,
// (x - mean) * rstd * gamma + beta rounded to T): the register GEMV's staged values.  gamma / beta
// from shared memory gs / bs (staged before the wait).  Ends with a block barrier.
template <typename T, int M>
__device__ __forceinline__ void stage_rows(const GemvArgs& a, T* xs, const float* gs, const float* bs, float (*red)[M]) {
  const int K = a.k_in, XS = x_stride(K), tid = threadIdx.x;
  const T* x = static_cast<const T*>(a.x);
  const bool aligned = (reinterpret_cast<std::uintptr_t>(x) & 15u) == 0 && (a.x_row_stride * 2) % 16 == 0;
  if (aligned) {
    const int nv = K / 8;
    for (int i = tid; i < M * nv; i += kThreads) {
      const int m = i / nv, v = i - m * nv;
      reinterpret_cast<uint4*>(xs + m * XS)[v] = __ldcg(reinterpret_cast<const uint4*>(x + m * a.x_row_stride) + v);
    }
  } else {
#pragma unroll
    for (int m = 0; m < M; ++m)
      for (int k = tid; k < K; k += kThreads) xs[m * XS + k] = x[m * a.x_row_stride + k];
  }
  __syncthreads();
  if (a.ln_gamma == nullptr) return;
  float s[M], mean[M], q[M];
#pragma unroll
  for (int m = 0; m < M; ++m) {
    s[m] = 0.0f;
    for (int k = tid; k < K; k += kThreads) s[m] += to_f(xs[m * XS + k]);
  }
  block_sum_rows<kWarps>(s, red);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    mean[m] = s[m] / K;
    q[m] = 0.0f;
#pragma unroll 4
    for (int k = tid; k < K; k += kThreads) {
      const float dv = to_f(xs[m * XS + k]) - mean[m];
      q[m] += dv * dv;
    }
  }
  block_sum_rows<kWarps>(q, red);  // (its barrier also ends every read of the raw values)
#pragma unroll
  for (int m = 0; m < M; ++m) {
    const float rstd = 1.0f / sqrtf(q[m] / K + a.ln_eps);
    for (int k = tid; k < K; k += kThreads)
      xs[m * XS + k] = from_f<T>((to_f(xs[m * XS + k]) - mean[m]) * rstd * gs[k] + bs[k]);
  }
  __syncthreads();
}

// One step of a tile: weights u0 / u1 (row g, k p and p + 32) and v0 / v1 (row g + 8), the input
// rows' 16 bytes at the same k from xrow (zeros for lanes whose column is no input row).
template <typename T>
__device__ __forceinline__ void tile_step(float (&acc)[4], const uint4& u0, const uint4& u1, const uint4& v0,
                                          const uint4& v1, const T* xrow, bool has_x) {
  uint4 x0 = make_uint4(0u, 0u, 0u, 0u), x1 = x0;
  if (has_x) {
    x0 = *reinterpret_cast<const uint4*>(xrow);
    x1 = *reinterpret_cast<const uint4*>(xrow + 32);
  }
  mma_16816<T>(acc, u0.x, v0.x, u0.y, v0.y, x0.x, x0.y);
  mma_16816<T>(acc, u0.z, v0.z, u0.w, v0.w, x0.z, x0.w);
  mma_16816<T>(acc, u1.x, v1.x, u1.y, v1.y, x1.x, x1.y);
  mma_16816<T>(acc, u1.z, v1.z, u1.w, v1.w, x1.z, x1.w);
}

// A finished tile: rows r0 = 16 tile + g / r1 = r0 + 8 at input rows 2t / 2t + 1 (where they
// exist): logits (when asked) and the lane's running argmax keys; acc is cleared.
template <int M>
__device__ __forceinline__ void tile_epilogue(const GemvArgs& a, int tile, float (&acc)[4], float b0, float b1,
                                              unsigned long long& best0, unsigned long long& best1) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int r0 = tile * kTileRows + g, r1 = r0 + 8;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int m = 2 * t + (i & 1), n = (i & 2) ? r1 : r0;
    if (m < M && n < a.n_out) {
      const float v = acc[i] + ((i & 2) ? b1 : b0);
      if (a.logits != nullptr) a.logits[m * a.logits_row_stride + n] = v;
      const unsigned long long key = argmax_key(v, static_cast<std::uint32_t>(n));
      if (i & 1) best1 = key > best1 ? key : best1;
      else best0 = key > best0 ? key : best0;
    }
    acc[i] = 0.0f;
  }
}

// The block's argmax (lanes of one t hold the same input rows: reduced over g), then
// argmax_block_finish (atomicMax into the slots, the last block's copy to pinned host memory).
// Every thread of the block calls it.
template <int M>
__device__ __forceinline__ void finish_argmax(const GemvArgs& a, unsigned long long best0, unsigned long long best1,
                                              unsigned long long (*best_s)[M]) {
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
#pragma unroll
  for (int o = 4; o < 32; o <<= 1) {
    const unsigned long long u0 = __shfl_xor_sync(kFull, best0, o), u1 = __shfl_xor_sync(kFull, best1, o);
    best0 = u0 > best0 ? u0 : best0;
    best1 = u1 > best1 ? u1 : best1;
  }
  if (lane < 4) {
    if (2 * lane < M) best_s[warp][2 * lane] = best0;
    if (2 * lane + 1 < M) best_s[warp][2 * lane + 1] = best1;
  }
  argmax_block_finish<kWarps, M>(a, best_s);
}

// ---- The kernel: weights through registers, kDepth steps in flight per warp, grid-stride over tiles.
template <typename T, int M>
__global__ void __launch_bounds__(kThreads, kMinBlocks) lm_head_mma_kernel(GemvArgs a) {
  static_assert(M >= 1 && M <= 4, "1-4 input rows (the N = 8 side holds 2 per lane group)");
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float red[kWarps][M];
  __shared__ unsigned long long best_s[kWarps][M];
  const int K = a.k_in, N = a.n_out, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int g = lane >> 2, t = lane & 3;
  T* xs = reinterpret_cast<T*>(smem_raw);
  const int KS = K / kStepK, RV = K / 8;  // steps per tile, 16-byte vectors per row
  const int n_tiles = (N + kTileRows - 1) / kTileRows;
  const int TW = gridDim.x * kWarps;
  const uint4* W = static_cast<const uint4*>(a.w);
  const T* bias = static_cast<const T*>(a.bias);

  step_stamp(a.step_trace, 0);
  pdl_trigger();
  // ---- Before the wait: the first kDepth steps' weights, the first tile's bias, gamma / beta.
  uint4 buf[kDepth][4];
  int i_tile = blockIdx.x * kWarps + warp, i_kb = 0;  // the next step to issue
  auto issue = [&](uint4 (&b)[4]) {
    if (i_tile < n_tiles) {
      const int r0 = i_tile * kTileRows + g, r1 = r0 + 8, v = i_kb * (kStepK / 8) + t;
      const uint4 z = make_uint4(0u, 0u, 0u, 0u);
      const uint4* w0 = W + static_cast<std::size_t>(r0) * RV + v;
      const uint4* w1 = W + static_cast<std::size_t>(r1) * RV + v;
      b[0] = r0 < N ? __ldg(w0) : z;
      b[1] = r0 < N ? __ldg(w0 + 4) : z;
      b[2] = r1 < N ? __ldg(w1) : z;
      b[3] = r1 < N ? __ldg(w1 + 4) : z;
      if (++i_kb == KS) {
        i_kb = 0;
        i_tile += TW;
      }
    }
  };
#pragma unroll
  for (int d = 0; d < kDepth; ++d) issue(buf[d]);
  int c_tile = blockIdx.x * kWarps + warp, c_kb = 0;  // the next step to compute
  float b0 = 0.0f, b1 = 0.0f;                         // bias of rows r0, r1 of tile c_tile
  auto load_bias = [&] {
    const int r0 = c_tile * kTileRows + g, r1 = r0 + 8;
    b0 = (bias != nullptr && r0 < N) ? to_f(bias[r0]) : 0.0f;
    b1 = (bias != nullptr && r1 < N) ? to_f(bias[r1]) : 0.0f;
  };
  if (c_tile < n_tiles) load_bias();
  // gamma / beta into shared memory after the staged rows (registers here hold the weights).
  float* gs = reinterpret_cast<float*>(smem_raw + xs_bytes(M, K));
  float* bs = gs + K;
  if (a.ln_gamma != nullptr) {
    for (int k = tid; k < K; k += kThreads) {
      gs[k] = a.ln_gamma[k];
      bs[k] = a.ln_beta[k];
    }
  }
  pdl_wait();
  step_stamp(a.step_trace, 1);
  stage_rows<T, M>(a, xs, gs, bs, red);

  // ---- The warp's steps: kDepth in flight, each slot refilled right after it is consumed.
  const bool has_x = g < M;  // lanes whose B column is an input row (the rest feed zeros)
  const T* xrow = xs + (has_x ? g : 0) * x_stride(K) + 8 * t;
  float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  unsigned long long best0 = 0ull, best1 = 0ull;  // input rows 2t and 2t + 1
  while (c_tile < n_tiles) {
#pragma unroll
    for (int d = 0; d < kDepth; ++d) {
      if (c_tile < n_tiles) {  // warp-uniform
        tile_step<T>(acc, buf[d][0], buf[d][1], buf[d][2], buf[d][3], xrow + c_kb * kStepK, has_x);
        issue(buf[d]);
        if (++c_kb == KS) {
          tile_epilogue<M>(a, c_tile, acc, b0, b1, best0, best1);
          c_kb = 0;
          c_tile += TW;
          if (c_tile < n_tiles) load_bias();
        }
      }
    }
  }
  finish_argmax<M>(a, best0, best1, best_s);
  step_stamp(a.step_trace, 2);
}

template <typename T, int M>
cudaError_t launch_m(const GemvArgs& a, cudaStream_t st) {
  cudaError_t e = device_limits();
  if (e != cudaSuccess) return e;
  const long long tiles = (static_cast<long long>(a.n_out) + kTileRows - 1) / kTileRows;
  const std::size_t xsb = xs_bytes(M, a.k_in);
  auto kernel = lm_head_mma_kernel<T, M>;
  const std::size_t smem = xsb + (a.ln_gamma != nullptr ? 2ull * a.k_in * sizeof(float) : 0);
  if (smem > 48 * 1024) {
    e = raise_dyn_smem(reinterpret_cast<const void*>(kernel), smem, "lm_head_mma");
    if (e != cudaSuccess) return e;
  }
  static std::size_t occ_smem = ~std::size_t{0};
  static int occ_blocks = 1;
  if (occ_smem != smem) {
    int nb = 0;
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nb, kernel, kThreads, smem);
    if (e != cudaSuccess) return e;
    occ_blocks = nb > 0 ? nb : 1;
    occ_smem = smem;
  }
  // One 16-row tile per warp where they all fit resident at once; grid-stride beyond that.
  const long long want = (tiles + kWarps - 1) / kWarps;
  const long long cap = static_cast<long long>(g_sm_count) * occ_blocks;
  const int grid = static_cast<int>(want < cap ? want : cap);
  GemvArgs b = a;
  b.step_trace = step_trace_take("gemv", grid, a.n_out);
  e = launch_k(kernel, grid, kThreads, smem, st, b);
  if (e == cudaSuccess) ++g_lm_head_mma_launches;
  else
    std::snprintf(g_detail, sizeof g_detail, "lm_head_mma<M=%d> grid=%d smem=%zu N=%d K=%d: %s", M, grid, smem,
                  a.n_out, a.k_in, cudaGetErrorName(e));
  return e;
}

template <typename T>
cudaError_t launch_t(const GemvArgs& a, cudaStream_t st) {
  switch (a.rows) {
    case 1: return launch_m<T, 1>(a, st);
    case 2: return launch_m<T, 2>(a, st);
    case 3: return launch_m<T, 3>(a, st);
    case 4: return launch_m<T, 4>(a, st);
  }
  return cudaErrorInvalidValue;
}

}  // namespace

bool lm_head_mma_applies(const GemvArgs& a) {
  // Mode 2, the default, is the measured rule (docs/perf-cuda.md "Session 14", H200 and H100): 2-4
  // input rows and n_embd <= 1280 (gpt2 .. gpt2-large: -0.3..-4.8% at 3-4 rows); one row was no
  // faster on either card, gpt2-xl neutral on the H200 and up to +0.8% on the H100.
  const bool wanted = g_lm_head_mode == 1 || (g_lm_head_mode == 2 && a.rows >= 2 && a.k_in <= 1280);
  return wanted && a.epilogue == GemvEpilogue::kArgmax && a.wq == WQuant::kNone &&
         (a.dt == Dt::kF16 || a.dt == Dt::kBF16) && a.k_in % kStepK == 0 && a.rows >= 1 && a.rows <= 4 &&
         (reinterpret_cast<std::uintptr_t>(a.w) & 15u) == 0;
}

cudaError_t launch_lm_head_mma(const GemvArgs& a, cudaStream_t st) {
  return a.dt == Dt::kF16 ? launch_t<__half>(a, st) : launch_t<__nv_bfloat16>(a, st);
}

}  // namespace sb::engine::cudak::detail
