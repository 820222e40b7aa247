// engine/cuda/qgemm_mma.cu — see qgemm_mma.h.
//
// Block = 4 warps computing a tile of 16 x WR weight rows (the mma's M side) by 8 x NT token rows
// (its N side); the warps split K in 64-byte chunks (chunk c on warp c % 4) and meet in shared
// memory.  Small-M prefill (8 tokens) keeps many blocks in flight with WR = NT = 1; large M takes
// WR = 2, NT = 4 (8 KB of codes per warp per chunk, 16 mmas).  Operands go straight from global
// memory (L1/L2) into the mma fragments: lane (g = lane / 4, t = lane % 4) loads the 16 bytes at
// K offset 16 t of the chunk for weight rows g and g + 8 and token row g, and two mmas take bytes
// 0-7 and 8-15 of each lane's 16 (A and B use the same K map, so the sum is the plain dot product;
// the decode GEMV's fp8 path in gemv.cu uses the same map).
#include <cstdint>

#include "engine/cuda/device_common.cuh"
#include "engine/cuda/qgemm_mma.h"

namespace sb::engine::cudak {
namespace {

using detail::launch_k;
using detail::pdl_trigger;
using detail::pdl_wait;

constexpr int kWarps = 4;
int g_force_weight_tiles = 0;

// d = A (16 x 32 E4M3, row) * B (32 x 8 E4M3, col), started from zero (sm_89+).
__device__ __forceinline__ void mma_e4m3_zero(float (&d)[4], unsigned a0, unsigned a1, unsigned a2,
                                              unsigned a3, unsigned b0, unsigned b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%10,%10,%10,%10};"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(0.0f));
}

// 16 codes of row `row` from K offset k (zeros past the matrix); WEIGHTS: read-only for the whole
// forward (non-coherent path), else activations written by the previous kernel (L2 only).
template <bool WEIGHTS>
__device__ __forceinline__ uint4 load_codes16(const unsigned char* base, int row, int rows, int k,
                                              int K, bool vec) {
  if (row >= rows || k >= K) return make_uint4(0u, 0u, 0u, 0u);
  const unsigned char* p = base + static_cast<long long>(row) * K + k;
  if (vec) {  // K % 16 == 0 and aligned bases: k < K implies k + 16 <= K
    const uint4* q = reinterpret_cast<const uint4*>(p);
    return WEIGHTS ? __ldg(q) : __ldcg(q);
  }
  // Byte-wise (unaligned rows): two 64-bit words, so no register array is indexed at run time.
  unsigned long long lo = 0, hi = 0;
  const int n = K - k < 16 ? K - k : 16;
  for (int j = 0; j < n; ++j) {
    const unsigned long long b = p[j];
    if (j < 8) lo |= b << (8 * j);
    else hi |= b << (8 * (j - 8));
  }
  return make_uint4(static_cast<unsigned>(lo), static_cast<unsigned>(lo >> 32),
                    static_cast<unsigned>(hi), static_cast<unsigned>(hi >> 32));
}

// 16 codes of fp16 row `row` from K offset k, quantized as launch_quantize_rows does (zeros past
// the matrix: quantizing 0 gives code 0 too).  Activations of the previous kernel: L2 only.
__device__ __forceinline__ uint4 quant_codes16(const __half* x, long long ld, int row, int rows,
                                               int k, int K, float inv, bool vec) {
  if (row >= rows || k >= K) return make_uint4(0u, 0u, 0u, 0u);
  const __half* p = x + row * ld + k;
  __half h[16];
  if (vec) {  // K % 16 == 0, ld % 8 == 0, aligned base: two 16-byte loads
    const uint4 v0 = __ldcg(reinterpret_cast<const uint4*>(p));
    const uint4 v1 = __ldcg(reinterpret_cast<const uint4*>(p + 8));
    const unsigned u[8] = {v0.x, v0.y, v0.z, v0.w, v1.x, v1.y, v1.z, v1.w};
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      __half_raw lo, hi;
      lo.x = static_cast<unsigned short>(u[j] & 0xFFFFu);
      hi.x = static_cast<unsigned short>(u[j] >> 16);
      h[2 * j] = __half(lo);
      h[2 * j + 1] = __half(hi);
    }
  } else {
#pragma unroll
    for (int j = 0; j < 16; ++j) h[j] = k + j < K ? __ldcg(p + j) : __float2half_rn(0.0f);
  }
  unsigned w[4] = {0u, 0u, 0u, 0u};
#pragma unroll
  for (int j = 0; j < 16; ++j)
    w[j >> 2] |= static_cast<unsigned>(detail::float_to_fp8_code(__half2float(h[j]) * inv)) << (8 * (j & 3));
  return make_uint4(w[0], w[1], w[2], w[3]);
}

