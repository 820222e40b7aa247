// bench_ort_vs_native — native-cpu vs onnxruntime-cpu at equal thread counts, on the six
// DESIGN.md scenarios (1x8, 1x32, 1x64, 1x128, 4x32, 4x64), prefill and decode step.
//  - Models: tiny-gpt2 and gpt2 shapes with synthetic weights (model/model.h presets, seed 0).
//  - onnxruntime-cpu runs scalebench's own export, last-position logits graph (the benchmark
//    path), graph optimization "all", IoBinding; native-cpu runs the fp32 oracle engine.
//  - prefill: time of prefill(B, S, kNone) (greedy tokens on the host, KV cache filled).
//  - decode: mean step time of 8 decode steps after an untimed prefill (manual time per step).
//  - Threads: SB_BENCH_THREADS (default: every CPU this process may use) for both backends.
// Engines are built once per (model, backend) and reused across scenarios; export and session
// creation are outside every timing.  Usage:
//   bench_ort_vs_native [--benchmark_filter=gpt2/] [--benchmark_format=json]
#if defined(SB_HAVE_ORT) && defined(SB_HAVE_ONNX_EXPORT)
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "backends/ort/ort_engine.h"
#include "engine/cpu/cpu_engine.h"
#include "export/onnx_export.h"
#include "model/model.h"

namespace {

namespace fs = std::filesystem;
using sb::engine::Engine;
using sb::engine::LogitsMode;

int bench_threads() {
  if (const char* e = std::getenv("SB_BENCH_THREADS")) return std::max(1, std::atoi(e));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return 1;
}

Engine& engine_for(const std::string& model, const std::string& backend) {
  static std::map<std::string, sb::model::LoadedModel> models;
  static std::map<std::string, std::unique_ptr<Engine>> engines;
  const std::string key = model + "/" + backend;
  if (auto it = engines.find(key); it != engines.end()) return *it->second;
  if (!models.count(model)) models.emplace(model, sb::model::load_model(model, 0));
  const auto& w = models.at(model).weights;
  std::unique_ptr<Engine> e;
  if (backend == "native-cpu") {
    e = sb::engine::make_cpu_engine(w, {.threads = bench_threads(), .max_batch = 4, .max_seq = 0});
  } else {
    const fs::path dir = fs::temp_directory_path() / ("sb-bench-ort-" + model);
    const auto r = sb::exporter::export_onnx(w, {.last_position_logits = true, .file_name = {}}, dir);
    sb::engine::OrtEngineOptions o;
    o.threads = bench_threads();
    e = sb::engine::make_ort_engine(r.model_file, w.config, o);
    // The optimized graph's operators (what ORT fused), for docs/onnx.md.
    std::string ops;
    for (const auto& [op, n] : sb::engine::ort_engine_facts(*e)->optimized_op_histogram) {
      ops += fmt::format(" {}:{}", op, n);
    }
    std::fprintf(stderr, "%s optimized graph:%s\n", model.c_str(), ops.c_str());
  }
  return *engines.emplace(key, std::move(e)).first->second;
}

std::vector<std::int32_t> prompt(int B, int S, int V) {
  std::mt19937 rng(1234 + B * 1000 + S);
  std::uniform_int_distribution<int> d(0, V - 1);
  std::vector<std::int32_t> t(static_cast<std::size_t>(B) * S);
  for (auto& x : t) x = d(rng);
  return t;
}

void BM_Prefill(benchmark::State& state, std::string model, std::string backend, int B, int S) {
  Engine& e = engine_for(model, backend);
  const auto p = prompt(B, S, e.config().vocab_size);
  sb::engine::StepResult r;
  for (auto _ : state) {
    e.prefill(B, S, p, LogitsMode::kNone, r);
    e.synchronize();
    benchmark::DoNotOptimize(r.next_tokens.data());
  }
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(B) * S, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(e.describe());
}

void BM_DecodeStep(benchmark::State& state, std::string model, std::string backend, int B, int S) {
  constexpr int kSteps = 8;
  Engine& e = engine_for(model, backend);
  const auto p = prompt(B, S, e.config().vocab_size);
  sb::engine::StepResult r;
  for (auto _ : state) {
    e.prefill(B, S, p, LogitsMode::kNone, r);
    e.synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kSteps; ++i) {
      const auto next = r.next_tokens;
      e.decode(next, LogitsMode::kNone, r);
    }
    e.synchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s / kSteps);
  }
  state.SetLabel(e.describe());
}

const int kScenarios[][2] = {{1, 8}, {1, 32}, {1, 64}, {1, 128}, {4, 32}, {4, 64}};

int register_all() {
  for (const char* model : {"tiny-gpt2", "gpt2"}) {
    for (const auto& sc : kScenarios) {
      for (const char* backend : {"native-cpu", "onnxruntime-cpu"}) {
        const int B = sc[0], S = sc[1];
        const std::string suffix = fmt::format("{}/{}/{}x{}", model, backend, B, S);
        benchmark::RegisterBenchmark(("prefill/" + suffix).c_str(), BM_Prefill, model, backend, B, S)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("decode/" + suffix).c_str(), BM_DecodeStep, model, backend, B, S)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
#else
#include <cstdio>
int main() {
  std::puts("bench_ort_vs_native: built without ONNX Runtime or libonnx; nothing to measure");
  return 0;
}
#endif
