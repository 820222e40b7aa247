// engine/cuda/gemv.cu — the decode GEMV (launch_gemv): y[m, n] = epilogue(sum_k x'[m, k] W[n, k])
// for m < rows <= 4, one kernel for every weight format (fp32, fp16, bf16, int8, E4M3).
// Why this shape (docs/perf-cuda.md, "v3"): a decode GEMV at gpt2 size moves 1-5 MB, i.e.
// 0.3-1.2 us of bandwidth, so what costs is latency, not bytes:
//  - small blocks (4 warps) and one row group per warp, so N = 768 rows give 192 blocks on 132
//    SMs instead of 48;
//  - each warp loads the first chunk of its weight rows (8 16-byte loads per lane and row), its
//    bias and scales into registers BEFORE griddepcontrol.wait, i.e. while the previous kernel
//    still runs (programmatic dependent launch); only activations are read after the wait;
//  - the input rows are staged by a plain strided load loop with the LayerNorm sums fused into
//    it, then the statistics of all rows in one block reduction each, with gamma/beta in
//    registers.  (cp.async staging, staging through registers and an L2 prefetch of the rest of
//    the first rows were measured against it on an H100 and were slower or no faster: runs 2-3.)
//  - the residual rows the epilogue adds are loaded right after the wait, beside x.
//  - measured slower on an H100 and removed (session 4, docs/perf-cuda.md): loading the next row
//    group's first chunk before the current group's reductions (gpt2 B=1 +6%), and 20 instead of
//    8 weight loads per lane for the residual GEMVs (gpt2-xl B=4 +7%); and (session 5) an L2
//    prefetch of the next GEMV's weights, or of the LM head's next rows, before the wait (+1-4% /
//    no change); and (session 7, gpt2-xl, branch s7-xl commit c86ec4d) an L2 bulk prefetch of
//    each warp's post-wait weight bytes (later row groups: 0 / +2% at B=1 / B=4; also the rest of
//    its first rows: +2% / +6%), and LayerNorm gamma/beta staged by cp.async.cg instead of the
//    scalar loop (+24-30% at B=1: the loop's loads hit L1 for 7 of an SM's 8 blocks, cp.async.cg
//    goes to L2 and queues behind the kernel's own weight stream; ncu QKV 15.3 -> 22.5 us).
//  - measured on an H200 in session 10 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream
//    overlap" and "Session 10 (lead)"): a shared-memory weight ring at 2-3 blocks
//    per SM so that neighbouring kernels fit one SM side by side (V = 3, gemv_ring: gpt2-xl B=1
//    +20..+39%, every model and batch slower; the mlp c_proj alone at 4 slots x 2 blocks -1.4 /
//    -2.8% in one run each; off by default), and the input rows by the bulk-copy engine (V = 4,
//    gemv_xtma: gpt2-xl B=1 -2.2..-2.3% in three calls, +0.4..+1% in a fourth; +12..+41% at 2-4
//    rows; on by default where the rule says: one input row and n_embd >= 1600).
//  - measured on an H200 in session 11 (s11-xl; docs/perf-cuda.md "Session 11: why a lone gpt2-xl
//    decode GEMV streams at ~1 TB/s"; scripts/s11/gemv_probe.cu, a replica with a per-block
//    timeline): a lone LN GEMV is not DRAM-bound (the replica's first-wave weights land in ~3 us,
//    ~4.6 TB/s) but a serial chain after they land, each phase done by all 8 blocks of an SM: the
//    pre-wait gamma/beta loop behind the weights (3.9 us to the wait), the x bulk copy (1.4 us;
//    ld.global.cg 0.64), statistics (~2100 cycles), staging (~1400), dot products (~1400).  No
//    faster: gamma/beta by 16-byte loads or before the weights (-0.3 us alone, ~0 chained), 7 loads
//    per lane at 10 blocks per SM so no second row round (slower), one 1024-thread block per SM.
//    One LayerNorm per 256/512-thread block (template NT, gemv_ln_threads; bit-identical) is the
//    default by a rule on n_embd at one row: gpt2-medium -4..-5%, gpt2 -1.5..-2.5% (512),
//    gpt2-large -1.3..-2.5% (256), two calls each; gpt2-xl +3.6..+4.6% with both LN GEMVs at 512
//    (c_fc alone +4..+5.5%; QKV alone -0.4..-0.6% in one call: not yet a rule), so it keeps 128.
//    ncu's default clock control adds 11-17% to every GEMV's duration against --clock-control none.
//  - kQkvAttention (the QKV GEMV with the decode attention as a last-block-per-head tail) is
//    correct but slower than the two kernels it replaces (session 5: ncu 28 us vs 9 + 7 us for
//    gpt2); the engine keeps it behind an option that is off by default.
//  - fp8 (E4M3) weights at rows >= fp8_mma_min_rows() (default 2) and K % 16 == 0 take the
//    tensor cores (MMA = true, session 5b): the per-element conversions and FMAs of the scalar
//    path made it instruction-bound at 4 rows (slower than fp16).  A block owns 16 weight rows
//    (the mma's M side), its 4 warps split K in 64-byte steps, the 1-4 input rows quantized to
//    E4M3 codes in shared memory are the N = 8 side (zero-padded), fp32 accumulation (each step's
//    two mma results are added to plain fp32 sums), then a block reduction and the usual epilogue
//    by one thread per output row.
//    Measured (H200, docs/perf-cuda.md session 5b): batch 4 -16% (gpt2) to -24% (gpt2-large/xl);
//    at one row forced it was 13% faster on gpt2 but 1-5% slower on gpt2-large/xl (half as many
//    blocks), hence the default of 2 rows.
#include "engine/cuda/device_common.cuh"

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace sb::engine::cudak {
int env_int(const char* name, int fallback) {
  const char* e = std::getenv(name);
  return e != nullptr && *e != '\0' ? std::atoi(e) : fallback;
}
namespace {
int g_fp8_mma_min_rows = env_int("SB_FP8_MMA_MIN_ROWS", 2);
// fp8_mma_one_row (session 15): -1 the rule, else a mask of the sites (kSite) whose one-row fp8
// GEMVs take the tensor-core kernel below fp8_mma_min_rows.
// A site-mask switch's value (gemv_wide, fp8_mma_one_row): -1 the rule, else the mask (kSite bits).
int site_mode(int m) { return m < 0 ? -1 : (m & 15); }
int g_fp8_mma_one_row = site_mode(env_int("SB_FP8_MMA_ONE_ROW", -1));
int g_gemv_prewait_loads = env_int("SB_GEMV_PREWAIT", 8);
// gemv_split_k: 0 = the shape rule (launch3), 1 = off, 2 / 4 = forced where the grid fits.
int split_k_mode(int warps) { return warps >= 4 ? 4 : (warps >= 2 ? 2 : (warps == 1 ? 1 : 0)); }
int g_gemv_split_k = split_k_mode(env_int("SB_GEMV_SPLIT_K", 0));
// gemv_ring: slots per warp of the shared-memory weight ring (0 = off: the register path), and
// the ring kernels' blocks per SM (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap").
constexpr int kMaxRingSlots = 8;
int ring_slots_clamp(int s) { return s < 0 ? 0 : (s > kMaxRingSlots ? kMaxRingSlots : s); }
int g_gemv_ring = ring_slots_clamp(env_int("SB_GEMV_RING", 0));
int g_gemv_ring_blocks = env_int("SB_GEMV_RING_BLOCKS", 2) < 1 ? 1 : env_int("SB_GEMV_RING_BLOCKS", 2);
long long g_gemv_ring_launches = 0;
int g_gemv_ring_min_k = env_int("SB_GEMV_RING_MIN_K", 0);  // the ring only for rows of >= this K
// gemv_xtma: the input rows staged by the bulk-copy engine (V = 4); 0 = off, 1 = on, 2 = the rule.
int xtma_mode(int m) { return m < 0 ? 0 : (m > 2 ? 2 : m); }
int g_gemv_xtma = xtma_mode(env_int("SB_GEMV_XTMA", 2));  // the rule by default (session 10 call 6)
long long g_gemv_xtma_launches = 0;
long long g_gemv_ln_fold_launches = 0;
// gemv_ln_threads (session 11): threads per block of the LayerNorm'd fp16 one-row GEMVs (QKV, c_fc):
// 128 = main's blocks; 256 / 512 = one LayerNorm per 256- / 512-thread block (4 / 2 per SM);
// 0 = the rule by n_embd (ln_threads_rule), the default (session 11 calls 3-4).  gemv_ln_threads_which:
// bit 0 the QKV GEMV, bit 1 c_fc (A/B only; default both).
int ln_threads_mode(int t) { return t <= 0 ? 0 : (t >= 512 ? 512 : (t >= 256 ? 256 : 128)); }
int g_gemv_ln_threads = ln_threads_mode(env_int("SB_GEMV_LN_THREADS", 0));
int g_gemv_ln_threads_which = env_int("SB_GEMV_LN_THREADS_WHICH", 3);
long long g_gemv_ln_threads_launches = 0;
// gemv_wide (session 15): -1 the rule, else a mask of the sites forced wide where their rows fit
// (kernels.h: 1 QKV, 2 residual, 4 c_fc, 8 store).
int g_gemv_wide = site_mode(env_int("SB_GEMV_WIDE", -1));
long long g_gemv_wide_launches = 0;
// gemv_int8_r1 (session 15 call 9, H100: int8 B=3-4 -1.2..-4.3% on gpt2 .. gpt2-xl; medium B=3 +0.8%).
int g_gemv_int8_r1 = env_int("SB_GEMV_INT8_R1", 1);
// gemv_x_global (session 16, kernels.h): 1 on (the default), 0 off.
int g_gemv_x_global = env_int("SB_GEMV_X_GLOBAL", 1);
}  // namespace
void set_fp8_mma_min_rows(int rows) { g_fp8_mma_min_rows = rows; }
void set_fp8_mma_one_row(int mode) { g_fp8_mma_one_row = site_mode(mode); }
int fp8_mma_one_row() { return g_fp8_mma_one_row; }
int fp8_mma_min_rows() { return g_fp8_mma_min_rows; }
void set_gemv_prewait_loads(int loads) { g_gemv_prewait_loads = loads < 0 ? 0 : (loads > 8 ? 8 : loads); }
int gemv_prewait_loads() { return g_gemv_prewait_loads; }
void set_gemv_split_k(int warps) { g_gemv_split_k = split_k_mode(warps); }
int gemv_split_k() { return g_gemv_split_k; }
void set_gemv_ring(int slots) { g_gemv_ring = ring_slots_clamp(slots); }
int gemv_ring() { return g_gemv_ring; }
void set_gemv_ring_blocks(int blocks_per_sm) { g_gemv_ring_blocks = blocks_per_sm < 1 ? 1 : blocks_per_sm; }
int gemv_ring_blocks() { return g_gemv_ring_blocks; }
long long gemv_ring_launch_count() { return g_gemv_ring_launches; }
void set_gemv_ring_min_k(int k) { g_gemv_ring_min_k = k; }
int gemv_ring_min_k() { return g_gemv_ring_min_k; }
void set_gemv_xtma(int mode) { g_gemv_xtma = xtma_mode(mode); }
int gemv_xtma() { return g_gemv_xtma; }
long long gemv_xtma_launch_count() { return g_gemv_xtma_launches; }
long long gemv_ln_fold_launch_count() { return g_gemv_ln_fold_launches; }
void set_gemv_wide(int mode) { g_gemv_wide = site_mode(mode); }
int gemv_wide() { return g_gemv_wide; }
long long gemv_wide_launch_count() { return g_gemv_wide_launches; }
void set_gemv_int8_r1(int on) { g_gemv_int8_r1 = on; }
int gemv_int8_r1() { return g_gemv_int8_r1; }
void set_gemv_x_global(int on) { g_gemv_x_global = on; }
int gemv_x_global() { return g_gemv_x_global; }
void set_gemv_ln_threads(int threads) { g_gemv_ln_threads = ln_threads_mode(threads); }
void set_gemv_ln_threads_which(int mask) { g_gemv_ln_threads_which = mask; }
int gemv_ln_threads_which() { return g_gemv_ln_threads_which; }
// The measured rule (mode 0; docs/perf-cuda.md session 11, H200), only at the widths measured: K =
// n_embd 768..1024 (gpt2, gpt2-medium) 512 threads, 1025..1280 (gpt2-large) 256; gpt2-xl (1600,
// slower with either) and every width not measured 128.
int ln_threads_rule(int k_in) {
  return k_in < 768 ? 128 : (k_in <= 1024 ? 512 : (k_in <= 1280 ? 256 : 128));
}
int gemv_ln_threads() { return g_gemv_ln_threads; }
long long gemv_ln_threads_launch_count() { return g_gemv_ln_threads_launches; }
}  // namespace sb::engine::cudak

