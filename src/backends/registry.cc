#include "backends/registry.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "backends/external_backend.h"
#include "backends/native_backends.h"
#include "backends/null_backend.h"
#include "backends/subprocess.h"

namespace sb::backends {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool fault_backend_enabled() {
#if defined(SB_TEST_FAULT_BACKEND)
  return true;
#else
  const char* v = std::getenv("SCALEBENCH_ENABLE_FAULT_BACKEND");
  return v && std::string(v) == "1";
#endif
}

// Finds `name` in PATH (or checks it when it holds a '/').
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string p(path);
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    fs::path cand = fs::path(p.substr(start, end - start)) / name;
    if (::access(cand.c_str(), X_OK) == 0) return cand.string();
    start = end + 1;
  }
  return "";
}

std::string default_transformers_script() {
  if (const char* d = std::getenv("SCALEBENCH_WORKERS_DIR"))
    return (fs::path(d) / "transformers_worker.py").string();
#if defined(SB_SOURCE_ROOT)
  return (fs::path(SB_SOURCE_ROOT) / "workers" / "transformers_worker.py").string();
#else
  return "workers/transformers_worker.py";
#endif
}

// python + torch + transformers importable?  find_spec() does not import (fast).
bool transformers_available(std::string* reason) {
  std::string python = find_program("python3");
  if (python.empty()) {
    if (reason) *reason = "python3 not found in PATH (study option 'python' can name one)";
    return false;
  }
  std::string script = default_transformers_script();
  if (!fs::exists(script)) {
    if (reason) *reason = "worker program " + script + " not found (set SCALEBENCH_WORKERS_DIR)";
    return false;
  }
  try {
    Subprocess::Options o;
    o.argv = {python, "-c",
              "import importlib.util as u, sys\n"
              "missing = [m for m in ('torch', 'transformers') if u.find_spec(m) is None]\n"
              "print(','.join(missing))"};
    o.stderr_path = "/dev/null";
    Subprocess p(o);
    std::string line;
    auto st = p.read_line(line, Subprocess::Clock::now() + std::chrono::seconds(20));
    auto e = p.wait_for(std::chrono::seconds(5));
    if (st != Subprocess::ReadStatus::kLine || !e || !e->exited || e->code != 0) {
      if (reason) *reason = python + " could not check for torch/transformers";
      return false;
    }
    if (!line.empty()) {
      if (reason) *reason = python + " lacks the Python package(s): " + line;
      return false;
    }
  } catch (const std::exception& ex) {
    if (reason) *reason = ex.what();
    return false;
  }
  return true;
}

