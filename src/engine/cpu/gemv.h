// engine/cpu/gemv — the bandwidth-bound matrix kernels of the CPU engine's decode path (fp32):
// a handful of activation rows (1..kMaxRows) against a weight matrix that is streamed from
// memory exactly once.
// Contract:
//  - gemv_accumulate: acc[b, n] (=|+=) sum_{k < K} x[b, k] * W[k, n] for b < rows, n < N.
//    W is row-major [K, N] with leading dimension ldw (a Conv1D weight, y = x @ W, or any
//    contiguous block of its rows).  The caller splits the K rows across threads: each thread
//    then reads one contiguous block of W front to back (the access pattern of the bandwidth
//    ceiling) and the per-thread partial sums are added afterwards (add_rows).
//  - rowdot_argmax: out[b, v] = dot(x[b], T[v]) for v in [v0, v1), T row-major [V, K] (the tied
//    LM head wte: logits = h @ wte^T); out may be null (then no logits are stored).  Updates
//    best[b] with the largest value and its lowest index (strictly greater wins, so scanning
//    in increasing v keeps the lowest id among equal maxima, like kernels::argmax).
//  - rows must be 1..kMaxRows; K, N >= 0.  No allocation, no threads.
//  - Implementations: AVX-512F, AVX2+FMA, and plain C++; the best one this CPU supports is
//    picked at first use (cpuid through __builtin_cpu_supports), never by compile flags.  Env
//    SB_CPU_GEMV_ISA=avx2|scalar caps the choice (for comparisons); the *_isa variants run a
//    given implementation directly (tests check every one the CPU can run).
//  - Summation order differs from BLAS (blocks of 8 rows of W per pass, per-lane partial
//    sums): results agree with a double-precision reference to ~1e-6 relative of sum |x w|.
#pragma once
#include <cstdint>

namespace sb::engine::gemv {

inline constexpr int kMaxRows = 8;

enum class Isa { kScalar, kAvx2, kAvx512 };
const char* isa_name(Isa isa);
// The implementation the dispatching functions use (the best supported, capped by the env).
Isa active_isa();
bool cpu_supports(Isa isa);

struct Best {
  float value;
  std::int32_t index;  // -1 until a value was seen
};

void gemv_accumulate(const float* x, int ldx, int rows, int K, const float* W, std::int64_t ldw,
                     int N, float* acc, int lda, bool overwrite);
void rowdot_argmax(const float* x, int ldx, int rows, int K, const float* T, int v0, int v1,
                   float* out, std::int64_t ldo, Best* best);

void gemv_accumulate_isa(Isa isa, const float* x, int ldx, int rows, int K, const float* W,
                         std::int64_t ldw, int N, float* acc, int lda, bool overwrite);
void rowdot_argmax_isa(Isa isa, const float* x, int ldx, int rows, int K, const float* T, int v0,
                       int v1, float* out, std::int64_t ldo, Best* best);

}  // namespace sb::engine::gemv
