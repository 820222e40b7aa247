// engine/cuda/persistent.cu — the persistent decode step (launch_persistent_decode): a whole GPT-2
// decode step (seq = 1, batch rows 1..4, fp16/bf16) in ONE kernel launch.
//
// Why (docs/perf-cuda.md, sessions 4-6): the kernel-per-operation decode step is ~61 dependent
// kernels for gpt2 at ~4.4 us each on an H100, i.e. launch/dependency latency, not bytes (gpt2's
// fp16 weights are 248 MB = ~85 us at HBM bandwidth); no change to a single kernel moved it.  Here
// the phases of the step are separated by grid-wide barriers instead of kernel boundaries, and the
// weights - which never depend on activations - stream into shared memory AHEAD of the barriers,
// so after a barrier a block reads only a few KB of activations from L2 and computes from shared
// memory.
//
// Structure (grid = one block of 512 threads per SM, or fewer; co-residency from a cooperative
// launch, which is capturable into the decode CUDA graph):
//  - Per layer five phases, each ended by a grid barrier:
//      A  LayerNorm 1 of the residual rows (every block for itself; layer 0 forms x = wte[token] +
//         wpe[pos] first and block 0 writes it to the residual stream) + the block's rows of the
//         QKV matrix + bias -> q|k|v rows, k/v also into the KV cache at the step's position;
//      B  attention, one work item per (batch row, head, key split): online softmax over the keys
//         of the split -> fp32 partials (max, sum, weighted values) in global memory.  The OLD keys
//         and values (positions < past, fixed during the step) of a block's first item are copied
//         into shared memory with cp.async during phase A, so after the barrier only q and the new
//         key/value are read from L2;
//      C  every block combines the partials of all heads (fp32, rounded to the storage type like
//         the separate attention kernel's output) + its rows of attn.c_proj + bias + residual;
//      D  LayerNorm 2 + the block's rows of mlp.c_fc + bias + gelu_new;
//      E  the block's rows of mlp.c_proj + bias + residual.
//    Then the final LayerNorm + the block's rows of the tied LM head (wte), fp32 logits when asked,
//    the block's packed argmax (argmax_key.h) atomicMax'ed into slots zeroed earlier in the step by
//    block 0, and the last block to finish copies the slots to the pinned host buffer and resets its
//    counter (the GEMV LM head's threadFenceReduction pattern).
//  - Weight streaming: the rows of a [out, in] matrix owned by one block are one contiguous byte
//    range; it is cut into chunks of at most slot_bytes, each fetched with ONE cp.async.bulk
//    (global -> shared, completion counted on the slot's mbarrier with expect_tx) into a ring of
//    n_slots slots.  Every block walks the same deterministic chunk sequence (layer by layer:
//    QKV, proj, fc, fc2; then the LM head); thread 0 keeps up to n_slots chunks in flight, issuing
//    the next chunk into a slot right after the __syncthreads that ends the slot's use, so copies
//    run ahead across barriers (gpt2: ~1.3 layers ahead with 16 KB slots; gpt2-xl's layers are
//    4.4x larger, so the ring is less than a phase ahead and the kernel is bandwidth-bound there).
//    A chunk whose size or address is not a multiple of 16 bytes (the last rows of a matrix whose
//    row length is not a multiple of 16 bytes, e.g. tiny-gpt2's 4-byte rows) is read straight from
//    global memory instead (its slot's mbarrier gets a plain arrive so the parities stay in step).
//    Row ranges of blocks start at multiples of 16 / gcd(row bytes, 16) rows, so every other chunk
//    is 16-byte aligned.
//  - Barrier: a 64-bit arrival counter in device memory that only grows (never reset).  At start
//    thread 0 of each block reads it; the launch's base is that value rounded down to a multiple of
//    the grid size G (every launch of an engine uses the same G and adds 5 L G, and no block can pass
//    the first barrier before every block has read the counter, so the value read lies in
//    [base, base + G)).  Arrive = red.release.gpu.add after __syncthreads; wait = thread 0 polls with
//    ld.acquire.gpu until base + k G, then __syncthreads.  Between arrive and wait the block loads
//    the next phase's small side data (LayerNorm gamma/beta, its bias rows, the residual rows it
//    will add) into shared memory, so those loads are off the critical path.  Data written by other
//    blocks in this step is read with ld.global.cg (L2).  A wait that polls more than 2^24 times
//    (seconds) writes an error code to a pinned host word and traps: a bug becomes an error of the
//    decode call, never a hung device.
//  - Attention items: q and every key/value row not prefetched are staged into shared memory with
//    all loads in flight (one L2 round trip), and an item's keys are spread over the 16 warps.
//  - Numerics follow the GEMV path's rounding points exactly: fp32 accumulation; LayerNorm
//    statistics in fp32 (two passes) and its output rounded to the storage type before the dot
//    products; each output rounded at its store; residual added in fp32 to the stored value then
//    rounded; softmax in fp32 with the attention output rounded once after the combine.  Only the
//    order of fp32 sums differs.
//
// Measured (H100, docs/perf-cuda.md session 6): correct (persistent vs kernel chain on the same
// inputs within rel-L2 7e-4 fp16, identical tokens) but SLOWER than the kernel chain everywhere:
// gpt2 fp16 B=1 0.433 vs 0.292 ms, tiny-gpt2 59 vs 36 us, gpt2-xl 3.02 vs 2.01 ms (1.2-1.65x).
// The weight ring alone streams 3.0 TB/s; what costs is the per-phase chain: a grid barrier
// (1.05 us alone, 1.3-2.1 us in the kernel) plus 3.8-5.8 us of dependent work per phase, about a
// whole chain kernel's time, and gpt2-xl's ring fills long before its phase starts, so the stream
// idles through the latency-bound phases.  Hence the engine option is off by default.
// Session 6 part 2 (docs/perf-cuda.md): the SASS showed the kernel's text was 294-495 KB (every
// phase force-inlined at its own site, short runtime loops unrolled 4-16x with remainders), a
// layer's code several times the SM's instruction cache: the likely cause of the slow element-wise
// phases.  Now one phase loop with a single call site per piece: 78-112 KB.  This version is NOT
// yet validated or timed on a device (no device time was left); see perf-cuda.md for the calls.
#include "engine/cuda/device_common.cuh"

#include <algorithm>
#include <cstdio>

