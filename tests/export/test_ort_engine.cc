// onnxruntime-cpu vs an fp64 reference forward (and the native CPU oracle when it is linked):
// prefill + 8 decode steps, batch 1 and 3, both logits variants, fp16, external data, errors.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include "backends/ort/ort_engine.h"
#include "export/onnx_export.h"
#include "export/reference_gpt2.h"
#include "ort_test_util.h"
#include "util/error.h"
#ifdef SB_TEST_HAVE_CPU_ENGINE
#include "engine/cpu/cpu_engine.h"
#endif
#ifdef SB_TEST_HAVE_MODEL
#include "model/model.h"
#endif
#ifdef SB_TEST_HAVE_GOLDEN
#include "engine/golden_compare.h"
#include "engine/golden_file.h"
#include "engine/golden_fixtures.h"
#endif

namespace fs = std::filesystem;
using sb::engine::LogitsMode;
using sb::engine::StepResult;

namespace {


using sb::ort_test::cpu_options;
using sb::ort_test::kDecodeSteps;
using sb::ort_test::kTolFp32;
using sb::ort_test::random_tokens;
fs::path temp_dir(const std::string& name) { return sb::ort_test::temp_dir("sb-ort-test", name); }

// Runs prefill (all-position logits) + kDecodeSteps decode steps on `engine`, then checks every
// position of every sequence against the fp64 reference over the full token history.  Returns
// the total number of tolerance violations.
std::size_t run_and_compare(sb::engine::Engine& engine, const sb::model::GptWeights& w, int B,
                            int S, double atol, double rtol, LogitsMode prefill_mode,
                            const sb::testing::ReferenceKnobs& knobs = {}) {
  const int V = w.config.vocab_size;
  const auto prompt = random_tokens(B * S, V, 1000 + B * 31 + S);
  StepResult r;
  engine.prefill(B, S, prompt, prefill_mode, r);
  EXPECT_EQ(engine.past_length(), S);
  std::vector<std::vector<std::int32_t>> seqs(B);
  for (int b = 0; b < B; ++b) seqs[b].assign(prompt.begin() + b * S, prompt.begin() + (b + 1) * S);
  // logits_at[b][t] = ORT logits predicting token t+1 (only positions the run produced).
  std::vector<std::vector<std::vector<float>>> got(B);
  const bool all = prefill_mode == LogitsMode::kAll;
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < (all ? S : 1); ++t) {
      const float* row = r.logits.data() + (static_cast<std::size_t>(b) * (all ? S : 1) + t) * V;
      got[b].emplace_back(row, row + V);
    }
  }
  std::vector<std::int32_t> next = r.next_tokens;
  for (int step = 0; step < kDecodeSteps; ++step) {
    for (int b = 0; b < B; ++b) seqs[b].push_back(next[b]);
    engine.decode(next, LogitsMode::kLast, r);
    EXPECT_EQ(static_cast<int>(r.logits.size()), B * V);
    for (int b = 0; b < B; ++b) got[b].emplace_back(r.logits.begin() + b * V, r.logits.begin() + (b + 1) * V);
    next = r.next_tokens;
  }
  EXPECT_EQ(engine.past_length(), S + kDecodeSteps);
  std::size_t bad = 0;
  for (int b = 0; b < B; ++b) {
    const auto ref = sb::testing::reference_logits(w, seqs[b], knobs);
    const int first = all ? 0 : S - 1;
    for (std::size_t k = 0; k < got[b].size(); ++k) {
      const int pos = first + static_cast<int>(k);
      double worst = 0;
      bad += sb::testing::count_violations(got[b][k].data(), ref.data() + static_cast<std::size_t>(pos) * V, V, atol, rtol, &worst);
    }
  }
  return bad;
}

struct Shape {
  int L, H, E, V, P;
};

}  // namespace

TEST(OrtEngine, AvailabilityIsReportedWithReasons) {
  std::string why;
  EXPECT_TRUE(sb::engine::ort_available("cpu", &why)) << why;
  EXPECT_FALSE(sb::engine::ort_available("tpu", &why));
  EXPECT_NE(why.find("unknown device"), std::string::npos) << why;
  // The CPU package has no CUDA provider; the GPU package may: either way a reason or true.
  why.clear();
  if (!sb::engine::ort_available("cuda", &why)) {
    EXPECT_FALSE(why.empty());
    std::printf("cuda: %s\n", why.c_str());
  }
  EXPECT_EQ(sb::engine::ort_version().rfind("1.", 0), 0u);
}

// The CUDA provider is resolved once per process, so each case runs in a fresh process (a
// "threadsafe" death test re-executes this binary) with SB_ORT_CUDA_PROVIDER set first.
bool ort_cuda_builtin() {
  for (const auto& p : Ort::GetAvailableProviders()) {
    if (p == "CUDAExecutionProvider") return true;
  }
  return false;
}

