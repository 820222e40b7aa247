// model/layout — the canonical list of GPT-2 weight tensors a GptConfig implies.
// Contract: gpt2_tensor_layout(c) lists every weight tensor of a tied-head GPT-2 in Hugging
// Face's state_dict order (wte, wpe, h.0.ln_1.weight, ..., ln_f.bias) with its HF name (no
// "transformer." prefix), its shape, how synthetic init fills it, and where it lives in
// GptWeights.  Readers, writers, the synthesizer and the inventory all walk this one list, so
// they cannot disagree about names or shapes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/weights.h"

namespace sb::model {

enum class TensorInit { Normal, Zeros, Ones };   // matrices/embeddings, biases, LayerNorm gains

struct TensorSpec {
  std::string name;                    // HF name, e.g. "h.3.attn.c_attn.weight"
  std::vector<std::int64_t> shape;
  TensorInit init = TensorInit::Normal;
  int layer = -1;                      // -1 for wte, wpe, ln_f.*
  std::vector<float> GptWeights::*global_field = nullptr;
  std::vector<float> LayerWeights::*layer_field = nullptr;

  std::int64_t elements() const;
  std::vector<float>& in(GptWeights& w) const;
  const std::vector<float>& in(const GptWeights& w) const;
};

std::vector<TensorSpec> gpt2_tensor_layout(const GptConfig& c);

// "transformer.wte.weight" -> "wte.weight"; other names unchanged.
std::string_view strip_transformer_prefix(std::string_view name);
// True for h.N.attn.bias and h.N.attn.masked_bias (causal-mask buffers some checkpoints carry).
bool is_mask_buffer(std::string_view canonical_name);

// "[768, 2304]"
std::string shape_string(const std::vector<std::int64_t>& shape);

// Resizes every tensor of `w` to the shapes of w.config (contents zero-filled).
void allocate_weights(GptWeights& w);
// Throws sb::Error naming the first tensor whose element count disagrees with w.config.
void check_weight_shapes(const GptWeights& w, const std::string& where);

}  // namespace sb::model
