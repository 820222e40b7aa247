// engine/cuda/argmax_key — greedy argmax as one 64-bit integer, so that blocks can combine
// partial results with atomicMax.
// Contract: key(v, id) orders by value first, then by LOWER id (the Engine contract's tie rule);
// -0.0 equals +0.0; NaN ranks below every number (a NaN logit is never chosen while any number
// exists; the validation treats NaN output as failure anyway).  Key 0 is below every real key, so
// a zeroed slot is the identity of the reduction.  Host and device share this one definition.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define SB_HD __host__ __device__ __forceinline__
#else
#define SB_HD inline
#endif

namespace sb::engine::cudak {

SB_HD std::uint32_t float_order_bits(float v) {
  if (v != v) return 0u;        // NaN: lowest
  if (v == 0.0f) v = 0.0f;      // -0 -> +0
  std::uint32_t bits;
#if defined(__CUDA_ARCH__)
  bits = __float_as_uint(v);
#else
  std::memcpy(&bits, &v, sizeof bits);
#endif
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

SB_HD unsigned long long argmax_key(float v, std::uint32_t id) {
  return (static_cast<unsigned long long>(float_order_bits(v)) << 32) |
         static_cast<unsigned long long>(0xFFFFFFFFu - id);
}

SB_HD std::int32_t argmax_key_id(unsigned long long key) {
  return static_cast<std::int32_t>(0xFFFFFFFFu - static_cast<std::uint32_t>(key & 0xFFFFFFFFull));
}

}  // namespace sb::engine::cudak