namespace sb::engine::cudak::detail {
namespace {

// The epilogues that write q|k|v rows and scatter k and v into the KV cache.
__host__ __device__ constexpr bool qkv_epi(GemvEpilogue e) {
  return e == GemvEpilogue::kQkvScatter || e == GemvEpilogue::kQkvAttention;
}

// What a warp's GEMV epilogue reads besides its dot products, for output rows n0 .. n0 + R
// (lane 0 only).  Split in two so a kernel can issue the loads early: weights() touches only
// weight-like data (bias, per-channel scales) and may run before griddepcontrol.wait;
// activations() reads what the previous kernel wrote (the residual rows, the position).
template <typename T, int M, GemvEpilogue EPI, int R>
struct GemvSide {
  float bias[R];
  float w_scale[R];
  float res[R][M];
  float fold_g[R];  // LayerNorm folding (GemvArgs::ln_fold): g[n] of each row; c[n] is added to bias
  int past = 0;
  __device__ __forceinline__ void weights(const GemvArgs& a, int n0, int N) {
    const T* b = static_cast<const T*>(a.bias);
#pragma unroll
    for (int r = 0; r < R; ++r) {
      const bool in = n0 + r < N;
      bias[r] = (b != nullptr && in) ? to_f(b[n0 + r]) : 0.0f;
      w_scale[r] = (a.w_scale != nullptr && in) ? a.w_scale[n0 + r] : 1.0f;
    }
  }
  // After weights(), for the folded LayerNorm kernels only.
  __device__ __forceinline__ void fold(const GemvArgs& a, int n0, int N) {
#pragma unroll
    for (int r = 0; r < R; ++r) {
      const bool in = n0 + r < N;
      fold_g[r] = in ? a.ln_fold[n0 + r] : 0.0f;
      bias[r] += in ? a.ln_fold[N + n0 + r] : 0.0f;
    }
  }
  __device__ __forceinline__ void activations(const GemvArgs& a, int n0, int N) {
    if constexpr (EPI == GemvEpilogue::kResidual) {
#pragma unroll
      for (int r = 0; r < R; ++r)
#pragma unroll
        for (int m = 0; m < M; ++m)
          res[r][m] = n0 + r < N ? to_f(static_cast<const T*>(a.out)[m * a.out_row_stride + n0 + r]) : 0.0f;
    }
    if constexpr (qkv_epi(EPI)) past = *a.past_len;
  }
};

// The fused epilogue of one warp's output rows n0 .. n0 + nrows (lane 0 only): acc holds the
// finished dot products (dequantized for the int8/fp8 weights); bias, activation, residual, KV
// scatter or argmax follow, with side's values.
template <typename T, int M, GemvEpilogue EPI, int R>
__device__ __forceinline__ void gemv_epilogue(const GemvArgs& a, int n0, int nrows,
                                              const float (&acc)[R][M],
                                              const GemvSide<T, M, EPI, R>& side,
                                              unsigned long long (&best)[M]) {
#pragma unroll
  for (int r = 0; r < R; ++r) {
    if (r >= nrows) break;
    const int n = n0 + r;
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float v = acc[r][m] + side.bias[r];
      if constexpr (EPI == GemvEpilogue::kArgmax) {
        if (a.logits != nullptr) a.logits[m * a.logits_row_stride + n] = v;
        const unsigned long long key = argmax_key(v, static_cast<std::uint32_t>(n));
        best[m] = key > best[m] ? key : best[m];
      } else {
        T* o = static_cast<T*>(a.out) + m * a.out_row_stride + n;
        if constexpr (EPI == GemvEpilogue::kStore || qkv_epi(EPI)) {
          *o = from_f<T>(v);
        } else if constexpr (EPI == GemvEpilogue::kGelu) {
          *o = from_f<T>(gelu_new(v));
        } else if constexpr (EPI == GemvEpilogue::kResidual) {
          *o = from_f<T>(side.res[r][m] + v);
        }
        if constexpr (qkv_epi(EPI)) {
          const int E = a.n_head * a.head_dim;
          if (n >= E) {
            const int which = n / E, hd = n - which * E;
            const int h = hd / a.head_dim, d = hd - h * a.head_dim;
            const int b = m / a.seq, s = m - b * a.seq;
            const long long dst =
                ((static_cast<long long>(b) * a.n_head + h) * a.max_t + side.past + s) *
                    a.head_dim + d;
            T* cache = static_cast<T*>(which == 1 ? a.k_cache : a.v_cache);
            cache[dst] = from_f<T>(v);
          }
        }
      }
    }
  }
}


constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kChunk = 8;    // 16-byte loads per lane and weight row issued before their use
constexpr int kStageVecs = 2;  // 16-byte input loads per thread in flight together (staging)
// LM head with K <= kSmallK (tiny models: tiny-gpt2's E = 2): a lane per weight row, 32 rows per warp, so a
// 50257-row LM head is one row group per lane instead of ~12 serial rows per warp (whose loads
// were issued after the wait, one round trip each).
constexpr int kSmallK = 8;

// Element i (compile-time after unrolling) of a register chunk, as 32-bit words: the small-K path
// keeps its row's weights (converted to fp32 bits) in the registers the vector path uses.
template <int C>
__device__ __forceinline__ unsigned& word_at(uint4 (&c)[C], int i) {
  uint4& q = c[i >> 2];
  switch (i & 3) {
    case 0: return q.x;
    case 1: return q.y;
    case 2: return q.z;
    default: return q.w;
  }
}

enum Format { kF32, kF16, kBF16, kI8, kFp8 };
// The tensor-core fp8 path (MMA): weight rows per block (the mma's M) and K per warp step (two
// m16n8k32 mmas: each lane of a 4-lane group holds 16 consecutive bytes of its two rows).
constexpr int kMmaRows = 16;
constexpr int kMmaStepK = 64;
// Row stride of the E4M3 code copy of the input rows in shared memory: K rounded up so that
// stride % 128 == 64, so the 16-byte reads of rows g and g + 1 (one quarter-warp phase) fall in
// different halves of the 32 banks.
__host__ __device__ constexpr int mma_code_stride(int K) { return K + ((64 - K % 128) + 128) % 128; }

// T: activation type; X: staged input type in shared memory; per_vec: weights per 16 bytes.
template <int F> struct Fmt;
template <> struct Fmt<kF32> { using T = float; using X = float; static constexpr int kPerVec = 4; };
template <> struct Fmt<kF16> { using T = __half; using X = __half; static constexpr int kPerVec = 8; };
template <> struct Fmt<kBF16> { using T = __nv_bfloat16; using X = __nv_bfloat16; static constexpr int kPerVec = 8; };
template <> struct Fmt<kI8> { using T = __half; using X = signed char; static constexpr int kPerVec = 16; };
// fp8: the staged input is the fp16 value of its E4M3 code (exact).  (Staging it as fp32, which
// saves the per-product conversions of x, measured slower on the H100 at every batch size:
// twice the shared memory per row, fewer resident blocks; docs/perf-cuda.md session 3.)
template <> struct Fmt<kFp8> { using T = __half; using X = __half; static constexpr int kPerVec = 16; };
template <int F> constexpr bool kQuant = F == kI8 || F == kFp8;
// Rows per warp: 1-byte weights take two rows at once so a lane keeps as many bytes in flight.
template <int F> constexpr int kRows = kQuant<F> ? 2 : 1;
// The wide variant (V = 6, gemv_wide): int8 / fp8 rows of at most 32 x kWideChunk 16-byte vectors
// (2,048 bytes), kWideRows per warp with kWideChunk loads per lane each: the registers of the
// 2-row, 8-load chunk (64), all of them useful at n_embd-wide rows.
constexpr int kWideRows = 4, kWideChunk = 4;
// Resident blocks per SM the register budget is capped for (__launch_bounds__): 8 x 128 threads
// at <= 64 registers for one row per warp and up to 2 input rows, so gpt2's c_fc (768 blocks)
// and most of a large LM head are resident at once and every warp's first weight rows are in
// registers before the wait (at 87 registers only 5 blocks fit per SM: session 3,
// docs/perf-cuda.md).  3-4 input rows and 2 weight rows per warp need more registers (64 spill).
template <int F, int M> constexpr int kMinBlocks = kRows<F> == 1 ? (M <= 2 ? 8 : 6) : (M <= 2 ? 4 : 3);

// Shared memory of a launch: staged input rows (X), raw rows (T, when X != T), and LayerNorm
// gamma/beta (fp32, staged before the wait) when the prologue is on.
template <int F, int M>
struct GemvSmem {
  using T = typename Fmt<F>::T;
  using X = typename Fmt<F>::X;
  __host__ __device__ static std::size_t raw_offset(int K) {
    return std::is_same_v<X, T> ? 0 : (static_cast<std::size_t>(M) * K * sizeof(X) + 15) & ~std::size_t{15};
  }
  __host__ __device__ static std::size_t ln_offset(int K) {
    const std::size_t end = std::is_same_v<X, T> ? static_cast<std::size_t>(M) * K * sizeof(X)
                                                 : raw_offset(K) + static_cast<std::size_t>(M) * K * sizeof(T);
    return (end + 15) & ~std::size_t{15};
  }
  static std::size_t bytes(int K, bool ln) { return ln_offset(K) + (ln ? 2ull * K * sizeof(float) : 0); }
  // MMA path: the E4M3 codes of the M input rows after everything else.
  __host__ __device__ static std::size_t code_offset(int K, bool ln) {
    return (ln_offset(K) + (ln ? 2ull * K * sizeof(float) : 0) + 15) & ~std::size_t{15};
  }
  static std::size_t bytes_mma(int K, bool ln) {
    return code_offset(K, ln) + static_cast<std::size_t>(M) * mma_code_stride(K);
  }
  // Weight ring (V == 3): kWarps x slots chunks of 32 x kChunk 16-byte vectors after everything
  // else (the MMA path's codes never coexist with it).
  __host__ __device__ static std::size_t ring_offset(int K, bool ln) { return code_offset(K, ln); }
  static std::size_t bytes_ring(int K, bool ln, int slots) {
    return ring_offset(K, ln) + static_cast<std::size_t>(kWarps) * slots * 32 * kChunk * 16;
  }
};

// D += A (16 x 32 E4M3, row) * B (32 x 8 E4M3, col), fp32 accumulators (sm_89+).
__device__ __forceinline__ void mma_e4m3_16832(float (&d)[4], unsigned a0, unsigned a1, unsigned a2,
                                               unsigned a3, unsigned b0, unsigned b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

// One element through L2 only (ld.global.cg): data written by other blocks of this launch.
template <typename T> __device__ __forceinline__ T ldcg_t(const T* p);
template <> __device__ __forceinline__ float ldcg_t<float>(const float* p) { return __ldcg(p); }
template <> __device__ __forceinline__ __half ldcg_t<__half>(const __half* p) { return __ldcg(p); }
template <> __device__ __forceinline__ __nv_bfloat16 ldcg_t<__nv_bfloat16>(const __nv_bfloat16* p) {
  return __ldcg(p);
}

// acc[m] += <16 weight bytes at vector index v, staged x[m, v*per_vec ...]>.
template <int F, int M, typename Acc>
__device__ __forceinline__ void dot_vec(const uint4& w, const typename Fmt<F>::X* xs, int K, int v,
                                        Acc (&acc)[M]) {
  using X = typename Fmt<F>::X;
  constexpr int VN = Fmt<F>::kPerVec;
  if constexpr (F == kI8) {
    const int4 wi = *reinterpret_cast<const int4*>(&w);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const int4 xv = *reinterpret_cast<const int4*>(xs + m * K + v * VN);
      int t = acc[m];
      t = __dp4a(wi.x, xv.x, t);
      t = __dp4a(wi.y, xv.y, t);
      t = __dp4a(wi.z, xv.z, t);
      t = __dp4a(wi.w, xv.w, t);
      acc[m] = t;
    }
  } else if constexpr (F == kFp8) {
    float wf[16];
    fp8x16_to_float(w, wf);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      float xv[16];
      Vec16<__half>::load(xs + m * K + v * VN, *reinterpret_cast<float(*)[8]>(xv));
      Vec16<__half>::load(xs + m * K + v * VN + 8, *reinterpret_cast<float(*)[8]>(xv + 8));
#pragma unroll
      for (int i = 0; i < 16; ++i) acc[m] += wf[i] * xv[i];
    }
  } else {
    dot16_rows<X, M>(w, xs, K, v, acc);
  }
}

