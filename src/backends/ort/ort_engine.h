// backends/ort/ort_engine — an ONNX Runtime session driven through the sb::engine::Engine
// interface (backends onnxruntime-cpu and onnxruntime-cuda).
// Contract:
//  - The graph is a GPT-2 decoder with past in Hugging Face optimum's layout (export/
//    onnx_export.h or an optimum folder checked by export/optimum_source.h).  prefill() feeds
//    an empty past (P = 0); decode() feeds the previous step's present.* as past_key_values.*.
//    attention_mask is all ones and position_ids are past_len .. past_len+S-1 (the Engine
//    interface has no padding).  Greedy choice: argmax over the last position's fp32 logits,
//    lowest id on ties.
//  - Two graph variants, two sessions at most: the file given to make_ort_engine serves every
//    step (pass model_last_logits.onnx for benchmarks: its LM head runs on the last position
//    only).  LogitsMode::kAll on prefill needs all-position logits: if the given graph has
//    them they are used directly, otherwise a second session over the all-position graph
//    (options.all_logits_file, default model.onnx beside the given file) is created on first
//    use and serves kAll prefills only; both graphs share the KV layout, so decode continues
//    on the first session.  kLast with an all-position graph slices the last position.
//  - I/O buffers are reused across steps: ids/mask/positions live in growing host vectors, the
//    KV cache is two preallocated ping-pong buffer sets of capacity [B,H,max_seq,D] per
//    tensor (past reads one, present is bound with IoBinding to the other), logits are bound to
//    a preallocated host buffer.  On the CUDA EP the KV buffer sets are device memory from the
//    session's CUDA allocator, so the cache never leaves the GPU.
//  - ort_available(device, reason) is false with the reason when the execution provider cannot
//    be used.  "cuda": a GPU build of ORT offers CUDAExecutionProvider built in; the CPU build
//    (the npm package) loads libonnxruntime_providers_cuda.so as a plugin EP library
//    (SB_ORT_CUDA_PROVIDER, else beside libonnxruntime.so) and binds it to the GPU that ORT's
//    device discovery found; false when the plugin, its CUDA libraries or a GPU are missing.
//  - SB_ORT_LOG_LEVEL (verbose|info|warning|error) raises ORT's own logging.
//  - Errors are sb::Error naming the file, tensor or option; ORT's own message is included.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "model/config.h"

namespace sb::engine {

struct OrtEngineOptions {
  std::string device = "cpu";          // "cpu", "cuda" or "cuda:N"
  int threads = 0;                     // intra-op threads; 0 = every CPU in the affinity mask (as native-cpu)
  std::string graph_optimization = "all";  // disable | basic | extended | all
  bool cuda_graphs = false;            // CUDA EP only: capture one CUDA graph per step shape
  // Added members.
  std::filesystem::path all_logits_file;  // for kAll prefills; default: model.onnx beside
  bool record_op_histogram = true;     // save the optimized graph once and count its operators
  int inter_op_threads = 1;            // graph is sequential: one inter-op thread
  int max_seq = 0;                     // KV capacity in positions; 0 = n_positions
};

// Facts the manifest records about an ORT engine ("artifacts"/"options").
struct OrtEngineFacts {
  std::string ort_version;
  std::string device;                  // "cpu" or "cuda:N"
  std::string execution_provider;      // CPUExecutionProvider | CUDAExecutionProvider
  std::string execution_provider_library;  // CUDA provider plugin loaded at run time ("" = built in or CPU)
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  std::string graph_optimization;
  bool io_binding = true;
  bool cuda_graphs = false;
  std::string kv_dtype;                // fp32 | fp16
  std::string logits_graph;            // "last" | "all": the variant serving benchmark steps
  std::filesystem::path model_file, all_logits_file;
  std::map<std::string, std::int64_t> optimized_op_histogram;  // empty when not recorded
  double session_create_ms = 0;
  nlohmann::json to_json() const;
};

std::unique_ptr<Engine> make_ort_engine(const std::filesystem::path& onnx_file,
                                        const model::GptConfig& cfg, const OrtEngineOptions& o);
bool ort_available(const std::string& device, std::string* reason);

// Facts of an engine made by make_ort_engine; nullptr for any other engine.
const OrtEngineFacts* ort_engine_facts(const Engine& e);

// "1.29.0" (from the loaded library).
std::string ort_version();

}  // namespace sb::engine
