// The harness's own overhead per decode step: the worker's timing loop (synchronize, two clock
// reads, the virtual call, storing the latency) driven against the null backend, which does no
// model work.  Target (docs/perf.md): under 5 microseconds per step.
#include <benchmark/benchmark.h>

#include "backends/registry.h"
#include "bench/timing.h"

namespace {

void BM_HarnessDecodeStepOverhead(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const int new_tokens = 129;  // 128 timed decode steps per sample
  auto backend = sb::backends::create_backend("null");
  sb::backends::LoadRequest r;
  r.model_spec = "tiny-gpt2";
  backend->load(r);
  std::vector<std::int32_t> prompt(static_cast<std::size_t>(batch) * 8, 7);
  sb::backends::StepResult scratch;
  std::vector<std::int32_t> feed;
  std::int64_t steps = 0;
  double recorded_ms = 0;
  for (auto _ : state) {
    auto t = sb::bench::time_sample(*backend, batch, 8, prompt, new_tokens, true, scratch, feed);
    steps += static_cast<std::int64_t>(t.decode_step_ms.size());
    for (double ms : t.decode_step_ms) recorded_ms += ms;
    benchmark::DoNotOptimize(t);
  }
  // Wall time per step of the whole loop, and the latency the loop itself records per step
  // (what a real backend's numbers are inflated by).
  state.counters["steps"] = benchmark::Counter(static_cast<double>(steps));
  state.counters["wall_us_per_step"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["recorded_us_per_step"] = benchmark::Counter(steps ? recorded_ms * 1000.0 / steps : 0.0);
}
BENCHMARK(BM_HarnessDecodeStepOverhead)->Arg(1)->Arg(4);

}  // namespace

BENCHMARK_MAIN();
