// backends/ort/ort_engine — see ort_engine.h for the contract.
#include "backends/ort/ort_engine.h"

#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnxruntime_cxx_api.h>
#include <onnxruntime_run_options_config_keys.h>
#include <onnxruntime_session_options_config_keys.h>

#include "util/error.h"

#ifdef SB_HAVE_ONNX_EXPORT
#include "export/onnx_export.h"
#endif

namespace sb::engine {
namespace fs = std::filesystem;

namespace {

// SB_ORT_LOG_LEVEL=verbose|info|warning|error|fatal raises ORT's own logging (to stderr), e.g.
// to see which nodes the CUDA EP did not take; default error, so runs stay quiet.
OrtLoggingLevel ort_log_level() {
  const char* v = std::getenv("SB_ORT_LOG_LEVEL");
  const std::string_view s = v != nullptr ? v : "";
  if (s == "verbose") return ORT_LOGGING_LEVEL_VERBOSE;
  if (s == "info") return ORT_LOGGING_LEVEL_INFO;
  if (s == "warning") return ORT_LOGGING_LEVEL_WARNING;
  if (s == "fatal") return ORT_LOGGING_LEVEL_FATAL;
  return ORT_LOGGING_LEVEL_ERROR;
}

Ort::Env& ort_env() {
  // One environment per process (ORT's rule), deliberately never destroyed: with the CUDA
  // provider loaded, tearing ORT down at exit aborted every process on the H100 (2026-11-26:
  // "corrupted double-linked list" after the work was done, in workers and in `scalebench run`;
  // a known ORT-CUDA teardown problem).  The OS reclaims it at exit.
  static Ort::Env* env = new Ort::Env(ort_log_level(), "scalebench");
  return *env;
}

int parse_device_id(const std::string& device) {
  if (device == "cuda") return 0;
  if (device.rfind("cuda:", 0) == 0) {
    try {
      std::size_t used = 0;
      const int id = std::stoi(device.substr(5), &used);
      if (used == device.size() - 5 && id >= 0) return id;
    } catch (const std::exception&) {
    }
  }
  fail("onnxruntime: device '{}' is not cpu, cuda or cuda:N", device);
}

// Same default as native-cpu: every CPU this process may run on (affinity mask).
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

bool is_cuda(const std::string& device) { return device.rfind("cuda", 0) == 0; }

GraphOptimizationLevel opt_level(const std::string& s) {
  if (s == "disable") return ORT_DISABLE_ALL;
  if (s == "basic") return ORT_ENABLE_BASIC;
  if (s == "extended") return ORT_ENABLE_EXTENDED;
  if (s == "all") return ORT_ENABLE_ALL;
  fail("onnxruntime: graph_optimization '{}' is not one of disable, basic, extended, all", s);
}

// Folder holding the loaded libonnxruntime.so (where ORT looks for provider libraries).
fs::path ort_library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OrtGetApiBase), &info) != 0 && info.dli_fname != nullptr) {
    return fs::path(info.dli_fname).parent_path();
  }
  return {};
}

// cudaMemcpy from the CUDA runtime the CUDA EP already loaded (only the CUDA-graph path needs
// host<->device copies outside ORT: captured graphs replay fixed device addresses).  RTLD_NOLOAD:
// only a libcudart already in the process (the provider's NEEDED one) is used, never a second
// copy; the handle from dlopen is released again (the library stays loaded by its owner).
using ort_detail::CudaMemcpyFn;
CudaMemcpyFn find_cuda_memcpy(std::string* why) {
  std::string tried;
  for (const char* lib : {"libcudart.so.13", "libcudart.so.12", "libcudart.so"}) {
    void* h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) {
      tried += fmt::format("{}{} not loaded", tried.empty() ? "" : ", ", lib);
      continue;
    }
    auto* f = reinterpret_cast<CudaMemcpyFn>(dlsym(h, "cudaMemcpy"));
    dlclose(h);
    if (f != nullptr) return f;
    tried += fmt::format("{}{} has no cudaMemcpy", tried.empty() ? "" : ", ", lib);
  }
  *why = "the CUDA runtime (libcudart) with cudaMemcpy is not loaded in this process (" + tried + ")";
  return nullptr;
}
constexpr int kCudaMemcpyHostToDevice = 1, kCudaMemcpyDeviceToHost = 2;

// cudaMalloc / cudaFree / cudaMemset from the same already-loaded libcudart (CUDA graphs: the
// fixed buffers a captured graph replays must not come from ORT's arena, which may hand memory a
// captured graph still uses for its intermediates to a later allocation; see ensure_kv).
// cudaDeviceSynchronize too: a cudaMemcpy from pageable host memory may return before its DMA
// reaches the device (CUDA's API sync rules), and ORT computes on its own non-blocking stream,
// which does not wait for the legacy stream the copy went to.
struct CudaAllocFns {
  int (*malloc)(void**, std::size_t) = nullptr;
  int (*free)(void*) = nullptr;
  int (*memset)(void*, int, std::size_t) = nullptr;
  int (*device_synchronize)() = nullptr;
};
CudaAllocFns find_cuda_alloc(std::string* why) {
  for (const char* lib : {"libcudart.so.13", "libcudart.so.12", "libcudart.so"}) {
    void* h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) continue;
    CudaAllocFns f;
    f.malloc = reinterpret_cast<int (*)(void**, std::size_t)>(dlsym(h, "cudaMalloc"));
    f.free = reinterpret_cast<int (*)(void*)>(dlsym(h, "cudaFree"));
    f.memset = reinterpret_cast<int (*)(void*, int, std::size_t)>(dlsym(h, "cudaMemset"));
    f.device_synchronize = reinterpret_cast<int (*)()>(dlsym(h, "cudaDeviceSynchronize"));
    dlclose(h);
    if (f.malloc != nullptr && f.free != nullptr && f.memset != nullptr && f.device_synchronize != nullptr) return f;
  }
  *why = "the CUDA runtime (libcudart) with cudaMalloc/cudaFree/cudaMemset/cudaDeviceSynchronize is not loaded "
         "in this process";
  return {};
}

// One fixed buffer: host or device memory from an ORT allocator, or (CUDA graphs) cudaMalloc.
class FixedBuffer {
 public:
  FixedBuffer() = default;
  explicit FixedBuffer(std::unique_ptr<Ort::MemoryAllocation> a) : ort_(std::move(a)) {}
  FixedBuffer(void* device, int (*free_fn)(void*)) : dev_(device), free_(free_fn) {}
  FixedBuffer(FixedBuffer&& o) noexcept { *this = std::move(o); }
  FixedBuffer& operator=(FixedBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      ort_ = std::move(o.ort_);
      dev_ = std::exchange(o.dev_, nullptr);
      free_ = std::exchange(o.free_, nullptr);
    }
    return *this;
  }
  FixedBuffer(const FixedBuffer&) = delete;
  FixedBuffer& operator=(const FixedBuffer&) = delete;
  ~FixedBuffer() { reset(); }
  void* get() const { return ort_ ? ort_->get() : dev_; }
  void reset() {
    ort_.reset();
    if (dev_ != nullptr && free_ != nullptr) free_(dev_);  // errors at teardown are ignored
    dev_ = nullptr;
  }

 private:
  std::unique_ptr<Ort::MemoryAllocation> ort_;
  void* dev_ = nullptr;
  int (*free_)(void*) = nullptr;
};

// The plain data pointer of a buffer, refusing a missing or null one.
void* alloc_ptr(const FixedBuffer& a, const char* what) {
  if (a.get() == nullptr) fail("onnxruntime: the {} buffer is not allocated", what);
  return a.get();
}

std::size_t elem_size(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return 4;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return 2;
    default: return 0;
  }
}

const char* type_name(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "fp32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "fp16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    default: return "other";
  }
}

// One session over one graph variant, with its names resolved.
struct GraphSession {
  fs::path file;
  std::unique_ptr<Ort::Session> session;
  std::unique_ptr<Ort::IoBinding> binding;
  bool last_logits = false;
  bool has_position_ids = true;
  bool has_attention_mask = true;
  int static_kv = 0;  // K > 0: static_kv export (past/present [B,H,K,D], no attention_mask)
  ONNXTensorElementDataType kv_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  ONNXTensorElementDataType logits_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  std::vector<std::string> past_names, present_names;  // [2L]: layer-major, key then value
};

}  // namespace

