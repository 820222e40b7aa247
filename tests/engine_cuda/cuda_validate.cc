// tests/engine_cuda/cuda_validate — GPU validation of the native CUDA engine (llm.c style).
// 1. Every kernel of engine/cuda/kernels.h (and the cuBLASLt wrapper) against its CPU reference
//    (reference.h) over many shapes, in fp32/fp16/bf16: fresh random inputs per case, outputs
//    poisoned with NaN bytes before each launch (an unwritten element fails), NaN fails.
// 2. The whole engine against the fp64 reference forward on synthetic weights (head dims 1..128,
//    odd head counts) and on pydoc-gpt2-8m: prefill + 8 decode steps, batch 1 and 3, fused-GEMV
//    and cuBLASLt paths, eager vs CUDA-graph decode (tokens must be identical), all-position
//    logits, and sensitivity checks (the comparison must fail against a wrong reference);
//    prefill graphs (section prefill_graphs): replayed prefills bit-identical to eager ones.
// 3. (--only accuracy, or with --accuracy-corpus) the accuracy gate's KL of fp16/int8/fp8 engines
//    on pydoc-gpt2-8m over a held-out text, printed (docs/perf-cuda.md, "int8 accuracy").
// 4. (--only small) the single-kernel small-model decode step (small_decode.h) over tiny shapes
//    (n_embd 2..32, 1-4 heads, 1-3 layers, batch 1-4, caches past 32 keys and at the maximum
//    context, fp32/fp16/bf16/int8/fp8): vs the fp64 reference, vs the kernel chain on the same inputs, and
//    graph replay vs eager.
// Usage: cuda_validate [--small] [--pydoc DIR] [--calib TEXT] [--only kernels|layernorm|quant|gemv|attention|qgemv|qkv_attention|engine|prefill_graphs|persistent|small|qgemm|accuracy|attn_proj|attn_proj_q|mlp|mlp_kernel|ln_fold|attn_layer|attn_layer_kernel]
//        [--small-precisions LIST]  (the small section's precisions only, e.g. fp8)
//        [--seed N]  (inputs and prompts; default 20261126, so a run is reproducible)
//        [--accuracy-corpus DIR|FILE --accuracy-calib FILE --accuracy-bytes 65536]
// Exit status 0 only if every check passed; the last lines are a summary table.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/cuda/argmax_key.h"
#include "engine/cuda/attn_layer.h"
#include "engine/cuda/cuda_engine.h"
#include "engine/cuda/engine_file.h"
#include "engine/cuda/quant.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/lt_gemm.h"
#include "engine/cuda/qgemm_mma.h"
#include "engine_cuda/reference.h"
#include "engine_cuda/st_loader.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace {

using namespace sb::engine;
using cudak::Dt;

// ------------------------------------------------------------------------------------ harness
struct Stat {
  int cases = 0, failed = 0;
  double max_err = 0;     // max |got - ref| / (atol + rtol |ref|): <= 1 passes
  std::string worst;
};
std::map<std::string, Stat> g_stats;
int g_failures = 0;
bool g_small = false;
// --small-precisions LIST: the small section's precisions (default all; e.g. fp8 alone for a
// racecheck that a run of every precision would not finish in its time limit).
std::string g_small_precisions;
bool g_persistent_only = false;  // --only persistent: the persistent decode cases alone
std::mt19937_64 g_rng(20261126);

void ck(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "FATAL: %s: %s %s\n", what, cudaGetErrorString(e), cudak::last_launch_detail());
    std::exit(2);
  }
}

struct Tol {
  double atol, rtol;
};
// Kernel tolerances: fp32 per DESIGN.md (1e-4); fp16/bf16 a few units of the type's relative
// precision (2^-11, 2^-8), since each kernel rounds its output once (plus a staged input once).
Tol kernel_tol(Dt dt) {
  switch (dt) {
    case Dt::kF32: return {1e-4, 1e-4};
    case Dt::kF16: return {4e-3, 4e-3};
    case Dt::kBF16: return {3e-2, 3e-2};
  }
  return {0, 0};
}

float round_dt(Dt dt, double v) {
  const float f = static_cast<float>(v);
  switch (dt) {
    case Dt::kF32: return f;
    case Dt::kF16: return __half2float(__float2half_rn(f));
    case Dt::kBF16: return __bfloat162float(__float2bfloat16_rn(f));
  }
  return f;
}

std::vector<unsigned char> to_bytes(Dt dt, const std::vector<float>& v) {
  std::vector<unsigned char> b(v.size() * cudak::dt_size(dt));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (dt == Dt::kF32) {
      std::memcpy(&b[4 * i], &v[i], 4);
    } else if (dt == Dt::kF16) {
      const __half h = __float2half_rn(v[i]);
      std::memcpy(&b[2 * i], &h, 2);
    } else {
      const __nv_bfloat16 h = __float2bfloat16_rn(v[i]);
      std::memcpy(&b[2 * i], &h, 2);
    }
  }
  return b;
}
std::vector<float> from_bytes(Dt dt, const std::vector<unsigned char>& b) {
  const std::size_t n = b.size() / cudak::dt_size(dt);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (dt == Dt::kF32) {
      std::memcpy(&v[i], &b[4 * i], 4);
    } else if (dt == Dt::kF16) {
      __half h;
      std::memcpy(&h, &b[2 * i], 2);
      v[i] = __half2float(h);
    } else {
      __nv_bfloat16 h;
      std::memcpy(&h, &b[2 * i], 2);
      v[i] = __bfloat162float(h);
    }
  }
  return v;
}

class DBuf {
 public:
  explicit DBuf(std::size_t bytes) : bytes_(std::max<std::size_t>(bytes, 16)) {
    ck(cudaMalloc(&p_, bytes_), "cudaMalloc");
    poison();
  }
  ~DBuf() { cudaFree(p_); }
  DBuf(const DBuf&) = delete;
  DBuf& operator=(const DBuf&) = delete;
  void poison() { ck(cudaMemset(p_, 0xFF, bytes_), "poison"); }  // NaN in fp32/fp16/bf16
  void zero() { ck(cudaMemset(p_, 0, bytes_), "zero"); }
  void* get() const { return p_; }
  template <typename T> T* as() const { return static_cast<T*>(p_); }
  void put(const void* src, std::size_t n) { ck(cudaMemcpy(p_, src, n, cudaMemcpyHostToDevice), "H2D"); }
  void get_to(void* dst, std::size_t n) const {
    ck(cudaMemcpy(dst, p_, n, cudaMemcpyDeviceToHost), "D2H");
  }

 private:
  void* p_ = nullptr;
  std::size_t bytes_;
};

// Device copy of host floats in dt (values already rounded by the caller where it matters).
std::unique_ptr<DBuf> upload(Dt dt, const std::vector<float>& v) {
  auto b = to_bytes(dt, v);
  auto d = std::make_unique<DBuf>(b.size());
  d->put(b.data(), b.size());
  return d;
}
std::vector<float> download(Dt dt, const DBuf& d, std::size_t n) {
  std::vector<unsigned char> b(n * cudak::dt_size(dt));
  d.get_to(b.data(), b.size());
  return from_bytes(dt, b);
}

// Fresh normal values for every call (a new seed from g_rng), filled in parallel.
std::vector<float> randn(std::size_t n, double stddev = 1.0, double mean = 0.0) {
  std::vector<float> v(n);
  cuda_ref::fill_normal(v.data(), n, g_rng(), mean, stddev);
  return v;
}
std::vector<float> rounded(Dt dt, std::vector<float> v) {
  for (auto& x : v) x = round_dt(dt, x);
  return v;
}

// Compares got with ref elementwise; records the case under `kernel`.
bool compare(const std::string& kernel_name, const std::string& cas, const std::vector<float>& got,
             const std::vector<double>& ref, Tol tol) {
  const std::string& kernel = kernel_name;
  Stat& s = g_stats[kernel];
  ++s.cases;
  double worst = 0;
  std::size_t worst_i = 0, bad = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double err = std::fabs(got[i] - ref[i]);
    const double r = std::isnan(got[i]) ? 1e30 : err / (tol.atol + tol.rtol * std::fabs(ref[i]));
    if (!(r <= 1.0)) ++bad;
    if (r > worst || std::isnan(r)) {
      worst = std::isnan(r) ? 1e30 : r;
      worst_i = i;
    }
  }
  if (worst > s.max_err) {
    s.max_err = worst;
    s.worst = cas;
  }
  if (bad > 0) {
    ++s.failed;
    ++g_failures;
    std::printf("FAIL %s %s: %zu/%zu elements out of tolerance; worst [%zu] got %.7g ref %.7g\n",
                kernel.c_str(), cas.c_str(), bad, ref.size(), worst_i,
                static_cast<double>(got[worst_i]), ref[worst_i]);
    return false;
  }
  return true;
}

void expect(const std::string& kernel_name, const std::string& cas, bool ok, const std::string& msg) {
  const std::string& kernel = kernel_name;
  Stat& s = g_stats[kernel];
  ++s.cases;
  if (!ok) {
    ++s.failed;
    ++g_failures;
    std::printf("FAIL %s %s: %s\n", kernel.c_str(), cas.c_str(), msg.c_str());
  }
}

std::string fmtcase(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}


// One `key=value` field of Engine::describe(): from "key=" up to the next space that is outside
// every parenthesis ("" when the key is absent). A path check must read only its own field: the
// fusion rules' texts contain "B=1: chain" too, which a search of the whole string mistook for the
// small kernel's refusal.
std::string describe_field(const std::string& d, const std::string& key) {
  std::size_t at = d.find(" " + key + "=");
  at = at == std::string::npos ? (d.rfind(key + "=", 0) == 0 ? 0 : std::string::npos) : at + 1;
  if (at == std::string::npos) return "";
  int depth = 0;
  std::size_t end = at;
  for (; end < d.size(); ++end) {
    if (d[end] == '(') ++depth;
    else if (d[end] == ')') --depth;
    else if (d[end] == ' ' && depth <= 0) break;
  }
  return d.substr(at, end - at);
}

// The fused kernels' range guard (attn_proj, attn_layer, mlp_fused; fp32): `launch` runs a launch
// whose partials the caller made exceed 2^19.  It must set the host error word and leave the
// scratch zero (every block still adds its count; x is unspecified: the engine throws).  Then
// `sane` restores in-range weights and x, and the next launch must be clean: no error, no NaN in x.
void expect_range_guard(const std::string& kname, const std::string& cas, const std::function<void()>& launch,
                        const DBuf& d_scr, std::size_t scr_bytes, int* h_err, const std::function<void()>& sane,
                        const DBuf& d_x, std::size_t x_n) {
  *h_err = 0;
  launch();
  ck(cudaDeviceSynchronize(), (kname + " sync (range)").c_str());
  std::vector<unsigned char> scr(scr_bytes);
  d_scr.get_to(scr.data(), scr.size());
  expect(kname + "/range", cas, *h_err == 1 && std::all_of(scr.begin(), scr.end(), [](unsigned char u) { return u == 0; }),
         fmtcase("host error %d (expected 1) and the scratch zero expected", *h_err));
  *h_err = 0;
  sane();
  launch();
  ck(cudaDeviceSynchronize(), (kname + " sync (after range)").c_str());
  const auto got = download(Dt::kF32, d_x, x_n);
  expect(kname + "/range", "fp32 next launch clean",
         *h_err == 0 && std::none_of(got.begin(), got.end(), [](float v) { return std::isnan(v); }),
         "the launch after a range error still reports it or writes NaN");
}
const Dt kDts[] = {Dt::kF32, Dt::kF16, Dt::kBF16};

// ------------------------------------------------------------------------------------ kernels
void test_embed() {
  struct C { int rows, seq, E, past; };
  std::vector<C> cases = {{1, 1, 2, 0}, {3, 3, 64, 0}, {4, 1, 768, 17}, {17, 17, 1601, 0},
                          {6, 2, 33, 5}};
  if (g_small) cases.resize(3);
  for (Dt dt : kDts)
    for (const C& c : cases) {
      const int V = 50, P = c.past + c.seq + 1;
      auto wte = rounded(dt, randn(static_cast<std::size_t>(V) * c.E));
      auto wpe = rounded(dt, randn(static_cast<std::size_t>(P) * c.E));
      std::vector<std::int32_t> step(1 + c.rows);
      step[0] = c.past;
      for (int r = 0; r < c.rows; ++r) step[1 + r] = static_cast<int>(g_rng() % V);
      auto d_wte = upload(dt, wte), d_wpe = upload(dt, wpe);
      DBuf d_step(step.size() * 4), d_x(static_cast<std::size_t>(c.rows) * c.E * 4), d_slots(8 * 4);
      d_step.put(step.data(), step.size() * 4);
      ck(cudak::launch_embed(dt, d_x.get(), d_wte->get(), d_wpe->get(), d_step.as<std::int32_t>() + 1,
                             d_step.as<int>(), c.rows, c.seq, c.E, d_slots.as<unsigned long long>(), 4,
                             nullptr),
         "embed");
      ck(cudaDeviceSynchronize(), "embed sync");
      std::vector<double> ref(static_cast<std::size_t>(c.rows) * c.E);
      for (int r = 0; r < c.rows; ++r)
        for (int e = 0; e < c.E; ++e)
          ref[r * c.E + e] = static_cast<double>(wte[step[1 + r] * c.E + e]) +
                             wpe[(c.past + r % c.seq) * c.E + e];
      const auto cas = fmtcase("%s rows=%d seq=%d E=%d past=%d", cudak::dt_name(dt), c.rows, c.seq, c.E, c.past);
      compare("embed", cas, download(dt, d_x, ref.size()), ref, kernel_tol(dt));
      unsigned long long slots[4];
      d_slots.get_to(slots, sizeof slots);
      expect("embed", cas + " slots", slots[0] == 0 && slots[3] == 0, "argmax slots not zeroed");
    }
}

void test_layernorm() {
  struct C { int rows, E, extra_stride; };
  // Vectorized kernel (16-byte aligned rows, E a multiple of the vector width, E <= 32 x 16
  // chunks): 64, 8 (one lane busy), 200 (25 chunks of fp16), 256 + padded stride, 768, 1600, 2048
  // (fp32: 16 chunks per lane, the most), 2056 (fp16: 9 chunks per lane); scalar fallback: E 2 / 3 /
  // 2051, the unaligned stride 773, fp32 E 2056 (17 chunks per lane).
  std::vector<C> cases = {{1, 2, 0},   {5, 3, 3},    {64, 64, 0},  {3, 768, 5},  {2, 1600, 0}, {7, 2051, 1},
                          {1, 8, 0},   {9, 200, 0},  {5, 256, 8},  {8, 768, 0},  {3, 2048, 0}, {4, 2056, 0},
                          {33, 80, 0}};
  if (g_small) cases = {{1, 2, 0}, {5, 3, 3}, {64, 64, 0}, {8, 768, 0}, {5, 256, 8}};
  for (Dt dt : kDts)
    for (const C& c : cases) {
      const long long stride = c.E + c.extra_stride;
      auto x = rounded(dt, randn(static_cast<std::size_t>(c.rows) * stride, 3.0, 1.0));
      auto g = randn(c.E, 0.2, 1.0), b = randn(c.E, 0.2);
      auto d_x = upload(dt, x);
      DBuf d_g(c.E * 4), d_b(c.E * 4), d_y(static_cast<std::size_t>(c.rows) * c.E * 4);
      d_g.put(g.data(), c.E * 4);
      d_b.put(b.data(), c.E * 4);
      ck(cudak::launch_layernorm(dt, d_y.get(), d_x->get(), stride, d_g.as<float>(), d_b.as<float>(),
                                 c.rows, c.E, 1e-5f, nullptr),
         "layernorm");
      ck(cudaDeviceSynchronize(), "layernorm sync");
      std::vector<double> ref(static_cast<std::size_t>(c.rows) * c.E);
      cuda_ref::layernorm(x.data(), stride, g.data(), b.data(), c.rows, c.E, 1e-5, ref.data());
      compare("layernorm", fmtcase("%s rows=%d E=%d stride=%lld", cudak::dt_name(dt), c.rows, c.E, stride),
              download(dt, d_y, ref.size()), ref, kernel_tol(dt));
    }
}

void test_kv_append() {
  struct C { int B, S, H, D, past; };
  std::vector<C> cases = {{1, 1, 1, 1, 0}, {3, 7, 3, 8, 0}, {2, 1, 25, 64, 9}, {1, 5, 2, 64, 3}};
  for (Dt dt : kDts)
    for (const C& c : cases) {
      const int E = c.H * c.D, max_t = c.past + c.S + 2, rows = c.B * c.S;
      auto qkv = rounded(dt, randn(static_cast<std::size_t>(rows) * 3 * E));
      auto d_qkv = upload(dt, qkv);
      const std::size_t cache_n = static_cast<std::size_t>(c.B) * c.H * max_t * c.D;
      DBuf d_k(cache_n * cudak::dt_size(dt)), d_v(cache_n * cudak::dt_size(dt)), d_past(4);
      d_past.put(&c.past, 4);
      ck(cudak::launch_kv_append(dt, d_k.get(), d_v.get(), d_qkv->get(), d_past.as<int>(), c.B, c.S,
                                 c.H, c.D, max_t, nullptr),
         "kv_append");
      ck(cudaDeviceSynchronize(), "kv sync");
      auto k = download(dt, d_k, cache_n), v = download(dt, d_v, cache_n);
      bool ok = true;
      for (int b = 0; b < c.B; ++b)
        for (int h = 0; h < c.H; ++h)
          for (int t = 0; t < max_t; ++t)
            for (int d = 0; d < c.D; ++d) {
              const std::size_t i = ((static_cast<std::size_t>(b) * c.H + h) * max_t + t) * c.D + d;
              const int s = t - c.past;
              if (s >= 0 && s < c.S) {
                const std::size_t r = static_cast<std::size_t>(b * c.S + s) * 3 * E;
                ok &= k[i] == qkv[r + E + h * c.D + d] && v[i] == qkv[r + 2 * E + h * c.D + d];
              } else {
                ok &= std::isnan(k[i]) && std::isnan(v[i]);  // untouched
              }
            }
      expect("kv_append", fmtcase("%s B=%d S=%d H=%d D=%d past=%d", cudak::dt_name(dt), c.B, c.S, c.H, c.D, c.past),
             ok, "cache content differs (wrong slot written or a slot left unwritten)");
    }
}

void test_attention() {
  struct C { int B, S, H, D, past, n_split, split_keys; };
  std::vector<C> cases = {
      {1, 1, 1, 1, 0, 1, 128},    {1, 8, 2, 1, 0, 1, 128},     {2, 5, 3, 16, 0, 1, 128},
      {1, 33, 2, 64, 0, 1, 128},  {2, 130, 1, 64, 0, 1, 128},  {3, 7, 5, 80, 0, 1, 128},
      {1, 4, 2, 96, 0, 1, 128},   {1, 9, 1, 128, 0, 1, 128},   {1, 1, 12, 64, 37, 1, 128},
      {2, 1, 12, 64, 200, 4, 64}, {1, 1, 25, 64, 1000, 8, 128}, {3, 1, 3, 128, 70, 3, 32},
      {1, 1, 2, 1, 5, 3, 4},      {4, 1, 16, 64, 500, 4, 128}, {1, 1, 4, 32, 0, 5, 32},
      // decode, one block per query walking many chunks; head dims whose rows are not 16 bytes
      {2, 1, 4, 64, 700, 1, 128}, {1, 1, 3, 40, 90, 1, 128},   {1, 1, 3, 20, 90, 2, 64},
      {1, 1, 2, 1, 300, 1, 128},
  };
  // (1, 1, 4, 64, 37): decode, the new key in the second warp's chunk (decode_attention_rows_first).
  if (g_small) cases = {{1, 5, 2, 64, 0, 1, 128}, {2, 1, 3, 16, 40, 3, 16}, {1, 3, 2, 1, 0, 1, 128}, {1, 1, 4, 64, 37, 1, 128}};
  for (Dt dt : kDts)
    for (const C& c : cases) {
      const int E = c.H * c.D, max_t = c.past + c.S + 3, rows = c.B * c.S;
      const std::size_t cache_n = static_cast<std::size_t>(c.B) * c.H * max_t * c.D;
      auto qkv = rounded(dt, randn(static_cast<std::size_t>(rows) * 3 * E));
      auto kc = rounded(dt, randn(cache_n)), vc = rounded(dt, randn(cache_n));
      // Positions past the last key must never be read: make them NaN on the device.
      for (int b = 0; b < c.B; ++b)
        for (int h = 0; h < c.H; ++h)
          for (int t = c.past + c.S; t < max_t; ++t)
            for (int d = 0; d < c.D; ++d) {
              const std::size_t i = ((static_cast<std::size_t>(b) * c.H + h) * max_t + t) * c.D + d;
              kc[i] = vc[i] = NAN;
            }
      auto d_qkv = upload(dt, qkv), d_k = upload(dt, kc), d_v = upload(dt, vc);
      DBuf d_out(static_cast<std::size_t>(rows) * E * 4), d_past(4),
          d_part(static_cast<std::size_t>(c.B) * c.H * c.S * c.n_split * (c.D + 2) * 4),
          d_cnt(static_cast<std::size_t>(c.B) * c.H * c.S * 4);
      d_cnt.zero();
      d_past.put(&c.past, 4);
      const double scale = 1.0 / std::sqrt(static_cast<double>(c.D));
      ck(cudak::launch_attention(dt, d_out.get(), d_qkv->get(), d_k->get(), d_v->get(), d_past.as<int>(),
                                 c.B, c.S, c.H, c.D, max_t, static_cast<float>(scale), c.n_split,
                                 c.split_keys, d_part.as<float>(), d_cnt.as<unsigned>(), nullptr),
         "attention");
      ck(cudaDeviceSynchronize(), "attention sync");
      std::vector<double> ref(static_cast<std::size_t>(rows) * E);
      cuda_ref::attention(qkv.data(), kc.data(), vc.data(), c.B, c.S, c.H, c.D, max_t, c.past, scale,
                          ref.data());
      const auto cas = fmtcase("%s B=%d S=%d H=%d D=%d past=%d split=%dx%d", cudak::dt_name(dt), c.B,
                               c.S, c.H, c.D, c.past, c.n_split, c.split_keys);
      compare("attention", cas, download(dt, d_out, ref.size()), ref, kernel_tol(dt));
      std::vector<unsigned> cnt(static_cast<std::size_t>(c.B) * c.H * c.S);
      d_cnt.get_to(cnt.data(), cnt.size() * 4);
      expect("attention", cas + " counters", std::all_of(cnt.begin(), cnt.end(), [](unsigned u) { return u == 0; }),
             "split counters not reset to zero");
    }
}

// The QKV epilogue's cache fields of a GEMV launch (kQkvScatter: row m = (b, s) = (m / seq, m % seq)
// at position *past + s of the [b][h][max_t][D] caches).
void set_qkv_cache(cudak::GemvArgs& a, const DBuf& kc, const DBuf& vc, const DBuf& past, int seq, int H, int D, int max_t) {
  a.k_cache = kc.get();
  a.v_cache = vc.get();
  a.past_len = past.as<int>();
  a.seq = seq;
  a.n_head = H;
  a.head_dim = D;
  a.max_t = max_t;
}
// The folded token embedding's fields (layer 0's QKV GEMV): its inputs, where block 0 writes the rows
// and the n_zero argmax slots it zeroes.
void set_embedding(cudak::GemvArgs& a, const DBuf& wte, const DBuf& wpe, const DBuf& tokens, DBuf& embed_out, DBuf& zero_slots,
                   int n_zero) {
  a.wte = wte.get();
  a.wpe = wpe.get();
  a.tokens = tokens.as<std::int32_t>();
  a.embed_out = embed_out.get();
  a.zero_slots = zero_slots.as<unsigned long long>();
  a.n_zero_slots = n_zero;
}

// The k and v columns of a QKV GEMV's output rows (acc: [rows, N = 3 E], the reference) against the
// KV cache the kernel scattered them into ([b][h][max_t][D], position past + s of row m = b seq + s).
void compare_kv_cache(const std::string& kname, const std::string& cas, Dt dt, const DBuf& d_kc, const DBuf& d_vc,
                      std::size_t cache_n, const std::vector<double>& acc, int rows, int N, int H, int D, int seq,
                      int past, int max_t, Tol tol) {
  const int Emb = N / 3;
  auto kc = download(dt, d_kc, cache_n), vc = download(dt, d_vc, cache_n);
  std::vector<float> got;
  std::vector<double> want;
  for (int m = 0; m < rows; ++m)
    for (int n = Emb; n < N; ++n) {
      const int which = n / Emb, hd = n % Emb, h = hd / D, d = hd % D, b = m / seq, s = m % seq;
      const std::size_t i = ((static_cast<std::size_t>(b) * H + h) * max_t + past + s) * D + d;
      got.push_back(which == 1 ? kc[i] : vc[i]);
      want.push_back(acc[static_cast<std::size_t>(m) * N + n]);
    }
  compare(kname + "/cache", cas, got, want, tol);
}

// Inputs of the GEMV's folded token embedding: random wte [V, K] and wpe [past + seq, K] rows (rounded
// to dt), token m = (a m + c) mod V, and x row m (stride xs) = dt(wte[token m] + wpe[past + m % seq]),
// what the kernel must stage and write to embed_out.
void embedding_inputs(Dt dt, int rows, int K, long long xs, int V, int past, int seq, int a, int c,
                      std::vector<float>& wte_h, std::vector<float>& wpe_h, std::vector<std::int32_t>& toks,
                      std::vector<float>& x) {
  wte_h = rounded(dt, randn(static_cast<std::size_t>(V) * K, 1.5, 0.5));
  wpe_h = rounded(dt, randn(static_cast<std::size_t>(past + seq) * K, 0.5));
  for (int m = 0; m < rows; ++m) {
    toks[m] = (a * m + c) % V;
    for (int k = 0; k < K; ++k)
      x[m * xs + k] = round_dt(dt, static_cast<double>(wte_h[static_cast<std::size_t>(toks[m]) * K + k]) +
                                       wpe_h[static_cast<std::size_t>(past + m % seq) * K + k]);
  }
}

