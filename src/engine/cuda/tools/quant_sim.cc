// sb_quant_sim — CPU emulation of the native-cuda int8 (W8A8) engine's arithmetic on a trained
// model, to compare activation-quantization schemes by the accuracy gate's metric without a GPU.
// What it computes (one process, CPU only):
//  - reference: an fp32 forward (the oracle's arithmetic, not bit-identical to native-cpu);
//  - candidates: the int8 engine's arithmetic as the kernels do it: fp16 weights for the
//    embeddings and tied LM head, fp16 biases, fp16 activations rounded where the engine stores
//    them (embedding sum, LayerNorm output, every matrix output, the residual stream), the four
//    matrices of every layer (c_attn, attn c_proj, c_fc, mlp c_proj) in int8: weights symmetric
//    per output channel (quant.h, the engine's own code), the input row quantized with a scale,
//    exact int32 products, out = acc * x_scale * w_scale[n] + bias;
//  - for each scheme: KL(ref || cand) in nats per counted position (mean, p99) and the relative
//    perplexity change, over non-overlapping windows of the corpus (the accuracy module's
//    counting with stride = window: every window position but the last predicts a label).
// Schemes: fp16-only (no quantization: the floor), minmax (the engine's default), percentile
// 99.99 / 99.9 (engine_file's calibrator), per-token dynamic scales (max |x| of each row, at the
// listed sites), SmoothQuant (per input channel s_k = amax_x[k]^a / amax_w[k]^(1-a) moved from
// the activations into the weights, then per-tensor minmax), and minmax with one site left in
// fp16 (which matrix input costs the most).  Calibration uses engine_file's calibrate() on the
// calibration text (as `scalebench build` does), plus a per-channel pass for SmoothQuant.
// Usage: sb_quant_sim --model DIR --calib FILE --corpus DIR|FILE [--corpus-bytes 65536]
//        [--window 512] [--threads 2] [--schemes all|name,name]
// Not a test: a measuring tool; docs/perf-cuda.md records its numbers and how close its minmax
// row comes to the GPU engine's measured KL.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
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
  float x_scale = 1.0f;             // kStatic
  std::vector<float> smooth;        // per input channel divisor (SmoothQuant), empty = none
  // int8 weights [n_out][k_in] and scales (of the smoothed weights when smooth is set)
  std::vector<std::int8_t> wq;
  std::vector<float> ws;
};
struct Scheme {
  std::string name;
  bool fp16 = true;                                  // engine fp16 rounding (false: fp32 oracle)
  std::vector<std::array<SiteQuant, 4>> layers;      // empty: no quantization
};

// One matrix: y[t][n] = x[t] . W[:, n] + b (HF Conv1D [in][out]) in fp32, or the int8 path.
void linear(const std::vector<float>& x, int T, int K, const std::vector<float>& w_hf,
            const std::vector<float>& bias, int N, const SiteQuant* q, bool fp16,
            std::vector<float>& y) {
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
  std::vector<std::int8_t> xq(K);
  for (int t = 0; t < T; ++t) {
    const float* xr = &x[static_cast<std::size_t>(t) * K];
    float xs = q->x_scale;
    if (q->mode == SiteQuant::kPerToken) {
      float amax = 0.0f;
      for (int k = 0; k < K; ++k)
        amax = std::max(amax, std::fabs(q->smooth.empty() ? xr[k] : h16(xr[k] / q->smooth[k])));
      xs = quant::scale_for(quant::Kind::kInt8, amax);
    }
    const float inv = 1.0f / xs;
    for (int k = 0; k < K; ++k) {
      const float v = q->smooth.empty() ? xr[k] : h16(xr[k] / q->smooth[k]);
      xq[k] = quant::quantize_int8(v, inv);
    }
    float* yr = &y[static_cast<std::size_t>(t) * N];
    for (int n = 0; n < N; ++n) {
      const std::int8_t* wr = &q->wq[static_cast<std::size_t>(n) * K];
      std::int32_t acc = 0;
      for (int k = 0; k < K; ++k) acc += static_cast<std::int32_t>(xq[k]) * wr[k];
      yr[n] = static_cast<float>(acc) * (xs * q->ws[n]) + bias[n];
    }
  }
}

void layernorm(const std::vector<float>& x, int T, int E, const std::vector<float>& g,
               const std::vector<float>& b, bool fp16, std::vector<float>& y) {
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
      y[static_cast<std::size_t>(t) * E + e] = fp16 ? h16(v) : v;
    }
  }
}