nlohmann::json OrtEngineFacts::to_json() const {
  return {{"onnxruntime_version", ort_version},
          {"device", device},
          {"execution_provider", execution_provider},
          {"execution_provider_library", execution_provider_library},
          {"execution_provider_path", execution_provider_path},
          {"core_library", core_library},
          {"core_cuda_enabled", core_cuda_enabled},
          {"intra_op_threads", intra_op_threads},
          {"inter_op_threads", inter_op_threads},
          {"graph_optimization", graph_optimization},
          {"io_binding", io_binding},
          {"io_binding_source", io_binding_source},
          {"cuda_graphs", cuda_graphs},
          {"static_kv_positions", static_kv_positions},
          {"fixed_decode_bindings", fixed_decode_bindings},
          {"tf32", tf32},
          {"kv_dtype", kv_dtype},
          {"logits_graph", logits_graph},
          {"model_file", model_file.string()},
          {"all_logits_file", all_logits_file.string()},
          {"optimized_op_histogram", optimized_op_histogram},
          {"session_create_ms", session_create_ms}};
}

std::string ort_version() { return Ort::GetVersionString(); }

namespace ort_detail {

bool core_lacks_cuda_provider_interface(const std::string& append_cuda_v2_error) {
  // ORT's stub for a provider its build knows nothing of (CreateNotEnabledStatus).
  return append_cuda_v2_error.find("not enabled in this build") != std::string::npos;
}

CudaVerdict cuda_verdict(const CudaCoreFacts& f) {
  CudaVerdict v;
  const bool cuda_enabled =
      std::find(f.providers.begin(), f.providers.end(), "CUDAExecutionProvider") != f.providers.end();
  if (cuda_enabled) {
    // A core built with CUDA loads both libraries from its own folder (its GetRuntimePath), never
    // from LD_LIBRARY_PATH or SB_ORT_CUDA_PROVIDER: they must sit beside it.
    for (const auto& [exists, file] : {std::pair{f.cuda_provider_exists, f.cuda_provider},
                                       std::pair{f.providers_shared_exists, f.providers_shared}}) {
      if (!exists) {
        v.why = fmt::format(
            "ONNX Runtime {} at {} is a CUDA-enabled build, but {} is missing: the core loads its CUDA "
            "provider and providers_shared from its own folder (scripts/setup.sh --gpu links them into "
            ".deps/onnxruntime-gpu-core; on the GPU machine scripts/gpu-unstage-ort.sh stages all three)",
            f.version, f.core, file);
        return v;
      }
    }
    v.path = CudaPath::kBuiltIn;
    v.why = fmt::format("core {} (ONNX Runtime {}, CUDA-enabled build), CUDA provider {}", f.core,
                        f.version, f.cuda_provider);
    return v;
  }
  const std::string get_core =
      "a CUDA-enabled core is needed: scripts/setup.sh --gpu unpacks onnxruntime-node 1.29.0's "
      "linux-x64 libonnxruntime.so.1 into .deps/onnxruntime-gpu-core (with the CUDA provider beside "
      "it); put that folder first on LD_LIBRARY_PATH (scalebench finds libonnxruntime.so.1 through "
      "the loader, its own folder last)";
  if (!f.plugin_forced) {
    v.why = fmt::format(
        "ONNX Runtime {} at {} is the CPU build (no built-in CUDAExecutionProvider; "
        "AppendExecutionProvider_CUDA_V2 answers: {}); {}. The CUDA provider plugin path (registering "
        "libonnxruntime_providers_cuda.so into a CPU core) is refused: the provider calls entries of "
        "the core's ProviderHostCPU table that a CPU core lacks, which crashed every onnxruntime-cuda "
        "cell with SIGSEGV on an H100 (2026-11-26); SB_ORT_CUDA_PLUGIN_FORCE=1 tries it anyway",
        f.version, f.core, f.append_cuda_v2_error.empty() ? "accepted" : f.append_cuda_v2_error, get_core);
    return v;
  }
  if (!f.plugin_exists) {
    v.why = fmt::format(
        "ONNX Runtime {} at {} is the CPU build (no built-in CUDAExecutionProvider) and the forced CUDA "
        "provider plugin {} does not exist; {}",
        f.version, f.core, f.plugin, get_core);
    return v;
  }
  v.path = CudaPath::kPlugin;
  v.why = fmt::format("core {} (ONNX Runtime {}, CPU build) with the CUDA provider plugin {} "
                      "(forced by SB_ORT_CUDA_PLUGIN_FORCE; known to crash on the first Split kernel)",
                      f.core, f.version, f.plugin);
  return v;
}

std::string cuda_device_count_problem(int rc, int count, int id) {
  if (rc != 0) {
    return fmt::format("the CUDA runtime finds no usable GPU (cudaGetDeviceCount returned cudaError {}{})",
                       rc, rc == 100 ? " = no CUDA-capable device" : rc == 35 ? " = driver older than the runtime"
                                                               : rc == 34 ? " = stub libcuda, no driver" : "");
  }
  if (id >= count) return fmt::format("device cuda:{} does not exist (the CUDA runtime sees {} GPU(s))", id, count);
  return "";
}

void checked_cuda_memcpy(CudaMemcpyFn fn, void* dst, const void* src, std::size_t n, int kind,
                         const char* what) {
  if (fn == nullptr) fail("onnxruntime-cuda: {}: cudaMemcpy was not found (null function pointer)", what);
  if (n == 0) return;
  if (dst == nullptr || src == nullptr) {
    fail("onnxruntime-cuda: {}: null {} pointer for a {}-byte copy", what, dst == nullptr ? "destination" : "source", n);
  }
  if (const int rc = fn(dst, src, n, kind); rc != 0) {
    fail("onnxruntime-cuda: {}: cudaMemcpy of {} bytes failed with cudaError {}", what, n, rc);
  }
}

}  // namespace ort_detail

OrtCoreInfo ort_core_info() {
  OrtCoreInfo c;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OrtGetApiBase), &info) != 0 && info.dli_fname != nullptr) {
    std::error_code ec;
    c.library = fs::weakly_canonical(info.dli_fname, ec);
    if (ec) c.library = info.dli_fname;
  }
  c.version = Ort::GetVersionString();
  c.providers = Ort::GetAvailableProviders();
  c.cuda_enabled = std::find(c.providers.begin(), c.providers.end(), "CUDAExecutionProvider") != c.providers.end();
  // ORT's GetRuntimePath: the folder of the loaded core (dladdr; a symlinked core counts where
  // it is linked, the loader's name for it).
  const fs::path dir = info.dli_fname != nullptr ? fs::path(info.dli_fname).parent_path() : fs::path();
  c.cuda_provider = dir / "libonnxruntime_providers_cuda.so";
  c.providers_shared = dir / "libonnxruntime_providers_shared.so";
  return c;
}

std::string OrtCoreInfo::describe() const {
  return fmt::format("ONNX Runtime {} core {} ({}; providers: {})", version, library.string(),
                     cuda_enabled ? "CUDA-enabled build" : "CPU build", fmt::join(providers, ", "));
}

nlohmann::json OrtCoreInfo::to_json() const {
  return {{"library", library.string()}, {"version", version}, {"cuda_enabled", cuda_enabled},
          {"providers", providers}, {"cuda_provider", cuda_provider.string()},
          {"providers_shared", providers_shared.string()}};
}

namespace {

// How this process reaches the CUDA execution provider (ort_detail::cuda_verdict decides):
//  - builtin: a CUDA-enabled core (onnxruntime-node 1.29.0's linux-x64 library) lists
//    CUDAExecutionProvider and takes it through AppendExecutionProvider_CUDA_V2, which loads
//    libonnxruntime_providers_cuda.so (and providers_shared) from the core's folder; the provider
//    needs the CUDA 13 libraries (cudart, cuBLAS/cuBLASLt, cuRAND; cuDNN 9 on first use) on the
//    loader path.
//  - plugin (refused unless SB_ORT_CUDA_PLUGIN_FORCE=1): the npm CPU core registers the
//    provider with Env::RegisterExecutionProviderLibrary and a session appends it with
//    AppendExecutionProvider_V2 on the OrtEpDevice of the wanted GPU.  It crashed every cell on
//    an H100 (the CPU core's ProviderHostCPU table is the short one).
// Resolved once per process (registration is per Env, and the Env is per process).
struct CudaProvider {
  bool ok = false;
  bool builtin = false;
  fs::path library;  // the provider library (beside the core, or the plugin)
  std::string why;   // !ok: the reason; ok: what serves
};

constexpr const char* kCudaEpName = "CUDAExecutionProvider";

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != 0 && std::string_view(v) != "0";
}

