// tests/engine_cuda/test_cuda_cpu — what of the CUDA engine can be checked without a GPU (CI):
// option and weight validation, the no-device error path, the packed argmax key (shared by host
// and device code), and the CPU references that cuda_validate trusts.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <tuple>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/cuda_engine.h"
#include "engine/cuda/small_decode.h"
#include "engine/cuda/graph_cache.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/fixed_word.h"
#include "engine_cuda/reference.h"
#include "util/error.h"

namespace sb::engine {
namespace {

using cudak::argmax_key;
using cudak::argmax_key_id;

model::GptConfig small_config() {
  model::GptConfig c;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 8;
  c.n_positions = 16;
  c.vocab_size = 11;
  return c;
}

model::GptWeights small_weights(std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 0.5);
  auto rn = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(nd(rng));
    return v;
  };
  model::GptWeights w;
  w.config = small_config();
  const std::size_t E = 8, I = 32, V = 11, P = 16;
  w.wte = rn(V * E);
  w.wpe = rn(P * E);
  w.ln_f_weight = rn(E);
  w.ln_f_bias = rn(E);
  for (int i = 0; i < 2; ++i) {
    model::LayerWeights l;
    l.ln_1_weight = rn(E); l.ln_1_bias = rn(E);
    l.attn_c_attn_weight = rn(E * 3 * E); l.attn_c_attn_bias = rn(3 * E);
    l.attn_c_proj_weight = rn(E * E); l.attn_c_proj_bias = rn(E);
    l.ln_2_weight = rn(E); l.ln_2_bias = rn(E);
    l.mlp_c_fc_weight = rn(E * I); l.mlp_c_fc_bias = rn(I);
    l.mlp_c_proj_weight = rn(I * E); l.mlp_c_proj_bias = rn(E);
    w.layers.push_back(std::move(l));
  }
  return w;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const sb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ArgmaxKey, OrdersByValueThenLowestId) {
  EXPECT_GT(argmax_key(2.0f, 7), argmax_key(1.0f, 0));
  EXPECT_GT(argmax_key(-1.0f, 9), argmax_key(-2.0f, 0));
  EXPECT_GT(argmax_key(1.0f, 3), argmax_key(1.0f, 4));          // tie: lower id wins
  EXPECT_EQ(argmax_key(-0.0f, 5), argmax_key(0.0f, 5));         // -0 == +0
  EXPECT_GT(argmax_key(-0.0f, 2), argmax_key(0.0f, 5));
  EXPECT_GT(argmax_key(-std::numeric_limits<float>::infinity(), 0), 0ull);  // zero is identity
  EXPECT_LT(argmax_key(std::nanf(""), 0), argmax_key(-1e30f, 100));       // NaN never wins
  EXPECT_GT(argmax_key(std::numeric_limits<float>::infinity(), 1), argmax_key(3e38f, 0));
  for (std::uint32_t id : {0u, 1u, 50256u, 0x7FFFFFFFu}) EXPECT_EQ(argmax_key_id(argmax_key(0.5f, id)), static_cast<int>(id));
}

TEST(ArgmaxKey, MaxOfKeysMatchesReferenceArgmax) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> small(-3, 3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<float> v(1 + trial % 37);
    for (auto& x : v) x = 0.5f * small(rng);  // many ties
    unsigned long long best = 0;
    for (std::size_t i = 0; i < v.size(); ++i) best = std::max(best, argmax_key(v[i], static_cast<std::uint32_t>(i)));
    EXPECT_EQ(argmax_key_id(best), cuda_ref::argmax_lowest<float>(v));
  }
}

TEST(CudaOptions, RejectsUnsupportedPrecisionsAndLimits) {
  const auto c = small_config();
  CudaEngineOptions o;
  o.precision = "int4";
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("int4"), std::string::npos);
  for (const char* q : {"int8", "fp8"}) {
    o.precision = q;
    EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "") << q;
    // Without an engine file (calibration scales) a quantized engine is refused before any
    // device work.
    const std::string e = error_of([&] { make_cuda_engine(small_weights(), o); });
    EXPECT_NE(e.find("engine file"), std::string::npos) << e;
    o.engine_file = "/nonexistent/engine.sbe";
    const std::string e2 = error_of([&] { make_cuda_engine(small_weights(), o); });
    EXPECT_NE(e2.find("does not exist"), std::string::npos) << e2;
    o.engine_file.clear();
  }
  o.precision = "fp64";
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("fp64"), std::string::npos);
  o.precision = "fp16";
  o.tf32 = true;
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("tf32"), std::string::npos);
  o.tf32 = false;
  o.max_seq = 17;
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("max_seq"), std::string::npos);
  o.max_seq = 16;
  o.max_batch = 0;
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("max_batch"), std::string::npos);
  o.max_batch = 1;
  EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "");
  o.decode_split_keys = -1;  // 0 = automatic, positive = keys per block
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("decode_split_keys"), std::string::npos);
  o.decode_split_keys = 0;
  o.persistent_slots = -2;  // the persistent kernel's sizes: 0 = automatic, negative is an error
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("persistent_slots must be >= 0"), std::string::npos);
  o.persistent_slots = 0;
  o.persistent_blocks = -1;
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("persistent_blocks"), std::string::npos);
  o.persistent_blocks = 0;
  EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "");
  EXPECT_TRUE(o.small_decode);  // the single-kernel small-model decode is the default where it applies
  EXPECT_TRUE(o.small_decode_fp8);  // fp8 engines too (session 8: faster than the chain)
  EXPECT_TRUE(o.small_fp8_predecode);  // with decoded weights (session 11: -21% on tiny-gpt2, same logits)
  o.small_blocks = -3;          // its grid size: 0 = one block per SM
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("small_blocks must be >= 0"), std::string::npos);
  o.small_blocks = 16;
  o.small_decode = false;
  EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "");
  o.small_blocks = 0;
  o.small_decode = true;
  o.prefill_graph_capacity = 0;  // the prefill graph cache holds at least one shape
  EXPECT_NE(error_of([&] { validate_cuda_options(c, o); }).find("prefill_graph_capacity must be >= 1"),
            std::string::npos);
  o.prefill_graph_capacity = 1;
  o.prefill_graphs = false;
  EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "");
  auto big = c;
  big.n_head = 1;
  big.n_embd = 256;  // head dim 256 > 128
  EXPECT_NE(error_of([&] { validate_cuda_options(big, o); }).find("head dim"), std::string::npos);
}

