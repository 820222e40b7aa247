// sb_quant_sim — CPU emulation of the native-cuda int8 (W8A8) and fp8 (E4M3 W8A8) engines'
// arithmetic on a trained model, to compare activation-quantization schemes by the accuracy
// gate's metric, and to measure the per-step logits error the engine checks (cuda_validate) bound,
// without a GPU.
// What it computes (one process, CPU only):
//  - reference: an fp32 forward (the oracle's arithmetic, not bit-identical to native-cpu);
//  - candidates: the quantized engines' arithmetic as the kernels do it: fp16 weights for the
//    embeddings and tied LM head, fp16 biases, fp16 activations rounded where the engine stores
//    them (embedding sum, LayerNorm output, every matrix output, the residual stream), the four
//    matrices of every layer (c_attn, attn c_proj, c_fc, mlp c_proj) quantized: weights symmetric
//    per output channel (quant.h, the engine's own code), the fp16 input row quantized with
//    x * (1 / scale) (fp32), then
//      int8: exact int32 products;  fp8: E4M3 codes (quant.h's encoder = __nv_cvt_float_to_fp8
//      with __NV_SATFINITE, round to nearest even), products of the decoded codes summed in fp32
//      (the GEMV's scalar path, its mma.sync path and the prefill's simple GEMM all do that; only
//      the summation order differs, and it rarely matters: an E4M3 x E4M3 product has at most 8
//      significant bits, so fp32 partial sums are exact unless products far apart in size meet
//      (scheme fp8-revsum, summed in reverse order: identical logits at most positions of
//      pydoc-gpt2-8m, p50 0; int8 sums are exact by construction);
//    out = acc * (x_scale * w_scale[n]) + bias, then gelu / residual add and one fp16 rounding.
//    Which input takes a per-row (dynamic) scale is the engine's choice: int8 at the mlp c_proj
//    input (CudaEngineOptions::int8_dynamic_fc2, default on); fp8 nowhere (dynamic_site() is
//    int8-only), so fp8 uses the calibrated static scale at all four sites.
//  - for each scheme over non-overlapping windows of the corpus (every window position but the
//    last; the accuracy module's counting with stride = window): KL(ref || cand) in nats (mean,
//    p99) and the relative perplexity change; and per position the logits row's relative L2 error
//    ||cand - ref|| / ||ref|| (cuda_validate's per-step metric for int8/fp8), the same after
//    subtracting each row's mean (a shift common to all logits does not change the softmax), and
//    top-1 agreement: mean, p50, p90, p99, p99.9, max (percentiles linearly interpolated) and the
//    fraction of positions above 0.3 / 0.4.
//  - (--case-seeds) cuda_validate's pydoc-gpt2-8m engine cases, reproduced: its prompts are
//    uniform random token ids from std::mt19937_64(seed) (default seed 20261126); under
//    `cuda_validate --only engine` (not --small) the synthetic models' cases draw 2,220 ids first
//    and each precision's pydoc cases 120 (B=1 S=24, B=3 S=16 gemv=1, B=3 S=16 gemv=0; precision
//    order fp32 fp16 bf16 int8 fp8), so a scheme of precision index p starts at 2220 + 120 p.
//    Engine files there are calibrated with 64 windows of 64 tokens (quant_engine_file without
//    build defaults) on --calib (gpu-check.sh: the tutorial folder).  Each sequence: prefill, then
//    8 greedy decode steps on the scheme's own tokens (the engine's), each step's last-position
//    logits compared with the fp32 reference on the same tokens, and (for schemes with a base)
//    with the base scheme's emulation on the same tokens (how far a bug or a slightly different
//    implementation moves the engine from a correct emulation).  A full `cuda_validate` run
//    draws its kernel sections' inputs first: --case-draws-before gives the total (21,339 + 2,220
//    for main 2994b96's cuda_validate, session 5's run; 17,499 + 2,220 for ddb18a6, session 4's;
//    counted from the code: one draw per randn() call and per prompt token).
//  - jitter: schemes *-jitter multiply a value by (1 +- eps) just before each fp16 rounding (a
//    fraction of the values, sign from a hash): another implementation whose fp32 arithmetic
//    differs by an ulp here and there (the GPU's fp32 LayerNorm, tanhf, FMA epilogues).  Their
//    distance to the unjittered emulation shows how stable a W8A8 forward is under such
//    differences (not very: once one rounding flips an activation code, the difference grows
//    through the following layers and positions to the size of the quantization error itself).
// Schemes: fp16-only (no quantization: the floor); int8: minmax (session 2 engine), the engine
// default (per-token at the mlp c_proj input), percentile 99.99 / 99.9 (engine_file's calibrator),
// per-token at all sites, SmoothQuant (per input channel s_k = amax_x[k]^a / amax_w[k]^(1-a) moved
// from the activations into the weights, then per-tensor minmax), minmax with one site left in
// fp16, and the engine jittered; fp8: the engine, the engine summed in another order, jittered,
// per-token at mlp c_proj (not what the engine does: a what-if), mlp c_proj input left fp16, and
// three deliberate bugs (the c_fc input's scale used at mlp c_proj, layer 0's attn c_proj weight
// scales shifted by one channel, every activation range halved) to see what each check catches.
// Calibration uses engine_file's calibrate() on the calibration text (as `scalebench build` does),
// plus a per-channel pass for SmoothQuant.
// Usage: sb_quant_sim --model DIR --calib FILE --corpus DIR|FILE [--corpus-bytes 65536 (0: no
//        corpus)] [--window 512] [--threads 2] [--schemes all|id,id]
//        [--jitter-log2 -21 --jitter-frac-log2 0]
//        [--case-seeds 20261126,1-3 --case-calib DIR|FILE --case-calib-samples 64
//         --case-calib-seq 64 --case-schemes id,id --case-draws-before 2220]
// Scheme ids: the first word of a name (as before) or the id printed in brackets.
// Not a test: a measuring tool; docs/perf-cuda.md records its numbers and how close its rows come
// to the GPU engine's measured KL and per-step errors.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/cuda/engine_file.h"
#include "engine/cuda/quant.h"
#include "model/dtype.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace {

using sb::model::GptWeights;
namespace quant = sb::engine::quant;

float h16(float v) { return sb::model::fp16_to_float(sb::model::float_to_fp16(v)); }
// v * (1 +- eps) for a fraction 2^-g_jitter_frac_log2 of the values, the choice and the sign
// from a hash of v's bits: a stand-in for another implementation's fp32 arithmetic before an fp16
// rounding (the GPU's LayerNorm in fp32, tanhf, expf, FMA epilogues differ from this program's by
// an fp32 ulp here and there).  eps below 2^-24 changes nothing (the product rounds back to v).
int g_jitter_frac_log2 = 0;
float jitter(float v, float eps) {
  std::uint32_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  b *= 2654435761u;
  if (g_jitter_frac_log2 > 0 && ((b >> 8) & ((1u << g_jitter_frac_log2) - 1)) != 0) return v;
  return v * (1.0f + ((b >> 31) != 0 ? eps : -eps));
}
float gelu_new(float x) {
  return 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

// Dot product with 8 independent partial sums (vectorizable without -ffast-math).
float dot(const float* a, const float* b, int n) {
  float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) p[j] += a[i + j] * b[i + j];
  float d = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; ++i) d += a[i] * b[i];
  return d;
}

