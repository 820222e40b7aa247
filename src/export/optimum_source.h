// export/optimum_source — an ONNX GPT-2 decoder made elsewhere (Hugging Face optimum's
// `optimum-cli export onnx --task text-generation-with-past`) used as a model source.
// Contract: inspect_onnx_folder() checks, without loading weights, that the folder holds
//  - config.json with model_type gpt2 (when present) and n_layer, n_head, n_embd, vocab_size,
//    n_positions (n_ctx accepted);
//  - one decoder graph: model.onnx, else decoder_model_merged.onnx is refused (its If-node
//    use_cache_branch input is not driven by scalebench), else the single *.onnx file;
//  - graph inputs input_ids, attention_mask (and position_ids if present; optimum < 1.14 omits
//    it), past_key_values.{i}.key/.value for i < n_layer, all int64 ids and rank-4 KV with
//    dim 1 = n_head and dim 3 = head_dim where those dims are fixed; outputs logits (rank 3) and
//    present.{i}.key/.value of the same element type as the past;
//  - no input or output the engine would not feed or read.
// Any mismatch throws sb::Error naming the file, the tensor, what was expected and found.
#pragma once
#include <filesystem>
#include <string>

#include "model/config.h"

namespace sb::exporter {

struct OnnxModelSource {
  std::filesystem::path dir;
  std::filesystem::path model_file;
  model::GptConfig config;        // from config.json (only the fields above are read)
  bool has_position_ids = true;
  bool last_position_logits = false;  // logits dim 1 fixed to 1
  std::string kv_dtype;           // "fp32" | "fp16"
  std::string logits_dtype;       // "fp32" | "fp16"
  std::int64_t opset = 0;
  std::string producer;           // producer_name producer_version
};

// True when `dir` is a folder holding at least one *.onnx file.
bool is_onnx_folder(const std::filesystem::path& dir);

OnnxModelSource inspect_onnx_folder(const std::filesystem::path& dir);

// Checks one graph file against a config (used by inspect_onnx_folder and by the ORT engine for
// scalebench's own exports).  Fills the graph-derived fields of `out`.
void check_decoder_graph(const std::filesystem::path& onnx_file, const model::GptConfig& cfg,
                         OnnxModelSource& out);

}  // namespace sb::exporter