// The decode A/B switches take their documented values only: a typo (gemv_ln_threads 300, a
// cluster of 3) is refused with the option's name and what it accepts, not mapped to a neighbour.
TEST(CudaOptions, RejectsSwitchValuesOutsideTheirMeanings) {
  const auto c = small_config();
  CudaEngineOptions o;
  EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "");  // every default (-1) is accepted
  auto refused = [&](auto set, const char* name) {
    CudaEngineOptions b;
    set(b);
    const std::string e = error_of([&] { validate_cuda_options(c, b); });
    EXPECT_NE(e.find(name), std::string::npos) << name << ": " << e;
  };
  refused([](CudaEngineOptions& b) { b.gemv_ln_threads = 300; }, "gemv_ln_threads");
  refused([](CudaEngineOptions& b) { b.gemv_ln_threads = 1024; }, "gemv_ln_threads");
  refused([](CudaEngineOptions& b) { b.mlp_cluster = 3; }, "mlp_cluster");
  refused([](CudaEngineOptions& b) { b.mlp_cluster = 16; }, "mlp_cluster");
  refused([](CudaEngineOptions& b) { b.gemv_xtma = 3; }, "gemv_xtma");
  refused([](CudaEngineOptions& b) { b.lm_head_mma = 3; }, "lm_head_mma");
  refused([](CudaEngineOptions& b) { b.lm_head_mma = -2; }, "lm_head_mma");
  refused([](CudaEngineOptions& b) { b.fuse_mlp = 2; }, "fuse_mlp");
  refused([](CudaEngineOptions& b) { b.fuse_attn_proj = -2; }, "fuse_attn_proj");
  refused([](CudaEngineOptions& b) { b.mlp_warp_ln = 5; }, "mlp_warp_ln");
  refused([](CudaEngineOptions& b) { b.mlp_fc2_chunks = 2; }, "mlp_fc2_chunks");
  refused([](CudaEngineOptions& b) { b.gemv_ring = -3; }, "gemv_ring");
  refused([](CudaEngineOptions& b) { b.ln_fold = 2; }, "ln_fold");
  for (int v : {0, 128, 256, 512}) {
    o.gemv_ln_threads = v;
    EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "") << "gemv_ln_threads " << v;
  }
  for (int v : {0, 2, 4, 8}) {
    o.mlp_cluster = v;
    EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "") << "mlp_cluster " << v;
  }
  for (int v : {-1, 0, 1, 2}) {
    o.lm_head_mma = v;
    EXPECT_EQ(error_of([&] { validate_cuda_options(c, o); }), "") << "lm_head_mma " << v;
  }
}

// A float's bit pattern (the butterfly tests compare sums bit for bit, -0 included).
std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// small_butterfly_sum (the small kernel's one-thread chain-order sums) against a literal 32-lane
// xor butterfly (warp_sum: v += shfl_xor(v, o), o = 16 .. 1; lane 0's value), bit for bit, for every
// n: magnitudes 2^-20 .. 2^20 so the order matters, zeros and -0 among the leaves, all -0 rows.
TEST(SmallButterflySum, EqualsLaneZeroOfTheXorButterflyBitForBit) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ex(-20, 20), kind(0, 9);
  int order_mattered = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const int n = 1 + trial % 32;
    std::array<float, 32> v{};
    for (int l = 0; l < n; ++l) {
      const int k = kind(rng);
      v[l] = k == 0 ? 0.0f : k == 1 ? -0.0f : std::ldexp(mant(rng), ex(rng));
      if (trial % 97 == 0) v[l] = -0.0f;  // an all -0 row: the butterfly gives +0 unless n == 32
    }
    std::array<float, 32> lane = v;
    for (int o = 16; o > 0; o >>= 1) {
      std::array<float, 32> next{};
      for (int l = 0; l < 32; ++l) next[l] = lane[l] + lane[l ^ o];
      lane = next;
    }
    const float got = cudak::small_butterfly_sum(n, [&](int l) { return l < n ? v[l] : 0.0f; });
    ASSERT_EQ(bits(got), bits(lane[0])) << "n " << n << " trial " << trial << ": " << got << " vs " << lane[0];
    float in_order = 0.0f;
    for (int l = 0; l < n; ++l) in_order += v[l];
    order_mattered += bits(in_order) != bits(lane[0]);
  }
  EXPECT_GT(order_mattered, 100);  // the test can tell a sequential sum from the butterfly
}

