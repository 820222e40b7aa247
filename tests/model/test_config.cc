// config.json parsing: keys, defaults, both dtype keys, and each rejection naming the field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/config.h"
#include "model/presets.h"
#include "model_test_util.h"

namespace sb::model {
namespace {
using testing::expect_error;

TEST(Config, ParsesHfKeysAndAppliesDefaults) {
  const GptConfig c = parse_config_json(
      R"({"model_type":"gpt2","n_embd":128,"n_layer":6,"n_head":2,"n_positions":512,
          "vocab_size":50257,"n_inner":null,"layer_norm_epsilon":1e-05,
          "activation_function":"gelu_new","dtype":"float32"})",
      "cfg.json");
  EXPECT_EQ(c.n_embd, 128);
  EXPECT_EQ(c.n_layer, 6);
  EXPECT_EQ(c.n_head, 2);
  EXPECT_EQ(c.n_positions, 512);
  EXPECT_EQ(c.n_inner, 0);
  EXPECT_EQ(c.inner(), 512);
  EXPECT_EQ(c.head_dim(), 64);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.bos_token_id, 50256);

  const GptConfig d = parse_config_json("{}", "empty.json");   // GPT2Config defaults = gpt2
  EXPECT_EQ(d.n_embd, 768);
  EXPECT_EQ(d.n_layer, 12);
  EXPECT_EQ(d.n_head, 12);
  EXPECT_EQ(d.n_positions, 1024);
  EXPECT_EQ(d.vocab_size, 50257);
  EXPECT_DOUBLE_EQ(d.layer_norm_epsilon, 1e-5);
  EXPECT_EQ(d.dtype, DType::F32);
}

TEST(Config, NCtxIsTheFallbackForNPositions) {
  EXPECT_EQ(parse_config_json(R"({"n_ctx":256})", "x").n_positions, 256);
  EXPECT_EQ(parse_config_json(R"({"n_ctx":256,"n_positions":300})", "x").n_positions, 300);
}

TEST(Config, ExplicitNInner) {
  EXPECT_EQ(parse_config_json(R"({"n_inner":1000})", "x").inner(), 1000);
}

TEST(Config, BothDtypeKeys) {
  EXPECT_EQ(parse_config_json(R"({"torch_dtype":"float16"})", "x").dtype, DType::F16);
  EXPECT_EQ(parse_config_json(R"({"dtype":"bfloat16"})", "x").dtype, DType::BF16);
  // transformers 5's "dtype" wins when both are present.
  EXPECT_EQ(parse_config_json(R"({"torch_dtype":"float32","dtype":"float16"})", "x").dtype,
            DType::F16);
  expect_error([] { parse_config_json(R"({"torch_dtype":"float64"})", "a/config.json"); },
               {"a/config.json", "\"torch_dtype\"", "float64"});
}

TEST(Config, GeluPytorchTanhIsGeluNew) {
  EXPECT_EQ(parse_config_json(R"({"activation_function":"gelu_pytorch_tanh"})", "x")
                .activation_function,
            "gelu_new");
}

TEST(Config, RejectionsNameFileAndField) {
  const std::string f = "m/config.json";
  expect_error([&] { parse_config_json("{not json", f); }, {f, "not valid JSON"});
  expect_error([&] { parse_config_json("[1,2]", f); }, {f, "JSON object"});
  expect_error([&] { parse_config_json(R"({"model_type":"llama"})", f); },
               {f, "model_type", "llama", "gpt2"});
  expect_error([&] { parse_config_json(R"({"activation_function":"relu"})", f); },
               {f, "activation_function", "relu"});
  expect_error([&] { parse_config_json(R"({"n_embd":100,"n_head":3})", f); },
               {f, "n_head", "3 heads do not divide n_embd 100"});
  expect_error([&] { parse_config_json(R"({"n_layer":-2})", f); }, {f, "n_layer", "-2"});
  expect_error([&] { parse_config_json(R"({"n_head":0})", f); }, {f, "n_head", "positive"});
  expect_error([&] { parse_config_json(R"({"vocab_size":-1})", f); }, {f, "vocab_size", "-1"});
  expect_error([&] { parse_config_json(R"({"n_inner":-8})", f); }, {f, "n_inner", "-8"});
  expect_error([&] { parse_config_json(R"({"n_embd":"768"})", f); },
               {f, "n_embd", "expected an integer", "string"});
  expect_error([&] { parse_config_json(R"({"n_embd":768.5})", f); }, {f, "n_embd", "768.5"});
  expect_error([&] { parse_config_json(R"({"n_embd":99999999999})", f); },
               {f, "n_embd", "out of range"});
  expect_error([&] { parse_config_json(R"({"layer_norm_epsilon":0})", f); },
               {f, "layer_norm_epsilon"});
  expect_error([&] { parse_config_json(R"({"tie_word_embeddings":false})", f); },
               {f, "tie_word_embeddings"});
  expect_error([&] { parse_config_json(R"({"add_cross_attention":true})", f); },
               {f, "add_cross_attention"});
  expect_error([&] { parse_config_json(R"({"n_embd":16777216,"n_head":16,"n_layer":16777216})", f); },
               {f, "parameters"});
}

TEST(Config, JsonRoundTrip) {
  GptConfig c = *preset_config("gpt2-medium");
  c.dtype = DType::BF16;
  c.n_inner = 3000;
  const GptConfig back = parse_config_json(config_to_json(c), "written");
  EXPECT_EQ(back.n_layer, c.n_layer);
  EXPECT_EQ(back.n_head, c.n_head);
  EXPECT_EQ(back.n_embd, c.n_embd);
  EXPECT_EQ(back.n_positions, c.n_positions);
  EXPECT_EQ(back.vocab_size, c.vocab_size);
  EXPECT_EQ(back.n_inner, 3000);
  EXPECT_EQ(back.dtype, DType::BF16);
  const auto j = nlohmann::json::parse(config_to_json(c));
  EXPECT_EQ(j["model_type"], "gpt2");
  EXPECT_EQ(j["dtype"], "bfloat16");
  EXPECT_EQ(j["torch_dtype"], "bfloat16");
  EXPECT_EQ(j["architectures"][0], "GPT2LMHeadModel");
}

TEST(ShapeSpec, Grammar) {
  const GptConfig c = parse_shape_spec("shape:L=4,H=4,E=256,V=1000,P=512");
  EXPECT_EQ(c.n_layer, 4);
  EXPECT_EQ(c.n_head, 4);
  EXPECT_EQ(c.n_embd, 256);
  EXPECT_EQ(c.vocab_size, 1000);
  EXPECT_EQ(c.n_positions, 512);
  EXPECT_EQ(c.inner(), 1024);
  const GptConfig d = parse_shape_spec("shape:E=48,H=3,L=1,I=100");
  EXPECT_EQ(d.vocab_size, 50257);
  EXPECT_EQ(d.n_positions, 1024);
  EXPECT_EQ(d.inner(), 100);
  for (const char* bad : {"shape:", "shape:L=1,H=2", "shape:L=1,H=3,E=8", "shape:L=0,H=1,E=8",
                          "shape:L=1,H=1,E=8,L=2", "shape:L=1,H=1,E=8,X=3", "shape:L=-1,H=1,E=8",
                          "shape:L=1,H=1,E=8,", "shape:L=1 ,H=1,E=8", "shape:L=1,H=1,E=abc",
                          "shape:L=99999999999,H=1,E=8"})
    expect_error([&] { parse_shape_spec(bad); }, {bad});
}

}  // namespace
}  // namespace sb::model