namespace sb::engine::cudak::detail {
namespace {

constexpr int kPThreads = 512;
constexpr int kPWarps = kPThreads / 32;
constexpr int kPMaxRows = kGemvMaxRows;
// A barrier or ring wait polling longer than this is a bug: error code + trap.
constexpr unsigned kSpinLimit = 1u << 24;

enum Kind { kQkv = 0, kProj = 1, kFc = 2, kFc2 = 3, kLm = 4, kKinds = 5 };

__host__ __device__ inline int gcd_int(int a, int b) {
  while (b != 0) {
    const int t = a % b;
    a = b;
    b = t;
  }
  return a;
}
__host__ __device__ inline void kind_dims(const PersistentArgs& a, int kind, int& n, int& k) {
  const int E = a.n_embd, I = a.n_inner;
  switch (kind) {
    case kQkv: n = 3 * E; k = E; return;
    case kProj: n = E; k = E; return;
    case kFc: n = I; k = E; return;
    case kFc2: n = E; k = I; return;
    default: n = a.vocab; k = E; return;
  }
}
// Row granularity of a matrix with K 16-bit columns: block row ranges start at multiples of it so
// that every chunk but a matrix's last starts and ends on 16 bytes.
__host__ __device__ inline int row_granule(int k) { return 16 / gcd_int(k * 2, 16); }
// Rows of block `blk` of G for a matrix of n rows (balanced over granules).
__host__ __device__ inline void block_rows(int n, int k, int blk, int G, int& r0, int& r1) {
  const int g = row_granule(k);
  const long long U = (n + g - 1) / g;
  const long long u0 = U * blk / G, u1 = U * (blk + 1) / G;
  r0 = static_cast<int>(u0 * g < n ? u0 * g : n);
  r1 = static_cast<int>(u1 * g < n ? u1 * g : n);
}
__host__ __device__ inline int chunk_rows(int k, int slot_bytes) {
  const int g = row_granule(k);
  const int fit = slot_bytes / (k * 2) / g * g;
  return fit > g ? fit : g;
}
__host__ __device__ inline int key_stride(int D) { return (D * 2) % 16 == 0 ? D + 8 : D + 1; }

// The block's row ranges and chunk counts of the five matrix kinds (same for every layer).
struct Geo {
  int r0[kKinds], r1[kKinds], cr[kKinds], nc[kKinds], first[kKinds];
  int cpl;    // chunks per layer
  int total;  // chunks of the whole step (32-bit: 64-bit division is a called subroutine in SASS)
};
__device__ inline void make_geo(const PersistentArgs& a, Geo& g) {
  int acc = 0;
  for (int kind = 0; kind < kKinds; ++kind) {
    int n = 0, k = 0;
    kind_dims(a, kind, n, k);
    block_rows(n, k, blockIdx.x, gridDim.x, g.r0[kind], g.r1[kind]);
    g.cr[kind] = chunk_rows(k, a.slot_bytes);
    const int rows = g.r1[kind] - g.r0[kind];
    g.nc[kind] = rows > 0 ? (rows + g.cr[kind] - 1) / g.cr[kind] : 0;
    g.first[kind] = kind == kLm ? 0 : acc;
    if (kind != kLm) acc += g.nc[kind];
  }
  g.cpl = acc;
  g.total = a.n_layer * acc + g.nc[kLm];
}

struct Chunk {
  const unsigned char* src;
  int r0, nrows;
  unsigned bytes;
  bool bulk;
};
__device__ inline const void* matrix_of(const PersistentArgs& a, const PersistentLayer* lt, int kind, int layer) {
  const PersistentLayer& l = lt[layer];
  switch (kind) {
    case kQkv: return l.qkv_w;
    case kProj: return l.proj_w;
    case kFc: return l.fc_w;
    case kFc2: return l.fc2_w;
    default: return a.wte;
  }
}
__device__ inline Chunk chunk_at(const PersistentArgs& a, const PersistentLayer* lt, const Geo& g, int kind, int layer,
                                int j) {
  int n = 0, k = 0;
  kind_dims(a, kind, n, k);
  Chunk c;
  c.r0 = g.r0[kind] + j * g.cr[kind];
  c.nrows = min(g.cr[kind], g.r1[kind] - c.r0);
  c.bytes = static_cast<unsigned>(c.nrows) * static_cast<unsigned>(k) * 2u;
  c.src = static_cast<const unsigned char*>(matrix_of(a, lt, kind, layer)) + static_cast<std::size_t>(c.r0) * k * 2;
  c.bulk = (c.bytes % 16u) == 0 && (reinterpret_cast<std::uintptr_t>(c.src) & 15u) == 0;
  return c;
}
__device__ inline int chunk_index(const PersistentArgs& a, const Geo& g, int kind, int layer, int j) {
  return kind == kLm ? a.n_layer * g.cpl + j : layer * g.cpl + g.first[kind] + j;
}
__device__ inline void chunk_kind(const PersistentArgs& a, const Geo& g, int c, int& kind, int& layer, int& j) {
  const int lay = a.n_layer * g.cpl;
  if (c >= lay) {
    kind = kLm;
    layer = 0;
    j = c - lay;
    return;
  }
  layer = c / g.cpl;
  int rem = c - layer * g.cpl;
  kind = 0;
  while (rem >= g.nc[kind]) rem -= g.nc[kind++];
  j = rem;
}

// ---- PTX helpers: barrier counter (mbarrier and bulk copy: device_common.cuh).
__device__ __forceinline__ void red_release_add(unsigned long long* p) {
  asm volatile("red.release.gpu.global.add.u64 [%0], 1;" ::"l"(p) : "memory");
}
__device__ __forceinline__ unsigned long long ld_acquire(const unsigned long long* p) {
  unsigned long long v;
  asm volatile("ld.acquire.gpu.global.u64 %0, [%1];" : "=l"(v) : "l"(p) : "memory");
  return v;
}
__device__ __forceinline__ unsigned long long globaltimer_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t));
  return t;
}
__device__ __noinline__ void fail_and_trap(const PersistentArgs& a, int code) {
  if (a.host_error != nullptr) *reinterpret_cast<volatile int*>(a.host_error) = code;
  __threadfence_system();
  __trap();
}

template <typename T> __device__ __forceinline__ T ldcg_elem(const T* p);
template <> __device__ __forceinline__ __half ldcg_elem<__half>(const __half* p) { return __ldcg(p); }
template <> __device__ __forceinline__ __nv_bfloat16 ldcg_elem<__nv_bfloat16>(const __nv_bfloat16* p) {
  return __ldcg(p);
}

// Everything a block keeps across phases.
template <typename T, int M>
struct Ctx {
  const PersistentArgs* a;
  const PersistentLayer* lt;  // the layer table, copied into shared memory at start
  unsigned long long* trace;  // this block's timeline (globaltimer ns) or null
  const Geo* g;               // in shared memory (a per-thread copy indexed at run time went to
                              // local memory, re-read from L2 after every barrier's acquire)
  unsigned long long* mbar;
  unsigned char* ring;
  T* act;           // staged input rows [M][K] (storage type)
  float* gs;        // LayerNorm gamma [E]
  float* bs;        // LayerNorm beta [E]
  float* bias_s;    // bias of the block's rows of the current matrix
  float* xold_s;    // residual rows the block adds to: [row][M]
  unsigned char* kv;  // attention prefetch (phases A-B) / partials (phase C)
  int consumed;   // chunks whose slot has been released (same in every thread)
  int issued;     // chunks issued (thread 0 only)
  unsigned long long base;
  int barrier_k;
  int past, n_keys, n_split, kpi, items, cap_keys, npre;
};

// Thread 0: keep up to n_slots chunks in flight.
template <typename T, int M>
__device__ __forceinline__ void top_up(Ctx<T, M>& c) {
  const PersistentArgs& a = *c.a;
  while (c.issued < c.g->total && c.issued < c.consumed + a.n_slots) {
    int kind = 0, layer = 0, j = 0;
    chunk_kind(a, *c.g, c.issued, kind, layer, j);
    const Chunk ch = chunk_at(a, c.lt, *c.g, kind, layer, j);
    const int slot = c.issued % a.n_slots;
    if (ch.bulk) {
      mbar_expect_tx(&c.mbar[slot], ch.bytes);
      bulk_g2s(c.ring + static_cast<std::size_t>(slot) * a.slot_bytes, ch.src, ch.bytes, &c.mbar[slot]);
    } else {
      mbar_arrive(&c.mbar[slot]);  // read from global by the consumer; keeps the parity in step
    }
    ++c.issued;
  }
}

// Sub-phase stamps of the timeline (after the 10 L + 2 barrier stamps): j = 0 input staged,
// j = 1 LayerNorm done (phases without one: = j 0), for phase c.barrier_k (0 .. 5 L; 5 L = LM head).
template <typename T, int M>
__device__ __forceinline__ void stamp(Ctx<T, M>& c, int j) {
  if (c.trace != nullptr && threadIdx.x == 0)
    c.trace[10 * c.a->n_layer + 2 + 2 * c.barrier_k + j] = globaltimer_ns();
}

