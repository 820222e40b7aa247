// engine/cpu/gemm — the prefill GEMMs of the CPU engine (fp32, AVX-512F).
// Contract:
//  - available(): the CPU (and OS) support AVX-512F; otherwise callers use OpenBLAS.
//  - Weights (a Conv1D, y = x @ W, W row-major [K, N]) are packed ONCE, at load, by pack() into
//    panels of kPanel columns: [panels(N)][K][kPanel], the last panel zero-padded.  A panel is
//    then one contiguous stream (the hardware prefetchers follow it; a row-major W puts the 48
//    columns of one k 9-12 KB apart, which also fall into the same few L1 sets).
//  - gemm_packed_panel(p, ...) computes columns [kPanel p, min(kPanel (p + 1), N)) of rows
//    [m0, m1) of C = epilogue(A @ W): panels (and row ranges) may run on different threads in
//    any order with no reduction: the result does not depend on the thread count.
//    Epilogues, fused into the store of the register tile (one pass over C):
//      kStore:        C = acc
//      kBias:         C = acc + bias
//      kBiasGelu:     C = gelu_new(acc + bias)       (kernels.h's formula and exp)
//      kBiasResidual: C = C + (acc + bias)           (the residual add: x + (h W + b), HF's order)
//    acc = sum_k A[m, k] W[k, n] accumulated in fp32 with FMA in increasing k from 0 (the
//    whole K in registers: no K blocking, so no partial sums leave the tile).  Agrees with a
//    double-precision reference to ~1e-6 relative of sum |a w|.
//  - gemm_small: C[M, N] = A[M, K] @ B[K, N] with B row-major (leading dimension ldb) and not
//    packed, for operands that are already in cache (attention: scores = Q K^T from a
//    transposed copy of K, and P V).  Same summation order (increasing k, FMA).
//  - gemv_packed: the fused decode step's K-split GEMV over rows [k0, k1) of a packed matrix:
//    acc[r, n] = sum_{k0 <= k < k1} x[r, k - k0] W[k, n] (overwrites acc), through the same
//    register tile (the rows are its M).  The decode path reads the same packed copy, so the
//    engine keeps one copy of each matrix.
//  - No allocation, no threads.
// Why not OpenBLAS: on the development VM the environment pins OpenBLAS 0.3.21 to its Haswell
// (AVX2) kernels (docs/perf.md), half this CPU's SGEMM rate, and prefill is ~75% GEMM.
// Tile: 8 rows x 48 columns (24 accumulators, 3 weight vectors and a broadcast per k: 28 of
// the 32 registers).  Measured per core in CPU time on gpt2's shapes (docs/perf.md, session 5):
// 155-197 GFLOP/s against 96-184 for the previous 6 x 64 tile over a panel copied per call;
// K blocking (128 or 256) and a 12 x 32 tile were slower.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sb::engine::gemm {

inline constexpr int kPanel = 48;  // columns per packed panel (three AVX-512 vectors)
inline constexpr int kRows = 8;    // rows per register tile

enum class Epilogue { kStore, kBias, kBiasGelu, kBiasResidual };

bool available();
inline int panels(int N) { return (N + kPanel - 1) / kPanel; }
inline std::size_t packed_floats(int K, int N) {
  return static_cast<std::size_t>(panels(N)) * static_cast<std::size_t>(K) * kPanel;
}

// W row-major [K, N] with leading dimension ldw -> out (packed_floats(K, N) floats).
void pack(const float* W, int K, int N, std::int64_t ldw, float* out);

void gemm_packed_panel(int panel, int m0, int m1, const float* A, int lda, const float* packed,
                       int K, int N, const float* bias, Epilogue epilogue, float* C, int ldc);

void gemm_small(const float* A, int lda, int M, const float* B, std::int64_t ldb, int K, int N,
                float* C, int ldc);

// rows: 1..kRows (= gemv::kMaxRows) activation rows of x (leading dimension ldx).
void gemv_packed(const float* x, int ldx, int rows, int k0, int k1, const float* packed, int K,
                 int N, float* acc, int lda);

}  // namespace sb::engine::gemm
