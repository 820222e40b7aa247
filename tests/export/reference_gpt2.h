// tests/export/reference_gpt2 — a plain fp64 GPT-2 forward (no KV cache: every call recomputes
// the whole sequence) and seeded random weights, the oracle of the export tests until the
// native CPU engine is linked.  Formulas from REFERENCE.md "GPT-2 as Hugging Face computes it".
// Knobs let a test break one thing (causal mask, gelu_new, position offset) to show that the
// comparison notices.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/weights.h"

namespace sb::testing {

inline model::GptWeights random_weights(int L, int H, int E, int V, int P, std::uint32_t seed,
                                        float scale = 0.15f) {
  model::GptWeights w;
  auto& c = w.config;
  c.n_layer = L, c.n_head = H, c.n_embd = E, c.vocab_size = V, c.n_positions = P;
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  auto fill = [&](std::vector<float>& v, std::size_t n, float s, float mean = 0.f) {
    v.resize(n);
    for (auto& x : v) x = mean + s * nd(rng);
  };
  const std::size_t e = E, i = 4 * E;
  fill(w.wte, V * e, 0.5f);
  fill(w.wpe, P * e, 0.3f);
  w.layers.resize(L);
  for (auto& l : w.layers) {
    // Random LayerNorm gains and biases too: a bug there must not hide behind 1 and 0.
    fill(l.ln_1_weight, e, 0.2f, 1.f);
    fill(l.ln_1_bias, e, 0.1f);
    fill(l.attn_c_attn_weight, e * 3 * e, scale * 2);  // sharp attention: masks matter
    fill(l.attn_c_attn_bias, 3 * e, 0.1f);
    fill(l.attn_c_proj_weight, e * e, scale);
    fill(l.attn_c_proj_bias, e, 0.1f);
    fill(l.ln_2_weight, e, 0.2f, 1.f);
    fill(l.ln_2_bias, e, 0.1f);
    fill(l.mlp_c_fc_weight, e * i, scale);
    fill(l.mlp_c_fc_bias, i, 0.1f);
    fill(l.mlp_c_proj_weight, i * e, scale);
    fill(l.mlp_c_proj_bias, e, 0.1f);
  }
  fill(w.ln_f_weight, e, 0.2f, 1.f);
  fill(w.ln_f_bias, e, 0.1f);
  return w;
}

struct ReferenceKnobs {
  bool causal = true;          // false: every query sees every key (a broken mask)
  bool gelu_new = true;        // false: exact erf GELU instead of the tanh form
  int position_offset = 0;     // added to every position (a broken offset)
};

// Logits [T, V] of one sequence of T tokens (all positions), in double.
inline std::vector<double> reference_logits(const model::GptWeights& w,
                                            const std::vector<std::int32_t>& tokens,
                                            const ReferenceKnobs& k = {}) {
  const auto& c = w.config;
  const int T = static_cast<int>(tokens.size()), E = c.n_embd, H = c.n_head, D = E / H,
            I = c.inner(), V = c.vocab_size;
  const double eps = c.layer_norm_epsilon;
  std::vector<double> h(static_cast<std::size_t>(T) * E);
  for (int t = 0; t < T; ++t) {
    for (int e = 0; e < E; ++e) {
      h[t * E + e] = static_cast<double>(w.wte[static_cast<std::size_t>(tokens[t]) * E + e]) +
                     w.wpe[static_cast<std::size_t>(t + k.position_offset) * E + e];
    }
  }
  auto layer_norm = [&](const std::vector<double>& x, const std::vector<float>& g,
                        const std::vector<float>& b) {
    std::vector<double> y(x.size());
    for (int t = 0; t < T; ++t) {
      double mean = 0, var = 0;
      for (int e = 0; e < E; ++e) mean += x[t * E + e];
      mean /= E;
      for (int e = 0; e < E; ++e) var += (x[t * E + e] - mean) * (x[t * E + e] - mean);
      var /= E;
      const double inv = 1.0 / std::sqrt(var + eps);
      for (int e = 0; e < E; ++e) y[t * E + e] = (x[t * E + e] - mean) * inv * g[e] + b[e];
    }
    return y;
  };
  auto linear = [&](const std::vector<double>& x, int in, int out, const std::vector<float>& W,
                    const std::vector<float>& b) {
    std::vector<double> y(static_cast<std::size_t>(T) * out);
    for (int t = 0; t < T; ++t) {
      for (int o = 0; o < out; ++o) y[t * out + o] = b[o];
      for (int i = 0; i < in; ++i) {
        const double xi = x[t * in + i];
        const float* row = &W[static_cast<std::size_t>(i) * out];
        for (int o = 0; o < out; ++o) y[t * out + o] += xi * row[o];
      }
    }
    return y;
  };
  for (const auto& l : w.layers) {
    const auto x = layer_norm(h, l.ln_1_weight, l.ln_1_bias);
    const auto qkv = linear(x, E, 3 * E, l.attn_c_attn_weight, l.attn_c_attn_bias);
    std::vector<double> ctx(static_cast<std::size_t>(T) * E, 0.0);
    for (int hd = 0; hd < H; ++hd) {
      for (int i = 0; i < T; ++i) {
        std::vector<double> s(T, -INFINITY);
        double mx = -INFINITY;
        const int last = k.causal ? i : T - 1;
        for (int j = 0; j <= last; ++j) {
          double dot = 0;
          for (int d = 0; d < D; ++d) dot += qkv[i * 3 * E + hd * D + d] * qkv[j * 3 * E + E + hd * D + d];
          s[j] = dot / std::sqrt(static_cast<double>(D));
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= last; ++j) sum += (s[j] = std::exp(s[j] - mx));
        for (int j = 0; j <= last; ++j) {
          for (int d = 0; d < D; ++d) ctx[i * E + hd * D + d] += s[j] / sum * qkv[j * 3 * E + 2 * E + hd * D + d];
        }
      }
    }
    const auto a = linear(ctx, E, E, l.attn_c_proj_weight, l.attn_c_proj_bias);
    for (std::size_t n = 0; n < h.size(); ++n) h[n] += a[n];
    const auto x2 = layer_norm(h, l.ln_2_weight, l.ln_2_bias);
    auto f = linear(x2, E, I, l.mlp_c_fc_weight, l.mlp_c_fc_bias);
    for (auto& v : f) {
      v = k.gelu_new ? 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)))
                     : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    }
    const auto m = linear(f, I, E, l.mlp_c_proj_weight, l.mlp_c_proj_bias);
    for (std::size_t n = 0; n < h.size(); ++n) h[n] += m[n];
  }
  const auto hf = layer_norm(h, w.ln_f_weight, w.ln_f_bias);
  std::vector<double> logits(static_cast<std::size_t>(T) * V);
  for (int t = 0; t < T; ++t) {
    for (int v = 0; v < V; ++v) {
      double dot = 0;
      for (int e = 0; e < E; ++e) dot += hf[t * E + e] * w.wte[static_cast<std::size_t>(v) * E + e];
      logits[static_cast<std::size_t>(t) * V + v] = dot;
    }
  }
  return logits;
}

// Elementwise |a - ref| <= atol + rtol |ref|; returns the number of violations and the worst
// excess in `worst` (0 when all pass).
inline std::size_t count_violations(const float* a, const double* ref, std::size_t n, double atol,
                                    double rtol, double* worst = nullptr) {
  std::size_t bad = 0;
  double w = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double err = std::abs(a[i] - ref[i]), lim = atol + rtol * std::abs(ref[i]);
    if (!(err <= lim)) {
      ++bad;
      w = std::max(w, err - lim);
    }
  }
  if (worst) *worst = w;
  return bad;
}

}  // namespace sb::testing