// small_butterfly_tree<J> + 0 (the fp8 kernel with decoded weights, K <= 8) against
// small_butterfly_sum, bit for bit, for every n <= 2^J, J = 1..3, with the leaves a lane partial can
// hold (never -0: a partial starts at +0) and +0 beyond n.
TEST(SmallButterflySum, FixedTreeEqualsTheLoopBitForBit) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ex(-20, 20), kind(0, 9);
  int order_mattered = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int n = 1 + trial % 8;
    std::array<float, 8> v{};
    for (int l = 0; l < n; ++l) v[l] = kind(rng) == 0 ? 0.0f : std::ldexp(mant(rng), ex(rng));
    auto leaf = [&](int l) { return l < n ? v[l] : 0.0f; };
    const float want = cudak::small_butterfly_sum(n, leaf);
    const float t1 = n <= 2 ? cudak::small_butterfly_tree<1, 0, 1>(leaf) + 0.0f : want;
    const float t2 = n <= 4 ? cudak::small_butterfly_tree<2, 0, 1>(leaf) + 0.0f : want;
    const float t3 = cudak::small_butterfly_tree<3, 0, 1>(leaf) + 0.0f;
    ASSERT_EQ(bits(t1), bits(want)) << "n " << n << " trial " << trial;
    ASSERT_EQ(bits(t2), bits(want)) << "n " << n << " trial " << trial;
    ASSERT_EQ(bits(t3), bits(want)) << "n " << n << " trial " << trial;
    float in_order = 0.0f;
    for (int l = 0; l < n; ++l) in_order += v[l];
    order_mattered += bits(in_order) != bits(want);
  }
  EXPECT_GT(order_mattered, 100);
}

// The applicability rule of the single-kernel small-model decode (small_decode.h), host only.
cudak::SmallDecodeShape tiny_gpt2_shape(int elem_bytes, int rows) {
  cudak::SmallDecodeShape s;
  s.n_layer = 2;
  s.n_head = 2;
  s.n_embd = 2;
  s.n_inner = 8;
  s.vocab = 50257;
  s.max_t = 1024;
  s.elem_bytes = elem_bytes;
  s.rows = rows;
  return s;
}

TEST(SmallDecodePlan, TakesTinyGpt2AtEveryBatchAndPrecision) {
  const std::size_t h100 = 227 * 1024 - 272;  // opt-in shared memory minus the kernel's static part
  for (int es : {4, 2})
    for (int rows = 1; rows <= cudak::kSmallMaxRows; ++rows) {
      const auto p = cudak::plan_small_decode(tiny_gpt2_shape(es, rows), 0, 132, h100);
      ASSERT_TRUE(p.ok()) << p.why_not;
      EXPECT_EQ(p.blocks, 132);
      EXPECT_EQ(p.rows_per_block, (50257 + 131) / 132);
      EXPECT_GE(static_cast<long long>(p.rows_per_block) * p.blocks, 50257);
      EXPECT_EQ(p.kv_bufs, 2);  // two layers of keys/values fit even for 4 rows x 1024 fp32 positions
      EXPECT_LE(p.smem_bytes, h100);
      // The staged keys/values of one layer dominate: 2 x rows x heads x (1024 positions x 1 x es).
      EXPECT_GE(p.smem_bytes, 2u * 2 * rows * 2 * 1024 * es);
      // Layer weights: 2 x ((12 E^2 + 9 E) es + 4 E fp32) = 2 x (66 es + 32).
      EXPECT_EQ(p.layer_weight_bytes, 2u * (66 * es + 32));
    }
  const auto p16 = cudak::plan_small_decode(tiny_gpt2_shape(4, 1), 16, 132, h100);
  ASSERT_TRUE(p16.ok());
  EXPECT_EQ(p16.blocks, 16);
  EXPECT_EQ(p16.rows_per_block, (50257 + 15) / 16);
}

