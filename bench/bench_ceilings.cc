// This machine's ceilings for the CPU engine: read-only memory bandwidth (>= 1 GiB buffer) and
// OpenBLAS SGEMM peak, at 1 thread and at every available CPU.  The same functions
// (engine/cpu/ceilings.h) feed the manifest's "ceilings.cpu".
#include <benchmark/benchmark.h>

#include "engine/cpu/ceilings.h"
#include "engine/cpu/thread_pool.h"

namespace {

void BM_ReadBandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  double gbps = 0;
  for (auto _ : state) gbps = sb::engine::measure_cpu_read_bandwidth_gbps(threads);
  state.counters["GB/s"] = gbps;
  state.counters["threads"] = threads;
}

void BM_SgemmPeak(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int n = static_cast<int>(state.range(1));
  double gflops = 0;
  for (auto _ : state) gflops = sb::engine::measure_sgemm_gflops(threads, n);
  state.counters["GFLOP/s"] = gflops;
  state.counters["threads"] = threads;
}

void thread_args(benchmark::internal::Benchmark* b) {
  const int all = sb::engine::available_cpus();
  b->Arg(1);
  if (all > 1) b->Arg(all);
}

void gemm_args(benchmark::internal::Benchmark* b) {
  const int all = sb::engine::available_cpus();
  for (int n : {1024, 2048}) {
    b->Args({1, n});
    if (all > 1) b->Args({all, n});
  }
}

}  // namespace

BENCHMARK(BM_ReadBandwidth)->Apply(thread_args)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SgemmPeak)->Apply(gemm_args)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
