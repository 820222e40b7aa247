// engine/cuda/mlp_fixed.h — the fused MLP's cross-block word (mlp_fused.cu), host and device.
// Contract: one 64-bit word per output element holds count * 2^56 + S, where count (8 bits) is the
// number of blocks that have added to it and S is the signed 56-bit sum of their fixed-point
// partials q = llrint(p * 2^28).  Every block adds mlp_fixed_increment(q); the block whose add
// makes the count equal the grid size has the total.  Integer addition is associative, so the
// total is exact and independent of the order of the adds (deterministic).  Valid while every
// prefix |S| < 2^55: |q| < 2^47 (|p| < 2^19) with at most 255 blocks.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define SB_MLP_FIXED_HD __host__ __device__ __forceinline__
#else
#define SB_MLP_FIXED_HD inline
#endif

namespace sb::engine::cudak {

constexpr int kMlpFixedMaxBlocks = 255;
constexpr float kMlpFixedScale = 268435456.0f;           // 2^28
constexpr float kMlpFixedInv = 3.7252902984619141e-09f;  // 2^-28
constexpr float kMlpFixedMaxPartial = 524288.0f;         // 2^19: |q| < 2^47

SB_MLP_FIXED_HD std::uint64_t mlp_fixed_increment(std::int64_t q) {
  return (std::uint64_t{1} << 56) + static_cast<std::uint64_t>(q);
}
// The signed 56-bit sum of a word.
SB_MLP_FIXED_HD std::int64_t mlp_fixed_sum(std::uint64_t w) {
  return static_cast<std::int64_t>(w << 8) >> 8;
}
// The number of contributions of a word.
SB_MLP_FIXED_HD unsigned mlp_fixed_count(std::uint64_t w) {
  return static_cast<unsigned>((w - static_cast<std::uint64_t>(mlp_fixed_sum(w))) >> 56);
}

}  // namespace sb::engine::cudak