// Exits 0 after printing the verdict; 1 when `must_fail` and the provider was available.
[[noreturn]] void report_cuda_availability_and_exit(const char* provider, bool must_fail) {
  ::setenv("SB_ORT_CUDA_PROVIDER", provider, 1);
  std::string why;
  const bool ok = sb::engine::ort_available("cuda", &why);
  std::fprintf(stderr, "available=%d reason=%s\n", ok ? 1 : 0, why.c_str());
  std::exit(ok && must_fail ? 1 : 0);
}

TEST(OrtEngineDeathTest, CudaPluginThatDoesNotExistIsNamedInTheReason) {
  if (ort_cuda_builtin()) GTEST_SKIP() << "this ONNX Runtime has CUDA built in; the plugin path is not used";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Not forced: the CPU core's answer says how to get a CUDA-enabled core, not the plugin path.
  EXPECT_EXIT(report_cuda_availability_and_exit("/nonexistent/libonnxruntime_providers_cuda.so", true),
              ::testing::ExitedWithCode(0),
              "available=0 reason=ONNX Runtime .* is the CPU build .*onnxruntime-gpu-core.*LD_LIBRARY_PATH");
  // Forced: the missing plugin file is named.
  EXPECT_EXIT((::setenv("SB_ORT_CUDA_PLUGIN_FORCE", "1", 1),
               report_cuda_availability_and_exit("/nonexistent/libonnxruntime_providers_cuda.so", true)),
              ::testing::ExitedWithCode(0),
              "available=0 reason=.*CPU build.*forced CUDA provider plugin "
              "/nonexistent/libonnxruntime_providers_cuda.so does not exist");
}

// The npm core is a CPU build without ORT's CUDA provider interface: the GPU package's
// provider registers as a plugin EP but crashes on its first Split/Concat kernel (H100,
// 2026-11-26), so availability must say no, naming the missing interface.
fs::path gpu_package_provider() {
  return fs::path(SB_SOURCE_DIR) / ".deps" / "onnxruntime-gpu" / "Plugins" / "Linux" / "x64" /
         "libonnxruntime_providers_cuda.so";
}

TEST(OrtEngineDeathTest, CudaPluginIntoACoreWithoutTheCudaInterfaceIsRefused) {
  const fs::path lib = gpu_package_provider();
  if (!fs::exists(lib)) GTEST_SKIP() << lib << " absent (scripts/setup.sh --gpu fetches it)";
  if (ort_cuda_builtin()) GTEST_SKIP() << "this ONNX Runtime has CUDA built in; the plugin path is not used";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(report_cuda_availability_and_exit(lib.c_str(), true), ::testing::ExitedWithCode(0),
              "available=0 reason=ONNX Runtime .* is the CPU build .*not enabled in this build.*"
              "ProviderHostCPU.*SB_ORT_CUDA_PLUGIN_FORCE=1");
}

TEST(OrtEngineDeathTest, ForcedCudaPluginOfTheGpuPackageLoadsOrSaysWhy) {
  // With SB_ORT_CUDA_PLUGIN_FORCE=1 the plugin is registered anyway: on a machine with a GPU and
  // CUDA 13 it is available; elsewhere the reason is the loader's (missing libcuda.so.1,
  // cuBLAS, ...) or the missing GPU.
  const fs::path lib = gpu_package_provider();
  if (!fs::exists(lib)) GTEST_SKIP() << lib << " absent (scripts/setup.sh --gpu fetches it)";
  if (ort_cuda_builtin()) GTEST_SKIP() << "this ONNX Runtime has CUDA built in; the plugin path is not used";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT((::setenv("SB_ORT_CUDA_PLUGIN_FORCE", "1", 1), report_cuda_availability_and_exit(lib.c_str(), false)),
              ::testing::ExitedWithCode(0),
              "available=1 |available=0 reason=(ONNX Runtime .* cannot load the CUDA provider plugin .*|.*offers 0 GPU.*)");
}

TEST(OrtEngineDetail, CoreInterfaceVerdictReadsOrtsNotEnabledStub) {
  using sb::engine::ort_detail::core_lacks_cuda_provider_interface;
  EXPECT_TRUE(core_lacks_cuda_provider_interface("CUDA execution provider is not enabled in this build."));
  EXPECT_FALSE(core_lacks_cuda_provider_interface(""));  // accepted: the core has it
  EXPECT_FALSE(core_lacks_cuda_provider_interface(
      "Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open"));
}

