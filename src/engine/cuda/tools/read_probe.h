// sb_cuda_bench's read-only bandwidth probe (read_probe.cu): `bytes` (a multiple of 16) of `data`
// streamed by `blocks` blocks of 256 threads; sink holds blocks x 256 words.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>

namespace sb::engine::cudak::tools {
cudaError_t launch_read_probe(const void* data, std::size_t bytes, unsigned* sink, int blocks, cudaStream_t st);
}  // namespace sb::engine::cudak::tools