void test_gemv() {
  using E = cudak::GemvEpilogue;
  struct C { int N, K; };
  std::vector<C> shapes = {{3, 2}, {5, 3}, {64, 64}, {97, 130}, {768, 768}, {2304, 768},
                           {3072, 768}, {768, 3072}, {1600, 6400}, {50257, 128}, {40, 128},
                           // more 16-row tiles than resident warps: the tensor-core LM head's
                           // warps run on into a second tile
                           {60001, 128},
                           // K <= 8: the LM head's lane-per-row path (tiny-gpt2: E = 2)
                           {50257, 2}, {4099, 5}, {1000, 8}};
  // (4800, 64): more rows than a wave of resident warps (a second row group per warp on an H100);
  // (40, 2304): rows past the 4 KiB register chunk (a second chunk loaded after the wait).
  // (33, 2056): 257 fp16 vectors per row, which gemv_split_k shares out unevenly between warps.
  if (g_small) shapes = {{3, 2}, {97, 130}, {256, 64}, {1000, 2}, {4800, 64}, {40, 2304}, {33, 2056}, {40, 128}};
  // The LM head's paths (lm_head_mma): "argmax" with the process default (2: the tensor-core
  // kernel at 2-4 rows and K <= 1280, else the register GEMV), "argmax_mma" mode 1 (the tensor-core kernel at
  // every row count), "argmax_reg" mode 0 (the register GEMV's argmax epilogue).
  const E epis[] = {E::kStore, E::kGelu, E::kResidual, E::kQkvScatter, E::kArgmax, E::kArgmax, E::kArgmax};
  const char* epi_names[] = {"store", "gelu", "residual", "qkv", "argmax", "argmax_mma", "argmax_reg"};
  const int mma_default = cudak::lm_head_mma();
  for (Dt dt : kDts)
    for (const C& sh : shapes)
      for (int ei = 0; ei < 7; ++ei)
        for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
          for (int ln = 0; ln < 3; ++ln) {  // 2: LayerNorm of the folded token embedding
            const E epi = epis[ei];
            const bool fold = ln == 2;
            if (fold && epi != E::kQkvScatter) continue;
            // (where the tensor-core LM head does not apply, these are "argmax"'s launch again)
            const bool tc_shape = dt != Dt::kF32 && sh.K % 64 == 0;
            if (ei >= 5 && !tc_shape) continue;
            if (g_small && rows == 3) continue;
            if (!g_small && sh.N * static_cast<long long>(sh.K) > 5'000'000 && (rows == 2 || rows == 3)) continue;
            int N = sh.N, K = sh.K, H = 0, D = 0, seq = 1, past = 3, max_t = 0;
            if (epi == E::kQkvScatter) {  // N = 3E; pick heads that divide E
              const int Emb = std::max(1, N / 3);
              N = 3 * Emb;
              H = Emb % 3 == 0 ? 3 : (Emb % 2 == 0 ? 2 : 1);
              D = Emb / H;
              seq = rows == 4 ? 2 : 1;  // (b, s) = (m / seq, m % seq)
              max_t = past + seq + 1;
            }
            const long long xs = K + (ln == 1 ? 3 : 0);  // a row stride > K when LayerNorm'd
            auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * xs, ln ? 2.0 : 1.0, ln ? 0.5 : 0.0));
            // Folded embedding: x row m = wte[token m] + wpe[past + m % seq] (what the kernel must
            // stage, and write to embed_out), rounded to dt like launch_embed.
            const int V = 11;
            std::vector<float> wte_h, wpe_h;
            std::vector<std::int32_t> toks(rows);
            if (fold) embedding_inputs(dt, rows, K, xs, V, past, seq, 7, 3, wte_h, wpe_h, toks, x);
            auto w = rounded(dt, randn(static_cast<std::size_t>(N) * K, 1.0 / std::sqrt(K)));
            auto bias = rounded(dt, randn(N, 0.1));
            auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
            if (epi == E::kArgmax && N > 8) {  // planted tie at the maximum: lowest id must win
              const int a = N / 3, b2 = N / 3 + 5;
              for (int k = 0; k < K; ++k) w[static_cast<std::size_t>(b2) * K + k] = w[static_cast<std::size_t>(a) * K + k] = round_dt(dt, 3.0 / std::sqrt(K) * ((k % 2) ? 1 : -1));
            }
            auto out0 = rounded(dt, randn(static_cast<std::size_t>(rows) * N));
            auto d_x = upload(dt, x), d_w = upload(dt, w), d_bias = upload(dt, bias);
            auto d_out = upload(dt, out0);
            if (epi != E::kResidual) d_out->poison();
            DBuf d_g(K * 4), d_b(K * 4), d_past(4), d_slots(8 * rows),
                d_logits(static_cast<std::size_t>(rows) * N * 4);
            d_g.put(g.data(), K * 4);
            d_b.put(be.data(), K * 4);
            d_past.put(&past, 4);
            d_slots.zero();
            const std::size_t cache_n = static_cast<std::size_t>(std::max(1, rows / seq)) * std::max(H, 1) * std::max(max_t, 1) * std::max(D, 1);
            DBuf d_kc(cache_n * cudak::dt_size(dt)), d_vc(cache_n * cudak::dt_size(dt));
            cudak::GemvArgs a;
            a.dt = dt;
            a.w = d_w->get();
            a.n_out = N;
            a.k_in = K;
            a.x = d_x->get();
            a.x_row_stride = xs;
            a.rows = rows;
            if (ln) {
              a.ln_gamma = d_g.as<float>();
              a.ln_beta = d_b.as<float>();
            }
            a.bias = epi == E::kArgmax ? nullptr : d_bias->get();
            a.epilogue = epi;
            a.out = d_out->get();
            a.out_row_stride = N;
            set_qkv_cache(a, d_kc, d_vc, d_past, seq, H, D, max_t);
            a.logits = d_logits.as<float>();
            a.logits_row_stride = N;
            a.argmax_slots = d_slots.as<unsigned long long>();
            std::unique_ptr<DBuf> d_wte, d_wpe;
            DBuf d_tok(4 * rows), d_eo(static_cast<std::size_t>(rows) * K * cudak::dt_size(dt)), d_zs(8 * 4);
            if (fold) {
              d_wte = upload(dt, wte_h);
              d_wpe = upload(dt, wpe_h);
              d_tok.put(toks.data(), 4 * rows);
              d_eo.poison();
              d_zs.poison();
              a.x = nullptr;  // must not be read
              set_embedding(a, *d_wte, *d_wpe, d_tok, d_eo, d_zs, 3);
            }
            // Odd row counts: the LM head's folded D2H copy (last block writes pinned host memory).
            unsigned long long* h_arg = nullptr;
            DBuf d_cnt(4);
            if (epi == E::kArgmax && rows % 2 == 1) {
              ck(cudaMallocHost(&h_arg, 8 * rows), "cudaMallocHost");
              std::memset(h_arg, 0xAB, 8 * rows);
              d_cnt.zero();
              a.argmax_host = h_arg;
              a.argmax_counter = d_cnt.as<unsigned>();
            }
            const int mode = ei == 5 ? 1 : (ei == 6 ? 0 : mma_default);
            cudak::set_lm_head_mma(mode);
            const long long mma_before = cudak::lm_head_mma_launch_count();
            ck(cudak::launch_gemv(a, nullptr), "gemv launch");
            ck(cudaDeviceSynchronize(), "gemv sync");
            cudak::set_lm_head_mma(mma_default);
            if (epi == E::kArgmax) {
              // The path taken is the one asked for: the tensor-core kernel where it applies (fp16 /
              // bf16, K % 64 == 0) and the mode wants it (1 always, 2 at 2-4 rows and K <= 1280),
              // else the GEMV.
              const bool want = tc_shape && (mode == 1 || (mode == 2 && rows >= 2 && K <= 1280));
              const bool took = cudak::lm_head_mma_launch_count() != mma_before;
              expect("gemv/" + std::string(epi_names[ei]) + "/path",
                     fmtcase("%s rows=%d N=%d K=%d ln=%d", cudak::dt_name(dt), rows, N, K, ln), took == want,
                     fmtcase("tensor-core LM head %s, expected %s (mode %d)", took ? "taken" : "not taken",
                             want ? "taken" : "not taken", mode));
            }
            // Reference: staged input (LayerNorm'd and rounded like the device) times W.
            std::vector<double> xin(static_cast<std::size_t>(rows) * K), acc(static_cast<std::size_t>(rows) * N);
            if (ln) {
              cuda_ref::layernorm(x.data(), xs, g.data(), be.data(), rows, K, 1e-5, xin.data());
              for (auto& v : xin) v = round_dt(dt, v);
            } else {
              for (int m = 0; m < rows; ++m)
                for (int k = 0; k < K; ++k) xin[m * K + k] = x[m * xs + k];
            }
            cuda_ref::gemm_nt(xin.data(), K, w.data(), epi == E::kArgmax ? nullptr : bias.data(), rows, N, K, acc.data());
            const auto cas = fmtcase("%s %s rows=%d N=%d K=%d ln=%d", cudak::dt_name(dt), epi_names[ei], rows, N, K, ln);
            const std::string kname = std::string("gemv/") + epi_names[ei];
            if (fold) {
              std::vector<double> want(static_cast<std::size_t>(rows) * K);
              for (int m = 0; m < rows; ++m)
                for (int k = 0; k < K; ++k) want[static_cast<std::size_t>(m) * K + k] = x[m * xs + k];
              compare(kname + "/embed_out", cas, download(dt, d_eo, want.size()), want, kernel_tol(dt));
              unsigned long long zs[4];
              d_zs.get_to(zs, sizeof zs);
              expect(kname + "/zero_slots", cas, zs[0] == 0 && zs[1] == 0 && zs[2] == 0 && zs[3] == ~0ull,
                     fmtcase("slots %llx %llx %llx %llx, expected 0 0 0 and the 4th untouched", zs[0], zs[1], zs[2], zs[3]));
            }
            if (epi == E::kArgmax) {
              std::vector<float> logits(acc.size());
              d_logits.get_to(logits.data(), logits.size() * 4);
              // Logits are fp32 accumulations of T inputs: fp32 tolerance, except that a LayerNorm
              // output may round to the neighbouring fp16/bf16 value on the device and not in the
              // reference (statistics in fp32 vs fp64): then the staged input differs by an ulp.
              compare(kname, cas, logits, acc, (ln && dt != Dt::kF32) ? kernel_tol(dt) : Tol{1e-4, 1e-4});
              std::vector<unsigned long long> slots(rows);
              d_slots.get_to(slots.data(), rows * 8);
              if (h_arg != nullptr) {
                unsigned cnt = 1;
                d_cnt.get_to(&cnt, 4);
                bool same = true;
                for (int m = 0; m < rows; ++m) same = same && h_arg[m] == slots[m];
                expect(kname + "/host", cas, same && cnt == 0,
                       fmtcase("host copy of the argmax slots %s, counter %u (expected equal, 0)",
                               same ? "equal" : "differs", cnt));
                cudaFreeHost(h_arg);
              }
              for (int m = 0; m < rows; ++m) {
                const int want = cuda_ref::argmax_lowest<float>({logits.data() + static_cast<std::size_t>(m) * N, static_cast<std::size_t>(N)});
                const int got = cudak::argmax_key_id(slots[m]);
                expect(kname, cas + fmtcase(" row %d", m), got == want,
                       fmtcase("argmax id %d, expected %d (lowest id among the maxima of the logits)", got, want));
              }
              continue;
            }
            std::vector<double> ref(acc.size());
            for (std::size_t i = 0; i < acc.size(); ++i) {
              if (epi == E::kGelu) ref[i] = cuda_ref::gelu_new(acc[i]);
              else if (epi == E::kResidual) ref[i] = out0[i] + acc[i];
              else ref[i] = acc[i];
            }
            compare(kname, cas, download(dt, *d_out, ref.size()), ref, kernel_tol(dt));
            if (epi == E::kQkvScatter)
              compare_kv_cache(kname, cas, dt, d_kc, d_vc, cache_n, acc, rows, N, H, D, seq, past, max_t, kernel_tol(dt));
          }
}

// Shared by the fused kernels' checks (attn_proj, mlp: deterministic fixed-point cross-block sums).
// The scratch must be zero again after a launch and the range-error word unset.
void expect_scratch_clean(const std::string& kname, const std::string& cas, const DBuf& d_scr, std::size_t bytes,
                          const int* h_err) {
  std::vector<unsigned char> scr(bytes);
  d_scr.get_to(scr.data(), scr.size());
  expect(kname + "/scratch", cas, std::all_of(scr.begin(), scr.end(), [](unsigned char u) { return u == 0; }) && *h_err == 0,
         "scratch not zero after the launch, or the range error word set");
}
// Puts x (dt values) back into d_x, launches again and expects x bit-identical to the first launch's
// `got` (the fixed-point sum does not depend on the blocks' order; the scratch was reset).
template <class Launch>
void expect_repeat(const std::string& kname, const std::string& cas, Dt dt, DBuf& d_x, const std::vector<float>& x,
                   const std::vector<float>& got, Launch&& launch) {
  const auto xb = to_bytes(dt, x);
  d_x.put(xb.data(), xb.size());
  launch();
  ck(cudaDeviceSynchronize(), (kname + " sync 2").c_str());
  const auto got2 = download(dt, d_x, x.size());
  expect(kname + "/repeat", cas, std::memcmp(got.data(), got2.data(), got.size() * 4) == 0,
         "second launch on the same input differs (nondeterministic sum or scratch not reset)");
  d_x.put(xb.data(), xb.size());  // the input again, for the chain the caller runs next
}
// One unit of the type's rounding (fp32: a few units of 2^-24 of the sums): a fused kernel's x
// against the chain's, which differ in one GEMV's fp32 summation order.
Tol one_unit(Dt dt) {
  return dt == Dt::kF32 ? Tol{1e-5, 1e-5} : dt == Dt::kF16 ? Tol{1e-5, 1.0 / 1024} : Tol{1e-5, 1.0 / 128};
}

// The device buffers of one attention + proj launch (x updated in place; the scratch zero before it).
void bind_attn_proj(cudak::AttnProjArgs& a, const DBuf& qkv, const DBuf& k, const DBuf& v, const DBuf& past,
                    const DBuf& w, const DBuf& bias, DBuf& x, DBuf& scratch, int* h_err) {
  a.qkv = qkv.get();
  a.k_cache = k.get();
  a.v_cache = v.get();
  a.past_len = past.as<int>();
  a.proj_w = w.get();
  a.proj_b = bias.get();
  a.x = x.get();
  a.scratch = scratch.get();
  a.host_error = h_err;
}

// Unplanned attention + proj arguments of a validation case (attn_proj_plan fills the rest).
cudak::AttnProjArgs attn_proj_case(Dt dt, int B, int H, int D, int max_t, int slices, double scale) {
  cudak::AttnProjArgs a;
  a.dt = dt;
  a.rows = B;
  a.n_head = H;
  a.head_dim = D;
  a.max_t = max_t;
  a.slices = slices;
  a.scale = static_cast<float>(scale);
  return a;
}

// The chain the attention + proj fusion replaces: decode attention with one key split into a new
// buffer, then the kResidual GEMV `g` (weights, format and bias set by the caller) on it into d_x.
// Returns x and the attention output, downloaded.
std::pair<std::vector<float>, std::vector<float>> attn_proj_chain(Dt dt, cudak::GemvArgs g, const DBuf& qkv, const DBuf& k,
                                                                  const DBuf& v, const DBuf& past, DBuf& d_x, int B, int H,
                                                                  int D, int max_t, double scale) {
  const int E = H * D;
  DBuf d_attc(static_cast<std::size_t>(B) * E * cudak::dt_size(dt));
  ck(cudak::launch_attention(dt, d_attc.get(), qkv.get(), k.get(), v.get(), past.as<int>(), B, 1, H, D, max_t,
                             static_cast<float>(scale), 1, max_t, nullptr, nullptr, nullptr),
     "chain attention");
  g.dt = dt;
  g.n_out = E;
  g.k_in = E;
  g.x = d_attc.get();
  g.x_row_stride = E;
  g.rows = B;
  g.epilogue = cudak::GemvEpilogue::kResidual;
  g.out = d_x.get();
  g.out_row_stride = E;
  ck(cudak::launch_gemv(g, nullptr), "chain attn c_proj");
  ck(cudaDeviceSynchronize(), "chain sync");
  const std::size_t n = static_cast<std::size_t>(B) * E;
  return {download(dt, d_x, n), download(dt, d_attc, n)};
}

// The attention + proj fusion (launch_attn_proj): decode attention + attn c_proj + bias + residual.
// Per (type, shape, rows, slices): against the fp64 reference with the device's rounding point (o
// rounded to the type), o against the chain's decode attention with one key split (bit-identical:
// same warps and order), x against the chain (launch_attention + the kResidual GEMV) within one
// unit of the type's rounding (fp32 sums in another order), twice on the same input (bit-identical:
// the fixed-point sum does not depend on block order) and the scratch zero after each launch.
// Shapes: gpt2 .. gpt2-xl widths, head dims 8..128, caches from 1 key (past 0) to past the chain's
// 256-key split and a cache filled to max_t; the slices by the plan's rule and forced (3, 7: short
// last slices).  Cache rows past the new key are NaN (must never be read).  Then shapes the plan
// must refuse and the range guard (a partial past 2^19 sets the host error word and leaves the
// scratch zero, and the next launch is clean again).
void test_attn_proj() {
  struct C { int B, H, D, past; };
  std::vector<C> cases = {
      {1, 12, 64, 0},   {1, 12, 64, 37},  {2, 12, 64, 200}, {3, 12, 64, 31},  {4, 12, 64, 300},
      {1, 16, 64, 5},   {4, 16, 64, 500}, {1, 20, 64, 90},  {1, 25, 64, 1000}, {4, 25, 64, 64},
      {3, 3, 128, 70},  {2, 4, 32, 300},  {1, 1, 16, 90},   {2, 5, 8, 40},    {4, 2, 96, 129},
  };
  if (g_small) cases = {{1, 4, 64, 37}, {2, 3, 16, 40}, {4, 2, 32, 300}, {1, 12, 64, 0}, {3, 2, 128, 33}};
  const char* kname = "attn_proj";
  int* h_err = nullptr;
  ck(cudaMallocHost(&h_err, 4), "cudaMallocHost");
  *h_err = 0;
  // (cross-head sum, attention warps cap): atomics with the chain's warps, atomics with 2 warps per
  // head (several key rounds past 64 keys), the cluster sum.
  for (const auto& [cl, aw] : std::vector<std::pair<bool, int>>{{false, 0}, {false, 2}, {true, 0}})
  for (Dt dt : kDts)
    for (const C& c : cases)
      for (int forced : {0, 3, 7}) {
        if ((g_small || aw > 0) && forced == 7) continue;
        const int B = c.B, H = c.H, D = c.D, E = H * D;
        // The last case fills the cache to max_t (the new key at max_t - 1).
        const int max_t = c.past == 500 ? c.past + 1 : c.past + 4;
        const double scale = 1.0 / std::sqrt(static_cast<double>(D));
        cudak::AttnProjArgs a = attn_proj_case(dt, B, H, D, max_t, forced, scale);
        a.use_cluster = cl;
        a.att_warps = aw;
        const cudaError_t pe = cudak::attn_proj_plan(a);
        const auto cas = fmtcase("%s %s B=%d H=%d D=%d past=%d slices=%d(%s) cluster=%d warps=%d", cl ? "cluster" : "atomic",
                                 cudak::dt_name(dt), B, H, D, c.past, a.slices, forced ? "forced" : "rule", a.cluster,
                                 a.att_warps);
        if (pe != cudaSuccess) {
          // A forced slice count may not fit one block's shared memory (cluster mode keeps every
          // head's columns of a slice: fp32 and gpt2-xl widths at 3 slices); the rule must fit.
          if (forced > 0 && std::string(cudak::last_launch_detail()).find("does not fit") != std::string::npos)
            std::printf("NOTE %s %s: refused as expected (%s)\n", kname, cas.c_str(), cudak::last_launch_detail());
          else
            expect(kname, cas, false, std::string("plan refused: ") + cudak::last_launch_detail());
          cudaGetLastError();
          continue;
        }
        const std::size_t cache_n = static_cast<std::size_t>(B) * H * max_t * D;
        auto qkv = rounded(dt, randn(static_cast<std::size_t>(B) * 3 * E));
        auto kc = rounded(dt, randn(cache_n)), vc = rounded(dt, randn(cache_n));
        for (int b = 0; b < B; ++b)
          for (int h = 0; h < H; ++h)
            for (int t = c.past + 1; t < max_t; ++t)
              for (int d = 0; d < D; ++d) {
                const std::size_t i = ((static_cast<std::size_t>(b) * H + h) * max_t + t) * D + d;
                kc[i] = vc[i] = NAN;
              }
        auto x = rounded(dt, randn(static_cast<std::size_t>(B) * E, 1.0, 0.3));
        auto w = rounded(dt, randn(static_cast<std::size_t>(E) * E, 1.0 / std::sqrt(E)));
        auto bias = rounded(dt, randn(E, 0.1));
        auto d_qkv = upload(dt, qkv), d_k = upload(dt, kc), d_v = upload(dt, vc), d_x = upload(dt, x),
             d_w = upload(dt, w), d_b = upload(dt, bias);
        DBuf d_past(4), d_att(static_cast<std::size_t>(B) * E * cudak::dt_size(dt)),
            d_scr(cudak::attn_proj_scratch_bytes(E));
        d_past.put(&c.past, 4);
        d_scr.zero();
        bind_attn_proj(a, *d_qkv, *d_k, *d_v, d_past, *d_w, *d_b, *d_x, d_scr, h_err);
        a.att_out = d_att.get();
        ck(cudak::launch_attn_proj(a, nullptr), "attn_proj launch");
        ck(cudaDeviceSynchronize(), "attn_proj sync");
        const auto got = download(dt, *d_x, x.size());
        const auto got_att = download(dt, d_att, static_cast<std::size_t>(B) * E);
        expect_scratch_clean(kname, cas, d_scr, cudak::attn_proj_scratch_bytes(E), h_err);
        // Reference: attention (fp64) rounded to dt -> proj + bias + x.
        std::vector<double> att(static_cast<std::size_t>(B) * E), y(att.size());
        cuda_ref::attention(qkv.data(), kc.data(), vc.data(), B, 1, H, D, max_t, c.past, scale, att.data());
        std::vector<double> att_r(att.size());
        for (std::size_t i = 0; i < att.size(); ++i) att_r[i] = round_dt(dt, att[i]);
        cuda_ref::gemm_nt(att_r.data(), E, w.data(), bias.data(), B, E, E, y.data());
        std::vector<double> ref(x.size());
        for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = x[i] + y[i];
        compare(kname, cas, got, ref, kernel_tol(dt));
        compare(kname + std::string("/o"), cas, got_att, att, kernel_tol(dt));
        // Same input again: bit-identical.
        expect_repeat(kname, cas, dt, *d_x, x, got, [&] { ck(cudak::launch_attn_proj(a, nullptr), "attn_proj launch 2"); });
        // The chain: decode attention (one split) into att, then the kResidual GEMV into x.
        cudak::GemvArgs g;
        g.w = d_w->get();
        g.bias = d_b->get();
        const auto [chain_x, chain_att] = attn_proj_chain(dt, g, *d_qkv, *d_k, *d_v, d_past, *d_x, B, H, D, max_t, scale);
        const Tol ulp = one_unit(dt);
        // o is bit-identical to the chain's where the kernel's warps per head see the keys in the
        // chain's chunks (the chain's warp count, or a cache that fits the fewer warps); then x is
        // within one unit of dt of the chain's (fp32 sums in another order).  Otherwise o may differ
        // by a unit of dt, which moves x by w x that unit: x is held to the kernel tolerance there.
        const bool o_same = (!cl && aw == 0) || c.past + 1 <= a.att_warps * 32;
        compare(kname + std::string("/x_vs_chain"), cas, got, std::vector<double>(chain_x.begin(), chain_x.end()),
                o_same ? ulp : kernel_tol(dt));
        if (o_same)
          expect(kname + std::string("/o_vs_chain"), cas, std::memcmp(chain_att.data(), got_att.data(), got_att.size() * 4) == 0,
                 "o differs from the chain's decode attention (expected bit-identical: same chunks and order)");
        else
          compare(kname + std::string("/o_vs_chain"), cas, got_att, std::vector<double>(chain_att.begin(), chain_att.end()), ulp);
      }
  // Shapes the plan must refuse (the engine keeps the chain): head_dim x dt_size not a multiple of 16
  // bytes, head_dim > 128, more heads than the fixed-point word counts (255), rows outside 1..4,
  // cluster mode with more than 64 heads.
  struct Rf { Dt dt; int rows, H, D, slices; };
  for (const Rf& r : std::vector<Rf>{{Dt::kF16, 1, 12, 4, 0}, {Dt::kF32, 1, 3, 3, 0}, {Dt::kF16, 1, 2, 136, 0},
                                     {Dt::kF16, 1, 520, 8, 0}, {Dt::kF16, 1, 256, 8, 0}, {Dt::kF16, 5, 12, 64, 0},
                                     {Dt::kF16, 1, 72, 16, 0}}) {
    cudak::AttnProjArgs a;
    a.dt = r.dt;
    a.rows = r.rows;
    a.n_head = r.H;
    a.head_dim = r.D;
    a.max_t = 64;
    a.slices = r.slices;
    a.use_cluster = r.H == 72;
    const cudaError_t pe = cudak::attn_proj_plan(a);
    expect(kname + std::string("/refused"), fmtcase("%s rows=%d H=%d D=%d slices=%d", cudak::dt_name(r.dt), r.rows, r.H, r.D, r.slices),
           pe == cudaErrorNotSupported && a.blocks == 0, "the plan took a shape it cannot run");
    cudaGetLastError();
  }
  // Range guard (fp32): values all 1, so o = 1 exactly and every partial is 64 x 1e7 > 2^19.
  {
    const int B = 2, H = 4, D = 64, E = H * D, past = 9, max_t = 12;
    cudak::AttnProjArgs a;
    a.dt = Dt::kF32;
    a.rows = B;
    a.n_head = H;
    a.head_dim = D;
    a.max_t = max_t;
    a.scale = 0.125f;
    ck(cudak::attn_proj_plan(a), "attn_proj plan (range)");
    const std::size_t cache_n = static_cast<std::size_t>(B) * H * max_t * D;
    auto qkv = randn(static_cast<std::size_t>(B) * 3 * E), kc = randn(cache_n), x = randn(static_cast<std::size_t>(B) * E);
    std::vector<float> vc(cache_n, 1.0f), w(static_cast<std::size_t>(E) * E, 1e7f), bias(E, 0.0f);
    auto d_qkv = upload(Dt::kF32, qkv), d_k = upload(Dt::kF32, kc), d_v = upload(Dt::kF32, vc), d_x = upload(Dt::kF32, x),
         d_w = upload(Dt::kF32, w), d_b = upload(Dt::kF32, bias);
    DBuf d_past(4), d_scr(cudak::attn_proj_scratch_bytes(E));
    d_past.put(&past, 4);
    d_scr.zero();
    bind_attn_proj(a, *d_qkv, *d_k, *d_v, d_past, *d_w, *d_b, *d_x, d_scr, h_err);
    expect_range_guard(
        "attn_proj", "fp32 B=2 H=4 D=64 proj 1e7", [&] { ck(cudak::launch_attn_proj(a, nullptr), "attn_proj launch"); },
        d_scr, cudak::attn_proj_scratch_bytes(E), h_err,
        [&] {
          std::fill(w.begin(), w.end(), 0.01f);
          d_w->put(w.data(), w.size() * 4);
          d_x->put(x.data(), x.size() * 4);
        },
        *d_x, x.size());
  }
  cudaFreeHost(h_err);
}

// The attention half of a layer in one kernel (launch_attn_layer, attn_layer.h): LN1 + QKV + KV write
// + decode attention + attn c_proj + residual.  Per (type, shape, rows, cluster): against the fp64
// reference with the device's rounding points (LN output, q/k/v and o rounded to the type), the
// q/k/v outputs and the cache rows at *past_len against the chain's kQkvScatter GEMV (bit-identical:
// the GEMV's LayerNorm partition and dot-product order), o against the chain's decode attention
// (one unit of the type: keys split over the cluster, another fp32 order), x against the chain
// (launch_gemv kQkvScatter + launch_attention + the kResidual GEMV) within the kernel tolerance,
// twice on the same input (bit-identical: the fixed-point sum does not depend on block order) and the
// scratch zero after each launch.  Shapes: gpt2 .. gpt2-xl widths, head dims 8..128, caches of 1 key
// (past 0) to 1001 keys, one filled to max_t, rows 1..4, the cluster by the plan (8) and forced 2 / 4;
// cache rows past the new key are NaN (never read) and the row at *past_len NaN before the launch
// (the kernel writes it).  Layer 0's folded embedding (x computed from wte/wpe, not read), shapes
// the plan must refuse, and the range guard (a partial past 2^19 sets the host error word; the next
// launch is clean).
void test_attn_layer() {
  struct C { int B, H, D, past, cl; bool embed; };
  std::vector<C> cases = {
      {1, 12, 64, 0, 0, false},   {1, 12, 64, 37, 0, false},  {1, 12, 64, 62, 0, true},   {1, 12, 64, 200, 0, false},
      {2, 12, 64, 63, 0, false},  {3, 12, 64, 31, 0, false},  {4, 12, 64, 130, 0, true},  {1, 12, 64, 37, 4, false},
      {2, 12, 64, 100, 2, false}, {1, 16, 64, 1000, 0, false}, {4, 16, 64, 500, 0, false}, {1, 25, 64, 90, 0, false},
      {1, 20, 64, 5, 0, false},   {2, 3, 128, 70, 0, false},  {4, 2, 128, 33, 0, false},  {1, 4, 32, 300, 0, false},
      {4, 5, 16, 40, 0, false},   {1, 2, 8, 9, 0, false},     {3, 6, 96, 129, 0, false},  {1, 12, 64, 7, 1, false},
  };
  if (g_small)
    cases = {{1, 4, 64, 37, 0, false}, {2, 3, 16, 40, 0, true}, {4, 2, 32, 300, 0, false}, {1, 12, 64, 0, 0, false},
             {3, 2, 128, 33, 0, false}, {1, 12, 64, 20, 2, false}};
  const char* kname = "attn_layer";
  int* h_err = nullptr;
  ck(cudaMallocHost(&h_err, 4), "cudaMallocHost");
  *h_err = 0;
  for (Dt dt : kDts)
    for (const C& c : cases) {
      const int B = c.B, H = c.H, D = c.D, E = H * D, es = static_cast<int>(cudak::dt_size(dt));
      const int max_t = c.past == 500 ? c.past + 1 : c.past + 4;  // the 500 case fills the cache to max_t
      const double scale = 1.0 / std::sqrt(static_cast<double>(D));
      cudak::AttnLayerArgs a{.dt = dt, .rows = B, .n_head = H, .head_dim = D, .max_t = max_t, .scale = static_cast<float>(scale)};
      a.cluster = c.cl;
      const cudaError_t pe = cudak::attn_layer_plan(a);
      const auto cas = fmtcase("%s B=%d H=%d D=%d past=%d cluster=%d%s%s", cudak::dt_name(dt), B, H, D, c.past,
                               a.blocks > 0 ? a.blocks / H : 0, c.cl > 0 ? "(forced)" : "", c.embed ? " embed" : "");
      if (pe != cudaSuccess) {
        // fp32 weights + keys of the widest/longest shapes, and a forced small cluster (each block
        // holds 8 / C times the weights), may not fit a block's shared memory.
        if ((dt == Dt::kF32 || c.cl > 0) && std::string(cudak::last_launch_detail()).find("do not fit") != std::string::npos)
          std::printf("NOTE %s %s: refused as expected (%s)\n", kname, cas.c_str(), cudak::last_launch_detail());
        else
          expect(kname, cas, false, std::string("plan refused: ") + cudak::last_launch_detail());
        cudaGetLastError();
        continue;
      }
      const std::size_t cache_n = static_cast<std::size_t>(B) * H * max_t * D;
      auto cidx = [&](int b, int h, int t, int d) { return ((static_cast<std::size_t>(b) * H + h) * max_t + t) * D + d; };
      auto kc = rounded(dt, randn(cache_n)), vc = rounded(dt, randn(cache_n));
      for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h)
          for (int t = c.past; t < max_t; ++t)
            for (int d = 0; d < D; ++d) kc[cidx(b, h, t, d)] = vc[cidx(b, h, t, d)] = NAN;
      auto x = rounded(dt, randn(static_cast<std::size_t>(B) * E, 1.0, 0.3));
      auto g = randn(E, 0.2, 1.0), be = randn(E, 0.2);
      auto wqkv = rounded(dt, randn(static_cast<std::size_t>(3) * E * E, 1.0 / std::sqrt(E)));
      auto bqkv = rounded(dt, randn(static_cast<std::size_t>(3) * E, 0.1));
      auto wp = rounded(dt, randn(static_cast<std::size_t>(E) * E, 1.0 / std::sqrt(E)));
      auto bp = rounded(dt, randn(E, 0.1));
      // Layer 0: x rows from the embedding (token t_b, position past), the device's fp32 sum rounded to dt.
      const int V = 7;
      auto wte = rounded(dt, randn(static_cast<std::size_t>(V) * E)), wpe = rounded(dt, randn(static_cast<std::size_t>(max_t) * E, 0.5));
      std::vector<std::int32_t> toks(B);
      for (int b = 0; b < B; ++b) toks[b] = static_cast<std::int32_t>((3 * b + 2) % V);
      std::vector<float> x0 = x;
      if (c.embed)
        for (int b = 0; b < B; ++b)
          for (int k = 0; k < E; ++k)
            x0[static_cast<std::size_t>(b) * E + k] =
                round_dt(dt, wte[static_cast<std::size_t>(toks[b]) * E + k] + wpe[static_cast<std::size_t>(c.past) * E + k]);
      auto d_x = upload(dt, x), d_wqkv = upload(dt, wqkv), d_bqkv = upload(dt, bqkv), d_wp = upload(dt, wp),
           d_bp = upload(dt, bp), d_k = upload(dt, kc), d_v = upload(dt, vc), d_wte = upload(dt, wte), d_wpe = upload(dt, wpe);
      DBuf d_g(E * 4), d_be(E * 4), d_past(4), d_tok(4 * B), d_slots(8 * 4), d_scr(cudak::attn_layer_scratch_bytes(B, E)),
          d_qkv(static_cast<std::size_t>(B) * 3 * E * es), d_att(static_cast<std::size_t>(B) * E * es);
      d_g.put(g.data(), E * 4);
      d_be.put(be.data(), E * 4);
      d_past.put(&c.past, 4);
      d_tok.put(toks.data(), 4 * B);
      d_scr.zero();
      a.ln_gamma = d_g.as<float>();
      a.ln_beta = d_be.as<float>();
      a.qkv_w = d_wqkv->get();
      a.qkv_b = d_bqkv->get();
      a.proj_w = d_wp->get();
      a.proj_b = d_bp->get();
      a.x = d_x->get();
      a.k_cache = d_k->get();
      a.v_cache = d_v->get();
      a.past_len = d_past.as<int>();
      a.scratch = d_scr.get();
      a.host_error = h_err;
      a.qkv_out = d_qkv.get();
      a.att_out = d_att.get();
      if (c.embed) {
        a.wte = d_wte->get();
        a.wpe = d_wpe->get();
        a.tokens = d_tok.as<std::int32_t>();
        a.zero_slots = d_slots.as<unsigned long long>();
        a.n_zero_slots = B;
      }
      ck(cudak::launch_attn_layer(a, nullptr), "attn_layer launch");
      ck(cudaDeviceSynchronize(), "attn_layer sync");
      const auto got = download(dt, *d_x, x.size());
      const auto got_qkv = download(dt, d_qkv, static_cast<std::size_t>(B) * 3 * E);
      const auto got_att = download(dt, d_att, static_cast<std::size_t>(B) * E);
      const auto got_k = download(dt, *d_k, cache_n), got_v = download(dt, *d_v, cache_n);
      expect_scratch_clean(kname, cas, d_scr, cudak::attn_layer_scratch_bytes(B, E), h_err);
      if (c.embed) {
        std::vector<unsigned long long> slots(4, 1);
        d_slots.get_to(slots.data(), 8 * B);
        expect(kname + std::string("/embed"), cas, std::all_of(slots.begin(), slots.begin() + B, [](unsigned long long v) { return v == 0; }),
               "argmax slots not zeroed by the layer-0 kernel");
      }
      // Reference: LN (fp64, rounded to dt) -> q|k|v (rounded to dt) -> caches at past -> attention
      // (fp64, rounded to dt) -> proj + bias + x.
      std::vector<double> xin(static_cast<std::size_t>(B) * E), qkv_d(static_cast<std::size_t>(B) * 3 * E);
      cuda_ref::layernorm(x0.data(), E, g.data(), be.data(), B, E, 1e-5, xin.data());
      for (auto& v : xin) v = round_dt(dt, v);
      cuda_ref::gemm_nt(xin.data(), E, wqkv.data(), bqkv.data(), B, 3 * E, E, qkv_d.data());
      std::vector<float> qkv_r(qkv_d.size());
      for (std::size_t i = 0; i < qkv_d.size(); ++i) qkv_r[i] = round_dt(dt, qkv_d[i]);
      auto kc2 = kc, vc2 = vc;
      std::vector<double> kref, vref, kgot, vgot;
      for (int b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h)
          for (int d = 0; d < D; ++d) {
            const std::size_t qi = static_cast<std::size_t>(b) * 3 * E + h * D + d;
            kc2[cidx(b, h, c.past, d)] = qkv_r[qi + E];
            vc2[cidx(b, h, c.past, d)] = qkv_r[qi + 2 * E];
            kref.push_back(got_qkv[qi + E]);  // the cache row holds exactly the kernel's k / v outputs
            vref.push_back(got_qkv[qi + 2 * E]);
            kgot.push_back(got_k[cidx(b, h, c.past, d)]);
            vgot.push_back(got_v[cidx(b, h, c.past, d)]);
          }
      std::vector<double> att(static_cast<std::size_t>(B) * E), y(att.size());
      cuda_ref::attention(qkv_r.data(), kc2.data(), vc2.data(), B, 1, H, D, max_t, c.past, scale, att.data());
      std::vector<double> att_r(att.size());
      for (std::size_t i = 0; i < att.size(); ++i) att_r[i] = round_dt(dt, att[i]);
      cuda_ref::gemm_nt(att_r.data(), E, wp.data(), bp.data(), B, E, E, y.data());
      std::vector<double> ref(x.size());
      for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = x0[i] + y[i];
      compare(kname, cas, got, ref, kernel_tol(dt));
      compare(kname + std::string("/qkv"), cas, got_qkv, qkv_d, kernel_tol(dt));
      compare(kname + std::string("/cache"), cas, std::vector<float>(kgot.begin(), kgot.end()), kref, Tol{1e-30, 0});
      compare(kname + std::string("/cache"), cas + " v", std::vector<float>(vgot.begin(), vgot.end()), vref, Tol{1e-30, 0});
      compare(kname + std::string("/o"), cas, got_att, att, kernel_tol(dt));
      // Same input again: bit-identical (the caches' new rows are rewritten with the same values).
      expect_repeat(kname, cas, dt, *d_x, x, got, [&] { ck(cudak::launch_attn_layer(a, nullptr), "attn_layer launch 2"); });
      if (c.embed) continue;  // the chain below reads x; the embedding case is held to the reference
      // The chain: QKV GEMV (LayerNorm prologue, KV scatter), decode attention (one split), the kResidual GEMV.
      auto d_kc = upload(dt, kc), d_vc = upload(dt, vc);
      DBuf d_qkvc(static_cast<std::size_t>(B) * 3 * E * es), d_attc(static_cast<std::size_t>(B) * E * es);
      cudak::GemvArgs q{.dt = dt, .w = d_wqkv->get(), .n_out = 3 * E, .k_in = E, .x = d_x->get(), .x_row_stride = E,
                        .rows = B, .ln_gamma = d_g.as<float>(), .ln_beta = d_be.as<float>(), .bias = d_bqkv->get(),
                        .epilogue = cudak::GemvEpilogue::kQkvScatter, .out = d_qkvc.get(), .out_row_stride = 3 * E,
                        .k_cache = d_kc->get(), .v_cache = d_vc->get(), .past_len = d_past.as<int>(), .seq = 1,
                        .n_head = H, .head_dim = D, .max_t = max_t};
      ck(cudak::launch_gemv(q, nullptr), "chain qkv");
      ck(cudak::launch_attention(dt, d_attc.get(), d_qkvc.get(), d_kc->get(), d_vc->get(), d_past.as<int>(), B, 1, H, D,
                                 max_t, static_cast<float>(scale), 1, max_t, nullptr, nullptr, nullptr),
         "chain attention");
      const cudak::GemvArgs pr{.dt = dt, .w = d_wp->get(), .n_out = E, .k_in = E, .x = d_attc.get(), .x_row_stride = E,
                               .rows = B, .bias = d_bp->get(), .epilogue = cudak::GemvEpilogue::kResidual,
                               .out = d_x->get(), .out_row_stride = E};
      ck(cudak::launch_gemv(pr, nullptr), "chain attn c_proj");
      ck(cudaDeviceSynchronize(), "chain sync");
      const auto chain_x = download(dt, *d_x, x.size());
      const auto chain_qkv = download(dt, d_qkvc, got_qkv.size());
      const auto chain_att = download(dt, d_attc, got_att.size());
      expect(kname + std::string("/qkv_vs_chain"), cas, std::memcmp(chain_qkv.data(), got_qkv.data(), got_qkv.size() * 4) == 0,
             "q/k/v differ from the chain's QKV GEMV (expected bit-identical: same LayerNorm and dot-product order)");
      compare(kname + std::string("/o_vs_chain"), cas, got_att, std::vector<double>(chain_att.begin(), chain_att.end()), one_unit(dt));
      compare(kname + std::string("/x_vs_chain"), cas, got, std::vector<double>(chain_x.begin(), chain_x.end()), kernel_tol(dt));
    }
  // Shapes the plan must refuse (the engine keeps the chain): head_dim x dt_size not a multiple of 16
  // bytes, head_dim > 128, more heads than the word counts, rows outside 1..4, n_embd > 2048, a
  // forced cluster that does not divide head_dim, and keys of max_t that do not fit shared memory.
  struct Rf { Dt dt; int rows, H, D, cl, max_t; };
  for (const Rf& r : std::vector<Rf>{{Dt::kF16, 1, 12, 4, 0, 64}, {Dt::kF16, 1, 2, 136, 0, 64}, {Dt::kF16, 1, 256, 8, 0, 64},
                                     {Dt::kF16, 5, 12, 64, 0, 64}, {Dt::kF16, 1, 33, 64, 0, 64}, {Dt::kF16, 1, 3, 24, 16, 64},
                                     {Dt::kF32, 4, 16, 128, 1, 4096}}) {
    cudak::AttnLayerArgs a{.dt = r.dt, .rows = r.rows, .n_head = r.H, .head_dim = r.D, .max_t = r.max_t};
    a.cluster = r.cl;
    const cudaError_t pe = cudak::attn_layer_plan(a);
    expect(kname + std::string("/refused"), fmtcase("%s rows=%d H=%d D=%d cluster=%d max_t=%d", cudak::dt_name(r.dt), r.rows, r.H, r.D, r.cl, r.max_t),
           pe == cudaErrorNotSupported && a.blocks == 0, "the plan took a shape it cannot run");
    cudaGetLastError();
  }
  // Range guard (fp32): values all 1, so o = 1 exactly and every partial is 32 x 1e7 > 2^19; the
  // scratch must still be zero after the launch (every head adds its count) and the next launch clean.
  {
    const int B = 2, H = 4, D = 32, E = H * D, past = 9, max_t = 12;
    cudak::AttnLayerArgs a{.dt = Dt::kF32, .rows = B, .n_head = H, .head_dim = D, .max_t = max_t, .scale = 0.125f};
    ck(cudak::attn_layer_plan(a), "attn_layer plan (range)");
    const std::size_t cache_n = static_cast<std::size_t>(B) * H * max_t * D;
    auto kc = randn(cache_n), x = randn(static_cast<std::size_t>(B) * E), g = randn(E, 0.2, 1.0), be = randn(E, 0.2);
    auto wqkv = randn(static_cast<std::size_t>(3) * E * E, 0.05);
    std::vector<float> vc(cache_n, 1.0f), bqkv(3 * E, 0.0f), wp(static_cast<std::size_t>(E) * E, 1e7f), bp(E, 0.0f);
    for (int r = 2 * E; r < 3 * E; ++r) {  // v rows 0, bias 1: the new value is 1 too
      bqkv[r] = 1.0f;
      for (int k = 0; k < E; ++k) wqkv[static_cast<std::size_t>(r) * E + k] = 0.0f;
    }
    auto d_x = upload(Dt::kF32, x), d_wqkv = upload(Dt::kF32, wqkv), d_bqkv = upload(Dt::kF32, bqkv),
         d_wp = upload(Dt::kF32, wp), d_bp = upload(Dt::kF32, bp), d_k = upload(Dt::kF32, kc), d_v = upload(Dt::kF32, vc),
         d_g = upload(Dt::kF32, g), d_be = upload(Dt::kF32, be);
    DBuf d_past(4), d_scr(cudak::attn_layer_scratch_bytes(B, E));
    d_past.put(&past, 4);
    d_scr.zero();
    a.ln_gamma = d_g->as<float>();
    a.ln_beta = d_be->as<float>();
    a.qkv_w = d_wqkv->get();
    a.qkv_b = d_bqkv->get();
    a.proj_w = d_wp->get();
    a.proj_b = d_bp->get();
    a.x = d_x->get();
    a.k_cache = d_k->get();
    a.v_cache = d_v->get();
    a.past_len = d_past.as<int>();
    a.scratch = d_scr.get();
    a.host_error = h_err;
    expect_range_guard(
        "attn_layer", "fp32 B=2 H=4 D=32 proj 1e7", [&] { ck(cudak::launch_attn_layer(a, nullptr), "attn_layer launch"); },
        d_scr, cudak::attn_layer_scratch_bytes(B, E), h_err,
        [&] {
          std::fill(wp.begin(), wp.end(), 0.01f);
          d_wp->put(wp.data(), wp.size() * 4);
          d_x->put(x.data(), x.size() * 4);
        },
        *d_x, x.size());
  }
  cudaFreeHost(h_err);
}

