// tests/engine_cuda/test_quant_cpu — the int8/fp8 quantization arithmetic (quant.h), the
// calibrators, the CPU calibration forward and the engine file (build, verify, corrupt/stale
// detection, cache) without a GPU (CI).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/cuda/engine_file.h"
#include "engine/cuda/quant.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::engine {
namespace {
namespace fs = std::filesystem;
using quant::Kind;

TEST(QuantInt8, ScaleRoundingSaturation) {
  EXPECT_FLOAT_EQ(quant::scale_for(Kind::kInt8, 12.7), 0.1f);
  EXPECT_EQ(quant::scale_for(Kind::kInt8, 0.0), 1.0f);            // empty range
  EXPECT_EQ(quant::scale_for(Kind::kInt8, NAN), 1.0f);
  EXPECT_FLOAT_EQ(quant::scale_for(Kind::kFp8, 4.48), 0.01f);
  EXPECT_EQ(quant::quantize_int8(2.5f, 1.0f), 2);                 // ties to even
  EXPECT_EQ(quant::quantize_int8(3.5f, 1.0f), 4);
  EXPECT_EQ(quant::quantize_int8(-2.5f, 1.0f), -2);
  EXPECT_EQ(quant::quantize_int8(0.49f, 1.0f), 0);
  EXPECT_EQ(quant::quantize_int8(1000.0f, 1.0f), 127);            // saturation, never -128
  EXPECT_EQ(quant::quantize_int8(-1000.0f, 1.0f), -127);
  EXPECT_EQ(quant::quantize_int8(INFINITY, 1.0f), 127);
  EXPECT_EQ(quant::quantize_int8(NAN, 1.0f), 0);
  EXPECT_EQ(quant::quantize_int8(0.3f, 10.0f), 3);
}

TEST(QuantFp8, DecodeTableAndRoundTrip) {
  EXPECT_EQ(quant::fp8_e4m3_decode(0x7E), 448.0f);                // max finite
  EXPECT_EQ(quant::fp8_e4m3_decode(0xFE), -448.0f);
  EXPECT_EQ(quant::fp8_e4m3_decode(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  EXPECT_EQ(quant::fp8_e4m3_decode(0x08), std::ldexp(1.0f, -6));  // smallest normal
  EXPECT_EQ(quant::fp8_e4m3_decode(0x38), 1.0f);
  EXPECT_TRUE(std::isnan(quant::fp8_e4m3_decode(0x7F)));
  EXPECT_TRUE(std::isnan(quant::fp8_e4m3_decode(0xFF)));
  // Every finite code decodes to a value that encodes back to the same code (0x80 = -0 too).
  for (int c = 0; c < 256; ++c) {
    if ((c & 0x7F) == 0x7F) continue;
    EXPECT_EQ(quant::fp8_e4m3_encode(quant::fp8_e4m3_decode(static_cast<std::uint8_t>(c))), c) << c;
  }
  // Decoded values are strictly increasing over the positive codes.
  for (int c = 1; c < 0x7F; ++c)
    EXPECT_LT(quant::fp8_e4m3_decode(static_cast<std::uint8_t>(c - 1)),
              quant::fp8_e4m3_decode(static_cast<std::uint8_t>(c)));
}

TEST(QuantFp8, RoundingToNearestEvenAndSaturation) {
  // 1.0 (0x38) and 1.125 (0x39): the midpoint 1.0625 goes to the even mantissa (1.0).
  EXPECT_EQ(quant::fp8_e4m3_encode(1.0625f), 0x38);
  // 1.125 (0x39) and 1.25 (0x3A): midpoint 1.1875 goes to even (1.25).
  EXPECT_EQ(quant::fp8_e4m3_encode(1.1875f), 0x3A);
  EXPECT_EQ(quant::fp8_e4m3_encode(1.07f), 0x39);
  EXPECT_EQ(quant::fp8_e4m3_encode(-1.07f), 0xB9);
  // Subnormal midpoint 0.5 * 2^-9 goes to zero (even), just above goes to the smallest subnormal.
  EXPECT_EQ(quant::fp8_e4m3_encode(std::ldexp(1.0f, -10)), 0x00);
  EXPECT_EQ(quant::fp8_e4m3_encode(std::ldexp(1.01f, -10)), 0x01);
  // Carry from the largest subnormal (7 * 2^-9) into the smallest normal.
  EXPECT_EQ(quant::fp8_e4m3_encode(7.6f * std::ldexp(1.0f, -9)), 0x08);
  // Saturation (satfinite): anything beyond 448 is 448; NaN is NaN.
  EXPECT_EQ(quant::fp8_e4m3_encode(449.0f), 0x7E);
  EXPECT_EQ(quant::fp8_e4m3_encode(1e9f), 0x7E);
  EXPECT_EQ(quant::fp8_e4m3_encode(-INFINITY), 0xFE);
  EXPECT_EQ(quant::fp8_e4m3_encode(NAN), 0x7F);
  // Nearest: random values land on one of their two neighbouring codes, the closer one.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-500.0f, 500.0f);
  for (int i = 0; i < 20000; ++i) {
    const float x = u(rng) * (i % 3 == 0 ? 1e-3f : 1.0f);
    const float q = quant::fp8_e4m3_decode(quant::fp8_e4m3_encode(x));
    const float ax = std::min(std::fabs(x), 448.0f);
    // No other code is strictly closer.
    for (int c = 0; c < 0x7F; ++c) {
      const float v = quant::fp8_e4m3_decode(static_cast<std::uint8_t>(c));
      ASSERT_LE(std::fabs(std::fabs(q) - ax), std::fabs(v - ax) + 0.0f) << x;
    }
  }
}

TEST(QuantWeights, PerChannelInt8AndFp8) {
  // hf[in=3][out=2]: column 0 = {1, -2, 0.5}, column 1 = zeros.
  const std::vector<float> hf = {1.0f, 0.0f, -2.0f, 0.0f, 0.5f, 0.0f};
  std::vector<std::uint8_t> q(6);
  std::vector<float> s(2);
  quant::quantize_weight_hf(Kind::kInt8, hf.data(), 3, 2, q.data(), s.data());
  EXPECT_FLOAT_EQ(s[0], 2.0f / 127.0f);
  EXPECT_EQ(s[1], 1.0f);
  // Output row 0 holds input column 0: 1/(2/127) = 63.5 -> 64 (even), -127, 31.75 -> 32.
  EXPECT_EQ(static_cast<std::int8_t>(q[0]), 64);
  EXPECT_EQ(static_cast<std::int8_t>(q[1]), -127);
  EXPECT_EQ(static_cast<std::int8_t>(q[2]), 32);
  for (int i = 3; i < 6; ++i) EXPECT_EQ(q[i], 0);
  quant::quantize_weight_hf(Kind::kFp8, hf.data(), 3, 2, q.data(), s.data());
  EXPECT_FLOAT_EQ(s[0], 2.0f / 448.0f);
  EXPECT_EQ(quant::dequant_code(Kind::kFp8, q[1]), -448.0f);   // the channel maximum maps to 448
  EXPECT_NEAR(quant::dequant_code(Kind::kFp8, q[0]) * s[0], 1.0, 1.0 / 16);
  // Reconstruction error of random matrices: int8 within half a step per element.
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int in = 37, out = 11;
  std::vector<float> w(in * out);
  for (auto& v : w) v = nd(rng);
  std::vector<std::uint8_t> qq(in * out);
  std::vector<float> ss(out);
  quant::quantize_weight_hf(Kind::kInt8, w.data(), in, out, qq.data(), ss.data());
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i)
      EXPECT_LE(std::fabs(quant::dequant_code(Kind::kInt8, qq[o * in + i]) * ss[o] - w[i * out + o]),
                0.5f * ss[o] * 1.0001f);
}

TEST(Calibrators, MinmaxAndPercentile) {
  quant::AbsStats s;
  for (int i = 1; i <= 10000; ++i) s.add(static_cast<float>(i) * (i % 2 ? 1.0f : -1.0f) / 1000.0f);
  s.add(0.0f);
  s.add(NAN);                                            // ignored
  EXPECT_EQ(s.count(), 10001u);
  EXPECT_DOUBLE_EQ(s.max(), 10.0);
  EXPECT_DOUBLE_EQ(quant::calibrated_amax(s, "minmax", 99.0), 10.0);
  const double p90 = s.percentile(90.0);                 // true value 9.0 (bins <= 1.6% wide)
  EXPECT_GE(p90, 9.0 * 0.999);
  EXPECT_LE(p90, 9.0 * 1.016);
  EXPECT_LE(s.percentile(99.999), 10.0);                 // never above the maximum
  EXPECT_DOUBLE_EQ(s.percentile(100.0), 10.0);
  // A single outlier is clipped by the percentile calibrator, kept by minmax.
  quant::AbsStats o;
  for (int i = 0; i < 100000; ++i) o.add(1.0f);
  o.add(1000.0f);
  EXPECT_DOUBLE_EQ(quant::calibrated_amax(o, "minmax", 99.99), 1000.0);
  EXPECT_LE(quant::calibrated_amax(o, "percentile", 99.99), 1.02);
  // Merge adds counts and keeps the maximum.
  quant::AbsStats m;
  m.merge(s);
  m.merge(o);
  EXPECT_EQ(m.count(), s.count() + o.count());
  EXPECT_DOUBLE_EQ(m.max(), 1000.0);
  // Bin edges: every positive value lies below its bin's upper edge and above the previous one.
  for (double a : {1e-9, 3e-5, 0.1, 1.0, 1.5, 2.0, 7.77, 123.0, 4e5}) {
    const int b = quant::AbsStats::bin_of(a);
    EXPECT_LT(a, quant::AbsStats::upper_edge(b)) << a;
    if (b > 0) {
      EXPECT_GE(a, quant::AbsStats::upper_edge(b - 1)) << a;
    }
  }
}

model::GptWeights tiny_weights(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 0.3);
  auto rn = [&](std::size_t n, double mean = 0.0) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(mean + nd(rng));
    return v;
  };
  model::GptWeights w;
  auto& c = w.config;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 16;
  c.n_positions = 32;
  c.vocab_size = 50;
  const std::size_t E = 16, I = 64;
  w.wte = rn(50 * E);
  w.wpe = rn(32 * E);
  w.ln_f_weight = rn(E, 1.0);
  w.ln_f_bias = rn(E);
  for (int i = 0; i < 2; ++i) {
    model::LayerWeights l;
    l.ln_1_weight = rn(E, 1.0); l.ln_1_bias = rn(E);
    l.attn_c_attn_weight = rn(E * 3 * E); l.attn_c_attn_bias = rn(3 * E);
    l.attn_c_proj_weight = rn(E * E); l.attn_c_proj_bias = rn(E);
    l.ln_2_weight = rn(E, 1.0); l.ln_2_bias = rn(E);
    l.mlp_c_fc_weight = rn(E * I); l.mlp_c_fc_bias = rn(I);
    l.mlp_c_proj_weight = rn(I * E); l.mlp_c_proj_bias = rn(E);
    w.layers.push_back(std::move(l));
  }
  return w;
}

