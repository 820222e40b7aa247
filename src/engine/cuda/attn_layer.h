// engine/cuda/attn_layer.h — the attention half of a decode layer in ONE kernel (attn_layer.cu;
// docs/perf-cuda.md "Session 10: one kernel for the attention half of a layer (s10-layer)").
// Contract (seq = 1, one new token per batch row, 1..kGemvMaxRows rows, fp32/fp16/bf16):
//   a   = dt(LN1(x) rounded to dt  @ qkv_w^T + qkv_b)          (q | k | v of every row; = the chain's
//         kQkvScatter GEMV output: the LayerNorm and dot products use the GEMV's partition and order)
//   k, v of the new token written into the caches at *past_len (the chain's KV scatter)
//   o   = dt(softmax(q k^T * scale) v) over cache keys 0..*past_len (the new key included)
//   x  = dt(x + (RN32(S * 2^-28) + proj_b))  with S = sum over heads h of llrint(p_h * 2^28),
//         p_h[n] = sum_d proj_w[n, h D + d] o_h[d] in fp32 (d ascending)
// Grid: one thread-block cluster of C blocks per head (C = 8 by default, a divisor of head_dim).
// Block k of head h owns the head's q/k/v outputs k D/C .. (k + 1) D/C - 1 and the attn c_proj
// outputs k E/C .. (k + 1) E/C - 1; before griddepcontrol.wait it copies its QKV rows, its proj_w
// tile (E/C rows x the head's D columns) and its share of the head's OLD keys/values (keys split
// over the cluster in contiguous ranges) into shared memory.  After the wait: x rows, LN1, its
// q/k/v outputs, exchanged through distributed shared memory (cluster barrier), attention over its
// key range, softmax partials combined through DSMEM in rank order (every block gets the same o_h),
// its c_proj partials, then the cross-head sum in 64-bit count + fixed-point words (fixed_word.h):
// the head whose add completes an element's count (n_head adds) writes x and zeroes the word.  No
// grid-wide counter or fence; deterministic (integer sums).  Range: every |p_h| < 2^19 and finite;
// else *host_error = 1 (pinned host word: the engine throws) and that launch's x is unspecified.
// Layer 0 may fold the token embedding in (wte/wpe/tokens: x rows are computed, not read, as the
// QKV GEMV's embedding fold does; zero_slots cleared by block 0).
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/cuda/kernels.h"

namespace sb::engine::cudak {

struct AttnLayerArgs {
  Dt dt = Dt::kF16;
  int rows = 1;                    // batch rows, one new token each: 1..kGemvMaxRows
  int n_head = 0, head_dim = 0, max_t = 0;
  float scale = 1.0f;              // attention score scale
  const float* ln_gamma = nullptr; // LN1 (fp32)
  const float* ln_beta = nullptr;
  float ln_eps = 1e-5f;
  const void* qkv_w = nullptr;     // [3E, E] ([out, in])
  const void* qkv_b = nullptr;     // [3E] or null
  const void* proj_w = nullptr;    // [E, E]
  const void* proj_b = nullptr;    // [E] or null
  void* x = nullptr;               // [rows, E] contiguous: LN1 input and residual, updated in place
  void* k_cache = nullptr;         // [batch][head][max_t][head_dim]
  void* v_cache = nullptr;
  const int* past_len = nullptr;   // device: keys 0..*past_len attended, the new key/value at *past_len
  // Layer 0 (optional): x row m = dt(wte[tokens[m]] + wpe[*past_len]) instead of reading x.
  const void* wte = nullptr;
  const void* wpe = nullptr;
  const std::int32_t* tokens = nullptr;
  unsigned long long* zero_slots = nullptr;
  int n_zero_slots = 0;
  // attn_layer_scratch_bytes(rows, E): zero before the first launch, left zero by every launch.
  void* scratch = nullptr;
  int* host_error = nullptr;       // pinned host word (UVA), required: set to 1 on a range error
  void* qkv_out = nullptr;         // optional [rows, 3E] (dt): the QKV outputs (validation)
  void* att_out = nullptr;         // optional [rows, E] (dt): the attention output o (validation)
  unsigned long long* trace = nullptr;  // set by launch_attn_layer from set_attn_layer_trace
  int cluster = 0;                 // plan input: 0 = the largest of 8/4/2/1 dividing head_dim; else forced
  // Filled by attn_layer_plan.
  int blocks = 0, q_rows = 0, out_rows = 0, max_keys = 0;
  std::size_t smem_bytes = 0;
};
std::size_t attn_layer_scratch_bytes(int rows, int n_embd);
// Diagnostics (sb_cuda_bench --trace-layer): while set, launch k (counted from this call) has
// thread 0 of block b write %globaltimer (ns) at buffer[(k mod slots) * slot + b * kAttnLayerStamps
// + i], slot = blocks * kAttnLayerStamps, slots = entries / slot: i = 0 entry, 1 after the wait, 2 x
// staged, 3 LN done, 4 after cluster barrier 1 (q/k/v exchanged), 5 q gathered + keys staged, 6
// attention partials written, 7 after cluster barrier 2, 8 o combined, 9 atomics done / x written,
// 10 end.  nullptr: off.  Read when a launch is enqueued (a captured graph keeps its slot).
constexpr int kAttnLayerStamps = 12;
void set_attn_layer_trace(unsigned long long* buffer, std::size_t entries);
// Chooses the cluster size and the shared-memory layout for a's shape (max_t sets the key staging);
// fails with cudaErrorNotSupported (last_launch_detail says why) for shapes it does not take.
cudaError_t attn_layer_plan(AttnLayerArgs& a);
cudaError_t launch_attn_layer(const AttnLayerArgs& a, cudaStream_t st);

}  // namespace sb::engine::cudak
