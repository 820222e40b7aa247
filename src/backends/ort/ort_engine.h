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
//    on the first session.  kLast with an all-position graph slices the last position.  Both
//    graphs must have the same KV layout (dynamic, or static_kv with the same K).
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
//  - static_kv graphs (export/onnx_export.h; recognised by the absence of attention_mask and a
//    fixed past length K): the KV buffer sets have exactly K slots, zero-filled once (masked slots
//    still enter MatMul(probs, v) times 0), past and present are bound with the full [B,H,K,D]
//    shape, positions must stay < K.  The kAll graph beside it is model_static_kv<K>.onnx.
//    With IoBinding on the CPU, or with cuda_graphs, decode steps use fixed bindings: one
//    IoBinding per (batch, buffer parity), made once, whose input_ids/position_ids/logits live in
//    fixed per-batch buffers updated in place (memcpy / cudaMemcpy) before each Run.
//  - cuda_graphs (CUDA EP only) needs a static_kv graph (a dynamic-past graph is refused with the
//    H100 evidence) and IoBinding: every decode step runs with gpu_graph_id = one id per (batch,
//    parity), so ORT captures each once and replays it; prefill runs with gpu_graph_id -1
//    (capture disabled) on the same session, its inputs in the same fixed device buffers.  The
//    fixed buffers come from cudaMalloc (dlsym from the loaded libcudart), not ORT's arena, and
//    every batch's buffers are kept for the engine's life (captured graphs replay them).
//  - One ONNX Runtime core per process, found by the dynamic loader: scalebench links
//    libonnxruntime.so.1 by its SONAME with RUNPATH $ORIGIN, so LD_LIBRARY_PATH (searched
//    first) picks the core and the copy beside the binary is the fallback.  ort_core_info()
//    says which file was loaded and whether it is a CUDA-enabled build.  The asus4 npm core
//    (copied beside the binary) is the CPU build; onnxruntime-node 1.29.0's linux-x64 core
//    (scripts/setup.sh --gpu: .deps/onnxruntime-gpu-core) is built with CUDA: it lists
//    CUDAExecutionProvider and loads libonnxruntime_providers_cuda.so and
//    libonnxruntime_providers_shared.so from its own folder.  onnxruntime-cpu runs on whichever
//    core the process loaded (facts().core_library records it).
//  - ort_available(device, reason) is false with the reason when the execution provider cannot
//    be used; when true, *reason (if given) describes the core and provider that will serve.
//    "cuda", in order: (1) a CUDA-enabled core: the provider and providers_shared must be
//    beside it, appending the EP must succeed (it loads the provider and its CUDA libraries)
//    and cudaGetDeviceCount must report the GPU; (2) a CPU core: unsupported, naming the core
//    and how to get a CUDA-enabled one.  (3) The CUDA provider *plugin* path (the CPU core
//    registering libonnxruntime_providers_cuda.so as a plugin EP library, SB_ORT_CUDA_PROVIDER,
//    else beside the core) is refused: the provider, compiled with USE_CUDA, calls slots of the
//    core's ProviderHostCPU table that a CPU core lacks and crashed every cell on an H100
//    (2026-11-26); SB_ORT_CUDA_PLUGIN_FORCE=1 tries it anyway, to reproduce the crash.
//  - SB_ORT_LOG_LEVEL (verbose|info|warning|error) raises ORT's own logging.
//  - Errors are sb::Error naming the file, tensor or option; ORT's own message is included.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "model/config.h"