template <typename T, int M>
__device__ __forceinline__ void grid_arrive(Ctx<T, M>& c) {
  __syncthreads();
  ++c.barrier_k;
  if (threadIdx.x == 0) {
    if (c.trace != nullptr) c.trace[2 * c.barrier_k - 1] = globaltimer_ns();
    red_release_add(c.a->barrier_counter);
  }
}
template <typename T, int M>
__device__ __forceinline__ void grid_wait(Ctx<T, M>& c) {
  if (threadIdx.x == 0) {
    const unsigned long long target = c.base + static_cast<unsigned long long>(c.barrier_k) * gridDim.x;
    unsigned polls = 0;
    while (ld_acquire(c.a->barrier_counter) < target)
      if (++polls > kSpinLimit) fail_and_trap(*c.a, 1000 + c.barrier_k);
    if (c.trace != nullptr) c.trace[2 * c.barrier_k] = globaltimer_ns();
  }
  __syncthreads();
}

// Between a barrier's arrive and wait: the next phase's LayerNorm parameters, the bias of the
// block's rows of its matrix and (residual phases) the current values of those residual rows.
// Warps 1-15 only: warp 0's thread 0 polls the grid barrier meanwhile, so a block's exit from the
// barrier waits for the later of the barrier and these loads (DRAM misses, ~1 us: the weight stream
// evicts the small vectors from L2), not for their sum.
template <typename T, int M>
__device__ __forceinline__ void load_side(Ctx<T, M>& c, int kind, int layer) {
  if (threadIdx.x < 32) return;
  constexpr int kStride = kPThreads - 32;
  const PersistentArgs& a = *c.a;
  const int tid = threadIdx.x - 32, E = a.n_embd;
  const float* g = nullptr;
  const float* b = nullptr;
  if (kind == kQkv) {
    g = c.lt[layer].ln1_g;
    b = c.lt[layer].ln1_b;
  } else if (kind == kFc) {
    g = c.lt[layer].ln2_g;
    b = c.lt[layer].ln2_b;
  } else if (kind == kLm) {
    g = a.lnf_g;
    b = a.lnf_b;
  }
  if (g != nullptr) {
#pragma unroll 1
    for (int k = tid; k < E; k += kStride) {
      c.gs[k] = __ldg(g + k);
      c.bs[k] = __ldg(b + k);
    }
  }
  if (kind == kLm) return;
  const PersistentLayer& l = c.lt[layer];
  const T* bias = static_cast<const T*>(kind == kQkv ? l.qkv_b : kind == kProj ? l.proj_b : kind == kFc ? l.fc_b : l.fc2_b);
  const int r0 = c.g->r0[kind], nr = c.g->r1[kind] - r0;
#pragma unroll 1
  for (int i = tid; i < nr; i += kStride) c.bias_s[i] = bias != nullptr ? to_f(bias[r0 + i]) : 0.0f;
  if (kind == kProj || kind == kFc2) {
    const T* x = static_cast<const T*>(a.x);
#pragma unroll 1
    for (int i = tid; i < nr * M; i += kStride) {
      const int r = i / M, m = i - r * M;
      c.xold_s[i] = to_f(ldcg_elem(x + static_cast<std::size_t>(m) * E + r0 + r));
    }
  }
}

// act[m][0..K) = src rows (row stride ld elements), read through L2.
template <typename T, int M>
__device__ __forceinline__ void stage_rows(Ctx<T, M>& c, const T* src, long long ld, int K) {
  const int tid = threadIdx.x;
  if ((K * 2) % 16 == 0 && (reinterpret_cast<std::uintptr_t>(src) & 15u) == 0 && (ld * 2) % 16 == 0) {
    const int nv = K / 8, total = M * nv;
    constexpr int kBatch = 4;
#pragma unroll 1
    for (int i0 = 0; i0 < total; i0 += kPThreads * kBatch) {
      uint4 t[kBatch];
#pragma unroll
      for (int u = 0; u < kBatch; ++u) {
        const int i = i0 + u * kPThreads + tid;
        if (i < total) {
          const int m = M == 1 ? 0 : i / nv, v = i - m * nv;
          t[u] = __ldcg(reinterpret_cast<const uint4*>(src + m * ld) + v);
        }
      }
#pragma unroll
      for (int u = 0; u < kBatch; ++u) {
        const int i = i0 + u * kPThreads + tid;
        if (i < total) reinterpret_cast<uint4*>(c.act)[i] = t[u];  // rows of K contiguous
      }
    }
  } else {
#pragma unroll 1
    for (int i = tid; i < M * K; i += kPThreads) {
      const int m = i / K, k = i - m * K;
      c.act[i] = ldcg_elem(src + m * ld + k);
    }
  }
  __syncthreads();
}

// LayerNorm of act's M rows of E in place (statistics in fp32, output rounded to T).  The row loop
// is inside the element loop so the M rows' loads are in flight together; each row's sums keep
// their element order.
template <typename T, int M>
__device__ __forceinline__ void layernorm_act(Ctx<T, M>& c, float (*red)[kPMaxRows]) {
  const int tid = threadIdx.x, E = c.a->n_embd;
  float s[M], q[M], mean[M], rstd[M];
#pragma unroll
  for (int m = 0; m < M; ++m) s[m] = 0.0f;
#pragma unroll 2
  for (int k = tid; k < E; k += kPThreads) {
#pragma unroll
    for (int m = 0; m < M; ++m) s[m] += to_f(c.act[m * E + k]);
  }
  block_sum_rows<kPWarps>(s, red);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    mean[m] = s[m] / E;
    q[m] = 0.0f;
  }
#pragma unroll 2
  for (int k = tid; k < E; k += kPThreads) {
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float d = to_f(c.act[m * E + k]) - mean[m];
      q[m] += d * d;
    }
  }
  block_sum_rows<kPWarps>(q, red);
#pragma unroll
  for (int m = 0; m < M; ++m) rstd[m] = 1.0f / sqrtf(q[m] / E + c.a->ln_eps);
#pragma unroll 2
  for (int k = tid; k < E; k += kPThreads) {
    const float g = c.gs[k], b = c.bs[k];
#pragma unroll
    for (int m = 0; m < M; ++m)
      c.act[m * E + k] = from_f<T>((to_f(c.act[m * E + k]) - mean[m]) * rstd[m] * g + b);
  }
  __syncthreads();
}

// Epilogue of output row n (dot products acc[m] done) of matrix `kind` in layer `layer`.  The kind
// is a run-time value: one copy of run_matrix serves all five matrices (code size, see the kernel).
template <typename T, int M>
__device__ __forceinline__ void epilogue(Ctx<T, M>& c, int kind, int layer, int n, const float (&acc)[M],
                                         unsigned long long (&best)[M]) {
  const PersistentArgs& a = *c.a;
  const int E = a.n_embd;
  if (kind == kLm) {
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const float v = acc[m];
      if (a.logits != nullptr) a.logits[static_cast<std::size_t>(m) * a.vocab + n] = v;
      const unsigned long long key = argmax_key(v, static_cast<std::uint32_t>(n));
      best[m] = key > best[m] ? key : best[m];
    }
    return;
  }
  const int lr = n - c.g->r0[kind];
  const float bias = c.bias_s[lr];
  if (kind == kQkv) {
    // Cache destination of row n (same for every batch row but the m offset).
    const int which = n / E, hd = n - which * E;
    const int h = hd / a.head_dim, d = hd - h * a.head_dim;
    T* cache = which == 0 ? nullptr : static_cast<T*>(which == 1 ? c.lt[layer].k_cache : c.lt[layer].v_cache);
#pragma unroll
    for (int m = 0; m < M; ++m) {
      const T tv = from_f<T>(acc[m] + bias);
      static_cast<T*>(a.qkv)[static_cast<std::size_t>(m) * 3 * E + n] = tv;
      if (cache != nullptr)
        cache[((static_cast<long long>(m) * a.n_head + h) * a.max_t + c.past) * a.head_dim + d] = tv;
    }
  } else if (kind == kFc) {
#pragma unroll
    for (int m = 0; m < M; ++m)
      static_cast<T*>(a.h)[static_cast<std::size_t>(m) * a.n_inner + n] = from_f<T>(gelu_new(acc[m] + bias));
  } else {  // kProj, kFc2: residual
#pragma unroll
    for (int m = 0; m < M; ++m)
      static_cast<T*>(a.x)[static_cast<std::size_t>(m) * E + n] = from_f<T>(c.xold_s[lr * M + m] + (acc[m] + bias));
  }
}