TEST(SmallDecodePlan, RefusesLargeOrUnfittingShapesWithAReason) {
  const std::size_t h100 = 227 * 1024 - 272;
  auto why = [&](cudak::SmallDecodeShape s, std::size_t smem = 227 * 1024 - 272) {
    const auto p = cudak::plan_small_decode(s, 0, 132, smem);
    EXPECT_FALSE(p.ok());
    EXPECT_EQ(p.blocks, 0);
    return p.why_not;
  };
  auto gpt2 = tiny_gpt2_shape(2, 1);
  gpt2.n_layer = 12;
  gpt2.n_head = 12;
  gpt2.n_embd = 768;
  gpt2.n_inner = 3072;
  EXPECT_NE(why(gpt2).find("n_embd 768 > 64"), std::string::npos);
  auto wide_head = tiny_gpt2_shape(2, 1);
  wide_head.n_embd = 64;
  wide_head.n_head = 2;  // head dim 32
  wide_head.n_inner = 256;
  EXPECT_NE(why(wide_head).find("head dim 32 > 16"), std::string::npos);
  auto deep = tiny_gpt2_shape(2, 1);
  deep.n_layer = 9;
  EXPECT_NE(why(deep).find("n_layer 9 > 8"), std::string::npos);
  auto heavy = tiny_gpt2_shape(4, 1);  // E 64, 8 layers fp32: ~1.6 MB of layer weights
  heavy.n_embd = 64;
  heavy.n_head = 4;
  heavy.n_inner = 256;
  heavy.n_layer = 8;
  EXPECT_NE(why(heavy).find("layer weights"), std::string::npos);
  EXPECT_NE(why(tiny_gpt2_shape(4, 5)).find("batch 5"), std::string::npos);
  // Shared memory: 4 rows x 1024 fp32 positions need ~66 KB per layer of keys/values.
  EXPECT_NE(why(tiny_gpt2_shape(4, 4), 48 * 1024).find("shared memory"), std::string::npos);
  const auto one = cudak::plan_small_decode(tiny_gpt2_shape(4, 4), 0, 132, 100 * 1024);
  ASSERT_TRUE(one.ok()) << one.why_not;
  EXPECT_EQ(one.kv_bufs, 1);  // one layer ahead when two do not fit
  EXPECT_TRUE(cudak::plan_small_decode(tiny_gpt2_shape(4, 4), 0, 132, h100).ok());
}

// int8/fp8 (W8A8 with fp16 activations): one byte per weight plus fp32 per-channel scales; fp8
// keeps the chain where the chain's GEMV takes the tensor cores (batch >= fp8_mma_min_rows and a
// K that is a multiple of 16), whose fp32 accumulation the kernel does not reproduce.
TEST(SmallDecodePlan, TakesInt8AndFp8WhereTheChainsArithmeticIsReproduced) {
  const std::size_t h100 = 227 * 1024 - 272;
  for (int quant : {1, 2})
    for (int rows = 1; rows <= cudak::kSmallMaxRows; ++rows) {
      auto s = tiny_gpt2_shape(2, rows);
      s.quant = quant;
      const auto p = cudak::plan_small_decode(s, 0, 132, h100);
      ASSERT_TRUE(p.ok()) << "quant " << quant << " rows " << rows << ": " << p.why_not;  // K = 2 and 8
      // Per layer: 12 E^2 weight bytes + 9 E fp16 biases + 4 E fp32 LayerNorm + 9 E fp32 scales.
      EXPECT_EQ(p.layer_weight_bytes, 2u * (48 + 36 + 32 + 72));
      const auto f16 = cudak::plan_small_decode(tiny_gpt2_shape(2, rows), 0, 132, h100);
      ASSERT_TRUE(f16.ok());
      EXPECT_EQ(p.rows_per_block, f16.rows_per_block);
      EXPECT_EQ(p.off_act - p.off_kv, f16.off_act - f16.off_kv);  // same key/value areas (fp16)
    }
  auto e16 = tiny_gpt2_shape(2, 1);
  e16.n_embd = 16;
  e16.n_head = 4;
  e16.n_inner = 64;
  e16.vocab = 500;
  e16.max_t = 64;
  e16.quant = 2;
  EXPECT_TRUE(cudak::plan_small_decode(e16, 0, 132, h100).ok());  // batch 1: the chain's scalar GEMV
  e16.rows = 2;
  const auto mma = cudak::plan_small_decode(e16, 0, 132, h100);
  EXPECT_FALSE(mma.ok());
  EXPECT_NE(mma.why_not.find("tensor-core"), std::string::npos) << mma.why_not;
  e16.fp8_mma_min_rows = 5;  // SB_FP8_MMA_MIN_ROWS=5: the chain never takes the tensor cores
  e16.rows = 4;
  EXPECT_TRUE(cudak::plan_small_decode(e16, 0, 132, h100).ok());
  e16.fp8_mma_min_rows = 2;
  e16.quant = 1;  // int8 has no such path: its int32 sums are exact in any order
  EXPECT_TRUE(cudak::plan_small_decode(e16, 0, 132, h100).ok());
  // fp8 with decoded weights (quant 3): two bytes per weight, the same rule otherwise.
  for (int rows = 1; rows <= cudak::kSmallMaxRows; ++rows) {
    auto s = tiny_gpt2_shape(2, rows);
    s.quant = 3;
    const auto p = cudak::plan_small_decode(s, 0, 132, h100);
    ASSERT_TRUE(p.ok()) << "rows " << rows << ": " << p.why_not;
    EXPECT_EQ(p.layer_weight_bytes, 2u * (96 + 36 + 32 + 72));
    s.quant = 2;
    const auto codes = cudak::plan_small_decode(s, 0, 132, h100);
    EXPECT_EQ(p.off_act - p.off_kv, codes.off_act - codes.off_kv);
    EXPECT_GT(p.layer_stride, codes.layer_stride);
  }
  e16.rows = 2;
  e16.quant = 3;
  EXPECT_NE(cudak::plan_small_decode(e16, 0, 132, h100).why_not.find("tensor-core"), std::string::npos);
  e16.rows = 1;
  EXPECT_TRUE(cudak::plan_small_decode(e16, 0, 132, h100).ok());
  auto big = e16;  // E 64, I 256, 1 layer: 49152 weights, fits as codes (~54 KB) but not as fp16 (~103 KB)
  big.n_embd = 64;
  big.n_inner = 256;
  big.n_layer = 1;
  big.quant = 2;
  EXPECT_TRUE(cudak::plan_small_decode(big, 0, 132, h100).ok());
  big.quant = 3;
  EXPECT_NE(cudak::plan_small_decode(big, 0, 132, h100).why_not.find("layer weights"), std::string::npos);
  auto bad = tiny_gpt2_shape(4, 1);
  bad.quant = 1;  // quantized engines keep fp16 activations
  EXPECT_NE(cudak::plan_small_decode(bad, 0, 132, h100).why_not.find("invalid shape"), std::string::npos);
}

