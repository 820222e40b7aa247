// engine/cuda/lt_gemm — cuBLASLt GEMMs in the engine's layout, with the algorithm chosen once per
// shape and cached.
// Contract: run() computes, for rows m < M and columns n < N,
//   D[m, n] = epi( sum_k X[m, k] * W[n, k]  + bias[n]  (+ D[m, n] when accumulate) )
// with W [N, K] row-major (K contiguous), X rows at x + m * ldx, D rows at d + m * ldd.
// Inputs are in `ab` type, D in `cd` type (fp32 logits from fp16 weights is allowed); compute is
// fp32 (CUBLAS_COMPUTE_32F; fp32 inputs use TF32 tensor cores only when tf32 is set).
// Algorithm choice: cuBLASLt's heuristic top result for the shape, descriptors and algorithm
// cached per (M, N, K, strides, types, epilogue, accumulate), so graph capture never queries.
// Errors throw sb::Error naming the shape.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include "engine/cuda/kernels.h"

namespace sb::engine::cudak {

enum class LtEpilogue { kNone, kBias, kGeluBias };

struct LtShape {
  int m = 0, n = 0, k = 0;
  long long ldx = 0, ldd = 0;
  Dt ab = Dt::kF32, cd = Dt::kF32;
  LtEpilogue epilogue = LtEpilogue::kNone;
  bool accumulate = false;
  // Quantized GEMM (int8 / fp8): W and X are one byte per element (int8, or E4M3), D is the raw
  // accumulator ([M, N], ldd), int32 for int8 (CUBLAS_COMPUTE_32I) and fp32 for fp8; ab/cd,
  // epilogue and accumulate are ignored (dequantization is launch_dequant's).
  WQuant quant = WQuant::kNone;
  auto tie() const { return std::tie(m, n, k, ldx, ldd, ab, cd, epilogue, accumulate, quant); }
  bool operator<(const LtShape& o) const { return tie() < o.tie(); }
  std::string describe() const;
};

class LtGemm {
 public:
  LtGemm(bool tf32, std::size_t workspace_bytes = 32u << 20);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  // Whether cuBLASLt offers an algorithm for this shape (queries and caches it).
  bool supported(const LtShape& s);
  void run(const LtShape& s, const void* w, const void* x, const void* bias, void* d,
           cudaStream_t st);
  std::size_t cached_shapes() const { return plans_.size(); }
  // One line per planned shape: the shape, then the chosen algorithm's configuration (algorithm
  // id, tile, stages, split-K and reduction scheme, swizzle, custom option, cluster shape) and the
  // heuristic's waves count and workspace need, or "no algorithm".  Diagnostics only.
  std::string describe_plans() const;
  std::string version() const;

 private:
  struct Plan;
  Plan* plan(const LtShape& s);  // null when no algorithm exists
  bool tf32_;
  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_;
  std::map<LtShape, std::unique_ptr<Plan>> plans_;
};

}  // namespace sb::engine::cudak