// ---- Fused QKV + decode attention (kQkvAttention): the tail of the block that finished head h.
// Every q/k/v row of head h is written (q into a.out, the new key and value into the caches at
// position past, by this and other blocks: read through L2 with ld.cg), and every older cache
// row by earlier passes.  One query per batch row m (seq 1); the block's 4 warps are shared out
// as 4 / M warps per query (M = 3: one each, warp 3 idles), each warp taking 32-key chunks
// with an online softmax (lane = key for the scores, lane = value dimension for the sums), then
// the warps of a query are combined in shared memory.  Same arithmetic as the separate decode
// attention kernel (kernels.cu) up to the order of the fp32 sums.
// (Not inlined, and given scalars rather than the GemvArgs: its registers stay out of the GEMV
// body's budget, and a reference to the kernel parameter would copy it to local memory.)
// NCH = ceil(head_dim / 32): value dimensions per lane.
template <typename T, int M, int NCH>
__device__ __noinline__ void head_attention(const T* q, long long q_row_stride, const T* k_cache,
                                            const T* v_cache, T* out, float att_scale, int H,
                                            int D, int max_t, int h, int past) {
  constexpr int kMaxD = kMaxHeadDim;
  constexpr int WQ = M == 1 ? kWarps : (M == 2 ? kWarps / 2 : 1);  // warps per query
  __shared__ float q_s[M][kMaxD];
  __shared__ float w_m[kWarps], w_l[kWarps];
  __shared__ float w_acc[kWarps][kMaxD];
  const int E = H * D;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  for (int i = tid; i < M * D; i += kThreads) {
    const int m = i / D, d = i - m * D;
    q_s[m][d] = to_f(ldcg_t(q + m * q_row_stride + h * D + d)) * att_scale;
  }
  __syncthreads();
  const int m = warp / WQ, part = warp - m * WQ, n_keys = past + 1;
  float mx = -INFINITY, l = 0.0f, acc[NCH];
#pragma unroll
  for (int c = 0; c < NCH; ++c) acc[c] = 0.0f;
  if (m < M) {
    const long long head_base = (static_cast<long long>(m) * H + h) * max_t * D;  // b = m
    const T* kb = k_cache + head_base;
    const T* vb = v_cache + head_base;
    const bool vec = (D * sizeof(T)) % 16 == 0;
    for (int t0 = part * 32; t0 < n_keys; t0 += WQ * 32) {
      const int cnt = min(32, n_keys - t0);
      float sc = -INFINITY;
      if (lane < cnt) {
        const T* kr = kb + static_cast<long long>(t0 + lane) * D;
        float s = 0.0f;
        if (vec) {
          constexpr int V = 16 / static_cast<int>(sizeof(T));
#pragma unroll 8
          for (int d = 0; d < D; d += V) {
            union { uint4 u; T t[V]; } kv;
            kv.u = __ldcg(reinterpret_cast<const uint4*>(kr + d));
#pragma unroll
            for (int i = 0; i < V; ++i) s += q_s[m][d + i] * to_f(kv.t[i]);
          }
        } else {
          for (int d = 0; d < D; ++d) s += q_s[m][d] * to_f(ldcg_t(kr + d));
        }
        sc = s;
      }
      const float m_new = fmaxf(mx, warp_max(sc));
      const float corr = expf(mx - m_new);
      const float p = lane < cnt ? expf(sc - m_new) : 0.0f;
      l = l * corr + warp_sum(p);
#pragma unroll
      for (int c = 0; c < NCH; ++c) acc[c] *= corr;
      // Values 8 keys at a time: all 8 x NCH loads in flight before their first use.
      for (int j0 = 0; j0 < cnt; j0 += 8) {
        float vv[8][NCH];
#pragma unroll
        for (int u = 0; u < 8; ++u) {
          const T* vr = vb + static_cast<long long>(t0 + j0 + u) * D;
#pragma unroll
          for (int c = 0; c < NCH; ++c) {
            const int d = lane + 32 * c;
            vv[u][c] = (j0 + u < cnt && d < D) ? to_f(ldcg_t(vr + d)) : 0.0f;
          }
        }
#pragma unroll
        for (int u = 0; u < 8; ++u) {
          const float pj = __shfl_sync(kFull, p, (j0 + u) & 31);
#pragma unroll
          for (int c = 0; c < NCH; ++c) acc[c] += pj * vv[u][c];
        }
      }
      mx = m_new;
    }
  }
  if (lane == 0) {
    w_m[warp] = mx;
    w_l[warp] = l;
  }
#pragma unroll
  for (int c = 0; c < NCH; ++c) {
    const int d = lane + 32 * c;
    if (d < D) w_acc[warp][d] = acc[c];
  }
  __syncthreads();
  for (int i = tid; i < M * D; i += kThreads) {
    const int qm = i / D, d = i - qm * D;
    float gm = -INFINITY;
    for (int w = qm * WQ; w < qm * WQ + WQ; ++w) gm = fmaxf(gm, w_m[w]);
    float lsum = 0.0f, o = 0.0f;
    for (int w = qm * WQ; w < qm * WQ + WQ; ++w) {
      if (w_l[w] > 0.0f) {
        const float e = expf(w_m[w] - gm);
        lsum += w_l[w] * e;
        o += w_acc[w][d] * e;
      }
    }
    out[static_cast<long long>(qm) * E + h * D + d] = from_f<T>(o / lsum);
  }
  __syncthreads();  // q_s / w_* are reused by the block's next head
}

// The input-staging mbarrier of the V = 4 kernels and the ring slots' mbarriers of the V = 3
// kernels (static shared memory only where they are used).
__device__ __forceinline__ unsigned long long* x_stage_bar() {
  __shared__ unsigned long long bar;
  return &bar;
}
__device__ __forceinline__ unsigned long long* ring_bars(int warp) {
  __shared__ unsigned long long bars[kWarps][kMaxRingSlots];
  return bars[warp];
}

// f(k, x[k]) for thread `tid`'s elements of one 16-byte-aligned input row of K (a multiple of 8)
// values, read as 16-byte vectors through L2 (gemv_x_global's two passes: the maxima, the codes).
template <int NT, typename T, typename Fn>
__device__ __forceinline__ void row_elems_l2(const T* row, int K, int tid, Fn&& f) {
  const uint4* xr = reinterpret_cast<const uint4*>(row);
#pragma unroll 2
  for (int v = tid; v < K / 8; v += NT) {
    union { uint4 u; T t[8]; } e;
    e.u = __ldcg(xr + v);
#pragma unroll
    for (int j = 0; j < 8; ++j) f(v * 8 + j, to_f(e.t[j]));
  }
}

// V (variant, docs/perf-cuda.md session 8): 0 = the plain kernel (one warp per row group, the
// whole first chunk before the wait); 1 = split K (a.split_k warps per row group); 2 = a.prewait_loads
// of the first chunk's loads before the wait, the rest after the input loads; 3 (session 10) =
// the weight ring: the first chunk in registers, every later chunk through a.ring_slots
// shared-memory slots per warp (one bulk copy per chunk), the first a.ring_slots of them copied before the wait
// and each consumed slot refilled with the warp's next chunk at once; 4 (session 10) = the
// register path with the input rows copied into shared memory by the bulk-copy engine
// (cp.async.bulk, one per row, completion on an mbarrier) instead of ld.global.cg.  Separate
// instantiations so the plain kernel keeps its register budget (both as runtime values in one
// kernel spilled 48-170 bytes at 64 registers).
template <int F> constexpr bool kHasVariants = F == kF16 || F == kI8;

