// The native CPU engine (see cpu_engine.h for the contract).
//
// Data flow of one forward (prefill: rows = batch * seq; decode: rows = batch):
//   x = wte[ids] + wpe[pos]                                    [rows, E]  residual stream
//   per layer: ln = LN1(x); qkv = ln @ c_attn + b              [rows, 3E]
//              K, V columns copied into the cache at past_len..
//              attn = softmax(q k^T / sqrt(D), causal) v        [rows, E]  (pool: batch x heads)
//              x += attn @ c_proj + b                          (sgemm beta = 1: fused residual)
//              ln = LN2(x); h = gelu_new(ln @ c_fc + b)        [rows, I]
//              x += h @ mlp.c_proj + b
//   head: LN_f over the rows whose logits are needed, logits = h @ wte^T (tied).
// Steps of at most gemv::kMaxRows rows (decode up to batch 8, short prompts) take
// forward_fused() instead: every GEMM is a GEMV there, bound by memory bandwidth, so the whole
// step is one pool run whose threads each stream their own contiguous rows of every weight
// matrix exactly once (see cpu_engine.h and forward_fused below).
#include <cblas.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "engine/cpu/cpu_engine.h"
#include "model/layout.h"
#include "engine/cpu/cpu_engine_testing.h"
#include "engine/cpu/gemm.h"
#include "engine/cpu/gemv.h"
#include "engine/cpu/kernels.h"
#include "engine/cpu/openblas.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/work_threads.h"
#include "util/error.h"