// The step timeline's host-side bookkeeping (kernels.h set_step_trace, sb_cuda_bench --trace-step):
// launches take consecutive slots of blocks x kStepStamps entries in launch order until the buffer
// is full, a launch that does not fit gets none (and no record), and setting the buffer again
// starts over.  The buffer is only handed out here, never written.
TEST(StepTrace, HandsOutConsecutiveSlotsUntilFullAndStartsOverWhenSet) {
  using cudak::kStepStamps;
  std::vector<unsigned long long> buf(10 * kStepStamps);
  cudak::set_step_trace(nullptr, 0);
  EXPECT_EQ(cudak::step_trace_take("gemv", 4, 2304), nullptr);
  EXPECT_EQ(cudak::step_trace_count(), 0u);
  cudak::set_step_trace(buf.data(), buf.size());
  EXPECT_EQ(cudak::step_trace_take("gemv", 4, 2304), buf.data());
  EXPECT_EQ(cudak::step_trace_take("attn_proj", 5), buf.data() + 4 * kStepStamps);
  EXPECT_EQ(cudak::step_trace_take("mlp_fused", 2), nullptr);  // 9 + 2 blocks > 10
  EXPECT_EQ(cudak::step_trace_take("mlp_fused", 0), nullptr);
  EXPECT_EQ(cudak::step_trace_take("mlp_fused", 1), buf.data() + 9 * kStepStamps);  // exactly full
  ASSERT_EQ(cudak::step_trace_count(), 3u);
  const cudak::StepTraceRecord r0 = cudak::step_trace_record(0), r1 = cudak::step_trace_record(1),
                               r2 = cudak::step_trace_record(2);
  EXPECT_EQ(std::string(r0.kernel), "gemv");
  EXPECT_EQ(r0.blocks, 4);
  EXPECT_EQ(r0.n_out, 2304);
  EXPECT_EQ(r0.offset, 0u);
  EXPECT_EQ(std::string(r1.kernel), "attn_proj");
  EXPECT_EQ(r1.offset, static_cast<std::size_t>(4 * kStepStamps));
  EXPECT_EQ(r2.offset, static_cast<std::size_t>(9 * kStepStamps));
  cudak::set_step_trace(buf.data(), buf.size());
  EXPECT_EQ(cudak::step_trace_count(), 0u);
  EXPECT_EQ(cudak::step_trace_take("gemv", 1), buf.data());
  cudak::set_step_trace(nullptr, 0);
  EXPECT_EQ(cudak::step_trace_count(), 0u);
  EXPECT_EQ(cudak::step_trace_take("gemv", 1), nullptr);
}

TEST(CudaOptions, PrefillGraphsAreOnByDefaultWithABoundedCache) {
  const CudaEngineOptions o;
  EXPECT_TRUE(o.cuda_graphs);
  EXPECT_TRUE(o.prefill_graphs);
  EXPECT_GE(o.prefill_graph_capacity, 6);  // a study's six scenarios stay captured
  EXPECT_LE(o.prefill_graph_capacity, 64);
}

// The prefill graph cache: least recently used evicted first, every value deleted exactly once.
TEST(PrefillGraphCache, EvictsTheLeastRecentlyUsedAndDeletesEachValueOnce) {
  std::vector<int> deleted;
  {
    LruCache<std::tuple<int, int, int>, int> c(2, [&](int& v) { deleted.push_back(v); });
    EXPECT_EQ(c.find({1, 8, 0}), nullptr);
    c.insert({1, 8, 0}, 10);
    c.insert({1, 64, 0}, 20);
    ASSERT_NE(c.find({1, 8, 0}), nullptr);  // 1x8 becomes the most recent
    EXPECT_EQ(*c.find({1, 8, 0}), 10);
    c.insert({4, 64, 0}, 30);               // full: evicts 1x64, not 1x8
    EXPECT_EQ(deleted, std::vector<int>{20});
    EXPECT_EQ(c.find({1, 64, 0}), nullptr);
    EXPECT_NE(c.find({1, 8, 0}), nullptr);
    EXPECT_NE(c.find({4, 64, 0}), nullptr);
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.evictions(), 1u);
    c.insert({1, 8, 1}, 40);                // another logits mode is another key: evicts 1x8 mode 0
    EXPECT_EQ(deleted, (std::vector<int>{20, 10}));
    EXPECT_THROW(c.insert({1, 8, 1}, 41), sb::Error);
  }
  // The destructor deletes what is left (4x64 and 1x8 mode 1), once each.
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, (std::vector<int>{10, 20, 30, 40}));
  EXPECT_THROW((LruCache<int, int>(0, [](int&) {})), sb::Error);
}