// The fused MLP (launch_mlp_fused): LN2 + c_fc + gelu_new + mlp c_proj + residual in one kernel.
// Per (type, shape, rows): against the fp64 reference with the device's rounding points (LN output
// and h rounded to the type), against the chain's two GEMVs on the same inputs (h bit-identical,
// x within one unit of the type's rounding: fp32 sums in another order), twice on the same input
// (bit-identical: the fixed-point sum is order-independent), and the scratch zero after each
// launch.  Shapes: gpt2 .. gpt2-large, odd slices, a short last slice (I = 2104: 132 blocks of 16
// on a 132-SM card, the last one 8); gpt2-xl and n_embd > 2048 must be refused by the plan.  Then
// the range guard: a partial past 2^19 must set the host error word and leave the scratch zero,
// and the next launch must be clean again.
void test_mlp() {
  struct C { int E, I; };
  std::vector<C> shapes = {{40, 160}, {96, 384}, {128, 2104}, {256, 1024}, {768, 3072}, {1024, 4096}, {1280, 5120}};
  if (g_small) shapes = {{40, 160}, {96, 384}, {128, 2104}};
  const char* kname = "mlp";
  int* h_err = nullptr;
  ck(cudaMallocHost(&h_err, 4), "cudaMallocHost");
  *h_err = 0;
  // The device buffers of one launch (x updated in place; the scratch zero before the first).
  auto bind = [&](cudak::MlpFusedArgs& a, void* x, const float* g, const float* be, const void* w1, const void* b1,
                  const void* w2, const void* b2, void* scratch) {
    a.x = x;
    a.ln_gamma = g;
    a.ln_beta = be;
    a.fc_w = w1;
    a.fc_b = b1;
    a.fc2_w = w2;
    a.fc2_b = b2;
    a.scratch = scratch;
    a.host_error = h_err;
  };
  for (Dt dt : kDts) {
    for (const C& sh : shapes)
      for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows) {
        if (g_small && rows == 3) continue;
        const int E = sh.E, I = sh.I;
        cudak::MlpFusedArgs a{.dt = dt, .rows = rows, .n_embd = E, .n_inner = I};
        const cudaError_t pe = cudak::mlp_fused_plan(a);
        const auto cas = fmtcase("%s rows=%d E=%d I=%d", cudak::dt_name(dt), rows, E, I);
        if (pe != cudaSuccess) {
          // fp32 slices of gpt2-medium / large do not fit a block's shared memory (the engine keeps
          // the chain there); every other shape here must be taken.
          if (dt == Dt::kF32 && E > 768)
            std::printf("NOTE mlp %s: refused as expected (%s)\n", cas.c_str(), cudak::last_launch_detail());
          else
            expect(kname, cas, false, std::string("plan refused: ") + cudak::last_launch_detail());
          cudaGetLastError();
          continue;
        }
        auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * E, 2.0, 0.5));
        auto g = randn(E, 0.2, 1.0), be = randn(E, 0.2);
        auto w1 = rounded(dt, randn(static_cast<std::size_t>(I) * E, 1.0 / std::sqrt(E)));
        auto b1 = rounded(dt, randn(I, 0.1));
        auto w2 = rounded(dt, randn(static_cast<std::size_t>(E) * I, 1.0 / std::sqrt(I)));
        auto b2 = rounded(dt, randn(E, 0.1));
        auto d_x = upload(dt, x), d_w1 = upload(dt, w1), d_b1 = upload(dt, b1), d_w2 = upload(dt, w2), d_b2 = upload(dt, b2);
        DBuf d_g(E * 4), d_be(E * 4), d_h(static_cast<std::size_t>(rows) * I * cudak::dt_size(dt)),
            d_scr(cudak::mlp_fused_scratch_bytes(rows, E));
        d_g.put(g.data(), E * 4);
        d_be.put(be.data(), E * 4);
        d_scr.zero();
        bind(a, d_x->get(), d_g.as<float>(), d_be.as<float>(), d_w1->get(), d_b1->get(), d_w2->get(), d_b2->get(),
             d_scr.get());
        a.h_out = d_h.get();
        ck(cudak::launch_mlp_fused(a, nullptr), "mlp launch");
        ck(cudaDeviceSynchronize(), "mlp sync");
        const auto got = download(dt, *d_x, x.size());
        const auto got_h = download(dt, d_h, static_cast<std::size_t>(rows) * I);
        expect_scratch_clean(kname, cas, d_scr, cudak::mlp_fused_scratch_bytes(rows, E), h_err);
        // Reference: LN (fp64, rounded to dt) -> c_fc + bias -> gelu_new (rounded to dt) -> fc2 + bias + x.
        std::vector<double> xin(static_cast<std::size_t>(rows) * E), a1(static_cast<std::size_t>(rows) * I),
            hin(a1.size()), a2(x.size());
        cuda_ref::layernorm(x.data(), E, g.data(), be.data(), rows, E, 1e-5, xin.data());
        for (auto& v : xin) v = round_dt(dt, v);
        cuda_ref::gemm_nt(xin.data(), E, w1.data(), b1.data(), rows, I, E, a1.data());
        for (std::size_t i = 0; i < a1.size(); ++i) hin[i] = round_dt(dt, cuda_ref::gelu_new(a1[i]));
        cuda_ref::gemm_nt(hin.data(), I, w2.data(), b2.data(), rows, E, I, a2.data());
        std::vector<double> ref(x.size()), href(hin);
        for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = x[i] + a2[i];
        compare(kname, cas, got, ref, kernel_tol(dt));
        compare(kname + std::string("/h"), cas, got_h, href, kernel_tol(dt));
        // Same input again: bit-identical (the fixed-point sum does not depend on block order).
        expect_repeat(kname, cas, dt, *d_x, x, got, [&] { ck(cudak::launch_mlp_fused(a, nullptr), "mlp launch 2"); });
        // Session 11's post-wait variants (warp LayerNorm, cluster pre-reduction of the partials):
        // x and h bit-identical to the plain kernel's (same h, same integer sums), deterministic,
        // the scratch zero; where the plan does not take a variant it must fall back to the plain
        // kernel (a NOTE).
        struct V { int wln, clu, chunks; };
        for (const V& vv : std::vector<V>{{1, 0, 0}, {0, 0, 1}, {1, 0, 1}, {0, 4, 0}, {1, 8, 1}, {1, 2, 0}, {0, 8, 1}}) {
          cudak::MlpFusedArgs av{.dt = dt, .rows = rows, .n_embd = E, .n_inner = I};
          av.want_warp_ln = vv.wln;
          av.want_cluster = vv.clu;
          av.want_fc2_chunks = vv.chunks;
          const auto vcas = fmtcase("%s want_warp_ln=%d want_cluster=%d want_fc2_chunks=%d", cas.c_str(), vv.wln, vv.clu, vv.chunks);
          ck(cudak::mlp_fused_plan(av), "mlp plan (variant)");
          if (av.warp_ln != vv.wln || av.cluster != vv.clu || av.fc2_chunks != vv.chunks)
            std::printf("NOTE mlp %s: planned warp_ln=%d cluster=%d fc2_chunks=%d\n", vcas.c_str(), av.warp_ln, av.cluster,
                        av.fc2_chunks);
          if (av.warp_ln == 0 && av.cluster == 0 && av.fc2_chunks == 0) continue;
          auto d_xv = upload(dt, x);
          DBuf d_hv(static_cast<std::size_t>(rows) * I * cudak::dt_size(dt)), d_scrv(cudak::mlp_fused_scratch_bytes(rows, E));
          d_scrv.zero();
          bind(av, d_xv->get(), d_g.as<float>(), d_be.as<float>(), d_w1->get(), d_b1->get(), d_w2->get(), d_b2->get(),
               d_scrv.get());
          av.h_out = d_hv.get();
          ck(cudak::launch_mlp_fused(av, nullptr), "mlp launch (variant)");
          ck(cudaDeviceSynchronize(), "mlp sync (variant)");
          const auto got_v = download(dt, *d_xv, x.size());
          const auto got_hv = download(dt, d_hv, got_h.size());
          expect_scratch_clean(kname + std::string("/variant"), vcas, d_scrv, cudak::mlp_fused_scratch_bytes(rows, E), h_err);
          expect(kname + std::string("/variant_x"), vcas, std::memcmp(got_v.data(), got.data(), got.size() * 4) == 0,
                 "x differs from the plain kernel's (expected bit-identical: same h, same integer sums)");
          expect(kname + std::string("/variant_h"), vcas, std::memcmp(got_hv.data(), got_h.data(), got_h.size() * 4) == 0,
                 "h differs from the plain kernel's (expected bit-identical: the same LayerNorm and dot-product order)");
          expect_repeat(kname + std::string("/variant"), vcas, dt, *d_xv, x, got_v,
                        [&] { ck(cudak::launch_mlp_fused(av, nullptr), "mlp launch (variant) 2"); });
        }
        // The chain: c_fc (kGelu, LN prologue) into h, then mlp c_proj (kResidual) into x.
        DBuf d_hc(static_cast<std::size_t>(rows) * I * cudak::dt_size(dt));
        const cudak::GemvArgs fc{.dt = dt, .w = d_w1->get(), .n_out = I, .k_in = E, .x = d_x->get(), .x_row_stride = E,
                                 .rows = rows, .ln_gamma = d_g.as<float>(), .ln_beta = d_be.as<float>(),
                                 .bias = d_b1->get(), .epilogue = cudak::GemvEpilogue::kGelu, .out = d_hc.get(),
                                 .out_row_stride = I};
        ck(cudak::launch_gemv(fc, nullptr), "chain c_fc");
        const cudak::GemvArgs fc2{.dt = dt, .w = d_w2->get(), .n_out = E, .k_in = I, .x = d_hc.get(), .x_row_stride = I,
                                  .rows = rows, .bias = d_b2->get(), .epilogue = cudak::GemvEpilogue::kResidual,
                                  .out = d_x->get(), .out_row_stride = E};
        ck(cudak::launch_gemv(fc2, nullptr), "chain mlp c_proj");
        ck(cudaDeviceSynchronize(), "chain sync");
        const auto chain_x = download(dt, *d_x, x.size());
        const auto chain_h = download(dt, d_hc, got_h.size());
        expect(kname + std::string("/h_vs_chain"), cas, std::memcmp(chain_h.data(), got_h.data(), got_h.size() * 4) == 0,
               "h differs from the chain's c_fc output (expected bit-identical: same LayerNorm and dot-product order)");
        // One unit of the type's rounding (fp32: a few units of 2^-24 of the sums) from the chain.
        const Tol ulp = one_unit(dt);
        compare(kname + std::string("/x_vs_chain"), cas, got, std::vector<double>(chain_x.begin(), chain_x.end()), ulp);
      }
    // Shapes the plan must refuse (the engine keeps the chain): gpt2-xl (its slices do not fit one
    // block's shared memory), n_embd > 2048, n_inner not a whole number of vectors.
    for (const C& sh : std::vector<C>{{1600, 6400}, {2056, 8224}, {64, 260}}) {
      cudak::MlpFusedArgs a{.dt = dt, .rows = 1, .n_embd = sh.E, .n_inner = sh.I};
      const cudaError_t pe = cudak::mlp_fused_plan(a);
      if (dt == Dt::kF32 && sh.I == 260) continue;  // (64, 260) is a whole number of fp32 vectors
      expect(kname + std::string("/refused"), fmtcase("%s E=%d I=%d", cudak::dt_name(dt), sh.E, sh.I),
             pe == cudaErrorNotSupported && a.blocks == 0, "the plan took a shape it cannot run");
      cudaGetLastError();
    }
  }
  // Range guard (fp32): the LayerNorm'd rows sum to zero, so c_fc gives its bias 1, h = gelu(1) =
  // 0.84, and fc2 weights of 1e7 make every block's partial >= 0.84e7 > 2^19.
  {
    const int E = 96, I = 384, rows = 2;
    cudak::MlpFusedArgs a{.dt = Dt::kF32, .rows = rows, .n_embd = E, .n_inner = I};
    ck(cudak::mlp_fused_plan(a), "mlp plan (range)");
    auto x = randn(static_cast<std::size_t>(rows) * E, 1.0);
    std::vector<float> g(E, 1.0f), be(E, 0.0f), w1(static_cast<std::size_t>(I) * E, 0.05f), b1(I, 1.0f),
        w2(static_cast<std::size_t>(E) * I, 1e7f), b2(E, 0.0f);
    auto d_x = upload(Dt::kF32, x), d_w1 = upload(Dt::kF32, w1), d_b1 = upload(Dt::kF32, b1),
         d_w2 = upload(Dt::kF32, w2), d_b2 = upload(Dt::kF32, b2), d_g = upload(Dt::kF32, g), d_be = upload(Dt::kF32, be);
    DBuf d_scr(cudak::mlp_fused_scratch_bytes(rows, E));
    d_scr.zero();
    bind(a, d_x->get(), d_g->as<float>(), d_be->as<float>(), d_w1->get(), d_b1->get(), d_w2->get(), d_b2->get(),
         d_scr.get());
    expect_range_guard(
        "mlp", "fp32 E=96 I=384 rows=2 fc2 1e7", [&] { ck(cudak::launch_mlp_fused(a, nullptr), "mlp launch"); },
        d_scr, cudak::mlp_fused_scratch_bytes(rows, E), h_err,
        [&] {
          std::fill(w2.begin(), w2.end(), 0.01f);
          d_w2->put(w2.data(), w2.size() * 4);
          d_x->put(x.data(), x.size() * 4);
        },
        *d_x, x.size());
    // The same through the warp-LayerNorm path and the cluster tail (96 blocks: clusters of 8).
    std::fill(w2.begin(), w2.end(), 1e7f);
    d_w2->put(w2.data(), w2.size() * 4);
    d_x->put(x.data(), x.size() * 4);
    cudak::MlpFusedArgs a2{.dt = Dt::kF32, .rows = rows, .n_embd = E, .n_inner = I};
    a2.want_warp_ln = 1;
    a2.want_cluster = 8;
    a2.want_fc2_chunks = 1;
    ck(cudak::mlp_fused_plan(a2), "mlp plan (range, cluster)");
    expect(kname, "range guard case takes warp_ln + cluster 8", a2.warp_ln == 1 && a2.cluster == 8,
           fmtcase("planned warp_ln=%d cluster=%d", a2.warp_ln, a2.cluster));
    bind(a2, d_x->get(), d_g->as<float>(), d_be->as<float>(), d_w1->get(), d_b1->get(), d_w2->get(), d_b2->get(),
         d_scr.get());
    expect_range_guard(
        "mlp", "fp32 E=96 I=384 rows=2 fc2 1e7 warp_ln cluster 8", [&] { ck(cudak::launch_mlp_fused(a2, nullptr), "mlp launch"); },
        d_scr, cudak::mlp_fused_scratch_bytes(rows, E), h_err,
        [&] {
          std::fill(w2.begin(), w2.end(), 0.01f);
          d_w2->put(w2.data(), w2.size() * 4);
          d_x->put(x.data(), x.size() * 4);
        },
        *d_x, x.size());
  }
  cudaFreeHost(h_err);
}

// LayerNorm folding (session 12; kernels.h launch_ln_fold, GemvArgs::ln_fold, MlpFusedArgs::ln_fold).
// The folded kernels are checked against the exact math (fp64 LayerNorm, not rounded, times the
// stored W), within twice kernel_tol: their error comes from W' = dt(W gamma) where the LayerNorm
// prologue's comes from rounding the normalized row to dt, errors of the same size; the plain
// path's error against the same exact reference is printed beside it.  Inputs have mean 0.5 and
// beta != 0, so a missing mean or beta term fails by far more (checked: the sensitivity case).
Tol fold_tol(Dt dt) {
  const Tol t = kernel_tol(dt);
  return {2 * t.atol, 2 * t.rtol};
}
double worst_ratio(const std::vector<float>& got, const std::vector<double>& ref, Tol tol) {
  double w = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double r = std::isnan(got[i]) ? 1e30 : std::fabs(got[i] - ref[i]) / (tol.atol + tol.rtol * std::fabs(ref[i]));
    w = std::max(w, r);
  }
  return w;
}