// The ring kernel (V == 3) runs at most gemv_ring_blocks (default 2) blocks per SM, so it is given
// the 6-block register budget (<= 80 registers; at 64 its ring cursor spilled 4-60 bytes).
// NT (session 11, gemv_ln_threads): threads per block; 128 everywhere but the LayerNorm'd one-row
// GEMVs when the switch asks for 256 / 512 (4 / 2 blocks per SM at the same 64 registers): the
// LayerNorm (x copy, gamma/beta, statistics, staging) is then done once per 8 / 16 warps instead of
// once per 4, i.e. 4x / 2x less often per SM (s11-xl's probe: each of those phases is
// instruction-issue bound by 8 blocks per SM doing the same LayerNorm).  The body's kThreads /
// kWarps are the block's; the statistics keep main's 128-thread partial sums (kLnThreads), so the
// results are bit-identical at every NT.
// V (the variant): 0 the register path, 1 split K, 2 part of the first chunk after the wait, 3 the
// weight ring, 4 the input rows by the bulk-copy engine (xtma), 5 the LayerNorm folded into the
// weights (GemvArgs::ln_fold; session 12; with its input rows by the plain loads: the xtma staging
// beside it measured +15% on gpt2-xl at batch 1, docs/perf-cuda.md "Session 12").
template <int F, int M, GemvEpilogue EPI, bool MMA, int V, int NT = 128>
__global__ void __launch_bounds__(NT, NT != 128 ? 1024 / NT : (V == 3 || V == 7 ? 6 : kMinBlocks<F, M>)) gemv3_kernel(GemvArgs a) {
  static_assert(!MMA || (F == kFp8 && EPI != GemvEpilogue::kQkvAttention && EPI != GemvEpilogue::kArgmax),
                "the tensor-core path is fp8 only, without the fused attention tail or argmax");
  static_assert(NT == 128 || (!MMA && V != 3 && EPI != GemvEpilogue::kQkvAttention && EPI != GemvEpilogue::kArgmax),
                "bigger blocks: register path only, not the ring (its barriers are sized for 4 warps), the attention tail or argmax");
  constexpr int kThreads = NT, kWarps = NT / 32;  // (shadow the namespace's 128 / 4)
  constexpr int kLnThreads = 128;                 // threads that sum the LayerNorm statistics
  constexpr bool FOLD = V == 5, XTMA = V == 4;
  static_assert(!FOLD || ((F == kF16 || F == kBF16) && !MMA &&
                          (EPI == GemvEpilogue::kQkvScatter || EPI == GemvEpilogue::kGelu)),
                "LayerNorm folding: fp16/bf16 register path, QKV and c_fc epilogues");
  // Folded LayerNorm: per-warp partial sums of x and x^2 of each input row ([0..kWarps) and
  // [kWarps..2 kWarps)).
  __shared__ float fold_red[FOLD ? 2 * kWarps : 1][M];
  using T = typename Fmt<F>::T;
  using X = typename Fmt<F>::X;
  using Acc = std::conditional_t<F == kI8, int, float>;
  constexpr bool WIDE = V == 6;
  static_assert(!WIDE || (kQuant<F> && !MMA && NT == 128 && EPI != GemvEpilogue::kQkvAttention &&
                          EPI != GemvEpilogue::kArgmax),
                "the wide variant: int8 / fp8 register path, 128 threads, layer GEMVs");
  constexpr int VN = Fmt<F>::kPerVec, R = WIDE ? kWideRows : (V == 7 ? 1 : kRows<F>);
  constexpr std::size_t kWBytes = kQuant<F> ? 1 : sizeof(T);
  extern __shared__ __align__(16) unsigned char smem_raw[];
  __shared__ float red[kWarps][M];
  __shared__ unsigned long long best_s[kWarps][M];
  const int K = a.k_in, N = a.n_out, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  X* xs = reinterpret_cast<X*>(smem_raw);
  // Raw input rows (copied from global memory before any transform): in place (X == T) or after
  // xs (int8, fp8); LayerNorm gamma and beta after them.
  T* raw = reinterpret_cast<T*>(smem_raw + GemvSmem<F, M>::raw_offset(K));
  float* ln_g = reinterpret_cast<float*>(smem_raw + GemvSmem<F, M>::ln_offset(K));
  float* ln_b = ln_g + K;
  const bool vec = K % VN == 0;
  const int KV = vec ? K / VN : 0;  // 16-byte vectors per weight row
  const std::size_t row_bytes = static_cast<std::size_t>(K) * kWBytes;
  const unsigned char* Wb = static_cast<const unsigned char*>(a.w);
  // Only the LM head (argmax epilogue) has many rows at small K; keeping the other epilogues off
  // this path keeps their register budget (ptxas: spills at 2-4 input rows otherwise).
  const bool small_k = EPI == GemvEpilogue::kArgmax && K <= kSmallK;
  const int G = small_k ? 32 : R;  // weight rows per warp and row group
  // Split K (a.split_k = S warps per row group, host-chosen, 1 on the small-K, MMA and QKV/argmax
  // paths): warp `part` of group `grp` reads vectors [vbeg, vend) of the group's rows, and the S
  // partial sums are added in part order before the epilogue (part 0 runs it).
  const int S = V == 1 ? a.split_k : 1, WG = kWarps / S, grp = warp / S, part = warp - grp * S;
  const int KVp = (KV + S - 1) / S;
  const int vbeg = S == 1 ? 0 : min(KV, part * KVp), vend = S == 1 ? KV : min(KV, vbeg + KVp);
  // MMA: a block's row group is kMmaRows rows shared by its warps (n0 is the block's first row).
  const int group_stride = MMA ? gridDim.x * kMmaRows : gridDim.x * WG * G;
  int n0 = MMA ? blockIdx.x * kMmaRows : (blockIdx.x * WG + grp) * G;
  // MMA lane roles: g = lane / 4 (weight rows n0 + g and n0 + g + 8; input row g for B), t = lane
  // % 4 (bytes t * 16 .. + 15 of each 64-byte K step); KS = K steps; xc = the input codes.
  const int mg = lane >> 2, mt = lane & 3;
  const int KS = (K + kMmaStepK - 1) / kMmaStepK;
  const int XS = mma_code_stride(K);
  unsigned char* xc = smem_raw + GemvSmem<F, M>::code_offset(K, a.ln_gamma != nullptr);

  step_stamp(a.step_trace, 0);
  pdl_trigger();
  // ---- Before the wait: weights, biases, scales, LayerNorm parameters (nothing the previous
  // kernel writes).
  constexpr int CH = WIDE ? kWideChunk : kChunk;
  uint4 wv[R][CH];
  // Loads u_lo .. u_hi - 1 of the chunk that starts v0 vectors into this warp's K range.
  auto load_chunk = [&](int rows_at, int v0, int u_lo, int u_hi) {
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int u = 0; u < CH; ++u) {
        if (u < u_lo || u >= u_hi) continue;
        const int v = vbeg + v0 + u * 32 + lane;
        wv[r][u] = (rows_at + r < N && v < vend)
                       ? __ldg(reinterpret_cast<const uint4*>(Wb + static_cast<std::size_t>(rows_at + r) * row_bytes) + v)
                       : make_uint4(0u, 0u, 0u, 0u);
      }
  };
  // Small K: this lane's row n0 + lane, all K weights as fp32 (exact for every format).
  auto load_small = [&](int n) {
#pragma unroll
    for (int k = 0; k < kSmallK; ++k) {
      float w = 0.0f;
      if (n < N && k < K) {
        const std::size_t wi = static_cast<std::size_t>(n) * K + k;
        if constexpr (F == kI8) w = static_cast<float>(static_cast<const signed char*>(a.w)[wi]);
        else if constexpr (F == kFp8) w = fp8_code_to_float(Wb[wi]);
        else w = to_f(static_cast<const T*>(a.w)[wi]);
      }
      word_at(wv[0], k) = __float_as_uint(w);
    }
  };
  // MMA: the chunk of K steps c0 .. c0 + CH * kWarps, step c0 + u * kWarps + warp in wv[.][u];
  // wv[0] row n0 + g, wv[1] row n0 + g + 8.
  auto load_chunk_mma = [&](int rows_at, int c0) {
#pragma unroll
    for (int r = 0; r < 2; ++r)
#pragma unroll
      for (int u = 0; u < CH; ++u) {
        const int row = rows_at + mg + 8 * r;
        const int k = (c0 + u * kWarps + warp) * kMmaStepK + mt * 16;
        wv[r][u] = (row < N && k < K)
                       ? __ldg(reinterpret_cast<const uint4*>(Wb + static_cast<std::size_t>(row) * row_bytes + k))
                       : make_uint4(0u, 0u, 0u, 0u);
      }
  };
  bool preloaded = !small_k && vec && n0 < N;
  // a.prewait_loads (host-set; kChunk unless the LayerNorm prologue's switch says otherwise): how
  // many of the first chunk's loads go before the wait; the rest follow right after the input
  // rows' loads are issued (load_rest), so those L2 reads are not queued behind them.
  const int pre = V == 2 ? a.prewait_loads : CH;
  if (preloaded) {
    if constexpr (MMA) load_chunk_mma(n0, 0);
    else load_chunk(n0, 0, 0, pre);
  }
  auto load_rest = [&] {
    if constexpr (!MMA) {
      if (preloaded && pre < CH) load_chunk(n0, 0, pre, CH);
    }
  };
  // V == 3, the weight ring: this warp's chunks after the register one, in the order the
  // row-group loop below consumes them (row n0 from vector 32 * CH on, then rows n0 + group_stride,
  // ...).  A chunk is up to 32 x CH consecutive 16-byte vectors of one row, i.e. one contiguous
  // range: lane 0 copies it into the next of NS slots with ONE bulk copy (the copy engine; its
  // completion counted on the slot's mbarrier), so the stream does not go through the SM's
  // load/store path (session 10 call 4: cp.async per lane streamed slower than register loads).
  // The c-th chunk taken sits in slot c % NS, whose mbarrier completes phase c / NS; a slot is
  // refilled (after a warp barrier: every lane has read it) right after its chunk is consumed.
  constexpr bool RING = V == 3;
  const int NS = RING ? a.ring_slots : 0;
  uint4* ring = nullptr;
  unsigned long long* bars = nullptr;
  int r_row = n0, r_v0 = 32 * CH, r_slot = 0;  // the next chunk to copy and its slot
  int t_slot = 0;
  unsigned t_phase = 0;  // the slot and mbarrier phase of the next chunk to take
  auto ring_issue = [&] {
    if constexpr (RING) {
      if (r_v0 >= KV) {
        r_v0 = 0;
        r_row += group_stride;
      }
      if (r_row < N) {
        if (lane == 0) {
          const unsigned bytes = static_cast<unsigned>((KV - r_v0 < 32 * CH ? KV - r_v0 : 32 * CH) * 16);
          asm volatile("fence.proxy.async.shared::cta;" ::: "memory");  // the slot's generic reads first
          mbar_expect_tx(bars + r_slot, bytes);
          bulk_g2s(ring + r_slot * 32 * CH, Wb + static_cast<std::size_t>(r_row) * row_bytes + static_cast<std::size_t>(r_v0) * 16,
                   bytes, bars + r_slot);
        }
        r_v0 += 32 * CH;
        r_slot = r_slot + 1 == NS ? 0 : r_slot + 1;
      }
    }
  };
  auto ring_take = [&](int v0) {
    if constexpr (RING) {
      while (!mbar_try_wait(bars + t_slot, t_phase)) {
      }
      const uint4* src = ring + t_slot * 32 * CH;
#pragma unroll
      for (int u = 0; u < CH; ++u) {
        const int v = v0 + u * 32 + lane;
        wv[0][u] = v < KV ? src[u * 32 + lane] : make_uint4(0u, 0u, 0u, 0u);
      }
      if (++t_slot == NS) {
        t_slot = 0;
        t_phase ^= 1u;
      }
    }
  };
  if constexpr (RING) {
    ring = reinterpret_cast<uint4*>(smem_raw + GemvSmem<F, M>::ring_offset(K, a.ln_gamma != nullptr)) +
           static_cast<std::size_t>(warp) * NS * 32 * CH;
    bars = ring_bars(warp);
    if (lane == 0) {
      for (int s = 0; s < NS; ++s) mbar_init(bars + s, 1);
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncwarp();
    if (!preloaded) r_row = N;  // a warp without a row group copies nothing
    for (int s = 0; s < NS; ++s) ring_issue();
  }
  GemvSide<T, M, EPI, R> side;
  GemvSide<T, M, EPI, 1> side1;  // small K: each lane's own row; MMA: thread tid's row n0 + tid
  if constexpr (MMA) {
    if (tid < kMmaRows && n0 + tid < N) side1.weights(a, n0 + tid, N);
  } else if (small_k) {
    load_small(n0 + lane);
    if (n0 + lane < N) side1.weights(a, n0 + lane, N);
  } else if (lane == 0 && part == 0 && n0 < N) {
    side.weights(a, n0, N);
    if constexpr (FOLD) side.fold(a, n0, N);
  }
  const bool ln = a.ln_gamma != nullptr;
  if (ln && !FOLD) {
    for (int k = tid; k < K; k += kThreads) {
      ln_g[k] = a.ln_gamma[k];
      ln_b[k] = a.ln_beta[k];
    }
  }
  if constexpr (XTMA) {
    if (tid == 0) {
      mbar_init(x_stage_bar(), 1);
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncthreads();
  }
  pdl_wait();
  step_stamp(a.step_trace, 1);

  // ---- After the wait: the residual rows of the first group, then the input rows.
  if constexpr (MMA) {
    if (tid < kMmaRows && n0 + tid < N) side1.activations(a, n0 + tid, N);
  } else if (!small_k && lane == 0 && part == 0 && n0 < N) {
    side.activations(a, n0, N);
  }
  const T* x = static_cast<const T*>(a.x);
  // Activation scale of each input row: the static one, or (x_per_row) max |x| / qmax of the row.
  float row_scale[M], row_inv[M];
#pragma unroll
  for (int m = 0; m < M; ++m) {
    row_scale[m] = a.x_scale;
    row_inv[m] = a.x_inv_scale;
  }
  auto stage = [&](int m, int k, float v) {
    if constexpr (F == kI8) {
      const float h = __half2float(__float2half_rn(v));  // fp16 activation, as on the prefill path
      xs[m * K + k] = static_cast<signed char>(float_to_int8(h * row_inv[m]));
    } else if constexpr (F == kFp8) {
      const float h = __half2float(__float2half_rn(v));
      if constexpr (MMA) xc[m * XS + k] = float_to_fp8_code(h * row_inv[m]);
      else xs[m * K + k] = __float2half_rn(fp8_code_to_float(float_to_fp8_code(h * row_inv[m])));
    } else {
      xs[m * K + k] = from_f<T>(v);
    }
  };
  // LayerNorm after the row sums s[m] (raw rows in shared memory, sums already block-reduced):
  // variance from shared memory, then the normalized rows staged into xs.
  auto ln_finish = [&](float (&s)[M]) {
    float mean[M], q[M];
#pragma unroll
    for (int m = 0; m < M; ++m) {
      mean[m] = s[m] / K;
      q[m] = 0.0f;
      if (kThreads == kLnThreads || tid < kLnThreads) {
#pragma unroll 4
        for (int k = tid; k < K; k += kLnThreads) {
          const float d = to_f(raw[m * K + k]) - mean[m];
          q[m] += d * d;
        }
      }
    }
    block_sum_rows<kWarps>(q, red);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float rstd = 1.0f / sqrtf(q[m] / K + a.ln_eps);
      for (int k = tid; k < K; k += kThreads)
        stage(m, k, (to_f(raw[m * K + k]) - mean[m]) * rstd * ln_g[k] + ln_b[k]);
    }
  };
  // Input staging: every input row copied into shared memory (raw) with all of a thread's loads
  // in flight together (16-byte loads, kStageVecs per thread and batch, when rows are 16-byte
  // aligned; a strided scalar loop otherwise), then LayerNorm, per-row scales or the conversion
  // to X from shared memory.  (v3's strided loop stored each 2-byte value before the next load:
  // for gpt2's c_fc/c_proj inputs up to 6-24 dependent L2 round trips per kernel; session 4.)
  bool folded = false;
  if constexpr (qkv_epi(EPI)) {
    if (a.wte != nullptr) {
      // The token embedding (layer 0): wte and wpe rows of every input row, summed in fp32.
      folded = true;
      load_rest();
      const T* wte = static_cast<const T*>(a.wte);
      const T* wpe = static_cast<const T*>(a.wpe);
      const int past = *a.past_len;
#pragma unroll
      for (int m = 0; m < M; ++m) {
        const T* er = wte + static_cast<long long>(a.tokens[m]) * K;
        const T* pr = wpe + static_cast<long long>(past + m % a.seq) * K;
        if ((static_cast<std::size_t>(K) * sizeof(T)) % 16 == 0) {
          constexpr int TV = 16 / static_cast<int>(sizeof(T));
          for (int v = tid; v < K / TV; v += kThreads) {
            union { uint4 u; T t[TV]; } e, p, o;
            e.u = __ldg(reinterpret_cast<const uint4*>(er) + v);
            p.u = __ldg(reinterpret_cast<const uint4*>(pr) + v);
#pragma unroll
            for (int i = 0; i < TV; ++i) o.t[i] = from_f<T>(to_f(e.t[i]) + to_f(p.t[i]));
            reinterpret_cast<uint4*>(raw + m * K)[v] = o.u;
          }
        } else {
          for (int k = tid; k < K; k += kThreads) raw[m * K + k] = from_f<T>(to_f(er[k]) + to_f(pr[k]));
        }
      }
      __syncthreads();
      if (blockIdx.x == 0) {
        T* eo = static_cast<T*>(a.embed_out);
        for (int i = tid; i < M * K; i += kThreads) eo[i] = raw[i];
        if (tid < a.n_zero_slots) a.zero_slots[tid] = 0ull;
      }
    }
  }
  // x_global (launch3 sets it: int8, 3-4 rows, per-row scales, 16-byte rows): no raw copy.
  constexpr bool kXGlobalOk = F == kI8 && M >= 3 && !MMA;  // (fp8 stages its codes' fp16 values in place of the raw rows)
  const bool x_global = kXGlobalOk && a.x_global;
  if (!folded && !x_global) {
    const bool aligned = (reinterpret_cast<std::uintptr_t>(x) & 15u) == 0 &&
                         (a.x_row_stride * static_cast<long long>(sizeof(T))) % 16 == 0 &&
                         (static_cast<std::size_t>(K) * sizeof(T)) % 16 == 0;
    if (XTMA && aligned) {
      // The input rows through the bulk-copy engine: its L2 reads do not queue behind this SM's
      // outstanding weight loads the way ld.global.cg (and cp.async) reads do (session 7: an L2
      // read issued after the pre-wait weight loads completes only behind them).
      if (tid == 0) {
        const unsigned row = static_cast<unsigned>(K * sizeof(T));
        mbar_expect_tx(x_stage_bar(), row * M);
#pragma unroll
        for (int m = 0; m < M; ++m) bulk_g2s(raw + m * K, x + m * a.x_row_stride, row, x_stage_bar());
      }
      while (!mbar_try_wait(x_stage_bar(), 0)) {
      }
    } else if (aligned) {
      constexpr int TV = 16 / static_cast<int>(sizeof(T));
      const int nv = K / TV, total = M * nv;
      for (int i0 = 0; i0 < total; i0 += kThreads * kStageVecs) {
        uint4 t[kStageVecs];
#pragma unroll
        for (int u = 0; u < kStageVecs; ++u) {
          const int i = i0 + u * kThreads + tid;
          if (i < total) {
            const int m = i / nv, v = i - m * nv;
            t[u] = __ldcg(reinterpret_cast<const uint4*>(x + m * a.x_row_stride) + v);
          }
        }
        if (i0 == 0) load_rest();  // after the first input loads, before their first use
#pragma unroll
        for (int u = 0; u < kStageVecs; ++u) {
          const int i = i0 + u * kThreads + tid;
          if (i < total) reinterpret_cast<uint4*>(raw)[i] = t[u];  // raw rows are contiguous
        }
      }
    } else {
      load_rest();
#pragma unroll
      for (int m = 0; m < M; ++m) {
        const T* xr = x + m * a.x_row_stride;
#pragma unroll 4
        for (int k = tid; k < K; k += kThreads) raw[m * K + k] = xr[k];
      }
    }
    __syncthreads();
  }
  if constexpr (FOLD) {
    // The row statistics in one pass (sum and sum of squares, 16-byte vectors of the raw rows),
    // warp sums into fold_red; the block sum follows the barrier below.  The dot products read
    // the raw rows (X == T: raw is xs).
    constexpr int TV = 16 / static_cast<int>(sizeof(T));
    float s1[M], s2[M];
#pragma unroll
    for (int m = 0; m < M; ++m) s1[m] = s2[m] = 0.0f;
    if (K % TV == 0) {
      const int nv = K / TV;
      for (int i = tid; i < M * nv; i += kThreads)
        fold_stats_add<T, M>(reinterpret_cast<const uint4*>(raw)[i], i / nv, s1, s2);
    } else {
#pragma unroll
      for (int m = 0; m < M; ++m)
        for (int k = tid; k < K; k += kThreads) {
          const float v = to_f(raw[m * K + k]);
          s1[m] += v;
          s2[m] += v * v;
        }
    }
    fold_stats_publish<kWarps, M>(s1, s2, fold_red, warp, lane);
  } else if (ln) {
    float s[M];
#pragma unroll
    for (int m = 0; m < M; ++m) {
      s[m] = 0.0f;
      if (kThreads == kLnThreads || tid < kLnThreads)
        for (int k = tid; k < K; k += kLnThreads) s[m] += to_f(raw[m * K + k]);
    }
    block_sum_rows<kWarps>(s, red);  // warps past kLnThreads add +0: the same sums
    ln_finish(s);
  } else if (kQuant<F> && a.x_per_row) {
    // Per-row dynamic scales: max |x| of each row (block-reduced), then the codes (each element
    // is read back and quantized by the thread that reads it; in place when X == T).  x_global:
    // both passes read the rows' 16-byte vectors through L2 (session 16: the raw copy of 3-4 rows
    // of gpt2-xl's mlp c_proj input, 51 KB beside 26 KB of codes, held the int8 kernel to 2
    // blocks per SM and 200 blocks on 132 SMs).
    float amax[M];
#pragma unroll
    for (int m = 0; m < M; ++m) {
      amax[m] = 0.0f;
      if (kXGlobalOk && x_global) {
        row_elems_l2<kThreads>(x + m * a.x_row_stride, K, tid, [&](int, float v) { amax[m] = fmaxf(amax[m], fabsf(v)); });
      } else {
        for (int k = tid; k < K; k += kThreads) amax[m] = fmaxf(amax[m], fabsf(to_f(raw[m * K + k])));
      }
    }
    block_reduce_rows<kWarps, true>(amax, red);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      row_scale[m] = row_scale_for(amax[m], F == kI8 ? 127.0 : 448.0);
      row_inv[m] = 1.0f / row_scale[m];
      if (kXGlobalOk && x_global) {
        row_elems_l2<kThreads>(x + m * a.x_row_stride, K, tid, [&](int k, float v) { stage(m, k, v); });
      } else {
        for (int k = tid; k < K; k += kThreads) stage(m, k, to_f(raw[m * K + k]));
      }
    }
  } else if constexpr (kQuant<F>) {
    // Static scale: quantize (int8 into xs, fp8 codes back to fp16 in place: X == T for fp8).
#pragma unroll
    for (int m = 0; m < M; ++m)
      for (int k = tid; k < K; k += kThreads) stage(m, k, to_f(raw[m * K + k]));
  }  // else (fp32/fp16/bf16 without LayerNorm): raw is xs already
  __syncthreads();
  // Folded LayerNorm: mean and 1 / std of each input row (the block sums in warp order; variance
  // E[x^2] - mean^2, clamped at 0), for the epilogue below.
  float f_mean[M], f_rstd[M];
