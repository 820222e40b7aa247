// engine/cuda/kernels — every device kernel of the native CUDA engine, behind plain launchers.
// Contract:
//  - One source of truth per kernel (kernels.cu); tests/engine_cuda/ holds a CPU reference and a
//    many-shape validation for each launcher declared here.
//  - Activations and weights are in the engine's storage type Dt (fp32, fp16 or bf16); LayerNorm
//    statistics, softmax, GEMV accumulation and logits are fp32 whatever Dt is.
//  - Weight matrices are [out, in] row-major (K contiguous, the "TN" layout cuBLASLt and int8/fp8
//    GEMMs want); per-output-channel scales for int8/fp8 will index the same `out` dimension.
//  - The KV cache of one layer is [batch][head][max_t][head_dim]; positions are read from device
//    memory (*past_len) so one captured CUDA graph serves every decode step.
//  - Launchers return the launch's cudaError_t; they never synchronize.
#pragma once
#include <cstddef>
#include <cstdint>

#include <cuda_runtime_api.h>

namespace sb::engine::cudak {

enum class Dt { kF32, kF16, kBF16 };
inline std::size_t dt_size(Dt d) { return d == Dt::kF32 ? 4 : 2; }
const char* dt_name(Dt d);

// Rows at or below this count take the fused GEMV path (LayerNorm prologue, fused epilogues);
// larger ones go through cuBLASLt.
constexpr int kGemvMaxRows = 4;
// Head dims above this are rejected at engine creation (the attention kernel keeps one query's
// accumulator in registers, 32 lanes x 4).
constexpr int kMaxHeadDim = 128;

// x[r, :] = wte[tokens[r]] + wpe[*past_len + r % seq]; also zeroes argmax_slots[0..n_slots).
cudaError_t launch_embed(Dt dt, void* x, const void* wte, const void* wpe, const std::int32_t* tokens,
                         const int* past_len, int rows, int seq, int n_embd,
                         unsigned long long* argmax_slots, int n_slots, cudaStream_t st);

// out[r, :] = LN(in[r * in_row_stride + :]) * gamma + beta, statistics in fp32 (two passes).
cudaError_t launch_layernorm(Dt dt, void* out, const void* in, long long in_row_stride,
                             const float* gamma, const float* beta, int rows, int n_embd,
                             float eps, cudaStream_t st);

// Copies k and v of rows [B*S] of qkv ([rows, 3E], q|k|v) into the caches at *past_len + s.
cudaError_t launch_kv_append(Dt dt, void* k_cache, void* v_cache, const void* qkv,
                             const int* past_len, int batch, int seq, int n_head, int head_dim,
                             int max_t, cudaStream_t st);

// Causal attention of query rows (b, s) at position *past_len + s over cache keys 0..pos.
// Online softmax (no S x S matrix); n_split > 1 splits the keys of each query into chunks of
// split_keys handled by separate blocks, the last block to finish combining them (partial and
// counters are scratch: partial >= batch*n_head*seq*n_split*(head_dim+2) floats, counters >=
// batch*n_head*seq zero-initialised words, left zero on exit).
cudaError_t launch_attention(Dt dt, void* out, const void* qkv, const void* k_cache,
                             const void* v_cache, const int* past_len, int batch, int seq,
                             int n_head, int head_dim, int max_t, float scale, int n_split,
                             int split_keys, float* partial, unsigned* counters, cudaStream_t st);

// y = act(x @ W^T + bias (+ residual)) in place for gelu/none; used on the cuBLASLt fallback
// when the GELU epilogue is unavailable: x[rows, n] = gelu_new(x).
cudaError_t launch_gelu_inplace(Dt dt, void* x, std::size_t n, cudaStream_t st);

// Quantized weights (int8 / fp8 engines): one byte per weight, per-output-channel fp32 scales,
// activations quantized per tensor with a static scale (engine/cuda/quant.h has the arithmetic and
// the host references).  Activations around the quantized matrices stay fp16 (Dt::kF16).
enum class WQuant { kNone, kInt8, kFp8 };
const char* wquant_name(WQuant q);

enum class GemvEpilogue {
  kStore,         // out[m, n] = acc + bias
  kGelu,          // out[m, n] = gelu_new(acc + bias)
  kResidual,      // out[m, n] += acc + bias
  kQkvScatter,    // out[m, n] = acc + bias, and k/v columns also into the KV cache
  kArgmax,        // logits (fp32, optional) and the packed argmax of each row
  // kQkvScatter, then decode attention in the same kernel (seq must be 1, rows = batch): the
  // last block to finish a head's 3 x head_dim rows (a counter per head, threadFenceReduction
  // pattern) computes that head's attention for every batch row over cache keys 0..*past_len
  // (the new key included) into att_out.  One dependent kernel fewer per layer, but measured
  // slower than kQkvScatter + launch_attention on an H100 (the engine's fuse_qkv_attention is off
  // by default; docs/perf-cuda.md, session 5).
  kQkvAttention,
};

struct GemvArgs {
  Dt dt = Dt::kF32;
  const void* w = nullptr;          // [n_out, k_in] row-major
  int n_out = 0, k_in = 0;
  const void* x = nullptr;          // rows m at x + m * x_row_stride
  long long x_row_stride = 0;
  int rows = 0;                     // 1..kGemvMaxRows
  const float* ln_gamma = nullptr;  // LayerNorm prologue on x when non-null
  const float* ln_beta = nullptr;
  float ln_eps = 1e-5f;
  // LayerNorm folded into the weights (session 12, launch_ln_fold below; fp16/bf16, epilogues
  // kQkvScatter and kGelu, with ln_gamma / ln_beta set): w holds W' = dt(W * gamma) and ln_fold
  // [2 * n_out] fp32 the per-row g[n] = sum_k W'[n, k] and c[n] = sum_k W[n, k] beta[k].  The kernel
  // computes the row statistics of x in one pass (mean, E[x^2] - mean^2) beside the dot products
  // with x itself and finishes acc' = rstd (acc - mean g[n]) + c[n] before the bias: no
  // normalized row is staged, no block barrier between the input rows and the dot products.
  // Not bit-identical to the LayerNorm prologue (other roundings; cuda_validate --only ln_fold
  // states the tolerance).
  const float* ln_fold = nullptr;
  const void* bias = nullptr;       // [n_out] in dt, may be null
  GemvEpilogue epilogue = GemvEpilogue::kStore;
  void* out = nullptr;              // rows m at out + m * out_row_stride (dt)
  long long out_row_stride = 0;
  // kQkvScatter: row m is (b = m / seq, s = m % seq), position *past_len + s.
  void* k_cache = nullptr;
  void* v_cache = nullptr;
  const int* past_len = nullptr;
  int seq = 1, n_head = 0, head_dim = 0, max_t = 0;
  // kArgmax: logits[m * logits_row_stride + n] when logits is non-null; argmax_slots[m] must be
  // zero before the launch (launch_embed zeroes them).
  float* logits = nullptr;
  long long logits_row_stride = 0;
  unsigned long long* argmax_slots = nullptr;
  // kArgmax, optional: the last block to finish copies argmax_slots[0 .. rows) to argmax_host
  // (pinned host memory, device-accessible under UVA: the step's D2H copy folded into the kernel,
  // one graph node fewer) and resets *argmax_counter, which must be 0 before the first launch.
  unsigned long long* argmax_host = nullptr;
  unsigned* argmax_counter = nullptr;
  // Quantized weights (dt must be kF16): w holds n_out x k_in bytes (int8 or E4M3 codes), the
  // staged input row (after the LayerNorm prologue, rounded to fp16) is quantized with
  // x_inv_scale, products accumulate exactly in int32 (dp4a) for int8 and in fp32 for fp8, and
  // the epilogue sees acc * (x_scale * w_scale[n]) + bias.
  WQuant wq = WQuant::kNone;
  const float* w_scale = nullptr;
  float x_scale = 1.0f, x_inv_scale = 1.0f;
  // kQkvScatter only: the token embedding folded into the input staging (layer 0 of a forward
  // pass, replacing launch_embed): x row m = wte[tokens[m]] + wpe[*past_len + m % seq] (fp32 sum
  // rounded to dt, launch_embed's arithmetic), x is ignored; block 0 also writes the rows to
  // embed_out (the residual stream, [rows, k_in]) and zeroes zero_slots[0 .. n_zero_slots).
  // Inputs come from the copy that precedes the pass, not from a previous kernel.
  const void* wte = nullptr;
  const void* wpe = nullptr;
  const std::int32_t* tokens = nullptr;
  void* embed_out = nullptr;
  unsigned long long* zero_slots = nullptr;
  int n_zero_slots = 0;
  // Quantized weights without the LayerNorm prologue only: each input row m gets its own scale
  // s_m = max_k |x[m, k]| / qmax (fp16 values, quant::scale_for's arithmetic; 1 for a zero row)
  // in place of x_scale (per-token dynamic activation scales; the int8 engine's mlp c_proj
  // input, docs/perf-cuda.md "int8 accuracy").
  bool x_per_row = false;
  // Set by launch_gemv (callers leave it): x_per_row rows read twice from global memory (L2) for
  // their maxima and codes instead of copied into shared memory first (int8 register path at 3-4
  // input rows, 16-byte rows), so the launch needs only the codes' shared memory.
  bool x_global = false;
  // kQkvAttention: att_out [rows, n_head * head_dim] (dt), scores scaled by att_scale;
  // head_counters [n_head] zero before the launch, left zero on exit.
  void* att_out = nullptr;
  float att_scale = 1.0f;
  unsigned* head_counters = nullptr;
  // Set by launch_gemv from the process-wide switches below (callers leave them): loads of the
  // first weight chunk issued before griddepcontrol.wait (0..8), and warps per row group.
  int prewait_loads = 8;
  int split_k = 1;
  // Weight ring (gemv_ring below): 16-byte-vector chunks of kChunk loads per lane streamed
  // into this many shared-memory slots per warp by bulk copies (0 = the register path).
  int ring_slots = 0;
  unsigned long long* step_trace = nullptr;  // set by launch_gemv from set_step_trace (callers leave it)
};
// Dynamic shared memory the GEMV needs (rows * k_in * dt_size); launch_gemv raises the kernel's
// limit once per configuration, and fails for more than the device allows.
cudaError_t launch_gemv(const GemvArgs& a, cudaStream_t st);
// Details of the last launcher failure that has more to say than its cudaError_t ("" if none).
const char* last_launch_detail();
// A developer switch from the environment: NAME's integer value when it is set and not empty, else
// fallback.  Where an engine option and an SB_* variable name the same switch, the variable wins.
int env_int(const char* name, int fallback);
// Step timeline (diagnostics, session 13; sb_cuda_bench --trace-step; stamps only in a build
// configured with SB_CUDA_STEP_TRACE=ON, see step_trace_compiled): while set, every launch of
// the decode chain's GEMV, attention + proj and fused MLP kernels takes the next blocks x
// kStepStamps entries of the device buffer (a record in launch order: kernel name, blocks, offset)
// and thread 0 of each block writes %globaltimer (ns) there: 0 entry, 1 past griddepcontrol.wait,
// 2 its end, at 3 the block's multiprocessor (%smid) and at 4 the block's end (its last warp,
// after a barrier at the end).  A launch that does not fit gets no trace.  Read when a launch is
// enqueued: a graph captured while it is set keeps the offsets of its capture's records, so its
// replays write there.  set_step_trace(nullptr, 0) turns it off; either call clears the records.
constexpr int kStepStamps = 5;
struct StepTraceRecord {
  const char* kernel;  // static string: "gemv", "attn_proj", "mlp_fused"
  int blocks;
  std::size_t offset;  // in entries (unsigned long long) of the buffer
  int n_out;           // GEMVs: output rows of the matrix (tells QKV, c_fc, c_proj, LM head apart); else 0
};
void set_step_trace(unsigned long long* device_buffer, std::size_t entries);
// Whether the kernels were built with the stamps (CMake SB_CUDA_STEP_TRACE=ON; off by default:
// compiled in, even unused, they moved register allocation and cost up to 23%).
bool step_trace_compiled();
// The slot of one launch of `blocks` blocks (nullptr when off or full); called by the launchers.
unsigned long long* step_trace_take(const char* kernel, int blocks, int n_out = 0);
std::size_t step_trace_count();
StepTraceRecord step_trace_record(std::size_t i);
// Programmatic dependent launch for the forward kernels (default on; process-wide switch, for
// A/B measurements).
void set_programmatic_launch(bool on);
bool programmatic_launch();
// Preferred shared-memory carveout (percent, 0..100; -1 = the driver's choice per kernel) of every
// forward kernel launched from now on (process-wide switch, for A/B measurements).
void set_shared_carveout(int percent);
// fp8 decode GEMV: input row counts at or above this take the tensor-core kernel (mma.sync
// m16n8k32 E4M3, fp32 accumulation; docs/perf-cuda.md "Session 5b"), smaller ones the scalar
// one.  Default 2, or the environment's SB_FP8_MMA_MIN_ROWS (read once); 1 = always, 5 = never.
// Process-wide switch, for A/B measurements and for validating both paths.
void set_fp8_mma_min_rows(int rows);
int fp8_mma_min_rows();
// fp8_mma_one_row (session 15; the environment's SB_FP8_MMA_ONE_ROW when set): below
// fp8_mma_min_rows, the one-row fp8 GEMVs of these sites take the tensor-core kernel as well: -1
// = the measured rule (the default), else a mask (1 the QKV GEMV, 2 residual, 4 c_fc, 8 store;
// 0 none).  Process-wide, for A/B measurements and validation.
void set_fp8_mma_one_row(int mode);
int fp8_mma_one_row();
// Decode GEMV switches (docs/perf-cuda.md "Session 8: gpt2-xl decode GEMV ordering and split K");
// process-wide, read when a launch is enqueued (i.e. when a decode graph is captured), for A/B
// measurements and for validating both paths.
//  - gemv_prewait_loads (0..8, default 8 or the environment's SB_GEMV_PREWAIT): of the 8 16-byte
//    loads per lane of a warp's first weight chunk, how many the LayerNorm'd GEMVs (QKV, c_fc; not
//    the LM head) issue before griddepcontrol.wait; the rest are issued right after the input
//    rows' loads, so the rows are not queued behind the kernel's own weight stream.  Same
//    arithmetic: results bit-identical.
//  - gemv_split_k (0 = the measured shape rule, the default; 1 = off; 2 or 4 = forced; or
//    SB_GEMV_SPLIT_K; docs/perf-cuda.md "Session 8b: split-K rule"): up to this many warps share one row
//    group's K (each a contiguous range of 16-byte vectors; partial totals added in part order)
//    for the store/gelu/residual GEMVs whose rows are longer than one register chunk, when the
//    grid stays within one wave of resident blocks: more weight bytes in flight before the wait
//    (gpt2-xl's mlp c_proj: 4 chunk round trips at 400 blocks).  fp32 sums in another order
//    (int8: exact int32, bit-identical).  The rule (0) splits 2 ways only where each half row fits
//    one register chunk: mlp c_proj of gpt2 fp16 at >= 3 rows, gpt2-medium fp16, int8 large / xl.
void set_gemv_prewait_loads(int loads);
int gemv_prewait_loads();
void set_gemv_split_k(int warps);
int gemv_split_k();
//  - gemv_ring (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"; default 0 = off, or
//    the environment's SB_GEMV_RING): slots per warp of a shared-memory weight ring for the fp16
//    store/gelu/residual/QKV GEMVs with 16-byte rows (not the LM head, not split K).  Each warp's
//    first chunk is loaded into registers and the next `slots` chunks (4 KB each) are copied
//    into its ring (one bulk copy per chunk, the copy engine) before griddepcontrol.wait; after the wait each consumed slot is
//    refilled with the warp's next chunk, so the weight stream runs on through the post-wait
//    chain.  The grid is capped at gemv_ring_blocks blocks per SM (default 2, or
//    SB_GEMV_RING_BLOCKS) so that two consecutive GEMVs' blocks fit one SM side by side and the
//    next kernel's pre-wait copies overlap the current one (the register path fills the register
//    file with 8 blocks per SM, so the next kernel's blocks land only as these exit).  Same
//    arithmetic in the same order as the register path: results bit-identical.
void set_gemv_ring(int slots);
int gemv_ring();
void set_gemv_ring_blocks(int blocks_per_sm);
int gemv_ring_blocks();
// The ring only for GEMVs whose rows have K >= this (default 0 = all, or SB_GEMV_RING_MIN_K;
// 4 x n_embd: the mlp c_proj alone).  Process-wide, for A/B measurements.
void set_gemv_ring_min_k(int k);
int gemv_ring_min_k();
// GEMV launches enqueued on the ring path so far (validation: proves the path was taken).
long long gemv_ring_launch_count();
//  - gemv_xtma (2 = the measured rule, the default: one input row and n_embd >= 1600, i.e. gpt2-xl
//    at batch 1; 0 = off; 1 = on; the environment's SB_GEMV_XTMA when set): the fp16 GEMVs (register path,
//    not split K, not the folded embedding) copy their 16-byte-aligned input rows into shared
//    memory with the bulk-copy engine (one cp.async.bulk per row, completion on an mbarrier)
//    instead of ld.global.cg loads, whose L2 reads queue behind the SM's outstanding pre-wait
//    weight loads.  Same values: results bit-identical.
void set_gemv_xtma(int mode);
int gemv_xtma();
long long gemv_xtma_launch_count();
// Launches of the folded-LayerNorm GEMV kernels (GemvArgs::ln_fold) since process start.
long long gemv_ln_fold_launch_count();
//  - gemv_ln_threads (0 = the measured rule, the default, or the environment's SB_GEMV_LN_THREADS;
//    128 = off; 256 / 512 forced):
//    the LayerNorm'd fp16 one-row GEMVs (QKV, c_fc; register path) run in blocks of that many
//    threads (4 / 2 per SM instead of 8 of 128), so each SM normalises the input row 4x / 2x less
//    often (session 11, s11-xl: those phases are instruction-issue bound).  Bit-identical results.
//    0 = the measured rule by n_embd (gemv.cu ln_threads_rule: 768..1024 -> 512, ..1280 -> 256, else 128).
//    gemv_ln_threads_which (A/B): bit 0 the QKV GEMV, bit 1 c_fc (default 3, or SB_GEMV_LN_THREADS_WHICH).
void set_gemv_ln_threads(int threads);
int gemv_ln_threads();
void set_gemv_ln_threads_which(int mask);
int gemv_ln_threads_which();
long long gemv_ln_threads_launch_count();
//  - lm_head_mma (session 14, lm_head.cu; 0 / 1 / 2, default 2, or the environment's
//    SB_LM_HEAD_MMA): launch_gemv's argmax epilogue (the LM head) for fp16 / bf16 weights with k_in
//    a multiple of 64 runs on tensor cores (mma.sync m16n8k16, fp32 accumulation, a warp per
//    16-row tile, 3 steps of weights in flight per warp) instead of the register GEMV: 1 always,
//    2 = the measured rule (2-4 input rows at k_in <= 1280; one row and gpt2-xl were no faster),
//    0 never.  The same staged input; the logits' fp32 sums in another order (within the
//    validation's fp32 tolerance).
//    Process-wide, for A/B measurements; lm_head_mma_launch_count proves the path was taken.
//  - gemv_wide (session 15; the environment's SB_GEMV_WIDE when set): the int8 / fp8 register
//    GEMVs (not the fp8 tensor-core path, not the LM head) whose rows fit half a register chunk
//    (k_in <= 2048 bytes: the n_embd-wide rows of gpt2 .. gpt2-xl) take 4 rows per warp with 4
//    loads per lane each instead of 2 rows with 8 (of which a 1,600-byte row uses 3.1): the same
//    registers hold twice the useful weight bytes, so half the blocks cover the rows.  -1 = the
//    measured rule (the default), else a mask of the sites forced wide where their rows fit: 1
//    the QKV GEMV, 2 residual (attn c_proj), 4 c_fc (gelu), 8 store.  Same arithmetic per row:
//    results bit-identical.
//    Process-wide, for A/B measurements; gemv_wide_launch_count proves the path was taken.
void set_gemv_wide(int mode);
int gemv_wide();
long long gemv_wide_launch_count();
//  - gemv_int8_r1 (session 15; default 1 = on, measured faster at 3-4 rows; 0 = off; or
//    SB_GEMV_INT8_R1): the int8 register GEMVs at 3-4 input rows take one weight row per warp (6
//    blocks per SM) instead of two (3 per SM) where a row fits one register chunk (k_in <= 4,096).
//    Bit-identical (exact int32 sums).
void set_gemv_int8_r1(int on);
int gemv_int8_r1();
//  - gemv_x_global (session 16; default 1 = on, 0 = off, or SB_GEMV_X_GLOBAL): GemvArgs::x_global
//    where it applies (the int8 register GEMVs with per-row scales at 3-4 input rows: the int8 mlp
//    c_proj at batch 3-4).  Same codes and scales: results bit-identical.
void set_gemv_x_global(int on);
int gemv_x_global();
void set_lm_head_mma(int mode);
int lm_head_mma();
long long lm_head_mma_launch_count();
// Decode attention (launch_attention, seq == 1): issue the new key/value rows' shared-memory
// copies before reading q after griddepcontrol.wait (default off, or the environment's
// SB_ATT_ROWS_FIRST=1); same values.  Process-wide, for A/B measurements.
void set_decode_attention_rows_first(bool on);
bool decode_attention_rows_first();
// The decode kernels (launch_gemv; launch_attention with seq == 1) read weights (and biases,
// scales, LayerNorm parameters) before griddepcontrol.wait, so weights must be complete before a
// forward kernel is enqueued (the engine synchronizes after uploading).

// ---- Prefill path of the quantized engines (rows > kGemvMaxRows), all fp16 around the GEMM.
// out[r, k] = quantize(in[r * in_row_stride + k] * inv_scale): int8 rne clamped to +-127, fp8
// E4M3 with saturation; out is [rows, k] contiguous.
cudaError_t launch_quantize_rows(WQuant q, void* out, const void* in_f16, long long in_row_stride,
                                 int rows, int k, float inv_scale, cudaStream_t st);
// Per-row dynamic scales: row_scales[r] = max_k |in[r, k]| / qmax (1 for a zero row), then
// out[r, k] = quantize(in[r, k] / row_scales[r]) (multiplied by the fp32 inverse, as above).
cudaError_t launch_quantize_rows_dynamic(WQuant q, void* out, float* row_scales, const void* in_f16,
                                         long long in_row_stride, int rows, int k, cudaStream_t st);
enum class DequantEpilogue { kStore, kGelu, kResidual };
// v = acc[m, n] * (s_m * w_scale[n]) + bias[n] with s_m = x_row_scales[m] when non-null, else
// x_scale (acc int32 for int8, fp32 for fp8, [rows, n] contiguous); out[m * ldo + n] = v,
// gelu_new(v), or += v.
cudaError_t launch_dequant(WQuant q, void* out_f16, long long ldo, const void* acc, int rows, int n,
                           float x_scale, const float* x_row_scales, const float* w_scale,
                           const void* bias_f16, DequantEpilogue epi, cudaStream_t st);
// acc[m, n] = sum_k xq[m, k] * wq[n, k] (exact int32 / fp32): the GEMM when cuBLASLt has no
// algorithm for a shape (and the reference the cuBLASLt int8/fp8 GEMMs are checked against).
cudaError_t launch_qgemm_simple(WQuant q, void* acc, const void* xq, const void* wq, int rows, int n,
                                int k, cudaStream_t st);
// Row-wise symmetric quantization of an fp16 matrix w [n, k] into wq (bytes) + scales[n] (the
// device twin of quant::quantize_weight_hf, for synthetic engines drawn on the device).
cudaError_t launch_quantize_weight_rows(WQuant q, void* wq, float* scales, const void* w_f16, int n,
                                        int k, cudaStream_t st);

// ---- Decode attention fused with the attention output projection (attn_proj.cu; docs/perf-cuda.md
// "Session 9: attention + proj fusion").  One kernel for a layer's decode attention (seq = 1, one
// query per batch row) and attn c_proj + bias + residual at 1..kGemvMaxRows rows (fp32/fp16/bf16),
// in place of launch_attention + the kResidual GEMV: one dependent kernel fewer per layer.
//   o_b,h = dt(attention of row b, head h over cache keys 0..*past_len)   (the chain's att_ value)
//   x[b, n] = dt(x[b, n] + (RN32(S[b, n] * 2^-28) + proj_b[n]))
// where S[b, n] = sum over heads h of llrint(p_bhn * 2^28), p_bhn = sum_d proj_w[n, h D + d] o_b,h[d]
// in fp32 (d ascending).  Block (b, h, p) recomputes the attention of (b, h) (the chain's decode
// attention arithmetic with one key split: bit-identical o where the chain splits none) and the
// partials of output slice p (slice_rows outputs); its slice of proj_w (slice_rows x head_dim) is
// copied to shared memory before griddepcontrol.wait.  The cross-head sum is the fused MLP's word
// (fixed_word.h): one 64-bit word per (b, n) holding a contribution count and the fixed-point sum,
// added with returning integer atomics (exact: deterministic whatever the blocks' order); the block
// whose add completes the count (n_head contributions) writes x[b, n] and zeroes the word.  Range:
// every |p_bhn| must be < 2^19 and finite (n_head <= 255); otherwise *host_error is set to 1 (when
// given; the engine then throws) and that launch's x is unspecified, never reported as valid.
// Needs head_dim * dt_size a multiple of 16 bytes (16-byte weight copies).
struct AttnProjArgs {
  Dt dt = Dt::kF16;
  int rows = 1;                   // batch rows, one new token each: 1..kGemvMaxRows
  int n_head = 0, head_dim = 0, max_t = 0;
  float scale = 1.0f;             // attention score scale
  const void* qkv = nullptr;      // [rows, 3E] (q|k|v; q read here)
  const void* k_cache = nullptr;  // [batch][head][max_t][head_dim], the new key/value at *past_len
  const void* v_cache = nullptr;
  const int* past_len = nullptr;  // device: keys 0..*past_len are attended
  const void* proj_w = nullptr;   // [E, E] ([out, in])
  const void* proj_b = nullptr;   // [E] or null
  void* x = nullptr;              // [rows, E] contiguous: the residual stream, updated in place
  // attn_proj_scratch_bytes(E): zero before the first launch, left zero by every launch.
  void* scratch = nullptr;
  int* host_error = nullptr;      // optional pinned host word (UVA): set to 1 on a range error
  void* att_out = nullptr;        // optional [rows, E] (dt): the attention output o (validation)
  // Cross-head sum through a thread-block cluster instead of the fixed-point atomics (plan input):
  // blocks (b, p, k) for k < cluster = min(8, n_head), block k owning heads k, k + cluster, ..
  // (their attentions side by side, warps_per_head warps each) and writing its fp32 partials to its
  // shared memory; after a cluster barrier block k adds the cluster's partials in rank order for
  // its share of the slice (DSMEM reads) and writes x = dt(x + (sum + bias)).  Deterministic without
  // atomics, scratch or range limit; scratch and host_error are unused.
  bool use_cluster = false;
  // Filled by attn_proj_plan (slices = 0: its rule; > 0: that many output slices, if they fit;
  // att_warps = 0: the chain's decode-attention warps per head (bit-identical o), > 0: at most that
  // many (less key/value staging; o bit-identical only while the cache fits att_warps x 32 keys)).
  int slices = 0, slice_rows = 0, blocks = 0, att_warps = 0;
  int cluster = 0, heads_per_block = 1;  // cluster mode: blocks per cluster, heads per block
  std::size_t smem_bytes = 0;
  unsigned long long* step_trace = nullptr;  // set by launch_attn_proj from set_step_trace
  // Quantized attn c_proj (session 15; fp16 activations, atomic sum only): proj_w holds int8 / E4M3
  // codes [E, E] with per-output scales w_scale [E]; o (rounded to fp16 as the chain stores att_) is
  // quantized with the site's static activation scale (x_inv_scale = 1 / x_scale, as the chain's
  // GEMV).  int8: each head's exact int32 partial is added as p / 4 (exact in the fixed-point word),
  // so x is bit-identical to the chain's int8 GEMV; E4M3: fp32 partials, dequantized per head.
  WQuant wq = WQuant::kNone;
  const float* w_scale = nullptr;
  float x_scale = 1.0f, x_inv_scale = 1.0f;
};
std::size_t attn_proj_scratch_bytes(int n_embd);
// Chooses the output slices per head (rule: the most with one block per SM, rows x n_head x slices
// <= SMs, or more where a slice would still have > 256 outputs and 256-output slices fit one wave;
// where rows x n_head > SMs the count with the fewest waves of resident blocks; a forced count: the
// largest valid one <= it) and the shared memory; fails with cudaErrorNotSupported
// (last_launch_detail says why) for shapes it does not take (the engine keeps the chain there).
cudaError_t attn_proj_plan(AttnProjArgs& a);
cudaError_t launch_attn_proj(const AttnProjArgs& a, cudaStream_t st);
// ---- Fused MLP for the GEMV decode path (mlp_fused.cu; docs/perf-cuda.md "Session 9: fused MLP").
// One kernel for a layer's MLP at 1..kGemvMaxRows input rows (fp32/fp16/bf16):
//   h = dt(gelu_new(LN2(x) @ fc_w^T + fc_b));  x = dt(x + (RN32(S * 2^-28) + fc2_b))
// where S = sum over blocks of llrint(p_b * 2^28) and p_b is block b's fp32 partial of
// h[:, slice_b] @ fc2_w[:, slice_b]^T.  Block b owns a contiguous slice of slice_rows c_fc rows; it
// copies that slice of fc_w and the matching columns of fc2_w into shared memory (cp.async) before
// griddepcontrol.wait, then LN2 (the GEMV prologue's arithmetic and thread partition), the c_fc
// dot products (the GEMV's lane order and warp sum: h is bit-identical to the chain's kGelu
// output), and its fc2 partials, added as fixed point by 64-bit integer atomics into the scratch
// (exact integer sums: deterministic, whatever order the blocks arrive in).  Each word counts its
// contributions in its top 8 bits; the block whose atomic completes the count writes that x
// element and zeroes the word.  Range: every |p_b| must be < 2^19 and finite (<= 255 blocks keep
// the sum inside the word's signed 56-bit field); a partial outside it sets *host_error to 1 (the
// engine then throws) and that launch's x is unspecified, never reported as valid.
struct MlpFusedArgs {
  Dt dt = Dt::kF16;
  int rows = 1;                       // 1..kGemvMaxRows
  int n_embd = 0, n_inner = 0;
  void* x = nullptr;                  // [rows, n_embd] contiguous: LN2 input and residual, updated in place
  const float* ln_gamma = nullptr;    // LN2 (fp32)
  const float* ln_beta = nullptr;
  float ln_eps = 1e-5f;
  const void* fc_w = nullptr;         // [n_inner, n_embd]
  const void* fc_b = nullptr;         // [n_inner]
  // LayerNorm 2 folded into c_fc (session 12, as GemvArgs::ln_fold): fc_w holds W' = dt(W * gamma),
  // ln_fold [2 * n_inner] the g and c rows; h = gelu(rstd (W' x - mean g) + c + fc_b).  The plain
  // mode only (want_warp_ln and want_cluster are ignored while it is set).
  const float* ln_fold = nullptr;
  const void* fc2_w = nullptr;        // [n_embd, n_inner]
  const void* fc2_b = nullptr;        // [n_embd]
  // Scratch of mlp_fused_scratch_bytes(rows, n_embd): zero before the first launch, left zero by
  // every launch (one 64-bit word per output: contribution count and fixed-point sum).
  void* scratch = nullptr;
  int* host_error = nullptr;          // pinned host word (UVA), required: set to 1 on a range error
  void* h_out = nullptr;              // optional [rows, n_inner] (dt): the gelu output (validation)
  // Plan inputs (session 11, docs/perf-cuda.md "Session 11: the fused MLP's post-wait chain"):
  // want_warp_ln: LayerNorm 2's statistics computed by every warp for itself (the same sums in the
  // same order: h stays bit-identical) and a warp's c_fc hidden units interleaved, so no block
  // barrier lies between the staged x rows and the hidden activations (rows <= 2, n_embd x dt_size
  // <= 2048 bytes; else the plan keeps the block-reduction path).  want_cluster (2/4/8): thread-block
  // clusters of that many blocks add their fixed-point fc2 partials through distributed shared
  // memory first, so each output word takes blocks / C atomics instead of one per block (same
  // integer sums: x bit-identical to the unclustered kernel); 0/1 = none.
  // want_fc2_chunks: the fc2 partials walk the slice's hidden units in chunks of one 16-byte
  // vector, each chunk's h loaded once for all of a thread's outputs (h kept as [rows][units]):
  // ~5x fewer shared-memory loads in that phase, the same sums in the same order (x bit-identical).
  int want_warp_ln = 0;
  int want_cluster = 0;
  int want_fc2_chunks = 0;
  int want_ln_fold = 0;               // session 12: the folded-LayerNorm kernel (fp16/bf16; ln_fold must then be set)
  unsigned long long* trace = nullptr;  // set by launch_mlp_fused from set_mlp_fused_trace
  unsigned long long* step_trace = nullptr;  // set by launch_mlp_fused from set_step_trace
  // Filled by mlp_fused_plan.
  int slice_rows = 0, blocks = 0;
  int warp_ln = 0, cluster = 0;       // what the plan took of want_warp_ln / want_cluster (0 / 0: neither)
  int fc2_chunks = 0;                 // ... and of want_fc2_chunks
  int fold = 0;                       // ... and of want_ln_fold (then every launch needs ln_fold)
  std::size_t smem_bytes = 0;
};
// Diagnostics (sb_cuda_bench --trace-mlp): while set, launch k (counted from this call) has thread 0
// of block b write %globaltimer (ns) at buffer[(k mod slots) * slot + b * kMlpStamps + i], slot =
// blocks * kMlpStamps, slots = entries / slot: i = 0 entry, 1 after griddepcontrol.wait, 2 x staged
// (after the block barrier), 3 LayerNorm done, 4 h in shared memory (after the block barrier), 5 fc2
// partials computed, 6 cluster exchange done (= 5 without a cluster), 7 atomics returned and the
// completed x elements written, 8 end.  nullptr: off (one uniform branch per stamp).  Read when a
// launch is enqueued (a captured graph keeps its slot).
constexpr int kMlpStamps = 10;
void set_mlp_fused_trace(unsigned long long* buffer, std::size_t entries);
std::size_t mlp_fused_scratch_bytes(int rows, int n_embd);
// Chooses slice_rows (a multiple of the 16-byte vector, the smallest with one block per SM) and
// checks that both weight slices fit the shared memory of one block; cudaErrorNotSupported (with
// last_launch_detail saying why) for shapes it does not take (the engine keeps the chain there).
cudaError_t mlp_fused_plan(MlpFusedArgs& a);
cudaError_t launch_mlp_fused(const MlpFusedArgs& a, cudaStream_t st);
// ---- LayerNorm folding (session 12; GemvArgs::ln_fold, MlpFusedArgs::ln_fold).  From a layer
// matrix W [n_out, k_in] (dt: fp16 or bf16) and the LayerNorm before it (gamma, beta: fp32 [k_in]):
// w_out[n, k] = dt(W[n, k] * gamma[k]); fold[n] = sum_k w_out[n, k] (g), fold[n_out + n] =
// sum_k W[n, k] * beta[k] (c), both fp32 sums over k in order.  Since LN(x) = gamma (x - mean)
// rstd + beta, W . LN(x) = rstd (W' . x - mean g) + c.  w_out may not alias w.
cudaError_t launch_ln_fold(Dt dt, const void* w, const float* gamma, const float* beta, int n_out, int k_in,
                           void* w_out, float* fold, cudaStream_t st);

// ---- Persistent decode step (persistent.cu; docs/perf-cuda.md, session 6).
// One kernel computes a whole decode step (seq = 1, rows = batch 1..kGemvMaxRows, fp16/bf16):
// per layer LayerNorm 1 + QKV (+ KV-cache write), attention, proj + residual, LayerNorm 2 + fc +
// gelu_new, fc2 + residual, separated by grid-wide barriers; then the final LayerNorm, the tied LM
// head with fused argmax, and the next tokens copied to argmax_host by the last block (like
// launch_gemv's kArgmax with argmax_host).  Weights stream into shared memory ahead of the
// barriers.  Rounding points are the GEMV path's (only fp32 summation order differs).  Measured
// slower than the kernel chain on an H100 (docs/perf-cuda.md, session 6): the engine's
// persistent_decode option is off by default.
// Device pointers of one transformer layer (weights in the storage type, fp32 LayerNorm
// parameters, the KV cache): the layer tables of the persistent and the small-model decode kernels.
struct LayerPtrs {
  const void* qkv_w = nullptr;  // [3E, E], storage type, like the GEMV path's ([out, in])
  const void* qkv_b = nullptr;  // [3E]
  const void* proj_w = nullptr;  // [E, E]
  const void* proj_b = nullptr;
  const void* fc_w = nullptr;   // [I, E]
  const void* fc_b = nullptr;
  const void* fc2_w = nullptr;  // [E, I]
  const void* fc2_b = nullptr;
  const float* ln1_g = nullptr;
  const float* ln1_b = nullptr;
  const float* ln2_g = nullptr;
  const float* ln2_b = nullptr;
  void* k_cache = nullptr;      // [batch][head][max_t][head_dim]
  void* v_cache = nullptr;
};
using PersistentLayer = LayerPtrs;
struct PersistentArgs {
  Dt dt = Dt::kF16;             // kF16 or kBF16
  int rows = 1;                 // batch rows (one new token each), 1..kGemvMaxRows
  int n_layer = 0, n_head = 0, head_dim = 0, n_embd = 0, n_inner = 0, vocab = 0, max_t = 0;
  float ln_eps = 1e-5f, att_scale = 1.0f;
  const PersistentLayer* layers = nullptr;  // DEVICE array [n_layer]
  const void* wte = nullptr;    // [vocab, E] (embedding and tied LM head)
  const void* wpe = nullptr;    // [n_positions, E]
  const float* lnf_g = nullptr;
  const float* lnf_b = nullptr;
  const int* step = nullptr;    // device [past, token_0 .. token_{rows-1}], written before the launch
  void* x = nullptr;            // residual stream [rows, E] (scratch, written by the kernel)
  void* qkv = nullptr;          // [rows, 3E] scratch
  void* h = nullptr;            // [rows, I] scratch
  float* partial = nullptr;     // attention partials: persistent_partial_floats(blocks, rows, H, D)
  float* logits = nullptr;      // [rows, vocab] fp32, or null
  unsigned long long* argmax_slots = nullptr;  // [rows], zeroed by the kernel itself
  unsigned long long* argmax_host = nullptr;   // pinned host [rows] (UVA), the packed argmax keys
  unsigned* lm_counter = nullptr;              // 0 before the first launch, left 0
  // Grid-barrier arrival counter: 0 before the first launch, never reset; every launch sharing it
  // must use the same `blocks`.
  unsigned long long* barrier_counter = nullptr;
  int* host_error = nullptr;    // pinned host word: an error code when a wait times out (then trap)
  int split_keys = 0;           // target keys per attention work item (0: 32)
  // Timeline (diagnostics, set by launch_persistent_decode from set_persistent_trace): block b
  // writes %globaltimer (ns) at trace[b * (20 n_layer + 4) + i]: i = 0 start, 2k - 1 / 2k arrive
  // at / leave grid barrier k (k = 1 .. 5 n_layer), 10 n_layer + 1 end; then for phase p = 0 ..
  // 5 n_layer (the last: LM head) at 10 n_layer + 2 + 2p + j: j = 0 input staged, j = 1 LayerNorm
  // done (= j 0 for phases without one).
  unsigned long long* trace = nullptr;
  // Filled by persistent_plan.
  int blocks = 0, slot_bytes = 0, n_slots = 0, kv_bytes = 0, side_rows = 0;
  std::size_t smem_bytes = 0;
};
// Chooses grid size (blocks <= 0: one per SM), weight-ring slot size and count (<= 0: 64 KiB,
// as many as fit) and the attention prefetch area (<= 0: 24 KiB) for a's shape, and raises the
// kernel's shared-memory limit.  Fails (with last_launch_detail) for shapes it cannot take.
cudaError_t persistent_plan(PersistentArgs& a, int blocks, int slot_bytes, int n_slots, int kv_bytes);
std::size_t persistent_partial_floats(int blocks, int rows, int n_head, int head_dim);
// Process-wide diagnostics switch: launches whose timeline fits `entries` words write it there
// (nullptr: off).  sb_cuda_bench --trace reads it for one eager step.
void set_persistent_trace(unsigned long long* device_buffer, std::size_t entries);
// cooperative: cudaLaunchAttributeCooperative (all blocks co-resident or the launch fails).
cudaError_t launch_persistent_decode(const PersistentArgs& a, bool cooperative, cudaStream_t st);
// n_barriers grid barriers of the persistent kernel's kind and nothing else (blocks of 512
// threads; counter 0 before the first launch, same `blocks` every launch): sb_cuda_bench times
// it to give one barrier's cost on the card.
cudaError_t launch_barrier_probe(unsigned long long* counter, int blocks, int n_barriers, bool cooperative,
                                 cudaStream_t st);
// The decode kernel's weight ring alone: `blocks` blocks each stream bytes_per_block of src
// (blocks x bytes_per_block bytes, 16-byte aligned) through n_slots slots of slot_bytes, each
// chunk cut into `split` bulk copies (slot_bytes / split a multiple of 16), no computation
// (sb_cuda_bench: the ring's own rate).
cudaError_t launch_stream_probe(const void* src, unsigned long long bytes_per_block, int blocks, int slot_bytes,
                                int n_slots, int split, cudaStream_t st);

// A forward kernel that does no work: trigger, wait, and thread 0 of block 0 adds 1 to *counter.
// sb_cuda_bench chains it in a CUDA graph to measure what one dependent launch costs on the card
// (the floor under a decode step of n kernels); the bench checks the counter.
cudaError_t launch_chain_probe(unsigned* counter, int blocks, int threads, cudaStream_t st);

// slots[r] = packed argmax over logits[r * row_stride + 0 .. vocab).
cudaError_t launch_argmax_rows(const float* logits, int rows, int vocab, long long row_stride,
                               unsigned long long* slots, cudaStream_t st);

// Weight preparation (engine creation only).
// dst[i] = (Dt) src[i].
cudaError_t launch_convert(Dt dt, void* dst, const float* src, std::size_t n, cudaStream_t st);
// dst[o, i] = (Dt) src[i, o]: HF Conv1D [in, out] to the engine's [out, in].
cudaError_t launch_transpose_convert(Dt dt, void* dst, const float* src, int in, int out,
                                     cudaStream_t st);
// Deterministic pseudo-random fill (synthetic models): element i of stream `stream_id` is
// mean + stddev * N(0,1) drawn by Box-Muller from splitmix64(seed, stream_id, i).
cudaError_t launch_fill_normal(Dt dt, void* dst, std::size_t n, std::uint64_t seed,
                               std::uint64_t stream_id, float mean, float stddev, cudaStream_t st);
// Same as launch_fill_normal for fp32 buffers regardless of the engine type (LN parameters).
cudaError_t launch_fill_normal_f32(float* dst, std::size_t n, std::uint64_t seed,
                                   std::uint64_t stream_id, float mean, float stddev,
                                   cudaStream_t st);

}  // namespace sb::engine::cudak