template <typename T> __device__ __forceinline__ void unpack8(const uint4& u, float (&f)[8]) {
  union { uint4 u; T t[8]; } v;
  v.u = u;
#pragma unroll
  for (int i = 0; i < 8; ++i) f[i] = to_f(v.t[i]);
}

// The block's rows of one matrix (`kind`, a run-time value), chunk by chunk from the ring:
// y = epilogue(W x') with x' = act.
template <typename T, int M>
__device__ __forceinline__ void run_matrix(Ctx<T, M>& c, int kind, int layer, unsigned long long (&best)[M]) {
  const PersistentArgs& a = *c.a;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  int N = 0, K = 0;
  kind_dims(a, kind, N, K);
  const T* act = c.act;
  __shared__ float part_s[kPWarps][kPMaxRows];
  const int nc = c.g->nc[kind];
#pragma unroll 1
  for (int j = 0; j < nc; ++j) {
    const int ci = chunk_index(a, *c.g, kind, layer, j);
    const Chunk ch = chunk_at(a, c.lt, *c.g, kind, layer, j);
    const int slot = ci % a.n_slots;
    const unsigned parity = static_cast<unsigned>((ci / a.n_slots) & 1);
    unsigned polls = 0;
    while (!mbar_try_wait(&c.mbar[slot], parity))
      if (++polls > kSpinLimit) fail_and_trap(a, 2000 + kind);
    const T* W = ch.bulk ? reinterpret_cast<const T*>(c.ring + static_cast<std::size_t>(slot) * a.slot_bytes)
                         : reinterpret_cast<const T*>(ch.src);
    if (K <= 32) {
      // Small K (tiny models): a thread per output row.
#pragma unroll 1
      for (int r = tid; r < ch.nrows; r += kPThreads) {
        const T* wr = W + static_cast<std::size_t>(r) * K;
        float acc[M];
#pragma unroll
        for (int m = 0; m < M; ++m) acc[m] = 0.0f;
#pragma unroll 1
        for (int k = 0; k < K; ++k) {
          const float w = to_f(wr[k]);
#pragma unroll
          for (int m = 0; m < M; ++m) acc[m] += w * to_f(act[m * K + k]);
        }
        epilogue<T, M>(c, kind, layer, ch.r0 + r, acc, best);
      }
    } else {
      // wpr warps per output row (a power of 2: all 16 warps busy on chunks of few long rows, e.g.
      // gpt2-xl's fc2 rows of 12.8 KB), each taking every wpr-th 16-byte vector of the row; the
      // parts are added in shared memory in a fixed order.
      int wpr = 1;
      while (wpr * 2 * ch.nrows <= kPWarps) wpr *= 2;
      const int per_pass = kPWarps / wpr;
#pragma unroll 1
      for (int rb = 0; rb < ch.nrows; rb += per_pass) {
        const int r = rb + warp / wpr, part = warp % wpr;
        float acc[M];
#pragma unroll
        for (int m = 0; m < M; ++m) acc[m] = 0.0f;
        if (r < ch.nrows) {
          const T* wr = W + static_cast<std::size_t>(r) * K;
          if (K % 8 == 0) {
            // Groups of 4 vectors: the 4 weight loads are issued before any of their FMAs (the
            // unrolled loop had an exit branch between vectors, so each vector paid a full load
            // latency), then the same FMA sequence as one vector at a time: two independent chains
            // per input row (even / odd elements).
            float acc2[M];
#pragma unroll
            for (int m = 0; m < M; ++m) acc2[m] = 0.0f;
            const int nv = K / 8, step = 32 * wpr;
#pragma unroll 1
            for (int v = part * 32 + lane; v < nv; v += 4 * step) {
              uint4 wv[4];
#pragma unroll
              for (int u = 0; u < 4; ++u)
                if (v + u * step < nv) wv[u] = *reinterpret_cast<const uint4*>(wr + (v + u * step) * 8);
#pragma unroll
              for (int u = 0; u < 4; ++u) {
                if (v + u * step < nv) {
                  float wf[8];
                  unpack8<T>(wv[u], wf);
#pragma unroll
                  for (int m = 0; m < M; ++m) {
                    float xv[8];
                    Vec16<T>::load(act + m * K + (v + u * step) * 8, xv);
#pragma unroll
                    for (int i = 0; i < 8; i += 2) {
                      acc[m] += wf[i] * xv[i];
                      acc2[m] += wf[i + 1] * xv[i + 1];
                    }
                  }
                }
              }
            }
#pragma unroll
            for (int m = 0; m < M; ++m) acc[m] += acc2[m];
          } else {
#pragma unroll 1
            for (int k = part * 32 + lane; k < K; k += 32 * wpr) {
              const float w = to_f(wr[k]);
#pragma unroll
              for (int m = 0; m < M; ++m) acc[m] += w * to_f(act[m * K + k]);
            }
          }
        }
#pragma unroll
        for (int m = 0; m < M; ++m) acc[m] = warp_sum(acc[m]);
        if (wpr == 1) {
          if (lane == 0 && r < ch.nrows) epilogue<T, M>(c, kind, layer, ch.r0 + r, acc, best);
        } else {
          if (lane == 0) {
#pragma unroll
            for (int m = 0; m < M; ++m) part_s[warp][m] = acc[m];
          }
          __syncthreads();
          if (part == 0 && lane == 0 && r < ch.nrows) {
#pragma unroll
            for (int m = 0; m < M; ++m) {
              float t = 0.0f;
#pragma unroll 1
              for (int p = 0; p < wpr; ++p) t += part_s[warp + p][m];
              acc[m] = t;
            }
            epilogue<T, M>(c, kind, layer, ch.r0 + r, acc, best);
          }
          __syncthreads();
        }
      }
    }
    __syncthreads();  // the slot is free again
    c.consumed = ci + 1;
    if (tid == 0) top_up(c);
  }
}

