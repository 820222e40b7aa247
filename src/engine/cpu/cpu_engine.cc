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
#include <cstring>
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
  // Moves v into the arena (its storage is released) and returns where it now lives; each
  // matrix starts on a 64-byte line.
  const float* adopt(std::vector<float>& v) {
    float* dst = base_ + used_;
    std::memcpy(dst, v.data(), v.size() * sizeof(float));
    used_ += (v.size() + 15) / 16 * 16;
    std::vector<float>().swap(v);
    return dst;
  }

 private:
  float* base_ = nullptr;
  std::size_t bytes_ = 0, used_ = 0;
};

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
    gemm_pack_.resize(threads_);
    native_gemm_ = o.native_gemm && gemm::available();
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

  // Points mats_ and wte_ at the matrices, first moving them into the huge-page arena.
  void place_matrices(bool huge_pages) {
    std::size_t floats = w_.wte.size() + 16;
    for (const auto& L : w_.layers) {
      for (const auto* v : {&L.attn_c_attn_weight, &L.attn_c_proj_weight, &L.mlp_c_fc_weight,
                            &L.mlp_c_proj_weight}) {
        floats += v->size() + 16;
      }
    }
    const bool arena = huge_pages && arena_.reserve(floats);
    auto place = [&](std::vector<float>& v) { return arena ? arena_.adopt(v) : v.data(); };
    mats_.clear();
    for (auto& L : w_.layers) {
      mats_.push_back({place(L.attn_c_attn_weight), place(L.attn_c_proj_weight),
                       place(L.mlp_c_fc_weight), place(L.mlp_c_proj_weight)});
    }
    wte_ = place(w_.wte);
    const GptConfig& c = w_.config;
    if (c.n_embd < kTransposedHeadMaxWidth) {
      const std::size_t E = c.n_embd, V = c.vocab_size;
      wte_t_.resize(E * V);
      for (std::size_t v = 0; v < V; ++v) {
        for (std::size_t e = 0; e < E; ++e) wte_t_[e * V + v] = wte_[v * E + e];
      }
    }
  }

  std::string describe() const override {
    return fmt::format("native-cpu fp32, {} threads{}, kernels {}, decode {}, prefill gemm {}, OpenBLAS ({}; {})",
                       threads_, opt_.adapt_threads && threads_ > 1 ? " (fewer for small work)" : "",
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

  // y[rows, N] = x[rows, K] @ W[K, N] + bias (accumulate: y += ...).
  void linear(const float* x, int rows, int K, const float* W, const float* bias, int N,
              float* y, bool accumulate) {
    if (accumulate) {
      for (int r = 0; r < rows; ++r) kernels::add_inplace(bias, y + static_cast<std::size_t>(r) * N, N);
    } else {
      for (int r = 0; r < rows; ++r) std::memcpy(y + static_cast<std::size_t>(r) * N, bias, N * sizeof(float));
    }
    const int workers = max_threads(work_threads::gemm(rows, N, K, threads_));
    if (rows > 1 && native_gemm_) {
      pool_.parallel_for(gemm::panels(N), [&](int panel, int worker) {
        float* pack = scratch(gemm_pack_[worker], gemm::packed_floats(K));
        gemm::gemm_panel(panel, x, K, W, N, y, N, rows, N, K, pack);
      }, workers);
      return;
    }
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
  void set_blas_threads(int n) {
    if (n != blas_threads_) {
      openblas_set_num_threads(n);
      blas_threads_ = n;
    }
  }

  // LayerNorm over rows, split across the pool when there is enough work to pay for it.
  void layer_norm(const float* x, float* y, int rows, const std::vector<float>& g,
                  const std::vector<float>& b) {
    const int E = w_.config.n_embd;
    const int workers = max_threads(work_threads::elementwise(static_cast<double>(rows) * E, threads_));
    const int chunks = workers > 1 ? std::min(rows, workers * 4) : 1;
    pool_.parallel_for(chunks, [&](int t, int) {
      const int r0 = static_cast<int>(static_cast<std::int64_t>(rows) * t / chunks);
      const int r1 = static_cast<int>(static_cast<std::int64_t>(rows) * (t + 1) / chunks);
      kernels::layer_norm(x + static_cast<std::size_t>(r0) * E, y + static_cast<std::size_t>(r0) * E,
                          r1 - r0, E, g.data(), b.data(), eps_);
    }, workers);
  }

  void activation(float* h, std::int64_t n) {
    const int workers = max_threads(work_threads::elementwise(static_cast<double>(n), threads_));
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
    }, max_threads(work_threads::attention(c, batch_, seq, past_, threads_)));
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
    const auto step = work_threads::fused_step(c, R, head_rows, past + seq, transposed, threads_);
    const int T = max_threads(step.layers), TH = max_threads(step.head);
    float* const pa = partial_a_.data();
    float* const pb = partial_b_.data();
    const std::int64_t ps = static_cast<std::int64_t>(part_stride_);
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
        gemv::gemv_accumulate(ln + e0, E, R, e1 - e0,
                              M.c_attn + static_cast<std::size_t>(e0) * 3 * E,
                              3 * E, 3 * E, my_a, 3 * E, true);
        pool_.barrier();  // |1|
        const float* bias = L.attn_c_attn_bias.data();
        for (int h = h0; h < h1; ++h) {
          for (int b = 0; b < B; ++b) {
            // Keys and values of every new position first: position i attends to all j <= i.
            for (int i = 0; i < seq; ++i) {
              const std::int64_t row = static_cast<std::int64_t>(b * seq + i) * 3 * E;
              float* k = cache_at(k_cache_, l, b, h) + static_cast<std::size_t>(past + i) * D;
              float* v = cache_at(v_cache_, l, b, h) + static_cast<std::size_t>(past + i) * D;
              kernels::sum_partials(k, bias + E + h * D, pa + row + E + h * D, ps, T, D, false);
              kernels::sum_partials(v, bias + 2 * E + h * D, pa + row + 2 * E + h * D, ps, T, D, false);
            }
            for (int i = 0; i < seq; ++i) {
              const std::int64_t row = static_cast<std::int64_t>(b * seq + i) * 3 * E;
              float* q = my.q.data();
              kernels::sum_partials(q, bias + h * D, pa + row + h * D, ps, T, D, false);
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
        gemv::gemv_accumulate(my.att.data() + h0 * D, E, R, (h1 - h0) * D,
                              M.attn_c_proj + static_cast<std::size_t>(h0) * D * E,
                              E, E, my_b, E, true);
        pool_.barrier();  // |2|
        for (int r = 0; r < R; ++r) {
          kernels::sum_partials(x + r * E, L.attn_c_proj_bias.data(), pb + r * E, ps, T, E, true);
        }
        kernels::layer_norm(x, ln, R, E, L.ln_2_weight.data(), L.ln_2_bias.data(), eps_);
        gemv::gemv_accumulate(ln + e0, E, R, e1 - e0,
                              M.mlp_c_fc + static_cast<std::size_t>(e0) * I, I, I,
                              my_a, I, true);
        pool_.barrier();  // |3|
        float* hid = my.hidden.data();
        for (int r = 0; r < R; ++r) {
          float* hr = hid + static_cast<std::size_t>(r) * I + i0;
          kernels::sum_partials(hr, L.mlp_c_fc_bias.data() + i0, pa + r * I + i0, ps, T, i1 - i0, false);
          if (faults_.erf_gelu) {
            kernels::gelu_erf_inplace(hr, i1 - i0);
          } else {
            kernels::gelu_new_inplace(hr, i1 - i0);
          }
        }
        gemv::gemv_accumulate(hid + i0, I, R, i1 - i0,
                              M.mlp_c_proj + static_cast<std::size_t>(i0) * E, E,
                              E, my_b, E, true);
        pool_.barrier();  // |4|
        for (int r = 0; r < R; ++r) {
          kernels::sum_partials(x + r * E, L.mlp_c_proj_bias.data(), pb + r * E, ps, T, E, true);
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
    past_ += seq;
    out.next_tokens.resize(B);
    for (int b = 0; b < B; ++b) {
      const int r = all ? b * seq + seq - 1 : b;
      gemv::Best m{0.0f, -1};
      // Workers hold increasing ranges of ids: strict > keeps the lowest id among equal maxima.
      for (int w = 0; w < TH; ++w) {
        const gemv::Best& cand = best_[static_cast<std::size_t>(w) * gemv::kMaxRows + r];
        if (cand.index >= 0 && (m.index < 0 || cand.value > m.value)) m = cand;
      }
      out.next_tokens[b] = m.index;
    }
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
    const int E = c.n_embd, H = c.n_head, D = c.head_dim(), I = c.inner(), V = c.vocab_size;
    const int rows = batch_ * seq;
    if (opt_.fused_gemv && rows <= gemv::kMaxRows) {
      if (openblas_used_) park_openblas_threads();
      openblas_used_ = false;
      forward_fused(seq, tokens, mode, out);
      return;
    }
    openblas_used_ = true;
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
      linear(ln, rows, E, M.c_attn, L.attn_c_attn_bias.data(), 3 * E, qkv, false);
      // Append this step's keys and values to the cache.
      for (int r = 0; r < rows; ++r) {
        const int b = r / seq, pos = past_ + r % seq;
        const float* row = qkv + static_cast<std::size_t>(r) * 3 * E;
        for (int h = 0; h < H; ++h) {
          std::memcpy(cache_at(k_cache_, l, b, h) + static_cast<std::size_t>(pos) * D,
                      row + E + h * D, D * sizeof(float));
          std::memcpy(cache_at(v_cache_, l, b, h) + static_cast<std::size_t>(pos) * D,
                      row + 2 * E + h * D, D * sizeof(float));
        }
      }
      attention(l, seq, qkv, att);
      linear(att, rows, E, M.attn_c_proj, L.attn_c_proj_bias.data(), E, x, true);
      layer_norm(x, ln, rows, L.ln_2_weight, L.ln_2_bias);
      linear(ln, rows, E, M.mlp_c_fc, L.mlp_c_fc_bias.data(), I, hid, false);
      activation(hid, static_cast<std::int64_t>(rows) * I);
      linear(hid, rows, I, M.mlp_c_proj, L.mlp_c_proj_bias.data(), E, x, true);
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
    float* logits;
    if (mode == LogitsMode::kNone) {
      out.logits.clear();
      logits = scratch(logits_, static_cast<std::size_t>(head_rows) * V);
    } else {
      out.logits.resize(static_cast<std::size_t>(head_rows) * V);
      logits = out.logits.data();
    }
    set_blas_threads(max_threads(work_threads::gemm(head_rows, V, E, threads_)));
    if (head_rows == 1) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, V, E, 1.0f, wte_, E, h, 1, 0.0f, logits, 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, head_rows, V, E, 1.0f, h, E,
                  wte_, E, 0.0f, logits, V);
    }
    out.next_tokens.resize(batch_);
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
  int max_seq_ = 0;
  float eps_ = 1e-5f;
  int batch_ = 0;  // batch of the current sequences; 0 before the first prefill
  int past_ = 0;   // positions held in the KV cache
  bool openblas_used_ = true;  // OpenBLAS may have spinning workers (park them before a fused step)
  int blas_threads_ = -1;      // OpenBLAS thread count last set by this engine in this step
  std::vector<float> k_cache_, v_cache_;
  std::vector<float> x_, ln_, qkv_, attn_, mlp_, last_, logits_;
  std::vector<std::vector<float>> score_scratch_;  // one per pool worker
  std::vector<std::vector<float>> gemm_pack_;      // one packed B panel per pool worker
  bool native_gemm_ = false;                       // prefill GEMMs through engine/cpu/gemm.h
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