// The verdict on how onnxruntime-cuda is served, from facts about the loaded core.
TEST(OrtEngineDetail, CudaVerdictFollowsTheCoreBuildAndItsFiles) {
  using namespace sb::engine::ort_detail;
  CudaCoreFacts gpu;
  gpu.version = "1.29.0";
  gpu.core = "/x/ort-gpu/libonnxruntime.so.1";
  gpu.providers = {"TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"};
  gpu.cuda_provider = "/x/ort-gpu/libonnxruntime_providers_cuda.so";
  gpu.providers_shared = "/x/ort-gpu/libonnxruntime_providers_shared.so";
  gpu.cuda_provider_exists = gpu.providers_shared_exists = true;
  CudaVerdict v = cuda_verdict(gpu);
  EXPECT_EQ(v.path, CudaPath::kBuiltIn);
  EXPECT_NE(v.why.find("core /x/ort-gpu/libonnxruntime.so.1 (ONNX Runtime 1.29.0, CUDA-enabled build)"), std::string::npos) << v.why;
  EXPECT_NE(v.why.find("CUDA provider /x/ort-gpu/libonnxruntime_providers_cuda.so"), std::string::npos) << v.why;
  // The plugin settings do not matter to a CUDA-enabled core.
  gpu.plugin_forced = true;
  EXPECT_EQ(cuda_verdict(gpu).path, CudaPath::kBuiltIn);

  auto no_provider = gpu;
  no_provider.cuda_provider_exists = false;
  v = cuda_verdict(no_provider);
  EXPECT_EQ(v.path, CudaPath::kNone);
  EXPECT_NE(v.why.find("CUDA-enabled build, but /x/ort-gpu/libonnxruntime_providers_cuda.so is missing"), std::string::npos) << v.why;
  auto no_shared = gpu;
  no_shared.providers_shared_exists = false;
  v = cuda_verdict(no_shared);
  EXPECT_EQ(v.path, CudaPath::kNone);
  EXPECT_NE(v.why.find("/x/ort-gpu/libonnxruntime_providers_shared.so is missing"), std::string::npos) << v.why;

  // The same files with a CPU core (no CUDAExecutionProvider listed): refused, saying why and how.
  CudaCoreFacts cpu = gpu;
  cpu.core = "/x/cli/libonnxruntime.so.1";
  cpu.providers = {"CPUExecutionProvider"};
  cpu.plugin = "/x/cli/libonnxruntime_providers_cuda.so";
  cpu.plugin_exists = true;
  cpu.plugin_forced = false;
  cpu.append_cuda_v2_error = "CUDA execution provider is not enabled in this build.";
  v = cuda_verdict(cpu);
  EXPECT_EQ(v.path, CudaPath::kNone);
  for (const char* needle : {"/x/cli/libonnxruntime.so.1 is the CPU build", "not enabled in this build",
                             "onnxruntime-node 1.29.0", ".deps/onnxruntime-gpu-core", "LD_LIBRARY_PATH",
                             "ProviderHostCPU", "SB_ORT_CUDA_PLUGIN_FORCE=1"}) {
    EXPECT_NE(v.why.find(needle), std::string::npos) << needle << " missing from: " << v.why;
  }
  cpu.plugin_forced = true;
  v = cuda_verdict(cpu);
  EXPECT_EQ(v.path, CudaPath::kPlugin);
  EXPECT_NE(v.why.find("CUDA provider plugin /x/cli/libonnxruntime_providers_cuda.so"), std::string::npos) << v.why;
  cpu.plugin_exists = false;
  v = cuda_verdict(cpu);
  EXPECT_EQ(v.path, CudaPath::kNone);
  EXPECT_NE(v.why.find("forced CUDA provider plugin /x/cli/libonnxruntime_providers_cuda.so does not exist"), std::string::npos) << v.why;
}

TEST(OrtEngineDetail, DeviceCountVerdict) {
  using sb::engine::ort_detail::cuda_device_count_problem;
  EXPECT_EQ(cuda_device_count_problem(0, 1, 0), "");
  EXPECT_EQ(cuda_device_count_problem(0, 8, 7), "");
  EXPECT_NE(cuda_device_count_problem(0, 1, 1).find("cuda:1 does not exist (the CUDA runtime sees 1 GPU(s))"), std::string::npos);
  EXPECT_NE(cuda_device_count_problem(100, 0, 0).find("cudaError 100 = no CUDA-capable device"), std::string::npos);
  EXPECT_NE(cuda_device_count_problem(35, 0, 0).find("driver older than the runtime"), std::string::npos);
  EXPECT_NE(cuda_device_count_problem(999, 0, 0).find("cudaError 999"), std::string::npos);
}

// The loaded core is named (the file the loader picked) with its build kind.
TEST(OrtCore, InfoNamesTheLoadedCore) {
  const sb::engine::OrtCoreInfo c = sb::engine::ort_core_info();
  EXPECT_TRUE(fs::exists(c.library)) << c.library;
  EXPECT_EQ(c.library.filename().string().rfind("libonnxruntime.so", 0), 0u) << c.library;
  EXPECT_EQ(c.version, sb::engine::ort_version());
  EXPECT_EQ(c.cuda_enabled, ort_cuda_builtin());
  EXPECT_EQ(c.cuda_provider.filename(), "libonnxruntime_providers_cuda.so");
  EXPECT_EQ(c.cuda_provider.parent_path(), c.providers_shared.parent_path());
  const std::string d = c.describe();
  EXPECT_NE(d.find(c.library.string()), std::string::npos) << d;
  EXPECT_NE(d.find(c.cuda_enabled ? "CUDA-enabled build" : "CPU build"), std::string::npos) << d;
  EXPECT_EQ(c.to_json().at("cuda_enabled").get<bool>(), c.cuda_enabled);
  std::string why;
  ASSERT_TRUE(sb::engine::ort_available("cpu", &why));
  EXPECT_NE(why.find(c.library.string()), std::string::npos) << "cpu availability names the core: " << why;
}

