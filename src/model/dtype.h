// model/dtype — float <-> IEEE binary16 (fp16) and bfloat16 conversion, shared by every engine.
// Contract:
//  - float -> fp16 / bf16 rounds to nearest, ties to even (IEEE default), exactly as PyTorch's
//    tensor.to(torch.float16 / torch.bfloat16) does on the CPU.
//  - Overflow rounds to +-Inf (fp16: |x| >= 65520); values below half the smallest fp16
//    subnormal (2^-25) round to signed zero; fp16 subnormals are produced exactly.
//  - Inf stays Inf; NaN stays NaN (made quiet, sign kept) — never rounded into Inf.
//  - fp16 / bf16 -> float is exact.
// Pure bit manipulation: identical results on every platform and compiler, no FPU mode needed.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "model/config.h"

namespace sb::model {

inline std::uint16_t float_to_fp16(float f) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (bits >> 16) & 0x8000u;
  const std::uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // Inf or NaN
    if (abs == 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7c00u);
    return static_cast<std::uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520: Inf
  if (abs < 0x38800000u) {  // below 2^-14: fp16 subnormal or zero
    if (abs <= 0x33000000u) return static_cast<std::uint16_t>(sign);  // <= 2^-25: ties to 0
    const std::uint32_t exp = abs >> 23;
    const std::uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - exp;  // 14..24: value = mant * 2^(exp-150), unit 2^-24
    std::uint32_t r = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return static_cast<std::uint16_t>(sign | r);
  }
  std::uint32_t h = (abs - 0x38000000u) >> 13;  // rebias exponent 127 -> 15
  const std::uint32_t rem = abs & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // carry may step the exponent: fine
  return static_cast<std::uint16_t>(sign | h);
}

inline float fp16_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu;
  const std::uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24 is exact in float.
    const float v = static_cast<float>(mant) * 0x1p-24f;
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

inline std::uint16_t float_to_bf16(float f) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u)  // NaN: keep sign and top payload, force quiet
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);
  const std::uint32_t rounding_bias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>((bits + rounding_bias) >> 16);
}

inline float bf16_to_float(std::uint16_t b) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

// Bulk conversions between little-endian storage bytes (possibly unaligned, as in an mmapped
// safetensors file) and host floats.  scalebench targets little-endian hosts only.
inline void convert_to_f32(const void* src, DType dtype, std::size_t count, float* dst) {
  const auto* p = static_cast<const unsigned char*>(src);
  switch (dtype) {
    case DType::F32:
      std::memcpy(dst, p, count * 4);
      return;
    case DType::F16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        dst[i] = fp16_to_float(h);
      }
      return;
    case DType::BF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t b;
        std::memcpy(&b, p + 2 * i, 2);
        dst[i] = bf16_to_float(b);
      }
      return;
  }
}

inline void convert_from_f32(const float* src, std::size_t count, DType dtype, void* dst) {
  auto* p = static_cast<unsigned char*>(dst);
  switch (dtype) {
    case DType::F32:
      std::memcpy(p, src, count * 4);
      return;
    case DType::F16:
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint16_t h = float_to_fp16(src[i]);
        std::memcpy(p + 2 * i, &h, 2);
      }
      return;
    case DType::BF16:
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint16_t b = float_to_bf16(src[i]);
        std::memcpy(p + 2 * i, &b, 2);
      }
      return;
  }
}

}  // namespace sb::model
