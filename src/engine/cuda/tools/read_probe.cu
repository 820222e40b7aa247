// sb_cuda_bench's read-only bandwidth ceiling (session 14): the decode step reads weights and never
// writes them back, while the d2d copy ceiling counts a copy's reads and writes; this measures what
// a plain streaming read reaches on the card, for reading the decode kernels' bytes per second.
#include <cuda_runtime.h>

#include <cstddef>

#include "engine/cuda/tools/read_probe.h"

namespace sb::engine::cudak::tools {
namespace {
// Every thread streams 16-byte vectors grid-stride, kUnroll loads in flight, and folds them into one
// word so the loads are not removed; one word per thread is written (sink, not read back).
constexpr int kUnroll = 8;
__global__ void __launch_bounds__(256) read_kernel(const uint4* __restrict__ p, std::size_t n, unsigned* sink) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  unsigned acc = 0;
  for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) v[u] = __ldcs(p + i + u * stride);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) acc ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  for (; i < n; i += stride) {
    const uint4 v = __ldcs(p + i);
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  sink[static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x] = acc;
}
}  // namespace

cudaError_t launch_read_probe(const void* data, std::size_t bytes, unsigned* sink, int blocks, cudaStream_t st) {
  read_kernel<<<blocks, 256, 0, st>>>(static_cast<const uint4*>(data), bytes / 16, sink);
  return cudaGetLastError();
}
}  // namespace sb::engine::cudak::tools
