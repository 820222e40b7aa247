// engine/cuda/qgemm_mma — the fp8 (E4M3) prefill GEMM of the quantized engine on tensor cores.
// Contract: the same function as launch_qgemm_simple's fp8 case (kernels.h):
//   acc[m, n] = sum_k e4m3(xq[m, k]) * e4m3(wq[n, k])   for m < rows, n < n_out,
// xq [rows, k] and wq [n_out, k] contiguous E4M3 codes, acc [rows, n_out] fp32 contiguous, so
// launch_dequant's epilogue (per-channel weight scale x per-tensor activation scale, bias, gelu or
// residual) is unchanged.  Any rows, n_out, k >= 1 (k % 16 == 0 with 16-byte aligned pointers
// takes 16-byte loads; other shapes a byte-wise path, same results).
// Arithmetic: each group of 32 products is one mma.sync m16n8k32 E4M3 instruction started from
// zero; its result is added to an fp32 sum per warp (64-byte K chunks, chunk c on warp c % 4) and
// the 4 warps' sums are added in a fixed order, so results are deterministic.  A Hopper tensor core
// does not add the 32 products in IEEE fp32: it aligns them to the largest one and keeps about 13
// mantissa bits (cuBLASLt's FP8 GEMM shows the same: docs/perf-cuda.md, session 7).  The bound
// cuda_validate checks per element: sum over 64-byte chunks of 2 x 34 x 2^-12 x max |product in
// the chunk|, plus (k/32 + 8) x 2^-24 x sum_k |products| for the fp32 additions.
// Launches with programmatic dependent launch like the other forward kernels (kernels.h).
#pragma once
#include <cuda_runtime_api.h>

namespace sb::engine::cudak {

cudaError_t launch_qgemm_fp8_mma(void* acc, const void* xq, const void* wq, int rows, int n_out,
                                 int k, cudaStream_t st);
// Validation hook: weight-tile rows per block forced to 16 (1) or 32 (2); 0 = automatic (default).
// Process-wide, so cuda_validate reaches every tile shape on small matrices.
void set_qgemm_fp8_mma_weight_tiles(int tiles);

}  // namespace sb::engine::cudak