template <int WR, int NT>
struct Frags {
  uint4 w[WR][2];  // weight rows 16 wr + g and 16 wr + g + 8
  uint4 x[NT];     // token row 8 nt + g
};

struct KernelArgs {
  Fp8GemmArgs a;
  bool vec_w, vec_x;  // 16-byte loads of codes / of the fp16 input rows
};

template <int WR, int NT, bool QIN>
__device__ __forceinline__ void load_frags(Frags<WR, NT>& f, const KernelArgs& ka, int m0, int n0,
                                           int k, int g) {
  const Fp8GemmArgs& a = ka.a;
  const auto* wq = static_cast<const unsigned char*>(a.wq);
#pragma unroll
  for (int wr = 0; wr < WR; ++wr)
#pragma unroll
    for (int h = 0; h < 2; ++h) f.w[wr][h] = load_codes16<true>(wq, n0 + 16 * wr + 8 * h + g, a.n_out, k, a.k, ka.vec_w);
#pragma unroll
  for (int nt = 0; nt < NT; ++nt) {
    if constexpr (QIN)
      f.x[nt] = quant_codes16(static_cast<const __half*>(a.x_f16), a.ld_in, m0 + 8 * nt + g, a.rows, k, a.k,
                              a.x_inv_scale, ka.vec_x);
    else
      f.x[nt] = load_codes16<false>(static_cast<const unsigned char*>(a.xq), m0 + 8 * nt + g, a.rows, k, a.k, ka.vec_x);
  }
}

template <int WR, int NT, bool QIN>
__global__ void __launch_bounds__(kWarps * 32) qgemm_fp8_mma_kernel(const KernelArgs ka) {
  __shared__ float red[kWarps][16 * WR][8 * NT + 1];
  const Fp8GemmArgs& a = ka.a;
  const int M = a.rows, N = a.n_out;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int n0 = blockIdx.x * 16 * WR, m0 = blockIdx.y * 8 * NT;
  const int chunks = (a.k + 63) / 64;
  float sum[WR][NT][4];
#pragma unroll
  for (int wr = 0; wr < WR; ++wr)
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) sum[wr][nt][i] = 0.0f;
  pdl_trigger();
  pdl_wait();  // the input (and a residual output) belong to the previous kernels
  // Software pipeline: the next chunk's loads are in flight while this chunk's mmas run.
  Frags<WR, NT> cur, nxt;
  int c = warp;
  if (c < chunks) load_frags<WR, NT, QIN>(cur, ka, m0, n0, c * 64 + 16 * t, g);
  for (; c < chunks; c += kWarps) {
    const bool more = c + kWarps < chunks;  // warp-uniform
    if (more) load_frags<WR, NT, QIN>(nxt, ka, m0, n0, (c + kWarps) * 64 + 16 * t, g);
#pragma unroll
    for (int wr = 0; wr < WR; ++wr)
#pragma unroll
      for (int nt = 0; nt < NT; ++nt) {
        float d1[4], d2[4];
        mma_e4m3_zero(d1, cur.w[wr][0].x, cur.w[wr][1].x, cur.w[wr][0].y, cur.w[wr][1].y, cur.x[nt].x, cur.x[nt].y);
        mma_e4m3_zero(d2, cur.w[wr][0].z, cur.w[wr][1].z, cur.w[wr][0].w, cur.w[wr][1].w, cur.x[nt].z, cur.x[nt].w);
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          sum[wr][nt][i] += d1[i];
          sum[wr][nt][i] += d2[i];
        }
      }
    if (more) cur = nxt;
  }
  // Fragment i of (wr, nt): weight row 16 wr + g + 8 (i / 2), token 8 nt + 2 t + i % 2.