// What the core's classic AppendExecutionProvider_CUDA_V2 says ("" = accepted).  Only asked of
// a core without a built-in CUDA EP (a CUDA-enabled core would load the provider here).
std::string probe_append_cuda_v2() {
  try {
    Ort::SessionOptions so;
    Ort::CUDAProviderOptions cuda;
    so.AppendExecutionProvider_CUDA_V2(*cuda);
    return "";
  } catch (const Ort::Exception& e) {
    return e.what();
  }
}
constexpr const char* kCudaRegistrationName = "scalebench-cuda";

fs::path cuda_plugin_library() {
  if (const char* p = std::getenv("SB_ORT_CUDA_PROVIDER"); p != nullptr && *p != 0) return p;
  const fs::path dir = ort_library_dir();
  return dir.empty() ? fs::path("libonnxruntime_providers_cuda.so") : dir / "libonnxruntime_providers_cuda.so";
}

const CudaProvider& cuda_provider() {
  static const CudaProvider state = [] {
    CudaProvider c;
    try {
      ort_env();  // ORT's default logger must exist before a provider library is loaded
      const OrtCoreInfo core = ort_core_info();
      ort_detail::CudaCoreFacts f;
      f.version = core.version;
      f.core = core.library.string();
      f.providers = core.providers;
      f.cuda_provider = core.cuda_provider.string();
      f.providers_shared = core.providers_shared.string();
      f.cuda_provider_exists = fs::exists(core.cuda_provider);
      f.providers_shared_exists = fs::exists(core.providers_shared);
      f.plugin = cuda_plugin_library().string();
      f.plugin_exists = fs::exists(f.plugin);
      f.plugin_forced = env_flag("SB_ORT_CUDA_PLUGIN_FORCE");
      if (!core.cuda_enabled) f.append_cuda_v2_error = probe_append_cuda_v2();
      const ort_detail::CudaVerdict v = ort_detail::cuda_verdict(f);
      c.why = v.why;
      if (v.path == ort_detail::CudaPath::kNone) return c;
      if (v.path == ort_detail::CudaPath::kBuiltIn) {
        c.ok = c.builtin = true;
        c.library = core.cuda_provider;
        return c;
      }
      c.library = f.plugin;
      ort_env().RegisterExecutionProviderLibrary(kCudaRegistrationName, c.library.native());
      c.ok = true;
    } catch (const Ort::Exception& e) {
      c.ok = false;
      c.why = fmt::format("ONNX Runtime {} cannot load the CUDA provider plugin {}: {}",
                          Ort::GetVersionString(), c.library.string(), e.what());
    }
    return c;
  }();
  return state;
}

// The plugin's OrtEpDevices, one per NVIDIA GPU ORT's device discovery found, in its order.
std::vector<Ort::ConstEpDevice> cuda_ep_devices() {
  std::vector<Ort::ConstEpDevice> r;
  for (const auto& d : ort_env().GetEpDevices()) {
    if (std::string_view(d.EpName()) == kCudaEpName) r.push_back(d);
  }
  return r;
}

std::string describe_ep_devices() {
  std::string s;
  for (const auto& d : ort_env().GetEpDevices()) {
    s += fmt::format("{}{} (vendor 0x{:04x}, type {})", s.empty() ? "" : ", ", d.EpName(),
                     d.Device().VendorId(), static_cast<int>(d.Device().Type()));
  }
  return s.empty() ? "none" : s;
}

// Appends the CUDA EP for device `id` with `options` (provider option keys of the CUDA EP).
void append_cuda(Ort::SessionOptions& so, int id, const std::unordered_map<std::string, std::string>& options) {
  const CudaProvider& c = cuda_provider();
  if (!c.ok) fail("onnxruntime-cuda: unsupported: {}", c.why);
  if (c.builtin) {
    Ort::CUDAProviderOptions cuda;
    cuda.Update(options);
    so.AppendExecutionProvider_CUDA_V2(*cuda);
    return;
  }
  const auto devices = cuda_ep_devices();
  if (id < 0 || static_cast<std::size_t>(id) >= devices.size()) {
    fail("onnxruntime-cuda: device cuda:{} not offered by the CUDA provider plugin {}: it offers {} "
         "GPU(s) (ONNX Runtime's devices: {})",
         id, c.library.string(), devices.size(), describe_ep_devices());
  }
  // The plugin is bound to its OrtEpDevice; device_id would be redundant (and must not differ).
  auto kv = options;
  kv.erase("device_id");
  so.AppendExecutionProvider_V2(ort_env(), {devices[static_cast<std::size_t>(id)]}, kv);
}

// The device memory the plugin's allocator hands out for cuda:id (nullptr for the builtin EP,
// whose memory is named "Cuda").  Owned by the Env: valid for the process.
const OrtMemoryInfo* plugin_device_memory(int id) {
  const CudaProvider& c = cuda_provider();
  if (!c.ok || c.builtin) return nullptr;
  const auto devices = cuda_ep_devices();
  if (id < 0 || static_cast<std::size_t>(id) >= devices.size()) return nullptr;
  const OrtMemoryInfo* m = devices[static_cast<std::size_t>(id)].GetMemoryInfo(OrtDeviceMemoryType_DEFAULT);
  return m;
}

// After the built-in provider was appended (it loaded libcudart as its NEEDED library): does
// the CUDA runtime see GPU `id`?  "" = yes, or the runtime could not be asked (then session
// creation gives ORT's own error).  The per-process answer is cached by the caller.
std::string builtin_gpu_problem(int id) {
  using CountFn = int (*)(int*);
  for (const char* lib : {"libcudart.so.13", "libcudart.so.12"}) {
    void* h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) continue;
    auto* f = reinterpret_cast<CountFn>(dlsym(h, "cudaGetDeviceCount"));
    dlclose(h);
    if (f == nullptr) continue;
    int count = 0;
    const int rc = f(&count);
    return ort_detail::cuda_device_count_problem(rc, count, id);
  }
  return "";
}

}  // namespace

bool ort_available(const std::string& device, std::string* reason) {
  auto say = [&](std::string s) {
    if (reason) *reason = std::move(s);
    return false;
  };
  try {
    ort_env();  // before any provider is loaded (ORT's default logger)
    const auto providers = Ort::GetAvailableProviders();
    if (device == "cpu") {
      if (std::find(providers.begin(), providers.end(), "CPUExecutionProvider") == providers.end()) {
        return say("CPUExecutionProvider missing from this ONNX Runtime build");
      }
      if (reason) *reason = ort_core_info().describe();
      return true;
    }
    if (!is_cuda(device)) return say("onnxruntime: unknown device '" + device + "' (cpu, cuda, cuda:N)");
    const int id = parse_device_id(device);
    const CudaProvider& c = cuda_provider();
    if (!c.ok) return say(c.why);
    // Appending the provider loads (builtin) or binds (plugin) it with its CUDA dependencies.
    Ort::SessionOptions so;
    append_cuda(so, id, {{"device_id", std::to_string(id)}});
    if (c.builtin) {
      if (const std::string p = builtin_gpu_problem(id); !p.empty()) {
        return say(fmt::format("{}: {}", c.why, p));
      }
    }
    if (reason) *reason = c.why;
    return true;
  } catch (const Ort::Exception& e) {
    const CudaProvider& c = cuda_provider();
    return say(fmt::format("{}: the CUDA execution provider cannot be loaded: {}", c.why, e.what()));
  } catch (const sb::Error& e) {
    return say(e.what());
  }
}