// Child half of the next test: runs only in the re-executed process the parent starts with
// SB_TEST_ORT_CORE_CHILD=1 and the CUDA-enabled core first on LD_LIBRARY_PATH.
TEST(OrtCoreChild, ReportCoreAndCudaVerdict) {
  if (std::getenv("SB_TEST_ORT_CORE_CHILD") == nullptr) GTEST_SKIP() << "child half of OrtCore.CudaEnabledCoreIsFoundThroughTheLoader";
  const auto c = sb::engine::ort_core_info();
  std::string why;
  const bool ok = sb::engine::ort_available("cuda", &why);
  std::printf("CHILD core=%s cuda_enabled=%d available=%d reason=%s\n", c.library.c_str(), c.cuda_enabled ? 1 : 0,
              ok ? 1 : 0, why.c_str());
  std::fflush(stdout);
}

// With setup.sh --gpu's CUDA-enabled core first on LD_LIBRARY_PATH, the same test binary loads
// it instead of the CPU core beside it (RUNPATH comes after LD_LIBRARY_PATH), lists it as a
// CUDA-enabled build and gives a verdict without crashing: available with the provider named
// (a GPU machine), or unavailable saying why (here: no libcuda.so.1 / no GPU).
TEST(OrtCore, CudaEnabledCoreIsFoundThroughTheLoader) {
  const fs::path core_dir = fs::path(SB_SOURCE_DIR) / ".deps" / "onnxruntime-gpu-core";
  if (!fs::exists(core_dir / "libonnxruntime.so.1")) {
    GTEST_SKIP() << core_dir << "/libonnxruntime.so.1 absent (scripts/setup.sh --gpu fetches it)";
  }
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const char* old = std::getenv("LD_LIBRARY_PATH");
  const std::string cmd = "SB_TEST_ORT_CORE_CHILD=1 LD_LIBRARY_PATH='" + core_dir.string() + "'" +
                          (old != nullptr && *old != 0 ? std::string(":'") + old + "'" : std::string()) +
                          " '" + self.string() + "' --gtest_filter=OrtCoreChild.ReportCoreAndCudaVerdict 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  EXPECT_EQ(status, 0) << "the child must exit cleanly (no crash):\n" << out;
  const auto at = out.find("CHILD core=");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string line = out.substr(at, out.find('\n', at) - at);
  EXPECT_NE(line.find("core=" + fs::weakly_canonical(core_dir / "libonnxruntime.so.1").string() + " "), std::string::npos) << line;
  EXPECT_NE(line.find("cuda_enabled=1"), std::string::npos) << line;
  if (line.find("available=1") != std::string::npos) {
    EXPECT_NE(line.find("CUDA-enabled build), CUDA provider"), std::string::npos) << line;
  } else {
    // No GPU here: the reason names the CUDA-enabled core and what failed (the provider's
    // loader error, the CUDA runtime's answer, or a missing provider file).
    EXPECT_NE(line.find("CUDA-enabled build"), std::string::npos) << line;
    EXPECT_TRUE(line.find("cannot be loaded") != std::string::npos ||
                line.find("no usable GPU") != std::string::npos || line.find("does not exist") != std::string::npos ||
                line.find("is missing") != std::string::npos)
        << line;
  }
  std::printf("%s\n", line.c_str());
}

