// engine/cpu/work_threads — how many threads an operation of the CPU engine is worth.
// Contract: each function returns clamp(work_us / costs.min_share_us, 1, max_threads), where
// work_us is the operation's work on ONE core (its bytes, FLOPs or elements over the per-core
// rates below) and min_share_us is the least work worth handing to one more thread.  Pure
// functions: for a given Costs (fixed for an engine's life) a given model, step shape and
// thread limit always get the same count, and with it the same fp32 summation order.
//
// Where min_share_us comes from (session 5): it is measured, not tuned.  Once per process and
// thread count, when the first such engine is built: (1) the cost of one barrier among the
// pool's threads (ThreadPool::measure_barrier: the minimum of 16-barrier round medians, threads
// that share a CPU re-placed, OpenBLAS's busy-waiting workers parked first), times kSyncMultiple, clamped to [kMinShareFloorUs, kMinShareCeilUs] and rounded
// to a power of two — a thread is worth adding while its share of the work is several barriers
// (W over T threads costs W/T + a barrier); (2) whether other work competes for the cores:
// the 1-minute load average per CPU this process may use at least kContendedLoadPerCpu.  A
// contended host gets the ceiling share, because there a barrier waits for a descheduled
// thread (~100 µs on the development VM) often enough to make small splits a loss, and a
// short measurement cannot see that reliably (median 0.05 µs on the VM at load 5; a contended
// host is therefore not measured at all).  Every
// engine of a process then agrees (bitwise-equal results for equal inputs).
// Session 4 used fixed amounts equivalent to ~25-50 µs per thread, chosen on the loaded 2-vCPU
// VM: on the quiet 16-core Xeon a barrier costs ~2-4 µs and those amounts kept e.g. tiny-gpt2's
// 2 MB LM head (batch 4) on 2 of 16 threads (decode 219-297 vs 120-125 µs before); a first try
// of this session with 16 barriers per share (and a mean that caught the fresh host's
// wake-ups) kept gpt2's decode layers on 5 of 16 threads (8.9 vs 3.6 ms per step).
// describe() prints the measurements and the share; CpuEngineOptions::min_share_us pins it.
#pragma once
#include <algorithm>
#include <cmath>

#include "model/config.h"

namespace sb::engine::work_threads {

// Per-core rates that turn work into time: the order of magnitude of both measured hosts
// (development VM, Zen 5: 25-30 GB/s streamed and 150-190 GFLOP/s of the engine's GEMM per
// core; docs/perf.md).  Only ratios to min_share_us matter; a 2x error moves each threshold 2x.
inline constexpr double kStreamBytesPerUs = 20e3;      // fused GEMV / LM head: 20 GB/s
inline constexpr double kGemmFlopsPerUs = 100e3;       // 100 GFLOP/s (GEMM, OpenBLAS or engine)
inline constexpr double kAttentionFlopsPerUs = 30e3;   // scores, softmax, weighted values
inline constexpr double kElementsPerUs = 1e3;          // LayerNorm, gelu_new: ~1 ns per element
// Each further activation row adds arithmetic to a streamed weight (the fused GEMV is
// bandwidth-bound at 1 row, ~2x slower at 8 rows: docs/perf.md, batch-4 decode).
inline constexpr double kExtraRowCost = 0.25;

inline constexpr double kSyncMultiple = 4;
inline constexpr double kMinShareFloorUs = 4;
inline constexpr double kMinShareCeilUs = 64;
// Without a measurement (adapt_threads with a single-thread pool, or a caller that does not
// measure): session 4's behaviour, ~32 µs of work per thread.
inline constexpr double kDefaultMinShareUs = 32;

struct Costs {
  double min_share_us = kDefaultMinShareUs;
};

inline constexpr double kContendedLoadPerCpu = 0.5;

// Rounded to a power of two, so that the small run-to-run spread of the measurement rarely
// changes a thread count (and with it the fp32 summation order).
inline Costs from_measurements(double barrier_us, double load_per_cpu) {
  if (load_per_cpu >= kContendedLoadPerCpu) return {kMinShareCeilUs};
  const double share = std::clamp(kSyncMultiple * barrier_us, kMinShareFloorUs, kMinShareCeilUs);
  return {std::exp2(std::round(std::log2(share)))};
}

inline int for_work(double work_us, int max_threads, const Costs& costs) {
  return static_cast<int>(std::clamp(work_us / costs.min_share_us, 1.0,
                                     static_cast<double>(std::max(1, max_threads))));
}

// The fused LM head (rows of wte dotted with `head_rows` rows, argmax fused; transposed: a GEMV
// over wte^T [E, V] that writes its V logits per row).
inline int head(const model::GptConfig& c, int head_rows, bool transposed_head, int max_threads,
                const Costs& costs = {}) {
  const double E = c.n_embd, V = c.vocab_size;
  const double head_bytes = transposed_head
                                ? 4.0 * V * (E + 2.0 * head_rows)
                                : 4.0 * V * E * (1.0 + (head_rows - 1) * kExtraRowCost);
  return for_work(head_bytes / kStreamBytesPerUs, max_threads, costs);
}

struct FusedStep {
  int layers;  // threads for the layer loop (barriers)
  int head;    // threads for the LM head
};

// A fused step of `rows` activation rows (batch x new positions) whose attention reads
// `cached_positions` keys and values per sequence (after this step's are appended), with the LM
// head over `head_rows` rows; transposed_head: the head runs over wte^T and writes its logits.
// The layer loop has four barriers per layer, so each quarter of a layer is one share.
inline FusedStep fused_step(const model::GptConfig& c, int rows, int head_rows,
                            int cached_positions, bool transposed_head, int max_threads,
                            const Costs& costs = {}) {
  const double E = c.n_embd, I = c.inner();
  const double layer_bytes = 4.0 * (E * (4 * E + 2 * I) * (1.0 + (rows - 1) * kExtraRowCost) +
                                    2.0 * rows * cached_positions * E);
  return {for_work(layer_bytes / 4 / kStreamBytesPerUs, max_threads, costs),
          head(c, head_rows, transposed_head, max_threads, costs)};
}

inline int gemm(double M, double N, double K, int max_threads, const Costs& costs = {}) {
  return for_work(2.0 * M * N * K / kGemmFlopsPerUs, max_threads, costs);
}

// Causal attention of `seq` new positions per sequence after `past` cached ones: scores and
// weighted values cost 4 D FLOPs per (query, key) pair.
inline int attention(const model::GptConfig& c, int batch, int seq, int past, int max_threads,
                     const Costs& costs = {}) {
  const double pairs = static_cast<double>(batch) * c.n_head * seq * (past + (seq + 1) / 2.0);
  return for_work(4.0 * c.head_dim() * pairs / kAttentionFlopsPerUs, max_threads, costs);
}

inline int elementwise(double elements, int max_threads, const Costs& costs = {}) {
  return for_work(elements / kElementsPerUs, max_threads, costs);
}

}  // namespace sb::engine::work_threads
