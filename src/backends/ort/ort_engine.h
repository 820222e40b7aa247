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
//    tensor (past reads one, present is written into the other), logits go to a preallocated
//    host buffer.  Two ways to hand them to ORT (options.io_binding):
//     - IoBinding (on): on the CUDA EP the KV buffer sets are device memory from the session's
//       CUDA allocator, so the cache never leaves the GPU;
//     - plain Session::Run (off): every buffer is host memory and ORT copies inputs to the
//       device and outputs back itself (no device memory info, allocator or device pointer in
//       scalebench's code; the KV cache crosses PCIe twice per step).
//    Default (unset): on for CPU and for a CUDA EP built into the core; off for the CUDA
//    provider plugin (the path with the fewest assumptions about the plugin's memory names).
//    facts().io_binding and describe() say which path ran.
//  - ort_available(device, reason) is false with the reason when the execution provider cannot
//    be used.  "cuda": a GPU build of ORT offers CUDAExecutionProvider built in; the CPU build
//    (the npm package) loads libonnxruntime_providers_cuda.so as a plugin EP library
//    (SB_ORT_CUDA_PROVIDER, else beside libonnxruntime.so) and binds it to the GPU that ORT's
//    device discovery found; false when the plugin, its CUDA libraries or a GPU are missing,
//    and false when the core is a CPU build without ORT's CUDA provider interface (see
//    ort_detail::core_lacks_cuda_provider_interface: the provider would call through missing
//    slots of the core's ProviderHostCPU table and crash on the first Split/Concat/Slice;
//    SB_ORT_CUDA_PLUGIN_FORCE=1 skips this refusal, to reproduce the crash with a backtrace).
//  - SB_ORT_LOG_LEVEL (verbose|info|warning|error) raises ORT's own logging.
//  - Errors are sb::Error naming the file, tensor or option; ORT's own message is included.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
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
  // IoBinding (true) or plain Session::Run with host tensors (false); unset = auto (header).
  std::optional<bool> io_binding;
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
  std::string io_binding_source;       // "option" or "auto: <why>"
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

// Pieces of the CUDA path that are testable without a GPU.
namespace ort_detail {
// True when `append_cuda_v2_error` (what the core's AppendExecutionProvider_CUDA_V2 threw; empty
// when it accepted) says the core was built without ORT's CUDA provider interface (neither
// USE_CUDA nor USE_CUDA_PROVIDER_INTERFACE).  Such a core's ProviderHostCPU table lacks the
// entries a provider compiled with USE_CUDA calls (seen 2026-11-26: the npm 1.29 core's
// ProviderHostCPUImpl vtable has 4 slots), so the plugin crashes on its first Split kernel.
bool core_lacks_cuda_provider_interface(const std::string& append_cuda_v2_error);

// cudaMemcpy as found with dlsym (may be null).  Copies n bytes (kind 1 = host to device,
// 2 = device to host) or throws sb::Error naming `what`: a null function, or CUDA's error code.
using CudaMemcpyFn = int (*)(void*, const void*, std::size_t, int);
void checked_cuda_memcpy(CudaMemcpyFn fn, void* dst, const void* src, std::size_t n, int kind,
                         const char* what);
}  // namespace ort_detail

}  // namespace sb::engine
