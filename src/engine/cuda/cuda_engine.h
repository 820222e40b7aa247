// engine/cuda/cuda_engine — the native CUDA engine (backend `native-cuda`).
// Contract (on top of engine.h's):
//  - Precisions: fp32 (strict: cuBLASLt CUBLAS_COMPUTE_32F, no TF32 unless tf32 = true), fp16 and
//    bf16 (weights and activations in that type; fp32 accumulation; LayerNorm statistics,
//    softmax, logits and argmax in fp32).  int8 (W8A8) and fp8 (E4M3, W8A8): the four matrices
//    of every layer hold one byte per weight with per-output-channel scales, their inputs are
//    quantized per tensor with static calibrated scales (int8: dp4a GEMV / cuBLASLt int8 GEMMs
//    with exact int32 accumulation; fp8: E4M3 GEMV / a simple tiled GEMM with fp32
//    accumulation), and
//    dequantized in the epilogue; everything else (embeddings, tied LM head, LayerNorm, attention,
//    softmax, residual stream, KV cache) is fp16 as in the fp16 engine.  Quantized weights and
//    scales come from a verified engine file (engine_file.h; a stale or corrupt file throws);
//    make_cuda_engine_synthetic quantizes its device-drawn weights itself with fixed activation
//    scales (speed measurements only: no calibration, accuracy meaningless).
//  - Weights are converted once at creation into [out, in] matrices on the device; the KV cache
//    for max_batch x max_seq is allocated at creation, so prefill/decode never allocate (except
//    the first LogitsMode::kAll prefill of a given size, which is not a benchmark path).
//  - prefill/decode return when the next-token ids are on the host; logits are copied only when
//    asked.  decode() with LogitsMode::kNone and cuda_graphs replays one CUDA graph per batch size
//    (captured on the second decode at that size; the position is read from device memory).
//    prefill() with LogitsMode::kNone or kLast, cuda_graphs and prefill_graphs replays one CUDA
//    graph per (batch, prompt length, logits mode) from a bounded LRU cache: the first prefill of
//    a shape runs eagerly, the second captures + instantiates it, later ones replay it.
//  - Every CUDA/cuBLASLt failure is thrown as sb::Error naming the call and the shape.
//  - Not thread-safe: one engine is driven by one thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "model/weights.h"