void test_ln_fold() {
  using E = cudak::GemvEpilogue;
  // (1) launch_ln_fold against the host: W' exactly dt(float(W) float(gamma)); g and c as fp32 sums.
  for (Dt dt : {Dt::kF16, Dt::kBF16})
    for (auto [N, K] : std::vector<std::pair<int, int>>{{5, 3}, {96, 40}, {2304, 768}}) {
      auto w = rounded(dt, randn(static_cast<std::size_t>(N) * K, 1.0 / std::sqrt(K)));
      auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
      auto d_w = upload(dt, w), d_g = upload(Dt::kF32, g), d_be = upload(Dt::kF32, be);
      DBuf d_wf(static_cast<std::size_t>(N) * K * cudak::dt_size(dt)), d_fold(2ull * N * 4);
      ck(cudak::launch_ln_fold(dt, d_w->get(), d_g->as<float>(), d_be->as<float>(), N, K, d_wf.get(), d_fold.as<float>(), nullptr),
         "ln_fold launch");
      ck(cudaDeviceSynchronize(), "ln_fold sync");
      const auto wf = download(dt, d_wf, w.size());
      std::vector<float> fold(2ull * N);
      d_fold.get_to(fold.data(), fold.size() * 4);
      std::size_t wrong = 0;
      std::vector<double> want_fold(2ull * N), scale(2ull * N);
      for (int n = 0; n < N; ++n) {
        double gs = 0, cs = 0, ga = 0, ca = 0;
        for (int k = 0; k < K; ++k) {
          const std::size_t i = static_cast<std::size_t>(n) * K + k;
          const float want = round_dt(dt, static_cast<double>(w[i] * g[k]));
          if (wf[i] != want) ++wrong;
          gs += want;
          ga += std::fabs(want);
          cs += static_cast<double>(w[i]) * be[k];
          ca += std::fabs(static_cast<double>(w[i]) * be[k]);
        }
        want_fold[n] = gs;
        want_fold[N + n] = cs;
        scale[n] = ga;
        scale[N + n] = ca;
      }
      const auto cas = fmtcase("%s N=%d K=%d", cudak::dt_name(dt), N, K);
      expect("ln_fold/weights", cas, wrong == 0, fmtcase("%zu of %zu folded weights differ from dt(W gamma)", wrong, w.size()));
      std::size_t bad = 0;
      for (std::size_t i = 0; i < fold.size(); ++i)
        if (!(std::fabs(fold[i] - want_fold[i]) <= 1e-5 * scale[i] + 1e-6)) ++bad;
      expect("ln_fold/rows", cas, bad == 0, fmtcase("%zu of %zu g / c values off by more than 1e-5 of sum |terms|", bad, fold.size()));
    }
  // (2) The folded GEMVs (QKV scatter, c_fc gelu) at every row count, every block size and with and
  // without the bulk-copy input staging, the folded token embedding once.
  struct C { int N, K; };
  // (N is c_fc's; the QKV cases take 3 K rows.)
  std::vector<C> shapes = {{4 * 40, 40}, {4 * 64, 64}, {3072, 768}, {4096, 1024}, {6400, 1600}};
  if (g_small) shapes = {{4 * 40, 40}, {4 * 64, 64}, {3072, 768}};
  const int def_lnt = cudak::gemv_ln_threads(), def_xtma = cudak::gemv_xtma();
  const long long launches0 = cudak::gemv_ln_fold_launch_count();
  long long expected_launches = 0;
  for (Dt dt : {Dt::kF16, Dt::kBF16})
    for (const C& sh : shapes)
      for (E epi : {E::kQkvScatter, E::kGelu})
        for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
          for (int variant = 0; variant < 5; ++variant) {
            // 0: 128 threads; 1: 256; 2: 512; 3: 128 with the xtma switch on (the folded kernels
            // must ignore it); 4: the folded embedding (QKV only).  Block sizes and xtma apply to
            // fp16 at one row only (other cases take 128 threads).
            if (variant >= 1 && variant <= 3 && (dt != Dt::kF16 || rows != 1)) continue;
            if (variant == 4 && epi != E::kQkvScatter) continue;
            if (g_small && rows == 3) continue;
            cudak::set_gemv_ln_threads(variant == 1 ? 256 : (variant == 2 ? 512 : 128));
            cudak::set_gemv_xtma(variant == 3 ? 1 : 0);
            const bool qkv = epi == E::kQkvScatter, emb = variant == 4;
            const int K = sh.K, N = qkv ? 3 * sh.K : sh.N;  // (QKV rows are 3 x n_embd)
            const int Emb = qkv ? N / 3 : 0, H = qkv ? (Emb % 64 == 0 ? Emb / 64 : 2) : 0, D = qkv ? Emb / H : 0;
            const int seq = (qkv && rows == 4) ? 2 : 1, past = 3, max_t = past + seq + 1;
            const long long xs = emb ? K : K + 8;  // a row stride > K (16-byte aligned) unless embedded
            auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * xs, 2.0, 0.5));
            const int Vv = 7;
            std::vector<float> wte_h, wpe_h;
            std::vector<std::int32_t> toks(rows);
            if (emb) embedding_inputs(dt, rows, K, xs, Vv, past, seq, 5, 2, wte_h, wpe_h, toks, x);
            auto w = rounded(dt, randn(static_cast<std::size_t>(N) * K, 1.0 / std::sqrt(K)));
            auto bias = rounded(dt, randn(N, 0.1));
            auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
            auto d_x = upload(dt, x), d_w = upload(dt, w), d_bias = upload(dt, bias), d_g = upload(Dt::kF32, g),
                 d_be = upload(Dt::kF32, be);
            DBuf d_wf(static_cast<std::size_t>(N) * K * cudak::dt_size(dt)), d_fold(2ull * N * 4), d_past(4);
            d_past.put(&past, 4);
            ck(cudak::launch_ln_fold(dt, d_w->get(), d_g->as<float>(), d_be->as<float>(), N, K, d_wf.get(),
                                     d_fold.as<float>(), nullptr),
               "ln_fold launch");
            const std::size_t cache_n = static_cast<std::size_t>(std::max(1, rows / seq)) * std::max(H, 1) * max_t * std::max(D, 1);
            DBuf d_out(static_cast<std::size_t>(rows) * N * cudak::dt_size(dt)), d_out2(static_cast<std::size_t>(rows) * N * cudak::dt_size(dt)),
                d_kc(cache_n * cudak::dt_size(dt)), d_vc(cache_n * cudak::dt_size(dt));
            d_out.poison();
            std::unique_ptr<DBuf> d_wte, d_wpe;
            DBuf d_tok(4 * rows), d_eo(static_cast<std::size_t>(rows) * K * cudak::dt_size(dt)), d_zs(8);
            cudak::GemvArgs a;
            a.dt = dt;
            a.w = d_wf.get();
            a.n_out = N;
            a.k_in = K;
            a.x = d_x->get();
            a.x_row_stride = xs;
            a.rows = rows;
            a.ln_gamma = d_g->as<float>();
            a.ln_beta = d_be->as<float>();
            a.ln_fold = d_fold.as<float>();
            a.bias = d_bias->get();
            a.epilogue = epi;
            a.out = d_out.get();
            a.out_row_stride = N;
            set_qkv_cache(a, d_kc, d_vc, d_past, seq, H, D, max_t);
            if (emb) {
              d_wte = upload(dt, wte_h);
              d_wpe = upload(dt, wpe_h);
              d_tok.put(toks.data(), 4 * rows);
              a.x = nullptr;
              set_embedding(a, *d_wte, *d_wpe, d_tok, d_eo, d_zs, 1);
            }
            ck(cudak::launch_gemv(a, nullptr), "folded gemv launch");
            ++expected_launches;
            // The LayerNorm prologue on the original weights, for the printed comparison.
            cudak::GemvArgs p = a;
            p.w = d_w->get();
            p.ln_fold = nullptr;
            p.out = d_out2.get();
            ck(cudak::launch_gemv(p, nullptr), "plain gemv launch");
            ck(cudaDeviceSynchronize(), "folded gemv sync");
            std::vector<double> xin(static_cast<std::size_t>(rows) * K), acc(static_cast<std::size_t>(rows) * N);
            cuda_ref::layernorm(x.data(), xs, g.data(), be.data(), rows, K, 1e-5, xin.data());
            cuda_ref::gemm_nt(xin.data(), K, w.data(), bias.data(), rows, N, K, acc.data());
            std::vector<double> ref(acc);
            if (epi == E::kGelu)
              for (auto& v : ref) v = cuda_ref::gelu_new(v);
            const auto cas = fmtcase("%s %s rows=%d N=%d K=%d %s", cudak::dt_name(dt), qkv ? "qkv" : "gelu", rows, N, K,
                                     variant == 0 ? "nt=128" : variant == 1 ? "nt=256" : variant == 2 ? "nt=512"
                                                 : variant == 3 ? "xtma-switch" : "embedding");
            const std::string kname = std::string("ln_fold/gemv_") + (qkv ? "qkv" : "gelu");
            const auto got = download(dt, d_out, ref.size());
            compare(kname, cas, got, ref, fold_tol(dt));
            const double plain = worst_ratio(download(dt, d_out2, ref.size()), ref, fold_tol(dt));
            const double mine = worst_ratio(got, ref, fold_tol(dt));
            Stat& st = g_stats[kname + "/plain_path_same_ref"];
            ++st.cases;
            if (plain > st.max_err) {
              st.max_err = plain;
              st.worst = cas;
            }
            if (!g_small && (rows == 1 || rows == 4) && variant == 0)
              std::printf("NOTE %s %s: worst error / fold_tol folded %.3f, LayerNorm prologue %.3f\n", kname.c_str(),
                          cas.c_str(), mine, plain);
            if (qkv) compare_kv_cache(kname, cas, dt, d_kc, d_vc, cache_n, acc, rows, N, H, D, seq, past, max_t, fold_tol(dt));
            if (emb) {
              std::vector<double> want(static_cast<std::size_t>(rows) * K);
              for (std::size_t i = 0; i < want.size(); ++i) want[i] = x[i];
              compare(kname + "/embed_out", cas, download(dt, d_eo, want.size()), want, kernel_tol(dt));
            }
            // Sensitivity (first case of each type): without the fold rows' c (beta) the result must
            // fail the same tolerance.
            if (sh.N == shapes.back().N && rows == 1 && variant == 0) {
              std::vector<float> fold(2ull * N);
              d_fold.get_to(fold.data(), fold.size() * 4);
              std::fill(fold.begin() + N, fold.end(), 0.0f);
              d_fold.put(fold.data(), fold.size() * 4);
              ck(cudak::launch_gemv(a, nullptr), "folded gemv launch (no c)");
              ck(cudaDeviceSynchronize(), "folded gemv sync (no c)");
              ++expected_launches;
              const double r = worst_ratio(download(dt, d_out, ref.size()), ref, fold_tol(dt));
              expect(kname + "/sensitivity", cas, r > 1.0,
                     fmtcase("dropping beta's term still passed (worst %.3g of the tolerance)", r));
            }
          }
  cudak::set_gemv_ln_threads(def_lnt);
  cudak::set_gemv_xtma(def_xtma);
  expect("ln_fold/launch_count", "every folded launch took the folded kernel",
         cudak::gemv_ln_fold_launch_count() - launches0 == expected_launches,
         fmtcase("%lld folded launches counted, %lld made", cudak::gemv_ln_fold_launch_count() - launches0, expected_launches));
  // Refused: fp32, a quantized or argmax GEMV with ln_fold (must fail, never run unfolded on W').
  {
    DBuf d_any(4096);
    cudak::GemvArgs a;
    a.dt = Dt::kF32;
    a.w = d_any.get();
    a.n_out = 8;
    a.k_in = 8;
    a.x = d_any.get();
    a.x_row_stride = 8;
    a.rows = 1;
    a.ln_gamma = d_any.as<float>();
    a.ln_beta = d_any.as<float>();
    a.ln_fold = d_any.as<float>();
    a.epilogue = E::kGelu;
    a.out = d_any.get();
    a.out_row_stride = 8;
    expect("ln_fold/refused", "fp32", cudak::launch_gemv(a, nullptr) == cudaErrorInvalidValue, "fp32 GEMV with ln_fold launched");
    a.dt = Dt::kF16;
    a.epilogue = E::kResidual;
    expect("ln_fold/refused", "fp16 residual", cudak::launch_gemv(a, nullptr) == cudaErrorInvalidValue,
           "residual GEMV with ln_fold launched");
    a.epilogue = E::kGelu;
    a.ln_gamma = nullptr;
    expect("ln_fold/refused", "fp16 without gamma", cudak::launch_gemv(a, nullptr) == cudaErrorInvalidValue,
           "folded GEMV without the LayerNorm's parameters launched");
    cudaGetLastError();
  }
  // (3) The fused MLP with LayerNorm 2 folded: h and x against the exact math.
  int* h_err = nullptr;
  ck(cudaMallocHost(&h_err, 4), "cudaMallocHost");
  *h_err = 0;
  std::vector<std::pair<int, int>> mshapes = {{40, 160}, {128, 2104}, {768, 3072}, {1024, 4096}};
  if (g_small) mshapes = {{40, 160}, {128, 2104}};
  for (Dt dt : {Dt::kF16, Dt::kBF16})
    for (auto [Em, I] : mshapes)
      for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
        for (int chunks = 0; chunks < 2; ++chunks) {
          if (g_small && rows == 3) continue;
          cudak::MlpFusedArgs a{.dt = dt, .rows = rows, .n_embd = Em, .n_inner = I};
          a.want_ln_fold = 1;
          a.want_fc2_chunks = chunks;
          a.want_warp_ln = 1;  // must be dropped by the plan (no folded variant)
          const auto cas = fmtcase("%s rows=%d E=%d I=%d chunks=%d", cudak::dt_name(dt), rows, Em, I, chunks);
          if (cudak::mlp_fused_plan(a) != cudaSuccess) {
            expect("ln_fold/mlp", cas, false, std::string("plan refused: ") + cudak::last_launch_detail());
            cudaGetLastError();
            continue;
          }
          expect("ln_fold/mlp_plan", cas, a.fold == 1 && a.warp_ln == 0,
                 fmtcase("planned fold=%d warp_ln=%d (expected 1, 0)", a.fold, a.warp_ln));
          auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * Em, 2.0, 0.5));
          auto g = randn(Em, 0.2, 1.0), be = randn(Em, 0.2);
          auto w1 = rounded(dt, randn(static_cast<std::size_t>(I) * Em, 1.0 / std::sqrt(Em)));
          auto b1 = rounded(dt, randn(I, 0.1));
          auto w2 = rounded(dt, randn(static_cast<std::size_t>(Em) * I, 1.0 / std::sqrt(I)));
          auto b2 = rounded(dt, randn(Em, 0.1));
          auto d_x = upload(dt, x), d_w1 = upload(dt, w1), d_b1 = upload(dt, b1), d_w2 = upload(dt, w2), d_b2 = upload(dt, b2),
               d_g = upload(Dt::kF32, g), d_be = upload(Dt::kF32, be);
          DBuf d_w1f(w1.size() * cudak::dt_size(dt)), d_fold(2ull * I * 4), d_h(static_cast<std::size_t>(rows) * I * cudak::dt_size(dt)),
              d_scr(cudak::mlp_fused_scratch_bytes(rows, Em));
          d_scr.zero();
          ck(cudak::launch_ln_fold(dt, d_w1->get(), d_g->as<float>(), d_be->as<float>(), I, Em, d_w1f.get(),
                                   d_fold.as<float>(), nullptr),
             "ln_fold launch (mlp)");
          a.x = d_x->get();
          a.ln_gamma = d_g->as<float>();
          a.ln_beta = d_be->as<float>();
          a.fc_w = d_w1f.get();
          a.ln_fold = d_fold.as<float>();
          a.fc_b = d_b1->get();
          a.fc2_w = d_w2->get();
          a.fc2_b = d_b2->get();
          a.scratch = d_scr.get();
          a.host_error = h_err;
          a.h_out = d_h.get();
          ck(cudak::launch_mlp_fused(a, nullptr), "folded mlp launch");
          ck(cudaDeviceSynchronize(), "folded mlp sync");
          const auto got = download(dt, *d_x, x.size());
          const auto got_h = download(dt, d_h, static_cast<std::size_t>(rows) * I);
          expect_scratch_clean("ln_fold/mlp", cas, d_scr, cudak::mlp_fused_scratch_bytes(rows, Em), h_err);
          std::vector<double> xin(static_cast<std::size_t>(rows) * Em), a1(static_cast<std::size_t>(rows) * I), hin(a1.size()),
              a2(x.size());
          cuda_ref::layernorm(x.data(), Em, g.data(), be.data(), rows, Em, 1e-5, xin.data());
          cuda_ref::gemm_nt(xin.data(), Em, w1.data(), b1.data(), rows, I, Em, a1.data());
          std::vector<double> href(a1.size());
          for (std::size_t i = 0; i < a1.size(); ++i) href[i] = cuda_ref::gelu_new(a1[i]);
          // x from the device's own h (rounded to dt, as the kernel keeps it): the fc2 half is the
          // plain kernel's arithmetic, checked by the mlp section; here the fold's effect is h.
          for (std::size_t i = 0; i < a1.size(); ++i) hin[i] = got_h[i];
          cuda_ref::gemm_nt(hin.data(), I, w2.data(), b2.data(), rows, Em, I, a2.data());
          std::vector<double> ref(x.size());
          for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = x[i] + a2[i];
          compare("ln_fold/mlp_h", cas, got_h, href, fold_tol(dt));
          compare("ln_fold/mlp_x", cas, got, ref, kernel_tol(dt));
          // Missing plan / pointer pairing is refused.
          cudak::MlpFusedArgs bad = a;
          bad.ln_fold = nullptr;
          expect("ln_fold/mlp_refused", cas, cudak::launch_mlp_fused(bad, nullptr) == cudaErrorInvalidValue,
                 "a folded plan launched without ln_fold");
          cudaGetLastError();
        }
  cudaFreeHost(h_err);
}

void test_lt_gemm() {
  using cudak::LtEpilogue;
  struct C { int M, N, K; };
  std::vector<C> shapes = {{5, 64, 64}, {33, 2304, 768}, {128, 3072, 768}, {256, 768, 3072},
                           {8, 1000, 128}, {12, 6, 2}, {96, 97, 130},
                           // LM-head shapes (N = vocab) of the engine tests and gpt2
                           {1, 500, 256}, {3, 500, 256}, {21, 500, 256}, {3, 512, 256},
                           {3, 500, 128}, {3, 257, 96}, {1, 50257, 768}, {5, 50257, 768}};
  if (g_small) shapes = {{5, 64, 64}, {12, 6, 2}};
  for (Dt dt : kDts) {
    cudak::LtGemm lt(false);
    for (const C& c : shapes)
      for (int mode = 0; mode < 5; ++mode) {
        // 0 none, 1 bias, 2 gelu_bias, 3 bias + accumulate, 4 none with fp32 output (logits)
        cudak::LtShape s;
        s.m = c.M;
        s.n = c.N;
        s.k = c.K;
        s.ldx = c.K;
        s.ldd = c.N;
        s.ab = dt;
        s.cd = mode == 4 ? Dt::kF32 : dt;
        s.epilogue = mode == 1 || mode == 3 ? LtEpilogue::kBias : (mode == 2 ? LtEpilogue::kGeluBias : LtEpilogue::kNone);
        s.accumulate = mode == 3;
        const auto cas = s.describe();
        if (!lt.supported(s)) {
          expect("lt_gemm", cas, false, "no cuBLASLt algorithm");
          continue;
        }
        auto x = rounded(dt, randn(static_cast<std::size_t>(c.M) * c.K));
        auto w = rounded(dt, randn(static_cast<std::size_t>(c.N) * c.K, 1.0 / std::sqrt(c.K)));
        auto bias = rounded(dt, randn(c.N, 0.1));
        auto d0 = rounded(s.cd, randn(static_cast<std::size_t>(c.M) * c.N));
        auto d_x = upload(dt, x), d_w = upload(dt, w), d_b = upload(dt, bias), d_d = upload(s.cd, d0);
        if (!s.accumulate) d_d->poison();
        lt.run(s, d_w->get(), d_x->get(), d_b->get(), d_d->get(), nullptr);
        ck(cudaDeviceSynchronize(), "lt sync");
        std::vector<double> xin(x.begin(), x.end()), ref(static_cast<std::size_t>(c.M) * c.N);
        cuda_ref::gemm_nt(xin.data(), c.K, w.data(), s.epilogue != LtEpilogue::kNone ? bias.data() : nullptr, c.M, c.N, c.K, ref.data());
        for (std::size_t i = 0; i < ref.size(); ++i) {
          if (mode == 2) ref[i] = cuda_ref::gelu_new(ref[i]);
          if (mode == 3) ref[i] += d0[i];
        }
        compare(mode == 2 ? "lt_gemm/gelu_bias" : "lt_gemm", cas, download(s.cd, *d_d, ref.size()), ref,
                kernel_tol(s.cd == Dt::kF32 ? Dt::kF32 : dt));
      }
    // The GELU fallback kernel.
    const std::size_t n = 4099;
    auto x = rounded(dt, randn(n, 2.0));
    auto d = upload(dt, x);
    ck(cudak::launch_gelu_inplace(dt, d->get(), n, nullptr), "gelu");
    ck(cudaDeviceSynchronize(), "gelu sync");
    std::vector<double> ref(n);
    for (std::size_t i = 0; i < n; ++i) ref[i] = cuda_ref::gelu_new(x[i]);
    compare("gelu_inplace", cudak::dt_name(dt), download(dt, *d, n), ref, kernel_tol(dt));
  }
}

void test_argmax_rows() {
  for (int V : {1, 2, 31, 1000, 50257}) {
    const int rows = 3;
    auto l = randn(static_cast<std::size_t>(rows) * (V + 7));
    if (V > 10) {  // ties at the max in row 1, and a -0/+0 tie in row 2 as the max
      l[1 * (V + 7) + 7] = l[1 * (V + 7) + V - 1] = 100.0f;
      for (int i = 0; i < V; ++i) l[2 * (V + 7) + i] = -1.0f - (i % 5);
      l[2 * (V + 7) + 9] = 0.0f;
      l[2 * (V + 7) + 4] = -0.0f;
    }
    DBuf d_l(l.size() * 4), d_s(rows * 8);
    d_l.put(l.data(), l.size() * 4);
    ck(cudak::launch_argmax_rows(d_l.as<float>(), rows, V, V + 7, d_s.as<unsigned long long>(), nullptr), "argmax");
    ck(cudaDeviceSynchronize(), "argmax sync");
    unsigned long long s[rows];
    d_s.get_to(s, sizeof s);
    for (int r = 0; r < rows; ++r) {
      const int want = cuda_ref::argmax_lowest<float>({l.data() + static_cast<std::size_t>(r) * (V + 7), static_cast<std::size_t>(V)});
      expect("argmax_rows", fmtcase("V=%d row=%d", V, r), cudak::argmax_key_id(s[r]) == want,
             fmtcase("got %d want %d", cudak::argmax_key_id(s[r]), want));
    }
  }
}

void test_weight_prep() {
  for (Dt dt : kDts) {
    for (auto [in, out] : std::vector<std::pair<int, int>>{{2, 6}, {33, 97}, {768, 2304}}) {
      auto src = randn(static_cast<std::size_t>(in) * out);
      DBuf d_src(src.size() * 4), d_dst(src.size() * 4);
      d_src.put(src.data(), src.size() * 4);
      ck(cudak::launch_transpose_convert(dt, d_dst.get(), d_src.as<float>(), in, out, nullptr), "transpose");
      ck(cudaDeviceSynchronize(), "transpose sync");
      auto got = download(dt, d_dst, src.size());
      bool ok = true;
      for (int i = 0; i < in; ++i)
        for (int o = 0; o < out; ++o) ok &= got[static_cast<std::size_t>(o) * in + i] == round_dt(dt, src[static_cast<std::size_t>(i) * out + o]);
      expect("transpose_convert", fmtcase("%s in=%d out=%d", cudak::dt_name(dt), in, out), ok, "not the exact rounded transpose");
    }
    const std::size_t n = 1 << 20;
    DBuf a(n * 4), b(n * 4), c(n * 4);
    ck(cudak::launch_fill_normal(dt, a.get(), n, 7, 3, 0.0f, 1.0f, nullptr), "fill");
    ck(cudak::launch_fill_normal(dt, b.get(), n, 7, 3, 0.0f, 1.0f, nullptr), "fill");
    ck(cudak::launch_fill_normal(dt, c.get(), n, 7, 4, 0.0f, 1.0f, nullptr), "fill");
    ck(cudaDeviceSynchronize(), "fill sync");
    auto va = download(dt, a, n), vb = download(dt, b, n), vc = download(dt, c, n);
    double mean = 0, sq = 0;
    for (float v : va) mean += v;
    mean /= n;
    for (float v : va) sq += (v - mean) * (v - mean);
    const double sd = std::sqrt(sq / n);
    expect("fill_normal", cudak::dt_name(dt), std::fabs(mean) < 0.01 && std::fabs(sd - 1.0) < 0.01 && va == vb && va != vc,
           fmtcase("mean %.4f sd %.4f, deterministic %d, streams differ %d", mean, sd, va == vb, va != vc));
  }
}


// ------------------------------------------------------------------------------------ int8 / fp8
using cudak::WQuant;
const WQuant kQuants[] = {WQuant::kInt8, WQuant::kFp8};
sb::engine::quant::Kind qkind(WQuant q) {
  return q == WQuant::kInt8 ? sb::engine::quant::Kind::kInt8 : sb::engine::quant::Kind::kFp8;
}
// Host quantization of one activation, exactly as the kernels do it (fp32 product, then rne/clamp
// or E4M3 satfinite); returns the code's value.
double host_quant_value(WQuant q, float x, float inv) {
  if (q == WQuant::kInt8) return sb::engine::quant::quantize_int8(x, inv);
  return sb::engine::quant::fp8_e4m3_decode(sb::engine::quant::quantize_fp8(x, inv));
}
std::vector<std::uint8_t> host_quant_codes(WQuant q, const std::vector<float>& x, float inv) {
  std::vector<std::uint8_t> c(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    c[i] = q == WQuant::kInt8 ? static_cast<std::uint8_t>(sb::engine::quant::quantize_int8(x[i], inv))
                              : sb::engine::quant::quantize_fp8(x[i], inv);
  return c;
}
// Random quantized weights [n, k]: codes + per-row scales from quant.h on a random HF matrix.
void random_qweights(WQuant q, int n, int k, std::vector<std::uint8_t>& codes, std::vector<float>& scales) {
  auto hf = randn(static_cast<std::size_t>(k) * n, 1.0 / std::sqrt(k));
  codes.resize(static_cast<std::size_t>(n) * k);
  scales.resize(n);
  sb::engine::quant::quantize_weight_hf(qkind(q), hf.data(), k, n, codes.data(), scales.data());
}

void test_quantize_rows() {
  // Device quantization of fp16 activations equals the host arithmetic code for code, including
  // ties (x * inv exactly k + 0.5), saturation and E4M3 subnormals.
  for (WQuant q : kQuants) {
    const int rows = 7, K = 1037;
    auto x = rounded(Dt::kF16, randn(static_cast<std::size_t>(rows) * K, 3.0));
    for (int i = 0; i < 64; ++i) x[i] = round_dt(Dt::kF16, (i - 32) + 0.5);      // int8 ties at inv = 1
    for (int i = 64; i < 96; ++i) x[i] = round_dt(Dt::kF16, (i - 80) * 61.0);    // saturation
    for (int i = 96; i < 128; ++i) x[i] = round_dt(Dt::kF16, (i - 112) * 1e-3);  // small / subnormal
    const float inv = q == WQuant::kInt8 ? 1.0f : 0.75f;
    auto d_x = upload(Dt::kF16, x);
    DBuf d_q(x.size());
    ck(cudak::launch_quantize_rows(q, d_q.get(), d_x->get(), K, rows, K, inv, nullptr), "quantize_rows");
    ck(cudaDeviceSynchronize(), "quantize_rows sync");
    std::vector<std::uint8_t> got(x.size());
    d_q.get_to(got.data(), got.size());
    const auto want = host_quant_codes(q, x, inv);
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      if (got[i] != want[i] && bad++ == 0) first = i;
    expect("quant/quantize_rows", cudak::wquant_name(q), bad == 0,
           fmtcase("%zu codes differ from the host; first [%zu] x=%g got 0x%02x want 0x%02x", bad, first,
                   static_cast<double>(x[first]), got[first], want[first]));
  }
  // Per-row dynamic scales: scale = quant::scale_for(max |x| of the row) (1 for a zero row), codes
  // with 1 / scale, both equal to the host's.
  for (WQuant q : kQuants) {
    const int rows = 9, K = 1037;
    const long long ld = K + 3;
    auto x = rounded(Dt::kF16, randn(static_cast<std::size_t>(rows) * ld, 3.0));
    for (int k = 0; k < K; ++k) x[2 * ld + k] = 0.0f;                                   // zero row
    for (int k = 0; k < K; ++k) x[5 * ld + k] = round_dt(Dt::kF16, x[5 * ld + k] * 1e-3);  // small row
    x[7 * ld + 11] = round_dt(Dt::kF16, 900.0);                                          // outlier
    auto d_x = upload(Dt::kF16, x);
    DBuf d_q(static_cast<std::size_t>(rows) * K), d_s(rows * 4);
    ck(cudak::launch_quantize_rows_dynamic(q, d_q.get(), d_s.as<float>(), d_x->get(), ld, rows, K, nullptr), "quantize_rows_dynamic");
    ck(cudaDeviceSynchronize(), "quantize_rows_dynamic sync");
    std::vector<std::uint8_t> got(static_cast<std::size_t>(rows) * K);
    std::vector<float> gs(rows);
    d_q.get_to(got.data(), got.size());
    d_s.get_to(gs.data(), rows * 4);
    int bad = 0;
    std::string first;
    for (int r = 0; r < rows; ++r) {
      double amax = 0;
      for (int k = 0; k < K; ++k) amax = std::max(amax, std::fabs(static_cast<double>(x[r * ld + k])));
      const float sc = sb::engine::quant::scale_for(qkind(q), amax);
      std::vector<float> row(x.begin() + r * ld, x.begin() + r * ld + K);
      const auto want = host_quant_codes(q, row, 1.0f / sc);
      int row_bad = gs[r] != sc;
      for (int k = 0; k < K; ++k) row_bad += got[static_cast<std::size_t>(r) * K + k] != want[k];
      if (row_bad && first.empty()) first = fmtcase("row %d: scale got %g want %g", r, static_cast<double>(gs[r]), static_cast<double>(sc));
      bad += row_bad;
    }
    expect("quant/quantize_rows_dynamic", cudak::wquant_name(q), bad == 0, fmtcase("%d scales/codes differ; first %s", bad, first.c_str()));
  }
  // Device weight quantization (synthetic engines) against quant.h: scales equal, codes within
  // one step (float vs double division).
  for (WQuant q : kQuants) {
    const int n = 67, k = 300;
    auto w = rounded(Dt::kF16, randn(static_cast<std::size_t>(n) * k, 0.02));
    auto d_w = upload(Dt::kF16, w);
    DBuf d_q(w.size()), d_s(n * 4);
    ck(cudak::launch_quantize_weight_rows(q, d_q.get(), d_s.as<float>(), d_w->get(), n, k, nullptr), "quantize_weight_rows");
    ck(cudaDeviceSynchronize(), "quantize_weight_rows sync");
    std::vector<std::uint8_t> got(w.size()), want(w.size());
    std::vector<float> gs(n), ws(n);
    d_q.get_to(got.data(), got.size());
    d_s.get_to(gs.data(), n * 4);
    std::vector<float> hf(w.size());  // [k][n] view of w [n][k]
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < k; ++c) hf[static_cast<std::size_t>(c) * n + r] = w[static_cast<std::size_t>(r) * k + c];
    sb::engine::quant::quantize_weight_hf(qkind(q), hf.data(), k, n, want.data(), ws.data());
    int bad = 0;
    for (int r = 0; r < n; ++r) {
      if (std::fabs(gs[r] - ws[r]) > 1e-6 * ws[r]) ++bad;
      for (int c = 0; c < k; ++c) {
        const std::size_t i = static_cast<std::size_t>(r) * k + c;
        const double a = sb::engine::quant::dequant_code(qkind(q), got[i]);
        const double b = sb::engine::quant::dequant_code(qkind(q), want[i]);
        const double step = q == WQuant::kInt8 ? 1.0 : std::max(std::fabs(b) / 8.0, std::ldexp(1.0, -9));
        if (std::fabs(a - b) > step * 1.0001) ++bad;
      }
    }
    expect("quant/weight_rows", cudak::wquant_name(q), bad == 0, fmtcase("%d scales/codes differ", bad));
  }
}

// The attention + proj fusion with quantized proj weights (session 15; AttnProjArgs::wq): int8 /
// E4M3 codes with per-output scales, o (fp16) quantized with the site's static scale.  Per case:
// x against a reference built from the kernel's own o (att_out; itself checked against the fp64
// attention and, bit for bit, against the chain's decode attention) quantized as the device does,
// exact code products, dequantized with the same fp32 scale product; x against the chain (decode
// attention + the int8 / fp8 GEMV with the same codes and scales): int8 bit-identical (exact int32
// sums, the word holds total / 4 exactly), fp8 within the fp16 kernel tolerance (fp32 sums in
// another order); repeat bit-identical; accumulators left zero; refusals (cluster, fp32 / bf16).
void test_attn_proj_quant() {
  struct C { int B, H, D, past; };
  std::vector<C> cases = {{1, 12, 64, 0}, {1, 12, 64, 37}, {2, 12, 64, 200}, {3, 20, 64, 31},
                          {1, 25, 64, 1000}, {4, 16, 64, 64}, {1, 3, 128, 70}, {2, 4, 32, 300}, {1, 1, 16, 90}};
  if (g_small) cases = {{1, 4, 64, 37}, {2, 3, 16, 40}, {1, 12, 64, 0}, {3, 2, 128, 33}};
  const char* kname = "attn_proj_q";
  int* h_err = nullptr;
  ck(cudaMallocHost(&h_err, 4), "cudaMallocHost");
  *h_err = 0;
  const Dt dt = Dt::kF16;
  for (WQuant q : kQuants)
    for (const C& c : cases)
      for (int forced : {0, 3}) {
        const int B = c.B, H = c.H, D = c.D, E = H * D;
        const int max_t = c.past + 4;
        const double scale = 1.0 / std::sqrt(static_cast<double>(D));
        cudak::AttnProjArgs a = attn_proj_case(dt, B, H, D, max_t, forced, scale);
        a.wq = q;
        const cudaError_t pe = cudak::attn_proj_plan(a);
        const auto cas = fmtcase("%s B=%d H=%d D=%d past=%d slices=%d(%s)", cudak::wquant_name(q), B, H, D, c.past,
                                 a.slices, forced ? "forced" : "rule");
        if (pe != cudaSuccess) {
          expect(kname, cas, false, std::string("plan refused: ") + cudak::last_launch_detail());
          cudaGetLastError();
          continue;
        }
        const std::size_t cache_n = static_cast<std::size_t>(B) * H * max_t * D;
        auto qkv = rounded(dt, randn(static_cast<std::size_t>(B) * 3 * E));
        auto kc = rounded(dt, randn(cache_n)), vc = rounded(dt, randn(cache_n));
        auto x = rounded(dt, randn(static_cast<std::size_t>(B) * E, 1.0, 0.3));
        std::vector<std::uint8_t> wq;
        std::vector<float> wsc;
        random_qweights(q, E, E, wq, wsc);
        auto bias = rounded(dt, randn(E, 0.1));
        // o is a softmax average of unit-variance values: |o| <~ 3; the scale maps 2.5 to qmax.
        const float x_scale = static_cast<float>(2.5 / sb::engine::quant::qmax(qkind(q)));
        const float inv = 1.0f / x_scale;
        auto d_qkv = upload(dt, qkv), d_k = upload(dt, kc), d_v = upload(dt, vc), d_x = upload(dt, x),
             d_b = upload(dt, bias);
        DBuf d_w(wq.size()), d_ws(static_cast<std::size_t>(E) * 4), d_past(4),
            d_att(static_cast<std::size_t>(B) * E * 2), d_scr(cudak::attn_proj_scratch_bytes(E));
        d_w.put(wq.data(), wq.size());
        d_ws.put(wsc.data(), static_cast<std::size_t>(E) * 4);
        d_past.put(&c.past, 4);
        d_scr.zero();
        bind_attn_proj(a, *d_qkv, *d_k, *d_v, d_past, d_w, *d_b, *d_x, d_scr, h_err);
        a.w_scale = d_ws.as<float>();
        a.x_scale = x_scale;
        a.x_inv_scale = inv;
        a.att_out = d_att.get();
        ck(cudak::launch_attn_proj(a, nullptr), "attn_proj (quantized) launch");
        ck(cudaDeviceSynchronize(), "attn_proj (quantized) sync");
        const auto got = download(dt, *d_x, x.size());
        const auto got_att = download(dt, d_att, static_cast<std::size_t>(B) * E);
        expect_scratch_clean(kname, cas, d_scr, cudak::attn_proj_scratch_bytes(E), h_err);
        std::vector<double> att(static_cast<std::size_t>(B) * E);
        cuda_ref::attention(qkv.data(), kc.data(), vc.data(), B, 1, H, D, max_t, c.past, scale, att.data());
        compare(kname + std::string("/o"), cas, got_att, att, kernel_tol(dt));
        // Reference from the kernel's o: quantized as the device stages it, exact code products.
        std::vector<double> ref(x.size());
        for (int b = 0; b < B; ++b) {
          std::vector<double> xq(E);
          for (int k = 0; k < E; ++k) xq[k] = host_quant_value(q, got_att[static_cast<std::size_t>(b) * E + k], inv);
          for (int n = 0; n < E; ++n) {
            double accd = 0;
            for (int k = 0; k < E; ++k)
              accd += sb::engine::quant::dequant_code(qkind(q), wq[static_cast<std::size_t>(n) * E + k]) * xq[k];
            const float sc = x_scale * wsc[n];
            ref[static_cast<std::size_t>(b) * E + n] =
                x[static_cast<std::size_t>(b) * E + n] + (static_cast<double>(static_cast<float>(accd) * sc) + bias[n]);
          }
        }
        compare(kname, cas, got, ref, kernel_tol(dt));
        expect_repeat(kname, cas, dt, *d_x, x, got, [&] { ck(cudak::launch_attn_proj(a, nullptr), "attn_proj (quantized) launch 2"); });
        // The chain: decode attention (one split), then the quantized kResidual GEMV.
        cudak::GemvArgs g;
        g.wq = q;
        g.w = d_w.get();
        g.w_scale = d_ws.as<float>();
        g.x_scale = x_scale;
        g.x_inv_scale = inv;
        g.bias = d_b->get();
        const auto [chain_x, chain_att] = attn_proj_chain(dt, g, *d_qkv, *d_k, *d_v, d_past, *d_x, B, H, D, max_t, scale);
        expect(kname + std::string("/o_vs_chain"), cas, std::memcmp(chain_att.data(), got_att.data(), got_att.size() * 4) == 0,
               "o differs from the chain's decode attention (expected bit-identical)");
        if (q == WQuant::kInt8)
          expect(kname + std::string("/x_vs_chain"), cas, std::memcmp(chain_x.data(), got.data(), got.size() * 4) == 0,
                 "x differs from the chain's int8 GEMV (expected bit-identical: exact int32 sums)");
        else
          compare(kname + std::string("/x_vs_chain"), cas, got, std::vector<double>(chain_x.begin(), chain_x.end()),
                  kernel_tol(dt));
      }
  // Refused: quantized weights with the cluster sum, or with fp32 / bf16 activations.
  for (const auto& [dt2, cl] : std::vector<std::pair<Dt, bool>>{{Dt::kF16, true}, {Dt::kF32, false}, {Dt::kBF16, false}}) {
    cudak::AttnProjArgs a = attn_proj_case(dt2, 1, 12, 64, 64, 0, 0.125);
    a.wq = WQuant::kInt8;
    a.use_cluster = cl;
    const cudaError_t pe = cudak::attn_proj_plan(a);
    expect(kname + std::string("/refused"), fmtcase("int8 weights, %s activations%s", cudak::dt_name(dt2), cl ? ", cluster" : ""),
           pe == cudaErrorNotSupported && a.blocks == 0, "the plan took a shape it cannot run");
    cudaGetLastError();
  }
  cudaFreeHost(h_err);
}

