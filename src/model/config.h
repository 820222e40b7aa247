// model/config — GPT-2 architecture description (Hugging Face config.json semantics).
// Contract: a GptConfig is always valid once constructed by parse/preset functions (sizes
// positive, heads divide width); validate() throws sb::Error naming the offending field.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace sb::model {

enum class DType { F32, F16, BF16 };
const char* dtype_name(DType d);           // "F32", "F16", "BF16" (safetensors spelling)
std::size_t dtype_size(DType d);           // bytes per element

struct GptConfig {
  int n_layer = 0;
  int n_head = 0;
  int n_embd = 0;
  int n_positions = 0;
  int vocab_size = 0;
  int n_inner = 0;                    // 0 in config.json (null) means 4 * n_embd; resolved here
  double layer_norm_epsilon = 1e-5;
  std::string activation_function = "gelu_new";
  bool tie_word_embeddings = true;
  bool scale_attn_weights = true;
  int bos_token_id = 50256;
  int eos_token_id = 50256;
  DType dtype = DType::F32;          // storage dtype declared by the checkpoint

  int head_dim() const { return n_embd / n_head; }
  int inner() const { return n_inner > 0 ? n_inner : 4 * n_embd; }
  // Throws sb::Error("<where>: <field> ...") when a field is out of range.
  void validate(const std::string& where) const;
};

}  // namespace sb::model
