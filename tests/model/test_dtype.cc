// fp16 / bf16 conversion: exhaustive round trips and IEEE rounding corner cases.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "model/dtype.h"

namespace sb::model {
namespace {

float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

TEST(DType, Fp16RoundTripsEveryHalfValue) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_float(static_cast<std::uint16_t>(h));
    const std::uint16_t back = float_to_fp16(f);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(fp16_to_float(back))) << h;
      EXPECT_EQ(back & 0x8000, h & 0x8000) << "NaN sign kept";
    } else {
      ASSERT_EQ(back, h) << "half bits " << h;
    }
  }
}

TEST(DType, Fp16CornerCases) {
  EXPECT_EQ(float_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(float_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(float_to_fp16(65504.0f), 0x7bff);                  // largest finite
  EXPECT_EQ(float_to_fp16(65519.996f), 0x7bff);                // just below the tie to Inf
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7c00);                  // tie rounds to even = Inf
  EXPECT_EQ(float_to_fp16(1e10f), 0x7c00);
  EXPECT_EQ(float_to_fp16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(float_to_fp16(0x1p-24f), 0x0001);                  // smallest subnormal
  EXPECT_EQ(float_to_fp16(0x1p-25f), 0x0000);                  // tie to even -> 0
  EXPECT_EQ(float_to_fp16(-0x1p-25f), 0x8000);                 // signed zero
  EXPECT_EQ(float_to_fp16(0x1.000002p-25f), 0x0001);           // just above the tie
  EXPECT_EQ(float_to_fp16(0x3p-25f), 0x0002);                  // 1.5 ulp -> tie to even 2
  EXPECT_EQ(float_to_fp16(0x1.ff8p-15f), 0x03ff);              // largest subnormal, exact
  EXPECT_EQ(float_to_fp16(0x1.ffcp-15f), 0x0400);              // tie rounds up to the smallest normal
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f), 0x3c00);           // tie -> even (down)
  EXPECT_EQ(float_to_fp16(1.0f + 0x3p-11f), 0x3c02);           // tie -> even (up)
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
  const std::uint16_t nan = float_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(fp16_to_float(nan)));
  // A signalling NaN whose payload lives only in the low bits must not become Inf.
  EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(from_bits(0x7f800001u)))));
  EXPECT_EQ(fp16_to_float(0x0001), 0x1p-24f);
  EXPECT_TRUE(std::isinf(fp16_to_float(0x7c00)));
}

#if defined(__FLT16_MAX__)
// The compiler's own _Float16 conversion is an independent IEEE reference.
TEST(DType, Fp16MatchesCompilerFloat16OnRandomFloats) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint32_t bits = rng();
    const float f = from_bits(bits);
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    std::uint16_t ref_bits;
    std::memcpy(&ref_bits, &ref, 2);
    ASSERT_EQ(float_to_fp16(f), ref_bits) << std::hexfloat << f;
  }
}
#endif

TEST(DType, Bf16RoundTripsEveryValue) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const float f = bf16_to_float(static_cast<std::uint16_t>(b));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(f))));
    } else {
      ASSERT_EQ(float_to_bf16(f), b);
    }
  }
}

TEST(DType, Bf16Rounding) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(from_bits(0x3f808000u)), 0x3f80);   // tie -> even (down)
  EXPECT_EQ(float_to_bf16(from_bits(0x3f818000u)), 0x3f82);   // tie -> even (up)
  EXPECT_EQ(float_to_bf16(from_bits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(float_to_bf16(from_bits(0x7f7fffffu)), 0x7f80);   // max float rounds to Inf
  EXPECT_EQ(float_to_bf16(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(from_bits(0x7f800001u)))));
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(from_bits(0xffc00000u)))));
}

TEST(DType, BulkConversionsHandleUnalignedBytes) {
  const float src[5] = {1.0f, -0.5f, 3.14159f, 65504.0f, 1e-8f};
  unsigned char buf[1 + 5 * 4];
  for (DType d : {DType::F32, DType::F16, DType::BF16}) {
    convert_from_f32(src, 5, d, buf + 1);   // deliberately misaligned
    float back[5];
    convert_to_f32(buf + 1, d, 5, back);
    for (int i = 0; i < 5; ++i) {
      const float want = d == DType::F32   ? src[i]
                         : d == DType::F16 ? fp16_to_float(float_to_fp16(src[i]))
                                           : bf16_to_float(float_to_bf16(src[i]));
      EXPECT_EQ(back[i], want) << dtype_name(d) << " element " << i;
    }
  }
}

}  // namespace
}  // namespace sb::model