TEST(OrtEngineDetail, CudaMemcpyGuardsNullPointersAndErrors) {
  using sb::engine::ort_detail::checked_cuda_memcpy;
  auto expect_error = [](auto&& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "expected sb::Error containing: " << needle;
    } catch (const sb::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  char src[8] = "abcdefg", dst[8] = {};
  // A missing cudaMemcpy (dlsym found nothing) is an error naming the copy, not a call through null.
  expect_error([&] { checked_cuda_memcpy(nullptr, dst, src, 8, 1, "input_ids"); }, "input_ids: cudaMemcpy was not found");
  static int calls = 0;
  calls = 0;
  auto fake_ok = +[](void* d, const void* s, std::size_t n, int) {
    ++calls;
    std::memcpy(d, s, n);
    return 0;
  };
  auto fake_fail = +[](void*, const void*, std::size_t, int) { return 700; };  // cudaErrorIllegalAddress
  checked_cuda_memcpy(fake_ok, dst, src, 8, 1, "x");
  EXPECT_STREQ(dst, "abcdefg");
  expect_error([&] { checked_cuda_memcpy(fake_fail, dst, src, 8, 2, "logits"); }, "logits: cudaMemcpy of 8 bytes failed with cudaError 700");
  expect_error([&] { checked_cuda_memcpy(fake_ok, nullptr, src, 8, 1, "kv"); }, "null destination pointer");
  expect_error([&] { checked_cuda_memcpy(fake_ok, dst, nullptr, 8, 1, "kv"); }, "null source pointer");
  checked_cuda_memcpy(fake_ok, nullptr, nullptr, 0, 1, "empty");  // nothing to copy
  EXPECT_EQ(calls, 1);
}

// The plain Session::Run path (io_binding = false: host tensors, ORT copies) computes what the
// IoBinding path computes: same session settings, so the same logits and tokens, and it passes
// the fp64 reference comparison on its own.
TEST(OrtEngine, PlainRunMatchesIoBindingAndReference) {
  const auto w = sb::testing::random_weights(2, 3, 48, 64, 40, 91);
  const auto dir = temp_dir("plain-run");
  const auto all = sb::exporter::export_onnx(w, {.last_position_logits = false}, dir);
  const auto last = sb::exporter::export_onnx(w, {.last_position_logits = true}, dir);
  auto with = cpu_options(), without = cpu_options();
  with.io_binding = true;
  without.io_binding = false;
  for (int B : {1, 3}) {
    auto a = sb::engine::make_ort_engine(last.model_file, w.config, with);
    auto b = sb::engine::make_ort_engine(last.model_file, w.config, without);
    ASSERT_TRUE(sb::engine::ort_engine_facts(*a)->io_binding);
    ASSERT_FALSE(sb::engine::ort_engine_facts(*b)->io_binding);
    EXPECT_EQ(sb::engine::ort_engine_facts(*b)->io_binding_source, "option");
    EXPECT_NE(b->describe().find("Session::Run with host tensors"), std::string::npos) << b->describe();
    EXPECT_NE(a->describe().find("IoBinding"), std::string::npos) << a->describe();
    const int S = 7, V = w.config.vocab_size;
    const auto prompt = random_tokens(B * S, V, 300 + B);
    StepResult ra, rb;
    // kAll through the last-position graph: the second session (model.onnx) on both paths.
    a->prefill(B, S, prompt, LogitsMode::kAll, ra);
    b->prefill(B, S, prompt, LogitsMode::kAll, rb);
    for (int step = 0; step <= kDecodeSteps; ++step) {
      ASSERT_EQ(ra.logits.size(), rb.logits.size());
      double worst = 0;
      for (std::size_t i = 0; i < ra.logits.size(); ++i) worst = std::max(worst, std::abs(double(ra.logits[i]) - rb.logits[i]));
      EXPECT_LE(worst, 1e-6) << "B " << B << " step " << step;
      EXPECT_EQ(ra.next_tokens, rb.next_tokens);
      if (step == kDecodeSteps) break;
      const auto next = ra.next_tokens;
      a->decode(next, LogitsMode::kLast, ra);
      b->decode(next, LogitsMode::kLast, rb);
    }
    EXPECT_EQ(b->past_length(), S + kDecodeSteps);
    // Alone against the fp64 reference, on the all-position graph (prefill positions + decode).
    auto c = sb::engine::make_ort_engine(all.model_file, w.config, without);
    EXPECT_EQ(run_and_compare(*c, w, B, 5, kTolFp32, kTolFp32, LogitsMode::kAll), 0u) << "B " << B;
  }
  // Default on CPU: IoBinding, said to be automatic.
  auto d = sb::engine::make_ort_engine(last.model_file, w.config, cpu_options());
  EXPECT_TRUE(sb::engine::ort_engine_facts(*d)->io_binding);
  EXPECT_EQ(sb::engine::ort_engine_facts(*d)->io_binding_source.rfind("auto", 0), 0u);
  EXPECT_EQ(sb::engine::ort_engine_facts(*d)->to_json().at("io_binding_source"), sb::engine::ort_engine_facts(*d)->io_binding_source);
}

// One engine switching batch sizes (1 -> 3 -> 1, as a worker running a study's scenarios does)
// computes what a fresh engine per batch computes: the step buffers follow the batch (the
// H100 trial's CUDA-graph failures came from buffers freed on such a switch), and the facts
// say the CPU path is strict fp32 (tf32 is a CUDA-only switch).
TEST(OrtEngine, BatchSwitchesOnOneEngineMatchFreshEngines) {
  const auto w = sb::testing::random_weights(2, 3, 48, 64, 40, 93);
  const auto dir = temp_dir("batch-switch");
  const auto last = sb::exporter::export_onnx(w, {.last_position_logits = true}, dir);
  auto shared = sb::engine::make_ort_engine(last.model_file, w.config, cpu_options());
  EXPECT_FALSE(sb::engine::ort_engine_facts(*shared)->tf32);
  EXPECT_FALSE(sb::engine::ort_engine_facts(*shared)->to_json().at("tf32").get<bool>());
  const int S = 6, V = w.config.vocab_size;
  for (int B : {1, 3, 1, 3}) {
    auto fresh = sb::engine::make_ort_engine(last.model_file, w.config, cpu_options());
    const auto prompt = random_tokens(B * S, V, 500 + B);
    StepResult ra, rb;
    shared->prefill(B, S, prompt, LogitsMode::kLast, ra);
    fresh->prefill(B, S, prompt, LogitsMode::kLast, rb);
    for (int step = 0; step <= 3; ++step) {
      ASSERT_EQ(ra.logits.size(), static_cast<std::size_t>(B) * V);
      ASSERT_EQ(ra.logits.size(), rb.logits.size());
      double worst = 0;
      for (std::size_t i = 0; i < ra.logits.size(); ++i) worst = std::max(worst, std::abs(double(ra.logits[i]) - rb.logits[i]));
      EXPECT_LE(worst, 1e-6) << "B " << B << " step " << step;
      EXPECT_EQ(ra.next_tokens, rb.next_tokens);
      if (step == 3) break;
      const auto next = ra.next_tokens;
      shared->decode(next, LogitsMode::kLast, ra);
      fresh->decode(next, LogitsMode::kLast, rb);
    }
  }
}

TEST(OrtEngine, Fp16PlainRunWithinStatedTolerance) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 92);
  const auto dir = temp_dir("plain-fp16");
  sb::exporter::ExportOptions eo;
  eo.dtype = sb::model::DType::F16;
  eo.last_position_logits = false;
  const auto r = sb::exporter::export_onnx(w, eo, dir);
  auto o = cpu_options();
  o.io_binding = false;
  auto e = sb::engine::make_ort_engine(r.model_file, w.config, o);
  EXPECT_EQ(sb::engine::ort_engine_facts(*e)->kv_dtype, "fp16");
  EXPECT_EQ(run_and_compare(*e, w, 3, 6, 3e-2, 2e-2, LogitsMode::kAll), 0u);
}

