// export/onnx_export — GPT-2 (with KV cache) to an ONNX graph in Hugging Face optimum's layout.
// Contract:
//  - One graph serves prefill and decode: inputs input_ids [B,S] int64, attention_mask [B,P+S]
//    int64, position_ids [B,S] int64, past_key_values.{i}.key/.value [B,H,P,D]; outputs logits
//    (fp32) and present.{i}.key/.value [B,H,P+S,D].  P = 0 (an empty past) is prefill.  Batch,
//    sequence and past axes are dynamic (optimum's dim names).
//  - logits are [B,S,V] for the all-position variant (accuracy) and [B,1,V] for the
//    last-position variant (benchmarks, DESIGN.md "Metrics").  Logits are always float32; the
//    KV cache has the export dtype.
//  - The causal mask is built inside the graph from the shapes (key j is visible to query i iff
//    j <= P + i) and combined with attention_mask (0 = padding key); masked scores take the
//    dtype's lowest finite value, as Hugging Face does, so a fully masked row stays finite.
//  - Opset 17: LayerNormalization is native; gelu_new is composed from Pow/Mul/Add/Tanh.
//  - fp16: weights, activations and KV cache in fp16; LayerNormalization and Softmax take fp32
//    inputs (Cast in, Cast out) and the logits are cast to fp32, so no mean/variance/exp-sum is
//    accumulated in fp16.
//  - Models whose initializers exceed external_data_threshold_bytes keep their weights in
//    <model>.onnx.data beside the graph (ONNX external data; protobuf caps a message at 2 GB).
//  - Every written model passes onnx::checker::check_model; failures throw sb::Error.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/weights.h"

namespace sb::exporter {

inline constexpr std::uint64_t kDefaultExternalDataThresholdBytes = 2000ull * 1000 * 1000;

struct ExportOptions {
  model::DType dtype = model::DType::F32;   // F32 or F16 (BF16: sb::Error)
  int opset = 17;                           // 17 only (LayerNormalization); others: sb::Error
  bool last_position_logits = true;
  // Initializer bytes above which weights go to external data (tests force a small value).
  std::uint64_t external_data_threshold_bytes = kDefaultExternalDataThresholdBytes;
  // File name inside out_dir; empty = model.onnx (all positions) / model_last_logits.onnx.
  std::string file_name;
};

struct ExportResult {
  std::filesystem::path model_file;
  std::string sha256;                       // of the .onnx file (graph + inline weights)
  std::uint64_t bytes = 0;                  // .onnx file plus its external data file, if any
  int opset = 0;
  std::int64_t initializer_count = 0, element_count = 0;
  double export_ms = 0;
  // Added members.
  std::filesystem::path external_data_file;     // empty when weights are inline
  std::string external_data_sha256;             // empty when weights are inline
  std::string dtype;                            // "fp32" | "fp16"
  std::string logits;                           // "all" | "last"
  std::int64_t node_count = 0;
};

ExportResult export_onnx(const model::GptWeights& w, const ExportOptions& o,
                         const std::filesystem::path& out_dir);

// Default file names of the two variants (optimum calls its decoder-with-past graph model.onnx).
std::string default_file_name(bool last_position_logits);

// {"file","sha256","bytes",...} for export.json and the manifest's "artifacts".
std::string export_result_json(const ExportResult& r, int indent = 2);

// Operator histogram of an ONNX file ("domain::Op" or "Op" for the default domain -> count),
// reading only the graph (external data is not loaded).  Used for ORT's optimized graph.
std::map<std::string, std::int64_t> onnx_op_histogram(const std::filesystem::path& onnx_file);

}  // namespace sb::exporter