namespace {

class OrtEngine final : public Engine {
 public:
  OrtEngine(const fs::path& onnx_file, const model::GptConfig& cfg, const OrtEngineOptions& o)
      : cfg_(cfg), opt_(o), cpu_mem_(Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault)) {
    if (cfg.n_layer <= 0 || cfg.n_head <= 0 || cfg.n_embd <= 0 || cfg.n_embd % cfg.n_head != 0 ||
        cfg.vocab_size <= 0 || cfg.n_positions <= 0) {
      fail("onnxruntime: invalid config for {} (n_layer {}, n_head {}, n_embd {})",
           onnx_file.string(), cfg.n_layer, cfg.n_head, cfg.n_embd);
    }
    if (!fs::exists(onnx_file)) fail("onnxruntime: model file {} does not exist", onnx_file.string());
    cuda_ = is_cuda(o.device);
    device_id_ = cuda_ ? parse_device_id(o.device) : -1;
    if (!cuda_ && o.device != "cpu") parse_device_id(o.device);  // throws with the message
    std::string why;
    if (!ort_available(o.device, &why)) fail("onnxruntime-{}: unsupported: {}", cuda_ ? "cuda" : "cpu", why);
    if (o.cuda_graphs && !cuda_) fail("onnxruntime: cuda_graphs needs the cuda device, not {}", o.device);
    threads_ = o.threads > 0 ? o.threads : usable_cpus();
    opt_level(o.graph_optimization);  // validates the name early

    facts_.ort_version = Ort::GetVersionString();
    facts_.device = cuda_ ? "cuda:" + std::to_string(device_id_) : "cpu";
    facts_.execution_provider = cuda_ ? "CUDAExecutionProvider" : "CPUExecutionProvider";
    {
      const OrtCoreInfo core = ort_core_info();
      facts_.core_library = core.library.string();
      facts_.core_cuda_enabled = core.cuda_enabled;
    }
    if (cuda_) {
      facts_.execution_provider_library = cuda_provider().library.string();
      facts_.execution_provider_path = cuda_provider().builtin ? "built-in" : "plugin";
    }
    facts_.intra_op_threads = threads_;
    facts_.inter_op_threads = o.inter_op_threads;
    facts_.graph_optimization = o.graph_optimization;
    facts_.cuda_graphs = o.cuda_graphs;
    facts_.tf32 = cuda_ && o.tf32;
    // IoBinding or plain Run: see the header.  The plugin's device memory is reached only
    // through ORT's own copies unless the study asks for binding.
    if (o.io_binding.has_value()) {
      use_binding_ = *o.io_binding;
      facts_.io_binding_source = "option";
    } else if (cuda_ && !cuda_provider().builtin && !o.cuda_graphs) {  // CUDA graphs need binding
      use_binding_ = false;
      facts_.io_binding_source = "auto: CUDA provider plugin, ORT copies host tensors to and from the device";
    } else {
      use_binding_ = true;
      facts_.io_binding_source = cuda_ ? "auto: built-in CUDA EP, KV cache bound in device memory"
                                       : "auto: CPU, buffers bound in host memory";
    }
    facts_.io_binding = use_binding_;
    if (o.cuda_graphs && !use_binding_) {
      fail("onnxruntime-cuda: cuda_graphs needs io_binding (captured graphs replay fixed device addresses)");
    }
    facts_.model_file = onnx_file;
    facts_.all_logits_file =
        !o.all_logits_file.empty() ? o.all_logits_file : onnx_file.parent_path() / "model.onnx";

    const auto t0 = std::chrono::steady_clock::now();
    main_ = open(onnx_file, o.record_op_histogram, o.cuda_graphs);
    facts_.session_create_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    facts_.kv_dtype = type_name(main_.kv_type);
    facts_.logits_graph = main_.last_logits ? "last" : "all";
    facts_.static_kv_positions = main_.static_kv;
    if (o.all_logits_file.empty() && main_.static_kv > 0) {
      // The all-position graph with the same K-slot cache (export/onnx_export.h file names).
      facts_.all_logits_file = onnx_file.parent_path() / fmt::format("model_static_kv{}.onnx", main_.static_kv);
    }
    if (o.cuda_graphs && main_.static_kv == 0) {
      // Measured (H100, ORT 1.29.0 CUDA 13 provider, 2026-11-26, docs/onnx.md "Status"): with the
      // dynamic-past export every decode cell with CUDA graphs failed in replay (CUDA 716/700 in
      // cuda_graph.cc): its KV cache grows one position per step, so every step is a new capture.
      fail("onnxruntime-cuda: cuda_graphs needs a static_kv graph (fixed-size KV cache: "
           "scalebench export onnx --static-kv K); {} has a dynamic past, and with it every CUDA-graph "
           "decode step failed on an H100 (CUDA error 716/700 in graph replay, 2026-11-26)",
           onnx_file.string());
    }
    graphs_ = cuda_ && o.cuda_graphs;
    fixed_ = main_.static_kv > 0 && use_binding_ && (!cuda_ || graphs_);
    facts_.fixed_decode_bindings = fixed_;
    if (main_.last_logits && facts_.all_logits_file == onnx_file) facts_.all_logits_file.clear();
    if (!main_.last_logits) facts_.all_logits_file = onnx_file;
    if (cuda_ && use_binding_) {
      // Device memory for the bound KV cache: the plugin's OrtEpDevice names its own memory
      // ("CUDA"); the built-in EP's is "Cuda".
      cuda_mem_ = plugin_device_memory(device_id_);
      if (cuda_mem_ == nullptr) {
        try {
          owned_cuda_mem_ = std::make_unique<Ort::MemoryInfo>("Cuda", OrtDeviceAllocator, device_id_, OrtMemTypeDefault);
        } catch (const Ort::Exception& e) {
          fail("onnxruntime-cuda: cannot describe device memory of cuda:{}: {}", device_id_, e.what());
        }
        cuda_mem_ = *owned_cuda_mem_;
      }
      if (cuda_mem_ == nullptr) fail("onnxruntime-cuda: no device memory info for cuda:{}", device_id_);
      try {
        cuda_alloc_ = std::make_unique<Ort::Allocator>(*main_.session, cuda_mem_);
      } catch (const Ort::Exception& e) {
        fail("onnxruntime-cuda: the session for {} has no device allocator for cuda:{} (io_binding = "
             "false avoids device buffers): {}",
             onnx_file.string(), device_id_, e.what());
      }
      if (o.cuda_graphs || main_.static_kv > 0) {
        // CUDA graphs: fixed device buffers filled by cudaMemcpy; static_kv: the KV buffers are
        // zero-filled once (masked slots are multiplied by 0, so they must hold finite values).
        cuda_memcpy_ = find_cuda_memcpy(&why);
        if (cuda_memcpy_ == nullptr) fail("onnxruntime-cuda: {} unsupported: {}", o.cuda_graphs ? "cuda_graphs" : "static_kv", why);
        cuda_fns_ = find_cuda_alloc(&why);
        if (cuda_fns_.malloc == nullptr) fail("onnxruntime-cuda: {} unsupported: {}", o.cuda_graphs ? "cuda_graphs" : "static_kv", why);
      }
    }
  }

  const model::GptConfig& config() const override { return cfg_; }

