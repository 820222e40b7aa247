// model/weights — GPT-2 weights in host fp32, in Hugging Face's layout.
// Contract: Conv1D matrices are stored [in, out] row-major exactly as in the checkpoint
// (y = x @ W + b); wte is [V, E] and doubles as the tied LM head (logits = h @ wte^T).
// Every engine converts from this one structure; nothing else reads checkpoint files.
#pragma once
#include <vector>

#include "model/config.h"

namespace sb::model {

struct LayerWeights {
  std::vector<float> ln_1_weight, ln_1_bias;          // [E]
  std::vector<float> attn_c_attn_weight;              // [E, 3E]  (q | k | v along out)
  std::vector<float> attn_c_attn_bias;                // [3E]
  std::vector<float> attn_c_proj_weight;              // [E, E]
  std::vector<float> attn_c_proj_bias;                // [E]
  std::vector<float> ln_2_weight, ln_2_bias;          // [E]
  std::vector<float> mlp_c_fc_weight;                 // [E, I]
  std::vector<float> mlp_c_fc_bias;                   // [I]
  std::vector<float> mlp_c_proj_weight;               // [I, E]
  std::vector<float> mlp_c_proj_bias;                 // [E]
};

struct GptWeights {
  GptConfig config;
  std::vector<float> wte;                             // [V, E]
  std::vector<float> wpe;                             // [P, E]
  std::vector<LayerWeights> layers;                   // n_layer entries
  std::vector<float> ln_f_weight, ln_f_bias;          // [E]
};

}  // namespace sb::model
