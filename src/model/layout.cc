#include "model/layout.h"

#include <charconv>

#include "util/error.h"

namespace sb::model {

std::int64_t TensorSpec::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<float>& TensorSpec::in(GptWeights& w) const {
  return layer < 0 ? w.*global_field : w.layers.at(static_cast<std::size_t>(layer)).*layer_field;
}

const std::vector<float>& TensorSpec::in(const GptWeights& w) const {
  return layer < 0 ? w.*global_field : w.layers.at(static_cast<std::size_t>(layer)).*layer_field;
}

std::vector<TensorSpec> gpt2_tensor_layout(const GptConfig& c) {
  const std::int64_t V = c.vocab_size, P = c.n_positions, E = c.n_embd, I = c.inner();
  std::vector<TensorSpec> out;
  out.reserve(4 + 12 * static_cast<std::size_t>(c.n_layer));
  auto global = [&](const char* name, std::vector<std::int64_t> shape, TensorInit init,
                    std::vector<float> GptWeights::*f) {
    TensorSpec t;
    t.name = name;
    t.shape = std::move(shape);
    t.init = init;
    t.global_field = f;
    out.push_back(std::move(t));
  };
  global("wte.weight", {V, E}, TensorInit::Normal, &GptWeights::wte);
  global("wpe.weight", {P, E}, TensorInit::Normal, &GptWeights::wpe);
  for (int l = 0; l < c.n_layer; ++l) {
    auto layer = [&](const char* suffix, std::vector<std::int64_t> shape, TensorInit init,
                     std::vector<float> LayerWeights::*f) {
      TensorSpec t;
      t.name = fmt::format("h.{}.{}", l, suffix);
      t.shape = std::move(shape);
      t.init = init;
      t.layer = l;
      t.layer_field = f;
      out.push_back(std::move(t));
    };
    layer("ln_1.weight", {E}, TensorInit::Ones, &LayerWeights::ln_1_weight);
    layer("ln_1.bias", {E}, TensorInit::Zeros, &LayerWeights::ln_1_bias);
    layer("attn.c_attn.weight", {E, 3 * E}, TensorInit::Normal, &LayerWeights::attn_c_attn_weight);
    layer("attn.c_attn.bias", {3 * E}, TensorInit::Zeros, &LayerWeights::attn_c_attn_bias);
    layer("attn.c_proj.weight", {E, E}, TensorInit::Normal, &LayerWeights::attn_c_proj_weight);
    layer("attn.c_proj.bias", {E}, TensorInit::Zeros, &LayerWeights::attn_c_proj_bias);
    layer("ln_2.weight", {E}, TensorInit::Ones, &LayerWeights::ln_2_weight);
    layer("ln_2.bias", {E}, TensorInit::Zeros, &LayerWeights::ln_2_bias);
    layer("mlp.c_fc.weight", {E, I}, TensorInit::Normal, &LayerWeights::mlp_c_fc_weight);
    layer("mlp.c_fc.bias", {I}, TensorInit::Zeros, &LayerWeights::mlp_c_fc_bias);
    layer("mlp.c_proj.weight", {I, E}, TensorInit::Normal, &LayerWeights::mlp_c_proj_weight);
    layer("mlp.c_proj.bias", {E}, TensorInit::Zeros, &LayerWeights::mlp_c_proj_bias);
  }
  global("ln_f.weight", {E}, TensorInit::Ones, &GptWeights::ln_f_weight);
  global("ln_f.bias", {E}, TensorInit::Zeros, &GptWeights::ln_f_bias);
  return out;
}

std::string_view strip_transformer_prefix(std::string_view name) {
  constexpr std::string_view kPrefix = "transformer.";
  if (name.substr(0, kPrefix.size()) == kPrefix) name.remove_prefix(kPrefix.size());
  return name;
}

bool is_mask_buffer(std::string_view n) {
  // h.<digits>.attn.bias | h.<digits>.attn.masked_bias
  if (n.substr(0, 2) != "h.") return false;
  n.remove_prefix(2);
  std::size_t digits = 0;
  while (digits < n.size() && n[digits] >= '0' && n[digits] <= '9') ++digits;
  if (digits == 0) return false;
  n.remove_prefix(digits);
  return n == ".attn.bias" || n == ".attn.masked_bias";
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

void allocate_weights(GptWeights& w) {
  w.layers.assign(static_cast<std::size_t>(w.config.n_layer), LayerWeights{});
  for (const auto& t : gpt2_tensor_layout(w.config))
    t.in(w).assign(static_cast<std::size_t>(t.elements()), 0.0f);
}

void check_weight_shapes(const GptWeights& w, const std::string& where) {
  if (w.layers.size() != static_cast<std::size_t>(w.config.n_layer))
    fail("{}: weights hold {} layers but config says n_layer {}", where, w.layers.size(),
         w.config.n_layer);
  for (const auto& t : gpt2_tensor_layout(w.config)) {
    const auto have = t.in(w).size();
    if (have != static_cast<std::size_t>(t.elements()))
      fail("{}: tensor '{}' holds {} elements, expected {} for shape {}", where, t.name, have,
           t.elements(), shape_string(t.shape));
  }
}

}  // namespace sb::model