// Phase A's prefetch: the old keys/values (positions < past) of the block's first attention item
// of `layer`, with cp.async into c.kv (keys rows padded to key_stride, values alike).
template <typename T, int M>
__device__ __forceinline__ void prefetch_kv(Ctx<T, M>& c, int layer) {
  const PersistentArgs& a = *c.a;
  c.npre = 0;
  const int it = blockIdx.x, D = a.head_dim;
  if (it >= c.items || (D * 2) % 16 != 0) return;
  const int bh = it / c.n_split, z = it - bh * c.n_split;
  const int k0 = z * c.kpi, k1 = min(c.n_keys, k0 + c.kpi);
  const int n = min(c.cap_keys, min(k1, c.past) - k0);
  if (n <= 0) return;
  c.npre = n;
  const int kd = key_stride(D), per_row = D / 8;
  const long long base = (static_cast<long long>(bh) * a.max_t + k0) * D;  // bh = b * H + h
  const T* ksrc = static_cast<const T*>(c.lt[layer].k_cache) + base;
  const T* vsrc = static_cast<const T*>(c.lt[layer].v_cache) + base;
  T* ks = reinterpret_cast<T*>(c.kv);
  T* vs = ks + static_cast<std::size_t>(c.cap_keys) * kd;
#pragma unroll 1
  for (int i = threadIdx.x; i < n * per_row; i += kPThreads) {
    const int r = i / per_row, v = i - r * per_row;
    cp_async16(ks + r * kd + v * 8, ksrc + static_cast<std::size_t>(r) * D + v * 8);
    cp_async16(vs + r * kd + v * 8, vsrc + static_cast<std::size_t>(r) * D + v * 8);
  }
  asm volatile("cp.async.commit_group;" ::: "memory");
}

// Phase B: the block's attention items -> fp32 partials (max, sum, weighted values).
template <typename T, int M>
__device__ __forceinline__ void attention_phase(Ctx<T, M>& c, int layer) {
  const PersistentArgs& a = *c.a;
  __shared__ float q_s[kMaxHeadDim];
  __shared__ float w_m[kPWarps], w_l[kPWarps];
  __shared__ float w_acc[kPWarps][kMaxHeadDim];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int D = a.head_dim, H = a.n_head, E = a.n_embd, kd = key_stride(D);
  asm volatile("cp.async.wait_all;" ::: "memory");
  __syncthreads();
  const T* ks = reinterpret_cast<const T*>(c.kv);
  const T* vs = ks + static_cast<std::size_t>(c.cap_keys) * kd;
#pragma unroll 1
  for (int it = blockIdx.x; it < c.items; it += gridDim.x) {
    const int bh = it / c.n_split, z = it - bh * c.n_split;
    const int b = bh / H, h = bh - b * H;
    const int k0 = z * c.kpi, k1 = min(c.n_keys, k0 + c.kpi);
    const int npre = it == static_cast<int>(blockIdx.x) ? c.npre : 0;
    const T* q = static_cast<const T*>(a.qkv) + static_cast<std::size_t>(b) * 3 * E + h * D;
    const long long head_base = static_cast<long long>(bh) * a.max_t * D;
    const T* kg = static_cast<const T*>(c.lt[layer].k_cache) + head_base;
    const T* vg = static_cast<const T*>(c.lt[layer].v_cache) + head_base;
    // q and the keys/values not prefetched (this step's new one; all of them for a block's later
    // items or unaligned rows) up to the area's capacity, all loads in flight at once: one L2
    // round trip.  Keys past the capacity are read from global memory in the loop below.
    const int nst = max(npre, min(k1 - k0, c.cap_keys));
    {
      T* ksw = reinterpret_cast<T*>(c.kv);
      T* vsw = ksw + static_cast<std::size_t>(c.cap_keys) * kd;
      if (D % 8 == 0) {
        const int per_row = D / 8, n = (nst - npre) * per_row;
#pragma unroll 1
        for (int i = tid; i < n; i += kPThreads) {
          const int r = npre + i / per_row, v = i - (i / per_row) * per_row;
          const uint4 kk = __ldcg(reinterpret_cast<const uint4*>(kg + static_cast<long long>(k0 + r) * D) + v);
          const uint4 vv = __ldcg(reinterpret_cast<const uint4*>(vg + static_cast<long long>(k0 + r) * D) + v);
          reinterpret_cast<uint4*>(ksw + static_cast<std::size_t>(r) * kd)[v] = kk;
          reinterpret_cast<uint4*>(vsw + static_cast<std::size_t>(r) * kd)[v] = vv;
        }
      } else {
        const int n = (nst - npre) * D;
#pragma unroll 1
        for (int i = tid; i < n; i += kPThreads) {
          const int r = npre + i / D, d = i - (i / D) * D;
          const T kk = ldcg_elem(kg + static_cast<long long>(k0 + r) * D + d);
          const T vv = ldcg_elem(vg + static_cast<long long>(k0 + r) * D + d);
          ksw[static_cast<std::size_t>(r) * kd + d] = kk;
          vsw[static_cast<std::size_t>(r) * kd + d] = vv;
        }
      }
    }
#pragma unroll 1
    for (int d = tid; d < D; d += kPThreads) q_s[d] = to_f(ldcg_elem(q + d)) * a.att_scale;
    __syncthreads();
    float mx = -INFINITY, l = 0.0f, acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    // The item's keys in chunks of kc <= 32 spread over all 16 warps (lane = key for the scores,
    // lane = value dimension for the weighted sum), so no warp walks many keys serially.
    const int kc = max(1, min(32, (k1 - k0 + kPWarps - 1) / kPWarps));
#pragma unroll 1
    for (int t0 = k0 + warp * kc; t0 < k1; t0 += kPWarps * kc) {
      const int cnt = min(kc, k1 - t0);
      float sc = -INFINITY;
      if (lane < cnt) {
        const int t = t0 + lane;
        float s = 0.0f;
        if (D % 8 == 0) {
          // 16-byte reads; staged rows are padded by 16 bytes (kd), so the lanes' rows fall in
          // distinct banks.
          if (t - k0 < nst) {
            const T* kr = ks + static_cast<std::size_t>(t - k0) * kd;
#pragma unroll 4
            for (int d = 0; d < D; d += 8) {
              float f[8];
              Vec16<T>::load(kr + d, f);
#pragma unroll
              for (int i = 0; i < 8; ++i) s += q_s[d + i] * f[i];
            }
          } else {
            const T* kr = kg + static_cast<long long>(t) * D;
#pragma unroll 1
            for (int d = 0; d < D; d += 8) {
              union { uint4 u; T t[8]; } kv;
              kv.u = __ldcg(reinterpret_cast<const uint4*>(kr + d));
#pragma unroll
              for (int i = 0; i < 8; ++i) s += q_s[d + i] * to_f(kv.t[i]);
            }
          }
        } else if (t - k0 < nst) {
          const T* kr = ks + static_cast<std::size_t>(t - k0) * kd;
#pragma unroll 1
          for (int d = 0; d < D; ++d) s += q_s[d] * to_f(kr[d]);
        } else {
          const T* kr = kg + static_cast<long long>(t) * D;
#pragma unroll 1
          for (int d = 0; d < D; ++d) s += q_s[d] * to_f(ldcg_elem(kr + d));
        }
        sc = s;
      }
      const float m_new = fmaxf(mx, warp_max(sc));
      const float corr = expf(mx - m_new);
      const float p = lane < cnt ? expf(sc - m_new) : 0.0f;
      l = l * corr + warp_sum(p);
#pragma unroll
      for (int ch = 0; ch < 4; ++ch) acc[ch] *= corr;
#pragma unroll 1
      for (int jj = 0; jj < cnt; ++jj) {
        const float pj = __shfl_sync(kFull, p, jj);
        const int t = t0 + jj;
        const bool pre = t - k0 < nst;
        const T* vr = pre ? vs + static_cast<std::size_t>(t - k0) * kd : vg + static_cast<long long>(t) * D;
#pragma unroll
        for (int ch = 0; ch < 4; ++ch) {
          const int d = lane + 32 * ch;
          if (d < D) acc[ch] += pj * to_f(pre ? vr[d] : ldcg_elem(vr + d));
        }
      }
      mx = m_new;
    }
    if (lane == 0) {
      w_m[warp] = mx;
      w_l[warp] = l;
    }
#pragma unroll
    for (int ch = 0; ch < 4; ++ch) {
      const int d = lane + 32 * ch;
      if (d < D) w_acc[warp][d] = acc[ch];
    }
    __syncthreads();
    float gm = -INFINITY;
#pragma unroll 4
    for (int w = 0; w < kPWarps; ++w) gm = fmaxf(gm, w_m[w]);
    float* out = a.partial + static_cast<std::size_t>(it) * (D + 2);
    if (tid == 0) {
      float ls = 0.0f;
#pragma unroll 4
      for (int w = 0; w < kPWarps; ++w)
        if (w_l[w] > 0.0f) ls += w_l[w] * expf(w_m[w] - gm);
      out[0] = gm;
      out[1] = ls;
    }
#pragma unroll 1
    for (int d = tid; d < D; d += kPThreads) {
      float o = 0.0f;
#pragma unroll 4
      for (int w = 0; w < kPWarps; ++w)
        if (w_l[w] > 0.0f) o += w_acc[w][d] * expf(w_m[w] - gm);
      out[2 + d] = o;
    }
    __syncthreads();  // q_s / w_* reused by the next item
  }
}