std::vector<BackendDescriptor> build_registry() {
  std::vector<BackendDescriptor> r;
  r.push_back({"native-cpu", {}, "scalebench's native CPU engine (fp32 reference oracle)",
               {"fp32"}, {"cpu"}, "cpu", {"threads"}, "", false, false,
               native_cpu_available, make_native_cpu});
  r.push_back({"native-cuda", {}, "scalebench's native CUDA engine",
               {"fp32", "fp16", "bf16", "int8", "fp8"}, {"cuda"}, "cuda:0",
               {"cuda_graphs", "tf32", "small_decode", "engine_file", "calib", "calib_samples", "calib_seq", "calibrator"}, "engine", false, false,
               native_cuda_available, make_native_cuda});
  r.push_back({"onnxruntime-cpu", {}, "ONNX Runtime, CPU execution provider", {"fp32"}, {"cpu"},
               "cpu", {"threads", "graph_optimization", "io_binding"}, "onnx", false, false,
               [](std::string* why) { return onnxruntime_available("cpu", why); },
               [] { return make_onnxruntime("onnxruntime-cpu", "cpu"); }});
  r.push_back({"onnxruntime-cuda", {"onnxruntime-gpu"}, "ONNX Runtime, CUDA execution provider",
               {"fp32", "fp16"}, {"cuda"}, "cuda:0",
               {"threads", "graph_optimization", "cuda_graphs", "io_binding", "tf32"}, "onnx", false, false,
               [](std::string* why) { return onnxruntime_available("cuda", why); },
               [] { return make_onnxruntime("onnxruntime-cuda", "cuda"); }});
  for (const char* mode : {"eager", "compile"}) {
    std::string name = std::string("transformers-") + mode;
    std::vector<std::string> keys = {"python", "script", "threads", "load_timeout_s"};
    if (std::string(mode) == "compile") {
      keys.push_back("compile_mode");
      keys.push_back("dynamic");
    }
    r.push_back({name, {}, std::string("Hugging Face transformers (PyTorch ") + mode +
                               "), external Python worker",
                 {"fp32", "fp16", "bf16"}, {"cpu", "cuda"}, "cuda:0", keys, "", true, false,
                 transformers_available, nullptr});
  }
  r.push_back({"external", {}, "any program speaking the worker protocol (option: command)",
               {"fp32", "fp16", "bf16", "int8", "fp8"}, {"cpu", "cuda"}, "cpu",
               {"command", "*"}, "", true, false,
               [](std::string*) { return true; }, nullptr});
  r.push_back({"null", {}, "no model work: measures the harness's own overhead per step",
               {"fp32", "fp16", "bf16", "int8", "fp8"}, {"cpu"}, "cpu", {"step_us"}, "", false,
               false, [](std::string*) { return true; }, make_null_backend});
  if (fault_backend_enabled())
    r.push_back({"fault", {}, "TEST ONLY: injects crashes, hangs, exceptions and OOM",
                 {"fp32", "fp16", "bf16", "int8", "fp8"}, {"cpu"}, "cpu", {"faults", "step_us"},
                 "", false, true, [](std::string*) { return true; }, make_fault_backend});
  // External descriptors get their in-process handle (accuracy use) here, where the
  // descriptor itself is known.
  for (auto& d : r)
    if (d.external) {
      BackendDescriptor copy = d;
      copy.create = nullptr;
      d.create = [copy] { return make_external_backend(copy); };
    }
  return r;
}

}  // namespace

const std::vector<BackendDescriptor>& registry() {
  static const std::vector<BackendDescriptor> r = build_registry();
  return r;
}

const BackendDescriptor* find_backend(std::string_view name) {
  for (const auto& d : registry()) {
    if (d.name == name) return &d;
    for (const auto& a : d.aliases)
      if (a == name) return &d;
  }
  return nullptr;
}

std::string known_backend_names() {
  std::string s;
  for (const auto& d : registry()) {
    if (!s.empty()) s += ", ";
    s += d.name;
    for (const auto& a : d.aliases) s += " (alias " + a + ")";
  }
  return s;
}

const std::vector<std::string>& known_precisions() {
  static const std::vector<std::string> p = {"fp32", "fp16", "bf16", "int8", "fp8"};
  return p;
}

std::string device_kind(std::string_view device) {
  if (device == "cpu") return "cpu";
  if (device.rfind("cuda:", 0) == 0 && device.size() > 5) {
    for (char c : device.substr(5))
      if (c < '0' || c > '9') return "";
    return "cuda";
  }
  return "";
}

std::vector<std::string> worker_command(const BackendDescriptor& d, const json& options,
                                        const std::string& self_executable) {
  if (!d.external) return {self_executable, "worker"};
  if (d.name == "external") {
    auto it = options.find("command");
    if (it == options.end() || !it->is_array() || it->empty())
      fail("backend 'external' needs option command = [\"program\", \"arg\", ...]");
    std::vector<std::string> argv;
    for (const auto& a : *it) {
      if (!a.is_string()) fail("backend 'external': option command must hold strings only");
      argv.push_back(a.get<std::string>());
    }
    return argv;
  }
  std::string python = options.value("python", std::string("python3"));
  std::string script = options.value("script", default_transformers_script());
  return {python, script};
}

std::unique_ptr<Backend> create_backend(std::string_view name) {
  const auto* d = find_backend(name);
  if (!d) fail("unknown backend '{}' (known: {})", name, known_backend_names());
  std::string why;
  if (!d->available(&why)) throw UnsupportedError(d->name + " is not available here: " + why);
  return d->create();
}

}  // namespace sb::backends