void test_qgemv() {
  using E = cudak::GemvEpilogue;
  struct C { int N, K; };
  // K % 16 == 0 takes fp8's tensor-core kernel (16-row blocks, 64-byte K steps): K = 48, 80, 144
  // end in a partial step, N = 50, 97 in a partial row block, N = 40000 needs more row groups
  // than the resident grid holds; K = 2, 3, 130 stay on the scalar path.
  std::vector<C> shapes = {{3, 2}, {5, 3}, {64, 64}, {97, 130}, {384, 128}, {768, 768}, {2304, 768},
                           {3072, 768}, {768, 3072}, {1600, 6400}, {6400, 1600}, {50, 80}, {97, 144},
                           {40000, 48}, {2213, 2048}, {2250, 2064}};
  if (g_small) shapes = {{3, 2}, {97, 130}, {96, 64}, {50, 80}, {9000, 64}, {40, 4608}, {33, 4112}, {2213, 2048}};  // last three: as test_gemv's (2 rows per warp)
  const int mma_min_rows_before = cudak::fp8_mma_min_rows();
  const int wide_before_all = cudak::gemv_wide(), one_row_before = cudak::fp8_mma_one_row(),
            r1_before = cudak::gemv_int8_r1();
  const E epis[] = {E::kStore, E::kGelu, E::kResidual, E::kQkvScatter};
  const char* epi_names[] = {"store", "gelu", "residual", "qkv"};
  for (WQuant q : kQuants)
    for (const C& sh : shapes)
      for (int ei = 0; ei < 4; ++ei)
        for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
          for (int variant = 0; variant < 3; ++variant)  // 0: static, 1: LayerNorm, 2: per-row scales
          for (int path = 0; path < 3; ++path) {
            if (g_small && rows == 3) continue;
            // fp8: path 0 forces the tensor-core kernel at every row count (where K % 16 == 0),
            // paths 1 and 2 the scalar kernel; int8: paths 0 and 1.  The scalar paths run with
            // gemv_wide forced on (4 rows per warp where a row fits 4 loads per lane: K % 16 == 0,
            // K <= 2048) and off; all must meet the same reference.
            // int8 path 2: neither 4-row warps nor (gemv_int8_r1, rows 3-4) one row per warp.
            const int sp = q == WQuant::kFp8 ? path - 1 : path;  // scalar path: 0 wide, 1 not, 2 int8 two rows; -1 mma
            const bool wide_fits = sh.K % 16 == 0 && sh.K <= 2048;
            if (sp == 1 && !wide_fits) continue;  // the same kernel as path "wide" there
            if (sp == 2 && rows < 3) continue;    // gemv_int8_r1 is for 3-4 rows only
            cudak::set_gemv_int8_r1(sp == 2 ? 0 : 1);
            if (q == WQuant::kFp8) {
              cudak::set_fp8_mma_min_rows(path == 0 ? 1 : cudak::kGemvMaxRows + 1);
              cudak::set_fp8_mma_one_row(0);
            }
            cudak::set_gemv_wide(sp == 0 ? 15 : 0);
            const bool mma = q == WQuant::kFp8 && path == 0 && sh.K % 16 == 0;
            const bool wide = sp == 0 && wide_fits;
            const long long wide_before = cudak::gemv_wide_launch_count();
            const int ln = variant == 1;
            const bool per_row = variant == 2;
            const E epi = epis[ei];
            int N = sh.N, K = sh.K, H = 0, D = 0, seq = 1, past = 2, max_t = 0;
            if (epi == E::kQkvScatter) {
              const int Emb = std::max(1, N / 3);
              N = 3 * Emb;
              H = Emb % 2 == 0 ? 2 : 1;
              D = Emb / H;
              seq = rows == 4 ? 2 : 1;
              max_t = past + seq + 1;
            }
            const long long xs = K + (ln ? 5 : 0);
            auto x = rounded(Dt::kF16, randn(static_cast<std::size_t>(rows) * xs, ln ? 2.0 : 1.0, ln ? 0.3 : 0.0));
            std::vector<std::uint8_t> wq;
            std::vector<float> wsc;
            random_qweights(q, N, K, wq, wsc);
            auto bias = rounded(Dt::kF16, randn(N, 0.1));
            auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
            const float x_scale = static_cast<float>((ln ? 4.0 : 3.5) / sb::engine::quant::qmax(qkind(q)));
            const float inv = 1.0f / x_scale;
            auto out0 = rounded(Dt::kF16, randn(static_cast<std::size_t>(rows) * N));
            auto d_x = upload(Dt::kF16, x), d_bias = upload(Dt::kF16, bias), d_out = upload(Dt::kF16, out0);
            if (epi != E::kResidual) d_out->poison();
            DBuf d_w(wq.size()), d_ws(N * 4), d_g(K * 4), d_b(K * 4), d_past(4);
            d_w.put(wq.data(), wq.size());
            d_ws.put(wsc.data(), N * 4);
            d_g.put(g.data(), K * 4);
            d_b.put(be.data(), K * 4);
            d_past.put(&past, 4);
            const std::size_t cache_n = static_cast<std::size_t>(std::max(1, rows / seq)) * std::max(H, 1) * std::max(max_t, 1) * std::max(D, 1);
            DBuf d_kc(cache_n * 2), d_vc(cache_n * 2);
            cudak::GemvArgs a;
            a.dt = Dt::kF16;
            a.wq = q;
            a.w = d_w.get();
            a.w_scale = d_ws.as<float>();
            a.x_scale = x_scale;
            a.x_inv_scale = inv;
            a.x_per_row = per_row;
            a.n_out = N;
            a.k_in = K;
            a.x = d_x->get();
            a.x_row_stride = xs;
            a.rows = rows;
            if (ln) {
              a.ln_gamma = d_g.as<float>();
              a.ln_beta = d_b.as<float>();
            }
            a.bias = d_bias->get();
            a.epilogue = epi;
            a.out = d_out->get();
            a.out_row_stride = N;
            set_qkv_cache(a, d_kc, d_vc, d_past, seq, H, D, max_t);
            ck(cudak::launch_gemv(a, nullptr), "qgemv launch");
            ck(cudaDeviceSynchronize(), "qgemv sync");
            // Reference: stage like the device (LayerNorm in fp64, fp16 rounding, quantization),
            // exact sum of code products, dequantize with the same fp32 scale product.
            std::vector<double> xin(static_cast<std::size_t>(rows) * K);
            if (ln) {
              cuda_ref::layernorm(x.data(), xs, g.data(), be.data(), rows, K, 1e-5, xin.data());
            } else {
              for (int m = 0; m < rows; ++m)
                for (int k = 0; k < K; ++k) xin[static_cast<std::size_t>(m) * K + k] = x[m * xs + k];
            }
            std::vector<float> row_scale(rows, x_scale);
            for (int m = 0; m < rows; ++m) {
              if (per_row) {
                double amax = 0;
                for (int k = 0; k < K; ++k) amax = std::max(amax, std::fabs(xin[static_cast<std::size_t>(m) * K + k]));
                row_scale[m] = sb::engine::quant::scale_for(qkind(q), amax);
              }
              const float inv_m = per_row ? 1.0f / row_scale[m] : inv;
              for (int k = 0; k < K; ++k) {
                double& v = xin[static_cast<std::size_t>(m) * K + k];
                v = host_quant_value(q, round_dt(Dt::kF16, v), inv_m);
              }
            }
            std::vector<double> ref(static_cast<std::size_t>(rows) * N);
            double wmax_scale = 0;
            for (int n = 0; n < N; ++n) wmax_scale = std::max(wmax_scale, static_cast<double>(wsc[n]));
            cuda_ref::parallel_for(N, static_cast<double>(rows) * K, [&](long long n0, long long n1) {
              for (int m = 0; m < rows; ++m)
                for (long long n = n0; n < n1; ++n) {
                  double accd = 0;
                  for (int k = 0; k < K; ++k)
                    accd += sb::engine::quant::dequant_code(qkind(q), wq[static_cast<std::size_t>(n) * K + k]) * xin[static_cast<std::size_t>(m) * K + k];
                  const float sc = row_scale[m] * wsc[n];
                  double v = static_cast<double>(static_cast<float>(accd) * sc) + bias[n];
                  if (epi == E::kGelu) v = cuda_ref::gelu_new(v);
                  if (epi == E::kResidual) v += out0[static_cast<std::size_t>(m) * N + n];
                  ref[static_cast<std::size_t>(m) * N + n] = v;
                }
            });
            // Without LayerNorm the staged codes are bit-identical: fp16 output rounding only.
            // With it, fp32 vs fp64 statistics may move a few inputs by one quantization step
            // (int8: x_scale * w_scale * |w code| <= 127 x_scale w_scale each): allow 3 such.
            Tol tol = kernel_tol(Dt::kF16);
            if (ln) tol.atol += 3.0 * 127.0 * x_scale * wmax_scale * (q == WQuant::kFp8 ? 448.0 / 127.0 / 8.0 : 1.0);
            const auto cas = fmtcase("%s %s rows=%d N=%d K=%d ln=%d%s%s%s", cudak::wquant_name(q), epi_names[ei], rows, N, K, ln,
                                     per_row ? " per-row scales" : "", mma ? " mma" : "", wide ? " wide" : "");
            const bool wide_took = cudak::gemv_wide_launch_count() != wide_before;
            expect(std::string("qgemv/") + cudak::wquant_name(q) + "/wide_path", cas, wide_took == wide,
                   fmtcase("4-row warps %s, expected %s", wide_took ? "taken" : "not taken", wide ? "taken" : "not taken"));
            compare(std::string("qgemv/") + cudak::wquant_name(q) + "/" + epi_names[ei], cas,
                    download(Dt::kF16, *d_out, ref.size()), ref, tol);
            if (epi == E::kQkvScatter)
              compare_kv_cache(std::string("qgemv/") + cudak::wquant_name(q) + "/qkv", cas, Dt::kF16, d_kc, d_vc, cache_n, ref,
                               rows, N, H, D, seq, past, max_t, tol);
          }
  cudak::set_fp8_mma_min_rows(mma_min_rows_before);
  cudak::set_gemv_wide(wide_before_all);
  cudak::set_fp8_mma_one_row(one_row_before);
  cudak::set_gemv_int8_r1(r1_before);
}

// Fused QKV GEMV + decode attention (GemvEpilogue::kQkvAttention; the engine's decode option
// fuse_qkv_attention, off by default).  The q|k|v rows and the new cache rows must equal the separate QKV kernel's
// (kQkvScatter, validated in test_gemv / test_qgemv) bit for bit: both run the same staging,
// dot products and epilogue.  The attention output must match the fp64 reference
// (cuda_ref::attention) computed on the kernel's own q|k|v and cache, within the kernel
// tolerance of the type (one rounding of the output); cache rows past the new key are NaN and
// must not be read; the per-head counters must be back to zero.  Shapes: head dims 1-128 (rows
// of 16 bytes and not), 1-25 heads, 1 to 601 keys (1 to 5 chunks per warp), rows 1-4 (4, 2, 1, 1
// warps per query), every weight format, the LayerNorm prologue with and without the folded
// embedding, and N = 3 x 1600 beyond the resident grid (heads finished in a second row group).
void test_qkv_attention() {
  struct C { int H, D, K, past; };
  std::vector<C> cases = {
      {1, 1, 2, 0},      {2, 1, 2, 5},        {3, 20, 64, 40},  {12, 64, 768, 63},
      {12, 64, 768, 130}, {2, 128, 96, 300},  {25, 64, 1600, 33}, {4, 80, 128, 600},
      {5, 16, 48, 1},    {16, 64, 1024, 200}, {3, 40, 40, 31},  {1, 7, 9, 64},
  };
  if (g_small) cases = {{2, 1, 2, 3}, {3, 16, 64, 40}};
  const char* fmt_names[] = {"fp32", "fp16", "bf16", "int8", "fp8"};
  for (int fi = 0; fi < 5; ++fi) {
    const Dt dt = fi < 3 ? kDts[fi] : Dt::kF16;
    const WQuant q = fi == 3 ? WQuant::kInt8 : fi == 4 ? WQuant::kFp8 : WQuant::kNone;
    const std::size_t es = cudak::dt_size(dt);
    for (const C& c : cases)
      for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
        for (int fold = 0; fold < 2; ++fold) {
          if (g_small && rows == 3) continue;
          const int E = c.H * c.D, N = 3 * E, K = c.K, max_t = c.past + 3, V = 11;
          auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * K, 2.0, 0.5));
          std::vector<float> wte_h, wpe_h;
          std::vector<std::int32_t> toks(rows);
          if (fold) {
            wte_h = rounded(dt, randn(static_cast<std::size_t>(V) * K, 1.5, 0.5));
            wpe_h = rounded(dt, randn(static_cast<std::size_t>(c.past + 1) * K, 0.5));
            for (int m = 0; m < rows; ++m) toks[m] = (5 * m + 2) % V;
          }
          std::unique_ptr<DBuf> d_w;
          std::vector<std::uint8_t> wq;
          std::vector<float> wsc;
          if (q == WQuant::kNone) {
            d_w = upload(dt, rounded(dt, randn(static_cast<std::size_t>(N) * K, 1.0 / std::sqrt(K))));
          } else {
            random_qweights(q, N, K, wq, wsc);
            d_w = std::make_unique<DBuf>(wq.size());
            d_w->put(wq.data(), wq.size());
          }
          DBuf d_ws(static_cast<std::size_t>(N) * 4);
          if (q != WQuant::kNone) d_ws.put(wsc.data(), wsc.size() * 4);
          auto bias = rounded(dt, randn(N, 0.1));
          auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
          const std::size_t cache_n = static_cast<std::size_t>(rows) * c.H * max_t * c.D;
          auto kc = rounded(dt, randn(cache_n)), vc = rounded(dt, randn(cache_n));
          for (int b = 0; b < rows; ++b)
            for (int h = 0; h < c.H; ++h)
              for (int t = c.past; t < max_t; ++t)
                for (int d = 0; d < c.D; ++d) {
                  const std::size_t i = ((static_cast<std::size_t>(b) * c.H + h) * max_t + t) * c.D + d;
                  kc[i] = vc[i] = NAN;
                }
          auto d_x = upload(dt, x), d_bias = upload(dt, bias);
          auto d_kc1 = upload(dt, kc), d_vc1 = upload(dt, vc), d_kc2 = upload(dt, kc), d_vc2 = upload(dt, vc);
          DBuf d_out1(static_cast<std::size_t>(rows) * N * es), d_out2(static_cast<std::size_t>(rows) * N * es),
              d_att(static_cast<std::size_t>(rows) * E * es), d_cnt(static_cast<std::size_t>(c.H) * 4),
              d_g(K * 4), d_b(K * 4), d_past(4), d_tok(4 * rows), d_eo(static_cast<std::size_t>(rows) * K * es),
              d_zs(8 * 4);
          d_cnt.zero();
          d_g.put(g.data(), K * 4);
          d_b.put(be.data(), K * 4);
          d_past.put(&c.past, 4);
          d_tok.put(toks.data(), 4 * rows);
          std::unique_ptr<DBuf> d_wte, d_wpe;
          cudak::GemvArgs a;
          a.dt = dt;
          a.w = d_w->get();
          if (q != WQuant::kNone) {
            a.wq = q;
            a.w_scale = d_ws.as<float>();
            a.x_scale = static_cast<float>(4.0 / sb::engine::quant::qmax(qkind(q)));
            a.x_inv_scale = 1.0f / a.x_scale;
          }
          a.n_out = N;
          a.k_in = K;
          a.x = d_x->get();
          a.x_row_stride = K;
          a.rows = rows;
          a.ln_gamma = d_g.as<float>();
          a.ln_beta = d_b.as<float>();
          a.bias = d_bias->get();
          a.out_row_stride = N;
          a.past_len = d_past.as<int>();
          a.seq = 1;
          a.n_head = c.H;
          a.head_dim = c.D;
          a.max_t = max_t;
          if (fold) {
            d_wte = upload(dt, wte_h);
            d_wpe = upload(dt, wpe_h);
            a.x = nullptr;
            set_embedding(a, *d_wte, *d_wpe, d_tok, d_eo, d_zs, 2);
          }
          // Separate kernel first (the reference for q|k|v and the cache rows).
          a.epilogue = cudak::GemvEpilogue::kQkvScatter;
          a.out = d_out1.get();
          a.k_cache = d_kc1->get();
          a.v_cache = d_vc1->get();
          ck(cudak::launch_gemv(a, nullptr), "qkv gemv launch");
          // Fused.
          a.epilogue = cudak::GemvEpilogue::kQkvAttention;
          a.out = d_out2.get();
          a.k_cache = d_kc2->get();
          a.v_cache = d_vc2->get();
          a.att_out = d_att.get();
          a.att_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(c.D)));
          a.head_counters = d_cnt.as<unsigned>();
          ck(cudak::launch_gemv(a, nullptr), "qkv+attention launch");
          ck(cudaDeviceSynchronize(), "qkv+attention sync");
          const auto cas = fmtcase("%s rows=%d H=%d D=%d K=%d past=%d%s", fmt_names[fi], rows, c.H, c.D,
                                   K, c.past, fold ? " fold" : "");
          auto bytes_of = [](const DBuf& b, std::size_t n) {
            std::vector<unsigned char> v(n);
            b.get_to(v.data(), n);
            return v;
          };
          const std::size_t cache_bytes = cache_n * es;
          const bool same_out = bytes_of(d_out1, static_cast<std::size_t>(rows) * N * es) ==
                                bytes_of(d_out2, static_cast<std::size_t>(rows) * N * es);
          const bool same_cache = bytes_of(*d_kc1, cache_bytes) == bytes_of(*d_kc2, cache_bytes) &&
                                  bytes_of(*d_vc1, cache_bytes) == bytes_of(*d_vc2, cache_bytes);
          expect("gemv/qkv_attention/rows", cas, same_out && same_cache,
                 fmtcase("q|k|v %s, cache %s the separate QKV kernel's", same_out ? "equal to" : "DIFFERS from",
                         same_cache ? "equal to" : "DIFFERS from"));
          const auto qkv_dev = download(dt, d_out2, static_cast<std::size_t>(rows) * N);
          const auto kc_dev = download(dt, *d_kc2, cache_n), vc_dev = download(dt, *d_vc2, cache_n);
          std::vector<double> ref(static_cast<std::size_t>(rows) * E);
          cuda_ref::attention(qkv_dev.data(), kc_dev.data(), vc_dev.data(), rows, 1, c.H, c.D, max_t, c.past,
                              1.0 / std::sqrt(static_cast<double>(c.D)), ref.data());
          compare("gemv/qkv_attention", cas, download(dt, d_att, ref.size()), ref, kernel_tol(dt));
          std::vector<unsigned> cnt(c.H);
          d_cnt.get_to(cnt.data(), cnt.size() * 4);
          expect("gemv/qkv_attention/counters", cas,
                 std::all_of(cnt.begin(), cnt.end(), [](unsigned u) { return u == 0; }),
                 "head counters not reset to zero");
        }
  }
}

// x [rows, k] copied into rows of ld >= k values, zero-padded (the fp8 GEMM's fp16 input rows).
std::vector<float> pad_rows(const std::vector<float>& x, int rows, int k, int ld) {
  std::vector<float> out(static_cast<std::size_t>(rows) * ld, 0.0f);
  for (int m = 0; m < rows; ++m)
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(m) * k, k, out.begin() + static_cast<std::ptrdiff_t>(m) * ld);
  return out;
}

void test_qgemm() {
  struct C { int M, N, K; };
  // gpt2's prefill GEMMs at 1x8, 1x64 and 4x64 tokens (qkv, attn proj, fc, fc2), then awkward ones:
  // K not a multiple of 16 / 32 / 64 (byte-wise loads, partial chunks), M = 5 and M between the
  // kernel's token tiles (8, 16), N not a multiple of 16.
  std::vector<C> shapes = {{5, 7, 3}, {21, 384, 128}, {24, 384, 128}, {48, 512, 128}, {48, 128, 512},
                           {33, 2304, 768}, {128, 3072, 768}, {128, 768, 3072}, {40, 100, 48},
                           {7, 6, 2}, {64, 4800, 1600},
                           {8, 2304, 768}, {8, 768, 768}, {8, 3072, 768}, {8, 768, 3072},
                           {64, 2304, 768}, {64, 768, 768}, {64, 3072, 768}, {64, 768, 3072},
                           {256, 2304, 768}, {256, 768, 768}, {256, 3072, 768}, {256, 768, 3072},
                           {5, 2304, 768}, {9, 130, 100}, {17, 50, 200}, {12, 33, 80}, {6, 40, 16}};
  if (g_small) shapes = {{5, 7, 3}, {21, 96, 32}, {16, 64, 64}, {9, 40, 100}, {8, 64, 128}, {40, 48, 80}};
  cudak::LtGemm lt(false);
  for (WQuant q : kQuants)
    for (const C& c : shapes) {
      std::vector<std::uint8_t> wq, xq;
      std::vector<float> wsc;
      random_qweights(q, c.N, c.K, wq, wsc);
      auto x = rounded(Dt::kF16, randn(static_cast<std::size_t>(c.M) * c.K));
      const float x_scale = static_cast<float>(3.5 / sb::engine::quant::qmax(qkind(q)));
      xq = host_quant_codes(q, x, 1.0f / x_scale);
      // acc: exact sums; fp8 also abs_sum = sum_k |x_k w_k| and tc_bound, a bound for cuBLASLt's FP8
      // GEMM, which accumulates inside the tensor core and keeps ~13 mantissa bits there (its
      // errors reach 2^-12.3 of sum |x w|, docs/perf-cuda.md session 7): per 64-byte chunk
      // 2 x 68 x 2^-13 x max |product| (32 truncated products + the truncated result per 32-product
      // instruction, 2^-13 of the largest product each), plus (K/32 + 8) x 2^-24 x sum |products|.
      std::vector<double> acc(static_cast<std::size_t>(c.M) * c.N), abs_sum(acc.size(), 1.0),
          tc_bound(acc.size(), 1.0);
      cuda_ref::parallel_for(c.N, 2.0 * c.M * c.K, [&](long long n0, long long n1) {
        for (int m = 0; m < c.M; ++m)
          for (long long n = n0; n < n1; ++n) {
            double t = 0, a = 0, chunk_max_sum = 0, chunk_max = 0;
            for (int k = 0; k < c.K; ++k) {
              const double p =
                  sb::engine::quant::dequant_code(qkind(q), xq[static_cast<std::size_t>(m) * c.K + k]) *
                  sb::engine::quant::dequant_code(qkind(q), wq[static_cast<std::size_t>(n) * c.K + k]);
              t += p;
              a += std::fabs(p);
              chunk_max = std::max(chunk_max, std::fabs(p));
              if (k % 64 == 63 || k == c.K - 1) {
                chunk_max_sum += chunk_max;
                chunk_max = 0;
              }
            }
            const std::size_t i = static_cast<std::size_t>(m) * c.N + n;
            acc[i] = t;
            abs_sum[i] = std::max(a, 1e-30);
            tc_bound[i] = std::max(136.0 * std::ldexp(1.0, -13) * chunk_max_sum +
                                       (c.K / 32.0 + 8.0) * std::ldexp(1.0, -24) * a, 1e-30);
          }
      });
      DBuf d_w(wq.size()), d_x(xq.size()), d_acc(acc.size() * 4);
      d_w.put(wq.data(), wq.size());
      d_x.put(xq.data(), xq.size());
      const auto cas = fmtcase("%s M=%d N=%d K=%d", cudak::wquant_name(q), c.M, c.N, c.K);
      double worst_rel = 0;  // fp8: max |err| / sum |x w| of the last checked path (for the NOTE)
      // tensor_cores = false: fp8 compared with IEEE fp32 accumulation: each element after dividing
      // by sum_k |x_k w_k|, within 4 sqrt(K) 2^-24 (cancellation leaves small results with absolute
      // errors of that scale).  true: within tc_bound.  The engine's tensor-core kernel
      // (qgemm_mma.h) is held to the fp32 tolerance: its mmas start from zero, and their sums
      // measured as accurate as the CUDA-core kernel's (max 3.0e-8 of sum |x w| on an H100).
      auto check_acc = [&](const std::string& kname, bool tensor_cores) {
        std::vector<float> got(acc.size());
        if (q == WQuant::kInt8) {
          std::vector<std::int32_t> gi(acc.size());
          d_acc.get_to(gi.data(), gi.size() * 4);
          for (std::size_t i = 0; i < gi.size(); ++i) got[i] = static_cast<float>(gi[i]);
          return compare(kname, cas, got, acc, Tol{0.5, 1e-7});  // exact integers (as floats)
        }
        d_acc.get_to(got.data(), got.size() * 4);
        std::vector<float> gs(got.size());
        std::vector<double> rs(acc.size());
        worst_rel = 0;
        for (std::size_t i = 0; i < acc.size(); ++i) {
          const double scale = tensor_cores ? tc_bound[i] : abs_sum[i];
          gs[i] = static_cast<float>(got[i] / scale);
          rs[i] = acc[i] / scale;
          worst_rel = std::max(worst_rel, std::isnan(got[i]) ? 1e30 : std::fabs(got[i] - acc[i]) / abs_sum[i]);
        }
        return compare(kname, cas, gs, rs,
                       tensor_cores ? Tol{1.0, 0.0}
                                    : Tol{4.0 * std::sqrt(static_cast<double>(c.K)) * std::ldexp(1.0, -24), 0.0});
      };
      d_acc.poison();
      ck(cudak::launch_qgemm_simple(q, d_acc.get(), d_x.get(), d_w.get(), c.M, c.N, c.K, nullptr), "qgemm_simple");
      ck(cudaDeviceSynchronize(), "qgemm_simple sync");
      check_acc(std::string("qgemm/simple/") + cudak::wquant_name(q), false);
      const double simple_rel = worst_rel;
      double mma_rel = 0, lt_rel = -1;
      if (q == WQuant::kFp8) {
        // The engine's fp8 prefill GEMM, with the automatic tile and each weight tile forced.
        for (int tiles : {0, 1, 2}) {
          d_acc.poison();
          cudak::set_qgemm_fp8_mma_weight_tiles(tiles);
          ck(cudak::launch_qgemm_fp8_mma(d_acc.get(), d_x.get(), d_w.get(), c.M, c.N, c.K, nullptr), "qgemm_fp8_mma");
          ck(cudaDeviceSynchronize(), "qgemm_fp8_mma sync");
          check_acc(tiles == 0 ? "qgemm/mma/fp8" : fmtcase("qgemm/mma/fp8 tiles=%d", tiles), false);
          mma_rel = std::max(mma_rel, worst_rel);
        }
        cudak::set_qgemm_fp8_mma_weight_tiles(0);
        // Fused quantize: the fp16 input itself (rows padded to ld = K + 8), quantized in the GEMM
        // with launch_quantize_rows' arithmetic, must give the codes path's sums bit for bit.
        std::vector<float> codes_path(acc.size()), fused_path(acc.size());
        d_acc.get_to(codes_path.data(), codes_path.size() * 4);
        const int ld_in = c.K + 8;
        auto d_xh = upload(Dt::kF16, pad_rows(x, c.M, c.K, ld_in));
        cudak::Fp8GemmArgs fa;
        fa.rows = c.M;
        fa.n_out = c.N;
        fa.k = c.K;
        fa.wq = d_w.get();
        fa.x_f16 = d_xh->get();
        fa.ld_in = ld_in;
        fa.x_inv_scale = 1.0f / x_scale;
        fa.acc = d_acc.as<float>();
        d_acc.poison();
        ck(cudak::launch_qgemm_fp8_mma(fa, nullptr), "qgemm_fp8_mma fp16-in");
        ck(cudaDeviceSynchronize(), "qgemm_fp8_mma fp16-in sync");
        check_acc("qgemm/mma/fp8 fp16-in", false);
        d_acc.get_to(fused_path.data(), fused_path.size() * 4);
        expect("qgemm/mma/fp8 fp16-in = codes", cas,
               std::memcmp(codes_path.data(), fused_path.data(), codes_path.size() * 4) == 0,
               "sums from the fp16 input differ from those of the quantize kernel's codes");
      }
      cudak::LtShape s;
      s.m = c.M;
      s.n = c.N;
      s.k = c.K;
      s.ldx = c.K;
      s.ldd = c.N;
      s.quant = q;
      if (lt.supported(s)) {
        d_acc.poison();
        lt.run(s, d_w.get(), d_x.get(), nullptr, d_acc.get(), nullptr);
        ck(cudaDeviceSynchronize(), "lt quant sync");
        if (q == WQuant::kInt8) {
          check_acc("qgemm/cublaslt/int8", false);
        } else {
          // The engine's fp8_prefill_gemm=cublaslt option (not the default): compared with the
          // tensor-core bound, though cuBLASLt's accumulation order inside is its own (unknown), so
          // reported in the table and the NOTE line, not counted in the exit status.
          const int before = g_failures;
          check_acc("qgemm/cublaslt/fp8 (option)", true);
          g_failures = before;
          lt_rel = worst_rel;
        }
      } else {
        std::printf("NOTE cuBLASLt offers no %s algorithm for %s\n", cudak::wquant_name(q), cas.c_str());
      }
      if (q == WQuant::kFp8)
        std::printf("NOTE %s max |err| / sum|x w|: simple %.2e, mma %.2e, cublaslt %s\n", cas.c_str(),
                    simple_rel, mma_rel, lt_rel < 0 ? "-" : fmtcase("%.2e", lt_rel).c_str());
      // Dequant epilogue kernel on these accumulators.
      auto bias = rounded(Dt::kF16, randn(c.N, 0.1));
      auto out0 = rounded(Dt::kF16, randn(static_cast<std::size_t>(c.M) * c.N));
      DBuf d_ws(c.N * 4);
      d_ws.put(wsc.data(), c.N * 4);
      auto d_b = upload(Dt::kF16, bias);
      // recompute accumulators with the simple kernel (known good above) before each epilogue
      // Per-row activation scales (the dynamic site) beside the static one.
      std::vector<float> row_sc(c.M);
      for (int m = 0; m < c.M; ++m) row_sc[m] = x_scale * static_cast<float>(0.5 + 0.1 * (m % 7));
      DBuf d_rs(c.M * 4);
      d_rs.put(row_sc.data(), c.M * 4);
      for (int e = 0; e < 6; ++e) {
        const bool per_row = e >= 3;
        ck(cudak::launch_qgemm_simple(q, d_acc.get(), d_x.get(), d_w.get(), c.M, c.N, c.K, nullptr), "qgemm_simple");
        auto d_o = upload(Dt::kF16, out0);
        if (e % 3 != 2) d_o->poison();
        ck(cudak::launch_dequant(q, d_o->get(), c.N, d_acc.get(), c.M, c.N, x_scale, per_row ? d_rs.as<float>() : nullptr,
                                 d_ws.as<float>(), d_b->get(), static_cast<cudak::DequantEpilogue>(e % 3), nullptr), "dequant");
        ck(cudaDeviceSynchronize(), "dequant sync");
        std::vector<double> ref(acc.size());
        for (int m = 0; m < c.M; ++m)
          for (int n = 0; n < c.N; ++n) {
            const std::size_t i = static_cast<std::size_t>(m) * c.N + n;
            const float xsm = per_row ? row_sc[m] : x_scale;
            double v = static_cast<double>(static_cast<float>(acc[i]) * (xsm * wsc[n])) + bias[n];
            if (e % 3 == 1) v = cuda_ref::gelu_new(v);
            if (e % 3 == 2) v += out0[i];
            ref[i] = v;
          }
        const char* en[] = {"store", "gelu", "residual"};
        compare(std::string("dequant/") + en[e % 3] + (per_row ? "/row_scales" : ""), cas,
                download(Dt::kF16, *d_o, ref.size()), ref, kernel_tol(Dt::kF16));
        if (q == WQuant::kFp8) {
          // The engine's fused kernel (GEMM + this epilogue in one launch): from the fp16 input with
          // the static scale, from codes with per-row scales.
          auto d_f = upload(Dt::kF16, out0);
          if (e % 3 != 2) d_f->poison();
          auto d_xh = upload(Dt::kF16, pad_rows(x, c.M, c.K, c.K + 8));
          cudak::Fp8GemmArgs fa;
          fa.rows = c.M;
          fa.n_out = c.N;
          fa.k = c.K;
          fa.wq = d_w.get();
          if (per_row) {
            fa.xq = d_x.get();
            fa.x_row_scales = d_rs.as<float>();
          } else {
            fa.x_f16 = d_xh->get();
            fa.ld_in = c.K + 8;
            fa.x_inv_scale = 1.0f / x_scale;
          }
          fa.out_f16 = d_f->get();
          fa.ldo = c.N;
          fa.x_scale = x_scale;
          fa.w_scale = d_ws.as<float>();
          fa.bias_f16 = d_b->get();
          fa.epi = static_cast<cudak::DequantEpilogue>(e % 3);
          ck(cudak::launch_qgemm_fp8_mma(fa, nullptr), "qgemm_fp8_mma fused");
          ck(cudaDeviceSynchronize(), "qgemm_fp8_mma fused sync");
          compare(std::string("dequant/mma_fused/") + en[e % 3] + (per_row ? "/row_scales" : ""), cas,
                  download(Dt::kF16, *d_f, ref.size()), ref, kernel_tol(Dt::kF16));
        }
      }
    }
}

