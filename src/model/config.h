// model/config — GPT-2 architecture description (Hugging Face config.json semantics).
// Contract: a GptConfig is always valid once constructed by parse/preset functions (sizes
// positive, heads divide width); validate() throws sb::Error naming the offending field.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

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

// --- Added by the model module (parsing and writing config.json) ---------------------------

// Parses a dtype in safetensors spelling ("F32", "F16", "BF16"); nullopt when not one of them.
std::optional<DType> dtype_from_name(std::string_view name);
// Parses scalebench's precision spelling ("fp32", "fp16", "bf16"); throws sb::UsageError.
DType dtype_from_precision(std::string_view precision);
const char* dtype_precision(DType d);       // "fp32", "fp16", "bf16"
const char* dtype_torch_name(DType d);      // "float32", "float16", "bfloat16"

// Parses the text of a Hugging Face GPT-2 config.json.  `where` (normally the file path) opens
// every error message, followed by the field: `<where>: field "n_head": ...`.
// Keys and defaults follow transformers' GPT2Config (REFERENCE.md): n_positions falls back to
// n_ctx; n_inner null -> 0 (= 4E); the dtype comes from "dtype" (transformers 5) or
// "torch_dtype" (older), "dtype" winning when both are present.  Rejected with sb::Error:
// text that is not a JSON object, a model_type other than "gpt2", an activation other than
// gelu_new (gelu_pytorch_tanh, the same function, is accepted and stored as gelu_new),
// features the engines do not implement (cross attention, untied head, inverse-layer-idx
// scaling), wrong JSON types, non-positive sizes, heads that do not divide the width.
GptConfig parse_config_json(std::string_view text, const std::string& where);
// Reads and parses <path>; errors name the path.
GptConfig load_config_file(const std::filesystem::path& path);
// Serializes as a Hugging Face-compatible config.json (model_type gpt2, GPT2LMHeadModel, both
// "dtype" and "torch_dtype" so that transformers 4 and 5 agree), pretty-printed.
std::string config_to_json(const GptConfig& c);

}  // namespace sb::model
