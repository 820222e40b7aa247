#include "engine/cpu/ceilings.h"

#include <cblas.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "engine/cpu/kernels.h"
#include "engine/cpu/gemm.h"
#include "engine/cpu/thread_pool.h"
#include "util/error.h"

namespace sb::engine {
namespace {

int resolve_threads(int threads) { return threads > 0 ? threads : available_cpus(); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

double measure_cpu_read_bandwidth_gbps(int threads, std::size_t bytes, int repetitions) {
  threads = resolve_threads(threads);
  if (bytes < (std::size_t{1} << 30)) {
    fail("measure_cpu_read_bandwidth_gbps: {} bytes is below the 1 GiB minimum (caches would "
         "inflate the result)", bytes);
  }
  const std::size_t n = bytes / sizeof(float);
  // An anonymous mapping, not std::vector: value-initialization would first-touch every page
  // from this thread.  Advised for transparent huge pages like the CPU engine's weights
  // (cpu_engine.cc, WeightArena), so the ceiling is measured under the engine's conditions.
  const std::size_t map_bytes = (n * sizeof(float) + (std::size_t{2} << 20) - 1) & ~((std::size_t{2} << 20) - 1);
  void* mapped = mmap(nullptr, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) fail("measure_cpu_read_bandwidth_gbps: mmap of {} bytes failed", map_bytes);
  madvise(mapped, map_bytes, MADV_HUGEPAGE);
  std::unique_ptr<float, std::function<void(float*)>> buf(
      static_cast<float*>(mapped), [map_bytes](float* p) { munmap(p, map_bytes); });
  ThreadPool pool(threads);
  auto slice = [&](int t, std::size_t& begin, std::size_t& end) {
    begin = n * t / threads;
    end = n * (t + 1) / threads;
  };
  pool.parallel_for(threads, [&](int t, int) {
    std::size_t b, e;
    slice(t, b, e);
    std::fill(buf.get() + b, buf.get() + e, 1.0f);
  });
  std::vector<float> sums(threads);
  double best_s = 1e30;
  for (int rep = 0; rep < std::max(1, repetitions); ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(threads, [&](int t, int) {
      std::size_t b, e;
      slice(t, b, e);
      sums[t] = kernels::sum(buf.get() + b, static_cast<std::int64_t>(e - b));
    });
    best_s = std::min(best_s, seconds_since(t0));
  }
  float total = 0;
  for (float s : sums) total += s;
  if (!(total > 0)) fail("measure_cpu_read_bandwidth_gbps: the read kernel summed {}", total);
  return static_cast<double>(n * sizeof(float)) / best_s / 1e9;
}

double measure_sgemm_gflops(int threads, int n, int repetitions) {
  threads = resolve_threads(threads);
  if (n < 256) fail("measure_sgemm_gflops: n = {} is too small to measure a peak", n);
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  std::vector<float> a(nn), b(nn), c(nn);
  for (std::size_t i = 0; i < nn; ++i) {
    a[i] = static_cast<float>(i % 13) * 0.01f;
    b[i] = static_cast<float>(i % 7) * 0.02f;
  }
  openblas_set_num_threads(threads);
  auto best_seconds = [&](const std::function<void()>& run) {
    run();  // warm-up: thread start, page faults on c
    double best_s = 1e30;
    for (int rep = 0; rep < std::max(1, repetitions); ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      run();
      best_s = std::min(best_s, seconds_since(t0));
    }
    return best_s;
  };
  double best_s = best_seconds([&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                n, 0.0f, c.data(), n);
  });
  // The engine's own prefill GEMM (engine/cpu/gemm.h), when the CPU runs it: the peak is the
  // faster of the two, so that a prefill's fraction of peak can never exceed 100%.
  // b is packed once outside the timing, as the engine packs its weights at load.
  if (gemm::available()) {
    ThreadPool pool(threads);
    std::vector<float> packed(gemm::packed_floats(n, n));
    gemm::pack(b.data(), n, n, n, packed.data());
    best_s = std::min(best_s, best_seconds([&] {
      pool.parallel_for(gemm::panels(n), [&](int panel, int) {
        gemm::gemm_packed_panel(panel, 0, n, a.data(), n, packed.data(), n, n, nullptr,
                                gemm::Epilogue::kStore, c.data(), n);
      });
    }));
  }
  return 2.0 * n * static_cast<double>(n) * n / best_s / 1e9;
}

CpuCeilings measure_cpu_ceilings(int threads) {
  CpuCeilings c;
  c.threads = resolve_threads(threads);
  c.mem_bandwidth_gbps = measure_cpu_read_bandwidth_gbps(c.threads);
  c.sgemm_gflops = measure_sgemm_gflops(c.threads);
  return c;
}

}  // namespace sb::engine