#pragma unroll
  for (int wr = 0; wr < WR; ++wr)
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) red[warp][16 * wr + g + 8 * (i >> 1)][8 * nt + 2 * t + (i & 1)] = sum[wr][nt][i];
  __syncthreads();
  // Consecutive threads take consecutive weight rows of one token: coalesced stores.
  for (int e = threadIdx.x; e < 16 * WR * 8 * NT; e += kWarps * 32) {
    const int r = e % (16 * WR), tk = e / (16 * WR);
    const int n = n0 + r, m = m0 + tk;
    if (n < N && m < M) {
      float s = red[0][r][tk];
#pragma unroll
      for (int w = 1; w < kWarps; ++w) s += red[w][r][tk];
      if (a.acc != nullptr) {
        a.acc[static_cast<long long>(m) * N + n] = s;
      } else {  // launch_dequant's arithmetic, element for element
        const float xs = a.x_row_scales != nullptr ? a.x_row_scales[m] : a.x_scale;
        const auto* bias = static_cast<const __half*>(a.bias_f16);
        float v = s * (xs * a.w_scale[n]) + (bias != nullptr ? __half2float(bias[n]) : 0.0f);
        __half* o = static_cast<__half*>(a.out_f16) + m * a.ldo + n;
        if (a.epi == DequantEpilogue::kGelu) v = detail::gelu_new(v);
        if (a.epi == DequantEpilogue::kResidual) v += __half2float(*o);
        *o = __float2half_rn(v);
      }
    }
  }
}

template <int WR, int NT>
cudaError_t launch_tile(const KernelArgs& ka, cudaStream_t st) {
  const dim3 grid((ka.a.n_out + 16 * WR - 1) / (16 * WR), (ka.a.rows + 8 * NT - 1) / (8 * NT));
  if (ka.a.xq == nullptr) return launch_k(qgemm_fp8_mma_kernel<WR, NT, true>, grid, dim3(kWarps * 32), 0, st, ka);
  return launch_k(qgemm_fp8_mma_kernel<WR, NT, false>, grid, dim3(kWarps * 32), 0, st, ka);
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

}  // namespace

void set_qgemm_fp8_mma_weight_tiles(int tiles) { g_force_weight_tiles = tiles; }

cudaError_t launch_qgemm_fp8_mma(const Fp8GemmArgs& a, cudaStream_t st) {
  const int rows = a.rows, n_out = a.n_out, k = a.k;
  if (rows < 1 || n_out < 1 || k < 1 || (rows + 7) / 8 > 65535 || a.wq == nullptr ||
      (a.xq == nullptr && (a.x_f16 == nullptr || a.ld_in < k)) ||
      (a.acc == nullptr && (a.out_f16 == nullptr || a.w_scale == nullptr || a.ldo < n_out)) ||
      (a.xq == nullptr && a.x_row_scales != nullptr))
    return cudaErrorInvalidValue;
  cudaError_t e = detail::device_limits();
  if (e != cudaSuccess) return e;
  KernelArgs ka{a, k % 16 == 0 && aligned16(a.wq), false};
  ka.vec_x = a.xq != nullptr ? k % 16 == 0 && aligned16(a.xq)
                             : k % 16 == 0 && a.ld_in % 8 == 0 && aligned16(a.x_f16);
  // Token tile: one mma N side (8) for the 1x8-style prompts, four beyond 16 rows.  Weight tile:
  // 32 rows when that still gives two blocks per SM, else 16 (more blocks for small problems).
  const int nt = rows <= 8 ? 1 : rows <= 16 ? 2 : 4;
  const long long blocks32 = static_cast<long long>((n_out + 31) / 32) * ((rows + 8 * nt - 1) / (8 * nt));
  const bool wide = g_force_weight_tiles != 0 ? g_force_weight_tiles == 2 : blocks32 >= 2LL * detail::g_sm_count;
  if (nt == 1) return wide ? launch_tile<2, 1>(ka, st) : launch_tile<1, 1>(ka, st);
  if (nt == 2) return wide ? launch_tile<2, 2>(ka, st) : launch_tile<1, 2>(ka, st);
  return wide ? launch_tile<2, 4>(ka, st) : launch_tile<1, 4>(ka, st);
}

cudaError_t launch_qgemm_fp8_mma(void* acc, const void* xq, const void* wq, int rows, int n_out,
                                 int k, cudaStream_t st) {
  Fp8GemmArgs a;
  a.rows = rows;
  a.n_out = n_out;
  a.k = k;
  a.wq = wq;
  a.xq = xq;
  a.acc = static_cast<float*>(acc);
  if (xq == nullptr || acc == nullptr) return cudaErrorInvalidValue;
  return launch_qgemm_fp8_mma(a, st);
}

}  // namespace sb::engine::cudak