// How the input of one matrix (site) is quantized.
struct SiteQuant {
  enum Mode { kNone, kStatic, kPerToken } mode = kNone;
  quant::Kind kind = quant::Kind::kInt8;
  float x_scale = 1.0f;             // kStatic
  std::vector<float> smooth;        // per input channel divisor (SmoothQuant), empty = none
  // Weights [n_out][k_in] (of the smoothed weights when smooth is set): int8 codes, or the values
  // of the E4M3 codes (exact in fp32), and the per-channel scales.
  std::vector<std::int8_t> wq;
  std::vector<float> wf;
  std::vector<float> ws;
  bool reverse_sum = false;         // fp8: one sequential sum in reverse k order (other order)
};
struct Scheme {
  std::string id;                                    // short name for --schemes / --case-schemes
  std::string name;
  bool fp16 = true;                                  // engine fp16 rounding (false: fp32 oracle)
  std::vector<std::array<SiteQuant, 4>> layers;      // empty: no quantization
  // cuda_validate's precision loop index (fp32 0, fp16 1, bf16 2, int8 3, fp8 4): which prompts
  // its engine cases draw.
  int precision_index = 1;
  int base = -1;                                     // scheme also compared with (index), or -1
  float jitter_eps = 0.0f;                           // > 0: jitter() before every fp16 rounding
};

// One matrix: y[t][n] = x[t] . W[:, n] + b (HF Conv1D [in][out]) in fp32, or the int8/fp8 path.
void linear(const std::vector<float>& x, int T, int K, const std::vector<float>& w_hf,
            const std::vector<float>& bias, int N, const SiteQuant* q, std::vector<float>& y) {
  y.assign(static_cast<std::size_t>(T) * N, 0.0f);
  if (q == nullptr || q->mode == SiteQuant::kNone) {
    for (int t = 0; t < T; ++t) {
      float* yr = &y[static_cast<std::size_t>(t) * N];
      for (int k = 0; k < K; ++k) {
        const float xv = x[static_cast<std::size_t>(t) * K + k];
        const float* wr = &w_hf[static_cast<std::size_t>(k) * N];
        for (int n = 0; n < N; ++n) yr[n] += xv * wr[n];
      }
      for (int n = 0; n < N; ++n) yr[n] += bias[n];  // (already fp16-rounded in the fp16 weights)
    }
    return;
  }
  const bool fp8 = q->kind == quant::Kind::kFp8;
  std::vector<std::int8_t> xq(K);
  std::vector<float> xf(K);
  for (int t = 0; t < T; ++t) {
    const float* xr = &x[static_cast<std::size_t>(t) * K];
    float xs = q->x_scale;
    if (q->mode == SiteQuant::kPerToken) {
      float amax = 0.0f;
      for (int k = 0; k < K; ++k)
        amax = std::max(amax, std::fabs(q->smooth.empty() ? xr[k] : h16(xr[k] / q->smooth[k])));
      xs = quant::scale_for(q->kind, amax);
    }
    const float inv = 1.0f / xs;  // as the engine: x_inv_scale = 1.0f / act_scale (fp32)
    for (int k = 0; k < K; ++k) {
      const float v = q->smooth.empty() ? xr[k] : h16(xr[k] / q->smooth[k]);
      if (fp8) xf[k] = quant::fp8_e4m3_decode(quant::quantize_fp8(v, inv));
      else xq[k] = quant::quantize_int8(v, inv);
    }
    float* yr = &y[static_cast<std::size_t>(t) * N];
    for (int n = 0; n < N; ++n) {
      float acc = 0.0f;
      if (fp8) {
        const float* wr = &q->wf[static_cast<std::size_t>(n) * K];
        if (q->reverse_sum) {
          for (int k = K - 1; k >= 0; --k) acc += xf[k] * wr[k];
        } else {
          acc = dot(xf.data(), wr, K);
        }
      } else {
        const std::int8_t* wr = &q->wq[static_cast<std::size_t>(n) * K];
        std::int32_t iacc = 0;
        for (int k = 0; k < K; ++k) iacc += static_cast<std::int32_t>(xq[k]) * wr[k];
        acc = static_cast<float>(iacc);
      }
      yr[n] = acc * (xs * q->ws[n]) + bias[n];
    }
  }
}

void layernorm(const std::vector<float>& x, int T, int E, const std::vector<float>& g,
               const std::vector<float>& b, bool fp16, std::vector<float>& y, float jitter_eps = 0.0f) {
  y.resize(static_cast<std::size_t>(T) * E);
  for (int t = 0; t < T; ++t) {
    const float* xr = &x[static_cast<std::size_t>(t) * E];
    double mean = 0, var = 0;
    for (int e = 0; e < E; ++e) mean += xr[e];
    mean /= E;
    for (int e = 0; e < E; ++e) var += (xr[e] - mean) * (xr[e] - mean);
    var /= E;
    const float rstd = static_cast<float>(1.0 / std::sqrt(var + 1e-5));
    for (int e = 0; e < E; ++e) {
      const float v = (xr[e] - static_cast<float>(mean)) * rstd * g[e] + b[e];
      y[static_cast<std::size_t>(t) * E + e] = fp16 ? h16(jitter_eps > 0 ? jitter(v, jitter_eps) : v) : v;
    }
  }
}

// Observer of the four matrix inputs (calibration of per-channel ranges).
using SiteHook = std::function<void(int layer, int site, const std::vector<float>& x, int T, int K)>;

