// engine/cuda/ceilings — a CUDA device's measured ceilings, for the report's roofline floor of
// GPU cells (DESIGN.md "roofline floor"; manifest "ceilings": {"cuda:N": {...}}).
// Contract:
//  - d2d_bandwidth_gbps: device-to-device cudaMemcpyAsync of `copy_bytes` (>= 1 GiB), counting
//    the bytes read AND written (2 x copy_bytes) over the event-timed median of 20 copies after
//    3 warmups, in GB/s (1e9 bytes/s).
//  - gemm_tflops[p]: cuBLASLt GEMM (the engine's own LtGemm, compute fp32; fp32 strict, no TF32)
//    of n x n x n with n = 8192 for fp16/bf16 and 4096 for fp32, inputs drawn N(0,1) (never
//    zeros), 2 n^3 FLOPs over the event-timed median of 10 runs after 3 warmups, in TFLOP/s.
//  - Takes a few seconds and ~1.6 GiB of device memory, all freed before returning (the primary
//    context stays; callers that must not keep one measure in a child process).
//  - Errors throw sb::Error naming the step and CUDA's error string.
#pragma once
#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sb::engine {

struct CudaCeilings {
  int device = 0;
  std::string name;                                // cudaDeviceProp::name
  std::size_t copy_bytes = 0;
  double d2d_bandwidth_gbps = 0;
  std::map<std::string, double> gemm_tflops;       // "fp16", "bf16", "fp32"
  std::map<std::string, int> gemm_n;               // matrix size used per precision
  double seconds = 0;                              // wall time of the measurement

  // {"name","d2d_bandwidth_gbps","copy_bytes","gemm_tflops":{...},"gemm_n":{...},"method","seconds"}
  nlohmann::json to_json() const;
};

CudaCeilings measure_cuda_ceilings(int device);

}  // namespace sb::engine