namespace sb::engine {
namespace {

using model::GptConfig;
using model::GptWeights;

void validate_weights(const GptWeights& w) {
  const GptConfig& c = w.config;
  c.validate("native-cpu config");
  model::check_weight_shapes(w, "native-cpu");
  if (c.activation_function != "gelu_new") {
    fail("native-cpu: activation_function \"{}\" is not supported (only gelu_new)",
         c.activation_function);
  }
  if (!c.tie_word_embeddings) fail("native-cpu: an untied LM head is not supported");
}

// Grows a scratch buffer (never shrinks: steady-state calls allocate nothing).
float* scratch(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// The big matrices (every layer's four, and the tied wte) in one anonymous mapping advised for
// transparent huge pages: the decode step streams all of them every step, and 2 MiB pages
// spare the page walks and let the hardware prefetchers run across what would otherwise be
// 4 KiB page boundaries.  Without the mapping (mmap failed, or disabled) the pointers stay on
// the GptWeights vectors.  engine/cpu/ceilings.cc advises its bandwidth buffer the same way,
// so the floor is measured under the same conditions.
class WeightArena {
 public:
  WeightArena() = default;
  WeightArena(const WeightArena&) = delete;
  WeightArena& operator=(const WeightArena&) = delete;
  ~WeightArena() {
    if (base_) munmap(base_, bytes_);
  }
  // Reserves room for `floats` floats; false when the mapping failed.
  bool reserve(std::size_t floats) {
    const std::size_t huge = std::size_t{2} << 20;
    bytes_ = (floats * sizeof(float) + huge - 1) / huge * huge;
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    madvise(p, bytes_, MADV_HUGEPAGE);  // advice only: 4 KiB pages if the kernel has none
    base_ = static_cast<float*>(p);
    return true;
  }
  // Room for `floats` floats, starting on a 64-byte line (reserve() counted it).
  float* take(std::size_t floats) {
    float* dst = base_ + used_;
    used_ += (floats + 15) / 16 * 16;
    return dst;
  }
  // Moves v into the arena (its storage is released) and returns where it now lives.
  const float* adopt(std::vector<float>& v) {
    float* dst = take(v.size());
    std::memcpy(dst, v.data(), v.size() * sizeof(float));
    std::vector<float>().swap(v);
    return dst;
  }

 private:
  float* base_ = nullptr;
  std::size_t bytes_ = 0, used_ = 0;
};

// What the thread counts are derived from (work_threads.h), measured by the first engine of the
// process with a given thread count and reused by every later one, so that all engines of a
// process choose the same thread counts (and give bitwise-equal results).
struct HostMeasurements {
  BarrierMeasurement barrier;  // ThreadPool::measure_barrier (not measured when contended)
  double load_per_cpu = 0;     // 1-minute load average / CPUs this process may use
};

HostMeasurements measure_host(ThreadPool& pool) {
  static std::mutex mutex;
  static std::map<int, HostMeasurements> measured;  // by thread count
  std::lock_guard lock(mutex);
  auto it = measured.find(pool.threads());
  if (it == measured.end()) {
    HostMeasurements m;
    double load[1] = {0.0};
    if (getloadavg(load, 1) == 1) m.load_per_cpu = load[0] / available_cpus();
    // A contended host gets the ceiling share whatever a barrier costs (work_threads.h), and
    // there the measurement would spend its whole time budget: skip it.
    if (m.load_per_cpu < work_threads::kContendedLoadPerCpu) {
      // OpenBLAS's workers busy-wait for ~0.1 s after the library loads (and after each call):
      // in a fresh process they shared the cores with the pool's threads, and on the GPU
      // machine's quiet 16-core host every round found pool threads sharing a CPU (barrier
      // 53-207 µs) where a process without OpenBLAS's threads measured 2.5-3.3 µs (session 5,
      // docs/perf.md).  Parked, as every first fused step does anyway (openblas_used_).
      park_openblas_threads();
      m.barrier = pool.measure_barrier();
    }
    it = measured.emplace(pool.threads(), m).first;
  }
  return it->second;
}

// Below this width the fused step's LM head runs over a transposed copy of wte ([E, V], made
// once) as a GEMV over V, then an argmax per row: the row-dot kernel vectorises over E, and at
// E = 2 (tiny-gpt2) it spent ~40 ns per vocabulary row on horizontal sums and bookkeeping.
constexpr int kTransposedHeadMaxWidth = 64;

class CpuEngine final : public Engine {
 public:
  CpuEngine(GptWeights w, const CpuEngineOptions& o, const CpuEngineFaults& f)
      : w_(std::move(w)), opt_(o), faults_(f),
        threads_(o.threads > 0 ? o.threads : available_cpus()), pool_(threads_) {
    validate_weights(w_);
    const GptConfig& c = w_.config;
    if (o.max_batch < 1) fail("native-cpu: max_batch must be >= 1, got {}", o.max_batch);
    if (o.threads < 0) fail("native-cpu: threads must be >= 0, got {}", o.threads);
    if (o.max_seq < 0 || o.max_seq > c.n_positions) {
      fail("native-cpu: max_seq {} is outside 0..n_positions ({})", o.max_seq, c.n_positions);
    }
    max_seq_ = o.max_seq > 0 ? o.max_seq : c.n_positions;
    eps_ = static_cast<float>(f.layer_norm_epsilon >= 0 ? f.layer_norm_epsilon
                                                        : c.layer_norm_epsilon);
    score_scratch_.resize(threads_);
    if (o.min_share_us < 0) fail("native-cpu: min_share_us must be >= 0, got {}", o.min_share_us);
    if (o.min_share_us > 0) {
      costs_ = {o.min_share_us};
    } else if (o.adapt_threads && threads_ > 1) {
      // Measured once per process and thread count (outside any timing): see work_threads.h.
      host_ = measure_host(pool_);
      costs_ = work_threads::from_measurements(host_.barrier.barrier_us, host_.load_per_cpu);
    }
    native_gemm_ = o.native_gemm && gemm::available();
    packed_ = native_gemm_;
    place_matrices(o.huge_page_weights);
    const int E = c.n_embd, I = c.inner();
    part_stride_ = static_cast<std::size_t>(gemv::kMaxRows) * std::max(3 * E, I);
    partial_a_.assign(part_stride_ * threads_, 0.0f);
    partial_b_.assign(part_stride_ * threads_, 0.0f);
    best_.resize(static_cast<std::size_t>(threads_) * gemv::kMaxRows);
    local_.resize(threads_);
    for (auto& l : local_) {
      l.x.resize(static_cast<std::size_t>(gemv::kMaxRows) * E);
      l.ln.resize(static_cast<std::size_t>(gemv::kMaxRows) * E);
      l.att.resize(static_cast<std::size_t>(gemv::kMaxRows) * E);
      l.hidden.resize(static_cast<std::size_t>(gemv::kMaxRows) * I);
      l.q.resize(c.head_dim());
    }
  }

  const GptConfig& config() const override { return w_.config; }

  // Points mats_ and wte_ at the matrices, first moving them into the huge-page arena.  With
  // the engine's GEMM (packed_) the layer matrices are packed into kPanel-column panels here,
  // once (gemm.h): prefill's GEMMs and the fused decode step both read that one copy, and
  // the row-major original is released.
  void place_matrices(bool huge_pages) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, I = c.inner();
    const int shapes[4][2] = {{E, 3 * E}, {E, E}, {E, I}, {I, E}};  // [K, N] per matrix
    auto floats_of = [&](int m) {
      return packed_ ? gemm::packed_floats(shapes[m][0], shapes[m][1])
                     : static_cast<std::size_t>(shapes[m][0]) * shapes[m][1];
    };
    std::size_t floats = w_.wte.size() + 16;
    for (std::size_t l = 0; l < w_.layers.size(); ++l) {
      for (int m = 0; m < 4; ++m) floats += floats_of(m) + 16;
    }
    const bool arena = huge_pages && arena_.reserve(floats);
    auto place = [&](std::vector<float>& v, int m) -> const float* {
      if (!packed_) return arena ? arena_.adopt(v) : v.data();
      float* dst;
      if (arena) {
        dst = arena_.take(floats_of(m));
      } else {
        packed_store_.emplace_back(floats_of(m));
        dst = packed_store_.back().data();
      }
      gemm::pack(v.data(), shapes[m][0], shapes[m][1], shapes[m][1], dst);
      std::vector<float>().swap(v);
      return dst;
    };
    mats_.clear();
    for (auto& L : w_.layers) {
      mats_.push_back({place(L.attn_c_attn_weight, 0), place(L.attn_c_proj_weight, 1),
                       place(L.mlp_c_fc_weight, 2), place(L.mlp_c_proj_weight, 3)});
    }
    wte_ = arena ? arena_.adopt(w_.wte) : w_.wte.data();
    if (c.n_embd < kTransposedHeadMaxWidth) {
      const std::size_t E = c.n_embd, V = c.vocab_size;
      wte_t_.resize(E * V);
      for (std::size_t v = 0; v < V; ++v) {
        for (std::size_t e = 0; e < E; ++e) wte_t_[e * V + v] = wte_[v * E + e];
      }
    }
  }

  // How the thread count of each operation is chosen (work_threads.h), for describe().
  std::string threads_note() const {
    if (!opt_.adapt_threads || threads_ == 1) return "";
    if (host_.barrier.rounds > 0) {
      // The measurement's own numbers, so that a surprising share can be explained from a log.
      return fmt::format(" (fewer for small work: >= {:.0f} us per thread; measured barrier "
                         "{:.2f} us: min of {} round medians, first {:.2f} us, {} with threads "
                         "sharing a CPU, {}, {:.1f} ms; load {:.2f} per CPU)",
                         costs_.min_share_us, host_.barrier.barrier_us, host_.barrier.rounds,
                         host_.barrier.first_round_us, host_.barrier.stacked_rounds,
                         host_.barrier.settled ? "settled" : "time budget spent",
                         host_.barrier.elapsed_ms, host_.load_per_cpu);
    }
    if (host_.load_per_cpu >= work_threads::kContendedLoadPerCpu) {
      return fmt::format(" (fewer for small work: >= {:.0f} us per thread; load {:.2f} per CPU: "
                         "contended, barrier not measured)",
                         costs_.min_share_us, host_.load_per_cpu);
    }
    return fmt::format(" (fewer for small work: >= {:.0f} us per thread)", costs_.min_share_us);
  }

  std::string describe() const override {
    return fmt::format("native-cpu fp32, {} threads{}, kernels {}, decode {}, prefill gemm {}, OpenBLAS ({}; {})",
                       threads_, threads_note(),
                       kernels::active_isa(),
                       opt_.fused_gemv ? fmt::format("fused gemv {}", gemv::isa_name(gemv::active_isa()))
                                         : std::string("sgemv"),
                       native_gemm_ ? "avx512" : "OpenBLAS",
                       openblas_get_config(), openblas_kernels());
  }

  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override {
    if (batch < 1 || batch > opt_.max_batch) {
      fail("native-cpu: prefill batch {} is outside 1..max_batch ({})", batch, opt_.max_batch);
    }
    if (seq < 1) fail("native-cpu: prefill needs at least one token per sequence, got {}", seq);
    if (seq > max_seq_) {
      fail("native-cpu: prompt of {} tokens exceeds the {} positions of this engine "
           "(n_positions {})", seq, max_seq_, w_.config.n_positions);
    }
    if (tokens.size() != static_cast<std::size_t>(batch) * seq) {
      fail("native-cpu: prefill got {} token ids for batch {} x seq {} (expected {})",
           tokens.size(), batch, seq, static_cast<std::size_t>(batch) * seq);
    }
    check_token_ids(tokens, seq);
    // Start fresh sequences.
    batch_ = batch;
    past_ = 0;
    const std::size_t cache = static_cast<std::size_t>(w_.config.n_layer) * batch *
                              w_.config.n_embd * max_seq_;
    if (k_cache_.size() < cache) {
      k_cache_.resize(cache);
      v_cache_.resize(cache);
    }
    forward(seq, tokens.data(), logits, out);
  }

  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override {
    if (batch_ == 0) fail("native-cpu: decode() called before prefill()");
    if (logits == LogitsMode::kAll) logits = LogitsMode::kLast;  // one position: the same thing
    if (tokens.size() != static_cast<std::size_t>(batch_)) {
      fail("native-cpu: decode got {} token ids for a batch of {}", tokens.size(), batch_);
    }
    if (past_ + 1 > max_seq_) {
      fail("native-cpu: decode would use position {} but this engine holds {} positions "
           "(n_positions {})", past_, max_seq_, w_.config.n_positions);
    }
    check_token_ids(tokens, 1);
    forward(1, tokens.data(), logits, out);
  }

  void reset() override {
    batch_ = 0;
    past_ = 0;
  }
  void synchronize() override {}
  int past_length() const override { return past_; }

 private:
  void check_token_ids(std::span<const std::int32_t> tokens, int seq) const {
    const int V = w_.config.vocab_size;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i] < 0 || tokens[i] >= V) {
        fail("native-cpu: token id {} at [batch {}, position {}] is out of range for "
             "vocab_size {}", tokens[i], i / seq, i % seq, V);
      }
    }
  }

  // The most threads an operation may use (engine/cpu/work_threads.h chooses fewer).
  int max_threads(int chosen) const { return opt_.adapt_threads ? chosen : threads_; }

  // y[rows, N] = epilogue(x[rows, K] @ W[K, N]) with the bias, gelu_new and residual fused as
  // gemm.h describes (kBiasResidual: y += x W + b; the others overwrite y).
  void linear(const float* x, int rows, int K, const float* W, const float* bias, int N,
              float* y, gemm::Epilogue ep) {
    const int workers = max_threads(work_threads::gemm(rows, N, K, threads_, costs_));
    if (packed_) {
      // Tasks are panels, each over every row (the panel is read from memory once); with few
      // panels per worker (a many-core host, or a narrow N) the rows are split as well, in
      // blocks of at least 64, so that every worker gets work.
      const int np = gemm::panels(N);
      const int row_blocks = std::clamp((2 * workers + np - 1) / np, 1, std::max(1, rows / 64));
      pool_.parallel_for(np * row_blocks, [&](int task, int) {
        const int panel = task / row_blocks, rb = task % row_blocks;
        const auto [m0, m1] = share(rows, rb, row_blocks);
        gemm::gemm_packed_panel(panel, m0, m1, x, K, W, K, N, bias, ep, y, N);
      }, workers);
      return;
    }
    const bool accumulate = ep == gemm::Epilogue::kBiasResidual;
    if (accumulate) {
      for (int r = 0; r < rows; ++r) kernels::add_inplace(bias, y + static_cast<std::size_t>(r) * N, N);
    } else {
      for (int r = 0; r < rows; ++r) std::memcpy(y + static_cast<std::size_t>(r) * N, bias, N * sizeof(float));
    }
    blas_linear(x, rows, K, W, N, y, workers);
    if (ep == gemm::Epilogue::kBiasGelu) activation(y, static_cast<std::int64_t>(rows) * N);
  }

  // y += x @ W through OpenBLAS (row-major W, no AVX-512F or native_gemm = false).
  void blas_linear(const float* x, int rows, int K, const float* W, int N, float* y, int workers) {
    set_blas_threads(workers);
    if (rows == 1) {
      // Row-major W [K, N] used transposed: y = W^T x.  OpenBLAS streams W once.
      cblas_sgemv(CblasRowMajor, CblasTrans, K, N, 1.0f, W, N, x, 1, 1.0f, y, 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, N, K, 1.0f, x, K, W, N, 1.0f,
                  y, N);
    }
  }

  // OpenBLAS's thread count is process-wide; set it only when it changes.
  // Called before every OpenBLAS call: it also marks that OpenBLAS's workers may be spinning.
  void set_blas_threads(int n) {
    openblas_used_ = true;
    if (n != blas_threads_) {
      openblas_set_num_threads(n);
      blas_threads_ = n;
    }
  }

  // LayerNorm over rows, split across the pool when there is enough work to pay for it.
  void layer_norm(const float* x, float* y, int rows, const std::vector<float>& g,
                  const std::vector<float>& b) {
    const int E = w_.config.n_embd;
    const int workers = max_threads(work_threads::elementwise(static_cast<double>(rows) * E, threads_, costs_));
    const int chunks = workers > 1 ? std::min(rows, workers * 4) : 1;
    pool_.parallel_for(chunks, [&](int t, int) {
      const int r0 = static_cast<int>(static_cast<std::int64_t>(rows) * t / chunks);
      const int r1 = static_cast<int>(static_cast<std::int64_t>(rows) * (t + 1) / chunks);
      kernels::layer_norm(x + static_cast<std::size_t>(r0) * E, y + static_cast<std::size_t>(r0) * E,
                          r1 - r0, E, g.data(), b.data(), eps_);
    }, workers);
  }

  void activation(float* h, std::int64_t n) {
    const int workers = max_threads(work_threads::elementwise(static_cast<double>(n), threads_, costs_));
    const int chunks = workers > 1 ? workers * 4 : 1;
    pool_.parallel_for(chunks, [&](int t, int) {
      const std::int64_t i0 = n * t / chunks, i1 = n * (t + 1) / chunks;
      if (faults_.erf_gelu) {
        kernels::gelu_erf_inplace(h + i0, i1 - i0);
      } else {
        kernels::gelu_new_inplace(h + i0, i1 - i0);
      }
    }, workers);
  }

  float* cache_at(std::vector<float>& cache, int layer, int b, int h) {
    const GptConfig& c = w_.config;
    const std::size_t D = c.head_dim();
    return cache.data() +
           ((static_cast<std::size_t>(layer) * batch_ + b) * c.n_head + h) * max_seq_ * D;
  }

  // Copies this step's keys and values (columns E..3E of qkv) into the cache at past_.
  void append_kv(int layer, int seq, const float* qkv) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, H = c.n_head, D = c.head_dim();
    for (int r = 0; r < batch_ * seq; ++r) {
      const int b = r / seq, pos = past_ + r % seq;
      const float* row = qkv + static_cast<std::size_t>(r) * 3 * E;
      for (int h = 0; h < H; ++h) {
        std::memcpy(cache_at(k_cache_, layer, b, h) + static_cast<std::size_t>(pos) * D,
                    row + E + h * D, D * sizeof(float));
        std::memcpy(cache_at(v_cache_, layer, b, h) + static_cast<std::size_t>(pos) * D,
                    row + 2 * E + h * D, D * sizeof(float));
      }
    }
  }

  // Prefill attention through the engine's GEMM (AVX-512), for a block of kQueryBlock queries
  // of one (sequence, head) at a time: scores = Q K^T against a transposed copy of the head's
  // keys (both operands then stream along their rows), scaled, causally masked and
  // softmax-normalised in place, then P V.  The scores never exceed kQueryBlock x (past + seq)
  // floats per worker (32 KB at 256 positions), so nothing of size seq x seq is written.
  // Same arithmetic as attention(): dot products summed in increasing d (here exactly in
  // order), divided by the same float, softmax_inplace, weighted values added in increasing key
  // order; keys past a query's causal limit get probability 0 (adding 0 * v changes nothing).
  // Phase 1 (one task per sequence x head) appends the keys and values to the cache and builds
  // K^T; phase 2 (one task per sequence x head x query block, the longest blocks first).
  void attention_blocked(int layer, int seq, const float* qkv, float* out) {
    constexpr int kQueryBlock = 32;
    const GptConfig& c = w_.config;
    const int E = c.n_embd, H = c.n_head, D = c.head_dim();
    const int B = batch_, past = past_, n_all = past + seq;
    const float denom = c.scale_attn_weights ? static_cast<float>(std::sqrt(static_cast<double>(D))) : 1.0f;
    const int workers = max_threads(work_threads::attention(c, B, seq, past, threads_, costs_));
    const std::size_t kt_stride = static_cast<std::size_t>(D) * n_all;
    float* kt = scratch(kt_, static_cast<std::size_t>(B) * H * kt_stride);
    pool_.parallel_for(B * H, [&](int task, int) {
      const int b = task / H, h = task % H;
      float* K = cache_at(k_cache_, layer, b, h);
      float* Vc = cache_at(v_cache_, layer, b, h);
      for (int i = 0; i < seq; ++i) {
        const float* row = qkv + static_cast<std::size_t>(b * seq + i) * 3 * E;
        std::memcpy(K + static_cast<std::size_t>(past + i) * D, row + E + h * D, D * sizeof(float));
        std::memcpy(Vc + static_cast<std::size_t>(past + i) * D, row + 2 * E + h * D, D * sizeof(float));
      }
      float* t = kt + task * kt_stride;
      for (int j = 0; j < n_all; ++j) {
        for (int d = 0; d < D; ++d) t[static_cast<std::size_t>(d) * n_all + j] = K[static_cast<std::size_t>(j) * D + d];
      }
    }, workers);
    const int blocks = (seq + kQueryBlock - 1) / kQueryBlock;
    pool_.parallel_for(B * H * blocks, [&](int task, int worker) {
      const int qb = blocks - 1 - task % blocks;  // the longest (last) blocks first
      const int bh = task / blocks, b = bh / H, h = bh % H;
      const int i0 = qb * kQueryBlock, i1 = std::min(seq, i0 + kQueryBlock), rq = i1 - i0;
      const int n_cols = faults_.no_causal_mask ? n_all : past + i1;
      float* S = scratch(score_scratch_[worker], static_cast<std::size_t>(kQueryBlock) * n_all);
      const float* Q = qkv + static_cast<std::size_t>(b * seq + i0) * 3 * E + h * D;
      gemm::gemm_small(Q, 3 * E, rq, kt + bh * kt_stride, n_all, D, n_cols, S, n_cols);
      for (int r = 0; r < rq; ++r) {
        float* row = S + static_cast<std::size_t>(r) * n_cols;
        // Causal: query past + i0 + r sees keys 0 .. past + i0 + r.
        const int valid = faults_.no_causal_mask ? n_all : past + i0 + r + 1;
        for (int j = 0; j < valid; ++j) row[j] = row[j] / denom;
        kernels::softmax_inplace(row, valid);
        std::fill(row + valid, row + n_cols, 0.0f);
      }
      gemm::gemm_small(S, n_cols, rq, cache_at(v_cache_, layer, b, h), D, n_cols, D,
                       out + static_cast<std::size_t>(b * seq + i0) * E + h * D, E);
    }, workers);
  }

  // Attention of the `seq` new positions of every sequence against the cached keys/values
  // (which already hold these positions).  One task per (sequence, head, block of queries).
  void attention(int layer, int seq, const float* qkv, float* out) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, H = c.n_head, D = c.head_dim();
    // HF divides the scores by a tensor holding sqrt(D) as fp32: divide by the same float.
    const float denom = c.scale_attn_weights ? static_cast<float>(std::sqrt(static_cast<double>(D))) : 1.0f;
    const int q_block = 16;
    const int q_blocks = (seq + q_block - 1) / q_block;
    const int tasks = batch_ * H * q_blocks;
    const bool decoding = seq == 1 && past_ > 0;
    pool_.parallel_for(tasks, [&](int task, int worker) {
      const int qb = task % q_blocks;
      const int h = (task / q_blocks) % H;
      const int b = task / (q_blocks * H);
      const float* K = cache_at(k_cache_, layer, b, h);
      const float* Vc = cache_at(v_cache_, layer, b, h);
      float* scores = scratch(score_scratch_[worker], max_seq_);
      for (int i = qb * q_block; i < std::min(seq, (qb + 1) * q_block); ++i) {
        // Causal: query at position past_ + i sees keys 0 .. past_ + i.
        int n_keys = past_ + i + 1;
        if (faults_.no_causal_mask) n_keys = past_ + seq;
        if (decoding) n_keys += faults_.kv_read_length_delta;
        n_keys = std::clamp(n_keys, 1, past_ + seq);
        const float* q = qkv + (static_cast<std::size_t>(b) * seq + i) * 3 * E + h * D;
        kernels::attention_scores(q, K, n_keys, D, denom, scores);
        kernels::softmax_inplace(scores, n_keys);
        kernels::weighted_sum(scores, Vc, n_keys, D,
                              out + (static_cast<std::size_t>(b) * seq + i) * E + h * D);
      }
    }, max_threads(work_threads::attention(c, batch_, seq, past_, threads_, costs_)));
  }

  // x[rows, E] = wte[tokens] + wpe[positions] for `seq` new positions per sequence.
  float* embed(int seq, const std::int32_t* tokens) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, rows = batch_ * seq;
    float* x = scratch(x_, static_cast<std::size_t>(rows) * E);
    for (int r = 0; r < rows; ++r) {
      const int i = r % seq;
      const int pos = past_ + i + faults_.position_offset;
      if (pos < 0 || pos >= c.n_positions) {
        fail("native-cpu: position {} is outside the {} positions of wpe", pos, c.n_positions);
      }
      const float* te = wte_ + static_cast<std::size_t>(tokens[r]) * E;
      const float* pe = w_.wpe.data() + static_cast<std::size_t>(pos) * E;
      float* xr = x + static_cast<std::size_t>(r) * E;
      for (int e = 0; e < E; ++e) xr[e] = te[e] + pe[e];
    }
    return x;
  }

  // The fused step's share of one matrix-vector product: acc[r, n] = sum over rows k0 <= k < k1
  // of W [K, N] of x[r, k - k0] W[k, n] (acc overwritten), from the packed or row-major copy.
  void gemv_rows(const float* x, int ldx, int R, int k0, int k1, const float* W, int K, int N,
                 float* acc, int lda) const {
    if (packed_) {
      gemm::gemv_packed(x, ldx, R, k0, k1, W, K, N, acc, lda);
    } else {
      gemv::gemv_accumulate(x, ldx, R, k1 - k0, W + static_cast<std::size_t>(k0) * N, N, N, acc,
                            lda, true);
    }
  }

  // Whether the fused step splits an N-column product across T workers by whole packed panels
  // (each worker streams its panels' contiguous [K][kPanel] blocks once, over the full K, and
  // writes finished columns: no partial sums) instead of by K rows (each worker streams a
  // (K/T)-row strip of EVERY panel: short strided streams, 9 KB each for gpt2's c_attn at 16
  // threads, and a partial sum per worker).  Only for the packed copy, and only where the
  // panels divide well enough: the busiest worker has at most 25% more panels than the mean.
  bool panel_split(int N, int T) const {
    const int np = gemm::panels(N);
    return packed_ && T > 1 && 4 * ((np + T - 1) / T) * T <= 5 * np;
  }

  // Columns of panels [p0, p1) of y[R, N] = x[R, K] @ W (+ bias), y with leading dimension ldy.
  static void gemv_panels(const float* x, int ldx, int R, int p0, int p1, const float* W, int K,
                          int N, const float* bias, float* y, int ldy) {
    for (int p = p0; p < p1; ++p) {
      gemm::gemm_packed_panel(p, 0, R, x, ldx, W, K, N, bias,
                              bias ? gemm::Epilogue::kBias : gemm::Epilogue::kStore, y, ldy);
    }
  }

  // [begin, end) of `n` items for worker w of T, in contiguous equal shares.
  static std::pair<int, int> share(int n, int w, int T) {
    return {static_cast<int>(static_cast<std::int64_t>(n) * w / T),
            static_cast<int>(static_cast<std::int64_t>(n) * (w + 1) / T)};
  }

  // A step of at most gemv::kMaxRows rows (batch x seq: every decode step up to batch 8, and
  // short prompts), as one pool run.  Rows are r = b * seq + i (sequence b, new position i).
  // Worker w owns: rows [e0, e1) of c_attn and c_fc, heads [h0, h1) (so rows h0*D .. h1*D of
  // attn.c_proj), rows [i0, i1) of mlp.c_proj and rows [v0, v1) of wte.  Partial sums go to
  // partial_a_ (c_attn, c_fc) and partial_b_ (c_proj, mlp.c_proj), alternating, so that a
  // buffer is written again only after a barrier that every reader of it has passed:
  //   LN1 -> c_attn -> |1| -> q,k,v + cache + attention -> c_proj -> |2| -> x, LN2 -> c_fc
  //   -> |3| -> gelu_new -> mlp.c_proj -> |4| -> x  (|n|: barrier)
  // Where panel_split() holds (the packed copy, enough panels per worker), c_attn and the MLP
  // pair are split by whole panels instead of by rows: worker w writes finished columns to slot 0
  // of partial_a_ / partial_b_ (one part to add instead of T), and c_fc's bias and gelu_new are
  // applied by the column's owner before |3|, so that mlp.c_proj can read every column.
  // Every worker keeps its own identical copy of the residual x (same operations in the same
  // order), so the residual update needs no extra barrier.  The layers run on T threads and the
  // LM head on TH threads (each chosen from its own work: a small model's wte can be worth
  // splitting when its layers are not), as two pool runs; the final LayerNorm between them is
  // computed once on worker 0's copy of x.
  void forward_fused(int seq, const std::int32_t* tokens, LogitsMode mode, StepResult& out) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, H = c.n_head, D = c.head_dim(), I = c.inner(), V = c.vocab_size;
    const int B = batch_, R = batch_ * seq;
    const float* x0 = embed(seq, tokens);
    const float denom = c.scale_attn_weights ? static_cast<float>(std::sqrt(static_cast<double>(D))) : 1.0f;
    const int past = past_;
    const bool decoding = seq == 1 && past > 0;
    // The LM head runs over every row (kAll) or the last position of each sequence.
    const bool all = mode == LogitsMode::kAll;
    const int head_rows = all ? R : B;
    float* logits = nullptr;
    if (mode == LogitsMode::kNone) {
      out.logits.clear();
    } else {
      out.logits.resize(static_cast<std::size_t>(head_rows) * V);
      logits = out.logits.data();
    }
    const bool transposed = !wte_t_.empty();
    const auto step = work_threads::fused_step(c, R, head_rows, past + seq, transposed, threads_, costs_);
    const int T = max_threads(step.layers), TH = max_threads(step.head);
    float* const pa = partial_a_.data();
    float* const pb = partial_b_.data();
    const std::int64_t ps = static_cast<std::int64_t>(part_stride_);
    // c_attn, and the MLP's two products together (c_fc's finished columns go through gelu_new
    // in place, so that mlp.c_proj can read all of them after |3|), split by panels where
    // panel_split says so; attn.c_proj stays K-split (its rows are the worker's heads).
    const bool split_qkv = panel_split(3 * E, T);
    const bool split_mlp = panel_split(I, T) && panel_split(E, T);
    const int parts_qkv = split_qkv ? 1 : T, parts_mlp = split_mlp ? 1 : T;
    pool_.run([&](int w) {
      Local& my = local_[w];
      float* x = my.x.data();
      float* ln = my.ln.data();
      std::memcpy(x, x0, sizeof(float) * R * E);
      const auto [e0, e1] = share(E, w, T);
      const auto [h0, h1] = share(H, w, T);
      const auto [i0, i1] = share(I, w, T);
      float* my_a = pa + w * ps;
      float* my_b = pb + w * ps;
      for (int l = 0; l < c.n_layer; ++l) {
        const auto& L = w_.layers[l];
        const Matrices& M = mats_[l];
        kernels::layer_norm(x, ln, R, E, L.ln_1_weight.data(), L.ln_1_bias.data(), eps_);
        if (split_qkv) {
          const auto [p0, p1] = share(gemm::panels(3 * E), w, T);
          gemv_panels(ln, E, R, p0, p1, M.c_attn, E, 3 * E, nullptr, pa, 3 * E);
        } else {
          gemv_rows(ln + e0, E, R, e0, e1, M.c_attn, E, 3 * E, my_a, 3 * E);
        }
        pool_.barrier();  // |1|
        const float* bias = L.attn_c_attn_bias.data();
        for (int h = h0; h < h1; ++h) {
          for (int b = 0; b < B; ++b) {
            // Keys and values of every new position first: position i attends to all j <= i.
            for (int i = 0; i < seq; ++i) {
              const std::int64_t row = static_cast<std::int64_t>(b * seq + i) * 3 * E;
              float* k = cache_at(k_cache_, l, b, h) + static_cast<std::size_t>(past + i) * D;
              float* v = cache_at(v_cache_, l, b, h) + static_cast<std::size_t>(past + i) * D;
              kernels::sum_partials(k, bias + E + h * D, pa + row + E + h * D, ps, parts_qkv, D, false);
              kernels::sum_partials(v, bias + 2 * E + h * D, pa + row + 2 * E + h * D, ps, parts_qkv, D, false);
            }
            for (int i = 0; i < seq; ++i) {
              const std::int64_t row = static_cast<std::int64_t>(b * seq + i) * 3 * E;
              float* q = my.q.data();
              kernels::sum_partials(q, bias + h * D, pa + row + h * D, ps, parts_qkv, D, false);
              // Causal: position past + i sees keys 0 .. past + i (faults as in attention()).
              int n_keys = past + i + 1;
              if (faults_.no_causal_mask) n_keys = past + seq;
              if (decoding) n_keys += faults_.kv_read_length_delta;
              n_keys = std::clamp(n_keys, 1, past + seq);
              attend(l, b, h, n_keys, q, denom, score_scratch_[w],
                     my.att.data() + static_cast<std::size_t>(b * seq + i) * E + h * D);
            }
          }
        }
        gemv_rows(my.att.data() + h0 * D, E, R, h0 * D, h1 * D, M.attn_c_proj, E, E, my_b, E);
        pool_.barrier();  // |2|
        for (int r = 0; r < R; ++r) {
          kernels::sum_partials(x + r * E, L.attn_c_proj_bias.data(), pb + r * E, ps, T, E, true);
        }
        kernels::layer_norm(x, ln, R, E, L.ln_2_weight.data(), L.ln_2_bias.data(), eps_);
        auto gelu = [&](float* h, int n) {
          if (faults_.erf_gelu) {
            kernels::gelu_erf_inplace(h, n);
          } else {
            kernels::gelu_new_inplace(h, n);
          }
        };
        if (split_mlp) {
          // c_fc + bias (acc + bias: the same bits as sum_partials of one part) and gelu on this
          // worker's columns of pa, then mlp.c_proj's panels over every column of it.
          const auto [p0, p1] = share(gemm::panels(I), w, T);
          gemv_panels(ln, E, R, p0, p1, M.mlp_c_fc, E, I, L.mlp_c_fc_bias.data(), pa, I);
          const int c0 = p0 * gemm::kPanel, c1 = std::min(I, p1 * gemm::kPanel);
          for (int r = 0; r < R; ++r) {
            if (c1 > c0) gelu(pa + static_cast<std::size_t>(r) * I + c0, c1 - c0);
          }
          pool_.barrier();  // |3|
          const auto [q0, q1] = share(gemm::panels(E), w, T);
          gemv_panels(pa, I, R, q0, q1, M.mlp_c_proj, I, E, nullptr, pb, E);
        } else {
          gemv_rows(ln + e0, E, R, e0, e1, M.mlp_c_fc, E, I, my_a, I);
          pool_.barrier();  // |3|
          float* hid = my.hidden.data();
          for (int r = 0; r < R; ++r) {
            float* hr = hid + static_cast<std::size_t>(r) * I + i0;
            kernels::sum_partials(hr, L.mlp_c_fc_bias.data() + i0, pa + r * I + i0, ps, T, i1 - i0, false);
            gelu(hr, i1 - i0);
          }
          gemv_rows(hid + i0, I, R, i0, i1, M.mlp_c_proj, I, E, my_b, E);
        }
        pool_.barrier();  // |4|
        for (int r = 0; r < R; ++r) {
          kernels::sum_partials(x + r * E, L.mlp_c_proj_bias.data(), pb + r * E, ps, parts_mlp, E, true);
        }
      }
    }, T);
    // Worker 0's residual (every layer worker holds the same) -> LN_f of the head's rows.
    float* x = local_[0].x.data();
    if (!all && seq > 1) {  // keep the last position of each sequence, in place
      for (int b = 0; b < B; ++b) {
        std::memmove(x + static_cast<std::size_t>(b) * E,
                     x + static_cast<std::size_t>(b * seq + seq - 1) * E, sizeof(float) * E);
      }
    }
    float* hln = local_[0].ln.data();
    kernels::layer_norm(x, hln, head_rows, E, w_.ln_f_weight.data(), w_.ln_f_bias.data(), eps_);
    head_argmax(hln, head_rows, logits, TH);
    past_ += seq;
    out.next_tokens.resize(B);
    for (int b = 0; b < B; ++b) out.next_tokens[b] = best_row(all ? b * seq + seq - 1 : b, TH);
  }

  // The tied LM head over at most gemv::kMaxRows rows of hln (already through LN_f) on TH
  // threads: each worker takes a contiguous share of the vocabulary and keeps each row's best
  // (value, id) in best_; logits (may be null) get [head_rows, V].  Read the result with best_row.
  void head_argmax(const float* hln, int head_rows, float* logits, int TH) {
    const int E = w_.config.n_embd, V = w_.config.vocab_size;
    const bool transposed = !wte_t_.empty();
    float* head_out = logits;
    if (transposed && !head_out) head_out = scratch(logits_, static_cast<std::size_t>(head_rows) * V);
    pool_.run([&](int w) {
      const auto [v0, v1] = share(V, w, TH);
      gemv::Best* best = best_.data() + static_cast<std::size_t>(w) * gemv::kMaxRows;
      for (int r = 0; r < head_rows; ++r) best[r] = {0.0f, -1};
      if (!transposed) {
        gemv::rowdot_argmax(hln, E, head_rows, E, wte_, v0, v1, logits, V, best);
      } else if (v1 > v0) {
        gemv::gemv_accumulate(hln, E, head_rows, E, wte_t_.data() + v0, V, v1 - v0, head_out + v0,
                              V, true);
        for (int r = 0; r < head_rows; ++r) {
          const float* row = head_out + static_cast<std::size_t>(r) * V + v0;
          const std::int32_t i = kernels::argmax(row, v1 - v0);
          best[r] = {row[i], v0 + i};
        }
      }
    }, TH);
  }

  std::int32_t best_row(int r, int TH) const {
    gemv::Best m{0.0f, -1};
    // Workers hold increasing ranges of ids: strict > keeps the lowest id among equal maxima.
    for (int w = 0; w < TH; ++w) {
      const gemv::Best& cand = best_[static_cast<std::size_t>(w) * gemv::kMaxRows + r];
      if (cand.index >= 0 && (m.index < 0 || cand.value > m.value)) m = cand;
    }
    return m.index;
  }

  // Attention of one query (sequence b, head h) over the first n_keys cached positions, which
  // already hold this step's keys and values.  out[D] = softmax(q K^T / denom) V.
  void attend(int layer, int b, int h, int n_keys, const float* q, float denom,
              std::vector<float>& score_buf, float* out) {
    const int D = w_.config.head_dim();
    const float* K = cache_at(k_cache_, layer, b, h);
    const float* Vc = cache_at(v_cache_, layer, b, h);
    float* scores = scratch(score_buf, max_seq_);
    kernels::attention_scores(q, K, n_keys, D, denom, scores);
    kernels::softmax_inplace(scores, n_keys);
    kernels::weighted_sum(scores, Vc, n_keys, D, out);
  }

  // Runs `seq` new positions for every sequence of the batch (prefill: the prompt; decode: 1).
  void forward(int seq, const std::int32_t* tokens, LogitsMode mode, StepResult& out) {
    const GptConfig& c = w_.config;
    const int E = c.n_embd, I = c.inner(), V = c.vocab_size;
    const int rows = batch_ * seq;
    if (opt_.fused_gemv && rows <= gemv::kMaxRows) {
      if (openblas_used_) park_openblas_threads();
      openblas_used_ = false;
      forward_fused(seq, tokens, mode, out);
      return;
    }
    blas_threads_ = -1;  // process-wide: re-applied at the first call of this step

    float* x = embed(seq, tokens);

    float* ln = scratch(ln_, static_cast<std::size_t>(rows) * E);
    float* qkv = scratch(qkv_, static_cast<std::size_t>(rows) * 3 * E);
    float* att = scratch(attn_, static_cast<std::size_t>(rows) * E);
    float* hid = scratch(mlp_, static_cast<std::size_t>(rows) * I);
    for (int l = 0; l < c.n_layer; ++l) {
      const auto& L = w_.layers[l];
      const Matrices& M = mats_[l];
      layer_norm(x, ln, rows, L.ln_1_weight, L.ln_1_bias);
      linear(ln, rows, E, M.c_attn, L.attn_c_attn_bias.data(), 3 * E, qkv, gemm::Epilogue::kBias);
      if (native_gemm_ && seq > 1) {
        attention_blocked(l, seq, qkv, att);
      } else {
        append_kv(l, seq, qkv);
        attention(l, seq, qkv, att);
      }
      linear(att, rows, E, M.attn_c_proj, L.attn_c_proj_bias.data(), E, x, gemm::Epilogue::kBiasResidual);
      layer_norm(x, ln, rows, L.ln_2_weight, L.ln_2_bias);
      // The erf-GELU fault keeps gelu as its own pass (the packed epilogue is gelu_new only).
      if (faults_.erf_gelu) {
        linear(ln, rows, E, M.mlp_c_fc, L.mlp_c_fc_bias.data(), I, hid, gemm::Epilogue::kBias);
        activation(hid, static_cast<std::int64_t>(rows) * I);
      } else {
        linear(ln, rows, E, M.mlp_c_fc, L.mlp_c_fc_bias.data(), I, hid, gemm::Epilogue::kBiasGelu);
      }
      linear(hid, rows, I, M.mlp_c_proj, L.mlp_c_proj_bias.data(), E, x, gemm::Epilogue::kBiasResidual);
    }
    past_ += seq;

    // LM head over the rows whose logits are needed.
    const bool all = mode == LogitsMode::kAll;
    const int head_rows = all ? rows : batch_;
    float* h = ln;
    if (all) {
      layer_norm(x, h, rows, w_.ln_f_weight, w_.ln_f_bias);
    } else {
      float* last = scratch(last_, static_cast<std::size_t>(batch_) * E);
      for (int b = 0; b < batch_; ++b) {
        std::memcpy(last + static_cast<std::size_t>(b) * E,
                    x + (static_cast<std::size_t>(b) * seq + seq - 1) * E, E * sizeof(float));
      }
      layer_norm(last, h, batch_, w_.ln_f_weight, w_.ln_f_bias);
    }
    float* logits = nullptr;
    if (mode == LogitsMode::kNone) {
      out.logits.clear();
    } else {
      out.logits.resize(static_cast<std::size_t>(head_rows) * V);
      logits = out.logits.data();
    }
    out.next_tokens.resize(batch_);
    if (opt_.fused_gemv && head_rows <= gemv::kMaxRows) {
      // The benchmark path (last positions only): the fused step's head, which streams wte
      // once with the argmax fused (OpenBLAS's sgemm packed all of wte for 4 rows: 13-16 ms
      // of gpt2 4x32 prefill; perf, session 5).
      const int TH = max_threads(work_threads::head(c, head_rows, !wte_t_.empty(), threads_, costs_));
      head_argmax(h, head_rows, logits, TH);
      for (int b = 0; b < batch_; ++b) out.next_tokens[b] = best_row(all ? b * seq + seq - 1 : b, TH);
      return;
    }
    if (!logits) logits = scratch(logits_, static_cast<std::size_t>(head_rows) * V);
    set_blas_threads(max_threads(work_threads::gemm(head_rows, V, E, threads_, costs_)));
    if (head_rows == 1) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, V, E, 1.0f, wte_, E, h, 1, 0.0f, logits, 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, head_rows, V, E, 1.0f, h, E,
                  wte_, E, 0.0f, logits, V);
    }
    for (int b = 0; b < batch_; ++b) {
      const std::size_t row = all ? static_cast<std::size_t>(b) * seq + seq - 1 : b;
      out.next_tokens[b] = kernels::argmax(logits + row * V, V);
    }
  }

  GptWeights w_;  // the four layer matrices and wte are empty once moved into arena_
  struct Matrices {
    const float *c_attn, *attn_c_proj, *mlp_c_fc, *mlp_c_proj;
  };
  WeightArena arena_;
  std::vector<Matrices> mats_;  // per layer
  const float* wte_ = nullptr;
  std::vector<float> wte_t_;  // wte transposed [E, V], only below kTransposedHeadMaxWidth
  CpuEngineOptions opt_;
  CpuEngineFaults faults_;
  int threads_;
  ThreadPool pool_;
  work_threads::Costs costs_;  // fixed for the engine's life (deterministic thread counts)
  HostMeasurements host_;      // measured at construction (barrier.rounds 0 = not measured)
  int max_seq_ = 0;
  float eps_ = 1e-5f;
  int batch_ = 0;  // batch of the current sequences; 0 before the first prefill
  int past_ = 0;   // positions held in the KV cache
  bool openblas_used_ = true;  // OpenBLAS may have spinning workers (park them before a fused step)
  int blas_threads_ = -1;      // OpenBLAS thread count last set by this engine in this step
  std::vector<float> k_cache_, v_cache_;
  std::vector<float> x_, ln_, qkv_, attn_, mlp_, last_, logits_;
  std::vector<float> kt_;  // attention_blocked: K^T per (sequence, head) of the current layer
  std::vector<std::vector<float>> score_scratch_;  // one per pool worker
  bool native_gemm_ = false;                       // prefill GEMMs through engine/cpu/gemm.h
  bool packed_ = false;  // layer matrices packed for gemm.h (else row-major, for OpenBLAS)
  std::vector<std::vector<float>> packed_store_;  // packed matrices when the arena is off
  // forward_fused: per-worker partial sums (worker w at w * part_stride_), argmax candidates,
  // and each worker's private residual copy and activations.
  struct Local {
    std::vector<float> x, ln, att, hidden, q;
  };
  std::size_t part_stride_ = 0;
  std::vector<float> partial_a_, partial_b_;
  std::vector<gemv::Best> best_;
  std::vector<Local> local_;
};

}  // namespace

std::unique_ptr<Engine> make_cpu_engine(const model::GptWeights& w, const CpuEngineOptions& o) {
  return std::make_unique<CpuEngine>(w, o, CpuEngineFaults{});
}

std::unique_ptr<Engine> make_cpu_engine(model::GptWeights&& w, const CpuEngineOptions& o) {
  return std::make_unique<CpuEngine>(std::move(w), o, CpuEngineFaults{});
}

std::unique_ptr<Engine> make_cpu_engine_with_faults(const model::GptWeights& w,
                                                    const CpuEngineOptions& o,
                                                    const CpuEngineFaults& faults) {
  return std::make_unique<CpuEngine>(w, o, faults);
}

}  // namespace sb::engine
