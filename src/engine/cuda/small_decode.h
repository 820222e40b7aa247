// engine/cuda/small_decode — one kernel per decode step for small models (tiny-gpt2 and alike).
// Contract:
//  - A decode step of a small model (seq 1, batch rows 1..kSmallMaxRows, fp32/fp16/bf16, and the
//    int8/fp8 W8A8 engines, whose activations are fp16) is pure
//    launch latency on the kernel chain (~11 dependent kernels for tiny-gpt2).  This kernel does
//    the whole step in ONE launch without any grid barrier: every block computes every layer
//    redundantly for all batch rows (the layer weights and ln_f, a few KiB, are staged into its
//    shared memory with cp.async at the start, in one contiguous copy of the engine's image of
//    them (build_small_image: the shared-memory layout itself); the old keys/values of each
//    layer are staged the same way, one or two layers ahead, and the new ones are read from the
//    block's own q|k|v row), then its own slice of the tied LM
//    head (rows [blockIdx.x * rows_per_block, ...), staged at the start too) with the argmax.
//    Only block 0 writes the new key/value rows to the KV cache (the next step's launch orders
//    them).  The last block to finish (atomic counter, the LM head GEMV's pattern) copies the
//    packed argmax keys (argmax_key.h: same key and tie rule as the chain) to the pinned host
//    buffer and resets the counter and the slots (0 before the first launch, left 0).
//  - Rounding points are the kernel chain's: the residual stream, LayerNorm outputs, q|k|v, the
//    attention output and the MLP hidden row are stored in the storage type; LayerNorm statistics,
//    dot products, softmax and logits are fp32.  LayerNorm statistics and the LM head's dot
//    products (n_embd <= 8) follow the chain's summation order bit for bit; the layer dot products
//    and the attention sum in another fp32 order (differences of a few fp32 ulps).
//  - Applicability (plan_small_decode): n_embd <= kSmallMaxEmbd, head_dim <= kSmallMaxHeadDim,
//    n_layer <= kSmallMaxLayers, all layer weights <= kSmallMaxLayerWeightBytes, and everything the
//    block stages (weights, its LM-head slice, the keys/values of one layer for max_t positions)
//    within the device's shared memory per block.  fp8 at batch rows >= the chain's
//    fp8_mma_min_rows keeps the chain when n_embd or n_inner is a multiple of 16 (the chain's
//    tensor-core GEMV, whose accumulation this kernel does not reproduce).
//  - int8/fp8 (W8A8, quant.h): the chain's quantized GEMV arithmetic (gemv.cu) at the same sites:
//    the fp16 input row quantized with the site's static inverse scale (int8 mlp c_proj with
//    per-token scales: max |x| / 127 of the row, as the chain), int8 products summed exactly in
//    int32 (order-free), E4M3 products (exact in fp32) summed in the chain's lane partition and
//    warp_sum butterfly order, dequantized as sum * (x_scale * w_scale[n]) + bias, then the same
//    epilogue and fp16 rounding; so its logits equal the chain's wherever the rest does.
//    fp8 with decoded weights (quant 3, CudaEngineOptions::small_fp8_predecode): the same
//    arithmetic with two steps moved, not changed: the weight image holds each E4M3 code's value
//    as fp16 (exact: E4M3 values are a subset of fp16's), and the phase that writes a matrix input
//    (LayerNorm 1 and 2, the attention combine, c_fc's gelu epilogue) stores it already quantized
//    and decoded, e4m3(fp16(v) * x_inv_scale) as fp32, once per element, instead of every output
//    thread re-quantizing the whole input row in its dot product; those rows feed only that
//    matrix.  Products, summation tree, dequantization and epilogue are quant 2's.
//  - Every device buffer the kernel stages from must be readable up to its size rounded up to 16
//    bytes (the engine's allocations are padded so): staging copies whole 16-byte chunks.
#pragma once
#include <cstddef>
#include <string>

#include <cuda_runtime_api.h>

#include "engine/cuda/kernels.h"

