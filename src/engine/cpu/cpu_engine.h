// engine/cpu/cpu_engine — the native CPU engine: GPT-2 in strict fp32, the oracle that every
// other backend is checked against.
// Contract (on top of engine/engine.h):
//  - Computes exactly Hugging Face's GPT-2 (REFERENCE.md): Conv1D [in, out] GEMMs through
//    the engine's AVX-512 GEMM (engine/cpu/gemm.h: weights packed into column panels once at
//    load, bias / gelu_new / residual fused into its stores; OpenBLAS cblas_sgemm over the
//    row-major weights without AVX-512F or with native_gemm = false) for steps of more than 8
//    rows and its own GEMV kernels (engine/cpu/gemv.h, over the same packed copy) for smaller
//    ones; prefill attention through the same GEMM in blocks of 32 queries (no seq x seq matrix);
//    fp32, no reduced precision anywhere; LayerNorm with the
//    config's epsilon, gelu_new, scores / sqrt(head_dim) when scale_attn_weights, causal mask,
//    tied LM head.  Matches HF transformers within |a - b| <= 1e-4 + 1e-4 |ref| (golden tests).
//  - prefill(batch <= max_batch, seq <= max_seq): sb::Error names the limit otherwise; token ids
//    outside [0, vocab_size) give sb::Error naming the id, its position and the vocab size.
//    Errors are raised before any state changes: a failed call leaves the engine as it was.
//  - kNone and kLast both compute the LM head for the last position only (the greedy token
//    needs it); kAll computes it for every position (perplexity).
//  - threads: the most threads any operation uses.  With adapt_threads (the default) each
//    operation uses only as many as its work pays for (engine/cpu/cpu_engine.cc, "Work-size-aware
//    threading"): tiny models run on the calling thread alone, where a barrier or an OpenBLAS
//    wake-up would cost more than the arithmetic.  The least work per thread comes from a
//    barrier cost measured when the engine is built (min_share_us pins it).  OpenBLAS's thread
//    count is a process-wide setting, re-applied before every call; the engine's own pool runs
//    its GEMM panels, attention over batch x heads, LayerNorm and gelu_new.  The thread count chosen is a pure function of the model,
//    the step's shape (batch, new positions, cached positions) and that measured share, fixed for
//    the engine's life, so an engine's results stay deterministic;
//    a different thread count changes only the order of fp32 sums (within DESIGN.md's tolerance).
//  - describe() names OpenBLAS's kernel set and whether env OPENBLAS_CORETYPE forced it
//    (engine/cpu/openblas.h): prefill speed depends on it.
//  - Steps of <= 8 rows (batch x new positions; every decode step up to batch 8, short
//    prompts such as 1x8): one pool run per step with four
//    barriers per layer.  Every weight matrix is split by rows (K) across the threads, so
//    each thread streams one contiguous block of it; the per-thread partial sums are reduced
//    by the next operation's input (bias, residual, gelu_new and the K/V cache write fused
//    there), LayerNorm is computed by every thread on its own copy of the residual (cheaper
//    than a barrier), attention heads are split so that each thread's heads are exactly its
//    rows of attn.c_proj, and the tied LM head is a row-dot-product over each thread's share
//    of wte with the argmax fused (logits stored only when asked for).  Longer prompts use that
//    same LM head for their last positions (kNone / kLast; kAll over more than 8 rows: OpenBLAS).
//  - OpenBLAS's idle workers busy-wait after each call; before a fused step that follows
//    OpenBLAS work the engine stops them (process-wide, like its thread-count setting): do not
//    run OpenBLAS on another thread while a native-cpu engine steps.
//  - The KV cache is [layer][batch][head][max_seq][head_dim] fp32, allocated for the batch of
//    the current prefill (never for max_batch up front).
#pragma once
#include <memory>

#include "engine/engine.h"
#include "model/weights.h"

namespace sb::engine {

struct CpuEngineOptions {
  int threads = 0;    // 0 = every CPU this process may run on
  int max_batch = 8;
  int max_seq = 0;    // 0 = n_positions; larger than n_positions is an error
  // Steps of at most gemv::kMaxRows rows (batch x new positions: decode up to batch 8, short
  // prompts) run as one fused pass over the weights (engine/cpu/gemv.h) instead of OpenBLAS
  // GEMV/GEMM per matrix.  false selects the OpenBLAS path: kept for A/B comparisons in
  // bench_cpu_engine and the tests.
  bool fused_gemv = true;
  // The layer matrices and wte live in one mapping advised for transparent huge pages
  // (madvise; the kernel falls back to 4 KiB pages silently).  false keeps them where the
  // model loader put them (for A/B comparisons).
  bool huge_page_weights = true;
  // Each operation (each step on the fused path) uses only as many threads as its work pays
  // for, up to `threads`.  false = always `threads` (tests of the parallel code paths, A/B
  // comparisons in the benchmarks).
  bool adapt_threads = true;
  // The least work (µs on one core) worth one more thread (engine/cpu/work_threads.h).  0 =
  // derived from the cost of a barrier among the pool's threads, measured when the engine is
  // built (so the counts fit the host: many quiet cores split small work, a loaded 2-vCPU VM
  // does not); > 0 pins it (reproducible thread counts across engines, tests).
  double min_share_us = 0;
  // Prefill GEMMs (steps of more than gemv::kMaxRows rows) through the engine's AVX-512 kernel
  // (engine/cpu/gemm.h) when the CPU has AVX-512F; false, or no AVX-512F, = OpenBLAS sgemm.
  bool native_gemm = true;
};

std::unique_ptr<Engine> make_cpu_engine(const model::GptWeights& w, const CpuEngineOptions& o = {});
// Same, taking the weights over instead of copying them (large models: one copy in memory).
std::unique_ptr<Engine> make_cpu_engine(model::GptWeights&& w, const CpuEngineOptions& o = {});

}  // namespace sb::engine