// Observer of the four matrix inputs (calibration of per-channel ranges).
using SiteHook = std::function<void(int layer, int site, const std::vector<float>& x, int T, int K)>;

// Logits [T][V] of one window (none when lm_head is false).  w: the weights the scheme's
// unquantized parts use (fp16-rounded copies for the engine's arithmetic).
void forward(const GptWeights& w, const std::vector<std::int32_t>& toks, const Scheme& s,
             std::vector<float>& logits, const SiteHook& hook = nullptr, bool lm_head = true) {
  const auto& c = w.config;
  const int T = static_cast<int>(toks.size()), E = c.n_embd, H = c.n_head, D = E / H, I = 4 * E,
            V = c.vocab_size;
  const bool f16 = s.fp16;
  auto r = [&](float v) { return f16 ? h16(v) : v; };
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
    layernorm(x, T, E, L.ln_1_weight, L.ln_1_bias, f16, ln);
    if (hook) hook(li, 0, ln, T, E);
    linear(ln, T, E, L.attn_c_attn_weight, L.attn_c_attn_bias, 3 * E, q ? &(*q)[0] : nullptr, f16, qkv);
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
    linear(att, T, E, L.attn_c_proj_weight, L.attn_c_proj_bias, E, q ? &(*q)[1] : nullptr, f16, y);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = r(x[i] + y[i]);
    layernorm(x, T, E, L.ln_2_weight, L.ln_2_bias, f16, ln);
    if (hook) hook(li, 2, ln, T, E);
    linear(ln, T, E, L.mlp_c_fc_weight, L.mlp_c_fc_bias, I, q ? &(*q)[2] : nullptr, f16, hbuf);
    for (auto& v : hbuf) v = r(gelu_new(v));
    if (hook) hook(li, 3, hbuf, T, I);
    linear(hbuf, T, I, L.mlp_c_proj_weight, L.mlp_c_proj_bias, E, q ? &(*q)[3] : nullptr, f16, y);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = r(x[i] + y[i]);
  }
  if (!lm_head) return;
  layernorm(x, T, E, w.ln_f_weight, w.ln_f_bias, f16, ln);
  logits.assign(static_cast<std::size_t>(T) * V, 0.0f);
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v)
      logits[static_cast<std::size_t>(t) * V + v] =
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

// Quantized weights of one site (HF [K][N] -> int8 [N][K] + scales), optionally after scaling
// input channel k by smooth[k].
void quantize_site(const std::vector<float>& w_hf, int K, int N, const std::vector<float>& smooth,
                   SiteQuant& q) {
  std::vector<float> w = w_hf;
  if (!smooth.empty())
    for (int k = 0; k < K; ++k)
      for (int n = 0; n < N; ++n) w[static_cast<std::size_t>(k) * N + n] *= smooth[k];
  std::vector<std::uint8_t> b(static_cast<std::size_t>(N) * K);
  q.ws.resize(N);
  quant::quantize_weight_hf(quant::Kind::kInt8, w.data(), K, N, b.data(), q.ws.data());
  q.wq.resize(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) q.wq[i] = static_cast<std::int8_t>(b[i]);
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

}  // namespace