TEST(CudaOptions, WeightsOfTheWrongSizeNameTheTensor) {
  auto w = small_weights();
  EXPECT_EQ(error_of([&] { validate_weights(w); }), "");
  w.layers[1].mlp_c_fc_bias.pop_back();
  const std::string e = error_of([&] { validate_weights(w); });
  EXPECT_NE(e.find("h.1.mlp.c_fc.bias"), std::string::npos) << e;
  EXPECT_NE(e.find("expected 32"), std::string::npos) << e;
}

TEST(CudaEngine, WithoutADeviceCreationFailsWithAReason) {
  std::string why;
  if (cuda_available(&why)) GTEST_SKIP() << "a GPU is present; cuda_validate covers this machine";
  EXPECT_FALSE(why.empty());
  CudaEngineOptions o;
  o.precision = "fp32";
  const std::string e = error_of([&] { make_cuda_engine(small_weights(), o); });
  EXPECT_NE(e.find("no usable GPU"), std::string::npos) << e;
}

TEST(CudaReference, GeluNewKnownValues) {
  EXPECT_NEAR(cuda_ref::gelu_new(1.0), 0.8411919906082768, 1e-12);
  EXPECT_NEAR(cuda_ref::gelu_new(-1.0), -0.15880800939172324, 1e-12);
  EXPECT_EQ(cuda_ref::gelu_new(0.0), 0.0);
  EXPECT_GT(std::fabs(cuda_ref::gelu_new(1.0) - cuda_ref::gelu_erf(1.0)), 1e-5);
}

TEST(CudaReference, AttentionFirstQuerySeesOnlyItself) {
  // B=1, S=2, H=1, D=2, past=0: query 0 attends to key 0 only -> output = v0.
  const int D = 2, E = 2, max_t = 3;
  std::vector<float> qkv = {1, 2, 0, 0, 0, 0,   3, -1, 0, 0, 0, 0};
  std::vector<float> k = {0.5f, 1, -2, 0.25f, 9, 9}, v = {7, -3, 1, 2, 100, 100};
  std::vector<double> out(2 * E);
  cuda_ref::attention(qkv.data(), k.data(), v.data(), 1, 2, 1, D, max_t, 0, 1.0, out.data());
  EXPECT_DOUBLE_EQ(out[0], 7);
  EXPECT_DOUBLE_EQ(out[1], -3);
  // Query 1 mixes keys 0 and 1 with softmax weights of q.k.
  const double s0 = 3 * 0.5 - 1 * 1, s1 = 3 * -2 + -1 * 0.25;
  const double p0 = std::exp(s0) / (std::exp(s0) + std::exp(s1));
  EXPECT_NEAR(out[2], p0 * 7 + (1 - p0) * 1, 1e-12);
  EXPECT_NEAR(out[3], p0 * -3 + (1 - p0) * 2, 1e-12);
}

TEST(CudaReference, ForwardIsCausalAndPositionAware) {
  const auto w = small_weights(5);
  const std::vector<std::int32_t> a = {1, 2, 3, 4}, b = {1, 2, 9, 10};
  const std::vector<int> want = {0, 1, 2, 3};
  const auto la = cuda_ref::forward(w, a, want), lb = cuda_ref::forward(w, b, want);
  EXPECT_EQ(la[1], lb[1]);  // same prefix -> same logits at position 1
  EXPECT_NE(la[2], lb[2]);
  cuda_ref::ForwardOptions nc;
  nc.causal = false;
  EXPECT_NE(cuda_ref::forward(w, a, want, nc)[1], la[1]);
  cuda_ref::ForwardOptions shift;
  shift.position_offset = 1;
  EXPECT_NE(cuda_ref::forward(w, a, want, shift)[0], la[0]);
  // Prefix consistency: the logits of position t don't depend on how long the sequence is.
  const auto short_l = cuda_ref::forward(w, std::vector<std::int32_t>{1, 2}, std::vector<int>{1});
  for (std::size_t i = 0; i < short_l[0].size(); ++i) EXPECT_NEAR(short_l[0][i], la[1][i], 1e-12);
}

// The conditioning probe of cuda_validate: LayerNorm inputs scaled by (1 +- ln_jitter).
TEST(CudaReference, LayerNormJitterIsOffByDefaultAndSmallWhenWellConditioned) {
  const auto w = small_weights(7);
  const std::vector<std::int32_t> a = {1, 2, 3, 4};
  const std::vector<int> want = {3};
  const auto base = cuda_ref::forward(w, a, want)[0];
  cuda_ref::ForwardOptions zero;
  zero.jitter_seed = 5;  // a seed alone changes nothing
  EXPECT_EQ(cuda_ref::forward(w, a, want, zero)[0], base);
  cuda_ref::ForwardOptions j;
  j.ln_jitter = 1e-6;
  j.jitter_seed = 5;
  const auto moved = cuda_ref::forward(w, a, want, j)[0];
  double num = 0, den = 0;
  for (std::size_t i = 0; i < base.size(); ++i) {
    num += (moved[i] - base[i]) * (moved[i] - base[i]);
    den += base[i] * base[i];
  }
  EXPECT_GT(num, 0.0);                         // the jitter is applied
  EXPECT_LT(std::sqrt(num / den), 1e-3);       // and n_embd 8 is not that sensitive to it
  j.jitter_seed = 6;
  EXPECT_NE(cuda_ref::forward(w, a, want, j)[0], moved);  // seeds give other sign patterns
}