namespace sb::engine {

struct CudaEngineOptions {
  std::string precision = "fp16";   // fp32 | fp16 | bf16 | int8 | fp8
  int device = 0;
  int max_batch = 8;
  int max_seq = 0;                  // 0 = n_positions
  bool cuda_graphs = true;
  bool tf32 = false;                // fp32 only: allow TF32 tensor cores in GEMMs
  std::filesystem::path engine_file;  // built engine with calibration scales, for int8/fp8
  // Added members (validation and tuning switches; defaults are the fast path).
  bool fused_gemv = true;           // rows <= 4: fused LN+GEMV+epilogue kernels instead of cuBLASLt
  bool gelu_epilogue = true;        // cuBLASLt GELU_BIAS epilogue (else bias epilogue + gelu kernel)
  // Decode attention: cache keys per block (0 = automatic: 256, i.e. 32 keys for each of the
  // block's 8 warps).
  int decode_split_keys = 0;
  bool programmatic_launch = true;  // PDL between forward kernels (process-wide, see kernels.h)
  // int8/fp8: the source model's SHA-256 the engine file must have been built from (checked when
  // non-empty; the weights fingerprint is always checked).
  std::string engine_model_sha256;
  // int8 prefill GEMMs: cuBLASLt when it offers an algorithm (else the simple kernel).
  bool quant_cublaslt = true;
  // fp8 prefill GEMMs (rows > kGemvMaxRows), all but cublaslt on tensor cores (qgemm_mma.h):
  // "mma" (default) = one kernel that multiplies and dequantizes, and also quantizes the fp16
  // input at <= 8 rows (a quantize kernel runs first above); "mma_fused" = quantizes inside at any
  // row count; "mma_unfused" = quantize, GEMM, dequant kernels; "cublaslt" = cuBLASLt's FP8 GEMM
  // between the quantize and dequant kernels where it offers an algorithm (else mma_unfused);
  // "simple" = the CUDA-core GEMM (session 3-6 path).  mma and simple sum as accurately as IEEE
  // fp32; cuBLASLt accumulates inside the tensor core with ~13 mantissa bits (errors up to 2e-4
  // of sum |x w|, far under the E4M3 codes' own 2^-4).  Speeds: docs/perf-cuda.md, session 7.
  std::string fp8_prefill_gemm = "mma";
  // int8: the mlp c_proj input (the GELU output, whose outliers a static per-tensor scale serves
  // worst) is quantized with a per-row dynamic scale (max |x| / 127 of each token's row) instead
  // of its calibrated one: mean KL to the fp32 oracle on pydoc-gpt2-8m 4.0e-3 -> 1.8e-3 in the
  // CPU emulation (sb_quant_sim, docs/perf-cuda.md).  false = every site static.
  bool int8_dynamic_fc2 = true;
  // make_cuda_engine_synthetic with int8/fp8: |x| range assumed for every quantized activation.
  float synthetic_act_amax = 8.0f;
  // Decode on the GEMV path: the QKV GEMV also computes attention (last block per head), one
  // dependent kernel fewer per layer.  Used when max_seq <= fused_attention_max_t: the fused tail
  // gives each head 4 warps, so its time grows with the cache length faster than the separate
  // split-key kernel's.  Default off: measured slower on an H100 (gpt2 fp16 B=1 0.297 -> 0.429
  // ms/step: the tail's chain of dependent loads costs more than the kernel boundary it saves;
  // docs/perf-cuda.md, session 5).
  bool fuse_qkv_attention = false;
  int fused_attention_max_t = 512;
  // Preferred shared-memory carveout of every forward kernel (percent; -1 = the driver's choice per
  // kernel), process-wide like programmatic_launch.  100 (the most shared memory: one L1/shared
  // split for every kernel) measured 0.5-4% faster decode on an H100 than the driver's per-kernel
  // choice (session 5).
  int shared_carveout = 100;
  // Decode (seq 1) at batch <= 4 in fp16/bf16 as ONE persistent kernel per step (persistent.cu:
  // grid barriers between phases, weights streamed into shared memory ahead of them) instead of
  // ~5 kernels per layer; the captured decode graph then holds the step-input copy + that kernel.
  // Other cases (fp32, int8/fp8, prefill, batch > 4) keep the kernel chain.  Default off:
  // validated, but measured 1.2-1.65x SLOWER than the chain on an H100 (gpt2 fp16 B=1 0.433 vs
  // 0.292 ms; docs/perf-cuda.md, session 6).  Batch sizes whose shape does not fit the kernel's
  // shared-memory plan keep the chain (the description says which).
  bool persistent_decode = false;
  int persistent_blocks = 0;        // grid size (0: one block per SM)
  int persistent_slot_bytes = 0;    // weight-ring slot size (0: 64 KiB)
  int persistent_slots = 0;         // weight-ring slots (0: as many as fit)
  int persistent_kv_bytes = 0;      // attention key/value prefetch area (0: 24 KiB)
  bool persistent_cooperative = true;  // cudaLaunchAttributeCooperative (co-residency guaranteed)
  // Decode (seq 1) of a SMALL model at batch <= 4 in fp32/fp16/bf16/int8/fp8 as one kernel per step with no
  // grid barrier (small_decode.h: every block runs all layers redundantly from its shared memory
  // and a slice of the LM head; the last block publishes the next tokens).  Applies where
  // cudak::plan_small_decode accepts the shape (n_embd <= 64, head dim <= 16, <= 8 layers, layer
  // weights <= 96 KiB, everything staged within shared memory) and fused_gemv is on; int8/fp8 with
  // the chain's quantized GEMV arithmetic (fp8 at batch >= fp8_mma_min_rows with n_embd or n_inner
  // a multiple of 16 keeps the chain: its tensor-core sums are not reproduced); prefill and larger
  // models keep the chain; persistent_decode, when on, takes precedence.
  // Default on: tiny-gpt2 decode measured in docs/perf-cuda.md, session 7.
  bool small_decode = true;
  // fp8 engines take the small kernel only when this is also on (logits bit-identical to the
  // chain's on tiny-gpt2).  Session 7's fp8 step was 2x SLOWER than the chain on an H100 (B=1 76
  // vs 37 us): its chain-order dot product unrolled 32x per call site (380-390 KB of code);
  // rolled since session 8 (B=1 27 vs 38-40 us, B=4 29 vs 64), docs/perf-cuda.md "Session 8: the
  // small-model decode step".
  bool small_decode_fp8 = true;
  // fp8 in the small kernel with the weights staged as the fp16 values of their E4M3 codes and each
  // matrix input quantized once by the phase that writes it (small_decode.h, quant 3): the same
  // values, products and sums as the default fp8 path (logits bit-identical), fewer dependent
  // steps per dot product.  Falls back to the default fp8 layout where the two-byte weights do
  // not fit the plan at a batch size the one-byte ones do.  The environment's
  // SB_SMALL_FP8_PREDECODE=0/1, when set, overrides it.  Default on: tiny-gpt2 fp8 decode on an
  // H200 22.0-22.3 us at batch 1 and 23.6-23.9 at batch 4 against 28.0-28.2 / 29.4-30.0 with the
  // codes, two runs (docs/perf-cuda.md, "Session 11: fp8 in the small-model decode step").
  bool small_fp8_predecode = true;
  int small_blocks = 0;             // grid size (0: one block per SM)
  // The kernel reads the step's position and tokens from pinned host memory (no copy node in the
  // decode graph) instead of the device copy.
  bool small_host_input = false;
  // Prefill (LogitsMode kNone and kLast; kAll stays eager) as one CUDA graph launch per call
  // instead of ~100 (int8: ~200) kernel launches and cuBLASLt calls, whose host cost made eager
  // prefill time depend on the host (docs/perf-cuda.md, session 7).  Needs cuda_graphs too.  The
  // first prefill of a (batch, prompt length, logits mode) runs eagerly (cuBLASLt algorithm
  // choice, module loading and kernel attributes outside capture), the second captures and
  // instantiates its graph (it pays that once: in a study's warmups when warmup >= 2), later ones
  // replay it; the token ids reach the graph through the pinned step buffer it copies from.
  // At most prefill_graph_capacity shapes are kept (least recently used evicted; an evicted
  // shape is captured again on its next prefill).  false = the eager path of sessions 1-6.
  bool prefill_graphs = true;
  int prefill_graph_capacity = 16;
  // GEMV decode path (seq 1, fp32/fp16/bf16, 1..4 rows, fuse_qkv_attention off): each layer's decode
  // attention and attn c_proj + bias + residual as ONE kernel (kernels.h launch_attn_proj: one
  // dependent kernel fewer per layer; deterministic sum over heads, so the proj's fp32 summation
  // order differs from the chain's within the GEMV tolerances).  0 = off (the chain); 1 = on for
  // every row count the plan takes (head_dim x dt_size a multiple of 16 bytes); -1 = the measured
  // shape rule (CudaEngine::setup_attn_proj: rows x heads <= 64, not fp32 at 1 row nor at 4 rows
  // beside the fused MLP, and only for decode steps whose keys fit one of the chain's key splits
  // (past + 1 <= decode_split_keys: with a longer max_seq the step's cache length picks the fused
  // kernel or the chain, each with its own decode graph); docs/perf-cuda.md
  // "Session 9: attention + proj fusion" and "Session 10: attention + proj on the count-in-word
  // protocol").  The
  // description says which row counts take it.  attn_proj_slices > 0 forces the output slices per
  // head, attn_proj_att_warps > 0 caps the attention warps per head (A/B).  The environment's
  // SB_FUSE_ATTN_PROJ=-1/0/1, when set, overrides fuse_attn_proj (the same encoding as fuse_mlp).
  // Default -1: the rule's cells were measured faster than the chain in the same process (session 9,
  // calls 1-3, and session 10, H200; session 9's calls wrote the rule as 2).
  int fuse_attn_proj = -1;
  int attn_proj_slices = 0;
  int attn_proj_att_warps = 0;
  // How the fused kernel sums the heads' proj partials: true = a thread-block cluster per (row,
  // slice) adds them in rank order through distributed shared memory; false = 64-bit fixed-point
  // atomics with the contribution count in the word (fixed_word.h; the block that completes an
  // output writes it).  Both deterministic.  SB_ATTN_PROJ_CLUSTER=0/1 overrides.
  // Measured slower than the atomics (docs/perf-cuda.md, session 9 call 2): off by default.
  bool attn_proj_cluster = false;
  // GEMV path (fp32/fp16/bf16, 1..4 rows): each layer's MLP (LayerNorm 2, c_fc, gelu_new, mlp
  // c_proj, residual) as ONE kernel instead of the c_fc and mlp c_proj GEMVs (kernels.h
  // launch_mlp_fused: one dependent kernel fewer per layer; deterministic fixed-point sum across
  // blocks, so fp32 summation order differs from the chain's within the GEMV tolerances).
  // -1 (default) = the measured shape rule, per row count (docs/perf-cuda.md "Session 9: fused
  // MLP"; H200): fp16/bf16 at 1 row and bf16 at 3-4 rows where both weight slices of a block take
  // <= 96 KiB (gpt2: -9% / -12% at batch 1, bf16 -4% / -3% at 3 / 4; gpt2-medium and -large lost),
  // fp32 at 2-4 rows (gpt2 -8..-11%; +7% at 1 row); 0 = off (the chain); 1 = wherever the kernel
  // fits (both slices in one block's shared memory: not gpt2-xl, fp32 gpt2 only).  The
  // environment's SB_FUSE_MLP=-1/0/1, when set, overrides it.  The description says which row
  // counts take it.
  int fuse_mlp = -1;
  // The fused MLP's post-wait chain (docs/perf-cuda.md "Session 11: the fused MLP's post-wait
  // chain"; A/B switches, results bit-identical to the plain kernel): mlp_warp_ln = 1: LayerNorm 2's
  // statistics computed by every warp for itself and a warp's c_fc units interleaved (no block
  // barrier between the x rows and h; rows <= 2, n_embd x dt_size <= 2 KiB); mlp_cluster = 2/4/8:
  // clusters of that many blocks pre-add their fc2 partials through distributed shared memory (one
  // atomic per output per cluster).  -1 = the default (off until measured faster), 0 = off.  The
  // environment's SB_MLP_WARP_LN / SB_MLP_CLUSTER, when set, override them.
  // mlp_fc2_chunks = 1: the fc2 partials take each chunk of 8 hidden units' h once for all of a
  // thread's outputs (SB_MLP_FC2_CHUNKS); 0 (default) = off; -1 = the rule s11-mlp measured: bf16 at
  // 4 rows (gpt2 -2.8% / -3.5% a decode step in two runs of one call, H200), which the lead's call 3
  // on the merged binary did not reproduce (+0.3% / +1.4%, same card type): not a default.  At 1 row
  // it lost +10% (69 registers no longer fit beside the neighbouring kernels' early blocks).
  int mlp_warp_ln = -1;
  int mlp_cluster = -1;
  int mlp_fc2_chunks = 0;
  // GEMV decode path (seq 1, fp32/fp16/bf16, 1..4 rows, fuse_qkv_attention off): each layer's
  // attention half (LN1, QKV, KV-cache write, decode attention, attn c_proj, residual) as ONE kernel
  // (attn_layer.h launch_attn_layer: a thread-block cluster per head; two dependent kernels fewer per
  // layer than the chain with fuse_attn_proj; deterministic fixed-point sum over heads).  -1 = the
  // rule (off until measured faster: docs/perf-cuda.md "Session 10: one kernel for the attention
  // half of a layer"), 0 = off, 1 = wherever the plan fits (all keys of max_seq staged in shared
  // memory).  SB_FUSE_ATTN_LAYER=-1/0/1, when set, overrides it.  attn_layer_cluster > 0 forces the
  // blocks per head (1/2/4/8 dividing head_dim; A/B).
  int fuse_attn_layer = -1;
  int attn_layer_cluster = 0;
  // Decode GEMV weight ring (kernels.h set_gemv_ring / set_gemv_ring_blocks; docs/perf-cuda.md
  // "Session 10: gpt2-xl decode stream overlap"): slots per warp (0 = off: the register path) and
  // the ring kernels' blocks per SM, set process-wide when the engine is created (like
  // shared_carveout).  -1 = the process default: the environment's SB_GEMV_RING /
  // SB_GEMV_RING_BLOCKS when set, else off / 2.  The environment, when set, overrides the option.
  int gemv_ring = -1;
  int gemv_ring_blocks = -1;
  // Decode GEMV input rows by the bulk-copy engine (kernels.h set_gemv_xtma), process-wide when
  // the engine is created: -1 = the environment's SB_GEMV_XTMA when set, else the measured rule
  // (2: one input row, n_embd >= 1600, i.e. gpt2-xl at batch 1; docs/perf-cuda.md session 10 calls
  // 5-6); 0 off; 1 on wherever it applies; 2 the rule.
  int gemv_xtma = -1;
  // The fp16/bf16 decode LM head on tensor cores (kernels.h set_lm_head_mma, lm_head.cu),
  // process-wide when the engine is created: -1 = the environment's SB_LM_HEAD_MMA when set, else
  // the measured rule (2: 2-4 input rows at n_embd <= 1280; docs/perf-cuda.md session 14); 0 the
  // register GEMV; 1 wherever it applies (k_in a multiple of 64); 2 the rule.
  int lm_head_mma = -1;
  // Threads per block of the LayerNorm'd fp16 one-row decode GEMVs (kernels.h
  // set_gemv_ln_threads), process-wide when the engine is created: -1 = the environment's
  // SB_GEMV_LN_THREADS when set, else 0 = the measured rule by n_embd (512 threads at n_embd
  // 768..1024, 256 at 1025..1280, 128 elsewhere; docs/perf-cuda.md session 11, s11-xl: gpt2-medium
  // -4..-5%, gpt2 -1.5..-2.5%, gpt2-large -1.3..-2.5% at batch 1 on an H200); 128 = main's blocks
  // (off); 256 or 512 forced.
  int gemv_ln_threads = -1;
  // LayerNorm folded into the decode GEMVs' weights (session 12; kernels.h launch_ln_fold,
  // GemvArgs::ln_fold): fp16/bf16 engines keep a second copy of each layer's QKV and c_fc matrices
  // with gamma multiplied in (W' = dt(W * gamma)) and two fp32 rows per matrix, and the QKV GEMV,
  // the c_fc GEMV and the fused MLP compute W . LN(x) as rstd (W' . x - mean g) + c: the row
  // statistics in one pass beside the dot products, no normalized row staged, no block barrier
  // between them.  Prefill keeps the LayerNorm kernels and the original matrices.  Not
  // bit-identical (other roundings: cuda_validate --only ln_fold states the tolerance).  Memory:
  // + (3 E^2 + I E) x dt_size per layer (gpt2-xl fp16: +1.7 GB).  -1 = the measured rule: on for
  // fp16/bf16 engines with n_embd a multiple of 8 (H200, session 12 calls 2-3, decode ms/step against
  // the LayerNorm prologue in one process: gpt2 fp16 -7% at batch 1 / -16% at batch 4, bf16 -4% /
  // -12%, gpt2-medium -7% / -16%, gpt2-large -5% / -14%, gpt2-xl -7..-9% / -12%; docs/perf-cuda.md
  // "Session 12"); 0 = off, 1 = on (the same set); SB_LN_FOLD, when set, overrides it.
  int ln_fold = -1;
};

// What a native-cuda engine did so far (validation and benchmarks): prefill paths taken and the
// cuBLASLt algorithm chosen for every GEMM shape it has planned.
struct CudaEngineStats {
  long long prefill_eager = 0;      // prefills run kernel by kernel (graphs off, kAll, first of a shape)
  long long prefill_captures = 0;   // prefill graphs captured + instantiated (and launched)
  long long prefill_replays = 0;    // prefills that replayed a cached graph
  long long prefill_evictions = 0;  // graphs dropped from the cache to make room
  int prefill_graphs_cached = 0;
  // Host time of the last prefill's submission (from its start to the last launch or the graph
  // launch returning, before the wait for the next tokens): near the whole prefill latency when
  // the GPU waits for the host's launches.
  double last_prefill_submit_ms = 0;
  std::string gemm_plans;  // with_gemm_plans: one line per planned cuBLASLt shape (LtGemm::describe_plans)
};
// Throws sb::Error when `e` is not a native-cuda engine.
CudaEngineStats cuda_engine_stats(const Engine& e, bool with_gemm_plans = false);

std::unique_ptr<Engine> make_cuda_engine(const model::GptWeights& w, const CudaEngineOptions& o);

// Synthetic weights generated on the device (speed benchmarks of models too large to build on the
// host quickly): matrices and biases ~ N(0, 0.02), wpe ~ N(0, 0.01), LayerNorm gamma 1 and
// beta ~ N(0, 0.02), drawn by kernels.h's launch_fill_normal from `seed`.
std::unique_ptr<Engine> make_cuda_engine_synthetic(const model::GptConfig& cfg, std::uint64_t seed,
                                                   const CudaEngineOptions& o);

bool cuda_available(std::string* reason);   // false + reason when no driver/device

// Checks options and weights against the config without touching a device (also used before
// any CUDA call, so bad input is reported even on machines without a GPU).
void validate_cuda_options(const model::GptConfig& cfg, const CudaEngineOptions& o);
void validate_weights(const model::GptWeights& w);

}  // namespace sb::engine