// Logits [T - lm_first][V] of positions lm_first .. T-1 of one window (none when lm_first < 0).
// w: the weights the scheme's unquantized parts use (fp16-rounded copies for the engine's
// arithmetic).
void forward(const GptWeights& w, const std::vector<std::int32_t>& toks, const Scheme& s,
             std::vector<float>& logits, const SiteHook& hook = nullptr, int lm_first = 0) {
  const auto& c = w.config;
  const int T = static_cast<int>(toks.size()), E = c.n_embd, H = c.n_head, D = E / H, I = 4 * E,
            V = c.vocab_size;
  const bool f16 = s.fp16;
  const float je = s.jitter_eps;
  auto r = [&](float v) { return f16 ? h16(je > 0 ? jitter(v, je) : v) : v; };
  std::vector<float> x(static_cast<std::size_t>(T) * E), ln, qkv, att(static_cast<std::size_t>(T) * E), y, hbuf;
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e)
      x[static_cast<std::size_t>(t) * E + e] =
          r(w.wte[static_cast<std::size_t>(toks[t]) * E + e] + w.wpe[static_cast<std::size_t>(t) * E + e]);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  std::vector<float> sc(T);
  for (int li = 0; li < c.n_layer; ++li) {
    const auto& L = w.layers[li];
    const std::array<SiteQuant, 4>* q = s.layers.empty() ? nullptr : &s.layers[li];
    layernorm(x, T, E, L.ln_1_weight, L.ln_1_bias, f16, ln, je);
    if (hook) hook(li, 0, ln, T, E);
    linear(ln, T, E, L.attn_c_attn_weight, L.attn_c_attn_bias, 3 * E, q ? &(*q)[0] : nullptr, qkv);
    for (auto& v : qkv) v = r(v);
    for (int h = 0; h < H; ++h)
      for (int t = 0; t < T; ++t) {
        const float* qv = &qkv[static_cast<std::size_t>(t) * 3 * E + h * D];
        float mx = -INFINITY;
        for (int j = 0; j <= t; ++j) {
          const float* kv = &qkv[static_cast<std::size_t>(j) * 3 * E + E + h * D];
          float d = 0;
          for (int i = 0; i < D; ++i) d += qv[i] * kv[i];
          sc[j] = d * scale;
          mx = std::max(mx, sc[j]);
        }
        float den = 0;
        for (int j = 0; j <= t; ++j) den += (sc[j] = std::exp(sc[j] - mx));
        for (int i = 0; i < D; ++i) {
          float o = 0;
          for (int j = 0; j <= t; ++j) o += sc[j] * qkv[static_cast<std::size_t>(j) * 3 * E + 2 * E + h * D + i];
          att[static_cast<std::size_t>(t) * E + h * D + i] = r(o / den);
        }
      }
    if (hook) hook(li, 1, att, T, E);
    linear(att, T, E, L.attn_c_proj_weight, L.attn_c_proj_bias, E, q ? &(*q)[1] : nullptr, y);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = r(x[i] + y[i]);
    layernorm(x, T, E, L.ln_2_weight, L.ln_2_bias, f16, ln, je);
    if (hook) hook(li, 2, ln, T, E);
    linear(ln, T, E, L.mlp_c_fc_weight, L.mlp_c_fc_bias, I, q ? &(*q)[2] : nullptr, hbuf);
    for (auto& v : hbuf) v = r(gelu_new(v));
    if (hook) hook(li, 3, hbuf, T, I);
    linear(hbuf, T, I, L.mlp_c_proj_weight, L.mlp_c_proj_bias, E, q ? &(*q)[3] : nullptr, y);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = r(x[i] + y[i]);
  }
  if (lm_first < 0) return;
  layernorm(x, T, E, w.ln_f_weight, w.ln_f_bias, f16, ln, je);
  logits.assign(static_cast<std::size_t>(T - lm_first) * V, 0.0f);
  for (int t = lm_first; t < T; ++t)
    for (int v = 0; v < V; ++v)
      logits[static_cast<std::size_t>(t - lm_first) * V + v] =
          dot(&ln[static_cast<std::size_t>(t) * E], &w.wte[static_cast<std::size_t>(v) * E], E);
}

// log-sum-exp of one row of logits (double accumulation).
double lse(const float* z, int V) {
  float mx = -INFINITY;
  for (int v = 0; v < V; ++v) mx = std::max(mx, z[v]);
  double s = 0;
  for (int v = 0; v < V; ++v) s += std::exp(z[v] - mx);
  return mx + std::log(s);
}

// Quantized weights of one site (HF [K][N] -> [N][K] codes + scales, quant.h's own code),
// optionally after scaling input channel k by smooth[k].
void quantize_site(const std::vector<float>& w_hf, int K, int N, const std::vector<float>& smooth,
                   quant::Kind kind, SiteQuant& q) {
  std::vector<float> w = w_hf;
  if (!smooth.empty())
    for (int k = 0; k < K; ++k)
      for (int n = 0; n < N; ++n) w[static_cast<std::size_t>(k) * N + n] *= smooth[k];
  std::vector<std::uint8_t> b(static_cast<std::size_t>(N) * K);
  q.kind = kind;
  q.ws.resize(N);
  quant::quantize_weight_hf(kind, w.data(), K, N, b.data(), q.ws.data());
  if (kind == quant::Kind::kInt8) {
    q.wq.resize(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) q.wq[i] = static_cast<std::int8_t>(b[i]);
  } else {
    q.wf.resize(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) q.wf[i] = quant::fp8_e4m3_decode(b[i]);
  }
}

struct SiteDims { int K, N; const std::vector<float>* w; };
SiteDims site_dims(const GptWeights& w, int li, int site) {
  const int E = w.config.n_embd, I = 4 * E;
  const auto& L = w.layers[li];
  switch (site) {
    case 0: return {E, 3 * E, &L.attn_c_attn_weight};
    case 1: return {E, E, &L.attn_c_proj_weight};
    case 2: return {E, I, &L.mlp_c_fc_weight};
    default: return {I, E, &L.mlp_c_proj_weight};
  }
}