// ------------------------------------------------------------------------------------ engine
sb::model::GptWeights random_weights(int L, int H, int E, int V, int P, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto rn = [&](std::size_t n, double sd, double mean = 0.0) {
    std::normal_distribution<double> nd(mean, sd);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(nd(rng));
    return v;
  };
  sb::model::GptWeights w;
  auto& c = w.config;
  c.n_layer = L;
  c.n_head = H;
  c.n_embd = E;
  c.vocab_size = V;
  c.n_positions = P;
  const int I = 4 * E;
  w.wte = rn(static_cast<std::size_t>(V) * E, 1.0);
  w.wpe = rn(static_cast<std::size_t>(P) * E, 0.5);
  w.ln_f_weight = rn(E, 0.1, 1.0);
  w.ln_f_bias = rn(E, 0.1);
  for (int i = 0; i < L; ++i) {
    sb::model::LayerWeights l;
    l.ln_1_weight = rn(E, 0.1, 1.0);
    l.ln_1_bias = rn(E, 0.1);
    l.attn_c_attn_weight = rn(static_cast<std::size_t>(E) * 3 * E, 1.0 / std::sqrt(E));
    l.attn_c_attn_bias = rn(3 * E, 0.1);
    l.attn_c_proj_weight = rn(static_cast<std::size_t>(E) * E, 1.0 / std::sqrt(E));
    l.attn_c_proj_bias = rn(E, 0.1);
    l.ln_2_weight = rn(E, 0.1, 1.0);
    l.ln_2_bias = rn(E, 0.1);
    l.mlp_c_fc_weight = rn(static_cast<std::size_t>(E) * I, 1.0 / std::sqrt(E));
    l.mlp_c_fc_bias = rn(I, 0.1);
    l.mlp_c_proj_weight = rn(static_cast<std::size_t>(I) * E, 1.0 / std::sqrt(I));
    l.mlp_c_proj_bias = rn(E, 0.1);
    w.layers.push_back(std::move(l));
  }
  return w;
}

// Whole-model tolerances.  fp32: DESIGN.md's atol = rtol = 1e-4 elementwise on logits, plus for
// each logit v the worst-case rounding bound of its own final dot product,
// gamma_K * sum_k |x_k| |w_vk| with gamma_K = K u / (1 - K u), K = n_embd, u = 2^-24 (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2002, eq. 3.5: valid for ANY summation order)
// and x the reference's final LayerNorm output (lm_head_bound below).  Why the extra term: the
// engine's LM head may add its K products in any order (cuBLASLt picks its own blocking and split),
// and on a trained model that last rounding alone is comparable to 1e-4: pydoc-gpt2-8m's fp32
// decode through cuBLASLt measured 1.09-1.22x of the plain limit (docs/perf-cuda.md, session 4),
// its tokens equal to the oracle's.  The upstream fp32 error (rounding in every layer) is what
// atol/rtol cover, as before; a wrong position, mask or GELU still moves logits by orders of
// magnitude more (the sensitivity checks below use the same limit).  A row that passes only
// because of the extra term is reported (NOTE) so the margin stays visible.
// fp16/bf16: a norm-wise bound on each logits row, ||got - ref|| / ||ref|| <= rel.  Why these
// values: weights and every activation are rounded to the type (unit roundoff u = 2^-11 for
// fp16, 2^-8 for bf16) about six times per layer; independent roundings add in quadrature and
// LayerNorm keeps their scale, so for the 1-6 layer models here the expected logit error is a
// few u to ~10u: rel = 2e-2 (~40u) for fp16 and 8e-2 (~20u) for bf16 leave margin without
// hiding a real bug (a wrong position or mask moves logits by O(1) relative: see sensitivity).
struct EngineTol {
  bool elementwise;
  double atol, rtol, rel;
  bool centered = false;  // rel on rows with their own mean removed (softmax ignores a common shift)
  double slack_rel = 0;   // token slack = 3 * slack_rel * rms of the reference row (0: rel)
  double run_mean = 0;    // > 0: limit on the mean row error over a run's trained-model steps
};
// int8 / fp8 (W8A8, per-channel weights, per-tensor static activations): each quantized input
// carries a relative error of about (amax / qmax) / sqrt(12) / rms: int8 with amax ~ 4 rms ~1%,
// E4M3 (3 mantissa bits) ~2.5% per element; weights alike.  A matrix product averages these into
// a ~1.5% (int8) / ~3.5% (fp8) relative output error, four products per layer add in quadrature
// and LayerNorm keeps the scale: a few percent for the random 1-3 layer models here (measured
// 2026-11-26: all within 0.1).  A trained model is worse: per-tensor static scales meet its
// outlier channels (amax >> 4 rms), so the step grows several-fold; pydoc-gpt2-8m int8 measured
// up to 0.19.  Limits 0.3 (int8) and 0.4 (fp8) are set from that measurement (not from first
// principles) and still catch a wrong scale or layout (O(1) relative) next to the token check.
// Synthetic models keep them.  The trained model (session 6, sb_quant_sim's fp8/int8 emulation of
// the kernels' arithmetic, docs/perf-cuda.md "Per-step limits of int8/fp8 on the trained model"):
// the emulation reproduces the GPU's worst steps of four validate runs to three digits (fp8 0.432 /
// 0.732 / 0.406 / 0.237, int8 0.197 / 0.125 / 0.156 / 0.110) and every exact-argmax count, so
// those steps were the arithmetic, not a GPU error.  Over 200 emulated runs of these pydoc cases
// (12,600 steps per precision) the raw relative L2 reaches 0.83 (fp8) / 0.34 (int8), most of it
// a shift common to all logits of a row (softmax-invariant): with each row's mean removed the
// maxima are 0.469 / 0.240.  Trained rows are therefore compared mean-removed with limits of 1.5x
// those maxima (0.7 / 0.35); the token slack stays 3 x 0.4 / 0.3 x rms (emulated worst token gap
// 0.83 / 0.21 rms); and the mean error over a run's trained steps must stay below 1.3x the worst
// emulated run mean (0.101 / 0.045 -> 0.13 / 0.06), which a systematic error moves (all activation
// ranges halved: >= 0.22 in every emulated run).  A tight engine-vs-emulation check was measured
// and rejected: a W8A8 forward is chaotic (one fp32 ulp before an fp16 rounding in 1 of 16 values
// moves it as far as the fp32 reference), so it would fail falsely.
// The perplexity / KL gates on pydoc-gpt2-8m are the accuracy module's (accuracy.jsonl).
EngineTol engine_tol(const std::string& p, bool trained = false) {
  if (p == "fp32") return {true, 1e-4, 1e-4, 0};
  if (p == "fp16") return {false, 0, 0, 2e-2};
  if (p == "int8") return trained ? EngineTol{false, 0, 0, 0.35, true, 0.3, 0.06} : EngineTol{false, 0, 0, 3e-1};
  if (p == "fp8") return trained ? EngineTol{false, 0, 0, 0.7, true, 0.4, 0.13} : EngineTol{false, 0, 0, 4e-1};
  return {false, 0, 0, 8e-2};
}
// Sum and count of the trained model's per-step errors by precision (the run-mean check).
std::map<std::string, std::pair<double, int>> g_trained_err;
std::string g_calib_text;   // --calib (pydoc engines); empty: engine_file.h's default
std::filesystem::path g_tmp = std::filesystem::temp_directory_path() / "sb_cuda_validate";

// Builds (or reuses, through the cache) the engine file of a quantized case.
// build_defaults: the calibration `scalebench build` uses by default (512 windows of 128 tokens)
// instead of the engine checks' quicker 64 x 64.
std::filesystem::path quant_engine_file(const sb::model::GptWeights& w, const std::string& precision,
                                        const std::string& name, bool trained,
                                        bool build_defaults = false) {
  sb::engine::CalibOptions c;
  if (!build_defaults) {
    c.samples = 64;
    c.seq = std::min(64, w.config.n_positions);
  }
  if (trained) {
    c.text = g_calib_text;
  } else {
    // Random models have no GPT-2 vocabulary: calibrate on random in-vocabulary ids.
    std::mt19937_64 r(77);
    c.tokens.resize(static_cast<std::size_t>(c.samples) * c.seq);
    for (auto& t : c.tokens) t = static_cast<std::int32_t>(r() % w.config.vocab_size);
  }
  std::string dirname = name;
  for (auto& ch : dirname)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  const auto a = sb::engine::ensure_cuda_engine(w, "", precision, c, g_tmp / dirname);
  std::printf("  engine file %s: %llu bytes, build %.0f ms, cached %d, samples %d\n", a.path.string().c_str(),
              static_cast<unsigned long long>(a.bytes), a.build_ms, a.cached,
              a.metadata["calibration_used"].value("samples", 0));
  return a.path;
}

struct RowCheck {
  bool ok;
  double err;      // fp32: max ratio err/(atol+rtol|ref|); else relative L2
  double slack;    // how far below the reference maximum a chosen token may be
};
// Per-logit gamma_K * sum_k |x_k| |wte[v, k]| (see the fp32 tolerance above) for the final
// LayerNorm output x of one position.
std::vector<double> lm_head_bound(const sb::model::GptWeights& w, const std::vector<double>& x) {
  const int V = w.config.vocab_size, E = w.config.n_embd;
  const double u = std::ldexp(1.0, -24), gamma = E * u / (1.0 - E * u);
  std::vector<double> b(V);
  for (int v = 0; v < V; ++v) {
    double s = 0;
    const float* wr = w.wte.data() + static_cast<std::size_t>(v) * E;
    for (int e = 0; e < E; ++e) s += std::fabs(x[e]) * std::fabs(static_cast<double>(wr[e]));
    b[v] = gamma * s;
  }
  return b;
}

RowCheck check_row(const float* got, const std::vector<double>& ref, const EngineTol& t,
                   const std::vector<double>* extra_atol = nullptr, double* err_plain = nullptr) {
  RowCheck r{true, 0, 0};
  double num = 0, den = 0, rms = 0, mx = 0, plain = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (std::isnan(got[i])) return {false, 1e30, 0};
    const double d = got[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
    mx = std::max(mx, std::fabs(ref[i]));
    if (t.elementwise) {
      const double lim = t.atol + t.rtol * std::fabs(ref[i]);
      plain = std::max(plain, std::fabs(d) / lim);
      r.err = std::max(r.err, std::fabs(d) / (lim + (extra_atol != nullptr ? (*extra_atol)[i] : 0.0)));
    }
  }
  if (err_plain != nullptr) *err_plain = plain;
  rms = std::sqrt(den / ref.size());
  if (!t.elementwise) r.err = std::sqrt(num / std::max(den, 1e-300));
  if (!t.elementwise && t.centered) {  // the same with each row's own mean removed
    double mg = 0, mr = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      mg += got[i];
      mr += ref[i];
    }
    mg /= ref.size();
    mr /= ref.size();
    double cn = 0, cd = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const double d = (got[i] - mg) - (ref[i] - mr);
      cn += d * d;
      cd += (ref[i] - mr) * (ref[i] - mr);
    }
    r.err = std::sqrt(cn / std::max(cd, 1e-300));
  }
  const double lim = t.elementwise ? 1.0 : t.rel;
  r.ok = r.err <= lim;
  r.slack = t.elementwise ? 2 * (t.atol + t.rtol * mx) : 3 * (t.slack_rel > 0 ? t.slack_rel : t.rel) * rms;
  return r;
}

// Conditioning of a row on tiny widths.  LayerNorm of a 2-vector is (x1 - x2) / |x1 - x2| up
// to eps: when x1 ~ x2, any error of the precision's size in its inputs flips the sign of the
// normalized vector, and the logits become about the negation of the reference's (relative L2 ~
// 2; seen on L2-H2-E2 in fp8, int8 and bf16 alike, seeds 2 and 3, session 6).  Such a row says
// nothing about the engine.  ln_input_error: the relative error the precision's arithmetic puts
// into a LayerNorm input after a few layers (8 unit roundoffs for fp16 / bf16: the residual stream
// is rounded once per sublayer; int8 ~ amax / 127 / sqrt(12) with amax ~ 4 rms, doubled; E4M3's
// unit roundoff 2^-4 for fp8; fp32 is judged element-wise and never exempted).
double ln_input_error(const std::string& precision) {
  if (precision == "fp16") return 8 * std::ldexp(1.0, -11);
  if (precision == "bf16") return 8 * std::ldexp(1.0, -8);
  if (precision == "int8") return 2e-2;
  if (precision == "fp8") return std::ldexp(1.0, -4);
  return 0;
}
// For a row that failed: recompute the fp64 reference with every LayerNorm input scaled by
// (1 +- ln_input_error) (8 random sign patterns).  If one moves the reference itself by more
// than the row's limit, the row is ill-conditioned at this precision: returns that distance
// (else 0).  Only models with n_embd < 16 qualify (the same restriction as the fp32 sensitivity
// checks: a wider LayerNorm averages such errors out, so a failure there is always judged), and
// only norm-wise limits; the token must still be the argmax of the engine's own logits.
double ill_conditioned_row(const sb::model::GptWeights& w, const std::vector<std::int32_t>& seq, int t,
                           const std::vector<double>& ref, const std::string& precision,
                           const EngineTol& tol) {
  const double eps = ln_input_error(precision);
  if (w.config.n_embd >= 16 || tol.elementwise || eps <= 0) return 0;
  double worst = 0;
  for (int k = 0; k < 8; ++k) {
    cuda_ref::ForwardOptions fo;
    fo.ln_jitter = eps;
    fo.jitter_seed = 1000 + k;
    const auto j = cuda_ref::forward(w, seq, std::vector<int>{t}, fo)[0];
    double num = 0, den = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      num += (j[i] - ref[i]) * (j[i] - ref[i]);
      den += ref[i] * ref[i];
    }
    worst = std::max(worst, std::sqrt(num / std::max(den, 1e-300)));
  }
  return worst > tol.rel ? worst : 0;
}

struct EngineCase {
  std::string name;
  const sb::model::GptWeights* w;
  int batch, seq;
  bool fused_gemv;
  bool all_logits;    // also check LogitsMode::kAll
  // The non-default decode option: fused QKV + attention (else the split-key kernel).
  bool fuse_attention = false;
  // Persistent decode kernel (CudaEngineOptions::persistent_decode); persistent_stress: a tiny
  // grid (3 blocks: more attention items than blocks), a 2-slot weight ring of the smallest slot
  // the shapes allow (every slot reused many times per step) and the smallest key/value prefetch
  // area (keys beyond it read from global memory).  Each persistent case is also compared step by
  // step with an engine on the kernel chain fed the same tokens.
  bool persistent = false;
  bool persistent_stress = false;
  // Small-model decode kernel (CudaEngineOptions::small_decode, default on where it applies): the
  // case checks that it is taken and compares it step by step with the kernel chain (small_decode
  // off) fed the same tokens.  Every other case runs with the engine's defaults.
  bool small = false;
  // fp8 small cases: the decoded-weight variant (CudaEngineOptions::small_fp8_predecode, small_decode.h
  // quant 3) instead of the default; the path check also asks for it in the description.
  bool small_fp8_pre = false;
  // Attention + proj fusion (CudaEngineOptions::fuse_attn_proj): checks that it is taken at this
  // batch and compares it step by step with the kernel chain (fuse_attn_proj off) fed the same tokens.
  bool fuse_attn_proj = false;
  // Its cross-head sum: cluster (true) or fixed-point atomics (false, the engine's default; the
  // ordinary cases take the rule with it, the fused cases set it).
  bool ap_cluster = false;
  // Fused MLP (CudaEngineOptions::fuse_mlp): checks that it is taken at this batch and compares it
  // step by step with the kernel chain (fuse_mlp off) fed the same tokens.
  bool fuse_mlp = false;
  // Attention half of a layer in one kernel (CudaEngineOptions::fuse_attn_layer): checks that it is
  // taken at this batch and compares it step by step with the kernel chain (fuse_attn_layer off).
  bool fuse_attn_layer = false;
};

void run_engine_case(const EngineCase& ec, const std::string& precision) {
  const std::string kname = "engine/" + precision;
  const auto& cfg = ec.w->config;
  const int B = ec.batch, S = ec.seq, steps = 8, V = cfg.vocab_size;
  CudaEngineOptions o;
  o.precision = precision;
  o.max_batch = 4;
  o.max_seq = std::min(cfg.n_positions, S + steps + 2);
  o.fused_gemv = ec.fused_gemv;
  o.fuse_qkv_attention = ec.fuse_attention;
  // Batch 1: force multi-block split-key decode attention on these short caches (when the
  // separate attention kernel runs); batch 3: the engine's automatic split (one block per query).
  o.decode_split_keys = B == 1 ? 8 : 0;
  o.persistent_decode = ec.persistent;
  if (ec.small) o.small_decode = o.small_decode_fp8 = true;  // fp8: opt-in (slower than the chain)
  if (ec.small) o.small_fp8_predecode = ec.small_fp8_pre;  // (other cases: the engine's default)
  if (ec.fuse_attn_proj) o.fuse_attn_proj = 1;  // forced wherever it fits (else the default shape rule)
  o.attn_proj_cluster = ec.ap_cluster;
  if (ec.fuse_mlp) o.fuse_mlp = 1;  // forced wherever it fits (else the default shape rule)
  if (ec.fuse_attn_layer) o.fuse_attn_layer = 1;  // forced wherever it fits (else the rule: off)
  if (ec.persistent_stress) {
    o.persistent_blocks = 3;
    o.persistent_slots = 2;
    o.persistent_slot_bytes = 1;  // rounded up to the smallest slot the shapes allow
    o.persistent_kv_bytes = 1;    // rounded up to the partials' minimum
  }
  if (precision == "int8" || precision == "fp8") {
    try {
      o.engine_file = quant_engine_file(*ec.w, precision, ec.name, ec.name == "pydoc-gpt2-8m");
    } catch (const std::exception& e) {
      expect(kname, ec.name, false, std::string("engine file build failed: ") + e.what());
      return;
    }
  }
  const auto cas = fmtcase("%s B=%d S=%d gemv=%d%s%s", ec.name.c_str(), B, S, ec.fused_gemv,
                           ec.fused_gemv && ec.fuse_attention ? " fused-att" : "",
                           ec.persistent_stress ? " persistent-stress"
                           : ec.persistent      ? " persistent"
                           : ec.small           ? (ec.small_fp8_pre ? " small fp8-decoded" : " small")
                           : ec.fuse_attn_proj  ? (ec.ap_cluster ? " attn-proj-cluster" : " attn-proj-atomic")
                           : ec.fuse_mlp        ? " fused-mlp"
                           : ec.fuse_attn_layer ? " attn-layer"
                                                : "");
  const bool trained = ec.name == "pydoc-gpt2-8m";
  const EngineTol tol = engine_tol(precision, trained);
  std::unique_ptr<Engine> eng;
  try {
    eng = make_cuda_engine(*ec.w, o);
  } catch (const std::exception& e) {
    expect(kname, cas, false, std::string("engine creation failed: ") + e.what());
    return;
  }
  std::vector<std::vector<std::int32_t>> seqs(B);
  std::vector<std::int32_t> prompt(static_cast<std::size_t>(B) * S);
  for (auto& t : prompt) t = static_cast<std::int32_t>(g_rng() % V);
  for (int b = 0; b < B; ++b) seqs[b].assign(prompt.begin() + b * S, prompt.begin() + (b + 1) * S);
  Stat& st = g_stats[kname];
  int exact = 0, total = 0;
  std::vector<std::vector<std::int32_t>> chosen;  // per step, per batch
  std::vector<std::vector<float>> step_logits;     // decode steps of pass A (persistent cases)
  if (ec.persistent)
    expect(kname + "/persistent", cas + " path taken",
           eng->describe().find("persistent_decode=on") != std::string::npos,
           "engine did not enable the persistent decode kernel: " + eng->describe());
  if (ec.small)
    expect(kname + "/small", cas + " path taken",
           describe_field(eng->describe(), "small_decode").rfind("small_decode=on(B=", 0) == 0 &&
               describe_field(eng->describe(), "small_decode").find(fmtcase("B=%d: chain", B)) == std::string::npos &&
               (precision != "fp8" ||
                (describe_field(eng->describe(), "small_decode").find("fp8 decoded weights") != std::string::npos) ==
                    ec.small_fp8_pre),
           "engine did not enable the small decode kernel (or not the fp8 variant asked for) at this batch: " +
               eng->describe());
  if (ec.fuse_attn_proj) {
    const std::string ap = describe_field(eng->describe(), "fuse_attn_proj");
    expect(kname + "/attnproj", cas + " path taken",
           ap.rfind("fuse_attn_proj=on(B=", 0) == 0 && ap.find(fmtcase(" B=%d: chain", B)) == std::string::npos &&
               ap.find(ec.ap_cluster ? "cluster" : "atomic") != std::string::npos,
           "engine did not enable the attention + proj kernel at this batch: " + eng->describe());
  }
  if (ec.fuse_mlp)
    expect(kname + "/mlp", cas + " path taken",
           describe_field(eng->describe(), "fuse_mlp").rfind("fuse_mlp=on(B=", 0) == 0 &&
               describe_field(eng->describe(), "fuse_mlp").find(fmtcase("B=%d: unfused", B)) == std::string::npos,
           "engine did not enable the fused MLP kernel at this batch: " + eng->describe());
  // The attention + proj rule by cache length (max_seq beyond one key split): these cases' decode
  // steps cross the split (batch 1 forces 8 keys), so the eager pass and the graph pass both switch
  // from the fused kernel to the chain mid-run; counted so the log shows the coverage.
  if (!ec.fuse_attn_proj &&
      describe_field(eng->describe(), "fuse_attn_proj").find(fmtcase("%d:", B)) != std::string::npos &&
      describe_field(eng->describe(), "fuse_attn_proj").find("while keys <=") != std::string::npos &&
      S + 1 <= o.decode_split_keys && S + steps > o.decode_split_keys)
    ++g_stats["engine/attnproj-by-cache-length"].cases;
  if (ec.fuse_attn_layer)
    expect(kname + "/attnlayer", cas + " path taken",
           describe_field(eng->describe(), "fuse_attn_layer").rfind("fuse_attn_layer=on(B=", 0) == 0 &&
               describe_field(eng->describe(), "fuse_attn_layer").find(fmtcase(" B=%d: chain", B)) == std::string::npos,
           "engine did not enable the attention layer kernel at this batch: " + eng->describe());
  const bool vs_chain = ec.persistent || ec.small || ec.fuse_attn_proj || ec.fuse_mlp || ec.fuse_attn_layer;
  const char* path = ec.small ? "small" : ec.fuse_attn_proj ? "attnproj" : ec.fuse_mlp ? "mlp"
                   : ec.fuse_attn_layer ? "attnlayer" : "persistent";
  auto check_step = [&](const StepResult& r, const std::string& step) {
    for (int b = 0; b < B; ++b) {
      const int t = static_cast<int>(seqs[b].size()) - 1;
      std::vector<std::vector<double>> hid;
      const auto ref = cuda_ref::forward(*ec.w, seqs[b], std::vector<int>{t}, {}, &hid)[0];
      std::vector<double> bound;
      if (tol.elementwise) bound = lm_head_bound(*ec.w, hid[0]);
      double plain = 0;
      const RowCheck rc = check_row(r.logits.data() + static_cast<std::size_t>(b) * V, ref, tol,
                                    tol.elementwise ? &bound : nullptr, &plain);
      if (tol.elementwise && rc.ok && plain > 1.0)
        std::printf("NOTE %s %s %s b=%d: within the limit only with the LM-head rounding bound "
                    "(%.3g of atol+rtol|ref|, %.3g with the bound)\n",
                    kname.c_str(), cas.c_str(), step.c_str(), b, plain, rc.err);
      ++st.cases;
      const int want = cuda_ref::argmax_lowest<double>(ref);
      const int got = r.next_tokens[b];
      const bool tok_ok = got >= 0 && got < V && ref[got] >= ref[want] - rc.slack;
      const bool logit_argmax = got == cuda_ref::argmax_lowest<float>({r.logits.data() + static_cast<std::size_t>(b) * V, static_cast<std::size_t>(V)});
      exact += got == want;
      ++total;
      const double frac = tol.elementwise ? rc.err : rc.err / tol.rel;  // the table's worst/limit
      if ((!rc.ok || !tok_ok) && logit_argmax) {
        const double moved = ill_conditioned_row(*ec.w, seqs[b], t, ref, precision, tol);
        if (moved > 0) {  // exempt, but listed: its own table row and a NOTE
          Stat& sx = g_stats[kname + "/ill_conditioned"];
          ++sx.cases;
          if (moved / tol.rel > sx.max_err) {
            sx.max_err = moved / tol.rel;
            sx.worst = cas + " " + step;
          }
          std::printf("NOTE %s %s %s b=%d: ill-conditioned row not judged: logits err %.3g, token %d vs "
                      "reference %d, but LayerNorm inputs scaled by 1 +- %.3g move the fp64 reference "
                      "itself by %.3g (limit %.3g)\n",
                      kname.c_str(), cas.c_str(), step.c_str(), b, rc.err, got, want,
                      ln_input_error(precision), moved, tol.rel);
          continue;
        }
      }
      if (frac > st.max_err) {
        st.max_err = frac;
        st.worst = cas + " " + step;
      }
      if (trained && tol.run_mean > 0) {
        g_trained_err[precision].first += rc.err;
        ++g_trained_err[precision].second;
      }
      if (!rc.ok || !tok_ok || !logit_argmax) {
        ++st.failed;
        ++g_failures;
        std::printf("FAIL %s %s %s b=%d: logits err %.3g (limit %s), token %d vs reference %d "
                    "(ref logit gap %.3g, slack %.3g), token is argmax of own logits: %d\n",
                    kname.c_str(), cas.c_str(), step.c_str(), b, rc.err,
                    tol.elementwise ? "1 = atol+rtol|ref|"
                                    : fmtcase("%.3g%s", tol.rel, tol.centered ? " mean-removed" : "").c_str(),
                    got,
                    want, ref[want] - ref[got], rc.slack, logit_argmax);
      }
    }
  };
  try {
    // Pass A: logits at every step (eager path), compared with the fp64 reference.
    StepResult r;
    eng->prefill(B, S, prompt, LogitsMode::kLast, r);
    check_step(r, "prefill");
    chosen.push_back(r.next_tokens);
    for (int s = 0; s < steps; ++s) {
      for (int b = 0; b < B; ++b) seqs[b].push_back(r.next_tokens[b]);
      const auto in = r.next_tokens;
      eng->decode(in, LogitsMode::kLast, r);
      check_step(r, fmtcase("decode %d", s));
      chosen.push_back(r.next_tokens);
      if (vs_chain) step_logits.push_back(r.logits);
    }
    if (vs_chain) {
      // Direct comparison with the kernel chain on the same inputs: both follow the same rounding
      // points, so the logits differ by fp32 summation order only (far below the reference limit).
      CudaEngineOptions oc = o;
      oc.persistent_decode = false;
      oc.small_decode = false;
      oc.fuse_attn_proj = false;
      oc.fuse_mlp = 0;
      oc.fuse_attn_layer = 0;
      auto chain = make_cuda_engine(*ec.w, oc);
      expect(kname + "/" + path, cas + " chain engine takes the chain",
             chain->describe().find("small_decode=off(option)") != std::string::npos &&
                 chain->describe().find("persistent_decode=off") != std::string::npos &&
                 (!ec.fuse_attn_proj || chain->describe().find("fuse_attn_proj=off") != std::string::npos) &&
                 (!ec.fuse_mlp || chain->describe().find("fuse_mlp=off") != std::string::npos) &&
                 (!ec.fuse_attn_layer || chain->describe().find("fuse_attn_layer=off") != std::string::npos),
             "comparison engine is not on the kernel chain: " + chain->describe());
      StepResult rc;
      chain->prefill(B, S, prompt, LogitsMode::kLast, rc);
      double worst = 0;
      int same_tokens = 0, identical_rows = 0;
      bool tokens_ok = true;
      for (int s = 0; s < steps; ++s) {
        chain->decode(chosen[s], LogitsMode::kLast, rc);
        same_tokens += rc.next_tokens == chosen[s + 1];
        for (int b = 0; b < B; ++b) {
          identical_rows += std::memcmp(step_logits[s].data() + static_cast<std::size_t>(b) * V,
                                        rc.logits.data() + static_cast<std::size_t>(b) * V, sizeof(float) * V) == 0;
          double num = 0, den = 0;
          for (int v = 0; v < V; ++v) {
            const double d = static_cast<double>(step_logits[s][static_cast<std::size_t>(b) * V + v]) -
                             rc.logits[static_cast<std::size_t>(b) * V + v];
            num += d * d;
            den += static_cast<double>(rc.logits[static_cast<std::size_t>(b) * V + v]) * rc.logits[static_cast<std::size_t>(b) * V + v];
          }
          const double rel = std::isnan(num) ? 1e30 : std::sqrt(num / std::max(den, 1e-300));
          worst = std::max(worst, rel);
          // Small path: a token other than the chain's must be within the engine cases' token slack
          // of the chain's best logit (a near-tie that fp32 summation order may flip).
          const int mine = chosen[s + 1][b], theirs = rc.next_tokens[b];
          if (ec.small && mine != theirs) {
            const float* row = rc.logits.data() + static_cast<std::size_t>(b) * V;
            double rms = 0;
            for (int v = 0; v < V; ++v) rms += static_cast<double>(row[v]) * row[v];
            rms = std::sqrt(rms / V);
            const double slack = tol.elementwise ? 2e-4 * (1 + std::fabs(row[theirs])) : 3 * tol.rel * rms;
            const bool ok = mine >= 0 && mine < V && row[mine] >= row[theirs] - slack;
            tokens_ok &= ok;
            std::printf("  %s %s decode %d b=%d: token %d vs the chain's %d (chain logit gap %.3g, slack %.3g)\n",
                        ok ? "NOTE" : "FAIL", cas.c_str(), s, b, mine, theirs, row[theirs] - row[mine], slack);
          }
        }
      }
      if (ec.small) expect(kname + "/small_vs_chain", cas + " tokens", tokens_ok, "next token outside the slack of the chain's");
      // Limit: a quarter of the reference tolerance (fp16 5e-3, bf16 2e-2) on the synthetic
      // models, where summation order alone gives a few units of the type's rounding (worst 0.148
      // of it, session 6).  On the trained model, half: there one rounding that lands on the
      // other side of a half/bf16 boundary (fp32 sums in another order) cascades through the
      // cache and the later layers.  Measured (H100, 2026-11-27, three seeds, B=1 S=24 and B=3
      // S=16): bf16 either identical to 1e-7 (3 of 6 runs) or 2e-3..1.9e-2 apart, fp16
      // 8e-4..5.1e-3 apart, tokens identical in every step; the chain's own distance from the fp64
      // reference on the same rows is of that size (fp16 up to 5.3e-3).  Half the reference limit
      // still fails a kernel whose logits drift by a sizeable part of the reference tolerance.
      // With the folded LayerNorm on (the default since session 12), the chain's QKV / c_fc GEMVs round
      // at other points (W' = dt(W gamma) instead of the normalized row), while the persistent and
      // small kernels keep the LayerNorm prologue: two paths each within the reference tolerance,
      // not one path in another summation order, so their distance is held to the
      // sum of their reference tolerances (the triangle inequality; the fp64 comparison above still
      // holds each path to its own limit).  Measured (H200, session 12 call 3): bf16 pydoc-gpt2-8m
      // B=3 S=16 0.0822 apart, each within 0.57 of its limit from the reference.
      const bool folded = describe_field(eng->describe(), "ln_fold").rfind("ln_fold=on", 0) == 0 &&
                          (std::string(path) == "persistent" || std::string(path) == "small");
      const double lim = tol.elementwise ? 1e-4 : folded ? 2 * tol.rel : trained ? tol.rel / 2 : tol.rel / 4;
      Stat& sc = g_stats[kname + "/" + path + "_vs_chain"];
      ++sc.cases;
      if (worst / lim > sc.max_err) {
        sc.max_err = worst / lim;
        sc.worst = cas;
      }
      if (!(worst <= lim)) {
        ++sc.failed;
        ++g_failures;
        std::printf("FAIL %s/%s_vs_chain %s: decode logits relative L2 %.3g vs the kernel chain (limit %.3g)\n",
                    kname.c_str(), path, cas.c_str(), worst, lim);
      }
      std::printf("  %s vs chain %s: worst rel-L2 %.3g, same tokens %d/%d steps, bit-identical logits %d/%d rows\n",
                  path, cas.c_str(), worst, same_tokens, steps, identical_rows, steps * B);
    }
    if (eng->past_length() != S + steps) expect(kname, cas, false, "past_length wrong after decodes");
    // Pass B: no logits (benchmark path: the prefill eager, captured, then replayed from its graph;
    // decode graphs after the first decode): same tokens exactly, decoding from the KV cache the
    // replayed prefill filled.
    bool same = true;
    for (int k = 0; k < 3; ++k) {
      eng->prefill(B, S, prompt, LogitsMode::kNone, r);
      same &= r.next_tokens == chosen[0];
    }
    for (int s = 0; s < steps; ++s) {
      const auto in = r.next_tokens;
      eng->decode(in, LogitsMode::kNone, r);
      same &= r.next_tokens == chosen[s + 1];
    }
    expect(kname + "/graphs", cas, same, "benchmark path (graph replay) chose other tokens than the eager path");
    // Pass C: all-position logits of the prefill.
    if (ec.all_logits) {
      eng->prefill(B, S, prompt, LogitsMode::kAll, r);
      std::vector<int> all(S);
      for (int t = 0; t < S; ++t) all[t] = t;
      bool ok = r.logits.size() == static_cast<std::size_t>(B) * S * V && r.next_tokens == chosen[0];
      double worst = 0;
      for (int b = 0; b < B && ok; ++b) {
        std::vector<std::vector<double>> hid;
        const std::vector<std::int32_t> pb(prompt.begin() + b * S, prompt.begin() + (b + 1) * S);
        const auto refs = cuda_ref::forward(*ec.w, pb, all, {}, &hid);
        for (int t = 0; t < S; ++t) {
          std::vector<double> bound;
          if (tol.elementwise) bound = lm_head_bound(*ec.w, hid[t]);
          const RowCheck rc = check_row(r.logits.data() + (static_cast<std::size_t>(b) * S + t) * V, refs[t], tol,
                                        tol.elementwise ? &bound : nullptr);
          if (!rc.ok && ill_conditioned_row(*ec.w, pb, t, refs[t], precision, tol) > 0) {
            std::printf("NOTE %s/all_logits %s b=%d position %d: ill-conditioned row not judged (logits err %.3g)\n",
                        kname.c_str(), cas.c_str(), b, t, rc.err);
            continue;
          }
          ok &= rc.ok;
          worst = std::max(worst, rc.err);
        }
      }
      expect(kname + "/all_logits", cas, ok, fmtcase("all-position logits out of tolerance (worst %.3g) or wrong size/tokens", worst));
      // Sensitivity (fp32 only): the same comparison must FAIL against a wrong reference.
      // (Not on n_embd < 16: LayerNorm of a 2-vector is +-gamma + beta whatever its input, so such
      // a model is legitimately insensitive to some of these perturbations.)
      if (precision == "fp32" && B == 1 && cfg.n_embd >= 16) {
        const std::vector<std::int32_t> p0(prompt.begin(), prompt.begin() + S);
        const struct { const char* what; cuda_ref::ForwardOptions fo; } variants[] = {
            {"position offset +1", {1, true, false}},
            {"no causal mask", {0, false, false}},
            {"erf GELU instead of gelu_new", {0, true, true}}};
        for (const auto& v : variants) {
          if (v.fo.position_offset + S > cfg.n_positions) continue;
          std::vector<std::vector<double>> hid;
          const auto refs = cuda_ref::forward(*ec.w, p0, all, v.fo, &hid);
          bool any_fail = false;
          for (int t = 0; t < S; ++t) {
            const auto bound = lm_head_bound(*ec.w, hid[t]);  // the same (widest) fp32 limit
            any_fail |= !check_row(r.logits.data() + static_cast<std::size_t>(t) * V, refs[t], tol, &bound).ok;
          }
          expect("sensitivity", cas + " " + v.what, any_fail, "comparison did not detect the perturbed reference");
        }
      }
    }
  } catch (const std::exception& e) {
    expect(kname, cas, false, std::string("exception: ") + e.what());
  }
  std::printf("  %-6s %-44s exact-argmax %d/%d\n", precision.c_str(), cas.c_str(), exact, total);
}