  std::string describe() const override {
    return fmt::format("onnxruntime {} {}{} (core {}) kv {}, intra-op threads {}, graph optimization {}, "
                       "{}, {}logits graph {} ({})",
                       facts_.ort_version, facts_.execution_provider,
                       facts_.execution_provider_library.empty()
                           ? ""
                           : " (" + facts_.execution_provider_path + " " + facts_.execution_provider_library + ")",
                       facts_.core_library,
                       facts_.kv_dtype, threads_, opt_.graph_optimization,
                       use_binding_ ? "IoBinding" : "Session::Run with host tensors (no IoBinding)",
                       (opt_.cuda_graphs ? std::string("CUDA graphs, ") : std::string()) +
                           (main_.static_kv > 0 ? fmt::format("static KV {} slots, ", main_.static_kv) : std::string()),
                       facts_.model_file.filename().string(),
                       main_.last_logits ? "last position" : "all positions");
  }

  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override {
    if (batch <= 0 || seq <= 0) fail("onnxruntime: prefill needs batch > 0 and seq > 0, got {}x{}", batch, seq);
    if (tokens.size() != static_cast<std::size_t>(batch) * seq) {
      fail("onnxruntime: prefill got {} tokens for batch {} x seq {}", tokens.size(), batch, seq);
    }
    past_len_ = 0;
    ensure_kv(batch);
    GraphSession* g = &main_;
    if (logits == LogitsMode::kAll && main_.last_logits && seq > 1) {
      if (!all_.session) {
        if (facts_.all_logits_file.empty() || !fs::exists(facts_.all_logits_file)) {
          fail("onnxruntime: all-position logits need the all-position graph, but {} has "
               "last-position logits and {} does not exist (export with --logits both)",
               facts_.model_file.string(),
               facts_.all_logits_file.empty() ? std::string("model.onnx") : facts_.all_logits_file.string());
        }
        all_ = open(facts_.all_logits_file, false, false);
        if (all_.kv_type != main_.kv_type) {
          fail("onnxruntime: {} keeps its KV cache in {}, {} in {}", facts_.all_logits_file.string(),
               type_name(all_.kv_type), facts_.model_file.string(), type_name(main_.kv_type));
        }
        if (all_.static_kv != main_.static_kv) {
          fail("onnxruntime: {} has a {} KV cache, {} a {} one: decode continues on the cache the "
               "kAll prefill wrote, so both graphs need the same layout (export both variants with the "
               "same static_kv_positions)", facts_.all_logits_file.string(),
               all_.static_kv > 0 ? fmt::format("{}-slot static", all_.static_kv) : std::string("dynamic"),
               facts_.model_file.string(),
               main_.static_kv > 0 ? fmt::format("{}-slot static", main_.static_kv) : std::string("dynamic"));
        }
      }
      g = &all_;
    }
    run(*g, batch, seq, tokens, logits, out, false);
  }

  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override {
    if (past_len_ == 0) fail("onnxruntime: decode before prefill");
    if (tokens.size() != static_cast<std::size_t>(batch_)) {
      fail("onnxruntime: decode got {} tokens, the prefill batch was {}", tokens.size(), batch_);
    }
    run(main_, batch_, 1, tokens, logits, out, true);
  }

  void reset() override { past_len_ = 0; }
  void synchronize() override {}  // Run() returns with the logits on the host.
  int past_length() const override { return past_len_; }
  const OrtEngineFacts& facts() const { return facts_; }

 private:
  GraphSession open(const fs::path& file, bool record_histogram, bool cuda_graphs) {
    GraphSession g;
    g.file = file;
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(threads_);
    so.SetInterOpNumThreads(std::max(1, opt_.inter_op_threads));
    so.SetExecutionMode(ORT_SEQUENTIAL);
    so.SetGraphOptimizationLevel(opt_level(opt_.graph_optimization));
    fs::path opt_dir;
    if (record_histogram) {
      // ORT writes the optimized graph at session creation; initializers go to a side file so
      // the graph itself stays small to parse.  Only the op types are kept.
      opt_dir = fs::temp_directory_path() / fmt::format("sb-ort-opt-{}-{}", ::getpid(), ++open_count_);
      fs::create_directories(opt_dir);
      so.SetOptimizedModelFilePath((opt_dir / "optimized.onnx").c_str());
      so.AddConfigEntry(kOrtSessionOptionsOptimizedModelExternalInitializersFileName, "optimized.onnx.data");
      so.AddConfigEntry(kOrtSessionOptionsOptimizedModelExternalInitializersMinSizeInBytes, "1024");
    }
    if (cuda_) {
      const std::unordered_map<std::string, std::string> kv = {
          {"device_id", std::to_string(device_id_)},
          {"arena_extend_strategy", "kSameAsRequested"},
          {"cudnn_conv_algo_search", "HEURISTIC"},
          {"do_copy_in_default_stream", "1"},
          // fp32 means strict fp32 (DESIGN.md): the CUDA EP's default use_tf32 = 1 rounds
          // MatMul/Gemm inputs to TF32 (10-bit mantissa); on the H100 trial (2026-11-26) that
          // put fp32 at KL 8.2e-7 from the oracle, over the 1e-7 fp32 gate.
          {"use_tf32", opt_.tf32 ? "1" : "0"},
          {"enable_cuda_graph", cuda_graphs ? "1" : "0"}};
      try {
        append_cuda(so, device_id_, kv);
      } catch (const Ort::Exception& e) {
        fail("onnxruntime-cuda: cannot append the CUDA execution provider for {}: {}", file.string(), e.what());
      }
    }
    try {
      g.session = std::make_unique<Ort::Session>(ort_env(), file.c_str(), so);
    } catch (const Ort::Exception& e) {
      std::error_code ec;
      if (!opt_dir.empty()) fs::remove_all(opt_dir, ec);
      fail("onnxruntime: cannot create a session for {}: {}", file.string(), e.what());
    }
    if (record_histogram) {
#ifdef SB_HAVE_ONNX_EXPORT
      try {
        facts_.optimized_op_histogram = exporter::onnx_op_histogram(opt_dir / "optimized.onnx");
      } catch (const sb::Error&) {
        facts_.optimized_op_histogram.clear();  // the histogram is informative, never fatal
      }
#endif
      std::error_code ec;
      fs::remove_all(opt_dir, ec);
    }
    inspect(g);
    if (use_binding_) {
      try {
        g.binding = std::make_unique<Ort::IoBinding>(*g.session);
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: cannot create an IoBinding for {} (io_binding = false runs without it): {}", file.string(), e.what());
      }
    }
    return g;
  }

  // Resolves names and checks the graph against the config (optimum layout).
  void inspect(GraphSession& g) {
    auto& s = *g.session;
    Ort::AllocatorWithDefaultOptions a;
    std::map<std::string, std::pair<ONNXTensorElementDataType, std::vector<std::int64_t>>> in, out;
    for (std::size_t i = 0; i < s.GetInputCount(); ++i) {
      const Ort::TypeInfo ti = s.GetInputTypeInfo(i);  // owns what the view below reads
      auto info = ti.GetTensorTypeAndShapeInfo();
      in[s.GetInputNameAllocated(i, a).get()] = {info.GetElementType(), info.GetShape()};
    }
    for (std::size_t i = 0; i < s.GetOutputCount(); ++i) {
      const Ort::TypeInfo ti = s.GetOutputTypeInfo(i);
      auto info = ti.GetTensorTypeAndShapeInfo();
      out[s.GetOutputNameAllocated(i, a).get()] = {info.GetElementType(), info.GetShape()};
    }
    const std::string f = g.file.string();
    auto need = [&](auto& m, const std::string& n, const char* kind) -> auto& {
      auto it = m.find(n);
      if (it == m.end()) {
        fail("onnxruntime: {} has no {} '{}' (expected Hugging Face optimum's GPT-2 decoder-with-past names)",
             f, kind, n);
      }
      return it->second;
    };
    g.has_attention_mask = in.count("attention_mask") > 0;
    g.has_position_ids = in.count("position_ids") > 0;
    for (const char* n : {"input_ids", "attention_mask", "position_ids"}) {
      if (std::string_view(n) != "input_ids" && in.count(n) == 0) continue;
      if (need(in, n, "input").first != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
        fail("onnxruntime: {} input '{}' is {}, expected int64", f, n, type_name(in[n].first));
      }
    }
    // No attention_mask: scalebench's static_kv export, whose past is a fixed K-slot cache and
    // whose mask comes from position_ids (export/onnx_export.h).
    if (!g.has_attention_mask) {
      const auto& p0 = need(in, "past_key_values.0.key", "input");
      if (!g.has_position_ids || p0.second.size() != 4 || p0.second[2] <= 0) {
        fail("onnxruntime: {} has no input 'attention_mask', which only a static_kv graph may omit, "
             "and it is not one (that needs position_ids and past_key_values.0.key [batch, H, K, D] with "
             "a fixed K)", f);
      }
      g.static_kv = static_cast<int>(p0.second[2]);
      if (g.static_kv > cfg_.n_positions) {
        fail("onnxruntime: {} has a static KV cache of {} slots, more than n_positions {}", f, g.static_kv,
             cfg_.n_positions);
      }
    }
    const auto& lg = need(out, "logits", "output");
    g.logits_type = lg.first;
    if (lg.second.size() != 3) fail("onnxruntime: {} output 'logits' has rank {}, expected 3", f, lg.second.size());
    g.last_logits = lg.second[1] == 1;
    if (elem_size(g.logits_type) == 0) fail("onnxruntime: {} logits are {}, expected fp32 or fp16", f, type_name(g.logits_type));
    std::size_t expected_inputs = 1 + (g.has_attention_mask ? 1 : 0) + (g.has_position_ids ? 1 : 0);
    for (int l = 0; l < cfg_.n_layer; ++l) {
      for (const char* kv : {"key", "value"}) {
        const std::string pn = fmt::format("past_key_values.{}.{}", l, kv);
        const std::string on = fmt::format("present.{}.{}", l, kv);
        const auto& pi = need(in, pn, "input");
        need(out, on, "output");
        if (pi.second.size() != 4 || (pi.second[1] >= 0 && pi.second[1] != cfg_.n_head) ||
            (pi.second[3] >= 0 && pi.second[3] != cfg_.head_dim()) ||
            (g.static_kv > 0 && pi.second[2] != g.static_kv)) {
          fail("onnxruntime: {} input '{}' must be [batch, {}, {}, {}] (n_head, {}, head_dim)", f, pn,
               cfg_.n_head, g.static_kv > 0 ? std::to_string(g.static_kv) : std::string("past"), cfg_.head_dim(),
               g.static_kv > 0 ? "static_kv slots like past_key_values.0.key" : "past length");
        }
        if (l == 0 && kv[0] == 'k') g.kv_type = pi.first;
        if (pi.first != g.kv_type || elem_size(pi.first) == 0) {
          fail("onnxruntime: {} input '{}' is {}, expected {} like past_key_values.0.key", f, pn,
               type_name(pi.first), type_name(g.kv_type));
        }
        g.past_names.push_back(pn);
        g.present_names.push_back(on);
        ++expected_inputs;
      }
    }
    if (in.size() != expected_inputs) {
      std::string extra;
      for (auto& [n, _] : in) {
        if (n != "input_ids" && n != "attention_mask" && n != "position_ids" &&
            n.rfind("past_key_values.", 0) != 0) {
          extra += (extra.empty() ? "" : ", ") + n;
        }
      }
      fail("onnxruntime: {} has {} inputs, expected {} for n_layer {} (unexpected: {})", f,
           in.size(), expected_inputs, cfg_.n_layer, extra.empty() ? "extra past_key_values" : extra);
    }
  }