#pragma unroll
  for (int m = 0; m < M; ++m) f_mean[m] = f_rstd[m] = 0.0f;
  if constexpr (FOLD) fold_stats_finish<kWarps, M>(fold_red, K, a.ln_eps, f_mean, f_rstd);

  unsigned long long best[M];
#pragma unroll
  for (int m = 0; m < M; ++m) best[m] = 0ull;
  if constexpr (MMA) {
    // Rows of the input codes past M read as zero (the mma's N = 8 side is padded).
    __shared__ float red_mma[kWarps][kMmaRows][M];
    for (bool first = true; n0 < N; n0 += group_stride, first = false) {
      if (!first && tid < kMmaRows && n0 + tid < N) {
        side1.weights(a, n0 + tid, N);
        side1.activations(a, n0 + tid, N);
      }
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int c0 = 0; c0 < KS; c0 += CH * kWarps) {
        if (!preloaded) load_chunk_mma(n0, c0);
        preloaded = false;
#pragma unroll
        for (int u = 0; u < CH; ++u) {
          const int ks = c0 + u * kWarps + warp;
          if (ks < KS) {  // warp-uniform: every lane takes part in the mma
            const int k = ks * kMmaStepK + mt * 16;
            uint4 b = make_uint4(0u, 0u, 0u, 0u);
            if (mg < M && k < K) b = *reinterpret_cast<const uint4*>(xc + mg * XS + k);
            // K positions of the mma, per lane group t: 4t..4t+3 and 16+4t..16+4t+3 of the first
            // mma are bytes 0-3 and 4-7 of the lane's 16, of the second 8-11 and 12-15 (A and B
            // use the same map, so the dot product is the plain sum over k).
            float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            mma_e4m3_16832(d, wv[0][u].x, wv[1][u].x, wv[0][u].y, wv[1][u].y, b.x, b.y);
            mma_e4m3_16832(d, wv[0][u].z, wv[1][u].z, wv[0][u].w, wv[1][u].w, b.z, b.w);
#pragma unroll
            for (int i = 0; i < 4; ++i) acc[i] += d[i];
          }
        }
      }
      // acc: d[0], d[1] = row n0 + g, input rows 2t, 2t + 1; d[2], d[3] = row n0 + g + 8.
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int m = 2 * mt + (i & 1), r = mg + (i >> 1) * 8;
        if (m < M) red_mma[warp][r][m] = acc[i];
      }
      __syncthreads();
      if (tid < kMmaRows && n0 + tid < N) {
        float out[1][M];
#pragma unroll
        for (int m = 0; m < M; ++m) {
          float sum = 0.0f;
#pragma unroll
          for (int w = 0; w < kWarps; ++w) sum += red_mma[w][tid][m];
          out[0][m] = sum * (row_scale[m] * side1.w_scale[0]);
        }
        gemv_epilogue<T, M, EPI>(a, n0 + tid, 1, out, side1, best);
      }
      __syncthreads();  // red_mma is rewritten by the next row group
    }
    n0 = N;  // the row-group loops below have nothing left
  }
  if (small_k) {
    for (bool first = true; n0 < N; n0 += group_stride, first = false) {
      const int n = n0 + lane;
      if (!first) {
        load_small(n);
        if (n < N) side1.weights(a, n, N);
      }
      if (n < N) {
        side1.activations(a, n, N);
        float acc[1][M];
#pragma unroll
        for (int m = 0; m < M; ++m) {
          acc[0][m] = 0.0f;
#pragma unroll
          for (int k = 0; k < kSmallK; ++k) {
            if (k < K) {
              float xv;
              if constexpr (F == kI8) xv = static_cast<float>(xs[m * K + k]);
              else xv = to_f(xs[m * K + k]);
              acc[0][m] += __uint_as_float(word_at(wv[0], k)) * xv;
            }
          }
          if constexpr (kQuant<F>) acc[0][m] *= row_scale[m] * side1.w_scale[0];
        }
        gemv_epilogue<T, M, EPI>(a, n, 1, acc, side1, best);
      }
    }
#pragma unroll
    for (int m = 0; m < M; ++m) best[m] = warp_max_u64(best[m]);
    n0 = N;  // the row-group loop below has nothing left
  }
  __shared__ Acc part_s[kWarps][R][M];  // split K: the partial totals of parts 1 .. S - 1
  for (bool first = true; n0 < N; n0 += group_stride, first = false) {
    if (!first && lane == 0 && part == 0) {
      side.weights(a, n0, N);
      if constexpr (FOLD) side.fold(a, n0, N);
      side.activations(a, n0, N);
    }
    const int nrows = min(R, N - n0);
    Acc acc[R][M];
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) acc[r][m] = 0;
    if (vec) {
      for (int v0 = 0; v0 < vend - vbeg; v0 += 32 * CH) {
        const bool from_ring = RING && !preloaded;
        if (!preloaded) {
          if constexpr (RING) ring_take(v0);
          else load_chunk(n0, v0, 0, CH);
        }
        preloaded = false;
#pragma unroll
        for (int u = 0; u < CH; ++u) {
          const int v = vbeg + v0 + u * 32 + lane;
          if (v < vend) {
#pragma unroll
            for (int r = 0; r < R; ++r) dot_vec<F, M>(wv[r][u], xs, K, v, acc[r]);
          }
        }
        if (from_ring) {
          __syncwarp();  // the slot's reads are done before its refill is issued
          ring_issue();
        }
      }
    } else if (part == 0) {  // (the host never splits this path)
      // K not a multiple of a 16-byte vector (tiny or odd shapes): one weight per lane and step.
      for (int k = lane; k < K; k += 32) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
          if (r < nrows) {
            const std::size_t wi = static_cast<std::size_t>(n0 + r) * K + k;
#pragma unroll
            for (int m = 0; m < M; ++m) {
              if constexpr (F == kI8)
                acc[r][m] += static_cast<int>(static_cast<const signed char*>(a.w)[wi]) * static_cast<int>(xs[m * K + k]);
              else if constexpr (F == kFp8)
                acc[r][m] += fp8_code_to_float(Wb[wi]) * __half2float(xs[m * K + k]);
              else
                acc[r][m] += to_f(static_cast<const T*>(a.w)[wi]) * to_f(xs[m * K + k]);
            }
          }
        }
      }
    }
    Acc tot[R][M];
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) {
        if constexpr (F == kI8) tot[r][m] = __reduce_add_sync(kFull, acc[r][m]);
        else tot[r][m] = warp_sum(acc[r][m]);
      }
    if (S > 1) {
      // The group's S warps meet at named barrier 1 + grp (the warps of a group share n0, so
      // they make the same trips); part 0 adds the other parts' totals in part order (int8:
      // exactly, in int32).  The second barrier keeps part_s until part 0 has read it.
      if (lane == 0 && part > 0) {
#pragma unroll
        for (int r = 0; r < R; ++r)
#pragma unroll
          for (int m = 0; m < M; ++m) part_s[warp][r][m] = tot[r][m];
      }
      asm volatile("bar.sync %0, %1;" ::"r"(1 + grp), "r"(32 * S) : "memory");
      if (lane == 0 && part == 0) {
        for (int p = 1; p < S; ++p)
#pragma unroll
          for (int r = 0; r < R; ++r)
#pragma unroll
            for (int m = 0; m < M; ++m) tot[r][m] += part_s[warp + p][r][m];
      }
      asm volatile("bar.sync %0, %1;" ::"r"(1 + grp), "r"(32 * S) : "memory");
    }
    float out[R][M];
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
      for (int m = 0; m < M; ++m) out[r][m] = static_cast<float>(tot[r][m]);
    if (lane == 0 && part == 0) {
      if constexpr (kQuant<F>) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
#pragma unroll
          for (int m = 0; m < M; ++m) out[r][m] *= row_scale[m] * side.w_scale[r];
        }
      }
      if constexpr (FOLD) {
#pragma unroll
        for (int r = 0; r < R; ++r)
#pragma unroll
          for (int m = 0; m < M; ++m) out[r][m] = f_rstd[m] * (out[r][m] - f_mean[m] * side.fold_g[r]);
      }
      gemv_epilogue<T, M, EPI>(a, n0, nrows, out, side, best);
    }
  }
  if constexpr (EPI == GemvEpilogue::kQkvAttention) {
    // Count this block's finished rows per head; the block whose rows complete a head's 3 x
    // head_dim (q, k and v) runs that head's attention.  Every lane 0 fences its stores (outputs
    // and cache rows) before the barrier, thread 0 counts (threadFenceReduction pattern).
    __shared__ int done_head;
    __threadfence();
    __syncthreads();
    const int Dh = a.head_dim, Eh = a.n_head * Dh, target = 3 * Dh;
    const int past = *a.past_len;
    int gb = blockIdx.x * kWarps * R, n = gb;  // thread 0's cursor: group base, next row
    for (;;) {
      if (tid == 0) {
        done_head = -1;
        while (gb < N) {
          const int gend = min(gb + kWarps * R, N);
          if (n >= gend) {
            gb += group_stride;
            n = gb;
            continue;
          }
          const int run_end = min(gend, (n / Dh + 1) * Dh);  // rows of one head in one section
          const int hh = (n % Eh) / Dh, len = run_end - n;
          n = run_end;
          if (atomicAdd(&a.head_counters[hh], static_cast<unsigned>(len)) + len == static_cast<unsigned>(target)) {
            done_head = hh;
            break;
          }
        }
      }
      __syncthreads();
      const int hd = done_head;
      if (hd < 0) break;
      __threadfence();  // acquire: the other blocks' rows of head hd
      const T* qp = static_cast<const T*>(a.out);
      const T* kc = static_cast<const T*>(a.k_cache);
      const T* vc = static_cast<const T*>(a.v_cache);
      T* ao = static_cast<T*>(a.att_out);
      switch ((Dh + 31) / 32) {
        case 1: head_attention<T, M, 1>(qp, a.out_row_stride, kc, vc, ao, a.att_scale, a.n_head, Dh, a.max_t, hd, past); break;
        case 2: head_attention<T, M, 2>(qp, a.out_row_stride, kc, vc, ao, a.att_scale, a.n_head, Dh, a.max_t, hd, past); break;
        case 3: head_attention<T, M, 3>(qp, a.out_row_stride, kc, vc, ao, a.att_scale, a.n_head, Dh, a.max_t, hd, past); break;
        default: head_attention<T, M, 4>(qp, a.out_row_stride, kc, vc, ao, a.att_scale, a.n_head, Dh, a.max_t, hd, past); break;
      }
      if (tid == 0) a.head_counters[hd] = 0u;  // every arrival for hd is in: reset for the next launch
    }
  }
  if constexpr (EPI == GemvEpilogue::kArgmax) {
    if (lane == 0) {
#pragma unroll
      for (int m = 0; m < M; ++m) best_s[warp][m] = best[m];
    }
    argmax_block_finish<kWarps, M>(a, best_s);
  }
  step_stamp(a.step_trace, 2);
}

