// engine/cuda/qgemm_mma — the fp8 (E4M3) prefill GEMM of the quantized engine on tensor cores.
// Contract: the same function as launch_qgemm_simple's fp8 case (kernels.h):
//   acc[m, n] = sum_k e4m3(xq[m, k]) * e4m3(wq[n, k])   for m < rows, n < n_out,
// xq [rows, k] and wq [n_out, k] contiguous E4M3 codes, acc [rows, n_out] fp32 contiguous, so
// launch_dequant's epilogue (per-channel weight scale x per-tensor activation scale, bias, gelu or
// residual) is unchanged.  Any rows, n_out, k >= 1 (k % 16 == 0 with 16-byte aligned pointers
// takes 16-byte loads; other shapes a byte-wise path, same results).
// Arithmetic: each group of 32 products is one mma.sync m16n8k32 E4M3 instruction started from
// zero; its result is added to an fp32 sum per warp (64-byte K chunks, chunk c on warp c % 4) and
// the 4 warps' sums are added in a fixed order, so results are deterministic.  Measured on an H100
// (docs/perf-cuda.md, session 7) as accurate as IEEE fp32 sums (max error 3.0e-8 of sum |x w|, the
// CUDA-core kernel's 3.4e-8): cuda_validate holds it to the fp32 tolerance.  cuBLASLt's FP8 GEMM,
// which accumulates inside the tensor core, keeps ~13 mantissa bits there (errors up to 1.9e-4 of
// sum |x w|); starting every mma from zero avoids that.
// Fused forms (Fp8GemmArgs): the input may be the fp16 activations themselves, quantized on the fly
// with launch_quantize_rows' arithmetic (code = e4m3_satfinite(float(x) * x_inv_scale)), and the
// output may be launch_dequant's epilogue written to fp16 (v = acc * (x_scale or x_row_scales[m]) x
// w_scale[n]) + bias[n]; store, gelu_new(v) or out += v), so one kernel replaces quantize -> GEMM ->
// dequant with the same codes and the same fp32 accumulators.
// Launches with programmatic dependent launch like the other forward kernels (kernels.h).
#pragma once
#include <cuda_runtime_api.h>

#include "engine/cuda/kernels.h"

namespace sb::engine::cudak {

struct Fp8GemmArgs {
  int rows = 0, n_out = 0, k = 0;
  const void* wq = nullptr;     // [n_out, k] E4M3 codes
  // Input: xq ([rows, k] E4M3 codes), or (xq null) x_f16 rows at x_f16 + m * ld_in quantized here.
  const void* xq = nullptr;
  const void* x_f16 = nullptr;
  long long ld_in = 0;
  float x_inv_scale = 1.0f;
  // Output: acc ([rows, n_out] fp32 sums), or (acc null) the dequant epilogue into out_f16.
  float* acc = nullptr;
  void* out_f16 = nullptr;
  long long ldo = 0;
  float x_scale = 1.0f;
  const float* x_row_scales = nullptr;  // per-row activation scales instead of x_scale (codes input only)
  const float* w_scale = nullptr;
  const void* bias_f16 = nullptr;       // may be null
  DequantEpilogue epi = DequantEpilogue::kStore;
};

cudaError_t launch_qgemm_fp8_mma(const Fp8GemmArgs& a, cudaStream_t st);
// acc = codes x codes, the unfused form (fp8_prefill_gemm=mma_unfused, and cublaslt's fallback).
cudaError_t launch_qgemm_fp8_mma(void* acc, const void* xq, const void* wq, int rows, int n_out,
                                 int k, cudaStream_t st);
// Validation hook: weight-tile rows per block forced to 16 (1) or 32 (2); 0 = automatic (default).
// Process-wide, so cuda_validate reaches every tile shape on small matrices.
void set_qgemm_fp8_mma_weight_tiles(int tiles);

}  // namespace sb::engine::cudak
