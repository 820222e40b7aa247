// The native CPU engine on gpt2-shaped synthetic weights (fp32), against this machine's
// measured ceilings (engine/cpu/ceilings.h):
//  - decode at batch 1: ms per step vs the bandwidth floor (weights + KV cache bytes read per
//    step / measured read bandwidth); goal <= 1.5x.
//  - prefill 4 x 64 (last-position logits, the benchmark path): GFLOP/s vs measured SGEMM peak;
//    goal >= 50%.
// BM_DecodeB1/<prompt>/<fused>/<huge>: fused = 1 is the engine's default decode path (one fused
// pass per step, engine/cpu/gemv.h), fused = 0 the OpenBLAS sgemv path it replaced; huge = 1
// (default) keeps the weight matrices in huge pages, huge = 0 where the loader put them.
// fused:0/huge:0 is the engine as it was before both; fused:0/huge:1 and fused:1/huge:0 separate
// the two changes (A/B in one run; add --benchmark_enable_random_interleaving=true).
// Env SB_BENCH_MODEL overrides the model spec (default "gpt2"; e.g. "shape:L=2,H=4,E=256,V=1000,P=256"
// for a quick run).
// packed::BM_PackedGemm/K/N/M (filter "Packed"): the prefill GEMM's kernel alone (engine/cpu/gemm.h,
// weights packed as at load), one thread, on gpt2's four shapes at 32/128/256 rows; GFLOP/s per
// core in CPU time (robust to other processes to first order), rotating over 12 weight copies so
// that they come from memory as in a prefill.  docs/perf.md, session 5, has its table.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/cpu/ceilings.h"
#include "engine/cpu/cpu_engine.h"
#include "engine/cpu/gemm.h"
#include "engine/cpu/gemv.h"
#include "engine/cpu/kernels.h"
#include "engine/cpu/thread_pool.h"
#include "model/model.h"