namespace sb::engine {

struct OrtEngineOptions {
  std::string device = "cpu";          // "cpu", "cuda" or "cuda:N"
  int threads = 0;                     // intra-op threads; 0 = every CPU in the affinity mask (as native-cpu)
  std::string graph_optimization = "all";  // disable | basic | extended | all
  bool cuda_graphs = false;            // CUDA EP only, static_kv graph only: decode steps replay one captured graph per (batch, parity)
  bool tf32 = false;                   // CUDA EP only: let fp32 MatMul/Gemm use TF32 (ORT's default is on; scalebench's fp32 is strict)
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
  std::string execution_provider_library;  // CUDA provider library ("" on CPU)
  std::string execution_provider_path;     // "built-in" (CUDA-enabled core) | "plugin" | "" (CPU)
  std::string core_library;                // the libonnxruntime.so.1 this process loaded
  bool core_cuda_enabled = false;          // that core lists CUDAExecutionProvider
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  std::string graph_optimization;
  bool io_binding = true;
  std::string io_binding_source;       // "option" or "auto: <why>"
  bool cuda_graphs = false;
  int static_kv_positions = 0;         // K of a static_kv graph (0 = dynamic past)
  bool fixed_decode_bindings = false;  // decode steps bound once per (batch, parity), inputs updated in place
  bool tf32 = false;                   // CUDA EP use_tf32 (false: strict fp32)
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

// The ONNX Runtime core library this process loaded, and where its CUDA provider would come from.
struct OrtCoreInfo {
  std::filesystem::path library;           // the loaded libonnxruntime.so.1 (dladdr)
  std::string version;
  bool cuda_enabled = false;               // CUDAExecutionProvider among its built-in providers
  std::vector<std::string> providers;      // GetAvailableProviders()
  std::filesystem::path cuda_provider;     // <core folder>/libonnxruntime_providers_cuda.so
  std::filesystem::path providers_shared;  // <core folder>/libonnxruntime_providers_shared.so
  std::string describe() const;
  nlohmann::json to_json() const;
};
OrtCoreInfo ort_core_info();

// Pieces of the CUDA path that are testable without a GPU.
namespace ort_detail {
// True when `append_cuda_v2_error` (what the core's AppendExecutionProvider_CUDA_V2 threw; empty
// when it accepted) says the core was built without ORT's CUDA provider interface (neither
// USE_CUDA nor USE_CUDA_PROVIDER_INTERFACE).  Such a core's ProviderHostCPU table lacks the
// entries a provider compiled with USE_CUDA calls (seen 2026-11-26: the npm 1.29 core's
// ProviderHostCPUImpl vtable has 4 slots), so the plugin crashes on its first Split kernel.
bool core_lacks_cuda_provider_interface(const std::string& append_cuda_v2_error);

// What the process knows about its core before touching CUDA, and the verdict on how (or why
// not) onnxruntime-cuda can be served.  Pure: tested without a GPU or a second core.
struct CudaCoreFacts {
  std::string version;                    // "1.29.0"
  std::string core;                       // path of the loaded core
  std::vector<std::string> providers;     // the core's GetAvailableProviders()
  std::string cuda_provider, providers_shared;  // paths beside the core
  bool cuda_provider_exists = false, providers_shared_exists = false;
  std::string plugin;                     // the plugin path (SB_ORT_CUDA_PROVIDER, else beside the core)
  bool plugin_exists = false;
  std::string append_cuda_v2_error;       // CPU core only: what AppendExecutionProvider_CUDA_V2 said
  bool plugin_forced = false;             // SB_ORT_CUDA_PLUGIN_FORCE
};
enum class CudaPath { kBuiltIn, kPlugin, kNone };
struct CudaVerdict {
  CudaPath path = CudaPath::kNone;
  std::string why;                        // kNone: the reason; else what serves (core + provider)
};
CudaVerdict cuda_verdict(const CudaCoreFacts& f);

// After the provider is loaded: the verdict on cudaGetDeviceCount's answer for device `id`
// (`rc` = its cudaError, `count` = devices).  Empty = usable.
std::string cuda_device_count_problem(int rc, int count, int id);

// cudaMemcpy as found with dlsym (may be null).  Copies n bytes (kind 1 = host to device,
// 2 = device to host) or throws sb::Error naming `what`: a null function, or CUDA's error code.
using CudaMemcpyFn = int (*)(void*, const void*, std::size_t, int);
void checked_cuda_memcpy(CudaMemcpyFn fn, void* dst, const void* src, std::size_t n, int kind,
                         const char* what);
}  // namespace ort_detail

}  // namespace sb::engine