  std::size_t kv_elems_per_tensor() const {
    return static_cast<std::size_t>(batch_) * cfg_.n_head * cap_T_ * cfg_.head_dim();
  }

  // Two buffer sets (ping-pong) of 2L tensors each, capacity [batch, H, cap_T, D], plus (fixed
  // decode bindings) buffers for ids/positions/logits and the bindings themselves.  Without
  // CUDA graphs one batch's buffers live at a time.  With CUDA graphs every batch's buffers are
  // kept for the engine's life: a captured graph replays the addresses it was captured with.
  void ensure_kv(int batch) {
    if (batch == batch_ && buf_ != nullptr) return;
    batch_ = batch;
    // A static_kv graph's capacity is its K slots, whatever max_seq says.
    cap_T_ = main_.static_kv > 0 ? main_.static_kv
             : opt_.max_seq > 0  ? std::min(opt_.max_seq, cfg_.n_positions)
                                 : cfg_.n_positions;
    if (!graphs_) {
      buf_ = nullptr;
      step_buffers_.clear();  // release the previous batch's buffers before allocating
    }
    auto [it, fresh] = step_buffers_.try_emplace(batch);
    buf_ = &it->second;
    if (!fresh) return;  // CUDA graphs: this batch's buffers (and graphs) are still valid
    try {
      allocate_step_buffers(batch);
    } catch (...) {
      step_buffers_.erase(batch);  // never leave a half-allocated set to be found later
      buf_ = nullptr;
      batch_ = 0;
      throw;
    }
  }

  void allocate_step_buffers(int batch) {
    const std::size_t bytes = kv_elems_per_tensor() * elem_size(main_.kv_type) * 2 * cfg_.n_layer;
    const bool on_device = cuda_ && use_binding_;
    if (on_device && !graphs_ && cuda_alloc_ == nullptr) fail("onnxruntime-cuda: no device allocator for the KV cache");
    // CUDA graphs: cudaMalloc (outside ORT's arena: memory a captured graph uses for its
    // intermediates returns to the arena after capture, and an arena allocation made later, e.g.
    // for another batch, could be handed the same bytes).  Other device buffers: the session's
    // CUDA allocator (its status is checked by the C++ wrapper).  Host: ORT's default allocator.
    auto buffer = [&](std::size_t n, const char* what) -> FixedBuffer {
      if (graphs_) {
        void* p = nullptr;
        if (const int rc = cuda_fns_.malloc(&p, n); rc != 0 || p == nullptr) {
          fail("onnxruntime-cuda: cudaMalloc of {} ({} bytes) on cuda:{} failed (cudaError {})", what, n, device_id_, rc);
        }
        return FixedBuffer(p, cuda_fns_.free);
      }
      try {
        auto a = on_device ? std::make_unique<Ort::MemoryAllocation>(cuda_alloc_->GetAllocation(n))
                           : std::make_unique<Ort::MemoryAllocation>(Ort::AllocatorWithDefaultOptions{}.GetAllocation(n));
        if (a->get() == nullptr) fail("onnxruntime: the allocator returned null for {} ({} bytes)", what, n);
        return FixedBuffer(std::move(a));
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: cannot allocate {} ({} bytes) on {}: {}", what, n, facts_.device, e.what());
      }
    };
    for (auto& k : buf_->kv) {
      k = buffer(bytes, "the KV cache");
      if (main_.static_kv > 0) {
        // Masked slots still enter MatMul(probs, v) multiplied by 0: they must be finite, and
        // fresh memory may hold NaN bit patterns.  Once per allocation; later sequences leave
        // finite values behind.
        if (on_device) {
          if (const int rc = cuda_fns_.memset(k.get(), 0, bytes); rc != 0) {
            fail("onnxruntime-cuda: cudaMemset of the KV cache ({} bytes) failed (cudaError {})", bytes, rc);
          }
        } else {
          std::memset(k.get(), 0, bytes);
        }
      }
    }
    cur_ = 0;
    if (fixed_) {
      // Fixed addresses for the step inputs and the [B,1,V] logits (host on CPU, device with CUDA
      // graphs): decode bindings are made once per parity and replay these addresses.
      const std::size_t ids_bytes = static_cast<std::size_t>(batch) * cap_T_ * 8;
      buf_->ids = buffer(ids_bytes, "input_ids");
      buf_->pos = buffer(ids_bytes, "position_ids");
      buf_->logits = buffer(static_cast<std::size_t>(batch) * cfg_.vocab_size * elem_size(main_.logits_type), "logits");
    }
  }

  void* kv_ptr(int set, int tensor) {
    return static_cast<char*>(alloc_ptr(buf_ == nullptr ? null_buffer_ : buf_->kv[set], "KV cache")) +
           static_cast<std::size_t>(tensor) * kv_elems_per_tensor() * elem_size(main_.kv_type);
  }

