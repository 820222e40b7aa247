// Synthetic weights: the documented distribution, determinism across thread counts, fixed values.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "model/layout.h"
#include "model/model.h"
#include "model/presets.h"
#include "model/synthetic.h"

namespace sb::model {
namespace {

TEST(Synthetic, DeterministicElementaryFunctionsAreAccurate) {
  // Not bit-equal to libm by design, but within a couple of ulps of it.
  for (double x : {1.0, 0.5, 0.75, 1e-16, 0x1p-53, 0.999999, 0.3, 0.7071067811865476}) {
    EXPECT_NEAR(det_log(x), std::log(x), 4e-16 * std::max(1.0, std::abs(std::log(x)))) << x;
  }
  for (int i = 0; i < 1000; ++i) {
    const double u = i / 1000.0;
    double s, c;
    det_sincos_2pi(u, &s, &c);
    EXPECT_NEAR(s, std::sin(2 * std::numbers::pi * u), 1e-15) << u;
    EXPECT_NEAR(c, std::cos(2 * std::numbers::pi * u), 1e-15) << u;
  }
}

TEST(Synthetic, DistributionMatchesContract) {
  const GptConfig c = parse_shape_spec("shape:L=2,H=4,E=64,V=5000,P=128");
  const GptWeights w = synthesize_weights(c, 1234);
  // wte: 320,000 values ~ normal(0, 0.02).
  double sum = 0, sq = 0;
  for (float v : w.wte) {
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(w.wte.size());
  const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 5 * 0.02 / std::sqrt(n));
  EXPECT_NEAR(sd, 0.02, 0.02 * 0.01);
  for (const auto& l : w.layers) {
    for (float v : l.ln_1_weight) ASSERT_EQ(v, 1.0f);
    for (float v : l.ln_2_bias) ASSERT_EQ(v, 0.0f);
    for (float v : l.attn_c_attn_bias) ASSERT_EQ(v, 0.0f);
    for (float v : l.mlp_c_proj_bias) ASSERT_EQ(v, 0.0f);
  }
  for (float v : w.ln_f_weight) ASSERT_EQ(v, 1.0f);
  // Tensors draw from independent streams.
  EXPECT_NE(w.layers[0].attn_c_attn_weight[0], w.layers[1].attn_c_attn_weight[0]);
}

TEST(Synthetic, IndependentOfThreadCountAndChunking) {
  const GptConfig c = parse_shape_spec("shape:L=1,H=2,E=1024,V=3000,P=64");   // wte > 1 chunk
  const GptWeights a = synthesize_weights(c, 99, 1);
  const GptWeights b = synthesize_weights(c, 99, 3);
  EXPECT_EQ(a.wte, b.wte);
  EXPECT_EQ(a.layers[0].mlp_c_fc_weight, b.layers[0].mlp_c_fc_weight);
  // Any window of a stream equals the same window of the whole stream (odd start included).
  std::vector<float> window(7);
  synthetic_normal(99, "wte.weight", 1001, 0.02, window);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(window[i], a.wte[1001 + i]);
}

TEST(Synthetic, SeedsAndNamesMatter) {
  const GptConfig c = *preset_config("tiny-gpt2");
  const GptWeights a = synthesize_weights(c, 0), b = synthesize_weights(c, 1);
  EXPECT_NE(a.wte, b.wte);
  std::vector<float> x(4), y(4);
  synthetic_normal(0, "wte.weight", 0, 0.02, x);
  synthetic_normal(0, "transformer.wte.weight", 0, 0.02, y);   // prefix is not part of the key
  EXPECT_EQ(x, y);
  synthetic_normal(0, "wpe.weight", 0, 0.02, y);
  EXPECT_NE(x, y);
}

// Golden values, produced independently by tests/model/synthetic_reference.py (Python, libm
// log/sin/cos) from the contract in synthetic.h: they pin the documented PRNG + Box–Muller.  If they change, every synthetic
// model's SHA-256 changes and old results no longer match their manifests.
TEST(Synthetic, FixedValuesForFixedSeed) {
  std::vector<float> v(4);
  synthetic_normal(0, "wte.weight", 0, 0.02, v);
  EXPECT_EQ(v[0], 0x1.9cf00ep-6f);
  EXPECT_EQ(v[1], -0x1.6db226p-8f);
  EXPECT_EQ(v[2], -0x1.49d56p-7f);
  EXPECT_EQ(v[3], -0x1.e993c6p-6f);
  const LoadedModel m = load_model("tiny-gpt2", 0);
  EXPECT_EQ(m.inventory.weights_sha256, "91e3ffc9e76e19d770d00dbe0844cb2460ca0080ba3de9eb695ac36e86c88600");
  EXPECT_EQ(load_model("tiny-gpt2", 42).inventory.weights_sha256, "968f7a6f06617ad4f691db80d414d72dc67f5e9f6e7af797b180415461e506e3");
}

}  // namespace
}  // namespace sb::model