// Distribution summary of one per-position statistic (percentiles linearly interpolated).
struct Dist {
  std::size_t n = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, above_03 = 0, above_04 = 0;
};
Dist summarize(std::vector<double> v) {
  Dist d;
  d.n = v.size();
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  for (double x : v) {
    d.mean += x;
    d.above_03 += x > 0.3;
    d.above_04 += x > 0.4;
  }
  d.mean /= static_cast<double>(v.size());
  d.above_03 /= static_cast<double>(v.size());
  d.above_04 /= static_cast<double>(v.size());
  auto pct = [&](double p) {
    const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  d.p50 = pct(50);
  d.p90 = pct(90);
  d.p99 = pct(99);
  d.p999 = pct(99.9);
  d.max = v.back();
  return d;
}
void print_dist_header(const char* what) {
  std::printf("%-50s %7s %7s %7s %7s %7s %7s %7s %8s %8s %7s\n", what, "n", "mean", "p50", "p90",
              "p99", "p99.9", "max", ">0.3", ">0.4", "top1");
}
void print_dist(const std::string& name, const Dist& d, double top1) {
  std::printf("%-50s %7zu %7.3g %7.3g %7.3g %7.3g %7.3g %7.3g %8.5f %8.5f %7.4f\n", name.c_str(),
              d.n, d.mean, d.p50, d.p90, d.p99, d.p999, d.max, d.above_03, d.above_04, top1);
}

// ||a - b|| / ||b|| over one logits row, raw and with each row's mean removed.
void rel_l2(const float* a, const float* b, int V, double& raw, double& centered) {
  double ma = 0, mb = 0;
  for (int v = 0; v < V; ++v) {
    ma += a[v];
    mb += b[v];
  }
  ma /= V;
  mb /= V;
  double num = 0, den = 0, numc = 0, denc = 0;
  for (int v = 0; v < V; ++v) {
    const double d = static_cast<double>(a[v]) - b[v];
    num += d * d;
    den += static_cast<double>(b[v]) * b[v];
    const double dc = d - (ma - mb), bc = b[v] - mb;
    numc += dc * dc;
    denc += bc * bc;
  }
  raw = std::sqrt(num / std::max(den, 1e-300));
  centered = std::sqrt(numc / std::max(denc, 1e-300));
}
// Lowest index of the maximum (cuda_ref::argmax_lowest).
int argmax_lowest(const float* z, int V) {
  int best = 0;
  for (int v = 1; v < V; ++v)
    if (z[v] > z[best]) best = v;
  return best;
}

// Calibration of one text: the engine's per-tensor ranges (minmax and percentiles) and per-channel
// maxima from an fp32 pass over the same windows (SmoothQuant).
struct Calib {
  std::map<std::string, sb::engine::CalibResult> cal;
  std::vector<std::array<std::vector<float>, 4>> ch_amax;
};
// Only what the selected schemes need (each calibrate() is a full fp32 pass over the windows).
bool wants(const std::string& filter, std::initializer_list<const char*> keys) {
  if (filter == "all") return true;
  for (const char* k : keys)
    if (filter.find(k) != std::string::npos) return true;
  return false;
}
Calib calibrate_all(const GptWeights& w, const std::vector<std::int32_t>& ids, int samples, int seq,
                    int threads, const std::string& filter) {
  Calib c;
  std::vector<std::pair<std::string, double>> which = {{"minmax", 0}};
  if (wants(filter, {"p99", "percentile"})) {
    which.emplace_back("p99.99", 99.99);
    which.emplace_back("p99.9", 99.9);
  }
  for (const auto& [name, pct] : which) {
    sb::engine::CalibOptions o;
    o.calibrator = pct > 0 ? "percentile" : "minmax";
    if (pct > 0) o.percentile = pct;
    o.samples = samples;
    o.seq = seq;
    o.threads = threads;
    c.cal[name] = sb::engine::calibrate(w, ids, o);
  }
  if (!wants(filter, {"sq", "SmoothQuant"})) return c;
  c.ch_amax.resize(w.config.n_layer);
  const Scheme ref32{"fp32", "fp32", false, {}};
  const int S = std::min(seq, w.config.n_positions);
  const int n_win = std::min<int>(c.cal["minmax"].samples_used, static_cast<int>(ids.size() / S));
  std::vector<float> lg;
  for (int wi = 0; wi < n_win; ++wi) {
    std::vector<std::int32_t> win(ids.begin() + static_cast<long>(wi) * S, ids.begin() + static_cast<long>(wi + 1) * S);
    forward(w, win, ref32, lg, [&](int li, int site, const std::vector<float>& x, int T, int K) {
      auto& a = c.ch_amax[li][site];
      if (a.empty()) a.assign(K, 0.0f);
      for (int t = 0; t < T; ++t)
        for (int k = 0; k < K; ++k) a[k] = std::max(a[k], std::fabs(x[static_cast<std::size_t>(t) * K + k]));
    }, /*lm_first=*/-1);
  }
  return c;
}

// Every scheme, from one calibration; filter: "all" or a comma list of ids / first words.
// Relative jitter of the *-jitter schemes (--jitter-log2; default 2^-21, a few fp32 ulps).
float g_jitter_eps = std::ldexp(1.0f, -21);

std::vector<Scheme> make_schemes(const GptWeights& w, Calib& c, const std::string& filter) {
  const int L = w.config.n_layer;
  std::vector<Scheme> schemes;
  auto make = [&](const std::string& id, const std::string& name, int pidx, auto&& site_fn) {
    Scheme s{id, name, true, {}, pidx, -1};
    s.layers.resize(L);
    for (int li = 0; li < L; ++li)
      for (int site = 0; site < 4; ++site) site_fn(li, site, s.layers[li][site]);
    schemes.push_back(std::move(s));
  };
  using quant::Kind;
  auto static_site = [&w](const sb::engine::CalibResult& cr, Kind kind) {
    return [&w, &cr, kind](int li, int site, SiteQuant& q) {
      const SiteDims d = site_dims(w, li, site);
      quantize_site(*d.w, d.K, d.N, {}, kind, q);
      q.mode = SiteQuant::kStatic;
      q.x_scale = quant::scale_for(kind, cr.amax[li][site]);
    };
  };
  const auto& mm = c.cal["minmax"];
  schemes.push_back(Scheme{"fp16", "fp16 only (no int8)", true, {}, 1, -1});
  make("int8-minmax", "minmax (int8 static everywhere, session 2 engine)", 3, static_site(mm, Kind::kInt8));
  if (c.cal.count("p99.99")) {
    make("int8-p99.99", "percentile 99.99", 3, static_site(c.cal["p99.99"], Kind::kInt8));
    make("int8-p99.9", "percentile 99.9", 3, static_site(c.cal["p99.9"], Kind::kInt8));
  }
  make("int8-pertoken", "per-token dynamic, all sites", 3, [&](int li, int site, SiteQuant& q) {
    const SiteDims d = site_dims(w, li, site);
    quantize_site(*d.w, d.K, d.N, {}, Kind::kInt8, q);
    q.mode = SiteQuant::kPerToken;
  });
  auto int8_engine = [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kInt8)(li, site, q);
    if (site == 3) q.mode = SiteQuant::kPerToken;
  };
  make("int8-engine", "per-token dynamic fc2 only, minmax elsewhere (int8 engine default)", 3, int8_engine);
  const int int8_base = static_cast<int>(schemes.size()) - 1;
  make("int8-jitter", "int8 engine, +-eps jitter before each fp16 rounding", 3, int8_engine);
  schemes.back().base = int8_base;
  schemes.back().jitter_eps = g_jitter_eps;
  for (double alpha : {0.5, 0.8}) {
    if (c.ch_amax.empty()) break;
    make(alpha == 0.5 ? "int8-sq0.5" : "int8-sq0.8",
         alpha == 0.5 ? "SmoothQuant a=0.5 + minmax" : "SmoothQuant a=0.8 + minmax", 3,
         [&, alpha](int li, int site, SiteQuant& q) {
      const SiteDims d = site_dims(w, li, site);
      std::vector<float> s(d.K);
      float amax_smoothed = 0.0f;
      for (int k = 0; k < d.K; ++k) {
        float wmax = 0.0f;
        for (int n = 0; n < d.N; ++n) wmax = std::max(wmax, std::fabs((*d.w)[static_cast<std::size_t>(k) * d.N + n]));
        const float ax = std::max(c.ch_amax[li][site][k], 1e-5f);
        s[k] = std::clamp(static_cast<float>(std::pow(ax, alpha) / std::pow(std::max(wmax, 1e-5f), 1.0 - alpha)), 1e-2f, 1e2f);
        amax_smoothed = std::max(amax_smoothed, ax / s[k]);
      }
      quantize_site(*d.w, d.K, d.N, s, Kind::kInt8, q);
      q.smooth = s;
      q.mode = SiteQuant::kStatic;
      q.x_scale = quant::scale_for(Kind::kInt8, amax_smoothed);
    });
  }
  const char* site_names[4] = {"c_attn", "attn c_proj", "c_fc", "mlp c_proj"};
  const char* site_ids[4] = {"qkv", "proj", "fc", "fc2"};
  for (int keep = 0; keep < 4; ++keep)
    make(std::string("int8-keep-") + site_ids[keep], std::string("minmax, ") + site_names[keep] + " input left fp16", 3,
         [&, keep](int li, int site, SiteQuant& q) {
      static_site(mm, Kind::kInt8)(li, site, q);
      if (site == keep) q.mode = SiteQuant::kNone;
    });
  // fp8 (E4M3): what the engine does (static minmax scales at all four sites), then variants.
  make("fp8-engine", "fp8 E4M3, static minmax at all sites (fp8 engine)", 4, static_site(mm, Kind::kFp8));
  const int fp8_base = static_cast<int>(schemes.size()) - 1;
  auto with_base = [&] { schemes.back().base = fp8_base; };
  make("fp8-revsum", "fp8 engine, other summation order (reverse k)", 4, [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kFp8)(li, site, q);
    q.reverse_sum = true;
  });
  with_base();
  make("fp8-jitter", "fp8 engine, +-eps jitter before each fp16 rounding", 4, static_site(mm, Kind::kFp8));
  with_base();
  schemes.back().jitter_eps = g_jitter_eps;
  make("fp8-pertoken-fc2", "fp8, per-token at mlp c_proj (what-if, not the engine)", 4,
       [&](int li, int site, SiteQuant& q) {
         static_site(mm, Kind::kFp8)(li, site, q);
         if (site == 3) q.mode = SiteQuant::kPerToken;
       });
  with_base();
  make("fp8-keep-fc2", "fp8, mlp c_proj input left fp16 (attribution)", 4, [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kFp8)(li, site, q);
    if (site == 3) q.mode = SiteQuant::kNone;
  });
  with_base();
  // Deliberate bugs, to see which per-step check would catch them.
  make("fp8-bug-swap", "fp8 BUG: mlp c_proj input uses c_fc input's scale", 4, [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kFp8)(li, site, q);
    if (site == 3) q.x_scale = quant::scale_for(Kind::kFp8, mm.amax[li][2]);
  });
  with_base();
  make("fp8-bug-wshift", "fp8 BUG: layer 0 attn c_proj w_scale shifted by 1", 4, [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kFp8)(li, site, q);
    if (li == 0 && site == 1) std::rotate(q.ws.begin(), q.ws.begin() + 1, q.ws.end());
  });
  with_base();
  make("fp8-bug-half", "fp8 BUG: every activation range halved", 4, [&](int li, int site, SiteQuant& q) {
    static_site(mm, Kind::kFp8)(li, site, q);
    q.x_scale *= 0.5f;
  });
  with_base();
  if (filter == "all") return schemes;
  // Selected schemes and the bases they are compared with (a base precedes its users, so the
  // evaluation computes it first).
  std::vector<bool> sel(schemes.size(), false);
  const std::string f = "," + filter + ",";
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    const std::string& n = schemes[i].name;
    if (f.find("," + schemes[i].id + ",") != std::string::npos ||
        f.find("," + n.substr(0, n.find(' ')) + ",") != std::string::npos) {
      sel[i] = true;
      if (schemes[i].base >= 0) sel[static_cast<std::size_t>(schemes[i].base)] = true;
    }
  }
  std::vector<Scheme> keep;
  std::map<int, int> remap;
  for (std::size_t i = 0; i < schemes.size(); ++i)
    if (sel[i]) {
      remap[static_cast<int>(i)] = static_cast<int>(keep.size());
      keep.push_back(std::move(schemes[i]));
      if (keep.back().base >= 0) keep.back().base = remap.at(keep.back().base);
    }
  return keep;
}

