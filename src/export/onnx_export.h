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
//  - static_kv variant (ExportOptions::static_kv_positions = K > 0; for CUDA graphs, which
//    replay fixed shapes at fixed addresses): inputs input_ids [B,S], position_ids [B,S],
//    past_key_values.{i}.key/.value [B,H,K,D] (no attention_mask: the Engine interface has no
//    padding); the step's new k/v [B,H,S,D] are written into the past with ScatterElements
//    (axis 2) at position_ids, giving present.{i}.key/.value [B,H,K,D]; the S queries attend
//    over all K slots with the mask built from positions alone (slot j is visible to a query at
//    position p iff j <= p: causality and cache length in one rule).  Slots beyond the written
//    positions are masked, but their values still enter MatMul(probs, v) multiplied by 0, so
//    the caller must keep them finite (zero-fill the buffers once).  Every shape in the graph is
//    a constant except the batch and sequence axes (no Shape/Range nodes in the last-position
//    variant).  Positions must be < K.
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
  std::string file_name{};
  // 0 = the dynamic-past graph above; K > 0 = the static_kv variant with a K-slot cache
  // (1 <= K <= n_positions).  Recorded in metadata_props, the default file name and the result.
  int static_kv_positions = 0;
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
  int static_kv_positions = 0;                  // 0 = dynamic past
};

ExportResult export_onnx(const model::GptWeights& w, const ExportOptions& o,
                         const std::filesystem::path& out_dir);

// Default file names of the two variants (optimum calls its decoder-with-past graph model.onnx);
// static_kv: model_static_kv<K>.onnx / model_static_kv<K>_last_logits.onnx.
std::string default_file_name(bool last_position_logits, int static_kv_positions = 0);

// The static_kv slot count for a worker whose longest step sequence is max_seq positions
// (prompt + new tokens; 0 = unknown): max_seq itself, or n_positions when unknown or larger.
// Exact rather than rounded: every decode step attends over (and copies) all K slots.
int static_kv_positions_for(int max_seq, int n_positions);

// {"file","sha256","bytes",...} for export.json and the manifest's "artifacts".
std::string export_result_json(const ExportResult& r, int indent = 2);

// Operator histogram of an ONNX file ("domain::Op" or "Op" for the default domain -> count),
// reading only the graph (external data is not loaded).  Used for ORT's optimized graph.
std::map<std::string, std::int64_t> onnx_op_histogram(const std::filesystem::path& onnx_file);

}  // namespace sb::exporter