TEST(CudaReference, LayerNormJitterFlipsATwoElementLayerNormNearATie) {
  // n_embd 2, layers that add nothing (zero weights and biases): the logits are wte . LN_f(x)
  // with x = wte[token] = (1, 1 + 1e-6): LN of a 2-vector is +-(1, -1) up to eps, its sign set by
  // x1 - x2.  A relative input error of 1e-4 can flip it (relative L2 of the logits ~ 2); 1e-9
  // cannot.
  model::GptWeights w;
  w.config.n_layer = 1;
  w.config.n_head = 1;
  w.config.n_embd = 2;
  w.config.n_positions = 4;
  w.config.vocab_size = 3;
  w.config.layer_norm_epsilon = 1e-14;
  w.wte = {1.0f, 1.000001f, 0.5f, -2.0f, 3.0f, 1.0f};
  w.wpe.assign(8, 0.0f);
  w.ln_f_weight = {1, 1};
  w.ln_f_bias = {0, 0};
  model::LayerWeights l;
  l.ln_1_weight = {1, 1}; l.ln_1_bias = {0, 0};
  l.attn_c_attn_weight.assign(12, 0.0f); l.attn_c_attn_bias.assign(6, 0.0f);
  l.attn_c_proj_weight.assign(4, 0.0f); l.attn_c_proj_bias.assign(2, 0.0f);
  l.ln_2_weight = {1, 1}; l.ln_2_bias = {0, 0};
  const int I = w.config.inner();
  l.mlp_c_fc_weight.assign(2 * I, 0.0f); l.mlp_c_fc_bias.assign(I, 0.0f);
  l.mlp_c_proj_weight.assign(I * 2, 0.0f); l.mlp_c_proj_bias.assign(2, 0.0f);
  w.layers.push_back(std::move(l));
  const std::vector<std::int32_t> tok = {0};
  const std::vector<int> want = {0};
  const auto base = cuda_ref::forward(w, tok, want)[0];
  EXPECT_NEAR(base[0], 1.0 * -1 + 1.000001 * 1, 1e-5);  // LN_f(x) = (-1, 1)
  auto worst_rel = [&](double eps) {
    double worst = 0;
    for (int k = 0; k < 8; ++k) {
      cuda_ref::ForwardOptions j;
      j.ln_jitter = eps;
      j.jitter_seed = 1000 + k;
      const auto m = cuda_ref::forward(w, tok, want, j)[0];
      double num = 0, den = 0;
      for (std::size_t i = 0; i < base.size(); ++i) {
        num += (m[i] - base[i]) * (m[i] - base[i]);
        den += base[i] * base[i];
      }
      worst = std::max(worst, std::sqrt(num / den));
    }
    return worst;
  };
  EXPECT_GT(worst_rel(1e-4), 1.9);  // the sign flipped: about the negated logits
  EXPECT_LT(worst_rel(1e-9), 1e-2);
}

TEST(CudaReference, LayerNormHasZeroMeanUnitVariance) {
  std::vector<float> x = {1, 2, 3, 4, 100, -100, 5, 5}, g(4, 1.0f), b(4, 0.0f);
  std::vector<double> y(8);
  cuda_ref::layernorm(x.data(), 4, g.data(), b.data(), 2, 4, 0.0, y.data());
  for (int r = 0; r < 2; ++r) {
    double m = 0, v = 0;
    for (int k = 0; k < 4; ++k) m += y[r * 4 + k];
    for (int k = 0; k < 4; ++k) v += y[r * 4 + k] * y[r * 4 + k];
    EXPECT_NEAR(m, 0, 1e-12);
    EXPECT_NEAR(v / 4, 1, 1e-12);
  }
}

}  // namespace
}  // namespace sb::engine