// "20261126,1-3" -> {20261126, 1, 2, 3}
std::vector<std::uint64_t> parse_seeds(const std::string& s) {
  std::vector<std::uint64_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    const std::string part = s.substr(i, j - i);
    const std::size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(std::stoull(part));
    } else {
      const std::uint64_t a = std::stoull(part.substr(0, dash)), b = std::stoull(part.substr(dash + 1));
      if (b < a) sb::fail("sb_quant_sim: seed range {} is empty", part);
      for (std::uint64_t x = a; x <= b; ++x) out.push_back(x);
    }
    i = j + 1;
  }
  return out;
}

// One engine-case step of one scheme.
struct CaseStep {
  std::uint64_t seed;
  int case_index, b, step;  // step 0 = prefill, s + 1 = decode s
  double rel, rel_centered, rel_base;
  bool top1;
  // (ref[argmax ref] - ref[argmax cand]) / rms(ref): what cuda_validate's token check allows as
  // "slack" (3 * rel_limit * rms today), in units of the reference row's rms.
  double gap_over_rms;
};
const struct { int batch, seq; const char* label; } kCases[3] = {
    {1, 24, "B=1 S=24 gemv=1"}, {3, 16, "B=3 S=16 gemv=1"}, {3, 16, "B=3 S=16 gemv=0"}};
constexpr int kDecodeSteps = 8;
// Draws of cuda_validate --only engine (not --small) before the pydoc cases: 5 precisions x 6
// synthetic models x 2 GEMV settings x (1x3 + 1x13 + 3x7) prompt ids; then 120 per precision.
constexpr std::uint64_t kSyntheticDraws = 5ull * 6 * 2 * (3 + 13 + 21), kPydocDrawsPerPrecision = 120;

// --case-draws-before: draws before the pydoc cases (default: `cuda_validate --only engine`; a full
// run adds its kernel sections' draws, e.g. 21,339 for main 2994b96's cuda_validate).
std::uint64_t g_draws_before = kSyntheticDraws;

