// engine/cpu/work_threads — how many threads an operation of the CPU engine is worth.
// Contract: pure functions of shapes (no clock, no machine probe), so a given model, step shape
// and thread limit always get the same count, and with it the same fp32 summation order: results
// stay deterministic.  Each returns clamp(work / work-per-thread, 1, max_threads).
//
// Why: a step of a small model is a few µs of arithmetic per layer; split over threads it pays a
// barrier per operation (fused path) or an OpenBLAS / pool hand-off per call, and on a host
// whose idle cores sleep deeply each of those can cost far more than the work (docs/perf.md:
// tiny-gpt2 decode 0.04 vs 1.7-1.9 ms per step on a quiet 16-core Xeon; threads = 1 2-20x faster
// than 2 below 1M parameters on the 2-vCPU VM).  The per-thread amounts are ~25-50 µs of work on
// one core of the development VM (Zen 5: ~20-40 GB/s streamed per core, ~100-150 GFLOP/s SGEMM
// per core): large against a barrier between spinning threads (~1-5 µs), and large enough that
// a thread that is late by a scheduler tick costs a bounded share (measured under load on the VM:
// a 30 µs tiny-gpt2 LM head took 130 µs when split over 2 threads); small against every matrix
// of a real model: gpt2 (28 MB of weights per layer) uses every thread up to 54 at batch 1,
// tiny-gpt2 (E = 2) only the caller's.
#pragma once
#include <algorithm>

#include "model/config.h"

namespace sb::engine::work_threads {

// Each further activation row adds arithmetic to a streamed weight (the fused GEMV is
// bandwidth-bound at 1 row, ~2x slower at 8 rows: docs/perf.md, batch-4 decode).
inline constexpr double kExtraRowCost = 0.25;
inline constexpr double kLayerBytesPerThread = 512.0 * 1024;  // fused step: 4 barriers per layer
inline constexpr double kHeadBytesPerThread = 1024.0 * 1024;  // fused LM head: one join
inline constexpr double kGemmFlopsPerThread = 4e6;            // OpenBLAS call
inline constexpr double kAttentionFlopsPerThread = 1e6;       // pool run over (batch, head)
inline constexpr double kElementsPerThread = 32768;           // LayerNorm, gelu_new

inline int for_work(double work, double per_thread, int max_threads) {
  return static_cast<int>(std::clamp(work / per_thread, 1.0, static_cast<double>(std::max(1, max_threads))));
}

struct FusedStep {
  int layers;  // threads for the layer loop (barriers)
  int head;    // threads for the LM head
};

// A fused step of `rows` activation rows (batch x new positions) whose attention reads
// `cached_positions` keys and values per sequence (after this step's are appended), with the LM
// head over `head_rows` rows; transposed_head: the head runs over wte^T and writes its logits.
inline FusedStep fused_step(const model::GptConfig& c, int rows, int head_rows,
                            int cached_positions, bool transposed_head, int max_threads) {
  const double E = c.n_embd, I = c.inner(), V = c.vocab_size;
  const double layer_bytes = 4.0 * (E * (4 * E + 2 * I) * (1.0 + (rows - 1) * kExtraRowCost) +
                                    2.0 * rows * cached_positions * E);
  const double head_bytes = transposed_head
                                ? 4.0 * V * (E + 2.0 * head_rows)
                                : 4.0 * V * E * (1.0 + (head_rows - 1) * kExtraRowCost);
  return {for_work(layer_bytes, kLayerBytesPerThread, max_threads),
          for_work(head_bytes, kHeadBytesPerThread, max_threads)};
}

inline int gemm(double M, double N, double K, int max_threads) {
  return for_work(2.0 * M * N * K, kGemmFlopsPerThread, max_threads);
}

// Causal attention of `seq` new positions per sequence after `past` cached ones: scores and
// weighted values cost 4 D FLOPs per (query, key) pair.
inline int attention(const model::GptConfig& c, int batch, int seq, int past, int max_threads) {
  const double pairs = static_cast<double>(batch) * c.n_head * seq * (past + (seq + 1) / 2.0);
  return for_work(4.0 * c.head_dim() * pairs, kAttentionFlopsPerThread, max_threads);
}

inline int elementwise(double elements, int max_threads) {
  return for_work(elements, kElementsPerThread, max_threads);
}

}  // namespace sb::engine::work_threads