int main(int argc, char** argv) try {
  std::string model_dir, calib, corpus, schemes_arg = "all";
  std::size_t corpus_bytes = 65536;
  int window = 512, threads = 2;
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
    else sb::fail("usage: sb_quant_sim --model DIR --calib FILE --corpus DIR|FILE [--corpus-bytes N] [--window 512] [--threads 2] [--schemes all|a,b]");
  }
  if (model_dir.empty() || calib.empty() || corpus.empty())
    sb::fail("sb_quant_sim: --model, --calib and --corpus are required");
  const auto t_start = std::chrono::steady_clock::now();
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
  std::string text = sb::engine::read_calib_text(corpus);
  if (text.size() > corpus_bytes) text.resize(corpus_bytes);
  const std::vector<std::int32_t> ids = tok.encode(text);
  const std::vector<std::int32_t> calib_ids = tok.encode(sb::engine::read_calib_text(calib));
  std::printf("model %s: L=%d H=%d E=%d V=%d; corpus %zu bytes = %zu tokens; calibration text %zu tokens\n",
              model_dir.c_str(), cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.vocab_size, text.size(),
              ids.size(), calib_ids.size());

  // Calibration: per-tensor ranges from the engine's own calibrate() (minmax and percentiles),
  // per-channel maxima from an fp32 pass over the same windows (SmoothQuant).
  const int L = cfg.n_layer;
  std::map<std::string, sb::engine::CalibResult> cal;
  for (const auto& [name, pct] : std::vector<std::pair<std::string, double>>{{"minmax", 0}, {"p99.99", 99.99}, {"p99.9", 99.9}}) {
    sb::engine::CalibOptions c;
    c.calibrator = pct > 0 ? "percentile" : "minmax";
    if (pct > 0) c.percentile = pct;
    c.threads = threads;
    cal[name] = sb::engine::calibrate(w, calib_ids, c);
  }
  std::printf("calibration: %d windows of 128 tokens (engine_file defaults)\n", cal["minmax"].samples_used);
  std::vector<std::array<std::vector<float>, 4>> ch_amax(L);
  {
    Scheme ref32{"fp32", false, {}};
    const int n_win = std::min<int>(cal["minmax"].samples_used, static_cast<int>(calib_ids.size() / 128));
    std::vector<float> lg;
    for (int wi = 0; wi < n_win; ++wi) {
      std::vector<std::int32_t> win(calib_ids.begin() + static_cast<long>(wi) * 128, calib_ids.begin() + static_cast<long>(wi + 1) * 128);
      // The LM head is not needed here: a model copy without it would be faster, but the pass is
      // small next to the evaluation.
      forward(w, win, ref32, lg, [&](int li, int site, const std::vector<float>& x, int T, int K) {
        auto& a = ch_amax[li][site];
        if (a.empty()) a.assign(K, 0.0f);
        for (int t = 0; t < T; ++t)
          for (int k = 0; k < K; ++k) a[k] = std::max(a[k], std::fabs(x[static_cast<std::size_t>(t) * K + k]));
      }, /*lm_head=*/false);
    }
  }

  // Schemes.
  std::vector<Scheme> schemes;
  auto make = [&](const std::string& name, auto&& site_fn) {
    Scheme s{name, true, {}};
    s.layers.resize(L);
    for (int li = 0; li < L; ++li)
      for (int site = 0; site < 4; ++site) site_fn(li, site, s.layers[li][site]);
    schemes.push_back(std::move(s));
  };
  auto static_site = [&](const sb::engine::CalibResult& cr) {
    return [&w, &cr](int li, int site, SiteQuant& q) {
      const SiteDims d = site_dims(w, li, site);
      quantize_site(*d.w, d.K, d.N, {}, q);
      q.mode = SiteQuant::kStatic;
      q.x_scale = quant::scale_for(quant::Kind::kInt8, cr.amax[li][site]);
    };
  };
  schemes.push_back(Scheme{"fp16 only (no int8)", true, {}});
  make("minmax (default)", static_site(cal["minmax"]));
  make("percentile 99.99", static_site(cal["p99.99"]));
  make("percentile 99.9", static_site(cal["p99.9"]));
  make("per-token dynamic, all sites", [&](int li, int site, SiteQuant& q) {
    const SiteDims d = site_dims(w, li, site);
    quantize_site(*d.w, d.K, d.N, {}, q);
    q.mode = SiteQuant::kPerToken;
  });
  make("per-token dynamic fc2 only, minmax elsewhere", [&](int li, int site, SiteQuant& q) {
    static_site(cal["minmax"])(li, site, q);
    if (site == 3) q.mode = SiteQuant::kPerToken;
  });
  for (double alpha : {0.5, 0.8}) {
    make(alpha == 0.5 ? "SmoothQuant a=0.5 + minmax" : "SmoothQuant a=0.8 + minmax", [&, alpha](int li, int site, SiteQuant& q) {
      const SiteDims d = site_dims(w, li, site);
      std::vector<float> s(d.K);
      float amax_smoothed = 0.0f;
      for (int k = 0; k < d.K; ++k) {
        float wmax = 0.0f;
        for (int n = 0; n < d.N; ++n) wmax = std::max(wmax, std::fabs((*d.w)[static_cast<std::size_t>(k) * d.N + n]));
        const float ax = std::max(ch_amax[li][site][k], 1e-5f);
        s[k] = std::clamp(static_cast<float>(std::pow(ax, alpha) / std::pow(std::max(wmax, 1e-5f), 1.0 - alpha)), 1e-2f, 1e2f);
        amax_smoothed = std::max(amax_smoothed, ax / s[k]);
      }
      quantize_site(*d.w, d.K, d.N, s, q);
      q.smooth = s;
      q.mode = SiteQuant::kStatic;
      q.x_scale = quant::scale_for(quant::Kind::kInt8, amax_smoothed);
    });
  }
  const char* site_names[4] = {"c_attn", "attn c_proj", "c_fc", "mlp c_proj"};
  for (int keep = 0; keep < 4; ++keep)
    make(std::string("minmax, ") + site_names[keep] + " input left fp16", [&, keep](int li, int site, SiteQuant& q) {
      static_site(cal["minmax"])(li, site, q);
      if (site == keep) q.mode = SiteQuant::kNone;
    });
  if (schemes_arg != "all") {
    std::vector<Scheme> keep;
    for (auto& s : schemes)
      if (("," + schemes_arg + ",").find("," + s.name.substr(0, s.name.find(' ')) + ",") != std::string::npos)
        keep.push_back(std::move(s));
    schemes = std::move(keep);
  }

  // Evaluation: non-overlapping windows; every window position but the last predicts a label.
  const int V = cfg.vocab_size;
  std::vector<std::vector<std::int32_t>> windows;
  for (std::size_t b = 0; b + 1 < ids.size(); b += window)
    windows.emplace_back(ids.begin() + b, ids.begin() + std::min(ids.size(), b + window));
  const std::size_t S = schemes.size();
  std::vector<std::vector<double>> kl(S);
  std::vector<double> nll(S, 0.0);
  std::vector<std::vector<std::vector<double>>> kl_w(windows.size(), std::vector<std::vector<double>>(S));
  std::vector<double> nll_ref_w(windows.size(), 0.0);
  std::vector<std::vector<double>> nll_w(windows.size(), std::vector<double>(S, 0.0));
  std::vector<std::thread> pool;
  for (int th = 0; th < threads; ++th)
    pool.emplace_back([&, th] {
      std::vector<float> zr, zc, lr, pr;
      const Scheme ref32{"fp32", false, {}};
      for (std::size_t wi = th; wi < windows.size(); wi += threads) {
        const auto& win = windows[wi];
        const int T = static_cast<int>(win.size());
        forward(w, win, ref32, zr);
        lr.resize(static_cast<std::size_t>(T) * V);
        pr.resize(lr.size());
        for (int t = 0; t + 1 < T; ++t) {
          const float* z = &zr[static_cast<std::size_t>(t) * V];
          const double l = lse(z, V);
          for (int v = 0; v < V; ++v) {
            lr[static_cast<std::size_t>(t) * V + v] = static_cast<float>(z[v] - l);
            pr[static_cast<std::size_t>(t) * V + v] = std::exp(lr[static_cast<std::size_t>(t) * V + v]);
          }
          nll_ref_w[wi] -= lr[static_cast<std::size_t>(t) * V + win[t + 1]];
        }
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
          }
        }
      }
    });
  for (auto& t : pool) t.join();
  double nref = 0;
  std::size_t count = 0;
  for (std::size_t wi = 0; wi < windows.size(); ++wi) {
    nref += nll_ref_w[wi];
    for (std::size_t si = 0; si < S; ++si) {
      kl[si].insert(kl[si].end(), kl_w[wi][si].begin(), kl_w[wi][si].end());
      nll[si] += nll_w[wi][si];
    }
    count += windows[wi].size() - 1;
  }
  const double ppl_ref = std::exp(nref / count);
  std::printf("\nevaluation: %zu windows of <= %d tokens, %zu positions; reference fp32 ppl %.4f (%.1f s)\n",
              windows.size(), window, count, ppl_ref,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());
  std::printf("%-46s %12s %12s %10s\n", "scheme (int8 W8A8 unless said)", "KL mean", "KL p99", "dPPL %");
  for (std::size_t si = 0; si < S; ++si) {
    auto v = kl[si];
    double mean = 0;
    for (double k : v) mean += k;
    mean /= std::max<std::size_t>(1, v.size());
    std::sort(v.begin(), v.end());
    const double p99 = v.empty() ? 0 : v[static_cast<std::size_t>(0.99 * (v.size() - 1))];
    const double ppl = std::exp(nll[si] / count);
    std::printf("%-46s %12.3e %12.3e %+10.3f\n", schemes[si].name.c_str(), mean, p99, 100.0 * (ppl - ppl_ref) / ppl_ref);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "sb_quant_sim: %s\n", e.what());
  return 1;
}
