// engine/cpu/gemm — the prefill GEMM of the CPU engine (fp32, AVX-512F): C[M, N] += A[M, K] @
// B[K, N], all row-major (a Conv1D: activations @ weight).
// Contract:
//  - available(): the CPU (and OS) support AVX-512F; otherwise callers use OpenBLAS.
//  - panels(N): the number of kPanel-column panels; gemm_panel(p, ...) computes columns
//    [kPanel p, min(kPanel (p + 1), N)) of C for every row, so panels may run on different
//    threads in any order with no reduction between them: the GEMM's result does not depend on the thread
//    count (the engine's prefill still does: its LM head is OpenBLAS's).
//  - Each output is sum_k A[m, k] B[k, n] accumulated in fp32 with FMA in increasing k from 0,
//    then added to C once (C += that sum): for a residual or a bias already in C, the products
//    are summed before they meet the (possibly large) existing value, as a BLAS with beta = 1
//    does.  Agrees with a double-precision reference to ~1e-6 relative of sum |a b|.
//  - pack must hold packed_floats(K) floats (the panel of B copied contiguously, [K][kPanel]);
//    one buffer per concurrent caller.  No allocation, no threads.
// Why not OpenBLAS: on the development VM the environment pins OpenBLAS 0.3.21 to its Haswell
// (AVX2) kernels (docs/perf.md, session 4), half this CPU's SGEMM rate, and prefill is ~90%
// GEMM; a 6 x 64 register tile of AVX-512 FMAs (24 accumulators) over a packed panel needs no
// tuning beyond it (measured against an 8 x 32 tile: 1x32 prefill 39.6 vs 42.8 ms, 4x64 235 vs
// 281 ms, gpt2, 2 threads, medians of 6, 16:19 UTC, load 1.4-1.7).
#pragma once
#include <cstddef>

namespace sb::engine::gemm {

inline constexpr int kPanel = 64;  // columns per panel (four AVX-512 vectors)
inline constexpr int kRows = 6;    // rows per register tile (24 accumulators)

bool available();
inline int panels(int N) { return (N + kPanel - 1) / kPanel; }
inline std::size_t packed_floats(int K) { return static_cast<std::size_t>(K) * kPanel; }

void gemm_panel(int panel, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                int M, int N, int K, float* pack);

}  // namespace sb::engine::gemm
