// tests/engine_cuda/st_loader — a minimal reader of a Hugging Face GPT-2 folder (config.json +
// model.safetensors, F32/F16/BF16) into GptWeights, for the GPU validation program only.
// Why not sb::model::load_model: cuda_validate must run on the GPU machine as a self-contained
// binary, and sb_model pulls shared libraries (libfmt) that machine lacks.  Fails loudly
// (std::runtime_error naming the file and tensor) on anything unexpected.
#pragma once
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/weights.h"

namespace sb::engine::cuda_test {

inline float half_bits_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  std::uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: value = man * 2^-24
      float f = static_cast<float>(man) * 5.9604644775390625e-8f;
      std::memcpy(&bits, &f, 4);
      bits |= sign;
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (man << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline model::GptWeights load_hf_folder(const std::filesystem::path& dir) {
  using nlohmann::json;
  auto fail = [&](const std::string& m) { throw std::runtime_error(dir.string() + ": " + m); };
  std::ifstream cf(dir / "config.json");
  if (!cf) fail("cannot open config.json");
  const json cj = json::parse(cf);
  model::GptWeights w;
  auto& c = w.config;
  c.n_layer = cj.at("n_layer");
  c.n_head = cj.at("n_head");
  c.n_embd = cj.at("n_embd");
  c.n_positions = cj.at("n_positions");
  c.vocab_size = cj.at("vocab_size");
  if (cj.contains("n_inner") && !cj["n_inner"].is_null()) c.n_inner = cj["n_inner"];
  if (cj.contains("layer_norm_epsilon")) c.layer_norm_epsilon = cj["layer_norm_epsilon"];
  if (cj.contains("scale_attn_weights")) c.scale_attn_weights = cj["scale_attn_weights"];

  std::ifstream f(dir / "model.safetensors", std::ios::binary);
  if (!f) fail("cannot open model.safetensors");
  std::uint64_t hlen = 0;
  f.read(reinterpret_cast<char*>(&hlen), 8);
  std::string hs(hlen, '\0');
  f.read(hs.data(), static_cast<std::streamsize>(hlen));
  const json h = json::parse(hs);
  const std::uint64_t base = 8 + hlen;
  auto get = [&](const std::string& name, std::size_t expect) {
    const json* t = nullptr;
    for (const std::string& n : {name, "transformer." + name})
      if (h.contains(n)) t = &h[n];
    if (!t) fail("tensor " + name + " missing");
    const std::string dt = t->at("dtype");
    const std::uint64_t b0 = t->at("data_offsets")[0], b1 = t->at("data_offsets")[1];
    const std::size_t es = dt == "F32" ? 4 : 2;
    if ((b1 - b0) != expect * es)
      fail("tensor " + name + " has " + std::to_string((b1 - b0) / es) + " elements, expected " +
           std::to_string(expect));
    std::vector<unsigned char> raw(b1 - b0);
    f.seekg(static_cast<std::streamoff>(base + b0));
    f.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
    std::vector<float> out(expect);
    for (std::size_t i = 0; i < expect; ++i) {
      if (dt == "F32") {
        std::memcpy(&out[i], raw.data() + 4 * i, 4);
      } else {
        std::uint16_t v;
        std::memcpy(&v, raw.data() + 2 * i, 2);
        if (dt == "F16") {
          out[i] = half_bits_to_float(v);
        } else if (dt == "BF16") {
          const std::uint32_t bits = static_cast<std::uint32_t>(v) << 16;
          std::memcpy(&out[i], &bits, 4);
        } else {
          fail("tensor " + name + " has unsupported dtype " + dt);
        }
      }
    }
    return out;
  };
  const std::size_t E = c.n_embd, I = c.inner();
  w.wte = get("wte.weight", static_cast<std::size_t>(c.vocab_size) * E);
  w.wpe = get("wpe.weight", static_cast<std::size_t>(c.n_positions) * E);
  w.ln_f_weight = get("ln_f.weight", E);
  w.ln_f_bias = get("ln_f.bias", E);
  for (int i = 0; i < c.n_layer; ++i) {
    const std::string p = "h." + std::to_string(i) + ".";
    model::LayerWeights l;
    l.ln_1_weight = get(p + "ln_1.weight", E);
    l.ln_1_bias = get(p + "ln_1.bias", E);
    l.attn_c_attn_weight = get(p + "attn.c_attn.weight", E * 3 * E);
    l.attn_c_attn_bias = get(p + "attn.c_attn.bias", 3 * E);
    l.attn_c_proj_weight = get(p + "attn.c_proj.weight", E * E);
    l.attn_c_proj_bias = get(p + "attn.c_proj.bias", E);
    l.ln_2_weight = get(p + "ln_2.weight", E);
    l.ln_2_bias = get(p + "ln_2.bias", E);
    l.mlp_c_fc_weight = get(p + "mlp.c_fc.weight", E * I);
    l.mlp_c_fc_bias = get(p + "mlp.c_fc.bias", I);
    l.mlp_c_proj_weight = get(p + "mlp.c_proj.weight", I * E);
    l.mlp_c_proj_bias = get(p + "mlp.c_proj.bias", E);
    w.layers.push_back(std::move(l));
  }
  return w;
}

}  // namespace sb::engine::cuda_test