namespace {

using sb::engine::LogitsMode;

struct Shared {
  sb::model::GptWeights weights;
  sb::engine::CpuCeilings ceilings;
};

const Shared& shared() {
  static const Shared s = [] {
    const char* env = std::getenv("SB_BENCH_MODEL");
    Shared r{sb::model::load_model(env && *env ? env : "gpt2", 0).weights, {}};
    r.ceilings = sb::engine::measure_cpu_ceilings(sb::engine::available_cpus());
    return r;
  }();
  return s;
}

// Bytes one decode step must read: every layer matrix and vector, the tied head (V x E, read
// once as the LM head), ln_f, one wpe row; plus K and V of `past` positions in every layer.
double decode_bytes(const sb::model::GptConfig& c, int past) {
  const double E = c.n_embd, I = c.inner(), L = c.n_layer, V = c.vocab_size;
  const double layer = E * 3 * E + 3 * E + E * E + E + E * I + I + I * E + E + 4 * E;
  const double weights = L * layer + V * E + 2 * E + E;
  const double kv = 2.0 * L * past * E;
  return 4.0 * (weights + kv);
}

// Multiply-adds x2 of a prefill of batch x seq with last-position logits.
double prefill_flops(const sb::model::GptConfig& c, int batch, int seq) {
  const double E = c.n_embd, I = c.inner(), L = c.n_layer, V = c.vocab_size;
  const double tokens = static_cast<double>(batch) * seq;
  const double matmul = 2.0 * tokens * (E * 3 * E + E * E + 2 * E * I);
  const double attention = 2.0 * 2.0 * E * batch * (seq * (seq + 1) / 2.0);  // QK^T and PV
  return L * (matmul + attention) + 2.0 * E * V * batch;
}

// Timing is manual (steady_clock around the decode steps only; the prefill that starts each
// batch of steps is excluded), so that the counters are plain numbers, not rates.
void BM_DecodeB1(benchmark::State& state) {
  const auto& s = shared();
  const int prompt = static_cast<int>(state.range(0));
  const bool fused = state.range(1) != 0, huge = state.range(2) != 0;
  const int steps = 32;
  auto engine = sb::engine::make_cpu_engine(
      s.weights, {.threads = s.ceilings.threads, .max_batch = 1, .fused_gemv = fused,
                   .huge_page_weights = huge});
  const int V = s.weights.config.vocab_size;
  std::vector<std::int32_t> tokens(prompt);
  for (int i = 0; i < prompt; ++i) tokens[i] = (i * 7919 + 11) % V;
  sb::engine::StepResult r;
  double bytes = 0, seconds = 0, min_step_s = 1e30, min_step_bytes = 0;
  std::int64_t n_steps = 0;
  std::vector<std::int32_t> in;
  for (auto _ : state) {
    engine->prefill(1, prompt, tokens, LogitsMode::kNone, r);
    double dt = 0;
    for (int t = 0; t < steps; ++t) {
      const double step_bytes = decode_bytes(s.weights.config, engine->past_length() + 1);
      bytes += step_bytes;
      in = r.next_tokens;
      const auto t0 = std::chrono::steady_clock::now();
      engine->decode(in, LogitsMode::kNone, r);
      const double step_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      dt += step_s;
      if (step_s < min_step_s) {
        min_step_s = step_s;
        min_step_bytes = step_bytes;
      }
    }
    state.SetIterationTime(dt);
    seconds += dt;
    n_steps += steps;
  }
  const double floor_s = bytes / (s.ceilings.mem_bandwidth_gbps * 1e9);
  state.counters["ms_per_step"] = seconds / n_steps * 1e3;
  state.counters["floor_ms_per_step"] = floor_s / n_steps * 1e3;
  state.counters["x_floor"] = seconds / floor_s;
  state.counters["bandwidth_GBps"] = s.ceilings.mem_bandwidth_gbps;
  state.counters["achieved_GBps"] = bytes / seconds / 1e9;
  // Diagnostic only (the result is the mean above): the fastest single step, which shows what
  // the path does when the machine is briefly quiet.
  state.counters["min_step_x_floor"] = min_step_s / (min_step_bytes / (s.ceilings.mem_bandwidth_gbps * 1e9));
}

void BM_Prefill(benchmark::State& state) {
  const auto& s = shared();
  const int batch = static_cast<int>(state.range(0)), seq = static_cast<int>(state.range(1));
  // fused matters for batch x seq <= 8 rows, and (session 5) for the LM head of longer prompts
  // (0: OpenBLAS's, as before session 5).
  const bool fused = state.range(2) != 0;
  const bool huge = state.range(3) != 0;
  auto engine = sb::engine::make_cpu_engine(
      s.weights, {.threads = s.ceilings.threads, .max_batch = batch, .fused_gemv = fused,
                  .huge_page_weights = huge});
  const int V = s.weights.config.vocab_size;
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(batch) * seq);
  for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<std::int32_t>((i * 7919 + 11) % V);
  sb::engine::StepResult r;
  engine->prefill(batch, seq, tokens, LogitsMode::kLast, r);  // warm-up: buffers, OpenBLAS threads
  double seconds = 0;
  std::int64_t n = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    engine->prefill(batch, seq, tokens, LogitsMode::kLast, r);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(dt);
    seconds += dt;
    ++n;
  }
  const double gflops = prefill_flops(s.weights.config, batch, seq) * n / seconds * 1e-9;
  state.counters["ms"] = seconds / n * 1e3;
  state.counters["GFLOPs"] = gflops;
  state.counters["sgemm_peak_GFLOPs"] = s.ceilings.sgemm_gflops;
  state.counters["x_peak"] = gflops / s.ceilings.sgemm_gflops;
}

