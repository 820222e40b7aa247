// Weight rounding used by the emulated-precision engines (gate calibration).
#include <cmath>

#include <gtest/gtest.h>

#include "accuracy/rounding.h"
#include "test_engines.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {

TEST(Rounding, E4m3KnownValues) {
  EXPECT_EQ(round_to_e4m3(1.0f), 1.0f);
  EXPECT_EQ(round_to_e4m3(0.3f), 0.3125f);                    // 0.25 * (1 + 2/8)
  EXPECT_EQ(round_to_e4m3(-0.3f), -0.3125f);
  EXPECT_EQ(round_to_e4m3(500.0f), 448.0f);                   // saturates
  EXPECT_EQ(round_to_e4m3(1.0625f), 1.0f);                    // tie between 1 and 1.125 -> even
  EXPECT_EQ(round_to_e4m3(1.1875f), 1.25f);                   // tie between 1.125 and 1.25 -> even
  EXPECT_EQ(round_to_e4m3(std::ldexp(1.0f, -10)), 0.0f);      // half the smallest subnormal -> 0
  EXPECT_EQ(round_to_e4m3(std::ldexp(3.0f, -10)), std::ldexp(1.0f, -8));
}

TEST(Rounding, Int8PerChannelKeepsTheChannelMaxAndSnapsToTheGrid) {
  auto w = testing::tiny_weights(1, 32, 8, 1, 2, 16);
  const auto r = round_weights(w, "int8");
  const std::size_t E = 8, O = 3 * E;
  const auto& a = w.layers[0].attn_c_attn_weight;
  const auto& q = r.layers[0].attn_c_attn_weight;
  for (std::size_t c = 0; c < O; ++c) {
    float amax = 0;
    for (std::size_t i = 0; i < E; ++i) amax = std::max(amax, std::fabs(a[i * O + c]));
    const float scale = amax / 127.0f;
    for (std::size_t i = 0; i < E; ++i) {
      const float k = q[i * O + c] / scale;
      EXPECT_NEAR(k, std::nearbyint(k), 1e-3) << "value off the int8 grid";
      EXPECT_LE(std::fabs(q[i * O + c] - a[i * O + c]), scale * 0.5f * 1.0001f);
    }
  }
  EXPECT_EQ(r.layers[0].attn_c_attn_bias, w.layers[0].attn_c_attn_bias);   // biases stay fp32
  EXPECT_EQ(r.ln_f_weight, w.ln_f_weight);
}

TEST(Rounding, HalfPrecisionsRoundEverything) {
  auto w = testing::tiny_weights(2, 32, 8, 1, 2, 16);
  const auto h = round_weights(w, "fp16");
  const auto b = round_weights(w, "bf16");
  double max_rel_h = 0, max_rel_b = 0;
  for (std::size_t i = 0; i < w.wte.size(); ++i) {
    max_rel_h = std::max(max_rel_h, std::fabs(double(h.wte[i]) - w.wte[i]) / std::fabs(w.wte[i]));
    max_rel_b = std::max(max_rel_b, std::fabs(double(b.wte[i]) - w.wte[i]) / std::fabs(w.wte[i]));
  }
  EXPECT_GT(max_rel_h, 0);
  EXPECT_LE(max_rel_h, std::ldexp(1.0, -11) * 1.0001);   // fp16 unit roundoff (normal range)
  EXPECT_LE(max_rel_b, std::ldexp(1.0, -8) * 1.0001);    // bf16 unit roundoff
  EXPECT_GT(max_rel_b, max_rel_h);
  EXPECT_NE(h.ln_f_bias, w.ln_f_bias);
  EXPECT_EQ(round_weights(w, "fp32").wte, w.wte);
  EXPECT_THROW(round_weights(w, "int4"), sb::Error);
}

}  // namespace
}  // namespace sb::accuracy