namespace sb::engine::cudak {

constexpr int kSmallThreads = 256;
constexpr int kSmallMaxRows = 4;
constexpr int kSmallMaxLayers = 8;
constexpr int kSmallMaxEmbd = 64;
constexpr int kSmallMaxHeadDim = 16;
constexpr std::size_t kSmallMaxLayerWeightBytes = 96 * 1024;

// warp_sum's value in lane 0 (xor butterfly: pairs l, l + o for o = 16, 8, 4, 2, 1) of the 32 lane
// values leaf(0 .. n-1) and zeros beyond (n <= 32), computed by one thread (the kernel's chain-order
// sums; here for the CPU test).  Leaves are visited in bit-reversed order and merged like a binary
// counter (st[b]: the pending left half of level b), so the pairs are exactly the butterfly's with
// 5 partial sums live.  With n <= 2^j the lanes >= 2^j are zeros and only add +0 to each leaf, so a
// j-level tree over the first 2^j leaves is the same sum except for the sign of an all-zero
// result, which the final + 0.0f restores (x + +0 is x for every x but -0).  A loop over 2^j
// leaves (unrolled 4): the fp8 dot product unrolled 32 times per call site made that kernel's code
// 380-390 KB (docs/perf-cuda.md, session 8).
#if defined(__CUDACC__)
#define SB_SMALL_BF_HD __host__ __device__ __forceinline__
#else
#define SB_SMALL_BF_HD inline
#endif
template <typename Leaf>
SB_SMALL_BF_HD float small_butterfly_sum(int n, Leaf leaf) {
#if defined(__CUDA_ARCH__)
  const int j = n <= 1 ? 0 : 32 - __clz(n - 1);  // ceil(log2(n)), 0 for n <= 1
#else
  int j = 0;
  while ((1 << j) < n) ++j;
#endif
  float st[5] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  float acc = 0.0f;
#if defined(__CUDA_ARCH__)
#pragma unroll 4  // (independent leaves: their loads and conversions overlap)
#endif
  for (int i = 0; i < (1 << j); ++i) {
    unsigned rev = 0;  // i's j low bits reversed
#if defined(__CUDA_ARCH__)
    rev = j == 0 ? 0u : __brev(static_cast<unsigned>(i)) >> (32 - j);
#else
    for (int b = 0; b < j; ++b) rev |= ((static_cast<unsigned>(i) >> b) & 1u) << (j - 1 - b);
#endif
    acc = leaf(static_cast<int>(rev));
    bool open = true;  // (no break: static indices keep st in registers)
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
    for (int b = 0; b < 5; ++b) {
      if (open) {
        if ((i >> b) & 1) {
          acc = st[b] + acc;
        } else {
          st[b] = acc;
          open = false;
        }
      }
    }
  }
  return n < 32 ? acc + 0.0f : acc;
}

// The same butterfly as a fixed tree of 2^J leaves, leaf(R), leaf(R + S), ... (call with R = 0, S
// = 1): the pairs (l, l + 2^(J-1)) first, as warp_sum's xor butterfly meets them in lane 0, so
// small_butterfly_tree<J, 0, 1>(leaf) + 0.0f == small_butterfly_sum(n, leaf) bit for bit for every
// n <= 2^J whose leaves beyond n are +0 and whose leaves are never -0 (a lane partial that starts at
// +0: the extra levels then only add +0).  All leaves are independent and the adds form a J-deep
// tree (the loop above is a chain through its 5 pending sums): the fp8 kernel with decoded weights
// (small_decode.cu, SmallDecodeShape::quant 3) takes it for K <= 8.
template <int J, int R, int S, typename Leaf>
SB_SMALL_BF_HD float small_butterfly_tree(const Leaf& leaf) {
  if constexpr (J == 0) {
    return leaf(R);
  } else {
    return small_butterfly_tree<J - 1, R, 2 * S>(leaf) + small_butterfly_tree<J - 1, R + S, 2 * S>(leaf);
  }
}

struct SmallDecodeShape {
  int n_layer = 0, n_head = 0, n_embd = 0, n_inner = 0, vocab = 0, max_t = 0;
  int elem_bytes = 4;  // storage type: 4 (fp32) or 2 (fp16/bf16)
  int rows = 1;        // batch rows of the step
  // 0: none; 1: int8 W8A8; 2: fp8 (E4M3) W8A8 (elem_bytes must be 2: fp16); 3: fp8 with the
  // matrices staged as the fp16 values of their E4M3 codes (exact) and each matrix input quantized
  // once by the phase that writes it (CudaEngineOptions::small_fp8_predecode): the same values and
  // sums as 2, two bytes per weight in shared memory.
  int quant = 0;
  int fp8_mma_min_rows = 2;  // the chain's fp8 tensor-core threshold (cudak::fp8_mma_min_rows())
};

struct SmallDecodePlan {
  int blocks = 0;           // 0: not applicable (why_not says why)
  int rows_per_block = 0;   // LM-head rows of each block
  int kv_bufs = 0;          // layers of keys/values staged ahead (1 or 2)
  std::size_t smem_bytes = 0;
  std::size_t layer_weight_bytes = 0;  // all layers' matrices, biases and LayerNorm parameters
  // Shared-memory layout (byte offsets): one layer's weight areas, ln_f, the LM-head rows, the
  // key/value areas (kv_area bytes per (buffer, kind, row, head)), the fp32 activations.
  unsigned layer_stride = 0, off_lnf = 0, off_lm = 0, off_kv = 0, kv_area = 0, off_act = 0;
  std::string why_not;
  bool ok() const { return blocks > 0; }
};

// Grid size `blocks` (<= 0: sm_count), shared memory limit per block `smem_limit` (the opt-in
// maximum minus the kernel's static shared memory).  Host only, no CUDA call.
SmallDecodePlan plan_small_decode(const SmallDecodeShape& s, int blocks, int sm_count, std::size_t smem_limit);

struct SmallDecodeLayer : LayerPtrs {  // the matrices hold [out, in] storage-type values
  // int8/fp8 (SmallDecodeArgs::quant != 0): the four matrices above hold [out, in] bytes (codes);
  // per-output-channel weight scales and the static activation scales of the sites qkv, attn
  // c_proj, c_fc, mlp c_proj (engine_file.h's order); x_inv_scale = 1 / x_scale in fp32 (host).
  const float* w_scale[4] = {nullptr, nullptr, nullptr, nullptr};
  float x_scale[4] = {1, 1, 1, 1};
  float x_inv_scale[4] = {1, 1, 1, 1};
};

struct SmallDecodeArgs {
  Dt dt = Dt::kF32;   // kF16 for the quantized engines
  int quant = 0;      // 0 none, 1 int8, 2 fp8, 3 fp8 with decoded weights (SmallDecodeShape::quant)
  bool fc2_per_row = false;  // int8: per-token activation scales at the mlp c_proj input
  int rows = 1, n_layer = 0, n_head = 0, head_dim = 0, n_embd = 0, n_inner = 0, vocab = 0, max_t = 0;
  float ln_eps = 1e-5f, att_scale = 1.0f;
  SmallDecodeLayer layers[kSmallMaxLayers];  // by value: no dependent load of a layer table
  const void* wte = nullptr;    // [vocab, E]: embedding and tied LM head
  const void* wpe = nullptr;    // [n_positions, E]
  const float* lnf_g = nullptr;
  const float* lnf_b = nullptr;
  // The engine's image of every layer's staged buffers and ln_f in the shared-memory layout
  // (bytes [0, off_lm): build_small_image), rebuilt whenever the weights change.
  const void* image = nullptr;
  // [past, token_0 .. token_{rows-1}]: device memory written by the step's copy, or pinned host
  // memory (device pointer under UVA) written by the host before the launch.
  const int* step = nullptr;
  float* logits = nullptr;                     // [rows, vocab] fp32, or null
  unsigned long long* slots = nullptr;         // [rows] device, 0 before the first launch, left 0
  unsigned long long* host_out = nullptr;      // [rows] pinned host (UVA): the packed argmax keys
  unsigned* counter = nullptr;                 // device, 0 before the first launch, left 0
  // From plan_small_decode.
  int blocks = 0, rows_per_block = 0, kv_bufs = 0;
  std::size_t smem_bytes = 0;
  unsigned layer_stride = 0, off_lnf = 0, off_lm = 0, off_kv = 0, kv_area = 0, off_act = 0;
  // Timeline (diagnostics; launch_small_decode sets it from set_small_trace): thread 0 of block b
  // writes %globaltimer (ns) at trace[b * kSmallTraceStamps + i]: 0 start, 1 step input read,
  // 2 layer 0 starts (weights and embedding ready; each layer's keys/values are waited for
  // before its attention), 3 layers done, 4 LM head done,
  // 5 counter incremented, 6 end; 7 + 8 l + j: layer l's phase j done (LayerNorm 1, q|k|v,
  // attention, combine, proj, LayerNorm 2, fc, fc2; the block's barrier after each).
  unsigned long long* trace = nullptr;
};
constexpr int kSmallTraceStamps = 7 + 8 * kSmallMaxLayers;

cudaError_t launch_small_decode(const SmallDecodeArgs& a, cudaStream_t st);
// Writes the image (image_bytes >= a.off_lm, from plan_small_decode) of the layer buffers and ln_f
// that a's pointers name, by device-to-device copies on st (quant 3: the four matrices' E4M3 codes
// decoded to fp16 by a kernel); a.image is not read.  The image does not depend on the batch size.
cudaError_t build_small_image(void* image, std::size_t image_bytes, const SmallDecodeArgs& a, cudaStream_t st);
// Process-wide diagnostics switch: launches whose timeline fits `entries` words write it there
// (nullptr: off).  sb_cuda_bench --trace-small reads it for one eager step.
void set_small_trace(unsigned long long* device_buffer, std::size_t entries);
// The kernel's static shared memory (to subtract from the opt-in limit for plan_small_decode).
cudaError_t small_decode_static_smem(Dt dt, int head_dim, std::size_t* bytes);

}  // namespace sb::engine::cudak