void test_engine_errors(const sb::model::GptWeights& w) {
  CudaEngineOptions o;
  o.precision = "fp32";
  o.max_batch = 2;
  o.max_seq = 6;
  auto eng = make_cuda_engine(w, o);
  StepResult r;
  auto throws = [&](const char* what, const std::function<void()>& f) {
    bool threw = false;
    try {
      f();
    } catch (const sb::Error&) {
      threw = true;
    }
    expect("engine/errors", what, threw, "expected sb::Error");
  };
  std::vector<std::int32_t> one = {1};
  throws("decode before prefill", [&] { eng->decode(one, LogitsMode::kNone, r); });
  throws("prefill beyond max_seq", [&] { eng->prefill(1, 7, std::vector<std::int32_t>(7, 1), LogitsMode::kNone, r); });
  throws("prefill beyond max_batch", [&] { eng->prefill(3, 2, std::vector<std::int32_t>(6, 1), LogitsMode::kNone, r); });
  throws("token out of vocabulary", [&] { eng->prefill(1, 2, std::vector<std::int32_t>{1, w.config.vocab_size}, LogitsMode::kNone, r); });
  eng->prefill(1, 5, std::vector<std::int32_t>(5, 1), LogitsMode::kNone, r);
  eng->decode(r.next_tokens, LogitsMode::kNone, r);
  throws("decode beyond max_seq", [&] { eng->decode(r.next_tokens, LogitsMode::kNone, r); });
  throws("decode with another batch", [&] { eng->decode(std::vector<std::int32_t>{1, 1}, LogitsMode::kNone, r); });
}

// A quantized engine refuses a missing, stale or corrupt engine file.
void test_engine_file_errors(const sb::model::GptWeights& w) {
  CudaEngineOptions o;
  o.precision = "int8";
  o.max_batch = 2;
  o.max_seq = 8;
  auto throws = [&](const char* what, const std::function<void()>& f) {
    bool threw = false;
    try {
      f();
    } catch (const sb::Error&) {
      threw = true;
    }
    expect("engine/file_errors", what, threw, "expected sb::Error");
  };
  throws("int8 without engine file", [&] { make_cuda_engine(w, o); });
  o.engine_file = quant_engine_file(w, "int8", "file-errors", false);
  bool ok = true;
  try {
    make_cuda_engine(w, o);
  } catch (const std::exception& e) {
    ok = false;
    std::printf("FAIL engine/file_errors valid file refused: %s\n", e.what());
  }
  expect("engine/file_errors", "valid file accepted", ok, "valid engine file refused");
  o.engine_model_sha256 = std::string(64, 'c');
  throws("stale: other source model SHA", [&] { make_cuda_engine(w, o); });
  o.engine_model_sha256.clear();
  auto w2 = w;
  w2.layers[0].mlp_c_fc_weight[0] += 0.5f;
  throws("stale: other weights", [&] { make_cuda_engine(w2, o); });
  o.precision = "fp8";
  throws("precision mismatch", [&] { make_cuda_engine(w, o); });
}

void test_engine(const std::string& pydoc) {
  struct M { const char* name; int L, H, E, V, P; };
  std::vector<M> models = {
      {"L2-H2-E2 (head dim 1)", 2, 2, 2, 300, 64},   {"L2-H4-E256 (D64)", 2, 4, 256, 500, 64},
      {"L3-H3-E96 (D32)", 3, 3, 96, 257, 64},        {"L1-H5-E80 (D16)", 1, 5, 80, 211, 64},
      {"L2-H1-E128 (D128)", 2, 1, 128, 300, 64},     {"L1-H25-E200 (D8)", 1, 25, 200, 150, 64},
  };
  if (g_small) models = {{"L2-H2-E2 (head dim 1)", 2, 2, 2, 300, 32}, {"L1-H3-E96 (D32)", 1, 3, 96, 257, 32}};
  std::vector<sb::model::GptWeights> weights;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const M& m = models[i];
    weights.push_back(random_weights(m.L, m.H, m.E, m.V, m.P, 1000 + i));
  }
  if (!g_persistent_only) {
    test_engine_errors(weights[0]);
    test_engine_file_errors(weights[1]);
  }
  // Persistent decode kernel (fp16/bf16): batch 1 (split keys: decode_split_keys 8), 2 (longer
  // cache: 48 keys, two splits of the default 32), 3 and 4, and the stress configuration.
  for (const char* p : {"fp16", "bf16"}) {
    for (std::size_t i = 0; i < models.size(); ++i) {
      auto pc = [&](int b, int sq, bool stress) {
        EngineCase ec{models[i].name, &weights[i], b, sq, true, false};
        ec.persistent = true;
        ec.persistent_stress = stress;
        run_engine_case(ec, p);
      };
      pc(1, 3, false);
      pc(3, 7, false);
      pc(1, 5, true);
      if (!g_small) {
        pc(2, 40, false);
        pc(4, 13, false);
        pc(4, 9, true);
      }
    }
  }
  for (const char* p : {"fp32", "fp16", "bf16", "int8", "fp8"}) {
    if (g_persistent_only) break;
    for (std::size_t i = 0; i < models.size(); ++i) {
      for (bool gemv : {true, false}) {
        if (g_small && !gemv) continue;
        run_engine_case({models[i].name, &weights[i], 1, 3, gemv, gemv}, p);       // rows <= 4
        // (the non-default decode option: fused QKV + attention)
        if (!g_small) run_engine_case({models[i].name, &weights[i], 1, 13, gemv, false, true}, p);
        run_engine_case({models[i].name, &weights[i], 3, 7, gemv, gemv && i == 1}, p);
      }
    }
  }
  if (pydoc.empty()) {
    std::printf("NOTE pydoc-gpt2-8m not given (--pydoc DIR): trained-model checks skipped\n");
    return;
  }
  const auto w = sb::engine::cuda_test::load_hf_folder(pydoc);
  for (const char* p : {"fp16", "bf16", "fp32"}) {
    if (g_persistent_only || std::getenv("SB_FUSE_ATTN_PROJ") != nullptr) break;
    for (bool cl : {true, false}) {
      EngineCase ec{"pydoc-gpt2-8m", &w, 1, 24, true, false};
      ec.fuse_attn_proj = true;
      ec.ap_cluster = cl;
      run_engine_case(ec, p);
      ec.batch = 3;
      ec.seq = 16;
      run_engine_case(ec, p);
    }
  }
  // The persistent kernel (fp16/bf16) and the fused MLP forced on (fp16/bf16/fp32), each vs the
  // chain step by step, at B=1 S=24 and B=3 S=16.
  const bool env_mlp = std::getenv("SB_FUSE_MLP") != nullptr;
  for (const char* p : {"fp16", "bf16", "fp32"})
    for (const bool persistent : {true, false}) {
      if (persistent ? std::string(p) == "fp32" : (g_persistent_only || env_mlp)) continue;
      EngineCase ec{"pydoc-gpt2-8m", &w, 1, 24, true, false};
      ec.persistent = persistent;
      ec.fuse_mlp = !persistent;
      run_engine_case(ec, p);
      ec.batch = 3;
      ec.seq = 16;
      run_engine_case(ec, p);
    }
  for (const char* p : {"fp32", "fp16", "bf16", "int8", "fp8"}) {
    if (g_persistent_only) break;
    run_engine_case({"pydoc-gpt2-8m", &w, 1, 24, true, std::string(p) == "fp32"}, p);
    run_engine_case({"pydoc-gpt2-8m", &w, 3, 16, true, false}, p);
    if (!g_small) run_engine_case({"pydoc-gpt2-8m", &w, 3, 16, false, false}, p);
  }
  // The run-mean check of int8/fp8 on the trained model (engine_tol): its limits were measured on
  // the full run's 63 steps per precision, so --small (fewer steps) only prints the mean.
  for (const auto& [p, sum_n] : g_trained_err) {
    const double mean = sum_n.first / std::max(sum_n.second, 1);
    const double lim = engine_tol(p, true).run_mean;
    std::printf("engine/%s pydoc-gpt2-8m: mean row error over %d steps %.4g (run-mean limit %.3g)\n",
                p.c_str(), sum_n.second, mean, lim);
    if (!g_small)
      expect("engine/" + p, "pydoc-gpt2-8m run mean", mean <= lim,
             fmtcase("mean mean-removed row error %.4g over %d steps exceeds %.3g", mean, sum_n.second, lim));
  }
}

// Models of the fused kernels' engine checks: decode on the chain (n_embd > 64: not the small kernel),
// head dims 16..128.
struct FusedEngineModel { const char* name; int L, H, E, V, P; };
std::vector<FusedEngineModel> fused_engine_models() {
  if (g_small) return {{"L1-H3-E96 (D32)", 1, 3, 96, 257, 32}, {"L2-H4-E256 (D64)", 2, 4, 256, 500, 32}};
  return {{"L2-H4-E256 (D64)", 2, 4, 256, 500, 64}, {"L3-H3-E96 (D32)", 3, 3, 96, 257, 64},
          {"L1-H5-E80 (D16)", 1, 5, 80, 211, 64}, {"L2-H1-E128 (D128)", 2, 1, 128, 300, 64}};
}

// The decode GEMV's weight ring (gemv_ring, session 10) and its input rows by the bulk-copy engine
// (gemv_xtma, the last configuration below): fp16 rows of 16-byte vectors, against the register
// path on the same inputs — the same products in the same
// order, so every output (and the QKV cache rows) must be bit-identical.  Ring sizes 1, 2, 3 and 8
// slots per warp at 1 and 2 blocks per SM (a warp then owns several row groups: each refill crosses
// rows), every epilogue the ring takes (store, gelu, residual, QKV scatter; with and without the
// LayerNorm prologue; the folded token embedding), rows 1-4, gpt2-xl's four shapes and rows past
// the register chunk; the ring's launch count proves the path was taken.  Then the engine: small
// synthetic models (fused kernels off, so every layer GEMV takes the ring), fp16, batch 1, 2 and 4,
// prefill + 6 decode steps, logits and tokens bit-identical to gemv_ring off.
void test_gemv_ring() {
  using E = cudak::GemvEpilogue;
  if (std::getenv("SB_GEMV_RING") != nullptr || std::getenv("SB_GEMV_XTMA") != nullptr ||
      std::getenv("SB_GEMV_LN_THREADS") != nullptr) {
    std::printf("NOTE SB_GEMV_RING / SB_GEMV_XTMA is set: the ring-vs-register-path cases are skipped (it overrides the switch)\n");
    return;
  }
  struct C { int N, K; };
  std::vector<C> shapes = {{4800, 1600}, {1600, 1600}, {6400, 1600}, {1600, 6400}, {2304, 768},
                           {768, 3072}, {40, 2304}, {33, 2056}, {4800, 64}, {97, 128}, {97, 130}};
  if (g_small) shapes = {{40, 2304}, {33, 2056}, {4800, 64}, {97, 128}, {97, 130}, {1600, 6400}};
  const E epis[] = {E::kStore, E::kGelu, E::kResidual, E::kQkvScatter};
  const char* epi_names[] = {"store", "gelu", "residual", "qkv"};
  // {0, 0}: gemv_xtma; {NT, -1} / {NT, -2}: gemv_ln_threads = NT without / with gemv_xtma (session 11);
  // {0, -1}: gemv_ln_threads = 0, the rule by K (512 at K 768..1024, 256 at K ..1280, else 128).
  const int rings[][2] = {{1, 1}, {2, 2}, {3, 2}, {8, 1}, {0, 0}, {256, -1}, {512, -1}, {512, -2}, {0, -1}};
  const Dt dt = Dt::kF16;
  // Split K off: its shape rule (rows >= 3 at 257-512 vectors) takes precedence over the bulk-copy
  // staging, and this section compares the ring / xtma paths with the plain register path.
  const int split0 = cudak::gemv_split_k();
  cudak::set_gemv_split_k(1);
  for (const C& sh : shapes)
    for (int ei = 0; ei < 4; ++ei)
      for (int rows = 1; rows <= cudak::kGemvMaxRows; ++rows)
        for (int ln = 0; ln < 3; ++ln) {
          const E epi = epis[ei];
          const bool fold = ln == 2;
          if (fold && epi != E::kQkvScatter) continue;
          if (ln == 1 && (epi == E::kResidual || epi == E::kStore) && sh.K != 64) continue;  // the engine's LN GEMVs are QKV and c_fc
          if (g_small && rows == 3) continue;
          int N = sh.N, K = sh.K, H = 0, D = 0, seq = 1, past = 3, max_t = 0;
          if (epi == E::kQkvScatter) {
            const int Emb = std::max(1, N / 3);
            N = 3 * Emb;
            H = Emb % 3 == 0 ? 3 : (Emb % 2 == 0 ? 2 : 1);
            D = Emb / H;
            seq = rows == 4 ? 2 : 1;
            max_t = past + seq + 1;
          }
          const long long xs = K + (ln == 1 ? 8 : 0);
          auto x = rounded(dt, randn(static_cast<std::size_t>(rows) * xs, ln ? 2.0 : 1.0, ln ? 0.5 : 0.0));
          const int V = 11, P = past + seq;
          auto wte_h = rounded(dt, randn(static_cast<std::size_t>(V) * K, 1.5, 0.5));
          auto wpe_h = rounded(dt, randn(static_cast<std::size_t>(P) * K, 0.5));
          std::vector<std::int32_t> toks(rows);
          for (int m = 0; m < rows; ++m) toks[m] = (5 * m + 2) % V;
          auto w = rounded(dt, randn(static_cast<std::size_t>(N) * K, 1.0 / std::sqrt(K)));
          auto bias = rounded(dt, randn(N, 0.1));
          auto g = randn(K, 0.2, 1.0), be = randn(K, 0.2);
          auto out0 = rounded(dt, randn(static_cast<std::size_t>(rows) * N));
          auto d_x = upload(dt, x), d_w = upload(dt, w), d_bias = upload(dt, bias);
          auto d_wte = upload(dt, wte_h), d_wpe = upload(dt, wpe_h);
          DBuf d_g(K * 4), d_b(K * 4), d_past(4), d_tok(4 * rows);
          d_g.put(g.data(), K * 4);
          d_b.put(be.data(), K * 4);
          d_past.put(&past, 4);
          d_tok.put(toks.data(), 4 * rows);
          const std::size_t cache_n = static_cast<std::size_t>(std::max(1, rows / seq)) * std::max(H, 1) * std::max(max_t, 1) * std::max(D, 1);
          // Runs the GEMV with `ring` slots per warp (0 = the register path) on fresh output, cache
          // and embed_out buffers; returns out + k cache + v cache + embed_out as raw fp16 words.
          auto run = [&](int ring, int blocks) {
            const bool lnt = blocks < 0;
            cudak::set_gemv_ring(lnt ? 0 : ring);
            cudak::set_gemv_ring_blocks(blocks > 0 ? blocks : 2);
            cudak::set_gemv_xtma(blocks == 0 || blocks == -2);
            cudak::set_gemv_ln_threads(lnt ? ring : 128);
            auto d_out = upload(dt, out0);
            if (epi != E::kResidual) d_out->poison();
            DBuf d_kc(cache_n * 2), d_vc(cache_n * 2), d_eo(static_cast<std::size_t>(rows) * K * 2), d_zs(8 * 4);
            d_kc.poison();
            d_vc.poison();
            d_eo.poison();
            cudak::GemvArgs a;
            a.dt = dt;
            a.w = d_w->get();
            a.n_out = N;
            a.k_in = K;
            a.x = fold ? nullptr : d_x->get();
            a.x_row_stride = xs;
            a.rows = rows;
            if (ln) {
              a.ln_gamma = d_g.as<float>();
              a.ln_beta = d_b.as<float>();
            }
            a.bias = d_bias->get();
            a.epilogue = epi;
            a.out = d_out->get();
            a.out_row_stride = N;
            set_qkv_cache(a, d_kc, d_vc, d_past, seq, H, D, max_t);
            if (fold) {
              set_embedding(a, *d_wte, *d_wpe, d_tok, d_eo, d_zs, 2);
            }
            ck(cudak::launch_gemv(a, nullptr), "gemv launch");
            ck(cudaDeviceSynchronize(), "gemv sync");
            const std::size_t no = static_cast<std::size_t>(rows) * N, ne = static_cast<std::size_t>(rows) * K;
            std::vector<std::uint16_t> all(no + (epi == E::kQkvScatter ? 2 * cache_n : 0) + (fold ? ne : 0));
            d_out->get_to(all.data(), no * 2);
            if (epi == E::kQkvScatter) {
              d_kc.get_to(all.data() + no, cache_n * 2);
              d_vc.get_to(all.data() + no + cache_n, cache_n * 2);
            }
            if (fold) d_eo.get_to(all.data() + no + 2 * cache_n, ne * 2);
            return all;
          };
          const auto base = run(0, 2);
          for (const auto& rb : rings) {
            const bool xt = rb[1] == 0, lt = rb[1] < 0;
            auto count = [&] {
              return lt ? cudak::gemv_ln_threads_launch_count() : xt ? cudak::gemv_xtma_launch_count() : cudak::gemv_ring_launch_count();
            };
            const long long before = count();
            const auto got = run(rb[0], rb[1]);
            const bool taken = count() == before + 1;
            // The ring takes 16-byte rows; the bulk copy also 16-byte-aligned input rows, not the
            // folded embedding; the bigger blocks the LayerNorm'd gelu / QKV GEMVs at one row.
            const bool vec = K % 8 == 0 && (!xt || (!fold && xs % 8 == 0)) &&
                             (!lt || (rows == 1 && ln != 0 && (epi == E::kGelu || epi == E::kQkvScatter))) &&
                             (!lt || rb[0] != 0 || (K >= 768 && K <= 1280));
            std::size_t diff = 0;
            for (std::size_t i = 0; i < got.size(); ++i) diff += got[i] != base[i];
            const auto cas = lt   ? fmtcase("fp16 %s rows=%d N=%d K=%d ln=%d ln_threads=%d%s", epi_names[ei], rows, N, K, ln, rb[0],
                                            rb[1] == -2 ? " xtma" : "")
                             : xt ? fmtcase("fp16 %s rows=%d N=%d K=%d ln=%d xtma", epi_names[ei], rows, N, K, ln)
                                  : fmtcase("fp16 %s rows=%d N=%d K=%d ln=%d ring=%dx%d", epi_names[ei], rows, N, K, ln, rb[0], rb[1]);
            expect(std::string(lt ? "gemv_lnt/" : xt ? "gemv_xtma/" : "gemv_ring/") + epi_names[ei], cas, diff == 0 && taken == vec,
                   fmtcase("%zu of %zu fp16 words differ from the register path; path %s (expected %s)", diff,
                           got.size(), taken ? "taken" : "not taken", vec ? "taken" : "not taken"));
          }
        }
  cudak::set_gemv_ring(0);
  cudak::set_gemv_ring_blocks(2);
  cudak::set_gemv_xtma(false);
  cudak::set_gemv_ln_threads(128);
  cudak::set_gemv_split_k(split0);
  // Engine: ring off vs on (and gemv_xtma on), bit-identical logits and tokens.
  const auto models = fused_engine_models();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto wts = random_weights(models[i].L, models[i].H, models[i].E, models[i].V, models[i].P, 6000 + i);
    const int V = models[i].V;
    for (const auto& [B, S] : std::vector<std::pair<int, int>>{{1, 3}, {2, 5}, {4, 1}}) {
      std::vector<std::int32_t> prompt(static_cast<std::size_t>(B) * S);
      for (auto& t : prompt) t = static_cast<std::int32_t>(g_rng() % V);
      auto pass = [&](int ring, std::string& desc, int xtma = 0, int lnt = 128) {
        CudaEngineOptions o;
        o.gemv_xtma = xtma;
        o.gemv_ln_threads = lnt;
        o.precision = "fp16";
        o.max_batch = 4;
        o.max_seq = S + 10;
        o.fuse_mlp = 0;
        o.fuse_attn_proj = 0;
        o.gemv_ring = ring;
        o.gemv_ring_blocks = 1;  // the fewest blocks: the most row groups per warp
        auto eng = make_cuda_engine(wts, o);
        desc = eng->describe();
        std::vector<float> logits;
        StepResult r;
        eng->prefill(B, S, prompt, LogitsMode::kLast, r);
        logits.insert(logits.end(), r.logits.begin(), r.logits.end());
        for (int s = 0; s < 6; ++s) {
          for (int b = 0; b < B; ++b) logits.push_back(static_cast<float>(r.next_tokens[b]));
          eng->decode(r.next_tokens, LogitsMode::kLast, r);
          logits.insert(logits.end(), r.logits.begin(), r.logits.end());
        }
        return logits;
      };
      std::string d0, d1;
      const long long before = cudak::gemv_ring_launch_count();
      const auto off = pass(0, d0);
      const auto on = pass(2, d1);
      const bool taken = cudak::gemv_ring_launch_count() > before && d1.find("gemv_ring=2x1") != std::string::npos &&
                         d0.find("gemv_ring=") == std::string::npos;
      const bool same = off.size() == on.size() && std::memcmp(off.data(), on.data(), off.size() * sizeof(float)) == 0;
      expect("gemv_ring/engine", fmtcase("%s fp16 B=%d S=%d ring=2x1", models[i].name, B, S), same && taken,
             fmtcase("logits/tokens %s the register path's; ring %s", same ? "identical to" : "DIFFER from",
                     taken ? "taken" : "NOT taken (or described wrongly)"));
      std::string d2;
      const long long xbefore = cudak::gemv_xtma_launch_count();
      const auto xon = pass(0, d2, 1);
      const bool xtaken = cudak::gemv_xtma_launch_count() > xbefore && d2.find("gemv_xtma=on") != std::string::npos;
      const bool xsame = off.size() == xon.size() && std::memcmp(off.data(), xon.data(), off.size() * sizeof(float)) == 0;
      expect("gemv_xtma/engine", fmtcase("%s fp16 B=%d S=%d xtma", models[i].name, B, S), xsame && xtaken,
             fmtcase("logits/tokens %s the register path's; bulk-copy staging %s", xsame ? "identical to" : "DIFFER from",
                     xtaken ? "taken" : "NOT taken (or described wrongly)"));
      // gemv_ln_threads 512 (session 11): bit-identical; the one-row LN GEMVs of a decode step take it.
      std::string d3;
      const long long lbefore = cudak::gemv_ln_threads_launch_count();
      const auto lon = pass(0, d3, 0, 512);
      const bool ltaken = (B != 1 || cudak::gemv_ln_threads_launch_count() > lbefore) && d3.find("gemv_ln_threads=512") != std::string::npos;
      const bool lsame = off.size() == lon.size() && std::memcmp(off.data(), lon.data(), off.size() * sizeof(float)) == 0;
      expect("gemv_lnt/engine", fmtcase("%s fp16 B=%d S=%d ln_threads=512", models[i].name, B, S), lsame && ltaken,
             fmtcase("logits/tokens %s the register path's; 512-thread LN GEMVs %s", lsame ? "identical to" : "DIFFER from",
                     ltaken ? "taken" : "NOT taken (or described wrongly)"));
    }
  }
  cudak::set_gemv_ring(0);
  cudak::set_gemv_ring_blocks(2);
  cudak::set_gemv_xtma(false);
  cudak::set_gemv_ln_threads(128);
}

// The attention + proj fusion in the engine (fuse_attn_proj, off by default; section attn_proj):
// models whose decode takes the chain (n_embd > 64: not the small kernel), batch 1, 3 and 4, prompts
// of 3..40 tokens (batch 1 with the engine's split keys 8: the chain's attention splits, so o is
// not bit-identical there), each vs the fp64 reference and step by step vs the chain.
void test_engine_attn_proj() {
  if (std::getenv("SB_FUSE_ATTN_PROJ") != nullptr) {
    std::printf("NOTE SB_FUSE_ATTN_PROJ is set: the attention + proj vs chain engine cases are skipped (it overrides the option)\n");
    return;
  }
  const auto models = fused_engine_models();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto w = random_weights(models[i].L, models[i].H, models[i].E, models[i].V, models[i].P, 5000 + i);
    for (const char* p : {"fp32", "fp16", "bf16"})
      for (const auto& [b, sq] : std::vector<std::pair<int, int>>{{1, 3}, {3, 7}, {4, 5}, {1, 40}}) {
        if (g_small && (b == 3 || sq == 40)) continue;
        if (sq + 10 > models[i].P) continue;
        for (bool cl : {true, false}) {
          EngineCase ec{models[i].name, &w, b, sq, true, false};
          ec.fuse_attn_proj = true;
          ec.ap_cluster = cl;
          run_engine_case(ec, p);
        }
      }
  }
}

