// engine/cuda/fixed_word.h — the fused kernels' deterministic cross-block sum (mlp_fused.cu,
// attn_proj.cu), host and device.
// Contract: one 64-bit word per output element holds count * 2^56 + S, where count (8 bits) is the
// number of blocks that have added to it and S is the signed 56-bit sum of their fixed-point
// partials q = llrint(p * 2^28).  Every block adds fixed_word_add(p) once per element; the block
// whose add makes the count equal the number of contributors has the total in the value its atomic
// returned (plus its own increment).  Integer addition is associative, so the total is exact and
// independent of the order of the adds (deterministic).  Valid while every prefix |S| < 2^55: |q| <
// 2^47 (|p| < 2^19, finite) with at most 255 contributions per word.  A partial outside that range
// adds only its count (q = 0) and sets `bad`: the caller reports it (the engines' pinned error word),
// so the count still completes and the word is still zeroed for the next launch.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define SB_FIXED_WORD_HD __host__ __device__ __forceinline__
#else
#define SB_FIXED_WORD_HD inline
#endif

namespace sb::engine::cudak {

constexpr int kFixedWordMaxAdds = 255;                      // contributions per word (8-bit count)
constexpr float kFixedWordScale = 268435456.0f;             // 2^28
constexpr float kFixedWordInv = 3.7252902984619141e-09f;    // 2^-28
constexpr float kFixedWordMaxPartial = 524288.0f;           // 2^19: |q| < 2^47

SB_FIXED_WORD_HD std::uint64_t fixed_word_increment(std::int64_t q) {
  return (std::uint64_t{1} << 56) + static_cast<std::uint64_t>(q);
}
// The signed 56-bit sum of a word.
SB_FIXED_WORD_HD std::int64_t fixed_word_sum(std::uint64_t w) {
  return static_cast<std::int64_t>(w << 8) >> 8;
}
// The number of contributions of a word.
SB_FIXED_WORD_HD unsigned fixed_word_count(std::uint64_t w) {
  return static_cast<unsigned>((w - static_cast<std::uint64_t>(fixed_word_sum(w))) >> 56);
}
// The increment of one fp32 partial p: count 1 + llrint(p * 2^28) (the product is exact: a power of
// two), or count 1 alone with `bad` set when |p| >= 2^19 or p is NaN.
SB_FIXED_WORD_HD std::uint64_t fixed_word_add(float p, bool& bad) {
  std::int64_t q = 0;
#if defined(__CUDA_ARCH__)
  if (fabsf(p) < kFixedWordMaxPartial) q = __float2ll_rn(p * kFixedWordScale);  // false for NaN
  else bad = true;
#else
  if (std::fabs(p) < kFixedWordMaxPartial) q = std::llrint(p * kFixedWordScale);  // nearest even, as __float2ll_rn
  else bad = true;
#endif
  return fixed_word_increment(q);
}
// The fp32 value of a completed word: RN32(S) * 2^-28 (exact scaling of the rounded sum).
SB_FIXED_WORD_HD float fixed_word_value(std::uint64_t w) {
#if defined(__CUDA_ARCH__)
  return __ll2float_rn(fixed_word_sum(w)) * kFixedWordInv;
#else
  return static_cast<float>(fixed_word_sum(w)) * kFixedWordInv;  // round to nearest, as __ll2float_rn
#endif
}

}  // namespace sb::engine::cudak