// Phase C's input: the partials of every (row, head) combined into act [M][E] (rounded to T).
// A warp per (row, head), its lanes over the head's dimensions: no integer division per element
// (the element loop had three run-time divisions per value), the same fp32 arithmetic per value.
template <typename T, int M>
__device__ __forceinline__ void combine_attention(Ctx<T, M>& c) {
  const PersistentArgs& a = *c.a;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int D = a.head_dim, H = a.n_head, ns = c.n_split, pd = D + 2;
  float* P = reinterpret_cast<float*>(c.kv);
  const int nf = c.items * pd;
#pragma unroll 1
  for (int i = tid; i < nf; i += kPThreads) P[i] = __ldcg(a.partial + i);
  __syncthreads();
#pragma unroll 1
  for (int mh = warp; mh < M * H; mh += kPWarps) {
    const float* p = P + static_cast<std::size_t>(mh) * ns * pd;
    float gm = -INFINITY;
#pragma unroll 1
    for (int z = 0; z < ns; ++z) gm = fmaxf(gm, p[z * pd]);
#pragma unroll 1
    for (int d = lane; d < D; d += 32) {
      float L = 0.0f, o = 0.0f;
#pragma unroll 1
      for (int z = 0; z < ns; ++z) {
        const float lz = p[z * pd + 1];
        if (lz > 0.0f) {
          const float f = expf(p[z * pd] - gm);
          L += lz * f;
          o += p[z * pd + 2 + d] * f;
        }
      }
      c.act[mh * D + d] = from_f<T>(o * (1.0f / L));  // act[m][h D + d], E = H D
    }
  }
  __syncthreads();
}

template <typename T, int M>
__global__ void __launch_bounds__(kPThreads, 1) persistent_decode_kernel(const __grid_constant__ PersistentArgs a) {
  extern __shared__ __align__(128) unsigned char smem[];
  __shared__ float red[kPWarps][kPMaxRows];
  __shared__ unsigned long long best_s[kPWarps][kPMaxRows];
  __shared__ unsigned long long base_s;
  __shared__ bool last_block;
  const int tid = threadIdx.x, E = a.n_embd;
  Ctx<T, M> c;
  c.a = &a;
  __shared__ Geo geo_s;
  if (threadIdx.x == 0) make_geo(a, geo_s);
  c.g = &geo_s;
  // Shared memory: mbarriers | act | side (gamma, beta, bias, residual rows) | kv | ring.
  std::size_t off = 0;
  c.mbar = reinterpret_cast<unsigned long long*>(smem);
  off += (static_cast<std::size_t>(a.n_slots) * 8 + 127) & ~std::size_t{127};
  {
    // The layer table in shared memory: no global pointer loads on the critical path.
    PersistentLayer* lt = reinterpret_cast<PersistentLayer*>(smem + off);
    const int words = a.n_layer * static_cast<int>(sizeof(PersistentLayer) / 8);
    for (int i = threadIdx.x; i < words; i += kPThreads)
      reinterpret_cast<unsigned long long*>(lt)[i] = reinterpret_cast<const unsigned long long*>(a.layers)[i];
    c.lt = lt;
    off += (static_cast<std::size_t>(a.n_layer) * sizeof(PersistentLayer) + 127) & ~std::size_t{127};
  }
  c.trace = a.trace != nullptr ? a.trace + static_cast<std::size_t>(blockIdx.x) * (20 * a.n_layer + 4) : nullptr;
  if (c.trace != nullptr && threadIdx.x == 0) c.trace[0] = globaltimer_ns();
  c.act = reinterpret_cast<T*>(smem + off);
  off += (static_cast<std::size_t>(M) * max(E, a.n_inner) * sizeof(T) + 127) & ~std::size_t{127};
  c.gs = reinterpret_cast<float*>(smem + off);
  c.bs = c.gs + E;
  c.bias_s = c.bs + E;
  c.xold_s = c.bias_s + a.side_rows;
  off += (static_cast<std::size_t>(2 * E + a.side_rows * (1 + M)) * 4 + 127) & ~std::size_t{127};
  c.kv = smem + off;
  off += static_cast<std::size_t>(a.kv_bytes);
  c.ring = smem + off;
  c.consumed = 0;
  c.issued = 0;
  c.barrier_k = 0;
  // Step geometry (the same in every block): position, attention split.
  c.past = a.step[0];
  c.n_keys = c.past + 1;
  {
    const int bh = M * a.n_head, G = static_cast<int>(gridDim.x);
    const int by_grid = max(1, G / bh);
    const int by_smem = max(1, a.kv_bytes / (bh * (a.head_dim + 2) * 4));
    const int want = (c.n_keys + a.split_keys - 1) / a.split_keys;
    c.n_split = max(1, min(want, min(by_grid, by_smem)));
    c.kpi = (c.n_keys + c.n_split - 1) / c.n_split;
    c.items = bh * c.n_split;
    c.cap_keys = a.kv_bytes / (2 * key_stride(a.head_dim) * 2);
  }
  if (tid == 0) {
    for (int s = 0; s < a.n_slots; ++s) mbar_init(&c.mbar[s], 1);
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    const unsigned long long v = ld_acquire(a.barrier_counter);
    base_s = v - v % gridDim.x;
  }
  __syncthreads();
  c.base = base_s;
  if (tid == 0) top_up(c);
  load_side(c, kQkv, 0);
  unsigned long long best[M];
#pragma unroll
  for (int m = 0; m < M; ++m) best[m] = 0ull;
  // The step as ONE loop over phases k = 0 .. 5 L (phase ph = k % 5 of layer k / 5; k = 5 L: the
  // final LayerNorm + LM head), so every piece of code (staging, LayerNorm, run_matrix, attention,
  // load_side) has a single call site.  With each phase inlined at its own site the kernel's text
  // was 294 KB (rows = 1) to 495 KB (rows = 4), a layer's code several times the SM's instruction
  // cache, so each phase's code was likely fetched from L2 again every layer (session 6 part 2:
  // SASS sizes; the ncu check of "no instruction" stalls is still to be run).
  const T* wte = static_cast<const T*>(a.wte);
  const T* wpe = static_cast<const T*>(a.wpe);
  int layer = 0, ph = 0;
#pragma unroll 1
  for (;;) {
    const bool lm = layer == a.n_layer;
    const bool ln = lm || ph == 0 || ph == 3;
    // ---- Input of the phase (A, D, LM head: the residual rows; E: the fc output; C: the
    // attention partials combined).
    if (ln) {
      if (!lm && ph == 0) prefetch_kv(c, layer);
      if (!lm && ph == 0 && layer == 0) {
        // The token embedding (fp32 sum rounded to T, launch_embed's arithmetic); block 0 writes the
        // residual stream and zeroes the argmax slots.
#pragma unroll 1
        for (int i = tid; i < M * E; i += kPThreads) {
          const int m = i / E, k = i - m * E;
          const T v = from_f<T>(to_f(wte[static_cast<std::size_t>(a.step[1 + m]) * E + k]) +
                                to_f(wpe[static_cast<std::size_t>(c.past) * E + k]));
          c.act[i] = v;
          if (blockIdx.x == 0) static_cast<T*>(a.x)[i] = v;
        }
        if (blockIdx.x == 0 && tid < M) a.argmax_slots[tid] = 0ull;
        __syncthreads();
      } else {
        stage_rows(c, static_cast<const T*>(a.x), E, E);
      }
    } else if (ph == 4) {
      stage_rows(c, static_cast<const T*>(a.h), a.n_inner, a.n_inner);
    } else if (ph == 2) {
      combine_attention(c);
    }
    stamp(c, 0);
    if (ln) layernorm_act(c, red);
    stamp(c, 1);
    // ---- The phase's work.
    if (ph == 1) attention_phase(c, layer);
    else run_matrix(c, lm ? static_cast<int>(kLm) : ph == 0 ? kQkv : ph == 2 ? kProj : ph == 3 ? kFc : kFc2,
                    lm ? 0 : layer, best);
    if (lm) break;
    // ---- Grid barrier; between arrive and wait, the next phase's side data.
    grid_arrive(c);
    if (ph == 1) load_side(c, kProj, layer);
    else if (ph == 2) load_side(c, kFc, layer);
    else if (ph == 3) load_side(c, kFc2, layer);
    else if (ph == 4) load_side(c, layer + 1 < a.n_layer ? kQkv : kLm, layer + 1 < a.n_layer ? layer + 1 : 0);
    grid_wait(c);
    if (++ph == 5) {
      ph = 0;
      ++layer;
    }
  }
  const int lane = tid & 31, warp = tid >> 5;
#pragma unroll
  for (int m = 0; m < M; ++m) best[m] = warp_max_u64(best[m]);
  if (lane == 0) {
#pragma unroll
    for (int m = 0; m < M; ++m) best_s[warp][m] = best[m];
  }
  __syncthreads();
  if (tid < M) {
    unsigned long long bk = 0ull;
    for (int w = 0; w < kPWarps; ++w) bk = best_s[w][tid] > bk ? best_s[w][tid] : bk;
    atomicMax(&a.argmax_slots[tid], bk);
  }
  // Last block out copies the slots to the host (every block's atomicMax precedes its increment).
  __threadfence();
  __syncthreads();
  if (tid == 0) last_block = atomicAdd(a.lm_counter, 1u) == gridDim.x - 1;
  __syncthreads();
  if (c.trace != nullptr && tid == 0) c.trace[10 * a.n_layer + 1] = globaltimer_ns();
  if (last_block) {
    if (tid < M) a.argmax_host[tid] = atomicOr(&a.argmax_slots[tid], 0ull);
    if (tid == 0) *a.lm_counter = 0u;
    __threadfence_system();
  }
}

