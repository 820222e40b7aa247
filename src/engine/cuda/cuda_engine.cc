// engine/cuda/cuda_engine.cc — the Engine implementation: device buffers, the forward schedule
// (fused GEMV path for <= 4 rows, cuBLASLt otherwise), decode graphs.  See cuda_engine.h.
#include "engine/cuda/cuda_engine.h"
#include "model/layout.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/attn_layer.h"
#include "engine/cuda/engine_file.h"
#include "engine/cuda/graph_cache.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/lt_gemm.h"
#include "engine/cuda/small_decode.h"
#include "engine/cuda/qgemm_mma.h"
#include "util/error.h"

namespace sb::engine {
namespace {

using cudak::Dt;

void ck(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    sb::fail("native-cuda: {} failed: {} ({}) {}", what, cudaGetErrorString(e), cudaGetErrorName(e),
             cudak::last_launch_detail());
}

using cudak::WQuant;

// Storage type of activations (and of unquantized weights); int8/fp8 keep fp16 activations.
Dt parse_precision(const std::string& p) {
  if (p == "fp32") return Dt::kF32;
  if (p == "fp16" || p == "int8" || p == "fp8") return Dt::kF16;
  if (p == "bf16") return Dt::kBF16;
  sb::fail("native-cuda: unknown precision '{}' (expected fp32, fp16, bf16, int8 or fp8)", p);
}
WQuant parse_quant(const std::string& p) {
  if (p == "int8") return WQuant::kInt8;
  if (p == "fp8") return WQuant::kFp8;
  return WQuant::kNone;
}

// Device allocation owned by the engine.
class DevBuf {
 public:
  DevBuf() = default;
  explicit DevBuf(std::size_t bytes, const char* what) : bytes_(bytes) {
    if (bytes == 0) return;
    // Rounded up to 16 bytes: the small-model decode kernel stages buffers by whole 16-byte chunks.
    const cudaError_t e = cudaMalloc(&p_, (bytes + 15) & ~std::size_t{15});
    if (e != cudaSuccess)
      sb::fail("native-cuda: cudaMalloc of {} bytes for {} failed: {}", bytes, what,
               cudaGetErrorString(e));
  }
  DevBuf(DevBuf&& o) noexcept : p_(std::exchange(o.p_, nullptr)), bytes_(o.bytes_) {}
  DevBuf& operator=(DevBuf&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  ~DevBuf() {
    if (p_) cudaFree(p_);
  }
  void* get() const { return p_; }
  template <typename T> T* as() const { return static_cast<T*>(p_); }
  std::size_t bytes() const { return bytes_; }

 private:
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

class PinnedBuf {
 public:
  PinnedBuf() = default;
  explicit PinnedBuf(std::size_t bytes) {
    ck(cudaMallocHost(&p_, bytes), "cudaMallocHost (pinned staging)");
  }
  PinnedBuf(PinnedBuf&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  PinnedBuf& operator=(PinnedBuf&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~PinnedBuf() {
    if (p_) cudaFreeHost(p_);
  }
  template <typename T> T* as() const { return static_cast<T*>(p_); }

 private:
  void* p_ = nullptr;
};

struct LayerDev {
  DevBuf qkv_w, qkv_b, proj_w, proj_b, fc_w, fc_b, fc2_w, fc2_b;  // engine type, [out, in]
  DevBuf ln1_g, ln1_b, ln2_g, ln2_b;                               // fp32
  DevBuf k_cache, v_cache;                                         // [B][H][max_t][D]
  // Folded LayerNorm (CudaEngineOptions::ln_fold; GEMV decode path only): W' = dt(W * gamma) of the
  // QKV and c_fc matrices (LN1, LN2) and their fp32 g / c rows ([2 n_out]); empty when off.
  DevBuf qkv_wf, fc_wf, qkv_fold, fc_fold;
  // int8/fp8: [n_out, k_in] bytes and fp32 per-channel scales, site order of engine_file.h
  // (qkv, attn proj, fc, fc2); per-tensor activation scales.
  DevBuf wq[kSites], ws[kSites];
  float act_scale[kSites] = {1, 1, 1, 1};
};

// The layer's device pointers as the persistent and small-model kernels' layer tables hold them.
cudak::LayerPtrs layer_ptrs(const LayerDev& l) {
  cudak::LayerPtrs t;
  t.qkv_w = l.qkv_w.get();
  t.qkv_b = l.qkv_b.get();
  t.proj_w = l.proj_w.get();
  t.proj_b = l.proj_b.get();
  t.fc_w = l.fc_w.get();
  t.fc_b = l.fc_b.get();
  t.fc2_w = l.fc2_w.get();
  t.fc2_b = l.fc2_b.get();
  t.ln1_g = l.ln1_g.as<float>();
  t.ln1_b = l.ln1_b.as<float>();
  t.ln2_g = l.ln2_g.as<float>();
  t.ln2_b = l.ln2_b.as<float>();
  t.k_cache = l.k_cache.get();
  t.v_cache = l.v_cache.get();
  return t;
}

class CudaEngine final : public Engine {
 public:
  CudaEngine(const model::GptConfig& cfg, const CudaEngineOptions& o);
  ~CudaEngine() override;

  void upload(const model::GptWeights& w);
  void upload_quantized(const EngineFileData& f);
  void synthesize(std::uint64_t seed);

  const model::GptConfig& config() const override { return cfg_; }
  std::string describe() const override { return description_; }
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override;
  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override;
  void reset() override {
    past_len_ = 0;
    batch_ = 0;
  }
  // prefill() and decode() end by waiting for the stream (the next tokens are on the host then),
  // so a synchronize() right after one of them has nothing to wait for: it returns at once
  // instead of paying another driver round trip inside the caller's timed step (the runner
  // times decode + synchronize). Any other call that may enqueue work clears the flag.
  void synchronize() override {
    if (stream_idle_) return;
    set_device();
    ck(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
    stream_idle_ = true;
  }
  int past_length() const override { return past_len_; }
  CudaEngineStats stats(bool with_gemm_plans) const {
    CudaEngineStats s = stats_;
    s.prefill_evictions = static_cast<long long>(prefill_graphs_.evictions());
    s.prefill_graphs_cached = static_cast<int>(prefill_graphs_.size());
    if (with_gemm_plans) s.gemm_plans = lt_->describe_plans();
    return s;
  }

 private:
  void set_device() const { ck(cudaSetDevice(opts_.device), "cudaSetDevice"); }
  void allocate();
  void enqueue_forward(int batch, int seq, LogitsMode mode);
  // Captures enqueue_forward(batch, seq, mode) into an instantiated graph (owned by the caller);
  // what names the graph in errors ("decode", "prefill BxS").
  cudaGraphExec_t capture_forward(int batch, int seq, LogitsMode mode, const std::string& what);
  // Decode on the GEMV path with the QKV GEMV computing attention too (fuse_qkv_attention).
  bool fused_attention(int rows, int seq) const {
    return gemv_ok(rows) && seq == 1 && opts_.fuse_qkv_attention && max_t_ <= opts_.fused_attention_max_t;
  }
  void gemm(const void* w, const void* x, int rows, int n, int k, const void* bias,
            cudak::LtEpilogue epi, bool accumulate, void* d, Dt out_dt, long long ldd);
  bool gemv_ok(int rows) const;
  void site_dims(int site, int& n, int& k) const;
  // Quantized linear layer `site` of layer li on rows > kGemvMaxRows: quantize in -> GEMM ->
  // dequant epilogue into out.
  void qlinear(int li, int site, const void* in, long long ld_in, int rows, const void* bias,
               void* out, long long ldo, cudak::DequantEpilogue epi);
  // Fills a GemvArgs' weight fields for (layer, site): quantized or not.
  void gemv_weights(cudak::GemvArgs& a, int li, int site, const DevBuf& w) const;
  void check_tokens(std::span<const std::int32_t> tokens) const;
  void finish(int batch, StepResult& out);

  model::GptConfig cfg_;
  CudaEngineOptions opts_;
  Dt dt_;
  WQuant q_;
  std::size_t es_;
  int L_, H_, E_, D_, I_, V_, P_, max_b_, max_t_, split_keys_, n_split_;
  float eps_, scale_;
  int smem_optin_ = 0;
  std::string description_;

  cudaStream_t stream_ = nullptr;
  std::unique_ptr<cudak::LtGemm> lt_;
  DevBuf wte_, wpe_, lnf_g_, lnf_b_;
  std::vector<LayerDev> layers_;
  DevBuf xq_, acc_;  // int8/fp8 prefill: quantized GEMM input, raw GEMM accumulators
  DevBuf row_scales_;  // per-row activation scales of the dynamic site (prefill)
  // int8 with CudaEngineOptions::int8_dynamic_fc2: the mlp c_proj input takes per-row scales.
  bool dynamic_site(int site) const {
    return q_ == WQuant::kInt8 && opts_.int8_dynamic_fc2 && site == kSiteFc2;
  }
  DevBuf x_, ln_, qkv_, att_, h_, logits_last_, logits_all_, partial_, counters_, step_, slots_;
  DevBuf lm_counter_;  // the GEMV LM head's last-block counter (GemvArgs::argmax_counter)
  DevBuf head_counters_;  // fused QKV + attention: rows finished per head (GemvArgs::head_counters)
  unsigned long long* d_h_slots_ = nullptr;  // h_slots_ as the device sees it (UVA)
  PinnedBuf h_step_, h_slots_;
  // Persistent decode (CudaEngineOptions::persistent_decode): a plan per batch size 1..4 (blocks
  // == 0: not available for that size), the device table of layer pointers, the attention
  // partials, the grid-barrier and LM-head counters, and a pinned error word.
  void setup_persistent();
  bool persistent_ok(int rows, int seq) const {
    return seq == 1 && rows >= 1 && rows <= cudak::kGemvMaxRows && p_args_[rows].blocks > 0;
  }
  cudak::PersistentArgs p_args_[cudak::kGemvMaxRows + 1];
  std::string p_note_;
  // Attention + proj fusion (CudaEngineOptions::fuse_attn_proj): a plan per row count 1..4 (blocks
  // == 0: that count keeps the chain), the kernel's fixed-point accumulators, counters and flags
  // (zero between launches) and its pinned range-error word.
  // The fused kernels' shared state (attention + proj, fused MLP): their fixed-point accumulators,
  // zero before the first launch (each launch leaves them zero), and a pinned range-error word the
  // kernel sets and finish() checks.  Returns the word's device address.
  int* fused_scratch(DevBuf& scratch, PinnedBuf& error, std::size_t bytes, const char* what);
  // A fusion switch (fuse_attn_proj, fuse_mlp): the option, or env_name's value when set (-1 the
  // measured rule, 0 off, 1 wherever it fits); src says which.  off_note is set when the fusion is
  // off (the switch, int8/fp8 engines, fused_gemv off) and left empty otherwise.
  // allow_quant: the fused kernel has int8/fp8 variants (attention + proj, session 15).
  int fusion_mode(int option, const char* env_name, std::string& src, std::string& off_note,
                  bool allow_quant = false) const;
  void check_fused_error(PinnedBuf& error, const char* what);
  void setup_attn_proj();
  bool attn_proj_ok(int rows, int seq) const {
    return gemv_ok(rows) && seq == 1 && rows >= 1 && rows <= cudak::kGemvMaxRows && !fused_attention(rows, seq) &&
           ap_args_[rows].blocks > 0 && (!ap_short_only_[rows] || ap_step_short_);
  }
  // The step's cache length decides (decode): a plan the rule takes only for short caches
  // (ap_short_only_: max_seq > decode_split_keys) runs while the step's keys (past + 1) fit one
  // split of the chain's attention, and the chain beyond; the two take separate decode graphs.
  bool ap_step_short_ = true;
  bool ap_short_only_[cudak::kGemvMaxRows + 1] = {};
  cudak::AttnProjArgs ap_args_[cudak::kGemvMaxRows + 1];
  std::string ap_note_;
  DevBuf ap_scratch_;
  PinnedBuf ap_error_;
  // Fused MLP (CudaEngineOptions::fuse_mlp): a plan per row count 1..4 (blocks == 0: that count
  // keeps the chain), the kernel's fixed-point words (count + sum; zero between launches) and
  // its pinned range-error word.
  void setup_fused_mlp();
  bool mlp_fused_ok(int rows) const {
    return gemv_ok(rows) && rows >= 1 && rows <= cudak::kGemvMaxRows && m_args_[rows].blocks > 0;
  }
  cudak::MlpFusedArgs m_args_[cudak::kGemvMaxRows + 1];
  std::string m_note_;
  // Folded LayerNorm 1 / 2 in the QKV and c_fc decode GEMVs and the fused MLP
  // (CudaEngineOptions::ln_fold): decided by setup_ln_fold (before setup_fused_mlp, whose plan
  // depends on it), the folded weights made by fold_ln_weights once the weights are loaded.
  void setup_ln_fold();
  void fold_ln_weights();
  bool fold_ = false;
  std::string fold_note_;
  DevBuf m_scratch_;
  PinnedBuf m_error_;
  // Attention half of a layer in one kernel (CudaEngineOptions::fuse_attn_layer, attn_layer.h): a
  // plan per row count 1..4 (blocks == 0: that count keeps the chain), its count + fixed-point words
  // (zero between launches) and its pinned range-error word.
  void setup_attn_layer();
  bool attn_layer_ok(int rows, int seq) const {
    return gemv_ok(rows) && seq == 1 && rows >= 1 && rows <= cudak::kGemvMaxRows && !fused_attention(rows, seq) &&
           al_args_[rows].blocks > 0;
  }
  cudak::AttnLayerArgs al_args_[cudak::kGemvMaxRows + 1];
  std::string al_note_;
  DevBuf al_scratch_;
  PinnedBuf al_error_;
  // Small-model decode (CudaEngineOptions::small_decode): arguments per batch size 1..4 (blocks ==
  // 0: that size keeps the chain), its argmax slots and last-block counter.
  void setup_small();
  // The model's shape, tied embeddings and final LayerNorm in a one-kernel decode step's
  // arguments (cudak::PersistentArgs, cudak::SmallDecodeArgs: the same field names).
  template <typename Args>
  void fill_model_args(Args& a, int rows) const {
    a.dt = dt_;
    a.rows = rows;
    fill_model_dims(a);
    a.head_dim = D_;
    a.ln_eps = eps_;
    a.att_scale = scale_;
    a.wte = wte_.get();
    a.wpe = wpe_.get();
    a.lnf_g = lnf_g_.as<float>();
    a.lnf_b = lnf_b_.as<float>();
  }
  // The model's dimensions under the field names the kernels' argument structs and
  // cudak::SmallDecodeShape share.
  template <typename Dims>
  void fill_model_dims(Dims& a) const {
    a.n_layer = L_;
    a.n_head = H_;
    a.n_embd = E_;
    a.n_inner = I_;
    a.vocab = V_;
    a.max_t = max_t_;
  }
  // The weights and activation scales are set by upload / upload_quantized / synthesize, after
  // setup_small: the scales are copied into the small kernel's arguments there (a kernel
  // argument, not device memory) and its weight image (s_image_) is rebuilt.
  void small_weights_loaded();
  bool small_ok(int rows, int seq) const {
    return seq == 1 && rows >= 1 && rows <= cudak::kSmallMaxRows && s_args_[rows].blocks > 0 &&
           !persistent_ok(rows, seq);
  }
  cudak::SmallDecodeArgs s_args_[cudak::kSmallMaxRows + 1];
  std::string s_note_;
  DevBuf s_slots_, s_counter_;
  DevBuf s_image_;  // the layers' buffers and ln_f in the kernel's shared-memory layout (build_small_image)
  const int* d_h_step_ = nullptr;  // h_step_ as the device sees it (small_host_input)
  DevBuf p_layers_, p_partial_, p_barrier_, p_lm_counter_;
  PinnedBuf p_error_;
  std::map<int, cudaGraphExec_t> graphs_;
  std::map<int, int> eager_decodes_;
  int past_len_ = 0, batch_ = 0;
  bool stream_idle_ = false;  // true only right after a successful finish() or synchronize()
  // Prefill graphs (CudaEngineOptions::prefill_graphs), keyed by (batch, prompt length, logits
  // mode): every pointer and size the captured work uses follows from these and the engine's
  // fixed buffers and options (the position comes from the step buffer, the ids from the pinned
  // step input the graph copies).
  using PrefillKey = std::tuple<int, int, int>;
  void prefill_forward(int batch, int seq, LogitsMode mode);
  LruCache<PrefillKey, cudaGraphExec_t> prefill_graphs_;
  std::set<PrefillKey> prefill_seen_;  // shapes that ran eagerly once (plans made, modules loaded)
  CudaEngineStats stats_;
};

CudaEngine::CudaEngine(const model::GptConfig& cfg, const CudaEngineOptions& o)
    : cfg_(cfg), opts_(o), dt_(parse_precision(o.precision)), q_(parse_quant(o.precision)),
      es_(cudak::dt_size(dt_)),
      prefill_graphs_(static_cast<std::size_t>(std::max(1, o.prefill_graph_capacity)),
                      [](cudaGraphExec_t& g) { cudaGraphExecDestroy(g); }) {
  L_ = cfg.n_layer;
  H_ = cfg.n_head;
  E_ = cfg.n_embd;
  D_ = E_ / H_;
  I_ = cfg.inner();
  V_ = cfg.vocab_size;
  P_ = cfg.n_positions;
  max_b_ = o.max_batch;
  max_t_ = o.max_seq > 0 ? o.max_seq : P_;
  split_keys_ = o.decode_split_keys > 0 ? o.decode_split_keys : 256;
  n_split_ = std::max(1, (max_t_ + split_keys_ - 1) / split_keys_);
  eps_ = static_cast<float>(cfg.layer_norm_epsilon);
  scale_ = cfg.scale_attn_weights ? 1.0f / std::sqrt(static_cast<float>(D_)) : 1.0f;
  set_device();
  cudaDeviceProp prop{};
  ck(cudaGetDeviceProperties(&prop, opts_.device), "cudaGetDeviceProperties");
  smem_optin_ = static_cast<int>(prop.sharedMemPerBlockOptin);
  ck(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  cudak::set_programmatic_launch(o.programmatic_launch);
  cudak::set_shared_carveout(o.shared_carveout);
  {
    // The GEMV switches: the environment, else the option, else the default (ring off at 2 blocks
    // per SM, the bulk-copy input staging and the threads per block by their rules).
    cudak::set_gemv_ring(cudak::env_int("SB_GEMV_RING", o.gemv_ring >= 0 ? o.gemv_ring : 0));
    cudak::set_gemv_ring_blocks(cudak::env_int("SB_GEMV_RING_BLOCKS", o.gemv_ring_blocks > 0 ? o.gemv_ring_blocks : 2));
    cudak::set_gemv_xtma(cudak::env_int("SB_GEMV_XTMA", o.gemv_xtma >= 0 ? o.gemv_xtma : 2));
    cudak::set_lm_head_mma(cudak::env_int("SB_LM_HEAD_MMA", o.lm_head_mma >= 0 ? o.lm_head_mma : 2));
    cudak::set_gemv_ln_threads(cudak::env_int("SB_GEMV_LN_THREADS", o.gemv_ln_threads >= 0 ? o.gemv_ln_threads : 0));
  }
  lt_ = std::make_unique<cudak::LtGemm>(opts_.tf32);
  int rt = 0, drv = 0;
  cudaRuntimeGetVersion(&rt);
  cudaDriverGetVersion(&drv);
  description_ = fmt::format(
      "native-cuda precision={}{} device={} ({} SMs, sm_{}{}) cuda_runtime={} driver={} {} "
      "graphs={} pdl={} fused_gemv={} fused_attention={} carveout={} kernels=v3 max_batch={} "
      "max_seq={}",
      o.precision,
      (dt_ == Dt::kF32 && o.tf32) ? "+tf32"
      : q_ == WQuant::kInt8 && o.int8_dynamic_fc2
          ? " (W8A8 linear layers, per-token scales at the mlp c_proj input; fp16 embeddings/LM head/LayerNorm/attention)"
      : q_ != WQuant::kNone ? " (W8A8 linear layers; fp16 embeddings/LM head/LayerNorm/attention)"
                            : "", prop.name,
      prop.multiProcessorCount, prop.major, prop.minor, rt, drv, lt_->version(),
      o.cuda_graphs ? "on" : "off", o.programmatic_launch ? "on" : "off", o.fused_gemv ? "on" : "off",
      (o.fuse_qkv_attention && max_t_ <= o.fused_attention_max_t) ? "on" : "off", o.shared_carveout,
      max_b_, max_t_);
  allocate();
  setup_persistent();
  description_ += " persistent_decode=" + (p_note_.empty() ? std::string("off") : p_note_);
  setup_small();
  description_ += " small_decode=" + s_note_;
  setup_ln_fold();
  description_ += " ln_fold=" + fold_note_;
  setup_fused_mlp();  // first: the attention + proj rule asks whether the MLP is fused at a row count
  setup_attn_proj();
  description_ += " fuse_attn_proj=" + ap_note_;
  description_ += " fuse_mlp=" + m_note_;
  setup_attn_layer();
  description_ += " fuse_attn_layer=" + al_note_;
  if (cudak::gemv_ring() > 0)
    description_ += fmt::format(" gemv_ring={}x{}", cudak::gemv_ring(), cudak::gemv_ring_blocks());
  if (cudak::gemv_xtma() != 0) description_ += cudak::gemv_xtma() == 1 ? " gemv_xtma=on" : " gemv_xtma=rule";
  description_ += cudak::lm_head_mma() == 2 ? std::string(" lm_head_mma=rule")
                                             : fmt::format(" lm_head_mma={}", cudak::lm_head_mma() == 1 ? "on" : "off");
  if (cudak::gemv_ln_threads() != 128)
    description_ += cudak::gemv_ln_threads() == 0 ? std::string(" gemv_ln_threads=rule")
                                                  : fmt::format(" gemv_ln_threads={}", cudak::gemv_ln_threads());
  if (q_ != WQuant::kNone) {
    // The quantized GEMV switches (sessions 15-16; process-wide: SB_GEMV_WIDE, SB_FP8_MMA_ONE_ROW,
    // SB_GEMV_INT8_R1, SB_GEMV_X_GLOBAL).
    auto mode = [](int m) { return m < 0 ? std::string("rule") : fmt::format("mask{}", m); };
    description_ += " gemv_wide=" + mode(cudak::gemv_wide());
    if (q_ == WQuant::kFp8) description_ += " fp8_mma_one_row=" + mode(cudak::fp8_mma_one_row());
    if (q_ == WQuant::kInt8) description_ += cudak::gemv_int8_r1() != 0 ? " gemv_int8_r1=on" : " gemv_int8_r1=off";
    if (q_ == WQuant::kInt8) description_ += cudak::gemv_x_global() != 0 ? " gemv_x_global=on" : " gemv_x_global=off";
  }
  description_ += o.cuda_graphs && o.prefill_graphs
                      ? fmt::format(" prefill_graphs=on({} shapes)", o.prefill_graph_capacity)
                      : std::string(" prefill_graphs=off");
  if (q_ == WQuant::kFp8) {
    const std::string& g = o.fp8_prefill_gemm;
    if (g != "mma" && g != "mma_fused" && g != "mma_unfused" && g != "cublaslt" && g != "simple")
      sb::fail("native-cuda option fp8_prefill_gemm: expected mma, mma_fused, mma_unfused, cublaslt "
               "or simple, found '{}'", g);
    description_ += " fp8_prefill_gemm=" + g;
  }
}

CudaEngine::~CudaEngine() {
  cudaSetDevice(opts_.device);
  prefill_graphs_.clear();
  for (auto& [b, g] : graphs_) cudaGraphExecDestroy(g);
  if (stream_) {
    cudaStreamSynchronize(stream_);
    cudaStreamDestroy(stream_);
  }
}

void CudaEngine::allocate() {
  const std::size_t rows = static_cast<std::size_t>(max_b_) * max_t_;
  wte_ = DevBuf(static_cast<std::size_t>(V_) * E_ * es_, "wte");
  wpe_ = DevBuf(static_cast<std::size_t>(P_) * E_ * es_, "wpe");
  lnf_g_ = DevBuf(E_ * 4ull, "ln_f.weight");
  lnf_b_ = DevBuf(E_ * 4ull, "ln_f.bias");
  layers_.resize(L_);
  const std::size_t cache = static_cast<std::size_t>(max_b_) * H_ * max_t_ * D_ * es_;
  for (auto& l : layers_) {
    if (q_ == WQuant::kNone) {
      l.qkv_w = DevBuf(3ull * E_ * E_ * es_, "c_attn.weight");
      l.proj_w = DevBuf(1ull * E_ * E_ * es_, "attn.c_proj.weight");
      l.fc_w = DevBuf(1ull * I_ * E_ * es_, "c_fc.weight");
      l.fc2_w = DevBuf(1ull * E_ * I_ * es_, "mlp.c_proj.weight");
    } else {
      for (int site = 0; site < kSites; ++site) {
        int n = 0, k = 0;
        site_dims(site, n, k);
        l.wq[site] = DevBuf(static_cast<std::size_t>(n) * k, "quantized weight");
        l.ws[site] = DevBuf(static_cast<std::size_t>(n) * 4, "weight scales");
      }
    }
    l.qkv_b = DevBuf(3ull * E_ * es_, "c_attn.bias");
    l.proj_b = DevBuf(1ull * E_ * es_, "attn.c_proj.bias");
    l.fc_b = DevBuf(1ull * I_ * es_, "c_fc.bias");
    l.fc2_b = DevBuf(1ull * E_ * es_, "mlp.c_proj.bias");
    l.ln1_g = DevBuf(E_ * 4ull, "ln_1.weight");
    l.ln1_b = DevBuf(E_ * 4ull, "ln_1.bias");
    l.ln2_g = DevBuf(E_ * 4ull, "ln_2.weight");
    l.ln2_b = DevBuf(E_ * 4ull, "ln_2.bias");
    l.k_cache = DevBuf(cache, "KV cache (keys)");
    l.v_cache = DevBuf(cache, "KV cache (values)");
  }
  x_ = DevBuf(rows * E_ * es_, "residual stream");
  ln_ = DevBuf(rows * E_ * es_, "LayerNorm output");
  qkv_ = DevBuf(rows * 3 * E_ * es_, "qkv");
  att_ = DevBuf(rows * E_ * es_, "attention output");
  h_ = DevBuf(rows * I_ * es_, "MLP hidden");
  if (q_ != WQuant::kNone) {
    xq_ = DevBuf(rows * std::max(E_, I_), "quantized GEMM input");
    acc_ = DevBuf(rows * std::max(3 * E_, I_) * 4ull, "GEMM accumulators");
    row_scales_ = DevBuf(rows * 4ull, "per-row activation scales");
  }
  logits_last_ = DevBuf(static_cast<std::size_t>(max_b_) * V_ * 4, "last-position logits");
  partial_ = DevBuf(static_cast<std::size_t>(max_b_) * H_ * n_split_ * (D_ + 2) * 4,
                    "attention partials");
  counters_ = DevBuf(static_cast<std::size_t>(max_b_) * H_ * 4, "attention counters");
  ck(cudaMemsetAsync(counters_.get(), 0, counters_.bytes(), stream_), "cudaMemset counters");
  lm_counter_ = DevBuf(4, "LM head counter");
  ck(cudaMemsetAsync(lm_counter_.get(), 0, 4, stream_), "cudaMemset LM head counter");
  head_counters_ = DevBuf(static_cast<std::size_t>(H_) * 4, "head counters");
  ck(cudaMemsetAsync(head_counters_.get(), 0, head_counters_.bytes(), stream_), "cudaMemset head counters");
  ck(cudaStreamSynchronize(stream_), "cudaMemset counters (sync)");
  step_ = DevBuf((1 + rows) * 4, "step input");
  slots_ = DevBuf(static_cast<std::size_t>(max_b_) * 8, "argmax slots");
  h_step_ = PinnedBuf((1 + rows) * 4);
  h_slots_ = PinnedBuf(static_cast<std::size_t>(max_b_) * 8);
  void* dp = nullptr;
  ck(cudaHostGetDevicePointer(&dp, h_slots_.as<void>(), 0), "cudaHostGetDevicePointer (next tokens)");
  d_h_slots_ = static_cast<unsigned long long*>(dp);
}

int* CudaEngine::fused_scratch(DevBuf& scratch, PinnedBuf& error, std::size_t bytes, const char* what) {
  const std::string acc = fmt::format("{} accumulators", what);
  scratch = DevBuf(bytes, acc.c_str());
  ck(cudaMemsetAsync(scratch.get(), 0, scratch.bytes(), stream_), ("cudaMemset " + acc).c_str());
  ck(cudaStreamSynchronize(stream_), ("cudaMemset " + acc + " (sync)").c_str());
  error = PinnedBuf(4);
  *error.as<int>() = 0;
  void* d_err = nullptr;
  ck(cudaHostGetDevicePointer(&d_err, error.as<void>(), 0),
     fmt::format("cudaHostGetDevicePointer ({} error word)", what).c_str());
  return static_cast<int*>(d_err);
}

// A fused kernel's range error of the pass just finished: reset the word, then fail with `what`.
void CudaEngine::check_fused_error(PinnedBuf& error, const char* what) {
  if (error.as<int>() == nullptr || *error.as<int>() == 0) return;
  *error.as<int>() = 0;
  sb::fail("native-cuda: {}", what);
}

int CudaEngine::fusion_mode(int option, const char* env_name, std::string& src, std::string& off_note,
                            bool allow_quant) const {
  const char* env = std::getenv(env_name);
  const bool from_env = env != nullptr && *env != '\0';
  const int mode = from_env ? std::atoi(env) : option;
  src = from_env ? env_name : "option";
  off_note.clear();
  if (mode == 0) off_note = "off(" + src + ")";
  else if (q_ != WQuant::kNone && !allow_quant) off_note = "off(int8/fp8: chain)";
  else if (!opts_.fused_gemv) off_note = "off(fused_gemv=off)";
  return mode;
}

void CudaEngine::setup_attn_proj() {
  std::string src;
  const int mode = fusion_mode(opts_.fuse_attn_proj, "SB_FUSE_ATTN_PROJ", src, ap_note_, /*allow_quant=*/true);
  if (!ap_note_.empty()) return;
  const bool rule = mode < 0;
  const bool cluster = cudak::env_int("SB_ATTN_PROJ_CLUSTER", opts_.attn_proj_cluster ? 1 : 0) != 0;
  std::string on_rows, chain;
  int cluster_size = 0;
  for (int rows = 1; rows <= std::min(max_b_, cudak::kGemvMaxRows); ++rows) {
    if (!gemv_ok(rows)) continue;
    if (fused_attention(rows, 1)) {
      chain += fmt::format(" B={}: chain (fuse_qkv_attention)", rows);
      continue;
    }
    cudak::AttnProjArgs a;
    a.dt = dt_;
    a.rows = rows;
    a.n_head = H_;
    a.head_dim = D_;
    a.max_t = max_t_;
    a.scale = scale_;
    a.slices = opts_.attn_proj_slices;
    a.att_warps = opts_.attn_proj_att_warps;
    a.use_cluster = cluster && q_ == WQuant::kNone;  // (int8/fp8: the atomic sum only)
    a.wq = q_;
    const cudaError_t pe = cudak::attn_proj_plan(a);
    // The shape rule (mode -1), from sb_cuda_bench A/B on an H200 (docs/perf-cuda.md, session 9
    // "attention + proj fusion" and session 10 "count-in-word protocol", calls 1-2): with the
    // count-in-word sum faster at up to 64 (row, head) pairs: gpt2 fp16 / bf16 B=1 -5..-6% (6 slices
    // of 128 outputs, attn_proj_plan), B=2-4 -4..-8%, fp32 B=2-3 -1..-3%; gpt2-medium B=1-4 -3..-10%,
    // gpt2-large B=1-3 -5..-6%, gpt2-xl B=1 / 2 -3..-4 / -2%.  Not taken: more pairs (gpt2-xl B >= 3:
    // two waves of blocks, +6..+10%), fp32 at 1 row (even) and at 4 rows beside the fused MLP
    // (gpt2: +0.6..+2.9% in two calls), and long caches, where the chain splits the keys and the
    // fused kernel does not (so it is used only when max_seq keeps the chain's attention at one
    // split as well).
    const char* why_not = nullptr;
    bool short_only = false;
    if (pe == cudaSuccess && rule) {
      if (rows * H_ > 64) why_not = "rule: rows x heads > 64";
      else if (dt_ == Dt::kF32 && rows == 1) why_not = "rule: fp32 at 1 row";
      else if (dt_ == Dt::kF32 && rows == 4 && mlp_fused_ok(rows)) why_not = "rule: fp32 at 4 rows beside the fused MLP";
      // int8 / fp8 (session 15 call 5, H200): fused faster at 1-4 rows on gpt2 .. gpt2-xl (int8 B=1
      // -2..-6%, fp8 -5..-13%) but fp8 gpt2-xl at 2 rows +3.7% (its chain GEMV takes tensor cores).
      else if (q_ == WQuant::kFp8 && rows >= 2 && E_ >= 1600) why_not = "rule: fp8 at 2+ rows, n_embd >= 1600";
    }
    if (pe == cudaSuccess && why_not != nullptr) {
      chain += fmt::format(" B={}: chain ({})", rows, why_not);
    } else if (pe == cudaSuccess) {
      // Long caches: the chain splits the keys and the fused kernel does not, so with max_seq
      // beyond one split the rule takes the fused kernel only for steps whose keys fit one split.
      short_only = rule && max_t_ > split_keys_;
      ap_args_[rows] = a;
      ap_short_only_[rows] = short_only;
      cluster_size = a.cluster;
      on_rows += fmt::format("{}{}:{}x{}{}", on_rows.empty() ? "" : ",", rows, a.slices, a.slice_rows,
                             short_only ? fmt::format(" while keys <= {}", split_keys_) : std::string());
    } else {
      cudaGetLastError();
      chain += fmt::format(" B={}: chain ({})", rows, cudak::last_launch_detail());
    }
  }
  if (on_rows.empty()) {
    ap_note_ = "off(no row count fits:" + chain + ")";
    return;
  }
  int* d_err = fused_scratch(ap_scratch_, ap_error_, cudak::attn_proj_scratch_bytes(E_), "attention + proj");
  for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows) {
    ap_args_[rows].scratch = ap_scratch_.get();
    ap_args_[rows].host_error = d_err;
  }
  // B=rows:slices x outputs per slice; cluster: blocks per cluster, else atomic (fixed-point sums).
  ap_note_ = fmt::format("on(B={}, {}{}, src {}){}", on_rows,
                         cluster ? fmt::format("cluster {}", cluster_size) : std::string("atomic"),
                         rule ? ", rule" : "", src, chain);
}

namespace {
// The fused MLP's default shape rule (CudaEngineOptions::fuse_mlp = -1), from sb_cuda_bench
// --quick on an H200 (2026-11-27, docs/perf-cuda.md "Session 9: fused MLP", call 2; decode ms/step
// against the chain in the same process, every cell's p10-p90 range disjoint from both chain runs):
//  - fp32 (gpt2 is the only shape whose slices fit): 2-4 rows -8 / -11 / -9%; 1 row +7%.
//  - fp16/bf16 with both weight slices of a block <= 96 KiB (gpt2: 72 KiB): 1 row -9% (fp16) /
//    -12% (bf16); bf16 3 / 4 rows -4 / -3%; fp16 at 2-4 rows +4-5% (there the chain's mlp c_proj
//    splits K at 3-4 rows, bf16's does not) and bf16 at 2 rows +4%.
//  - larger slices lost at 1-2 rows: gpt2-medium (128 KiB) +17 / +10%, gpt2-large (200 KiB) +1 /
//    +5%, about even at 3-4 rows.
// Returns "" when the rule takes the fused kernel, else why not.
std::string mlp_rule_says_no(Dt dt, int rows, const cudak::MlpFusedArgs& plan) {
  if (dt == Dt::kF32) return rows >= 2 ? "" : "rule: fp32 at 1 row";
  const std::size_t slices = 2ull * plan.slice_rows * plan.n_embd * cudak::dt_size(dt);
  if (slices > 96 * 1024) return fmt::format("rule: weight slices {} KiB > 96 KiB per block", slices / 1024);
  if (rows == 1 || (dt == Dt::kBF16 && rows >= 3)) return "";
  return dt == Dt::kBF16 ? "rule: bf16 at 2 rows" : "rule: fp16 at >= 2 rows";
}
}  // namespace

void CudaEngine::setup_ln_fold() {
  // -1 = the rule (on wherever it applies: measured faster for every model and batch size it
  // covers, docs/perf-cuda.md "Session 12"), 0 = off, 1 = on; SB_LN_FOLD overrides.
  const int mode = cudak::env_int("SB_LN_FOLD", opts_.ln_fold);
  if (mode == 0) {
    fold_note_ = "off";
    return;
  }
  if (q_ != WQuant::kNone || dt_ == Dt::kF32) {
    fold_note_ = "off(fp16/bf16 only)";
    return;
  }
  if (!opts_.fused_gemv) {
    fold_note_ = "off(fused_gemv off)";
    return;
  }
  if (E_ % 8 != 0) {  // the folded kernels read 16-byte vectors of the input rows
    fold_note_ = "off(n_embd not a multiple of 8)";
    return;
  }
  fold_ = true;
  for (auto& l : layers_) {
    l.qkv_wf = DevBuf(3ull * E_ * E_ * es_, "c_attn.weight (LayerNorm 1 folded)");
    l.fc_wf = DevBuf(1ull * I_ * E_ * es_, "c_fc.weight (LayerNorm 2 folded)");
    l.qkv_fold = DevBuf(2ull * 3 * E_ * 4, "c_attn LayerNorm fold rows");
    l.fc_fold = DevBuf(2ull * I_ * 4, "c_fc LayerNorm fold rows");
  }
  fold_note_ = mode < 0 ? "on(QKV, c_fc / fused MLP GEMVs; rule)" : "on(QKV, c_fc / fused MLP GEMVs)";
}

void CudaEngine::fold_ln_weights() {
  if (!fold_) return;
  for (auto& l : layers_) {
    ck(cudak::launch_ln_fold(dt_, l.qkv_w.get(), l.ln1_g.as<float>(), l.ln1_b.as<float>(), 3 * E_, E_,
                             l.qkv_wf.get(), l.qkv_fold.as<float>(), stream_),
       "LayerNorm 1 fold");
    ck(cudak::launch_ln_fold(dt_, l.fc_w.get(), l.ln2_g.as<float>(), l.ln2_b.as<float>(), I_, E_,
                             l.fc_wf.get(), l.fc_fold.as<float>(), stream_),
       "LayerNorm 2 fold");
  }
  ck(cudaStreamSynchronize(stream_), "LayerNorm fold (sync)");
}

void CudaEngine::setup_fused_mlp() {
  std::string src;
  const int mode = fusion_mode(opts_.fuse_mlp, "SB_FUSE_MLP", src, m_note_);
  if (!m_note_.empty()) return;
  if (mode < 0) src += ", rule";
  // Session 11's post-wait options (off by default until measured faster).
  using cudak::env_int;
  const int want_wln = std::max(0, env_int("SB_MLP_WARP_LN", opts_.mlp_warp_ln));
  const int want_cluster = std::max(0, env_int("SB_MLP_CLUSTER", opts_.mlp_cluster));
  // fc2 chunks: 0 off (the default), 1 on, -1 the rule s11-mlp measured (bf16 at 4 rows: -2.8% / -3.5%
  // in its call 2, H200; +0.3% / +1.4% in the lead's call 3 on the merged binary: not a default;
  // docs/perf-cuda.md "Session 11"); at 1 row it lost: +10%.
  const int chunks_mode = env_int("SB_MLP_FC2_CHUNKS", opts_.mlp_fc2_chunks);
  std::string chunk_rows;
  std::string wln_rows, cluster_note;
  std::string on_rows, chain;
  int first_on = 0;
  for (int rows = 1; rows <= std::min(max_b_, cudak::kGemvMaxRows); ++rows) {
    if (!gemv_ok(rows)) continue;
    cudak::MlpFusedArgs a{.dt = dt_, .rows = rows, .n_embd = E_, .n_inner = I_, .ln_eps = eps_};
    a.want_warp_ln = want_wln;
    a.want_cluster = want_cluster;
    a.want_fc2_chunks = chunks_mode > 0 || (chunks_mode < 0 && dt_ == Dt::kBF16 && rows == 4) ? 1 : 0;
    a.want_ln_fold = fold_ ? 1 : 0;
    if (cudak::mlp_fused_plan(a) != cudaSuccess) {
      cudaGetLastError();
      chain += fmt::format(" B={}: unfused ({})", rows, cudak::last_launch_detail());
      continue;
    }
    const std::string no = mode < 0 ? mlp_rule_says_no(dt_, rows, a) : "";
    if (!no.empty()) {
      chain += fmt::format(" B={}: unfused ({})", rows, no);
      continue;
    }
    m_args_[rows] = a;
    if (a.warp_ln != 0) wln_rows += (wln_rows.empty() ? "" : ",") + std::to_string(rows);
    if (a.fc2_chunks != 0) chunk_rows += (chunk_rows.empty() ? "" : ",") + std::to_string(rows);
    if (a.cluster > 1) cluster_note += fmt::format("{}B={}", cluster_note.empty() ? "" : ",", rows);
    if (first_on == 0) first_on = rows;
    on_rows += (on_rows.empty() ? "" : ",") + std::to_string(rows);
  }
  if (on_rows.empty()) {
    m_note_ = "off(" + src + ":" + chain + ")";
    return;
  }
  int* d_err = fused_scratch(m_scratch_, m_error_, cudak::mlp_fused_scratch_bytes(cudak::kGemvMaxRows, E_), "fused MLP");
  for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows) {
    m_args_[rows].scratch = m_scratch_.get();
    m_args_[rows].host_error = d_err;
  }
  std::string post;
  if (!chunk_rows.empty()) post += ", fc2 chunks B=" + chunk_rows;
  if (!wln_rows.empty()) post += ", warp-LN B=" + wln_rows;
  if (!cluster_note.empty()) post += fmt::format(", cluster {} {}", want_cluster, cluster_note);
  m_note_ = fmt::format("on(B={}, {} rows per block, src {}{}){}", on_rows,
                        m_args_[first_on].slice_rows, src, post, chain);
}

void CudaEngine::setup_attn_layer() {
  std::string src;
  const int mode = fusion_mode(opts_.fuse_attn_layer, "SB_FUSE_ATTN_LAYER", src, al_note_);
  if (!al_note_.empty()) return;
  // The rule (-1): off until measured faster than the chain (docs/perf-cuda.md, session 10).
  if (mode < 0) {
    al_note_ = "off(rule: not measured faster)";
    return;
  }
  std::string on_rows, chain;
  int cluster = 0;
  for (int rows = 1; rows <= std::min(max_b_, cudak::kGemvMaxRows); ++rows) {
    if (!gemv_ok(rows)) continue;
    if (fused_attention(rows, 1)) {
      chain += fmt::format(" B={}: chain (fuse_qkv_attention)", rows);
      continue;
    }
    cudak::AttnLayerArgs a{.dt = dt_, .rows = rows, .n_head = H_, .head_dim = D_, .max_t = max_t_, .scale = scale_,
                           .ln_eps = eps_};
    a.cluster = opts_.attn_layer_cluster;
    if (cudak::attn_layer_plan(a) != cudaSuccess) {
      cudaGetLastError();
      chain += fmt::format(" B={}: chain ({})", rows, cudak::last_launch_detail());
      continue;
    }
    al_args_[rows] = a;
    cluster = a.blocks / H_;
    on_rows += (on_rows.empty() ? "" : ",") + std::to_string(rows);
  }
  if (on_rows.empty()) {
    al_note_ = "off(no row count fits:" + chain + ")";
    return;
  }
  int* d_err = fused_scratch(al_scratch_, al_error_, cudak::attn_layer_scratch_bytes(cudak::kGemvMaxRows, E_),
                             "attention layer");
  for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows) {
    al_args_[rows].scratch = al_scratch_.get();
    al_args_[rows].host_error = d_err;
  }
  al_note_ = fmt::format("on(B={}, cluster {}, src {}){}", on_rows, cluster, src, chain);
}

void CudaEngine::setup_persistent() {
  if (!opts_.persistent_decode || q_ != WQuant::kNone || dt_ == Dt::kF32 || !opts_.fused_gemv) return;
  std::vector<cudak::PersistentLayer> table(L_);
  for (int i = 0; i < L_; ++i) {
    table[i] = layer_ptrs(layers_[i]);
  }
  p_layers_ = DevBuf(table.size() * sizeof(cudak::PersistentLayer), "persistent layer table");
  ck(cudaMemcpyAsync(p_layers_.get(), table.data(), p_layers_.bytes(), cudaMemcpyHostToDevice, stream_),
     "copy persistent layer table");
  p_barrier_ = DevBuf(8, "persistent barrier counter");
  p_lm_counter_ = DevBuf(4, "persistent LM head counter");
  ck(cudaMemsetAsync(p_barrier_.get(), 0, 8, stream_), "cudaMemset barrier counter");
  ck(cudaMemsetAsync(p_lm_counter_.get(), 0, 4, stream_), "cudaMemset LM head counter");
  p_error_ = PinnedBuf(4);
  *p_error_.as<int>() = 0;
  void* d_err = nullptr;
  ck(cudaHostGetDevicePointer(&d_err, p_error_.as<void>(), 0), "cudaHostGetDevicePointer (error word)");
  std::size_t partial_floats = 0;
  for (int rows = 1; rows <= std::min(max_b_, cudak::kGemvMaxRows); ++rows) {
    if (!gemv_ok(rows)) continue;
    cudak::PersistentArgs a;
    fill_model_args(a, rows);
    a.layers = p_layers_.as<cudak::PersistentLayer>();
    a.step = step_.as<int>();
    a.x = x_.get();
    a.qkv = qkv_.get();
    a.h = h_.get();
    a.argmax_slots = slots_.as<unsigned long long>();
    a.argmax_host = d_h_slots_;
    a.lm_counter = p_lm_counter_.as<unsigned>();
    a.barrier_counter = p_barrier_.as<unsigned long long>();
    a.host_error = static_cast<int*>(d_err);
    a.split_keys = opts_.decode_split_keys;
    const cudaError_t e = cudak::persistent_plan(a, opts_.persistent_blocks, opts_.persistent_slot_bytes,
                                                 opts_.persistent_slots, opts_.persistent_kv_bytes);
    if (e != cudaSuccess) {
      // This batch size keeps the kernel chain; the description says so.
      p_note_ += fmt::format("{}B={}: chain ({})", p_note_.empty() ? "" : ",", rows, cudak::last_launch_detail());
      cudaGetLastError();
      continue;
    }
    partial_floats = std::max(partial_floats, cudak::persistent_partial_floats(a.blocks, rows, H_, D_));
    p_args_[rows] = a;
  }
  if (partial_floats == 0) return;
  p_partial_ = DevBuf(partial_floats * 4, "persistent attention partials");
  for (auto& a : p_args_) {
    if (a.blocks == 0) continue;
    a.partial = p_partial_.as<float>();
    if (p_note_.find("blocks") == std::string::npos)
      p_note_ = fmt::format("on(blocks={} slots={}x{}B kv={}B){}", a.blocks, a.n_slots, a.slot_bytes, a.kv_bytes,
                            p_note_.empty() ? "" : " " + p_note_);
  }
  ck(cudaStreamSynchronize(stream_), "persistent decode setup (sync)");
}

void CudaEngine::setup_small() {
  if (!opts_.small_decode) {
    s_note_ = "off(option)";
    return;
  }
  if (!opts_.fused_gemv) {
    s_note_ = "off(fused_gemv=off: chain)";
    return;
  }
  if (q_ == WQuant::kFp8 && !opts_.small_decode_fp8) {
    s_note_ = "off(fp8: small_decode_fp8=off)";
    return;
  }
  int quant = q_ == WQuant::kInt8 ? 1 : q_ == WQuant::kFp8 ? 2 : 0;
  std::size_t static_smem = 0;
  ck(cudak::small_decode_static_smem(dt_, D_, &static_smem), "small decode kernel attributes");
  int sms = 0;
  ck(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, opts_.device), "cudaDeviceGetAttribute");
  void* dstep = nullptr;
  ck(cudaHostGetDevicePointer(&dstep, h_step_.as<void>(), 0), "cudaHostGetDevicePointer (step input)");
  d_h_step_ = static_cast<const int*>(dstep);
  s_slots_ = DevBuf(cudak::kSmallMaxRows * 8ull, "small decode argmax slots");
  s_counter_ = DevBuf(4, "small decode counter");
  ck(cudaMemsetAsync(s_slots_.get(), 0, s_slots_.bytes(), stream_), "cudaMemset small decode slots");
  ck(cudaMemsetAsync(s_counter_.get(), 0, 4, stream_), "cudaMemset small decode counter");
  ck(cudaStreamSynchronize(stream_), "small decode setup (sync)");
  auto plan_rows = [&](int rows, int q) {
    cudak::SmallDecodeShape sh;
    fill_model_dims(sh);
    sh.elem_bytes = static_cast<int>(es_);
    sh.rows = rows;
    sh.quant = q;
    sh.fp8_mma_min_rows = cudak::fp8_mma_min_rows();
    return cudak::plan_small_decode(sh, opts_.small_blocks, sms, static_cast<std::size_t>(smem_optin_) - static_smem);
  };
  // fp8 with decoded weights (small_fp8_predecode; SB_SMALL_FP8_PREDECODE overrides): taken when
  // its plan accepts every batch size the one-byte layout's does (one weight image serves them all).
  std::string fp8_note;
  if (quant == 2) {
    const bool pre = cudak::env_int("SB_SMALL_FP8_PREDECODE", opts_.small_fp8_predecode ? 1 : 0) != 0;
    if (pre) {
      bool same = true;
      for (int rows = 1; rows <= std::min(max_b_, cudak::kSmallMaxRows); ++rows)
        same = same && plan_rows(rows, 3).ok() == plan_rows(rows, 2).ok();
      if (same) quant = 3;
      fp8_note = same ? ", fp8 decoded weights" : ", fp8 codes (decoded weights do not fit)";
    }
  }
  std::string on, chain;
  std::size_t smem_lo = 0, smem_hi = 0;
  for (int rows = 1; rows <= std::min(max_b_, cudak::kSmallMaxRows); ++rows) {
    const cudak::SmallDecodePlan plan = plan_rows(rows, quant);
    if (!plan.ok()) {
      chain += fmt::format("{}B={}: chain ({})", chain.empty() ? "" : ", ", rows, plan.why_not);
      continue;
    }
    cudak::SmallDecodeArgs& a = s_args_[rows];
    fill_model_args(a, rows);
    a.quant = quant;
    a.fc2_per_row = dynamic_site(kSiteFc2);
    for (int i = 0; i < L_; ++i) {
      const LayerDev& l = layers_[i];
      cudak::SmallDecodeLayer& t = a.layers[i];
      static_cast<cudak::LayerPtrs&>(t) = layer_ptrs(l);
      if (quant != 0) {
        // The chain's quantized sites (gemv_weights): byte matrices, per-channel scales, static
        // activation scales with the inverse computed here in fp32 as there.
        t.qkv_w = l.wq[kSiteQkv].get();
        t.proj_w = l.wq[kSiteProj].get();
        t.fc_w = l.wq[kSiteFc].get();
        t.fc2_w = l.wq[kSiteFc2].get();
        for (int site = 0; site < kSites; ++site) t.w_scale[site] = l.ws[site].as<float>();
        // (x_scale / x_inv_scale: small_weights_loaded, once the scales are loaded.)
      }
    }
    a.step = opts_.small_host_input ? d_h_step_ : step_.as<int>();
    a.slots = s_slots_.as<unsigned long long>();
    a.host_out = d_h_slots_;
    a.counter = s_counter_.as<unsigned>();
    a.blocks = plan.blocks;
    a.rows_per_block = plan.rows_per_block;
    a.kv_bufs = plan.kv_bufs;
    a.smem_bytes = plan.smem_bytes;
    a.layer_stride = plan.layer_stride;
    a.off_lnf = plan.off_lnf;
    a.off_lm = plan.off_lm;
    a.off_kv = plan.off_kv;
    a.kv_area = plan.kv_area;
    a.off_act = plan.off_act;
    on += fmt::format("{}{}", on.empty() ? "B=" : ",", rows);
    smem_lo = smem_lo == 0 ? plan.smem_bytes : std::min(smem_lo, plan.smem_bytes);
    smem_hi = std::max(smem_hi, plan.smem_bytes);
  }
  if (on.empty()) {
    s_note_ = "off(" + chain + ")";
    return;
  }
  // One weight image serves every batch size (its layout does not depend on the rows); filled by
  // small_weights_loaded at the end of the weight loader the factory calls next (upload +
  // upload_quantized, or synthesize): the constructor has no weights to copy yet.
  const cudak::SmallDecodeArgs& any = s_args_[on[2] - '0'];
  s_image_ = DevBuf(any.off_lm, "small decode weight image");
  for (auto& a : s_args_)
    if (a.blocks > 0) a.image = s_image_.get();
  s_note_ = fmt::format("on({}: {} blocks x {} threads, {}-{} B shared memory, {} layer(s) of keys/values ahead{}{}{}{})",
                        on, any.blocks, cudak::kSmallThreads, smem_lo, smem_hi, any.kv_bufs,
                        opts_.small_host_input ? ", host inputs" : "", fp8_note, chain.empty() ? "" : "; ", chain);
}

void CudaEngine::upload(const model::GptWeights& w) {
  stream_idle_ = false;
  set_device();
  std::size_t biggest = std::max(w.wte.size(), w.wpe.size());
  for (const auto& l : w.layers)
    biggest = std::max({biggest, l.attn_c_attn_weight.size(), l.mlp_c_fc_weight.size(),
                        l.mlp_c_proj_weight.size()});
  DevBuf staging(biggest * 4, "fp32 upload staging");
  // Every copy goes on stream_: a cudaMemcpy on the legacy stream may return before its DMA
  // lands, and the non-blocking stream_ does not wait for the legacy stream, so the convert kernel
  // could read a half-written staging buffer (seen: garbage weights for the larger models).
  auto put_plain = [&](const std::vector<float>& src, const DevBuf& dst) {
    ck(cudaMemcpyAsync(staging.get(), src.data(), src.size() * 4, cudaMemcpyHostToDevice, stream_),
       "cudaMemcpyAsync weights");
    ck(cudak::launch_convert(dt_, dst.get(), staging.as<float>(), src.size(), stream_),
       "convert weights");
    ck(cudaStreamSynchronize(stream_), "convert weights (sync)");
  };
  auto put_matrix = [&](const std::vector<float>& src, int in, int out, const DevBuf& dst) {
    ck(cudaMemcpyAsync(staging.get(), src.data(), src.size() * 4, cudaMemcpyHostToDevice, stream_),
       "cudaMemcpyAsync weights");
    ck(cudak::launch_transpose_convert(dt_, dst.get(), staging.as<float>(), in, out, stream_),
       "transpose weights");
    ck(cudaStreamSynchronize(stream_), "transpose weights (sync)");
  };
  auto put_f32 = [&](const std::vector<float>& src, const DevBuf& dst) {
    ck(cudaMemcpyAsync(dst.get(), src.data(), src.size() * 4, cudaMemcpyHostToDevice, stream_),
       "cudaMemcpyAsync LayerNorm parameters");
    ck(cudaStreamSynchronize(stream_), "LayerNorm parameters (sync)");
  };
  put_plain(w.wte, wte_);
  put_plain(w.wpe, wpe_);
  put_f32(w.ln_f_weight, lnf_g_);
  put_f32(w.ln_f_bias, lnf_b_);
  for (int i = 0; i < L_; ++i) {
    const auto& s = w.layers[i];
    auto& d = layers_[i];
    if (q_ == WQuant::kNone) {
      put_matrix(s.attn_c_attn_weight, E_, 3 * E_, d.qkv_w);
      put_matrix(s.attn_c_proj_weight, E_, E_, d.proj_w);
      put_matrix(s.mlp_c_fc_weight, E_, I_, d.fc_w);
      put_matrix(s.mlp_c_proj_weight, I_, E_, d.fc2_w);
    }
    put_plain(s.attn_c_attn_bias, d.qkv_b);
    put_plain(s.attn_c_proj_bias, d.proj_b);
    put_plain(s.mlp_c_fc_bias, d.fc_b);
    put_plain(s.mlp_c_proj_bias, d.fc2_b);
    put_f32(s.ln_1_weight, d.ln1_g);
    put_f32(s.ln_1_bias, d.ln1_b);
    put_f32(s.ln_2_weight, d.ln2_g);
    put_f32(s.ln_2_bias, d.ln2_b);
  }
  // Quantized engines build the small kernel's image after upload_quantized, which replaces the
  // matrices just uploaded.
  if (q_ == WQuant::kNone) {
    fold_ln_weights();
    small_weights_loaded();
  }
}

void CudaEngine::site_dims(int site, int& n, int& k) const {
  switch (site) {
    case kSiteQkv: n = 3 * E_; k = E_; return;
    case kSiteProj: n = E_; k = E_; return;
    case kSiteFc: n = I_; k = E_; return;
    default: n = E_; k = I_; return;
  }
}

void CudaEngine::upload_quantized(const EngineFileData& f) {
  stream_idle_ = false;
  set_device();
  if (static_cast<int>(f.layers.size()) != L_)
    sb::fail("native-cuda: engine file holds {} layers, model has {}", f.layers.size(), L_);
  for (int li = 0; li < L_; ++li)
    for (int site = 0; site < kSites; ++site) {
      const QMatrix& m = f.layers[li].m[site];
      int n = 0, k = 0;
      site_dims(site, n, k);
      if (m.n_out != n || m.k_in != k || m.q.size() != static_cast<std::size_t>(n) * k ||
          m.scales.size() != static_cast<std::size_t>(n))
        sb::fail("native-cuda: engine file matrix {} of layer {} is {}x{}, expected {}x{}",
                 site_name(site), li, m.n_out, m.k_in, n, k);
      LayerDev& d = layers_[li];
      ck(cudaMemcpyAsync(d.wq[site].get(), m.q.data(), m.q.size(), cudaMemcpyHostToDevice, stream_),
         "cudaMemcpyAsync quantized weights");
      ck(cudaMemcpyAsync(d.ws[site].get(), m.scales.data(), m.scales.size() * 4,
                         cudaMemcpyHostToDevice, stream_),
         "cudaMemcpyAsync weight scales");
      d.act_scale[site] = f.layers[li].act_scale[site];
      // Pageable sources: synchronize before the host vectors can go away.
      ck(cudaStreamSynchronize(stream_), "quantized weights (sync)");
    }
  small_weights_loaded();
}

void CudaEngine::small_weights_loaded() {
  const cudak::SmallDecodeArgs* any = nullptr;
  for (auto& a : s_args_) {
    if (a.blocks == 0) continue;
    any = &a;
    if (a.quant == 0) continue;
    for (int i = 0; i < L_; ++i)
      for (int site = 0; site < kSites; ++site) {
        a.layers[i].x_scale[site] = layers_[i].act_scale[site];
        a.layers[i].x_inv_scale[site] = 1.0f / layers_[i].act_scale[site];  // as gemv_weights
      }
  }
  if (any == nullptr) return;
  ck(cudak::build_small_image(s_image_.get(), s_image_.bytes(), *any, stream_), "small decode weight image");
  ck(cudaStreamSynchronize(stream_), "small decode weight image (sync)");
}

void CudaEngine::synthesize(std::uint64_t seed) {
  stream_idle_ = false;
  set_device();
  std::uint64_t stream_id = 0;
  auto fill = [&](const DevBuf& b, float mean, float stddev) {
    ck(cudak::launch_fill_normal(dt_, b.get(), b.bytes() / es_, seed, stream_id++, mean, stddev,
                                 stream_),
       "synthetic fill");
  };
  auto fill32 = [&](const DevBuf& b, float mean, float stddev) {
    ck(cudak::launch_fill_normal_f32(b.as<float>(), b.bytes() / 4, seed, stream_id++, mean, stddev,
                                     stream_),
       "synthetic fill");
  };
  // Quantized engines: each matrix is drawn in fp16 into a scratch buffer (same random stream as
  // the fp16 engine's) and quantized row-wise on the device.
  std::size_t biggest = static_cast<std::size_t>(std::max(3 * E_, I_)) * std::max(E_, I_);
  DevBuf scratch(q_ != WQuant::kNone ? biggest * 2 : 0, "synthetic fp16 scratch");
  auto fill_matrix = [&](LayerDev& l, int site, const DevBuf& w) {
    if (q_ == WQuant::kNone) {
      fill(w, 0.0f, 0.02f);
      return;
    }
    int n = 0, k = 0;
    site_dims(site, n, k);
    ck(cudak::launch_fill_normal(Dt::kF16, scratch.get(), static_cast<std::size_t>(n) * k, seed,
                                 stream_id++, 0.0f, 0.02f, stream_),
       "synthetic fill");
    ck(cudak::launch_quantize_weight_rows(q_, l.wq[site].get(), l.ws[site].as<float>(),
                                          scratch.get(), n, k, stream_),
       "quantize synthetic weights");
    l.act_scale[site] = quant::scale_for(q_ == WQuant::kInt8 ? quant::Kind::kInt8 : quant::Kind::kFp8,
                                         opts_.synthetic_act_amax);
  };
  fill(wte_, 0.0f, 0.02f);
  fill(wpe_, 0.0f, 0.01f);
  fill32(lnf_g_, 1.0f, 0.0f);
  fill32(lnf_b_, 0.0f, 0.02f);
  for (auto& l : layers_) {
    fill_matrix(l, kSiteQkv, l.qkv_w);
    fill(l.qkv_b, 0.0f, 0.02f);
    fill_matrix(l, kSiteProj, l.proj_w);
    fill(l.proj_b, 0.0f, 0.02f);
    fill_matrix(l, kSiteFc, l.fc_w);
    fill(l.fc_b, 0.0f, 0.02f);
    fill_matrix(l, kSiteFc2, l.fc2_w);
    fill(l.fc2_b, 0.0f, 0.02f);
    fill32(l.ln1_g, 1.0f, 0.0f);
    fill32(l.ln1_b, 0.0f, 0.02f);
    fill32(l.ln2_g, 1.0f, 0.0f);
    fill32(l.ln2_b, 0.0f, 0.02f);
  }
  ck(cudaStreamSynchronize(stream_), "synthetic fill (sync)");
  fold_ln_weights();
  small_weights_loaded();
}

bool CudaEngine::gemv_ok(int rows) const {
  if (!opts_.fused_gemv || rows > cudak::kGemvMaxRows) return false;
  // Staged input rows; the int8 GEMV also keeps the raw fp16 rows beside its int8 ones; the
  // LayerNorm prologue (inputs of width E) stages gamma and beta (fp32).
  const std::size_t per_elem = q_ == WQuant::kInt8 ? 3 : es_;
  const std::size_t smem = static_cast<std::size_t>(rows) * std::max(E_, I_) * per_elem;
  // (+ 6 KiB of static arrays: reductions, and the fused attention tail's q / warp partials.)
  return smem + 8ull * E_ + 6144 <= static_cast<std::size_t>(smem_optin_) - 1024;
}

void CudaEngine::gemv_weights(cudak::GemvArgs& a, int li, int site, const DevBuf& w) const {
  if (q_ == WQuant::kNone) {
    a.w = w.get();
    return;
  }
  const LayerDev& l = layers_[li];
  a.wq = q_;
  a.w = l.wq[site].get();
  a.w_scale = l.ws[site].as<float>();
  a.x_scale = l.act_scale[site];
  a.x_inv_scale = 1.0f / l.act_scale[site];
  a.x_per_row = dynamic_site(site);
}

// d[rows, n] (leading dimension ldd) = x[rows, k] (contiguous) times W[n, k]^T.
cudak::LtShape lt_shape(int rows, int n, int k, long long ldd) {
  cudak::LtShape s;
  s.m = rows;
  s.n = n;
  s.k = k;
  s.ldx = k;
  s.ldd = ldd;
  return s;
}

void CudaEngine::qlinear(int li, int site, const void* in, long long ld_in, int rows,
                         const void* bias, void* out, long long ldo, cudak::DequantEpilogue epi) {
  const LayerDev& l = layers_[li];
  int n = 0, k = 0;
  site_dims(site, n, k);
  const float sa = l.act_scale[site];
  float* row_scales = dynamic_site(site) ? row_scales_.as<float>() : nullptr;
  const std::string& fp8_gemm = opts_.fp8_prefill_gemm;
  if (q_ == WQuant::kFp8 && row_scales == nullptr && (fp8_gemm == "mma" || fp8_gemm == "mma_fused")) {
    // One tensor-core kernel multiplies and dequantizes (qgemm_mma.h: the three-kernel path's codes
    // and fp32 sums).  It also quantizes the fp16 input at <= 8 rows; above, every weight tile
    // would re-quantize its token rows (H100, gpt2 prefill: 1x8 0.69-0.73 ms vs 0.79 three-kernel,
    // but 1x64 1.22 vs 1.02 and 4x64 1.77-1.82 vs 1.43), so the quantize kernel runs first.
    cudak::Fp8GemmArgs a;
    a.rows = rows;
    a.n_out = n;
    a.k = k;
    a.wq = l.wq[site].get();
    if (fp8_gemm == "mma_fused" || rows <= 8) {
      a.x_f16 = in;
      a.ld_in = ld_in;
      a.x_inv_scale = 1.0f / sa;
    } else {
      ck(cudak::launch_quantize_rows(q_, xq_.get(), in, ld_in, rows, k, 1.0f / sa, stream_),
         "quantize activations");
      a.xq = xq_.get();
    }
    a.out_f16 = out;
    a.ldo = ldo;
    a.x_scale = sa;
    a.w_scale = l.ws[site].as<float>();
    a.bias_f16 = bias;
    a.epi = epi;
    ck(cudak::launch_qgemm_fp8_mma(a, stream_), "fp8 GEMM (tensor cores, fused dequantize)");
    return;
  }
  if (row_scales != nullptr)
    ck(cudak::launch_quantize_rows_dynamic(q_, xq_.get(), row_scales, in, ld_in, rows, k, stream_),
       "quantize activations (per-row scales)");
  else
    ck(cudak::launch_quantize_rows(q_, xq_.get(), in, ld_in, rows, k, 1.0f / sa, stream_),
       "quantize activations");
  cudak::LtShape s = lt_shape(rows, n, k, n);
  s.quant = q_;
  // fp8 on tensor cores by default (qgemm_mma.h: fp32-accurate sums).  cuBLASLt's FP8 GEMM was
  // never wrong: it differs from IEEE fp32 sums by up to ~2^-12 of sum |x w| (it accumulates inside
  // the tensor core), which the fp32 tolerance of sessions 3-6 rejected (docs/perf-cuda.md, s. 7).
  const bool fp8_lt = q_ == WQuant::kFp8 && opts_.fp8_prefill_gemm == "cublaslt";
  if (((q_ == WQuant::kInt8 && opts_.quant_cublaslt) || fp8_lt) && lt_->supported(s)) {
    lt_->run(s, l.wq[site].get(), xq_.get(), nullptr, acc_.get(), stream_);
  } else if (q_ == WQuant::kFp8 && opts_.fp8_prefill_gemm != "simple") {
    ck(cudak::launch_qgemm_fp8_mma(acc_.get(), xq_.get(), l.wq[site].get(), rows, n, k, stream_),
       "fp8 GEMM (tensor cores)");
  } else {
    ck(cudak::launch_qgemm_simple(q_, acc_.get(), xq_.get(), l.wq[site].get(), rows, n, k, stream_),
       "quantized GEMM (simple kernel)");
  }
  ck(cudak::launch_dequant(q_, out, ldo, acc_.get(), rows, n, sa, row_scales, l.ws[site].as<float>(),
                           bias, epi, stream_),
     "dequantize epilogue");
}

void CudaEngine::gemm(const void* w, const void* x, int rows, int n, int k, const void* bias,
                      cudak::LtEpilogue epi, bool accumulate, void* d, Dt out_dt, long long ldd) {
  cudak::LtShape s = lt_shape(rows, n, k, ldd);
  s.ab = dt_;
  s.cd = out_dt;
  s.epilogue = epi;
  s.accumulate = accumulate;
  if (epi == cudak::LtEpilogue::kGeluBias && !(opts_.gelu_epilogue && lt_->supported(s))) {
    s.epilogue = cudak::LtEpilogue::kBias;
    lt_->run(s, w, x, bias, d, stream_);
    ck(cudak::launch_gelu_inplace(dt_, d, static_cast<std::size_t>(rows) * n, stream_),
       "gelu kernel");
    return;
  }
  lt_->run(s, w, x, bias, d, stream_);
}

void CudaEngine::enqueue_forward(int B, int S, LogitsMode mode) {
  const int rows = B * S;
  int* d_past = step_.as<int>();
  const std::int32_t* d_tokens = step_.as<std::int32_t>() + 1;
  const bool small = small_ok(rows, S);
  if (!(small && opts_.small_host_input))  // (host inputs: the kernel reads h_step_ itself)
    ck(cudaMemcpyAsync(step_.get(), h_step_.as<int>(), (1 + rows) * 4ull, cudaMemcpyHostToDevice,
                       stream_),
       "copy step input");
  if (small) {
    // The whole step in one kernel (small_decode.cu): embedding, every layer, LM head, argmax and
    // the next tokens into the pinned host buffer.
    cudak::SmallDecodeArgs a = s_args_[rows];
    a.logits = mode == LogitsMode::kNone ? nullptr : logits_last_.as<float>();
    ck(cudak::launch_small_decode(a, stream_), "small decode kernel");
    return;
  }
  if (persistent_ok(rows, S)) {
    // The whole step in one kernel (persistent.cu): embedding, every layer, LM head, argmax and
    // the next tokens into the pinned host buffer.
    cudak::PersistentArgs a = p_args_[rows];
    a.logits = mode == LogitsMode::kNone ? nullptr : logits_last_.as<float>();
    ck(cudak::launch_persistent_decode(a, opts_.persistent_cooperative, stream_), "persistent decode kernel");
    return;
  }
  const bool gemv = gemv_ok(rows);
  const bool fuse_att = fused_attention(rows, S);
  const bool attn_layer = attn_layer_ok(rows, S);
  const bool attn_proj = !attn_layer && attn_proj_ok(rows, S);
  // On the GEMV path the embedding is folded into layer 0's QKV GEMV (one kernel fewer per pass).
  if (!gemv)
    ck(cudak::launch_embed(dt_, x_.get(), wte_.get(), wpe_.get(), d_tokens, d_past, rows, S, E_,
                           slots_.as<unsigned long long>(), B, stream_),
       "embedding kernel");
  const int n_split = S == 1 ? n_split_ : 1;
  // Arguments of the fused GEMV of one layer matrix (weights of `site`, quantized or not).
  auto layer_gemv = [&](int li, int site, const DevBuf& w, int n_out, int k_in, const void* x,
                        const DevBuf* ln_g, const DevBuf* ln_b, const DevBuf& bias,
                        cudak::GemvEpilogue epi, void* out) {
    cudak::GemvArgs a;
    a.dt = dt_;
    gemv_weights(a, li, site, w);
    a.n_out = n_out;
    a.k_in = k_in;
    a.x = x;
    a.x_row_stride = k_in;
    a.rows = rows;
    if (ln_g != nullptr) {
      a.ln_gamma = ln_g->as<float>();
      a.ln_beta = ln_b->as<float>();
      a.ln_eps = eps_;
    }
    a.bias = bias.get();
    a.epilogue = epi;
    a.out = out;
    a.out_row_stride = n_out;
    return a;
  };
  for (int li = 0; li < L_; ++li) {
    LayerDev& l = layers_[li];
    // Attention block.
    if (attn_layer) {
      // LN1 + QKV + KV write + attention + attn c_proj + residual in one kernel (launch_attn_layer).
      cudak::AttnLayerArgs a = al_args_[rows];
      a.ln_gamma = l.ln1_g.as<float>();
      a.ln_beta = l.ln1_b.as<float>();
      a.qkv_w = l.qkv_w.get();
      a.qkv_b = l.qkv_b.get();
      a.proj_w = l.proj_w.get();
      a.proj_b = l.proj_b.get();
      a.x = x_.get();
      a.k_cache = l.k_cache.get();
      a.v_cache = l.v_cache.get();
      a.past_len = d_past;
      if (li == 0) {  // the token embedding folded in, as the QKV GEMV does
        a.wte = wte_.get();
        a.wpe = wpe_.get();
        a.tokens = d_tokens;
        a.zero_slots = slots_.as<unsigned long long>();
        a.n_zero_slots = B;
      }
      ck(cudak::launch_attn_layer(a, stream_), "attention layer kernel");
    } else if (gemv) {
      const bool fold_qkv = fold_ && !fuse_att;  // (the fused attention tail has no folded kernel)
      cudak::GemvArgs a = layer_gemv(li, kSiteQkv, fold_qkv ? l.qkv_wf : l.qkv_w, 3 * E_, E_, x_.get(), &l.ln1_g,
                                     &l.ln1_b, l.qkv_b,
                                     fuse_att ? cudak::GemvEpilogue::kQkvAttention
                                              : cudak::GemvEpilogue::kQkvScatter,
                                     qkv_.get());
      if (fold_qkv) a.ln_fold = l.qkv_fold.as<float>();
      if (fuse_att) {
        a.att_out = att_.get();
        a.att_scale = scale_;
        a.head_counters = head_counters_.as<unsigned>();
      }
      a.k_cache = l.k_cache.get();
      a.v_cache = l.v_cache.get();
      a.past_len = d_past;
      a.seq = S;
      a.n_head = H_;
      a.head_dim = D_;
      a.max_t = max_t_;
      if (li == 0) {
        a.wte = wte_.get();
        a.wpe = wpe_.get();
        a.tokens = d_tokens;
        a.embed_out = x_.get();
        a.zero_slots = slots_.as<unsigned long long>();
        a.n_zero_slots = B;
      }
      ck(cudak::launch_gemv(a, stream_), "qkv GEMV");
    } else {
      ck(cudak::launch_layernorm(dt_, ln_.get(), x_.get(), E_, l.ln1_g.as<float>(),
                                 l.ln1_b.as<float>(), rows, E_, eps_, stream_),
         "ln_1 kernel");
      if (q_ != WQuant::kNone)
        qlinear(li, kSiteQkv, ln_.get(), E_, rows, l.qkv_b.get(), qkv_.get(), 3 * E_,
                cudak::DequantEpilogue::kStore);
      else
        gemm(l.qkv_w.get(), ln_.get(), rows, 3 * E_, E_, l.qkv_b.get(), cudak::LtEpilogue::kBias,
             false, qkv_.get(), dt_, 3 * E_);
      ck(cudak::launch_kv_append(dt_, l.k_cache.get(), l.v_cache.get(), qkv_.get(), d_past, B, S,
                                 H_, D_, max_t_, stream_),
         "KV append kernel");
    }
    if (attn_proj) {
      // Attention + attn c_proj + bias + residual in one kernel (launch_attn_proj).
      cudak::AttnProjArgs a = ap_args_[rows];
      a.qkv = qkv_.get();
      a.k_cache = l.k_cache.get();
      a.v_cache = l.v_cache.get();
      a.past_len = d_past;
      a.proj_w = l.proj_w.get();
      a.proj_b = l.proj_b.get();
      if (q_ != WQuant::kNone) {  // the quantized attn c_proj: the chain GEMV's codes and scales
        a.proj_w = l.wq[kSiteProj].get();
        a.w_scale = l.ws[kSiteProj].as<float>();
        a.x_scale = l.act_scale[kSiteProj];
        a.x_inv_scale = 1.0f / l.act_scale[kSiteProj];
      }
      a.x = x_.get();
      ck(cudak::launch_attn_proj(a, stream_), "attention + proj kernel");
    } else if (!fuse_att && !attn_layer)
      ck(cudak::launch_attention(dt_, att_.get(), qkv_.get(), l.k_cache.get(), l.v_cache.get(),
                                 d_past, B, S, H_, D_, max_t_, scale_, n_split,
                                 split_keys_, partial_.as<float>(),
                                 counters_.as<unsigned>(), stream_),
         "attention kernel");
    if (attn_proj || attn_layer) {
      // attn c_proj + bias + residual: in the fused kernel above
    } else if (gemv) {
      ck(cudak::launch_gemv(layer_gemv(li, kSiteProj, l.proj_w, E_, E_, att_.get(), nullptr, nullptr,
                                       l.proj_b, cudak::GemvEpilogue::kResidual, x_.get()),
                            stream_),
         "attn c_proj GEMV");
    } else {
      if (q_ != WQuant::kNone)
        qlinear(li, kSiteProj, att_.get(), E_, rows, l.proj_b.get(), x_.get(), E_,
                cudak::DequantEpilogue::kResidual);
      else
        gemm(l.proj_w.get(), att_.get(), rows, E_, E_, l.proj_b.get(), cudak::LtEpilogue::kBias,
             true, x_.get(), dt_, E_);
    }
    // MLP block.
    if (gemv && mlp_fused_ok(rows)) {
      cudak::MlpFusedArgs a = m_args_[rows];
      a.x = x_.get();
      a.ln_gamma = l.ln2_g.as<float>();
      a.ln_beta = l.ln2_b.as<float>();
      a.fc_w = fold_ ? l.fc_wf.get() : l.fc_w.get();
      a.ln_fold = fold_ ? l.fc_fold.as<float>() : nullptr;
      a.fc_b = l.fc_b.get();
      a.fc2_w = l.fc2_w.get();
      a.fc2_b = l.fc2_b.get();
      ck(cudak::launch_mlp_fused(a, stream_), "fused MLP kernel");
    } else if (gemv) {
      cudak::GemvArgs a = layer_gemv(li, kSiteFc, fold_ ? l.fc_wf : l.fc_w, I_, E_, x_.get(), &l.ln2_g, &l.ln2_b,
                                     l.fc_b, cudak::GemvEpilogue::kGelu, h_.get());
      if (fold_) a.ln_fold = l.fc_fold.as<float>();
      ck(cudak::launch_gemv(a, stream_), "c_fc GEMV");
      ck(cudak::launch_gemv(layer_gemv(li, kSiteFc2, l.fc2_w, E_, I_, h_.get(), nullptr, nullptr,
                                       l.fc2_b, cudak::GemvEpilogue::kResidual, x_.get()),
                            stream_),
         "mlp c_proj GEMV");
    } else {
      ck(cudak::launch_layernorm(dt_, ln_.get(), x_.get(), E_, l.ln2_g.as<float>(),
                                 l.ln2_b.as<float>(), rows, E_, eps_, stream_),
         "ln_2 kernel");
      if (q_ != WQuant::kNone) {
        qlinear(li, kSiteFc, ln_.get(), E_, rows, l.fc_b.get(), h_.get(), I_,
                cudak::DequantEpilogue::kGelu);
        qlinear(li, kSiteFc2, h_.get(), I_, rows, l.fc2_b.get(), x_.get(), E_,
                cudak::DequantEpilogue::kResidual);
      } else {
        gemm(l.fc_w.get(), ln_.get(), rows, I_, E_, l.fc_b.get(), cudak::LtEpilogue::kGeluBias,
             false, h_.get(), dt_, I_);
        gemm(l.fc2_w.get(), h_.get(), rows, E_, I_, l.fc2_b.get(), cudak::LtEpilogue::kBias, true,
             x_.get(), dt_, E_);
      }
    }
  }
  // LM head (tied to wte): last position of each sequence only, unless all logits are asked for.
  auto* slots = slots_.as<unsigned long long>();
  if (mode == LogitsMode::kAll && S > 1) {
    const std::size_t need = static_cast<std::size_t>(rows) * V_ * 4;
    if (logits_all_.bytes() < need) logits_all_ = DevBuf(need, "all-position logits");
    ck(cudak::launch_layernorm(dt_, ln_.get(), x_.get(), E_, lnf_g_.as<float>(),
                               lnf_b_.as<float>(), rows, E_, eps_, stream_),
       "ln_f kernel");
    gemm(wte_.get(), ln_.get(), rows, V_, E_, nullptr, cudak::LtEpilogue::kNone, false,
         logits_all_.get(), Dt::kF32, V_);
    ck(cudak::launch_argmax_rows(logits_all_.as<float>() + static_cast<std::size_t>(S - 1) * V_,
                                 B, V_, static_cast<long long>(S) * V_, slots, stream_),
       "argmax kernel");
  } else if (gemv_ok(B)) {
    cudak::GemvArgs a;
    a.dt = dt_;
    a.w = wte_.get();
    a.n_out = V_;
    a.k_in = E_;
    a.x = static_cast<const char*>(x_.get()) + static_cast<std::size_t>(S - 1) * E_ * es_;
    a.x_row_stride = static_cast<long long>(S) * E_;
    a.rows = B;
    a.ln_gamma = lnf_g_.as<float>();
    a.ln_beta = lnf_b_.as<float>();
    a.ln_eps = eps_;
    a.epilogue = cudak::GemvEpilogue::kArgmax;
    a.logits = mode == LogitsMode::kNone ? nullptr : logits_last_.as<float>();
    a.logits_row_stride = V_;
    a.argmax_slots = slots;
    // The next tokens go straight to the pinned host buffer (no D2H copy node in the graph).
    a.argmax_host = d_h_slots_;
    a.argmax_counter = lm_counter_.as<unsigned>();
    ck(cudak::launch_gemv(a, stream_), "LM head GEMV");
    return;
  } else {
    ck(cudak::launch_layernorm(
           dt_, ln_.get(),
           static_cast<const char*>(x_.get()) + static_cast<std::size_t>(S - 1) * E_ * es_,
           static_cast<long long>(S) * E_, lnf_g_.as<float>(), lnf_b_.as<float>(), B, E_, eps_,
           stream_),
       "ln_f kernel");
    gemm(wte_.get(), ln_.get(), B, V_, E_, nullptr, cudak::LtEpilogue::kNone, false,
         logits_last_.get(), Dt::kF32, V_);
    ck(cudak::launch_argmax_rows(logits_last_.as<float>(), B, V_, V_, slots, stream_),
       "argmax kernel");
  }
  ck(cudaMemcpyAsync(h_slots_.as<unsigned long long>(), slots, B * 8ull, cudaMemcpyDeviceToHost,
                     stream_),
     "copy next tokens");
}

void CudaEngine::check_tokens(std::span<const std::int32_t> tokens) const {
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= V_)
      sb::fail("native-cuda: token id {} at index {} is outside the vocabulary [0, {})", tokens[i],
               i, V_);
}

void CudaEngine::finish(int batch, StepResult& out) {
  const cudaError_t e = cudaStreamSynchronize(stream_);
  if (e != cudaSuccess && p_error_.as<int>() != nullptr && *p_error_.as<int>() != 0)
    sb::fail("native-cuda: forward pass failed: {} ({}); the persistent decode kernel reported error {} "
             "(1000 + k: grid barrier k timed out; 2000 + kind: weight ring wait timed out)",
             cudaGetErrorString(e), cudaGetErrorName(e), *p_error_.as<int>());
  ck(e, "forward pass");
  check_fused_error(ap_error_, "the attention + proj kernel found an attn c_proj partial sum outside its fixed-point "
                    "range (|p| >= 2^19 or not finite); the step's residual stream is not valid. Hint: rerun with "
                    "fuse_attn_proj off (SB_FUSE_ATTN_PROJ=0) to take the kernel chain");
  check_fused_error(al_error_, "the attention layer kernel found an attn c_proj partial sum outside its fixed-point "
                    "range (|p| >= 2^19 or not finite); the step's residual stream is not valid. Hint: rerun with "
                    "fuse_attn_layer off (SB_FUSE_ATTN_LAYER=0) to take the kernel chain");
  check_fused_error(m_error_, "the fused MLP kernel found an mlp c_proj partial sum outside its fixed-point "
                    "range (|p| >= 2^19 or not finite); the step's residual stream is not valid. Hint: rerun with "
                    "fuse_mlp off (SB_FUSE_MLP=0) to take the kernel chain");
  stream_idle_ = true;
  out.next_tokens.resize(batch);
  for (int b = 0; b < batch; ++b)
    out.next_tokens[b] = cudak::argmax_key_id(h_slots_.as<unsigned long long>()[b]);
}

void CudaEngine::prefill(int batch, int seq, std::span<const std::int32_t> tokens,
                         LogitsMode logits, StepResult& out) {
  stream_idle_ = false;
  set_device();
  if (batch < 1 || batch > max_b_)
    sb::fail("native-cuda: prefill batch {} is outside 1..max_batch={}", batch, max_b_);
  if (seq < 1) sb::fail("native-cuda: prefill seq must be >= 1, got {}", seq);
  if (seq > P_) sb::fail("native-cuda: prefill of {} tokens exceeds n_positions={}", seq, P_);
  if (seq > max_t_) sb::fail("native-cuda: prefill of {} tokens exceeds max_seq={}", seq, max_t_);
  if (tokens.size() != static_cast<std::size_t>(batch) * seq)
    sb::fail("native-cuda: prefill got {} token ids, expected batch*seq = {}*{} = {}",
             tokens.size(), batch, seq, static_cast<std::size_t>(batch) * seq);
  check_tokens(tokens);
  past_len_ = 0;
  batch_ = 0;
  int* hs = h_step_.as<int>();
  hs[0] = 0;
  std::copy(tokens.begin(), tokens.end(), hs + 1);
  prefill_forward(batch, seq, logits);
  out.logits.clear();
  if (logits == LogitsMode::kLast) {
    out.logits.resize(static_cast<std::size_t>(batch) * V_);
    ck(cudaMemcpyAsync(out.logits.data(), logits_last_.get(), out.logits.size() * 4,
                       cudaMemcpyDeviceToHost, stream_),
       "copy logits");
  } else if (logits == LogitsMode::kAll) {
    out.logits.resize(static_cast<std::size_t>(batch) * seq * V_);
    const void* src = seq > 1 ? logits_all_.get() : logits_last_.get();
    ck(cudaMemcpyAsync(out.logits.data(), src, out.logits.size() * 4, cudaMemcpyDeviceToHost,
                       stream_),
       "copy logits");
  }
  finish(batch, out);
  past_len_ = seq;
  batch_ = batch;
}

void CudaEngine::prefill_forward(int B, int S, LogitsMode mode) {
  ap_step_short_ = true;  // a prefill starts at position 0 (only S == 1 can take attention + proj)
  const auto t0 = std::chrono::steady_clock::now();
  // kAll (accuracy, not a benchmark path) stays eager: its logits buffer is sized on demand.
  if (!opts_.cuda_graphs || !opts_.prefill_graphs || mode == LogitsMode::kAll) {
    enqueue_forward(B, S, mode);
    ++stats_.prefill_eager;
  } else {
    const PrefillKey key{B, S, static_cast<int>(mode)};
    if (cudaGraphExec_t* g = prefill_graphs_.find(key)) {
      ck(cudaGraphLaunch(*g, stream_), "cudaGraphLaunch (prefill)");
      ++stats_.prefill_replays;
    } else if (prefill_seen_.insert(key).second) {
      // First prefill of this shape: eager, so that cuBLASLt chooses its algorithms, lazy module
      // loading happens and kernel attributes are raised outside capture (as decode's first step).
      enqueue_forward(B, S, mode);
      ++stats_.prefill_eager;
    } else {
      const cudaGraphExec_t g =
          prefill_graphs_.insert(key, capture_forward(B, S, mode, fmt::format("prefill {}x{}", B, S)));
      ++stats_.prefill_captures;
      ck(cudaGraphLaunch(g, stream_), "cudaGraphLaunch (prefill)");
    }
  }
  stats_.last_prefill_submit_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

cudaGraphExec_t CudaEngine::capture_forward(int batch, int seq, LogitsMode mode, const std::string& what) {
  cudaGraph_t graph = nullptr;
  ck(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), ("begin capture (" + what + ")").c_str());
  try {
    enqueue_forward(batch, seq, mode);
  } catch (...) {
    cudaStreamEndCapture(stream_, &graph);
    if (graph) cudaGraphDestroy(graph);
    throw;
  }
  ck(cudaStreamEndCapture(stream_, &graph), ("end capture (" + what + ")").c_str());
  cudaGraphExec_t exec = nullptr;
  const cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  ck(e, ("cudaGraphInstantiate (" + what + ")").c_str());
  return exec;
}

void CudaEngine::decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) {
  stream_idle_ = false;
  set_device();
  if (batch_ == 0) sb::fail("native-cuda: decode called before prefill (no active sequences)");
  const int B = static_cast<int>(tokens.size());
  if (B != batch_)
    sb::fail("native-cuda: decode got {} tokens, expected one per sequence of the prefill batch {}",
             B, batch_);
  if (past_len_ + 1 > P_)
    sb::fail("native-cuda: decode at position {} exceeds n_positions={}", past_len_, P_);
  if (past_len_ + 1 > max_t_)
    sb::fail("native-cuda: decode at position {} exceeds max_seq={}", past_len_, max_t_);
  check_tokens(tokens);
  int* hs = h_step_.as<int>();
  hs[0] = past_len_;
  std::copy(tokens.begin(), tokens.end(), hs + 1);
  const LogitsMode mode = logits == LogitsMode::kNone ? LogitsMode::kNone : LogitsMode::kLast;
  ap_step_short_ = past_len_ + 1 <= split_keys_;
  if (mode == LogitsMode::kNone && opts_.cuda_graphs) {
    // One graph per batch size, and a second one where the attention + proj choice changes with
    // the cache length (ap_short_only_): keys beyond one split take the chain's graph.
    const int key = B + (ap_short_only_[B] && !ap_step_short_ ? 1000 : 0);
    auto it = graphs_.find(key);
    if (it == graphs_.end() && eager_decodes_[key] == 0) {
      // First decode of a graph runs eagerly: it fills the cuBLASLt plan cache and raises
      // kernel attributes outside capture.
      enqueue_forward(B, 1, mode);
      ++eager_decodes_[key];
    } else {
      if (it == graphs_.end()) it = graphs_.emplace(key, capture_forward(B, 1, mode, "decode")).first;
      ck(cudaGraphLaunch(it->second, stream_), "cudaGraphLaunch (decode)");
    }
  } else {
    enqueue_forward(B, 1, mode);
  }
  out.logits.clear();
  if (mode == LogitsMode::kLast) {
    out.logits.resize(static_cast<std::size_t>(B) * V_);
    ck(cudaMemcpyAsync(out.logits.data(), logits_last_.get(), out.logits.size() * 4,
                       cudaMemcpyDeviceToHost, stream_),
       "copy logits");
  }
  finish(B, out);
  past_len_ += 1;
}

}  // namespace

void validate_cuda_options(const model::GptConfig& cfg, const CudaEngineOptions& o) {
  const Dt dt = parse_precision(o.precision);
  if (o.tf32 && dt != Dt::kF32)
    sb::fail("native-cuda: tf32 applies to precision fp32 only (got precision {})", o.precision);
  if (o.max_batch < 1) sb::fail("native-cuda: max_batch must be >= 1, got {}", o.max_batch);
  if (o.max_seq < 0 || o.max_seq > cfg.n_positions)
    sb::fail("native-cuda: max_seq must be in 0..n_positions={}, got {}", cfg.n_positions,
             o.max_seq);
  if (o.device < 0) sb::fail("native-cuda: device must be >= 0, got {}", o.device);
  if (o.decode_split_keys < 0)
    sb::fail("native-cuda: decode_split_keys must be >= 0 (0 = automatic), got {}", o.decode_split_keys);
  if (o.prefill_graph_capacity < 1)
    sb::fail("native-cuda: prefill_graph_capacity must be >= 1 (prefill graphs cached), got {}",
             o.prefill_graph_capacity);
  for (const auto& [name, v] : {std::pair<const char*, int>{"persistent_blocks", o.persistent_blocks},
                                 {"persistent_slot_bytes", o.persistent_slot_bytes},
                                 {"persistent_slots", o.persistent_slots},
                                 {"persistent_kv_bytes", o.persistent_kv_bytes},
                                 {"small_blocks", o.small_blocks}})
    if (v < 0) sb::fail("native-cuda: {} must be >= 0 (0 = automatic), got {}", name, v);
  // The A/B switches with a fixed set of meanings (cuda_engine.h): anything else is a typo, not a
  // setting, and is refused rather than silently mapped to the nearest one.
  auto one_of = [](int v, std::initializer_list<int> ok) { return std::find(ok.begin(), ok.end(), v) != ok.end(); };
  if (!one_of(o.gemv_ln_threads, {-1, 0, 128, 256, 512}))
    sb::fail("native-cuda: gemv_ln_threads must be 0 (the measured rule), 128, 256 or 512 (-1: the default), got {}",
             o.gemv_ln_threads);
  if (!one_of(o.mlp_cluster, {-1, 0, 2, 4, 8}))
    sb::fail("native-cuda: mlp_cluster must be 0 (off), 2, 4 or 8 blocks (-1: the default), got {}", o.mlp_cluster);
  if (!one_of(o.lm_head_mma, {-1, 0, 1, 2}))
    sb::fail("native-cuda: lm_head_mma must be 0 (off), 1 (on) or 2 (the measured rule) (-1: the default), got {}",
             o.lm_head_mma);
  if (!one_of(o.gemv_xtma, {-1, 0, 1, 2}))
    sb::fail("native-cuda: gemv_xtma must be 0 (off), 1 (on) or 2 (the measured rule) (-1: the default), got {}",
             o.gemv_xtma);
  for (const auto& [name, v] : {std::pair<const char*, int>{"fuse_attn_proj", o.fuse_attn_proj},
                                 {"fuse_mlp", o.fuse_mlp},
                                 {"mlp_warp_ln", o.mlp_warp_ln},
                                 {"mlp_fc2_chunks", o.mlp_fc2_chunks},
                                 {"ln_fold", o.ln_fold}})
    if (!one_of(v, {-1, 0, 1}))
      sb::fail("native-cuda: {} must be 0 (off), 1 (on) or -1 (the default / measured rule), got {}", name, v);
  if (o.gemv_ring < -1 || o.gemv_ring_blocks < -1)
    sb::fail("native-cuda: gemv_ring and gemv_ring_blocks must be >= 0 (-1: the default), got {} / {}", o.gemv_ring,
             o.gemv_ring_blocks);
  if (cfg.n_layer < 1 || cfg.n_head < 1 || cfg.n_embd < 1 || cfg.vocab_size < 1 ||
      cfg.n_positions < 1 || cfg.n_embd % cfg.n_head != 0)
    sb::fail("native-cuda: invalid config (n_layer={}, n_head={}, n_embd={}, vocab_size={}, "
             "n_positions={}): sizes must be positive and n_head must divide n_embd",
             cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.vocab_size, cfg.n_positions);
  if (cfg.head_dim() > cudak::kMaxHeadDim)
    sb::fail("native-cuda: head dim {} exceeds the supported maximum {}", cfg.head_dim(),
             cudak::kMaxHeadDim);
  if (cfg.activation_function != "gelu_new")
    sb::fail("native-cuda: activation_function '{}' is not supported (expected gelu_new)",
             cfg.activation_function);
}

void validate_weights(const model::GptWeights& w) {
  model::check_weight_shapes(w, "native-cuda");
}

CudaEngineStats cuda_engine_stats(const Engine& e, bool with_gemm_plans) {
  const auto* c = dynamic_cast<const CudaEngine*>(&e);
  if (c == nullptr) sb::fail("cuda_engine_stats: not a native-cuda engine ({})", e.describe());
  return c->stats(with_gemm_plans);
}

bool cuda_available(std::string* reason) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (reason) *reason = fmt::format("CUDA runtime reports: {} ({})", cudaGetErrorString(e),
                                      cudaGetErrorName(e));
    cudaGetLastError();
    return false;
  }
  if (n == 0) {
    if (reason) *reason = "no CUDA device found";
    return false;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess && prop.major < 9) {
    if (reason)
      *reason = fmt::format("device 0 ({}) has compute capability {}.{}; this build holds sm_90 "
                            "code only",
                            prop.name, prop.major, prop.minor);
    return false;
  }
  return true;
}