TEST(OrtEngine, Fp32MatchesReferenceOnSyntheticShapes) {
  const Shape shapes[] = {{2, 2, 16, 37, 32}, {3, 4, 32, 101, 48}, {1, 1, 8, 19, 24}, {2, 3, 48, 64, 40}};
  int n = 0;
  for (const auto& s : shapes) {
    const auto w = sb::testing::random_weights(s.L, s.H, s.E, s.V, s.P, 10 + n);
    const auto dir = temp_dir("syn" + std::to_string(n++));
    sb::exporter::ExportOptions o;
    o.last_position_logits = false;
    const auto r = sb::exporter::export_onnx(w, o, dir);
    for (int B : {1, 3}) {
      for (int S : {1, 5, 11}) {
        auto e = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
        EXPECT_EQ(run_and_compare(*e, w, B, S, kTolFp32, kTolFp32, LogitsMode::kAll), 0u)
            << "shape L" << s.L << " H" << s.H << " E" << s.E << " V" << s.V << " B" << B << " S" << S;
      }
    }
  }
}

TEST(OrtEngine, ComparisonIsSensitive) {
  // The same comparison against a reference with a broken causal mask, GELU or position offset
  // must fail: the test above would notice those bugs in the graph.
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 20);
  const auto r = sb::exporter::export_onnx(w, {.last_position_logits = false}, temp_dir("sens"));
  for (int which = 0; which < 3; ++which) {
    sb::testing::ReferenceKnobs k;
    if (which == 0) k.causal = false;
    if (which == 1) k.gelu_new = false;
    if (which == 2) k.position_offset = 1;
    auto e = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
    EXPECT_GT(run_and_compare(*e, w, 1, 6, kTolFp32, kTolFp32, LogitsMode::kAll, k), 0u) << "knob " << which;
  }
}

TEST(OrtEngine, LastAndAllVariantsAgreeAndSecondSessionServesKAll) {
  const auto w = sb::testing::random_weights(2, 4, 32, 53, 40, 30);
  const auto dir = temp_dir("variants");
  sb::exporter::export_onnx(w, {.last_position_logits = false}, dir);
  const auto last = sb::exporter::export_onnx(w, {.last_position_logits = true}, dir);
  auto e_last = sb::engine::make_ort_engine(last.model_file, w.config, cpu_options());
  auto e_all = sb::engine::make_ort_engine(dir / "model.onnx", w.config, cpu_options());
  const auto* facts = sb::engine::ort_engine_facts(*e_last);
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->logits_graph, "last");
  EXPECT_FALSE(facts->optimized_op_histogram.empty());
  const int B = 3, S = 7, V = w.config.vocab_size;
  const auto prompt = random_tokens(B * S, V, 5);
  StepResult a, b, c;
  e_last->prefill(B, S, prompt, LogitsMode::kLast, a);
  e_all->prefill(B, S, prompt, LogitsMode::kLast, b);  // slices the last position
  ASSERT_EQ(a.logits.size(), static_cast<std::size_t>(B * V));
  ASSERT_EQ(b.logits.size(), a.logits.size());
  for (std::size_t i = 0; i < a.logits.size(); ++i) {
    EXPECT_NEAR(a.logits[i], b.logits[i], 1e-5 + 1e-5 * std::abs(b.logits[i])) << i;
  }
  EXPECT_EQ(a.next_tokens, b.next_tokens);
  // kAll through the last-position engine: the all-position graph beside it serves it.
  e_last->prefill(B, S, prompt, LogitsMode::kAll, c);
  ASSERT_EQ(c.logits.size(), static_cast<std::size_t>(B * S * V));
  for (int bi = 0; bi < B; ++bi) {
    for (int v = 0; v < V; ++v) {
      EXPECT_NEAR(c.logits[(bi * S + S - 1) * V + v], a.logits[bi * V + v], 1e-5 + 1e-5 * std::abs(a.logits[bi * V + v]));
    }
  }
  // ...and decode continues on the KV cache it filled.
  EXPECT_EQ(run_and_compare(*e_last, w, B, S, kTolFp32, kTolFp32, LogitsMode::kAll), 0u);
  EXPECT_EQ(run_and_compare(*e_last, w, 1, 4, kTolFp32, kTolFp32, LogitsMode::kLast), 0u);
  // kNone returns tokens only.
  e_last->prefill(B, S, prompt, LogitsMode::kNone, c);
  EXPECT_TRUE(c.logits.empty());
  EXPECT_EQ(c.next_tokens, a.next_tokens);
}