namespace sb::engine {
namespace {

TEST(CudaReference, ThreadedGemmEqualsTheSerialLoopBitForBit) {
  // Large enough that gemm_nt splits the columns over threads.
  const int M = 3, N = 2000, K = 700;
  std::mt19937 r(5);
  std::normal_distribution<double> nd;
  std::vector<double> x(static_cast<std::size_t>(M) * K);
  std::vector<float> w(static_cast<std::size_t>(N) * K), bias(N);
  for (auto& v : x) v = nd(r);
  for (auto& v : w) v = static_cast<float>(nd(r));
  for (auto& v : bias) v = static_cast<float>(nd(r));
  std::vector<double> got(static_cast<std::size_t>(M) * N);
  cuda_ref::gemm_nt(x.data(), K, w.data(), bias.data(), M, N, K, got.data());
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = bias[n];
      for (int k = 0; k < K; ++k) s += x[static_cast<std::size_t>(m) * K + k] * w[static_cast<std::size_t>(n) * K + k];
      ASSERT_EQ(got[static_cast<std::size_t>(m) * N + n], s) << m << "," << n;
    }
}

TEST(CudaReference, FillNormalIsDeterministicAndNormal) {
  const std::size_t n = 1 << 21;
  std::vector<float> a(n), b(n), c(n);
  cuda_ref::fill_normal(a.data(), n, 42, 1.0, 2.0);
  cuda_ref::fill_normal(b.data(), n, 42, 1.0, 2.0);
  cuda_ref::fill_normal(c.data(), n, 43, 1.0, 2.0);
  EXPECT_EQ(a, b);  // same seed, same values, however the threads split the range
  EXPECT_NE(a, c);
  double s = 0, q = 0;
  std::size_t beyond3 = 0;
  for (float v : a) {
    s += v;
    q += (v - 1.0) * (v - 1.0);
    beyond3 += std::fabs(v - 1.0) > 6.0;
  }
  const double mean = s / n, sd = std::sqrt(q / n);
  EXPECT_NEAR(mean, 1.0, 0.01);
  EXPECT_NEAR(sd, 2.0, 0.01);
  // P(|z| > 3) = 0.27%: a uniform or clipped generator would be far off.
  EXPECT_NEAR(static_cast<double>(beyond3) / n, 0.0027, 0.0005);
}

// The fused kernels' cross-block word (fixed_word.h; mlp_fused.cu and attn_proj.cu): the block whose
// add completes the count reads the exact sum whatever the order of the adds, at the edges of the
// range too.
TEST(CudaFixedWord, CountAndSumAreExactInAnyOrder) {
  std::mt19937_64 rng(7);
  const std::int64_t qmax = (std::int64_t{1} << 47) - 1;  // |p| < 2^19 at 2^28 units
  for (int trial = 0; trial < 200; ++trial) {
    const int n = trial < 4 ? cudak::kFixedWordMaxAdds : 1 + static_cast<int>(rng() % cudak::kFixedWordMaxAdds);
    std::vector<std::int64_t> q(n);
    for (auto& v : q) {
      switch (trial % 4) {
        case 0: v = qmax; break;    // every prefix at the positive edge
        case 1: v = -qmax; break;   // and the negative one
        default: v = static_cast<std::int64_t>(rng() % (2 * static_cast<std::uint64_t>(qmax) + 1)) - qmax;
      }
    }
    const std::int64_t exact = std::accumulate(q.begin(), q.end(), std::int64_t{0});
    std::uint64_t first = 0;
    for (int order = 0; order < 3; ++order) {
      std::shuffle(q.begin(), q.end(), rng);
      std::uint64_t w = 0;
      std::int64_t prefix = 0;
      for (int i = 0; i < n; ++i) {
        w += cudak::fixed_word_increment(q[i]);
        prefix += q[i];
        ASSERT_EQ(cudak::fixed_word_count(w), static_cast<unsigned>(i + 1));
        ASSERT_EQ(cudak::fixed_word_sum(w), prefix);
      }
      EXPECT_EQ(cudak::fixed_word_sum(w), exact);
      if (order == 0) first = w;
      EXPECT_EQ(w, first);  // bit-identical word whatever the order
    }
  }
  // A zero partial still counts.
  EXPECT_EQ(cudak::fixed_word_count(cudak::fixed_word_increment(0)), 1u);
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_increment(-5) + cudak::fixed_word_increment(2)), -3);
}

// fp32 partials into the word (fixed_word_add) and the completed word back to fp32
// (fixed_word_value): one rounding each way, the range guard at 2^19 and for NaN / infinities, and a
// rejected partial still counted (so the word completes and is zeroed by its last contributor).
TEST(CudaFixedWord, PartialsRoundOnceAndTheRangeIsGuarded) {
  bool bad = false;
  // 2^-28 units: 1.5 units rounds to 2 (nearest even), 2.5 to 2, -1.5 to -2.
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_add(1.5f * cudak::kFixedWordInv, bad)), 2);
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_add(2.5f * cudak::kFixedWordInv, bad)), 2);
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_add(-1.5f * cudak::kFixedWordInv, bad)), -2);
  const float below = std::nextafter(cudak::kFixedWordMaxPartial, 0.0f);
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_add(below, bad)),
            static_cast<std::int64_t>(static_cast<double>(below) * 268435456.0));
  EXPECT_EQ(cudak::fixed_word_sum(cudak::fixed_word_add(-below, bad)),
            -static_cast<std::int64_t>(static_cast<double>(below) * 268435456.0));
  EXPECT_FALSE(bad);
  for (float p : {cudak::kFixedWordMaxPartial, -cudak::kFixedWordMaxPartial, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    bool b = false;
    const std::uint64_t w = cudak::fixed_word_add(p, b);
    EXPECT_TRUE(b) << p;
    EXPECT_EQ(cudak::fixed_word_count(w), 1u) << p;
    EXPECT_EQ(cudak::fixed_word_sum(w), 0) << p;
  }
  // 12 heads' partials (gpt2): the value is within 12 x 2^-29 of the exact sum, before its RN32.
  std::mt19937_64 rng(11);
  std::normal_distribution<float> nd(0.0f, 3.0f);
  for (int trial = 0; trial < 1000; ++trial) {
    std::uint64_t w = 0;
    double exact = 0.0;
    bool b = false;
    for (int h = 0; h < 12; ++h) {
      const float p = nd(rng);
      exact += p;
      w += cudak::fixed_word_add(p, b);
    }
    ASSERT_FALSE(b);
    ASSERT_EQ(cudak::fixed_word_count(w), 12u);
    const float v = cudak::fixed_word_value(w);
    ASSERT_NEAR(v, exact, 12 * 1.9e-9 + std::fabs(exact) * 6e-8);
  }
}

}  // namespace
}  // namespace sb::engine