  void run(GraphSession& g, int B, int S, std::span<const std::int32_t> tokens, LogitsMode mode,
           StepResult& out, bool is_decode) {
    const int P = past_len_, T = P + S;
    if (T > cfg_.n_positions) {
      fail("onnxruntime: {} positions exceed n_positions {} (past {} + new {})", T,
           cfg_.n_positions, P, S);
    }
    if (T > cap_T_) {
      if (g.static_kv > 0) {
        fail("onnxruntime: {} positions exceed the {} slots of the static_kv graph {} (past {} + new {}; "
             "export with a larger static_kv_positions)", T, cap_T_, g.file.filename().string(), P, S);
      }
      fail("onnxruntime: {} positions exceed the engine's max_seq {} (past {} + new {})", T, cap_T_, P, S);
    }
    const std::size_t BS = static_cast<std::size_t>(B) * S, BT = static_cast<std::size_t>(B) * T;
    ids_.resize(BS);
    pos_.resize(BS);
    if (g.has_attention_mask) mask_.assign(BT, 1);
    for (std::size_t i = 0; i < BS; ++i) {
      if (tokens[i] < 0 || tokens[i] >= cfg_.vocab_size) {
        fail("onnxruntime: token id {} at index {} is outside the vocabulary [0, {})", tokens[i], i, cfg_.vocab_size);
      }
      ids_[i] = tokens[i];
      pos_[i] = P + static_cast<std::int64_t>(i % S);
    }
    const int S_out = g.last_logits ? 1 : S;
    const std::size_t V = cfg_.vocab_size;
    const std::size_t logits_elems = static_cast<std::size_t>(B) * S_out * V;
    logits_buf_.resize(logits_elems * elem_size(g.logits_type) / 4 + 1);

    // static_kv: past and present are the whole K-slot cache; dynamic: P and P + S positions.
    const std::int64_t KP = g.static_kv > 0 ? g.static_kv : P, KT = g.static_kv > 0 ? g.static_kv : T;
    const std::int64_t ids_shape[2] = {B, S}, mask_shape[2] = {B, T};
    const std::int64_t H = cfg_.n_head, D = cfg_.head_dim();
    const std::int64_t past_shape[4] = {B, H, KP, D}, present_shape[4] = {B, H, KT, D};
    const std::int64_t logits_shape[3] = {B, S_out, static_cast<std::int64_t>(V)};
    const bool bind = use_binding_;
    const OrtMemoryInfo* kv_mem = (cuda_ && bind) ? cuda_mem_ : static_cast<const OrtMemoryInfo*>(cpu_mem_);
    if (kv_mem == nullptr) fail("onnxruntime-cuda: no device memory info for the bound KV cache");
    const std::size_t kv_es = elem_size(g.kv_type);
    const bool main = &g == &main_;
    // Decode steps of a static_kv graph: bound once per (batch, parity), inputs updated in place
    // (and, with CUDA graphs, replayed).  Prefill, and the kAll session, bind per step.
    const bool fixed_step = fixed_ && main && is_decode;
    // CUDA graphs, main session, a prefill: inputs still go through the fixed device buffers
    // (nothing of a graph session reads host memory), but the run is not captured.
    const bool graph_session = graphs_ && main;
    const std::string where = fmt::format("{} (batch {}, seq {}, past {})", g.file.filename().string(), B, S, P);
    // Every tensor is made through the C++ wrapper, which turns a failed OrtStatus into an
    // Ort::Exception; the name says which one.
    auto tensor = [&](const char* name, const OrtMemoryInfo* mem, void* data, std::size_t bytes,
                      const std::int64_t* shape, std::size_t rank, ONNXTensorElementDataType type) {
      if (data == nullptr && bytes > 0) fail("onnxruntime: null buffer for '{}' on {}", name, where);
      try {
        return Ort::Value::CreateTensor(mem, data, bytes, shape, rank, type);
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: cannot wrap the buffer of '{}' ({} bytes) on {}: {}", name, bytes, where, e.what());
      }
    };
    const std::size_t past_bytes = static_cast<std::size_t>(B) * H * KP * D * kv_es;
    const std::size_t present_bytes = static_cast<std::size_t>(B) * H * KT * D * kv_es;
    const std::size_t logits_bytes = logits_elems * elem_size(g.logits_type);
    constexpr auto kI64 = ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;

    if (fixed_step) {
      // The binding for this parity reads past from set cur_ and writes present into set 1 - cur_;
      // ids/positions/logits sit in this batch's fixed buffers.  Made once, reused every step:
      // a captured CUDA graph replays exactly these addresses (ORT does not even look at the
      // feeds on replay), so only the buffers' contents change.
      auto& slot = buf_->decode_binding[cur_];
      const OrtMemoryInfo* io_mem = graphs_ ? kv_mem : static_cast<const OrtMemoryInfo*>(cpu_mem_);
      if (!slot) {
        try {
          auto b = std::make_unique<Ort::IoBinding>(*g.session);
          b->BindInput("input_ids", tensor("input_ids", io_mem, alloc_ptr(buf_->ids, "input_ids"), BS * 8, ids_shape, 2, kI64));
          b->BindInput("position_ids", tensor("position_ids", io_mem, alloc_ptr(buf_->pos, "position_ids"), BS * 8, ids_shape, 2, kI64));
          for (int t = 0; t < 2 * cfg_.n_layer; ++t) {
            b->BindInput(g.past_names[t].c_str(),
                         tensor(g.past_names[t].c_str(), kv_mem, kv_ptr(cur_, t), past_bytes, past_shape, 4, g.kv_type));
            b->BindOutput(g.present_names[t].c_str(), tensor(g.present_names[t].c_str(), kv_mem, kv_ptr(1 - cur_, t),
                                                             present_bytes, present_shape, 4, g.kv_type));
          }
          b->BindOutput("logits", tensor("logits", io_mem, alloc_ptr(buf_->logits, "logits"), logits_bytes,
                                         logits_shape, 3, g.logits_type));
          slot = std::move(b);
        } catch (const Ort::Exception& e) {
          fail("onnxruntime: IoBinding failed on {}: {}", where, e.what());
        }
      }
      if (graphs_) {
        copy_h2d(buf_->ids.get(), ids_.data(), BS * 8, "input_ids");
        copy_h2d(buf_->pos.get(), pos_.data(), BS * 8, "position_ids");
        h2d_fence();
      } else {
        std::memcpy(buf_->ids.get(), ids_.data(), BS * 8);
        std::memcpy(buf_->pos.get(), pos_.data(), BS * 8);
      }
      Ort::RunOptions ro;
      if (graphs_) {
        // One captured graph per (batch, parity): ORT runs an id normally twice, captures it on
        // the third run and replays it from then on.  Ids start at 1 (0 is ORT's reserved default).
        const auto key = std::make_pair(B, cur_);
        auto [it, inserted] = graph_ids_.try_emplace(key, static_cast<int>(graph_ids_.size()) + 1);
        ro.AddConfigEntry(kOrtRunOptionsConfigCudaGraphAnnotation, std::to_string(it->second).c_str());
      }
      try {
        g.session->Run(ro, *slot);
        slot->SynchronizeOutputs();
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: Run failed on {}{}: {}", where, graphs_ ? " (CUDA graph)" : "", e.what());
      }
      if (graphs_) {
        copy_d2h(logits_buf_.data(), buf_->logits.get(), logits_bytes, "logits");
      } else {
        std::memcpy(logits_buf_.data(), buf_->logits.get(), logits_bytes);
      }
    } else if (!bind) {
      // Plain Run: host tensors in, preallocated host tensors out; ORT does every copy.
      run_in_names_.clear();
      run_in_values_.clear();
      run_out_names_.clear();
      run_out_values_.clear();
      auto in = [&](const char* n, Ort::Value v) {
        run_in_names_.push_back(n);
        run_in_values_.push_back(std::move(v));
      };
      auto out_t = [&](const char* n, Ort::Value v) {
        run_out_names_.push_back(n);
        run_out_values_.push_back(std::move(v));
      };
      in("input_ids", tensor("input_ids", cpu_mem_, ids_.data(), BS * 8, ids_shape, 2, kI64));
      if (g.has_attention_mask) in("attention_mask", tensor("attention_mask", cpu_mem_, mask_.data(), BT * 8, mask_shape, 2, kI64));
      if (g.has_position_ids) in("position_ids", tensor("position_ids", cpu_mem_, pos_.data(), BS * 8, ids_shape, 2, kI64));
      for (int t = 0; t < 2 * cfg_.n_layer; ++t) {
        in(g.past_names[t].c_str(), tensor(g.past_names[t].c_str(), cpu_mem_, kv_ptr(cur_, t), past_bytes, past_shape, 4, g.kv_type));
        out_t(g.present_names[t].c_str(),
              tensor(g.present_names[t].c_str(), cpu_mem_, kv_ptr(1 - cur_, t), present_bytes, present_shape, 4, g.kv_type));
      }
      out_t("logits", tensor("logits", cpu_mem_, logits_buf_.data(), logits_bytes, logits_shape, 3, g.logits_type));
      try {
        g.session->Run(Ort::RunOptions{nullptr}, run_in_names_.data(), run_in_values_.data(), run_in_values_.size(),
                       run_out_names_.data(), run_out_values_.data(), run_out_values_.size());
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: Run (host tensors) failed on {}: {}", where, e.what());
      }
    } else {
      if (!g.binding) fail("onnxruntime: no IoBinding for {}", where);
      auto& b = *g.binding;
      // Logits into the fixed device buffer only where it fits ([B,1,V]); an all-position
      // prefill's logits are bound to host memory (ORT copies them; that run is never captured).
      const bool device_logits = graph_session && S_out == 1;
      try {
        b.ClearBoundInputs();
        b.ClearBoundOutputs();
        if (graph_session) {
          copy_h2d(alloc_ptr(buf_->ids, "device input_ids"), ids_.data(), BS * 8, "input_ids");
          copy_h2d(alloc_ptr(buf_->pos, "device position_ids"), pos_.data(), BS * 8, "position_ids");
          h2d_fence();
          b.BindInput("input_ids", tensor("input_ids", kv_mem, buf_->ids.get(), BS * 8, ids_shape, 2, kI64));
          b.BindInput("position_ids", tensor("position_ids", kv_mem, buf_->pos.get(), BS * 8, ids_shape, 2, kI64));
        } else {
          b.BindInput("input_ids", tensor("input_ids", cpu_mem_, ids_.data(), BS * 8, ids_shape, 2, kI64));
          if (g.has_attention_mask) {
            b.BindInput("attention_mask", tensor("attention_mask", cpu_mem_, mask_.data(), BT * 8, mask_shape, 2, kI64));
          }
          if (g.has_position_ids) {
            b.BindInput("position_ids", tensor("position_ids", cpu_mem_, pos_.data(), BS * 8, ids_shape, 2, kI64));
          }
        }
        for (int t = 0; t < 2 * cfg_.n_layer; ++t) {
          b.BindInput(g.past_names[t].c_str(),
                      tensor(g.past_names[t].c_str(), kv_mem, kv_ptr(cur_, t), past_bytes, past_shape, 4, g.kv_type));
          b.BindOutput(g.present_names[t].c_str(), tensor(g.present_names[t].c_str(), kv_mem, kv_ptr(1 - cur_, t),
                                                          present_bytes, present_shape, 4, g.kv_type));
        }
        void* logits_dst = device_logits ? alloc_ptr(buf_->logits, "device logits") : static_cast<void*>(logits_buf_.data());
        b.BindOutput("logits", tensor("logits", device_logits ? kv_mem : static_cast<const OrtMemoryInfo*>(cpu_mem_),
                                      logits_dst, logits_bytes, logits_shape, 3, g.logits_type));
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: IoBinding failed on {} (io_binding = false runs without it): {}", where, e.what());
      }
      Ort::RunOptions ro;
      // A graph session's prefill (and any step it must not capture) runs with gpu_graph_id -1:
      // capture/replay disabled for that run (onnxruntime_run_options_config_keys.h).
      if (graph_session) ro.AddConfigEntry(kOrtRunOptionsConfigCudaGraphAnnotation, "-1");
      try {
        g.session->Run(ro, b);
        if (graph_session) b.SynchronizeOutputs();
      } catch (const Ort::Exception& e) {
        fail("onnxruntime: Run failed on {}: {}", where, e.what());
      }
      if (device_logits) copy_d2h(logits_buf_.data(), buf_->logits.get(), logits_bytes, "logits");
    }
    cur_ = 1 - cur_;
    past_len_ = T;

    // Greedy choice and the requested logits, always as fp32.
    const float* lf = logits_buf_.data();
    std::vector<float>& conv = half_logits_;
    if (g.logits_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
      conv.resize(logits_elems);
      const auto* h = reinterpret_cast<const Ort::Float16_t*>(logits_buf_.data());
      for (std::size_t i = 0; i < logits_elems; ++i) conv[i] = h[i].ToFloat();
      lf = conv.data();
    }
    out.next_tokens.resize(B);
    for (int bi = 0; bi < B; ++bi) {
      const float* row = lf + (static_cast<std::size_t>(bi) * S_out + (S_out - 1)) * V;
      std::size_t best = 0;
      for (std::size_t v = 1; v < V; ++v) {
        if (row[v] > row[best]) best = v;  // strict: lowest id wins ties
      }
      out.next_tokens[bi] = static_cast<std::int32_t>(best);
    }
    if (mode == LogitsMode::kNone) {
      out.logits.clear();
    } else if (mode == LogitsMode::kAll && S_out == S) {
      out.logits.assign(lf, lf + logits_elems);
    } else {  // kLast, or kAll on a one-token step: [B, V]
      out.logits.resize(static_cast<std::size_t>(B) * V);
      for (int bi = 0; bi < B; ++bi) {
        const float* row = lf + (static_cast<std::size_t>(bi) * S_out + (S_out - 1)) * V;
        std::copy(row, row + V, out.logits.begin() + static_cast<std::ptrdiff_t>(bi * V));
      }
    }
  }