// Input rows by the bulk-copy engine (gemv_xtma, session 10) for an fp16 GEMV: 16-byte-aligned
// rows, and the switch's rule (mode 2; docs/perf-cuda.md "Session 10"): one input row and n_embd
// >= 1600 (min(N, K) is n_embd for every layer GEMV and the LM head): gpt2-xl B=1 -2.3% (H200);
// gpt2-large / medium / gpt2 at one row +1 / +8 / +2%, every model at 2-4 rows +12..+41%.
bool xtma_wanted(const GemvArgs& a, bool vec_rows, int M) {
  const bool x_aligned = a.x != nullptr && (reinterpret_cast<std::uintptr_t>(a.x) & 15u) == 0 &&
                         (a.x_row_stride * 2) % 16 == 0 && (a.k_in * 2) % 16 == 0;
  const bool rule = M == 1 && (a.n_out < a.k_in ? a.n_out : a.k_in) >= 1600;
  return vec_rows && (g_gemv_xtma == 1 || (g_gemv_xtma == 2 && rule)) && x_aligned && a.wte == nullptr &&
         g_gemv_prewait_loads == kChunk;
}

// The layer GEMV sites of the gemv_wide / fp8_mma_one_row masks (kernels.h).
template <GemvEpilogue EPI>
constexpr int kSite = EPI == GemvEpilogue::kQkvScatter ? 1
                      : EPI == GemvEpilogue::kResidual ? 2
                      : EPI == GemvEpilogue::kGelu     ? 4
                                                       : 8;

