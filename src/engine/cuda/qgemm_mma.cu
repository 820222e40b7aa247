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

template <int WR, int NT>
struct Frags {
  uint4 w[WR][2];  // weight rows 16 wr + g and 16 wr + g + 8
  uint4 x[NT];     // token row 8 nt + g
};

template <int WR, int NT>
__device__ __forceinline__ void load_frags(Frags<WR, NT>& f, const unsigned char* xq,
                                           const unsigned char* wq, int M, int N, int K, int m0,
                                           int n0, int k, int g, bool vec) {
#pragma unroll
  for (int wr = 0; wr < WR; ++wr)
#pragma unroll
    for (int h = 0; h < 2; ++h) f.w[wr][h] = load_codes16<true>(wq, n0 + 16 * wr + 8 * h + g, N, k, K, vec);
#pragma unroll
  for (int nt = 0; nt < NT; ++nt) f.x[nt] = load_codes16<false>(xq, m0 + 8 * nt + g, M, k, K, vec);
}

template <int WR, int NT>
__global__ void __launch_bounds__(kWarps * 32)
    qgemm_fp8_mma_kernel(float* acc, const unsigned char* xq, const unsigned char* wq, int M, int N,
                         int K, bool vec) {
  __shared__ float red[kWarps][16 * WR][8 * NT + 1];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int n0 = blockIdx.x * 16 * WR, m0 = blockIdx.y * 8 * NT;
  const int chunks = (K + 63) / 64;
  float sum[WR][NT][4];
#pragma unroll
  for (int wr = 0; wr < WR; ++wr)
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) sum[wr][nt][i] = 0.0f;
  pdl_trigger();
  pdl_wait();  // xq is the previous kernel's output
  // Software pipeline: the next chunk's loads are in flight while this chunk's mmas run.
  Frags<WR, NT> cur, nxt;
  int c = warp;
  if (c < chunks) load_frags(cur, xq, wq, M, N, K, m0, n0, c * 64 + 16 * t, g, vec);
  for (; c < chunks; c += kWarps) {
    const bool more = c + kWarps < chunks;  // warp-uniform
    if (more) load_frags(nxt, xq, wq, M, N, K, m0, n0, (c + kWarps) * 64 + 16 * t, g, vec);
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
      acc[static_cast<long long>(m) * N + n] = s;
    }
  }
}

template <int WR, int NT>
cudaError_t launch_tile(float* acc, const unsigned char* x, const unsigned char* w, int M, int N,
                        int K, bool vec, cudaStream_t st) {
  const dim3 grid((N + 16 * WR - 1) / (16 * WR), (M + 8 * NT - 1) / (8 * NT));
  return launch_k(qgemm_fp8_mma_kernel<WR, NT>, grid, dim3(kWarps * 32), 0, st, acc, x, w, M, N, K, vec);
}

}  // namespace

void set_qgemm_fp8_mma_weight_tiles(int tiles) { g_force_weight_tiles = tiles; }

cudaError_t launch_qgemm_fp8_mma(void* acc, const void* xq, const void* wq, int rows, int n_out,
                                 int k, cudaStream_t st) {
  if (rows < 1 || n_out < 1 || k < 1 || (rows + 7) / 8 > 65535) return cudaErrorInvalidValue;
  cudaError_t e = detail::device_limits();
  if (e != cudaSuccess) return e;
  auto* a = static_cast<float*>(acc);
  auto* x = static_cast<const unsigned char*>(xq);
  auto* w = static_cast<const unsigned char*>(wq);
  const bool vec = k % 16 == 0 && reinterpret_cast<std::uintptr_t>(xq) % 16 == 0 &&
                   reinterpret_cast<std::uintptr_t>(wq) % 16 == 0;
  // Token tile: one mma N side (8) for the 1x8-style prompts, four beyond 16 rows.  Weight tile:
  // 32 rows when that still gives two blocks per SM, else 16 (more blocks for small problems).
  const int nt = rows <= 8 ? 1 : rows <= 16 ? 2 : 4;
  const long long blocks32 = static_cast<long long>((n_out + 31) / 32) * ((rows + 8 * nt - 1) / (8 * nt));
  const bool wide = g_force_weight_tiles != 0 ? g_force_weight_tiles == 2 : blocks32 >= 2LL * detail::g_sm_count;
  if (nt == 1) return wide ? launch_tile<2, 1>(a, x, w, rows, n_out, k, vec, st) : launch_tile<1, 1>(a, x, w, rows, n_out, k, vec, st);
  if (nt == 2) return wide ? launch_tile<2, 2>(a, x, w, rows, n_out, k, vec, st) : launch_tile<1, 2>(a, x, w, rows, n_out, k, vec, st);
  return wide ? launch_tile<2, 4>(a, x, w, rows, n_out, k, vec, st) : launch_tile<1, 4>(a, x, w, rows, n_out, k, vec, st);
}

}  // namespace sb::engine::cudak