// The attention layer kernel in the engine (fuse_attn_layer, off by default; section attn_layer):
// models whose decode takes the chain (n_embd > 64: not the small kernel), batch 1, 3 and 4 (the
// fused MLP at its default rule beside it), prompts of 3..40 tokens (layer 0 folds the embedding;
// batch 1 with the engine's split keys 8: the chain's attention splits), each vs the fp64 reference
// and step by step vs the chain.
void test_engine_attn_layer() {
  if (std::getenv("SB_FUSE_ATTN_LAYER") != nullptr) {
    std::printf("NOTE SB_FUSE_ATTN_LAYER is set: the attention layer vs chain engine cases are skipped (it overrides the option)\n");
    return;
  }
  const auto models = fused_engine_models();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto w = random_weights(models[i].L, models[i].H, models[i].E, models[i].V, models[i].P, 6000 + i);
    for (const char* p : {"fp32", "fp16", "bf16"})
      for (const auto& [b, sq] : std::vector<std::pair<int, int>>{{1, 3}, {3, 7}, {4, 5}, {1, 40}}) {
        if (g_small && (b == 3 || sq == 40)) continue;
        if (sq + 10 > models[i].P) continue;
        EngineCase ec{models[i].name, &w, b, sq, true, false};
        ec.fuse_attn_layer = true;
        run_engine_case(ec, p);
      }
  }
}

// The fused MLP in the engine (fuse_mlp, off by default; section mlp): models whose decode takes
// the chain (n_embd > 64: not the small kernel), batch 1, 3 and 4 (GEMV rows 1, 3, 4; the prefill of
// B=1 S=3 runs 3 rows through it too), each vs the fp64 reference and step by step vs the chain.
void test_engine_mlp() {
  if (std::getenv("SB_FUSE_MLP") != nullptr) {
    std::printf("NOTE SB_FUSE_MLP is set: the fused-MLP-vs-chain engine cases are skipped (it overrides the option)\n");
    return;
  }
  const auto models = fused_engine_models();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto w = random_weights(models[i].L, models[i].H, models[i].E, models[i].V, models[i].P, 4000 + i);
    for (const char* p : {"fp32", "fp16", "bf16"})
      for (const auto& [b, sq] : std::vector<std::pair<int, int>>{{1, 3}, {3, 7}, {4, 5}}) {
        if (g_small && b == 3) continue;
        EngineCase ec{models[i].name, &w, b, sq, true, false};
        ec.fuse_mlp = true;
        run_engine_case(ec, p);
      }
  }
}

// fp8 in the small kernel, decoded weights (small_fp8_predecode, quant 3) vs the default codes
// (quant 2), same engine file, prompt and tokens: the two compute the same values in the same
// order (small_decode.h), so every decode row's logits and token must be BIT-IDENTICAL (prefill
// included when S = 1: its graph holds the small kernel).
void small_fp8_pre_vs_codes(const std::string& name, const sb::model::GptWeights& w, int B, int S) {
  const std::string k = "engine/fp8/small_decoded_vs_codes";
  const int V = w.config.vocab_size, steps = 8;
  const auto cas = fmtcase("%s B=%d S=%d", name.c_str(), B, S);
  CudaEngineOptions o;
  o.precision = "fp8";
  o.max_batch = 4;
  o.max_seq = std::min(w.config.n_positions, S + steps + 2);
  o.small_decode = o.small_decode_fp8 = true;
  o.small_fp8_predecode = false;  // (the engine's default is true)
  std::unique_ptr<Engine> codes, pre;
  try {
    o.engine_file = quant_engine_file(w, "fp8", name, false);
    codes = make_cuda_engine(w, o);
    o.small_fp8_predecode = true;
    pre = make_cuda_engine(w, o);
  } catch (const std::exception& e) {
    expect(k, cas, false, std::string("engine creation failed: ") + e.what());
    return;
  }
  const std::string dc = describe_field(codes->describe(), "small_decode"), dp = describe_field(pre->describe(), "small_decode");
  expect(k, cas + " paths", dc.find("small_decode=on(") == 0 && dc.find("fp8 decoded") == std::string::npos &&
                               dp.find("fp8 decoded weights") != std::string::npos && dp.find(fmtcase("B=%d: chain", B)) == std::string::npos,
         "expected the codes path and the decoded-weight path: " + dc + " / " + dp);
  std::vector<std::int32_t> prompt(static_cast<std::size_t>(B) * S);
  for (auto& t : prompt) t = static_cast<std::int32_t>(g_rng() % V);
  StepResult rc, rp;
  int rows = 0, identical = 0, same_tokens = 0;
  try {
    codes->prefill(B, S, prompt, LogitsMode::kLast, rc);
    pre->prefill(B, S, prompt, LogitsMode::kLast, rp);
    for (int s = 0; s <= steps; ++s) {
      if (s > 0) {
        const auto in = rp.next_tokens;  // both fed the decoded path's tokens
        codes->decode(in, LogitsMode::kLast, rc);
        pre->decode(in, LogitsMode::kLast, rp);
      }
      same_tokens += rc.next_tokens == rp.next_tokens;
      for (int b = 0; b < B; ++b) {
        ++rows;
        identical += std::memcmp(rc.logits.data() + static_cast<std::size_t>(b) * V,
                                 rp.logits.data() + static_cast<std::size_t>(b) * V, sizeof(float) * V) == 0;
      }
    }
  } catch (const std::exception& e) {
    expect(k, cas, false, std::string("run failed: ") + e.what());
    return;
  }
  std::printf("  %s %s: %d/%d rows bit-identical, tokens identical in %d/%d steps\n", k.c_str(), cas.c_str(),
              identical, rows, same_tokens, steps + 1);
  expect(k, cas + " bit-identical", identical == rows && same_tokens == steps + 1,
         fmtcase("%d/%d rows bit-identical, %d/%d steps with identical tokens", identical, rows, same_tokens, steps + 1));
}

// The small-model decode kernel (small_decode.h) on shapes it applies to: n_embd 2..32, 1-4 heads
// (head dims 1, 3, 4, 8, 16), 1-3 layers, batch 1-4, a cache past 32 keys and the maximum context
// (the last decode step writes position n_positions - 1), fp32/fp16/bf16/int8/fp8; each case vs the
// fp64 reference, vs the kernel chain on the same inputs (with the count of decode rows whose logits
// are bit-identical to the chain's), and graph replay vs eager (run_engine_case).
void test_small() {
  struct M { const char* name; int L, H, E, V, P; };
  std::vector<M> models = {
      {"L2-H2-E2 (head dim 1)", 2, 2, 2, 300, 64}, {"L1-H1-E4 (D4)", 1, 1, 4, 257, 64},
      {"L1-H2-E6 (D3)", 1, 2, 6, 263, 64},         {"L2-H3-E12 (D4)", 2, 3, 12, 311, 64},
      {"L3-H4-E16 (D4)", 3, 4, 16, 500, 64},       {"L2-H1-E16 (D16)", 2, 1, 16, 400, 64},
      {"L1-H4-E32 (D8)", 1, 4, 32, 700, 64},
  };
  if (g_small)
    models = {{"L2-H2-E2 (head dim 1)", 2, 2, 2, 300, 40}, {"L1-H2-E6 (D3)", 1, 2, 6, 263, 40},
              {"L3-H4-E16 (D4)", 3, 4, 16, 500, 40}};
  std::vector<sb::model::GptWeights> weights;
  for (std::size_t i = 0; i < models.size(); ++i)
    weights.push_back(random_weights(models[i].L, models[i].H, models[i].E, models[i].V, models[i].P, 3000 + i));
  // tiny-gpt2's shape (GPT-2 vocabulary, 1024 positions).
  const auto tiny = random_weights(2, 2, 2, 50257, 1024, 2999);
  // int8/fp8 (engine files calibrated on random ids, quant_engine_file): the same cases.  fp8 at
  // batch >= fp8_mma_min_rows with n_embd or n_inner a multiple of 16 keeps the chain (its
  // tensor-core GEMV: plan_small_decode, CPU-tested); those cases run as plain engine cases.
  auto small_applies = [](const std::string& p, int E, int b) {
    return !(p == "fp8" && b >= cudak::fp8_mma_min_rows() && (E % 16 == 0 || (4 * E) % 16 == 0));
  };
  for (const char* p : {"fp32", "fp16", "bf16", "int8", "fp8"}) {
    if (!g_small_precisions.empty() && ("," + g_small_precisions + ",").find(std::string(",") + p + ",") == std::string::npos)
      continue;
    for (std::size_t i = 0; i < models.size(); ++i) {
      const int P = models[i].P;
      std::vector<std::pair<int, int>> cases = {{1, 3}, {4, P - 8}};  // (batch, prompt); P - 8: maximum context
      if (!g_small) cases = {{1, 3}, {2, 40}, {3, 7}, {4, P - 8}};
      for (const auto& [b, sq] : cases) {
        EngineCase ec{models[i].name, &weights[i], b, sq, true, false};
        ec.small = small_applies(p, models[i].E, b);
        run_engine_case(ec, p);
        if (std::string(p) == "fp8" && ec.small) {  // the decoded-weight variant, same case
          ec.small_fp8_pre = true;
          run_engine_case(ec, p);
          small_fp8_pre_vs_codes(models[i].name, weights[i], b, sq);
        }
      }
    }
    // tiny-gpt2's shape (with --small too for fp8 at B=4: the row issue 7 times).
    for (const auto& [b, sq] : std::vector<std::pair<int, int>>{{1, 1016}, {4, 40}, {1, 1}, {3, 300}}) {
      if (g_small && std::string(p) != "fp8") continue;
      if (g_small && sq != 40) continue;
      EngineCase ec{"tiny-gpt2 shape (V 50257, P 1024)", &tiny, b, sq, true, false};
      ec.small = true;
      run_engine_case(ec, p);
      if (std::string(p) == "fp8") {
        ec.small_fp8_pre = true;
        run_engine_case(ec, p);
        small_fp8_pre_vs_codes("tiny-gpt2 shape (V 50257, P 1024)", tiny, b, sq);
      }
    }
  }
}

// Prefill graphs (CudaEngineOptions::prefill_graphs, on by default) against an engine without them,
// on the same prompts.  Each shape's first prefill runs eagerly, the second captures its graph, the
// later ones replay it; every call gets a fresh prompt (a graph must read the new ids, not the ones
// it was captured with), and the first prompt comes back last.  Expected: identical tokens and
// BIT-IDENTICAL last-position logits (the same kernels with the same arguments and the same cuBLASLt
// algorithms: a graph changes how they are launched, not what they compute), then two decode steps
// from the KV cache the replayed prefill filled, bit-identical too.  Checked first: that the eager
// engine itself repeats bit for bit (else no path could be held to bit identity).  The engine's own
// counters must show the paths were taken (eager / captured / replayed / evicted, exact counts).
// Then a 2-shape cache cycled through 3 shapes: every shape evicted and captured again.
void test_prefill_graphs() {
  struct M { const char* name; int L, H, E, V, P; };
  std::vector<M> models = {{"L2-H4-E256 (D64)", 2, 4, 256, 500, 128},
                           {"L2-H2-E2 (head dim 1)", 2, 2, 2, 300, 128},
                           {"L1-H5-E80 (D16)", 1, 5, 80, 211, 128}};
  std::vector<std::pair<int, int>> shapes;  // (batch, seq): GEMV path when batch * seq <= 4
  for (int b = 1; b <= 4; ++b)
    for (int sq : {1, 2, 5, 8, 33, 64, 100}) shapes.emplace_back(b, sq);
  if (g_small) {
    models = {{"L1-H3-E96 (D32)", 1, 3, 96, 257, 48}};
    shapes = {{1, 1}, {1, 8}, {2, 2}, {3, 5}, {4, 17}};
  }
  const std::string k = "engine/prefill_graphs";
  auto bits_equal = [](const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  auto max_abs = [](const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e30;
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
    return m;
  };
  for (std::size_t mi = 0; mi < models.size(); ++mi) {
    const M& m = models[mi];
    const auto w = random_weights(m.L, m.H, m.E, m.V, m.P, 3000 + mi);
    for (const char* prec : {"fp32", "fp16", "bf16", "int8", "fp8"}) {
      // fp16 on the first model also with the persistent decode kernel (the S = 1 prefills
      // then capture that cooperative kernel instead of the chain).
      for (bool persistent : {false, true}) {
        if (persistent && (mi != 0 || std::string(prec) != "fp16")) continue;
        const std::string cas0 = fmtcase("%s %s%s", m.name, prec, persistent ? " persistent" : "");
        CudaEngineOptions o;
        o.precision = prec;
        o.max_batch = 4;
        o.max_seq = std::min(m.P, 104);
        o.persistent_decode = persistent;
        std::unique_ptr<Engine> eg, ee;
        try {
          if (o.precision == "int8" || o.precision == "fp8")
            o.engine_file = quant_engine_file(w, o.precision, std::string("prefill-graphs ") + m.name, false);
          eg = make_cuda_engine(w, o);  // defaults: prefill graphs on, 16 shapes
          CudaEngineOptions oe = o;
          oe.prefill_graphs = false;
          ee = make_cuda_engine(w, oe);
        } catch (const std::exception& e) {
          expect(k, cas0, false, std::string("engine creation failed: ") + e.what());
          continue;
        }
        int keys = 0, compared = 0;
        try {
          for (const auto& [B, S] : shapes) {
            if (persistent && S != 1) continue;
            const auto cas = cas0 + fmtcase(" B=%d S=%d", B, S);
            std::vector<std::vector<std::int32_t>> prompts(3, std::vector<std::int32_t>(static_cast<std::size_t>(B) * S));
            for (auto& p : prompts)
              for (auto& t : p) t = static_cast<std::int32_t>(g_rng() % m.V);
            // Reference: the eager engine, and its own repeat of the first prompt.
            std::vector<StepResult> ref(3);
            for (int i = 0; i < 3; ++i) ee->prefill(B, S, prompts[i], LogitsMode::kLast, ref[i]);
            StepResult again;
            ee->prefill(B, S, prompts[0], LogitsMode::kLast, again);
            expect(k + "/eager_repeat", cas, bits_equal(again.logits, ref[0].logits) && again.next_tokens == ref[0].next_tokens,
                   fmtcase("the eager engine does not repeat itself bit for bit (max |diff| %.3g)",
                           max_abs(again.logits, ref[0].logits)));
            // kLast: eager, captured, replayed, replayed (prompts 0, 1, 2, 0).
            const int order[4] = {0, 1, 2, 0};
            StepResult r;
            for (int call = 0; call < 4; ++call) {
              const int pi = order[call];
              eg->prefill(B, S, prompts[pi], LogitsMode::kLast, r);
              const bool ok = bits_equal(r.logits, ref[pi].logits) && r.next_tokens == ref[pi].next_tokens;
              expect(k, cas + fmtcase(" kLast call %d", call), ok,
                     fmtcase("%s prefill differs from the eager engine: max |logit diff| %.3g, tokens %s",
                             call == 0 ? "eager" : call == 1 ? "captured" : "replayed",
                             max_abs(r.logits, ref[pi].logits), r.next_tokens == ref[pi].next_tokens ? "equal" : "differ"));
              ++compared;
            }
            // Two decode steps from the KV cache the replayed prefill (prompt 0) filled.
            ee->prefill(B, S, prompts[0], LogitsMode::kLast, again);
            for (int step = 0; step < 2 && S + step + 1 <= o.max_seq; ++step) {
              StepResult dg, de;
              eg->decode(r.next_tokens, LogitsMode::kLast, dg);
              ee->decode(again.next_tokens, LogitsMode::kLast, de);
              expect(k + "/decode_after", cas + fmtcase(" step %d", step),
                     bits_equal(dg.logits, de.logits) && dg.next_tokens == de.next_tokens,
                     fmtcase("decode after a replayed prefill differs (max |logit diff| %.3g)", max_abs(dg.logits, de.logits)));
              r = dg;
              again = de;
            }
            // kNone (the benchmark path): eager, captured, replayed; tokens only.
            for (int call = 0; call < 3; ++call) {
              eg->prefill(B, S, prompts[call], LogitsMode::kNone, r);
              expect(k, cas + fmtcase(" kNone call %d", call), r.next_tokens == ref[call].next_tokens,
                     "tokens differ from the eager engine's");
            }
            keys += 2;
          }
          // Exact path counts: per key 1 eager + 1 capture (+ 2 replays for kLast, 1 for kNone);
          // keys are used one after another, so the 16-shape cache evicts keys - 16 and never
          // recaptures.
          const CudaEngineStats st = cuda_engine_stats(*eg);
          const int cap = o.prefill_graph_capacity;
          const bool counts_ok = st.prefill_eager == keys && st.prefill_captures == keys &&
                                 st.prefill_replays == keys / 2 * 3 &&
                                 st.prefill_evictions == std::max(0, keys - cap) &&
                                 st.prefill_graphs_cached == std::min(keys, cap) &&
                                 cuda_engine_stats(*ee).prefill_replays == 0 && cuda_engine_stats(*ee).prefill_captures == 0;
          expect(k + "/paths", cas0, counts_ok,
                 fmtcase("path counts: eager %lld captures %lld replays %lld evictions %lld cached %d for %d keys "
                         "(expected %d / %d / %d / %d / %d; eager engine replays %lld)",
                         st.prefill_eager, st.prefill_captures, st.prefill_replays, st.prefill_evictions,
                         st.prefill_graphs_cached, keys, keys, keys, keys / 2 * 3, std::max(0, keys - cap),
                         std::min(keys, cap), cuda_engine_stats(*ee).prefill_replays));
          if (eg->describe().find("prefill_graphs=on") == std::string::npos ||
              ee->describe().find("prefill_graphs=off") == std::string::npos)
            expect(k + "/paths", cas0 + " describe", false, "describe() does not state prefill_graphs");
        } catch (const std::exception& e) {
          expect(k, cas0, false, std::string("exception: ") + e.what());
        }
        std::printf("  %-40s %d prefills compared bit for bit over %d shapes\n", cas0.c_str(), compared, keys / 2);
      }
    }
    if (g_small || mi != 0) continue;
    // Eviction: a 2-shape cache cycled through 3 shapes (fp16), then one shape repeated.
    CudaEngineOptions o;
    o.precision = "fp16";
    o.max_batch = 4;
    o.max_seq = 64;
    o.prefill_graph_capacity = 2;
    auto eg = make_cuda_engine(w, o);
    o.prefill_graphs = false;
    auto ee = make_cuda_engine(w, o);
    const std::pair<int, int> cyc[] = {{1, 8}, {2, 33}, {4, 3}, {1, 8}, {2, 33}, {4, 3},
                                       {1, 8}, {2, 33}, {4, 3}, {4, 3}};
    bool same = true;
    for (const auto& [B, S] : cyc) {
      std::vector<std::int32_t> p(static_cast<std::size_t>(B) * S);
      for (auto& t : p) t = static_cast<std::int32_t>(g_rng() % m.V);
      StepResult rg, re;
      eg->prefill(B, S, p, LogitsMode::kLast, rg);
      ee->prefill(B, S, p, LogitsMode::kLast, re);
      same &= bits_equal(rg.logits, re.logits) && rg.next_tokens == re.next_tokens;
    }
    const CudaEngineStats st = cuda_engine_stats(*eg);
    expect(k + "/eviction", "capacity 2, 3 shapes cycled", same, "a prefill differs from the eager engine's");
    // Round 1 eager (3); rounds 2-3 capture every shape (6), each evicting the least recent
    // (4 evictions); the repeated last shape replays (1).
    expect(k + "/eviction", "capacity 2, 3 shapes cycled: counts",
           st.prefill_eager == 3 && st.prefill_captures == 6 && st.prefill_evictions == 4 &&
               st.prefill_replays == 1 && st.prefill_graphs_cached == 2,
           fmtcase("eager %lld captures %lld evictions %lld replays %lld cached %d (expected 3 / 6 / 4 / 1 / 2)",
                   st.prefill_eager, st.prefill_captures, st.prefill_evictions, st.prefill_replays,
                   st.prefill_graphs_cached));
  }
}

// Next-token KL(ref || engine) on the trained model over a text the model did not train on (the
// accuracy gate's metric, docs/accuracy.md): non-overlapping windows of `window` tokens of the
// first `bytes` of `corpus`, every window position but the last, reference = the fp64 forward.
// int8/fp8 engines are calibrated on `calib` (as `scalebench build --calib` does).  A measurement
// printed beside the gates, not a pass/fail check (the accuracy module owns the gates).
void test_accuracy(const std::string& pydoc, const std::string& corpus, const std::string& calib,
                   std::size_t bytes, int window) {
  if (pydoc.empty() || corpus.empty()) {
    std::printf("NOTE accuracy: needs --pydoc and --accuracy-corpus\n");
    return;
  }
  const auto w = sb::engine::cuda_test::load_hf_folder(pydoc);
  const auto tok = sb::tokenizer::Tokenizer::from_folder(pydoc);
  std::string text = sb::engine::read_calib_text(corpus);
  if (text.size() > bytes) text.resize(bytes);
  const auto ids = tok.encode(text);
  window = std::min(window, w.config.n_positions);
  std::vector<std::vector<std::int32_t>> wins;
  for (std::size_t b = 0; b + 1 < ids.size(); b += window)
    wins.emplace_back(ids.begin() + b, ids.begin() + std::min(ids.size(), b + window));
  const int V = w.config.vocab_size;
  // Reference log-probabilities of every counted position (float, [positions][V]); windows in
  // parallel (the fp64 reference is single-threaded).
  std::vector<std::vector<std::vector<float>>> per_win(wins.size());
  {
    std::vector<std::thread> pool;
    const unsigned nt = std::max(1u, std::min<unsigned>(16, std::thread::hardware_concurrency()));
    for (unsigned th = 0; th < nt; ++th)
      pool.emplace_back([&, th] {
        for (std::size_t wi = th; wi < wins.size(); wi += nt) {
          const auto& win = wins[wi];
          std::vector<int> want(win.size() - 1);
          for (std::size_t t = 0; t < want.size(); ++t) want[t] = static_cast<int>(t);
          for (const auto& z : cuda_ref::forward(w, win, want)) {
            double mx = -INFINITY, s = 0;
            for (double v : z) mx = std::max(mx, v);
            for (double v : z) s += std::exp(v - mx);
            const double lse = mx + std::log(s);
            std::vector<float> lp(V);
            for (int v = 0; v < V; ++v) lp[v] = static_cast<float>(z[v] - lse);
            per_win[wi].push_back(std::move(lp));
          }
        }
      });
    for (auto& t : pool) t.join();
  }
  std::vector<std::vector<float>> ref_lp;
  for (auto& pw : per_win)
    for (auto& lp : pw) ref_lp.push_back(std::move(lp));
  std::printf("accuracy: %zu windows of <= %d tokens, %zu positions (first %zu bytes of %s); int8/fp8 calibrated on %s\n",
              wins.size(), window, ref_lp.size(), text.size(), corpus.c_str(), calib.empty() ? "(default)" : calib.c_str());
  struct Cfg { const char* label; const char* precision; bool dyn; };
  const Cfg cfgs[] = {{"fp16", "fp16", false}, {"int8 static scales (session 2)", "int8", false},
                      {"int8 per-token mlp c_proj input (default)", "int8", true}, {"fp8", "fp8", false}};
  const std::string saved_calib = g_calib_text;
  g_calib_text = calib;
  for (const Cfg& c : cfgs) {
    CudaEngineOptions o;
    o.precision = c.precision;
    o.max_batch = 1;
    o.max_seq = window;
    o.int8_dynamic_fc2 = c.dyn;
    try {
      if (std::string(c.precision) == "int8" || std::string(c.precision) == "fp8")
        o.engine_file = quant_engine_file(w, c.precision, "pydoc-accuracy", true, /*build_defaults=*/true);
      auto eng = make_cuda_engine(w, o);
      std::vector<double> kl;
      double nll_ref = 0, nll = 0;
      std::size_t pi = 0;
      StepResult r;
      for (const auto& win : wins) {
        const int T = static_cast<int>(win.size());
        eng->prefill(1, T, win, LogitsMode::kAll, r);
        for (int t = 0; t + 1 < T; ++t, ++pi) {
          const float* z = r.logits.data() + static_cast<std::size_t>(t) * V;
          double mx = -INFINITY, s = 0;
          for (int v = 0; v < V; ++v) mx = std::max(mx, static_cast<double>(z[v]));
          for (int v = 0; v < V; ++v) s += std::exp(z[v] - mx);
          const double lse = mx + std::log(s);
          const auto& lr = ref_lp[pi];
          double k = 0;
          for (int v = 0; v < V; ++v) k += std::exp(static_cast<double>(lr[v])) * (lr[v] - (z[v] - lse));
          kl.push_back(k);
          nll_ref -= lr[win[t + 1]];
          nll -= z[win[t + 1]] - lse;
        }
      }
      double mean = 0;
      for (double k : kl) mean += k;
      mean /= std::max<std::size_t>(1, kl.size());
      std::sort(kl.begin(), kl.end());
      const double p99 = kl.empty() ? 0 : kl[static_cast<std::size_t>(0.99 * (kl.size() - 1))];
      const double dppl = 100.0 * (std::exp(nll / kl.size()) - std::exp(nll_ref / kl.size())) / std::exp(nll_ref / kl.size());
      std::printf("accuracy %-44s KL mean %.3e  p99 %.3e  dPPL %+.3f%%\n", c.label, mean, p99, dppl);
    } catch (const std::exception& e) {
      expect("accuracy", c.label, false, std::string("exception: ") + e.what());
    }
  }
  g_calib_text = saved_calib;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pydoc, only, acc_corpus, acc_calib;
  std::size_t acc_bytes = 65536;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--small") g_small = true;
    else if (a == "--pydoc" && i + 1 < argc) pydoc = argv[++i];
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--calib" && i + 1 < argc) g_calib_text = argv[++i];
    else if (a == "--accuracy-corpus" && i + 1 < argc) acc_corpus = argv[++i];
    else if (a == "--accuracy-calib" && i + 1 < argc) acc_calib = argv[++i];
    else if (a == "--accuracy-bytes" && i + 1 < argc) acc_bytes = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) g_rng.seed(std::strtoull(argv[++i], nullptr, 10));
    else if (a == "--small-precisions" && i + 1 < argc) g_small_precisions = argv[++i];
    else {
      std::fprintf(stderr, "usage: cuda_validate [--small] [--pydoc DIR] [--calib TEXT] [--only kernels|layernorm|quant|gemv|attention|qgemv|qkv_attention|engine|prefill_graphs|persistent|small|qgemm|accuracy|attn_proj|attn_proj_q|mlp|mlp_kernel|ln_fold|attn_layer|attn_layer_kernel] [--seed N] [--small-precisions fp32,fp16,bf16,int8,fp8] [--accuracy-corpus DIR --accuracy-calib FILE --accuracy-bytes N]\n");
      return 2;
    }
  }
  // Line-buffered: a run stopped by a time limit still shows which sections finished.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string why;
  if (!cuda_available(&why)) {
    std::fprintf(stderr, "cuda_validate: no usable GPU: %s\n", why.c_str());
    return 3;
  }
  cudaDeviceProp prop{};
  ck(cudaGetDeviceProperties(&prop, 0), "props");
  std::printf("device: %s, %d SMs, cc %d.%d\n", prop.name, prop.multiProcessorCount, prop.major, prop.minor);
  const auto t0 = std::chrono::steady_clock::now();
  auto section = [&](const char* name, auto&& fn) {
    const auto s0 = std::chrono::steady_clock::now();
    const int f0 = g_failures;
    fn();
    std::printf("section %-12s %6.1f s, %d failure(s)\n", name,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count(), g_failures - f0);
  };
  if (only.empty() || only == "kernels") {
    section("embed", test_embed);
    section("layernorm", test_layernorm);
    section("kv_append", test_kv_append);
    section("attention", test_attention);
    section("gemv", test_gemv);
    section("lt_gemm", test_lt_gemm);
    section("argmax_rows", test_argmax_rows);
    section("weight_prep", test_weight_prep);
  }
  if (only.empty() || only == "kernels" || only == "quant") {
    section("quantize", test_quantize_rows);
    section("qgemv", test_qgemv);
    section("qkv_attention", test_qkv_attention);
    section("qgemm", test_qgemm);
  }
  if (only == "qkv_attention") section("qkv_attention", test_qkv_attention);  // the fused kernel alone
  if (only == "qgemv") section("qgemv", test_qgemv);  // the int8/fp8 decode GEMV alone
  if (only == "gemv") section("gemv", test_gemv);  // the fp32/fp16/bf16 decode GEMV alone
  if (only.empty() || only == "kernels" || only == "gemv_ring") section("gemv_ring", test_gemv_ring);  // its weight ring
  if (only.empty() || only == "kernels" || only == "attn_proj") section("attn_proj", test_attn_proj);  // attention + proj fused
  if (only.empty() || only == "kernels" || only == "attn_proj" || only == "qgemv" || only == "attn_proj_q")
    section("attn_proj_q", test_attn_proj_quant);  // ... with int8 / fp8 proj weights
  if (only.empty() || only == "attn_proj") section("engine_attn_proj", test_engine_attn_proj);  // ... in the engine
  if (only.empty() || only == "kernels" || only == "attn_layer" || only == "attn_layer_kernel")
    section("attn_layer", test_attn_layer);  // attention half fused (attn_layer_kernel: without the engine cases)
  if (only.empty() || only == "attn_layer") section("engine_attn_layer", test_engine_attn_layer);  // ... in the engine
  if (only.empty() || only == "kernels" || only == "mlp" || only == "mlp_kernel") section("mlp", test_mlp);  // the fused MLP
  if (only.empty() || only == "kernels" || only == "ln_fold") section("ln_fold", test_ln_fold);  // LayerNorm folded into W
  if (only.empty() || only == "mlp") section("engine_mlp", test_engine_mlp);  // ... in the engine
  if (only == "attention") section("attention", test_attention);  // prefill + decode attention alone
  if (only == "layernorm") section("layernorm", test_layernorm);  // the (prefill) LayerNorm alone
  if (only == "qgemm") section("qgemm", test_qgemm);  // the int8/fp8 prefill GEMMs alone
  if (only.empty() || only == "engine") section("engine", [&] { test_engine(pydoc); });
  if (only.empty() || only == "small") section("small", test_small);
  if (only.empty() || only == "engine" || only == "prefill_graphs") section("prefill_graphs", test_prefill_graphs);
  if (only == "persistent") {
    g_persistent_only = true;
    section("persistent", [&] { test_engine(pydoc); });
  }
  if (only == "accuracy" || (only.empty() && !acc_corpus.empty()))
    section("accuracy", [&] { test_accuracy(pydoc, acc_corpus, acc_calib, acc_bytes, 512); });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\n%-26s %7s %7s %12s  %s\n", "check", "cases", "failed", "worst/limit", "worst case");
  for (const auto& [k, s] : g_stats)
    std::printf("%-26s %7d %7d %12.3g  %s\n", k.c_str(), s.cases, s.failed, s.max_err, s.worst.c_str());
  std::printf("%s: %d failure(s) in %.1f s (%s)\n", g_failures ? "FAILED" : "PASSED", g_failures, secs,
              g_small ? "small shapes" : "full shapes");
  return g_failures ? 1 : 0;
}