// fp8_mma_one_row's rule (mode -1): which one-row fp8 GEMVs take the tensor-core kernel (session
// 15 calls 3-4, docs/perf-cuda.md: QKV and c_fc -5..-17%; the mlp c_proj, 100 blocks at gpt2-xl, lost).
bool fp8_mma_one_row_rule(int site) { return site == 1 || site == 4; }  // QKV, c_fc

// gemv_wide's rule (mode -1): which int8 / fp8 one-row GEMVs take 4 rows per warp (session 15
// calls 2-4, docs/perf-cuda.md).
bool wide_rule(bool fp8, int M, int site, int k_in) {
  if (M != 1) return false;
  if (fp8) return site == 2 && k_in <= 768;  // the attn c_proj at gpt2's width
  return site == 4 && k_in >= 1280;          // int8 c_fc of gpt2-large / gpt2-xl
}

template <int F, int M, GemvEpilogue EPI, bool MMA, int V = 0, int NT = 128>
cudaError_t launch3(const GemvArgs& a, cudaStream_t st) {
  constexpr int kWarps = NT / 32;  // (shadows the namespace's 4)
  constexpr bool kFold = V == 5;
  const bool ln = a.ln_gamma != nullptr;
  // x_global (kernels.h): the per-row-scaled int8 rows at 3-4 input rows read from L2 twice, so
  // only the codes need shared memory (gpt2-xl's int8 mlp c_proj at batch 4: 26 instead of 77 KB a
  // block).  Not fp8: its staged values (fp16) take the raw rows' place, nothing is saved.
  const bool x_global = F == kI8 && M >= 3 && !MMA && a.x_per_row && !ln && a.k_in % 8 == 0 &&
                        (reinterpret_cast<std::uintptr_t>(a.x) & 15u) == 0 && (a.x_row_stride * 2) % 16 == 0 &&
                        g_gemv_x_global != 0;
  // (the folded kernels stage no gamma / beta)
  const std::size_t smem = MMA ? GemvSmem<F, M>::bytes_mma(a.k_in, ln)
                               : (V == 3 ? GemvSmem<F, M>::bytes_ring(a.k_in, ln, a.ring_slots)
                                         : (x_global ? GemvSmem<F, M>::raw_offset(a.k_in)
                                                     : GemvSmem<F, M>::bytes(a.k_in, ln && !kFold)));
  cudaError_t e = device_limits();
  if (e != cudaSuccess) return e;
  auto kernel = gemv3_kernel<F, M, EPI, MMA, V, NT>;
  // Dynamic shared memory may use what the kernel's static arrays leave of the opt-in limit (the
  // fused attention tail has ~4 KB of them).
  static int dyn_limit = -1;
  if (dyn_limit < 0) {
    cudaFuncAttributes fa{};
    e = cudaFuncGetAttributes(&fa, kernel);
    if (e != cudaSuccess) return e;
    const int lim = g_smem_optin - static_cast<int>(fa.sharedSizeBytes);
    e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, lim);
    if (e != cudaSuccess) {
      std::snprintf(g_detail, sizeof g_detail, "gemv3: cudaFuncSetAttribute(max dynamic smem %d): %s", lim,
                    cudaGetErrorName(e));
      return e;
    }
    dyn_limit = lim;
  }
  if (smem > static_cast<std::size_t>(dyn_limit)) {
    std::snprintf(g_detail, sizeof g_detail, "gemv3: %zu B of shared memory > device limit %d", smem,
                  dyn_limit);
    return cudaErrorInvalidValue;
  }
  // Every block resident at once (grid-stride over row groups beyond that).
  static std::size_t occ_smem = ~std::size_t{0};
  static int occ_blocks = 1;
  if (occ_smem != smem) {
    int nb = 0;
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nb, kernel, NT, smem);
    if (e != cudaSuccess) return e;
    occ_blocks = nb > 0 ? nb : 1;
    occ_smem = smem;
  }
  const bool small_k = EPI == GemvEpilogue::kArgmax && a.k_in <= kSmallK;
  const int rows_per_block = MMA ? kMmaRows : kWarps * (small_k ? 32 : (V == 6 ? kWideRows : (V == 7 ? 1 : kRows<F>)));
  const long long want = (static_cast<long long>(a.n_out) + rows_per_block - 1) / rows_per_block;
  // The ring kernel (V == 3) keeps to gemv_ring_blocks blocks per SM, so the next kernel's blocks
  // find room beside it.
  const long long cap = static_cast<long long>(g_sm_count) *
                        (V == 3 && g_gemv_ring_blocks < occ_blocks ? g_gemv_ring_blocks : occ_blocks);
  GemvArgs b = a;
  b.x_global = x_global;
  if constexpr (V == 0 && NT == 128) {
    // The switches (kernels.h), fp16 and int8 weights only: gemv_split_k for the residual GEMV
    // whose rows are longer than one register chunk (the shape rule below by default; forced S
    // when S times the blocks stay resident);
    // gemv_prewait_loads for the LayerNorm'd QKV and c_fc GEMVs.
    b.split_k = 1;
    b.prewait_loads = kChunk;
    b.ring_slots = 0;
    if (a.ln_fold != nullptr) {
      // The folded LayerNorm (session 12): its own kernels (V = 5), the block size chosen as for
      // the LayerNorm prologue below (gemv_ln_threads); never the xtma input staging (H200, session
      // 12 call 3, gpt2-xl fp16 B=1: folded with xtma 1.950 / 1.953 ms, folded without 1.584 /
      // 1.551, neither 1.699 / 1.700).
      if constexpr ((F == kF16 || F == kBF16) && !MMA &&
                    (EPI == GemvEpilogue::kQkvScatter || EPI == GemvEpilogue::kGelu)) {
        if (!ln || a.k_in % Fmt<F>::kPerVec != 0) {
          std::snprintf(g_detail, sizeof g_detail,
                        "gemv3: ln_fold needs ln_gamma / ln_beta and k_in a multiple of %d (k_in %d)",
                        Fmt<F>::kPerVec, a.k_in);
          return cudaErrorInvalidValue;
        }
        if constexpr (F == kF16 && M == 1) {
          const int lnt = g_gemv_ln_threads == 0 ? ln_threads_rule(a.k_in) : g_gemv_ln_threads;
          const bool which = (g_gemv_ln_threads_which & (EPI == GemvEpilogue::kQkvScatter ? 1 : 2)) != 0;
          if (which && lnt == 256) return launch3<F, M, EPI, MMA, 5, 256>(b, st);
          if (which && lnt == 512) return launch3<F, M, EPI, MMA, 5, 512>(b, st);
          return launch3<F, M, EPI, MMA, 5>(b, st);
        } else {
          return launch3<F, M, EPI, MMA, 5>(b, st);
        }
      } else {
        std::snprintf(g_detail, sizeof g_detail,
                      "gemv3: ln_fold is for the fp16/bf16 QKV and c_fc GEMVs (fmt %d, epilogue %d)", F,
                      static_cast<int>(EPI));
        return cudaErrorInvalidValue;
      }
    }
    if constexpr (kQuant<F> && !MMA && EPI != GemvEpilogue::kQkvAttention && EPI != GemvEpilogue::kArgmax) {
      // gemv_wide (session 15): 4 rows per warp of 4 loads per lane where a row fits them.
      const bool fits = a.k_in % Fmt<F>::kPerVec == 0 && a.k_in / Fmt<F>::kPerVec <= 32 * kWideChunk;
      constexpr int site = kSite<EPI>;
      const bool want_wide = g_gemv_wide < 0 ? wide_rule(F == kFp8, M, site, a.k_in) : (g_gemv_wide & site) != 0;
      if (fits && want_wide) return launch3<F, M, EPI, MMA, 6>(b, st);
      if constexpr (F == kI8 && M >= 3) {
        // gemv_int8_r1 (session 15, on by default): one weight row per warp at 3-4 input rows (6
        // blocks per SM instead of 3) where a row fits one register chunk.
        if (g_gemv_int8_r1 && a.k_in % 16 == 0 && a.k_in / 16 <= 32 * kChunk) return launch3<F, M, EPI, MMA, 7>(b, st);
      }
    }
    if constexpr ((kHasVariants<F> || F == kFp8) && !MMA) {
      // (fp8: split K only, session 15)
      const bool vec_rows = !small_k && a.k_in % Fmt<F>::kPerVec == 0;
      if constexpr (F == kF16 && EPI != GemvEpilogue::kArgmax && EPI != GemvEpilogue::kQkvAttention) {
        // The weight ring (gemv_ring, session 10): fp16 rows of 16-byte vectors, every epilogue
        // but the LM head's and the fused attention tail's; it replaces split K and prewait.
        // Slots beyond what one block's shared memory holds are dropped (none left: no ring).
        const long long room = static_cast<long long>(g_smem_optin) - 1024 -
                               static_cast<long long>(GemvSmem<F, M>::ring_offset(a.k_in, ln));
        const int fit = room > 0 ? static_cast<int>(room / (kWarps * 32 * kChunk * 16)) : 0;
        if (vec_rows && g_gemv_ring > 0 && fit > 0 && a.k_in >= g_gemv_ring_min_k) {
          b.ring_slots = g_gemv_ring < fit ? g_gemv_ring : fit;
          return launch3<F, M, EPI, MMA, 3>(b, st);
        }
      }
      if constexpr (EPI == GemvEpilogue::kResidual) {
        const int KV = a.k_in / Fmt<F>::kPerVec;  // 16-byte vectors per weight row
        if (vec_rows && KV > 32 * kChunk) {
          if (g_gemv_split_k == 0) {
            // The shape rule (docs/perf-cuda.md "Session 8b: split-K rule"; sb_cuda_bench --quick,
            // H200, 2026-11-27, decode ms/step, mlp c_proj being the only launch that qualifies):
            // 2 warps per row when (a) each warp's half of the row fits one register chunk (KV <=
            // 2 x 32 x kChunk: gpt2 / medium fp16, large / xl int8; fp16 large and xl, whose halves
            // still take 2 chunk rounds, lost 4-6% at B = 1 and 2, and gained at most 1% at 3-4),
            // (b) twice the blocks stay one wave (gpt2-xl int8 at B >= 3 does not fit), and (c)
            // the unsplit warp has at least two chunks of loads per lane (KV x rows >= 2 x 32 x
            // kChunk) or M >= 3 input rows: gpt2 fp16 (1.5 chunks) lost 1.5-3.6% at B = 1 and
            // gained 1% at B = 2 but 8% at B = 3 and 4; medium fp16 (2 chunks) gained 3 / 11 / 2 /
            // 5% at B = 1..4, int8 large 2.1 / 0.6 / 0.1 / 1.0%, int8 xl 2.6 / 0.3% at B = 1 / 2.
            // 4 warps never beat 2 in any cell (gpt2 fp16: +10% at B = 1, -4% vs -8% at B = 4).
            if (KV <= 2 * 32 * kChunk && want * 2 <= cap && (M >= 3 || KV * kRows<F> >= 2 * 32 * kChunk)) {
              b.split_k = 2;
              return launch3<F, M, EPI, MMA, 1>(b, st);
            }
          } else {
            for (int s = g_gemv_split_k; s > 1; s /= 2)  // forced (A/B): S = 2 or 4 where it fits
              if (want * s <= cap) {
                b.split_k = s;
                return launch3<F, M, EPI, MMA, 1>(b, st);
              }
          }
        }
      }
      if constexpr (F == kF16 && EPI != GemvEpilogue::kQkvAttention) {
        const bool xtma = xtma_wanted(a, vec_rows, M);
        if constexpr (M == 1 && (EPI == GemvEpilogue::kQkvScatter || EPI == GemvEpilogue::kGelu)) {
          // gemv_ln_threads (session 11): the LayerNorm'd one-row GEMVs in blocks of 256 / 512
          // threads, with or without the bulk-copy input staging (same choice as above).
          const int lnt = g_gemv_ln_threads == 0 ? ln_threads_rule(a.k_in) : g_gemv_ln_threads;
          const bool which = (g_gemv_ln_threads_which & (EPI == GemvEpilogue::kQkvScatter ? 1 : 2)) != 0;
          if (vec_rows && ln && lnt > 128 && which && g_gemv_prewait_loads == kChunk) {
            if (lnt == 256)
              return xtma ? launch3<F, M, EPI, MMA, 4, 256>(b, st) : launch3<F, M, EPI, MMA, 0, 256>(b, st);
            return xtma ? launch3<F, M, EPI, MMA, 4, 512>(b, st) : launch3<F, M, EPI, MMA, 0, 512>(b, st);
          }
        }
        if (xtma) return launch3<F, M, EPI, MMA, 4>(b, st);
      }
      if constexpr (kHasVariants<F> && (EPI == GemvEpilogue::kQkvScatter || EPI == GemvEpilogue::kGelu)) {
        if (vec_rows && ln && g_gemv_prewait_loads < kChunk) {
          b.prewait_loads = g_gemv_prewait_loads;
          return launch3<F, M, EPI, MMA, 2>(b, st);
        }
      }
    }
  }
  const long long want_b = (static_cast<long long>(a.n_out) * b.split_k + rows_per_block - 1) / rows_per_block;
  const int grid = static_cast<int>(want_b < cap ? want_b : cap);
  b.step_trace = step_trace_take("gemv", grid, a.n_out);
  e = launch_k(kernel, grid, NT, smem, st, b);
  if (V == 3 && e == cudaSuccess) ++g_gemv_ring_launches;
  if (NT != 128 && e == cudaSuccess) ++g_gemv_ln_threads_launches;
  if (V == 4 && e == cudaSuccess) ++g_gemv_xtma_launches;
  if (kFold && e == cudaSuccess) ++g_gemv_ln_fold_launches;
  if (V == 6 && e == cudaSuccess) ++g_gemv_wide_launches;
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "gemv3<fmt=%d,M=%d,epi=%d,mma=%d,v=%d> grid=%d smem=%zu N=%d K=%d split=%d ring=%d: %s",
                  F, M, static_cast<int>(EPI), MMA ? 1 : 0, V, grid, smem, a.n_out, a.k_in, b.split_k,
                  b.ring_slots, cudaGetErrorName(e));
  return e;
}