TEST(OrtEngine, Fp16ExportWithinStatedTolerance) {
  // fp16 weights and activations (LayerNorm/softmax in fp32): errors of a few fp16 ulps of the
  // logit scale (|logits| ~ 5 here; fp16 relative step 2^-10 ~ 1e-3, compounded over 2 layers).
  constexpr double kAtolFp16 = 3e-2, kRtolFp16 = 2e-2;
  const auto w = sb::testing::random_weights(2, 2, 32, 41, 32, 40);
  const auto dir = temp_dir("fp16");
  sb::exporter::ExportOptions o;
  o.dtype = sb::model::DType::F16;
  o.last_position_logits = false;
  const auto r = sb::exporter::export_onnx(w, o, dir);
  std::unique_ptr<sb::engine::Engine> e;
  try {
    e = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
  } catch (const sb::Error& err) {
    GTEST_SKIP() << "the CPU execution provider cannot run this fp16 graph: " << err.what();
  }
  EXPECT_EQ(sb::engine::ort_engine_facts(*e)->kv_dtype, "fp16");
  EXPECT_EQ(run_and_compare(*e, w, 3, 5, kAtolFp16, kRtolFp16, LogitsMode::kAll), 0u);
  // Sensitivity: the fp32 tolerance is too tight for fp16 (the graph really is fp16).
  auto e2 = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
  EXPECT_GT(run_and_compare(*e2, w, 1, 5, 1e-6, 1e-6, LogitsMode::kAll), 0u);
}

TEST(OrtEngine, ExternalDataLoads) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 50);
  sb::exporter::ExportOptions o;
  o.last_position_logits = false;
  o.external_data_threshold_bytes = 1000;
  const auto r = sb::exporter::export_onnx(w, o, temp_dir("ext"));
  ASSERT_FALSE(r.external_data_file.empty());
  auto e = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
  EXPECT_EQ(run_and_compare(*e, w, 3, 4, kTolFp32, kTolFp32, LogitsMode::kAll), 0u);
}

TEST(OrtEngine, OptimizationLevelsAgree) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 60);
  const auto r = sb::exporter::export_onnx(w, {.last_position_logits = false}, temp_dir("levels"));
  for (const char* level : {"disable", "basic", "extended", "all"}) {
    auto o = cpu_options();
    o.graph_optimization = level;
    auto e = sb::engine::make_ort_engine(r.model_file, w.config, o);
    EXPECT_EQ(run_and_compare(*e, w, 3, 5, kTolFp32, kTolFp32, LogitsMode::kAll), 0u) << level;
  }
}

TEST(OrtEngine, ErrorsAreClear) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 70);
  const auto dir = temp_dir("errors");
  const auto last = sb::exporter::export_onnx(w, {}, dir);
  auto expect_error = [](auto&& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "expected sb::Error containing: " << needle;
    } catch (const sb::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error([&] { sb::engine::make_ort_engine(dir / "missing.onnx", w.config, cpu_options()); }, "does not exist");
  auto bad_cfg = w.config;
  bad_cfg.n_layer = 3;
  expect_error([&] { sb::engine::make_ort_engine(last.model_file, bad_cfg, cpu_options()); }, "past_key_values.2.key");
  auto o = cpu_options();
  o.graph_optimization = "max";
  expect_error([&] { sb::engine::make_ort_engine(last.model_file, w.config, o); }, "graph_optimization 'max'");
  o = cpu_options();
  o.cuda_graphs = true;
  expect_error([&] { sb::engine::make_ort_engine(last.model_file, w.config, o); }, "cuda_graphs");
  auto e = sb::engine::make_ort_engine(last.model_file, w.config, cpu_options());
  StepResult r;
  std::vector<std::int32_t> one = {1};
  expect_error([&] { e->decode(one, LogitsMode::kNone, r); }, "decode before prefill");
  // kAll needs model.onnx beside the last-position graph: absent here.
  std::vector<std::int32_t> p = {1, 2, 3};
  expect_error([&] { e->prefill(1, 3, p, LogitsMode::kAll, r); }, "--logits both");
  std::vector<std::int32_t> oov = {1, 99};
  expect_error([&] { e->prefill(1, 2, oov, LogitsMode::kNone, r); }, "outside the vocabulary");
  // Past the position limit.
  std::vector<std::int32_t> longp(32, 1);
  e->prefill(1, 32, longp, LogitsMode::kNone, r);
  expect_error([&] { e->decode(r.next_tokens, LogitsMode::kNone, r); }, "n_positions 32");
}