  void copy_h2d(void* dst, const void* src, std::size_t n, const char* what) {
    ort_detail::checked_cuda_memcpy(cuda_memcpy_, dst, src, n, kCudaMemcpyHostToDevice, what);
  }
  // The step's inputs are on the device before ORT's stream reads them (see CudaAllocFns).
  void h2d_fence() {
    if (const int rc = cuda_fns_.device_synchronize(); rc != 0) {
      fail("onnxruntime-cuda: cudaDeviceSynchronize after copying the step inputs failed (cudaError {})", rc);
    }
  }
  void copy_d2h(void* dst, const void* src, std::size_t n, const char* what) {
    ort_detail::checked_cuda_memcpy(cuda_memcpy_, dst, src, n, kCudaMemcpyDeviceToHost, what);
  }

  model::GptConfig cfg_;
  OrtEngineOptions opt_;
  OrtEngineFacts facts_;
  bool cuda_ = false;
  bool use_binding_ = true;  // IoBinding (true) or plain Run with host tensors
  int device_id_ = -1;
  int threads_ = 1;
  int open_count_ = 0;
  Ort::MemoryInfo cpu_mem_;
  std::unique_ptr<Ort::MemoryInfo> owned_cuda_mem_;
  const OrtMemoryInfo* cuda_mem_ = nullptr;  // the device memory KV buffers live in
  GraphSession main_, all_;
  std::unique_ptr<Ort::Allocator> cuda_alloc_;  // after the sessions: released before them
  // Step buffers per batch size (one entry unless CUDA graphs: see ensure_kv); after the
  // allocator, so they are released before it.
  struct StepBuffers {
    FixedBuffer kv[2];
    FixedBuffer ids, pos, logits;  // fixed decode bindings only (static_kv on CPU, CUDA graphs)
    // Decode bindings per parity (past = kv[p], present = kv[1 - p]); before the buffers in
    // destruction order is irrelevant (a binding only refers to them).
    std::unique_ptr<Ort::IoBinding> decode_binding[2];
  };
  std::map<int, StepBuffers> step_buffers_;
  StepBuffers* buf_ = nullptr;
  const FixedBuffer null_buffer_;
  CudaMemcpyFn cuda_memcpy_ = nullptr;
  CudaAllocFns cuda_fns_;
  bool graphs_ = false;  // CUDA graphs on (static_kv graph, CUDA EP, IoBinding)
  bool fixed_ = false;   // decode steps bound once per (batch, parity)
  std::map<std::pair<int, int>, int> graph_ids_;  // (batch, parity) -> gpu_graph_id
  int batch_ = 0, cap_T_ = 0, cur_ = 0, past_len_ = 0;
  std::vector<std::int64_t> ids_, pos_, mask_;
  std::vector<float> logits_buf_, half_logits_;
  // Plain-Run argument lists, reused across steps (their capacity, not their tensors).
  std::vector<const char*> run_in_names_, run_out_names_;
  std::vector<Ort::Value> run_in_values_, run_out_values_;
};

}  // namespace

std::unique_ptr<Engine> make_ort_engine(const fs::path& onnx_file, const model::GptConfig& cfg,
                                        const OrtEngineOptions& o) {
  return std::make_unique<OrtEngine>(onnx_file, cfg, o);
}

const OrtEngineFacts* ort_engine_facts(const Engine& e) {
  const auto* p = dynamic_cast<const OrtEngine*>(&e);
  return p ? &p->facts() : nullptr;
}

}  // namespace sb::engine