// Barrier cost probe (sb_cuda_bench): n grid barriers and nothing else.
__global__ void __launch_bounds__(kPThreads, 1) barrier_probe_kernel(unsigned long long* ctr, int n, int* err) {
  __shared__ unsigned long long base_s;
  if (threadIdx.x == 0) {
    const unsigned long long v = ld_acquire(ctr);
    base_s = v - v % gridDim.x;
  }
  __syncthreads();
  for (int k = 1; k <= n; ++k) {
    __syncthreads();
    if (threadIdx.x == 0) {
      red_release_add(ctr);
      const unsigned long long target = base_s + static_cast<unsigned long long>(k) * gridDim.x;
      unsigned polls = 0;
      while (ld_acquire(ctr) < target)
        if (++polls > kSpinLimit) {
          if (err != nullptr) *reinterpret_cast<volatile int*>(err) = 1000 + k;
          __threadfence_system();
          __trap();
        }
    }
    __syncthreads();
  }
}

// Weight-stream probe (sb_cuda_bench): each block streams its bytes_per_block through a ring of
// n_slots slots exactly as the decode kernel's ring does (thread 0 issues, all wait on the slot's
// mbarrier, __syncthreads releases it), with each chunk cut into `split` bulk copies, and no
// computation: the achievable rate of the ring itself.
__global__ void __launch_bounds__(kPThreads, 1) stream_probe_kernel(const unsigned char* src,
                                                                   unsigned long long bytes_per_block,
                                                                   int slot_bytes, int n_slots, int split,
                                                                   unsigned* sink) {
  extern __shared__ __align__(128) unsigned char smem[];
  unsigned long long* mbar = reinterpret_cast<unsigned long long*>(smem);
  unsigned char* ring = smem + 1024;
  if (threadIdx.x == 0) {
    for (int s = 0; s < n_slots; ++s) mbar_init(&mbar[s], 1);
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  const long long nchunks = static_cast<long long>(bytes_per_block / slot_bytes);
  const unsigned char* base = src + blockIdx.x * bytes_per_block;
  long long issued = 0;
  unsigned acc = 0;
  const unsigned piece = static_cast<unsigned>(slot_bytes / split);
  for (long long ci = 0; ci < nchunks; ++ci) {
    if (threadIdx.x == 0) {
      while (issued < nchunks && issued < ci + n_slots) {
        const int slot = static_cast<int>(issued % n_slots);
        mbar_expect_tx(&mbar[slot], static_cast<unsigned>(slot_bytes));
        for (int p = 0; p < split; ++p)
          bulk_g2s(ring + static_cast<std::size_t>(slot) * slot_bytes + p * piece,
                   base + issued * slot_bytes + p * piece, piece, &mbar[slot]);
        ++issued;
      }
    }
    const int slot = static_cast<int>(ci % n_slots);
    while (!mbar_try_wait(&mbar[slot], static_cast<unsigned>((ci / n_slots) & 1))) {
    }
    acc += ring[static_cast<std::size_t>(slot) * slot_bytes + threadIdx.x * 16];
    __syncthreads();
  }
  if (acc == 0xFFFFFFFFu) *sink = acc;  // keeps the reads
}

template <typename T, int M>
void* kernel_ptr() {
  return reinterpret_cast<void*>(persistent_decode_kernel<T, M>);
}
void* kernel_for(Dt dt, int rows) {
  if (dt == Dt::kF16) {
    switch (rows) {
      case 1: return kernel_ptr<__half, 1>();
      case 2: return kernel_ptr<__half, 2>();
      case 3: return kernel_ptr<__half, 3>();
      case 4: return kernel_ptr<__half, 4>();
    }
  } else if (dt == Dt::kBF16) {
    switch (rows) {
      case 1: return kernel_ptr<__nv_bfloat16, 1>();
      case 2: return kernel_ptr<__nv_bfloat16, 2>();
      case 3: return kernel_ptr<__nv_bfloat16, 3>();
      case 4: return kernel_ptr<__nv_bfloat16, 4>();
    }
  }
  return nullptr;
}

}  // namespace
}  // namespace sb::engine::cudak::detail