// The fp8 tensor-core path where it applies (fp8, K a multiple of 16 so rows are 16-byte
// vectors, rows >= fp8_mma_min_rows, not the fused attention tail); the scalar kernel otherwise.
template <int F, int M, GemvEpilogue EPI>
cudaError_t launch_sel(const GemvArgs& a, cudaStream_t st) {
  if constexpr (F == kFp8 && EPI != GemvEpilogue::kQkvAttention && EPI != GemvEpilogue::kArgmax) {
    const bool one_row = M == 1 && (g_fp8_mma_one_row < 0 ? fp8_mma_one_row_rule(kSite<EPI>)
                                                           : (g_fp8_mma_one_row & kSite<EPI>) != 0);
    if (a.k_in % 16 == 0 && (M >= fp8_mma_min_rows() || one_row)) return launch3<F, M, EPI, true>(a, st);
  }
  return launch3<F, M, EPI, false>(a, st);
}

template <int F, int M>
cudaError_t dispatch_epi(const GemvArgs& a, cudaStream_t st) {
  switch (a.epilogue) {
    case GemvEpilogue::kStore: return launch_sel<F, M, GemvEpilogue::kStore>(a, st);
    case GemvEpilogue::kGelu: return launch_sel<F, M, GemvEpilogue::kGelu>(a, st);
    case GemvEpilogue::kResidual: return launch_sel<F, M, GemvEpilogue::kResidual>(a, st);
    case GemvEpilogue::kQkvScatter: return launch_sel<F, M, GemvEpilogue::kQkvScatter>(a, st);
    case GemvEpilogue::kQkvAttention: return launch_sel<F, M, GemvEpilogue::kQkvAttention>(a, st);
    case GemvEpilogue::kArgmax:
      if constexpr (kQuant<F>) break;  // the LM head stays fp16
      else {
        if constexpr (F == kF16 || F == kBF16) {
          if (lm_head_mma_applies(a)) return launch_lm_head_mma(a, st);  // lm_head.cu (session 14)
        }
        return launch3<F, M, GemvEpilogue::kArgmax, false>(a, st);
      }
  }
  std::snprintf(g_detail, sizeof g_detail, "gemv3: the argmax epilogue (LM head) has no quantized variant");
  return cudaErrorInvalidValue;
}

template <int F>
cudaError_t dispatch_rows(const GemvArgs& a, cudaStream_t st) {
  switch (a.rows) {
    case 1: return dispatch_epi<F, 1>(a, st);
    case 2: return dispatch_epi<F, 2>(a, st);
    case 3: return dispatch_epi<F, 3>(a, st);
    case 4: return dispatch_epi<F, 4>(a, st);
  }
  return cudaErrorInvalidValue;
}

}  // namespace

cudaError_t launch_gemv_impl(const GemvArgs& a, cudaStream_t st) {
  if (a.wq == WQuant::kInt8) return dispatch_rows<kI8>(a, st);
  if (a.wq == WQuant::kFp8) return dispatch_rows<kFp8>(a, st);
  switch (a.dt) {
    case Dt::kF32: return dispatch_rows<kF32>(a, st);
    case Dt::kF16: return dispatch_rows<kF16>(a, st);
    case Dt::kBF16: return dispatch_rows<kBF16>(a, st);
  }
  return cudaErrorInvalidValue;
}

}  // namespace sb::engine::cudak::detail