TEST(Calibration, ForwardRangesAreSane) {
  const auto w = tiny_weights(5);
  std::vector<std::int32_t> tokens(16 * 8);
  for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<std::int32_t>((i * 7) % 50);
  CalibOptions c;
  c.seq = 16;
  c.samples = 100;       // more than the 8 windows present
  c.threads = 2;
  const auto r = calibrate(w, tokens, c);
  EXPECT_EQ(r.samples_used, 8);
  EXPECT_EQ(r.tokens_used, 128);
  ASSERT_EQ(r.amax.size(), 2u);
  for (int l = 0; l < 2; ++l)
    for (int s = 0; s < kSites; ++s) {
      EXPECT_GT(r.amax[l][s], 0.0);
      EXPECT_EQ(r.amax[l][s], r.absmax[l][s]);  // minmax
    }
  // LayerNorm output of 16 values with gamma ~ 1: |x| <= sqrt(15) * |gamma|max + |beta|max.
  EXPECT_LT(r.amax[0][kSiteQkv], 8.0);
  // Deterministic whatever the thread count.
  c.threads = 1;
  const auto r1 = calibrate(w, tokens, c);
  EXPECT_EQ(r1.amax, r.amax);
  // The arithmetic bound cuts samples.
  c.max_macs = 1.0;
  EXPECT_EQ(calibrate(w, tokens, c).samples_used, 1);
  // Percentile never exceeds minmax.
  c.max_macs = 2e11;
  c.calibrator = "percentile";
  c.percentile = 99.0;
  const auto rp = calibrate(w, tokens, c);
  for (int l = 0; l < 2; ++l)
    for (int s = 0; s < kSites; ++s) EXPECT_LE(rp.amax[l][s], r.amax[l][s]);
  // Bad input is reported.
  c.calibrator = "kl";
  EXPECT_THROW(calibrate(w, tokens, c), sb::Error);
  c.calibrator = "minmax";
  std::vector<std::int32_t> bad = tokens;
  bad[3] = 50;
  EXPECT_THROW(calibrate(w, bad, c), sb::Error);
}