namespace sb::engine::cudak {

namespace {
unsigned long long* g_trace = nullptr;
std::size_t g_trace_entries = 0;
}  // namespace
void set_persistent_trace(unsigned long long* device_buffer, std::size_t entries) {
  g_trace = device_buffer;
  g_trace_entries = entries;
}

std::size_t persistent_partial_floats(int blocks, int rows, int n_head, int head_dim) {
  return static_cast<std::size_t>(std::max(blocks, rows * n_head)) * (head_dim + 2);
}

cudaError_t persistent_plan(PersistentArgs& a, int blocks, int slot_bytes, int n_slots, int kv_bytes) {
  using namespace detail;
  if ((a.dt != Dt::kF16 && a.dt != Dt::kBF16) || a.rows < 1 || a.rows > kPMaxRows || a.n_layer < 1 ||
      a.n_head < 1 || a.head_dim < 1 || a.head_dim > kMaxHeadDim || a.n_embd != a.n_head * a.head_dim ||
      a.n_inner < 1 || a.vocab < 1 || a.max_t < 1) {
    std::snprintf(g_detail, sizeof g_detail, "persistent decode: unsupported shape or type");
    return cudaErrorInvalidValue;
  }
  cudaError_t e = device_limits();
  if (e != cudaSuccess) return e;
  void* kernel = kernel_for(a.dt, a.rows);
  cudaFuncAttributes fa{};
  e = cudaFuncGetAttributes(&fa, kernel);
  if (e != cudaSuccess) return e;
  const int G = blocks > 0 ? std::min(blocks, g_sm_count) : g_sm_count;
  // Side rows: the most rows a block owns of the four layer matrices.
  int side_rows = 1, min_slot = 16;
  for (int kind = 0; kind < kKinds; ++kind) {
    int n = 0, k = 0;
    kind_dims(a, kind, n, k);
    const int g = row_granule(k);
    const long long U = (n + g - 1) / g;
    if (kind != kLm) side_rows = std::max<int>(side_rows, static_cast<int>((U + G - 1) / G * g));
    min_slot = std::max(min_slot, g * k * 2);
  }
  auto up = [](std::size_t v, std::size_t m) { return (v + m - 1) / m * m; };
  const int E = a.n_embd;
  const std::size_t act = up(static_cast<std::size_t>(a.rows) * std::max(E, a.n_inner) * 2, 128);
  const std::size_t side = up(static_cast<std::size_t>(2 * E + side_rows * (1 + a.rows)) * 4, 128);
  const std::size_t kv_min = up(static_cast<std::size_t>(a.rows) * a.n_head * (a.head_dim + 2) * 4, 128);
  const std::size_t kv = std::max(kv_min, up(kv_bytes > 0 ? kv_bytes : 24 * 1024, 128));
  // Default 64 KiB slots: fewer, larger chunks measured faster than 16 or 32 KiB on an H100
  // (session 6, call 2: gpt2 B=1 0.669 / 0.600 / 0.554 ms, gpt2-xl 5.12 / 3.75 / 3.39 ms), halved
  // while fewer than two slots fit (no copy could overlap the computation with one).
  std::size_t slot = up(std::max(slot_bytes > 0 ? slot_bytes : 64 * 1024, min_slot), 128);
  const std::size_t lt = up(static_cast<std::size_t>(a.n_layer) * sizeof(PersistentLayer), 128);
  const long long avail = static_cast<long long>(g_smem_optin) - static_cast<long long>(fa.sharedSizeBytes) -
                          static_cast<long long>(lt + act + side + kv) - 1024;
  // mbarriers take 8 bytes per slot in the first 128-byte line(s).
  long long fit = avail / static_cast<long long>(slot + 8);
  while (slot_bytes <= 0 && fit < 2 && slot > static_cast<std::size_t>(min_slot)) {
    slot = up(std::max<std::size_t>(slot / 2, min_slot), 128);
    fit = avail / static_cast<long long>(slot + 8);
  }
  const int want_slots = n_slots > 0 ? n_slots : 64;
  const int ns = static_cast<int>(std::min<long long>(want_slots, fit));
  if (ns < 1) {
    std::snprintf(g_detail, sizeof g_detail,
                  "persistent decode: no room for a weight slot (act %zu + side %zu + kv %zu B, slot %zu B, "
                  "opt-in limit %d B)", act, side, kv, slot, g_smem_optin);
    return cudaErrorInvalidValue;
  }
  a.blocks = G;
  a.slot_bytes = static_cast<int>(slot);
  a.n_slots = ns;
  a.kv_bytes = static_cast<int>(kv);
  a.side_rows = side_rows;
  a.smem_bytes = up(static_cast<std::size_t>(ns) * 8, 128) + lt + act + side + kv + static_cast<std::size_t>(ns) * slot;
  if (a.split_keys < 1) a.split_keys = 32;
  e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(a.smem_bytes));
  if (e != cudaSuccess) {
    std::snprintf(g_detail, sizeof g_detail, "persistent decode: cudaFuncSetAttribute(%zu B): %s", a.smem_bytes,
                  cudaGetErrorName(e));
    return e;
  }
  int per_sm = 0;
  e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kPThreads, a.smem_bytes);
  if (e != cudaSuccess) return e;
  if (per_sm < 1) {
    std::snprintf(g_detail, sizeof g_detail, "persistent decode: a block of %zu B shared memory does not fit an SM",
                  a.smem_bytes);
    return cudaErrorInvalidValue;
  }
  return cudaSuccess;
}

cudaError_t launch_persistent_decode(const PersistentArgs& a, bool cooperative, cudaStream_t st) {
  using namespace detail;
  void* kernel = kernel_for(a.dt, a.rows);
  if (kernel == nullptr || a.blocks < 1 || a.n_slots < 1) {
    std::snprintf(g_detail, sizeof g_detail, "persistent decode: launch without a plan");
    return cudaErrorInvalidValue;
  }
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(a.blocks));
  cfg.blockDim = dim3(kPThreads);
  cfg.dynamicSmemBytes = a.smem_bytes;
  cfg.stream = st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeCooperative;
  attr[0].val.cooperative = 1;
  cfg.attrs = attr;
  cfg.numAttrs = cooperative ? 1 : 0;
  PersistentArgs la = a;
  if (g_trace != nullptr && g_trace_entries >= static_cast<std::size_t>(a.blocks) * (20 * a.n_layer + 4)) la.trace = g_trace;
  void* args[] = {&la};
  const cudaError_t e = cudaLaunchKernelExC(&cfg, kernel, args);
  if (e != cudaSuccess)
    std::snprintf(g_detail, sizeof g_detail, "persistent decode<%s, rows=%d> grid=%d smem=%zu coop=%d: %s",
                  dt_name(a.dt), a.rows, a.blocks, a.smem_bytes, cooperative ? 1 : 0, cudaGetErrorName(e));
  return e;
}

cudaError_t launch_barrier_probe(unsigned long long* counter, int blocks, int n_barriers, bool cooperative,
                                 cudaStream_t st) {
  using namespace detail;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(blocks));
  cfg.blockDim = dim3(kPThreads);
  cfg.stream = st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeCooperative;
  attr[0].val.cooperative = 1;
  cfg.attrs = attr;
  cfg.numAttrs = cooperative ? 1 : 0;
  int* err = nullptr;
  return cudaLaunchKernelEx(&cfg, barrier_probe_kernel, counter, n_barriers, err);
}

cudaError_t launch_stream_probe(const void* src, unsigned long long bytes_per_block, int blocks, int slot_bytes,
                                int n_slots, int split, cudaStream_t st) {
  using namespace detail;
  const std::size_t smem = 1024 + static_cast<std::size_t>(slot_bytes) * n_slots;
  cudaError_t e = cudaFuncSetAttribute(stream_probe_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(smem));
  if (e != cudaSuccess) return e;
  stream_probe_kernel<<<blocks, kPThreads, smem, st>>>(static_cast<const unsigned char*>(src), bytes_per_block,
                                                        slot_bytes, n_slots, split, nullptr);
  return cudaGetLastError();
}

}  // namespace sb::engine::cudak