#ifdef SB_TEST_HAVE_CPU_ENGINE
TEST(OrtEngine, MatchesNativeCpuOracle) {
  const auto w = sb::testing::random_weights(2, 4, 32, 101, 48, 80);
  const auto dir = temp_dir("oracle");
  const auto r = sb::exporter::export_onnx(w, {.last_position_logits = false}, dir);
  for (int B : {1, 3}) {
    auto ort = sb::engine::make_ort_engine(r.model_file, w.config, cpu_options());
    auto cpu = sb::engine::make_cpu_engine(w, {.threads = 2});
    const int S = 9, V = w.config.vocab_size;
    const auto prompt = random_tokens(B * S, V, 7 + B);
    StepResult a, b;
    ort->prefill(B, S, prompt, LogitsMode::kAll, a);
    cpu->prefill(B, S, prompt, LogitsMode::kAll, b);
    for (int step = 0; step <= kDecodeSteps; ++step) {
      ASSERT_EQ(a.logits.size(), b.logits.size());
      std::vector<double> ref(b.logits.begin(), b.logits.end());
      EXPECT_EQ(sb::testing::count_violations(a.logits.data(), ref.data(), ref.size(), kTolFp32, kTolFp32), 0u)
          << "B " << B << " step " << step;
      EXPECT_EQ(a.next_tokens, b.next_tokens);
      if (step == kDecodeSteps) break;
      const auto next = b.next_tokens;
      ort->decode(next, LogitsMode::kLast, a);
      cpu->decode(next, LogitsMode::kLast, b);
    }
  }
}
#endif

#ifdef SB_TEST_HAVE_MODEL
TEST(OrtEngine, PydocModelMatchesReference) {
  fs::path dir;
  if (const char* env = std::getenv("SCALEBENCH_PYDOC_MODEL")) dir = env;
  else dir = fs::path(SB_SOURCE_DIR) / ".." / "shared" / "models" / "pydoc-gpt2-8m";
  if (!fs::exists(dir / "model.safetensors")) {
    GTEST_SKIP() << "pydoc-gpt2-8m not found at " << dir << " (set SCALEBENCH_PYDOC_MODEL)";
  }
  const auto m = sb::model::load_model(dir.string());
  const auto out = temp_dir("pydoc");
  sb::exporter::export_onnx(m.weights, {.last_position_logits = false}, out);
  const auto last = sb::exporter::export_onnx(m.weights, {.last_position_logits = true}, out);
  for (int B : {1, 3}) {
    auto e = sb::engine::make_ort_engine(last.model_file, m.weights.config, cpu_options());
    EXPECT_EQ(run_and_compare(*e, m.weights, B, 16, kTolFp32, kTolFp32, LogitsMode::kAll), 0u) << "B " << B;
  }
}
#endif

#if defined(SB_TEST_HAVE_GOLDEN) && defined(SB_TEST_HAVE_MODEL)
// The CPU engine engineer's golden fixtures (Hugging Face transformers' own fp32 numbers),
// through onnxruntime-cpu: the benchmark graph (last-position logits) with model.onnx beside it
// for the all-position prefill, teacher-forced decode steps (tests/engine/golden_compare.h).
class OrtGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(OrtGolden, MatchesHuggingFace) {
  const auto dir = sb::testing::golden_model_dir(GetParam());
  if (dir.empty()) GTEST_SKIP() << GetParam() << " not found (set SCALEBENCH_PYDOC_MODEL)";
  const auto m = sb::model::load_model(dir.string());
  const auto golden = sb::testing::GoldenFile::load(sb::testing::golden_file_path(GetParam()));
  const auto out = temp_dir("golden-" + GetParam());
  sb::exporter::export_onnx(m.weights, {.last_position_logits = false}, out);
  const auto last = sb::exporter::export_onnx(m.weights, {.last_position_logits = true}, out);
  auto e = sb::engine::make_ort_engine(last.model_file, m.weights.config, cpu_options());
  for (const auto& c : golden.cases()) {
    const auto r = sb::testing::run_golden_case(*e, c);
    EXPECT_TRUE(r.ok()) << GetParam() << "/" << c.name << "\n" << r.summary();
    std::printf("[ort golden] %s/%s: prefill worst |diff|/tol %.3g (max |diff| %.3g), decode "
                "worst %.3g (max |diff| %.3g)\n",
                GetParam().c_str(), c.name.c_str(), r.prefill.worst_ratio, r.prefill.max_abs_diff,
                r.decode.worst_ratio, r.decode.max_abs_diff);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, OrtGolden, ::testing::ValuesIn(sb::testing::golden_fixture_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& ch : s) if (ch == '-') ch = '_';
                           return s;
                         });
#endif