// --- The decode path's GEMV kernels alone (engine/cpu/gemv.h) ----------------------------------
// gpt2-shaped fp32 weights (12 layers x c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj, then the tied
// LM head as row dot products: 494 MB, far beyond any cache) at batch 1, every thread reading
// its own rows of each matrix with one pool barrier per matrix: the engine's decode step
// without its element-wise work.  Compared in the same run with a plain read of the same bytes
// (the ceiling's kernel, same huge-page mapping) and with OpenBLAS sgemv doing the same
// products.  Counter GBps_best: bytes / fastest iteration.
namespace chain {

using sb::engine::ThreadPool;
namespace gemv = sb::engine::gemv;
namespace kernels = sb::engine::kernels;

constexpr int kE = 768, kI = 3072, kV = 50257, kLayers = 12;

struct Weights {
  float* data = nullptr;
  std::size_t floats = 0, map_bytes = 0;
  Weights() {
    floats = static_cast<std::size_t>(kLayers) * (kE * 3 * kE + kE * kE + 2 * kE * kI) +
             static_cast<std::size_t>(kV) * kE;
    map_bytes = (floats * 4 + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    void* p = mmap(nullptr, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    madvise(p, map_bytes, MADV_HUGEPAGE);
    data = static_cast<float*>(p);
  }
  ~Weights() { munmap(data, map_bytes); }
  Weights(const Weights&) = delete;
  Weights& operator=(const Weights&) = delete;
  double bytes() const { return static_cast<double>(floats) * 4; }
};

struct Chain {
  ThreadPool pool{sb::engine::available_cpus()};
  Weights w;
  Chain() {
    const int T = pool.threads();
    pool.run([&](int t) {  // first touch by the thread that reads it, as in the ceiling
      const std::size_t a = w.floats * t / T, b = w.floats * (t + 1) / T;
      for (std::size_t i = a; i < b; ++i) w.data[i] = static_cast<float>(i % 13) * 0.01f - 0.06f;
    });
  }
};

Chain& chain() {
  static Chain c;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <typename Body>
void timed(benchmark::State& state, Body&& body) {
  double best = 1e30;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    const double dt = seconds_since(t0);
    best = std::min(best, dt);
    state.SetIterationTime(dt);
  }
  state.counters["GBps_best"] = chain().w.bytes() / best / 1e9;
  state.counters["threads"] = chain().pool.threads();
}

void BM_ChainReadSum(benchmark::State& state) {
  auto& c = chain();
  const int T = c.pool.threads();
  std::vector<float> sums(T);
  timed(state, [&] {
    c.pool.run([&](int t) {
      const std::size_t a = c.w.floats * t / T, b = c.w.floats * (t + 1) / T;
      sums[t] = kernels::sum(c.w.data + a, static_cast<std::int64_t>(b - a));
    });
  });
  benchmark::DoNotOptimize(sums.data());
}

// range(0) = gemv::Isa.
void BM_ChainGemv(benchmark::State& state) {
  auto& c = chain();
  const auto isa = static_cast<gemv::Isa>(state.range(0));
  if (!gemv::cpu_supports(isa)) {
    state.SkipWithError("this CPU lacks the instruction set");
    return;
  }
  const int T = c.pool.threads();
  std::vector<float> x(kI, 0.5f), partial(static_cast<std::size_t>(T) * kI);
  std::vector<gemv::Best> best_tok(T);
  state.SetLabel(gemv::isa_name(isa));
  timed(state, [&] {
    c.pool.run([&](int t) {
      const float* m = c.w.data;
      float* p = partial.data() + static_cast<std::size_t>(t) * kI;
      auto product = [&](int K, int N) {
        const int k0 = K * t / T, k1 = K * (t + 1) / T;
        gemv::gemv_accumulate_isa(isa, x.data() + k0, K, 1, k1 - k0,
                                  m + static_cast<std::size_t>(k0) * N, N, N, p, N, true);
        m += static_cast<std::size_t>(K) * N;
        c.pool.barrier();
      };
      for (int l = 0; l < kLayers; ++l) {
        product(kE, 3 * kE);
        product(kE, kE);
        product(kE, kI);
        product(kI, kE);
      }
      best_tok[t] = {0.0f, -1};
      gemv::rowdot_argmax_isa(isa, x.data(), kE, 1, kE, m, kV * t / T, kV * (t + 1) / T,
                              nullptr, kV, &best_tok[t]);
    });
  });
  benchmark::DoNotOptimize(best_tok.data());
}

void BM_ChainSgemv(benchmark::State& state) {
  auto& c = chain();
  openblas_set_num_threads(c.pool.threads());
  std::vector<float> x(kI, 0.5f), y(kV);
  timed(state, [&] {
    const float* m = c.w.data;
    auto product = [&](int K, int N) {
      cblas_sgemv(CblasRowMajor, CblasTrans, K, N, 1.0f, m, N, x.data(), 1, 0.0f, y.data(), 1);
      m += static_cast<std::size_t>(K) * N;
    };
    for (int l = 0; l < kLayers; ++l) {
      product(kE, 3 * kE);
      product(kE, kE);
      product(kE, kI);
      product(kI, kE);
    }
    cblas_sgemv(CblasRowMajor, CblasNoTrans, kV, kE, 1.0f, m, kE, x.data(), 1, 0.0f, y.data(), 1);
  });
  benchmark::DoNotOptimize(y.data());
}

}  // namespace chain

namespace packed {

void BM_PackedGemm(benchmark::State& state) {
  namespace gemm = sb::engine::gemm;
  if (!gemm::available()) {
    state.SkipWithError("no AVX-512F: the engine uses OpenBLAS");
    return;
  }
  const int K = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)),
            M = static_cast<int>(state.range(2));
  constexpr int kCopies = 12;  // 12 x 9.4 MB at the largest shape: beyond any cache
  std::vector<std::vector<float>> weights(kCopies);
  std::vector<float> w(static_cast<std::size_t>(K) * N);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i % 97) - 48) * 1e-3f;
  for (auto& p : weights) {
    p.resize(gemm::packed_floats(K, N));
    gemm::pack(w.data(), K, N, N, p.data());
  }
  std::vector<float> a(static_cast<std::size_t>(M) * K), c(static_cast<std::size_t>(M) * N);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i % 89) - 44) * 1e-2f;
  int copy = 0;
  for (auto _ : state) {
    const float* p = weights[copy].data();
    copy = (copy + 1) % kCopies;
    for (int panel = 0; panel < gemm::panels(N); ++panel) {
      gemm::gemm_packed_panel(panel, 0, M, a.data(), K, p, K, N, nullptr, gemm::Epilogue::kStore, c.data(), N);
    }
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * M * N * K * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace packed

}  // namespace