static void require_device(const CudaEngineOptions& o) {
  std::string why;
  if (!cuda_available(&why)) sb::fail("native-cuda: no usable GPU: {}", why);
  int n = 0;
  cudaGetDeviceCount(&n);
  if (o.device >= n) sb::fail("native-cuda: device {} requested, {} present", o.device, n);
}

std::unique_ptr<Engine> make_cuda_engine(const model::GptWeights& w, const CudaEngineOptions& o) {
  validate_cuda_options(w.config, o);
  validate_weights(w);
  // The engine file is checked before any device work (a stale or corrupt file is an error even
  // on a machine without a GPU).
  EngineFileData qf;
  if (parse_quant(o.precision) != WQuant::kNone) {
    if (o.engine_file.empty())
      sb::fail("native-cuda: precision {} needs a built engine file (options.engine_file; build it "
               "with `scalebench build --backend native-cuda --precision {}` or "
               "ensure_cuda_engine())", o.precision, o.precision);
    qf = load_engine_file(o.engine_file, w, o.precision, o.engine_model_sha256);
  }
  require_device(o);
  auto e = std::make_unique<CudaEngine>(w.config, o);
  e->upload(w);
  if (parse_quant(o.precision) != WQuant::kNone) e->upload_quantized(qf);
  return e;
}

std::unique_ptr<Engine> make_cuda_engine_synthetic(const model::GptConfig& cfg, std::uint64_t seed,
                                                   const CudaEngineOptions& o) {
  validate_cuda_options(cfg, o);
  require_device(o);
  auto e = std::make_unique<CudaEngine>(cfg, o);
  e->synthesize(seed);
  return e;
}

}  // namespace sb::engine