std::vector<CaseStep> run_cases(const GptWeights& w, const GptWeights& w16, const std::vector<Scheme>& schemes,
                                std::size_t si, std::uint64_t seed) {
  const Scheme& sc = schemes[si];
  const int V = w.config.vocab_size;
  const Scheme ref32{"fp32", "fp32", false, {}};
  std::mt19937_64 rng(seed);
  rng.discard(g_draws_before + kPydocDrawsPerPrecision * static_cast<std::uint64_t>(sc.precision_index));
  std::vector<CaseStep> out;
  std::vector<float> zc, zr, zb;
  for (int ci = 0; ci < 3; ++ci) {
    const int B = kCases[ci].batch, S = kCases[ci].seq;
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(B) * S);
    for (auto& t : prompt) t = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(V));
    for (int b = 0; b < B; ++b) {
      std::vector<std::int32_t> seq(prompt.begin() + b * S, prompt.begin() + (b + 1) * S);
      for (int step = 0; step <= kDecodeSteps; ++step) {
        const int T = static_cast<int>(seq.size());
        forward(w16, seq, sc, zc, nullptr, T - 1);
        forward(w, seq, ref32, zr, nullptr, T - 1);
        CaseStep cs{seed, ci, b, step, 0, 0, -1, false, 0};
        rel_l2(zc.data(), zr.data(), V, cs.rel, cs.rel_centered);
        const int tok = argmax_lowest(zc.data(), V), want = argmax_lowest(zr.data(), V);
        cs.top1 = tok == want;
        double ss = 0;
        for (int v = 0; v < V; ++v) ss += static_cast<double>(zr[v]) * zr[v];
        cs.gap_over_rms = (static_cast<double>(zr[want]) - zr[tok]) / std::sqrt(ss / V);
        if (sc.base >= 0) {
          double unused = 0;
          forward(w16, seq, schemes[static_cast<std::size_t>(sc.base)], zb, nullptr, T - 1);
          rel_l2(zc.data(), zb.data(), V, cs.rel_base, unused);
        }
        out.push_back(cs);
        seq.push_back(tok);  // the engine's own greedy token, as cuda_validate appends
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string model_dir, calib, corpus, schemes_arg = "all", case_seeds_arg, case_calib,
      case_schemes_arg =
          "fp16,int8-engine,int8-jitter,fp8-engine,fp8-jitter,fp8-bug-swap,fp8-bug-wshift,fp8-bug-half";
  std::size_t corpus_bytes = 65536;
  int window = 512, threads = 2, case_calib_samples = 64, case_calib_seq = 64;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) sb::fail("sb_quant_sim: {} needs a value", a);
      return argv[++i];
    };
    if (a == "--model") model_dir = next();
    else if (a == "--calib") calib = next();
    else if (a == "--corpus") corpus = next();
    else if (a == "--corpus-bytes") corpus_bytes = std::stoull(next());
    else if (a == "--window") window = std::stoi(next());
    else if (a == "--threads") threads = std::max(1, std::stoi(next()));
    else if (a == "--schemes") schemes_arg = next();
    else if (a == "--case-seeds") case_seeds_arg = next();
    else if (a == "--case-calib") case_calib = next();
    else if (a == "--case-calib-samples") case_calib_samples = std::stoi(next());
    else if (a == "--case-calib-seq") case_calib_seq = std::stoi(next());
    else if (a == "--case-schemes") case_schemes_arg = next();
    else if (a == "--case-draws-before") g_draws_before = std::stoull(next());
    else if (a == "--jitter-log2") g_jitter_eps = std::ldexp(1.0f, std::stoi(next()));
    else if (a == "--jitter-frac-log2") g_jitter_frac_log2 = std::clamp(std::stoi(next()), 0, 20);
    else sb::fail("usage: sb_quant_sim --model DIR --calib FILE --corpus DIR|FILE [--corpus-bytes N (0: none)] "
                  "[--window 512] [--threads 2] [--schemes all|a,b] [--jitter-log2 -21 --jitter-frac-log2 0] [--case-seeds 20261126,1-3 "
                  "--case-calib DIR|FILE --case-calib-samples 64 --case-calib-seq 64 --case-schemes a,b --case-draws-before 2220]");
  }
  if (model_dir.empty() || calib.empty() || (corpus.empty() && corpus_bytes > 0))
    sb::fail("sb_quant_sim: --model, --calib and --corpus are required (--corpus-bytes 0: no corpus)");
  const auto t_start = std::chrono::steady_clock::now();
  auto elapsed_s = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count(); };
  const GptWeights w = sb::model::load_model(model_dir).weights;
  const auto& cfg = w.config;
  // The engine's fp16 copies of what it does not quantize (embeddings/LM head, biases; and the
  // matrices when a scheme leaves a site unquantized).
  GptWeights w16 = w;
  auto round16 = [](std::vector<float>& v) { for (auto& x : v) x = h16(x); };
  round16(w16.wte);
  round16(w16.wpe);
  for (auto& L : w16.layers) {
    for (auto* t : {&L.attn_c_attn_weight, &L.attn_c_attn_bias, &L.attn_c_proj_weight, &L.attn_c_proj_bias,
                    &L.mlp_c_fc_weight, &L.mlp_c_fc_bias, &L.mlp_c_proj_weight, &L.mlp_c_proj_bias})
      round16(*t);
  }
  const auto tok = sb::tokenizer::Tokenizer::from_folder(model_dir);
  std::vector<std::int32_t> ids;
  std::string text;
  if (corpus_bytes > 0) {
    text = sb::engine::read_calib_text(corpus);
    if (text.size() > corpus_bytes) text.resize(corpus_bytes);
    ids = tok.encode(text);
  }
  const std::vector<std::int32_t> calib_ids = tok.encode(sb::engine::read_calib_text(calib));
  std::printf("model %s: L=%d H=%d E=%d V=%d; corpus %zu bytes = %zu tokens; calibration text %zu tokens\n",
              model_dir.c_str(), cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.vocab_size, text.size(),
              ids.size(), calib_ids.size());

  const sb::engine::CalibOptions build_defaults;
  Calib cal;
  if (!ids.empty()) {
    cal = calibrate_all(w, calib_ids, build_defaults.samples, build_defaults.seq, threads, schemes_arg);
    std::printf("calibration: %d windows of %d tokens (engine_file / scalebench build defaults; %.1f s)\n",
                cal.cal["minmax"].samples_used, build_defaults.seq, elapsed_s());
  }
  const int V = cfg.vocab_size;

  if (!ids.empty()) {
    std::vector<Scheme> schemes = make_schemes(w, cal, schemes_arg);
    // Evaluation: non-overlapping windows; every window position but the last predicts a label.
    std::vector<std::vector<std::int32_t>> windows;
    for (std::size_t b = 0; b + 1 < ids.size(); b += window)
      windows.emplace_back(ids.begin() + b, ids.begin() + std::min(ids.size(), b + window));
    const std::size_t S = schemes.size();
    std::vector<std::vector<double>> kl(S);
    std::vector<double> nll(S, 0.0);
    std::vector<std::vector<std::vector<double>>> kl_w(windows.size(), std::vector<std::vector<double>>(S));
    // Per window and scheme: rel-L2 (raw, centered, vs base) and top-1 agreement per position.
    std::vector<std::vector<std::vector<double>>> rel_w(windows.size(), std::vector<std::vector<double>>(S)),
        relc_w = rel_w, relb_w = rel_w;
    std::vector<std::vector<std::size_t>> top1_w(windows.size(), std::vector<std::size_t>(S, 0));
    std::vector<double> nll_ref_w(windows.size(), 0.0);
    std::vector<std::vector<double>> nll_w(windows.size(), std::vector<double>(S, 0.0));
    std::vector<bool> is_base(S, false);
    for (const auto& sc : schemes)
      if (sc.base >= 0) is_base[static_cast<std::size_t>(sc.base)] = true;
    std::vector<std::thread> pool;
    for (int th = 0; th < threads; ++th)
      pool.emplace_back([&, th] {
        std::vector<float> zr, zc, lr, pr;
        std::map<std::size_t, std::vector<float>> zbase;
        const Scheme ref32{"fp32", "fp32", false, {}};
        for (std::size_t wi = th; wi < windows.size(); wi += threads) {
          const auto& win = windows[wi];
          const int T = static_cast<int>(win.size());
          forward(w, win, ref32, zr);
          lr.resize(static_cast<std::size_t>(T) * V);
          pr.resize(lr.size());
          std::vector<int> ref_top(T);
          for (int t = 0; t + 1 < T; ++t) {
            const float* z = &zr[static_cast<std::size_t>(t) * V];
            ref_top[t] = argmax_lowest(z, V);
            const double l = lse(z, V);
            for (int v = 0; v < V; ++v) {
              lr[static_cast<std::size_t>(t) * V + v] = static_cast<float>(z[v] - l);
              pr[static_cast<std::size_t>(t) * V + v] = std::exp(lr[static_cast<std::size_t>(t) * V + v]);
            }
            nll_ref_w[wi] -= lr[static_cast<std::size_t>(t) * V + win[t + 1]];
          }
          zbase.clear();
          for (std::size_t si = 0; si < S; ++si) {
            forward(w16, win, schemes[si], zc);
            for (int t = 0; t + 1 < T; ++t) {
              const float* z = &zc[static_cast<std::size_t>(t) * V];
              const double l = lse(z, V);
              double k = 0;
              for (int v = 0; v < V; ++v) {
                const std::size_t i = static_cast<std::size_t>(t) * V + v;
                k += pr[i] * (lr[i] - (z[v] - l));
              }
              kl_w[wi][si].push_back(k);
              nll_w[wi][si] -= z[win[t + 1]] - l;
              double r = 0, rc = 0;
              rel_l2(z, &zr[static_cast<std::size_t>(t) * V], V, r, rc);
              rel_w[wi][si].push_back(r);
              relc_w[wi][si].push_back(rc);
              top1_w[wi][si] += argmax_lowest(z, V) == ref_top[t];
              const int b = schemes[si].base;
              if (b >= 0 && zbase.count(static_cast<std::size_t>(b))) {
                double rb = 0, unused = 0;
                rel_l2(z, &zbase[static_cast<std::size_t>(b)][static_cast<std::size_t>(t) * V], V, rb, unused);
                relb_w[wi][si].push_back(rb);
              }
            }
            if (is_base[si]) zbase[si] = zc;
          }
        }
      });
    for (auto& t : pool) t.join();
    double nref = 0;
    std::size_t count = 0;
    std::vector<std::vector<double>> rel(S), relc(S), relb(S);
    std::vector<std::size_t> top1(S, 0);
    for (std::size_t wi = 0; wi < windows.size(); ++wi) {
      nref += nll_ref_w[wi];
      for (std::size_t si = 0; si < S; ++si) {
        kl[si].insert(kl[si].end(), kl_w[wi][si].begin(), kl_w[wi][si].end());
        rel[si].insert(rel[si].end(), rel_w[wi][si].begin(), rel_w[wi][si].end());
        relc[si].insert(relc[si].end(), relc_w[wi][si].begin(), relc_w[wi][si].end());
        relb[si].insert(relb[si].end(), relb_w[wi][si].begin(), relb_w[wi][si].end());
        top1[si] += top1_w[wi][si];
        nll[si] += nll_w[wi][si];
      }
      count += windows[wi].size() - 1;
    }
    const double ppl_ref = std::exp(nref / count);
    std::printf("\nevaluation: %zu windows of <= %d tokens, %zu positions; reference fp32 ppl %.4f (%.1f s)\n",
                windows.size(), window, count, ppl_ref, elapsed_s());
    std::printf("%-46s %12s %12s %10s\n", "scheme (int8 W8A8 unless said)", "KL mean", "KL p99", "dPPL %");
    for (std::size_t si = 0; si < S; ++si) {
      auto v = kl[si];
      double mean = 0;
      for (double k : v) mean += k;
      mean /= std::max<std::size_t>(1, v.size());
      std::sort(v.begin(), v.end());
      const double p99 = v.empty() ? 0 : v[static_cast<std::size_t>(0.99 * (v.size() - 1))];
      const double ppl = std::exp(nll[si] / count);
      std::printf("%-46s %12.3e %12.3e %+10.3f   [%s]\n", schemes[si].name.c_str(), mean, p99,
                  100.0 * (ppl - ppl_ref) / ppl_ref, schemes[si].id.c_str());
    }
    std::printf("\ncorpus positions: logits relative L2 ||cand - ref|| / ||ref|| per position "
                "(cuda_validate's int8/fp8 metric); top1 = fraction whose argmax equals the reference's\n");
    print_dist_header("scheme [id]");
    for (std::size_t si = 0; si < S; ++si)
      print_dist(schemes[si].id, summarize(rel[si]), static_cast<double>(top1[si]) / count);
    std::printf("\ncorpus positions: the same with each row's mean removed (softmax-invariant part)\n");
    print_dist_header("scheme [id]");
    for (std::size_t si = 0; si < S; ++si)
      print_dist(schemes[si].id, summarize(relc[si]), static_cast<double>(top1[si]) / count);
    std::printf("\ncorpus positions: relative L2 against the base scheme's emulation (same tokens)\n");
    print_dist_header("scheme [id] vs base");
    for (std::size_t si = 0; si < S; ++si)
      if (schemes[si].base >= 0)
        print_dist(schemes[si].id + " vs " + schemes[static_cast<std::size_t>(schemes[si].base)].id,
                   summarize(relb[si]), std::nan(""));
  }

  // cuda_validate's pydoc-gpt2-8m engine cases.
  if (!case_seeds_arg.empty()) {
    const std::vector<std::uint64_t> seeds = parse_seeds(case_seeds_arg);
    const std::string cc = case_calib.empty() ? sb::engine::default_calib_text().string() : case_calib;
    const std::vector<std::int32_t> cc_ids = tok.encode(sb::engine::read_calib_text(cc));
    Calib ccal = calibrate_all(w, cc_ids, case_calib_samples, case_calib_seq, threads, case_schemes_arg);
    std::printf("\nengine cases: calibration %s, %d windows of %d tokens (cuda_validate's engine "
                "cases); seeds %zu (first %llu); prompts as `cuda_validate --only engine --seed N`\n",
                cc.c_str(), ccal.cal["minmax"].samples_used, case_calib_seq, seeds.size(),
                static_cast<unsigned long long>(seeds.front()));
    const std::vector<Scheme> cs = make_schemes(w, ccal, case_schemes_arg);
    std::vector<std::vector<std::vector<CaseStep>>> res(cs.size(), std::vector<std::vector<CaseStep>>(seeds.size()));
    std::vector<std::thread> pool;
    for (int th = 0; th < threads; ++th)
      pool.emplace_back([&, th] {
        std::size_t job = 0;
        for (std::size_t si = 0; si < cs.size(); ++si)
          for (std::size_t k = 0; k < seeds.size(); ++k, ++job)
            if (static_cast<int>(job % threads) == th) res[si][k] = run_cases(w, w16, cs, si, seeds[k]);
      });
    for (auto& t : pool) t.join();
    std::printf("engine-case steps (prefill + 8 decodes per sequence, 7 sequences per seed): relative L2 vs the fp32 reference (%.1f s)\n",
                elapsed_s());
    // One distribution row: `field` of scheme si's steps that `keep` selects, with their top-1 rate.
    auto dist_row = [&](const std::string& label, std::size_t si, double CaseStep::*field, auto keep) {
      std::vector<double> r;
      std::size_t agree = 0;
      for (const auto& v : res[si])
        for (const auto& c : v)
          if (keep(c)) {
            r.push_back(c.*field);
            agree += c.top1;
          }
      print_dist(label, summarize(r), r.empty() ? 0.0 : static_cast<double>(agree) / r.size());
    };
    const auto all_steps = [](const CaseStep&) { return true; };
    print_dist_header("scheme [id]");
    for (std::size_t si = 0; si < cs.size(); ++si) dist_row(cs[si].id, si, &CaseStep::rel, all_steps);
    std::printf("\nengine-case steps, prefill only / decode steps only (relative L2 vs fp32 reference)\n");
    print_dist_header("scheme [id] (phase)");
    for (std::size_t si = 0; si < cs.size(); ++si)
      for (int ph = 0; ph < 2; ++ph)
        dist_row(cs[si].id + (ph == 0 ? " (prefill)" : " (decode)"), si, &CaseStep::rel,
                 [ph](const CaseStep& c) { return (c.step == 0) == (ph == 0); });
    std::printf("\nengine-case steps, mean-removed relative L2 vs fp32 reference\n");
    print_dist_header("scheme [id]");
    for (std::size_t si = 0; si < cs.size(); ++si) dist_row(cs[si].id, si, &CaseStep::rel_centered, all_steps);
    std::printf("\nengine-case steps, relative L2 against the base scheme's emulation (same tokens)\n");
    print_dist_header("scheme [id] vs base");
    for (std::size_t si = 0; si < cs.size(); ++si) {
      if (cs[si].base < 0) continue;
      std::vector<double> r;
      for (const auto& v : res[si])
        for (const auto& c : v) r.push_back(c.rel_base);
      print_dist(cs[si].id + " vs " + cs[static_cast<std::size_t>(cs[si].base)].id, summarize(r), std::nan(""));
    }
    // Per seed (one cuda_validate run of a precision = 63 steps): the mean and the max of the
    // steps' relative L2 (raw and mean-removed), the largest token gap / rms, and how many runs a
    // per-step limit on the max would fail.
    std::printf("\nper seed (63 steps each): distribution over seeds of the steps' mean and max relative L2 "
                "(raw | mean-removed); token gap = (ref[ref top-1] - ref[chosen]) / rms(ref row), max over all steps\n");
    std::printf("%-16s %5s %8s %8s %8s %8s %8s %8s | %8s %8s %8s %8s %8s %8s %8s\n", "scheme", "seeds",
                "mean:min", "mean:p50", "mean:max", "max:min", "max:p50", "max:max", "mean:min", "mean:p50",
                "mean:max", "max:min", "max:p50", "max:max", "gap/rms");
    const double limits[] = {0.3, 0.4, 0.5, 0.6, 0.8, 1.0};
    std::vector<std::string> fail_lines;
    for (std::size_t si = 0; si < cs.size(); ++si) {
      std::vector<double> means, maxes, cmeans, cmaxes;
      double gap = 0;
      for (const auto& v : res[si]) {
        double m = 0, mx = 0, cm = 0, cmx = 0;
        for (const auto& c : v) {
          m += c.rel;
          mx = std::max(mx, c.rel);
          cm += c.rel_centered;
          cmx = std::max(cmx, c.rel_centered);
          gap = std::max(gap, c.gap_over_rms);
        }
        const double n = std::max<std::size_t>(1, v.size());
        means.push_back(m / n);
        maxes.push_back(mx);
        cmeans.push_back(cm / n);
        cmaxes.push_back(cmx);
      }
      const Dist dm = summarize(means), dx = summarize(maxes), cdm = summarize(cmeans), cdx = summarize(cmaxes);
      std::printf("%-16s %5zu %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f | %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f\n",
                  cs[si].id.c_str(), means.size(), *std::min_element(means.begin(), means.end()), dm.p50, dm.max,
                  *std::min_element(maxes.begin(), maxes.end()), dx.p50, dx.max,
                  *std::min_element(cmeans.begin(), cmeans.end()), cdm.p50, cdm.max,
                  *std::min_element(cmaxes.begin(), cmaxes.end()), cdx.p50, cdx.max, gap);
      std::string line = cs[si].id + ":";
      for (double lim : limits) {
        const auto raw = std::count_if(maxes.begin(), maxes.end(), [&](double x) { return x > lim; });
        const auto cen = std::count_if(cmaxes.begin(), cmaxes.end(), [&](double x) { return x > lim; });
        line += " >" + std::to_string(lim).substr(0, 3) + " " + std::to_string(raw) + "|" + std::to_string(cen);
      }
      fail_lines.push_back(line);
    }
    std::printf("\nruns (seeds) whose worst step exceeds a per-step limit, raw|mean-removed (of %zu):\n", seeds.size());
    for (const auto& l : fail_lines) std::printf("  %s\n", l.c_str());
    // Seeds one by one (worst step; compare with `cuda_validate --only engine --seed N` logs).
    std::printf("\nworst step per seed (first 8 seeds):\n");
    for (std::size_t k = 0; k < std::min<std::size_t>(8, seeds.size()); ++k)
      for (std::size_t si = 0; si < cs.size(); ++si) {
        const CaseStep* worst = nullptr;
        for (const auto& c : res[si][k])
          if (worst == nullptr || c.rel > worst->rel) worst = &c;
        if (worst == nullptr) continue;
        std::printf("  seed %-9llu %-18s %.4f %s b=%d %s%s\n", static_cast<unsigned long long>(seeds[k]),
                    cs[si].id.c_str(), worst->rel, kCases[worst->case_index].label, worst->b,
                    worst->step == 0 ? "prefill" : ("decode " + std::to_string(worst->step - 1)).c_str(),
                    worst->top1 ? "" : " (top-1 differs)");
      }
    // The first seed's steps one by one (compare with a GPU log of the same seed).
    std::printf("\nseed %llu, per step (relative L2 vs fp32 reference; * = top-1 differs):\n",
                static_cast<unsigned long long>(seeds.front()));
    for (std::size_t si = 0; si < cs.size(); ++si) {
      std::printf("  %s\n", cs[si].id.c_str());
      for (int ci = 0; ci < 3; ++ci)
        for (int b = 0; b < kCases[ci].batch; ++b) {
          std::printf("    %-16s b=%d:", kCases[ci].label, b);
          for (const auto& c : res[si][0])
            if (c.case_index == ci && c.b == b) std::printf(" %.3f%s", c.rel, c.top1 ? " " : "*");
          std::printf("\n");
        }
    }
    // Worst steps of every scheme over all seeds.
    std::printf("\nworst step of each scheme:\n");
    for (std::size_t si = 0; si < cs.size(); ++si) {
      const CaseStep* worst = nullptr;
      for (const auto& v : res[si])
        for (const auto& c : v)
          if (worst == nullptr || c.rel > worst->rel) worst = &c;
      if (worst != nullptr)
        std::printf("  %-18s %.4f (mean-removed %.4f) at seed %llu %s b=%d %s%s\n", cs[si].id.c_str(),
                    worst->rel, worst->rel_centered, static_cast<unsigned long long>(worst->seed),
                    kCases[worst->case_index].label, worst->b,
                    worst->step == 0 ? "prefill" : ("decode " + std::to_string(worst->step - 1)).c_str(),
                    worst->top1 ? "" : " (top-1 differs)");
    }
  }
  std::printf("\ntotal %.1f s\n", elapsed_s());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "sb_quant_sim: %s\n", e.what());
  return 1;
}