BENCHMARK(BM_DecodeB1)
    ->ArgNames({"prompt", "fused", "huge"})
    ->Args({64, 1, 1})->Args({64, 1, 0})->Args({64, 0, 1})->Args({64, 0, 0})
    ->Args({512, 1, 1})->Args({512, 0, 0})
    ->Unit(benchmark::kMillisecond)->UseManualTime();
BENCHMARK(BM_Prefill)
    ->ArgNames({"batch", "seq", "fused", "huge"})
    ->Args({4, 64, 1, 1})->Args({4, 64, 0, 0})->Args({1, 8, 1, 1})->Args({1, 8, 0, 0})
    ->Args({1, 128, 1, 1})
    ->Unit(benchmark::kMillisecond)->UseManualTime();
// Kernel-only view (filter "Chain"; add --benchmark_repetitions=5
// --benchmark_enable_random_interleaving=true on a busy machine).
BENCHMARK(chain::BM_ChainReadSum)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(0.5);
BENCHMARK(chain::BM_ChainGemv)->ArgName("isa")
    ->Arg(static_cast<int>(sb::engine::gemv::Isa::kAvx512))
    ->Arg(static_cast<int>(sb::engine::gemv::Isa::kAvx2))
    ->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(0.5);
BENCHMARK(chain::BM_ChainSgemv)->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(0.5);
BENCHMARK(packed::BM_PackedGemm)->ArgNames({"K", "N", "M"})
    ->ArgsProduct({{768}, {2304, 3072, 768}, {32, 128, 256}})
    ->ArgsProduct({{3072}, {768}, {32, 128, 256}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