bool have_tokenizer() {
#ifdef SB_TEST_HAVE_TOKENIZER
  return true;
#else
  return false;
#endif
}

class EngineFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_engine_file_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    text_ = dir_ / "calib.txt";
    std::string t;
    for (int i = 0; i < 200; ++i) t += "def f(x):\n    return x + " + std::to_string(i) + "\n";
    sb::write_file_atomic(text_, t);
  }
  void TearDown() override { fs::remove_all(dir_); }
  CalibOptions calib() const {
    CalibOptions c;
    c.text = text_;
    c.seq = 16;
    c.samples = 8;
    return c;
  }
  // A tiny model whose vocabulary covers GPT-2's ids (tokens of the calibration text).
  static model::GptWeights model_with_vocab() {
    auto w = tiny_weights(9);
    w.config.vocab_size = 50257;
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.3f);
    w.wte.resize(static_cast<std::size_t>(50257) * 16);
    for (auto& v : w.wte) v = nd(rng);
    return w;
  }
  fs::path dir_, text_;
};

TEST_F(EngineFileTest, BuildVerifyLoadCorruptStaleCache) {
  if (!have_tokenizer()) GTEST_SKIP() << "built without the tokenizer module";
  const auto w = model_with_vocab();
  const std::string sha = std::string(64, 'a');
  EngineArtifact a;
  try {
    a = build_cuda_engine(w, sha, "int8", calib(), dir_ / "e1");
  } catch (const sb::Error& e) {
    if (std::string(e.what()).find("tokenizer") != std::string::npos)
      GTEST_SKIP() << "tokenizer files unavailable: " << e.what();
    throw;
  }
  EXPECT_TRUE(fs::exists(a.path));
  EXPECT_EQ(a.bytes, fs::file_size(a.path));
  EXPECT_EQ(a.metadata["precision"], "int8");
  EXPECT_EQ(a.metadata["source_model_sha256"], sha);
  EXPECT_GT(a.metadata["calibration_used"]["samples"].get<int>(), 0);
  // Load: shapes, scales and quantized bytes match quant.h applied to the weights.
  const auto d = load_engine_file(a.path, w, "int8", sha);
  ASSERT_EQ(d.layers.size(), 2u);
  const auto& m = d.layers[1].m[kSiteFc];
  EXPECT_EQ(m.n_out, 64);
  EXPECT_EQ(m.k_in, 16);
  std::vector<std::uint8_t> q(64 * 16);
  std::vector<float> s(64);
  quant::quantize_weight_hf(Kind::kInt8, w.layers[1].mlp_c_fc_weight.data(), 16, 64, q.data(), s.data());
  EXPECT_EQ(m.q, q);
  EXPECT_EQ(m.scales, s);
  for (int l = 0; l < 2; ++l)
    for (int si = 0; si < kSites; ++si) EXPECT_GT(d.layers[l].act_scale[si], 0.0f);
  // Wrong precision, other weights, other model SHA: stale, never used.
  EXPECT_THROW(load_engine_file(a.path, w, "fp8", sha), sb::Error);
  auto w2 = w;
  w2.layers[0].attn_c_attn_weight[0] += 1.0f;   // element 0 is in the fingerprint sample
  EXPECT_THROW(load_engine_file(a.path, w2, "int8", sha), sb::Error);
  EXPECT_THROW(load_engine_file(a.path, w, "int8", std::string(64, 'b')), sb::Error);
  // Cache: same inputs -> cached; a flipped byte -> detected and rebuilt.
  const auto c1 = ensure_cuda_engine(w, sha, "int8", calib(), dir_ / "cache");
  EXPECT_FALSE(c1.cached);
  const auto c2 = ensure_cuda_engine(w, sha, "int8", calib(), dir_ / "cache");
  EXPECT_TRUE(c2.cached);
  EXPECT_EQ(c2.sha256, c1.sha256);
  EXPECT_EQ(c2.path, c1.path);
  {
    std::string bytes = sb::read_file(c1.path);
    bytes[bytes.size() - 7] ^= 0x5A;
    sb::write_file_atomic(c1.path, bytes);
  }
  try {
    load_engine_file(c1.path, w, "int8", sha);
    ADD_FAILURE() << "corrupt engine file accepted";
  } catch (const sb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
  const auto c3 = ensure_cuda_engine(w, sha, "int8", calib(), dir_ / "cache");
  EXPECT_FALSE(c3.cached);
  EXPECT_TRUE(c3.metadata.contains("rebuilt_because"));
  EXPECT_NO_THROW(load_engine_file(c3.path, w, "int8", sha));
  // Other calibration settings -> another cache entry.
  auto cp = calib();
  cp.calibrator = "percentile";
  const auto c4 = ensure_cuda_engine(w, sha, "int8", cp, dir_ / "cache");
  EXPECT_FALSE(c4.cached);
  EXPECT_NE(c4.path, c1.path);
  // fp8 builds too; float precisions have no engine file.
  const auto f8 = build_cuda_engine(w, sha, "fp8", calib(), dir_ / "e8");
  EXPECT_NO_THROW(load_engine_file(f8.path, w, "fp8", sha));
  EXPECT_THROW(build_cuda_engine(w, sha, "fp16", calib(), dir_ / "e16"), sb::Error);
  // Metadata missing -> refused.
  fs::remove(f8.metadata_path);
  EXPECT_THROW(load_engine_file(f8.path, w, "fp8", sha), sb::Error);
}

}  // namespace
}  // namespace sb::engine
