// tests/engine_cuda/reference — plain CPU references (double accumulation) for every CUDA kernel
// and a whole-model GPT-2 forward, written from the formulas (REFERENCE.md), independent of both
// engines.  Used by cuda_validate (GPU) and test_cuda_cpu (CI, to check the references
// themselves).
// Conventions: matrices given as W[n, k] row-major (the CUDA engine's layout) unless named hf_*
// ([in, out], Hugging Face's Conv1D layout); `round` maps a double to the value the device type
// can hold (identity for fp32 references), applied where the device rounds.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <thread>
#include <vector>

#include "model/weights.h"

namespace sb::engine::cuda_ref {

using Round = std::function<double(double)>;
inline double no_round(double v) { return v; }

inline double gelu_new(double x) {
  const double k = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}
inline double gelu_erf(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

// Lowest index among the maxima (the Engine contract's tie rule); NaN never wins.
template <typename V>
int argmax_lowest(std::span<const V> v) {
  int best = -1;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(static_cast<double>(v[i]))) continue;
    if (best < 0 || v[i] > v[best]) best = static_cast<int>(i);
  }
  return best;
}

// out[r, :] = LN(in[r * stride : r * stride + E]) * g + b.
inline void layernorm(const float* in, long long stride, const float* g, const float* b, int rows,
                      int E, double eps, double* out) {
  for (int r = 0; r < rows; ++r) {
    const float* x = in + r * stride;
    double mean = 0;
    for (int k = 0; k < E; ++k) mean += x[k];
    mean /= E;
    double var = 0;
    for (int k = 0; k < E; ++k) var += (x[k] - mean) * (x[k] - mean);
    var /= E;
    const double rstd = 1.0 / std::sqrt(var + eps);
    for (int k = 0; k < E; ++k) out[static_cast<long long>(r) * E + k] = (x[k] - mean) * rstd * g[k] + b[k];
  }
}

// out[m, n] = sum_k x[m * ldx + k] * w[n * K + k] + bias[n].
// Runs body(begin, end) over [0, n) split across the host's cores when the work (n x
// cost_per_item) is large enough to pay for threads; each index is handled by exactly one call, so
// a body whose items are independent gives the same result as a serial loop.
inline void parallel_for(long long n, double cost_per_item,
                         const std::function<void(long long, long long)>& body) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const long long threads =
      std::min<long long>({static_cast<long long>(hw), n, static_cast<long long>(n * cost_per_item / (1 << 20)) + 1});
  if (threads <= 1) {
    body(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const long long per = (n + threads - 1) / threads;
  for (long long t = 0; t < threads; ++t) {
    const long long b = t * per, e = std::min(n, b + per);
    if (b < e) pool.emplace_back(body, b, e);
  }
  for (auto& th : pool) th.join();
}

inline void gemm_nt(const double* x, long long ldx, const float* w, const float* bias, int M,
                    int N, int K, double* out) {
  // Threads over output columns; every output is the same serial k-sum as a one-thread loop.
  parallel_for(N, static_cast<double>(M) * K, [&](long long n0, long long n1) {
    for (int m = 0; m < M; ++m)
      for (long long n = n0; n < n1; ++n) {
        double s = bias ? bias[n] : 0.0;
        const float* wr = w + n * K;
        const double* xr = x + m * ldx;
        for (int k = 0; k < K; ++k) s += xr[k] * wr[k];
        out[static_cast<long long>(m) * N + n] = s;
      }
  });
}

// out[i] = mean + stddev * N(0, 1), element i drawn by Box-Muller from splitmix64(seed + i):
// deterministic per (seed, i), so it fills in parallel (validation inputs of 10-40 M values).
inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
inline void fill_normal(float* out, std::size_t n, std::uint64_t seed, double mean, double stddev) {
  parallel_for(static_cast<long long>(n), 40.0, [&](long long b, long long e) {
    for (long long i = b; i < e; ++i) {
      const std::uint64_t h = splitmix64(seed + static_cast<std::uint64_t>(i));
      const double u1 = (static_cast<double>(h >> 32) + 1.0) * (1.0 / 4294967296.0);  // (0, 1]
      const double u2 = static_cast<double>(h & 0xFFFFFFFFull) * (1.0 / 4294967296.0);  // [0, 1)
      out[i] = static_cast<float>(mean + stddev * std::sqrt(-2.0 * std::log(u1)) *
                                             std::cos(6.283185307179586 * u2));
    }
  });
}

// Causal attention of query rows (b, s) at position past + s over cache keys 0..past+s.
// q rows at qkv[(b*S+s)*3E + h*D]; caches [B][H][max_t][D]; out [B*S, E].
inline void attention(const float* qkv, const float* kc, const float* vc, int B, int S, int H,
                      int D, int max_t, int past, double scale, double* out) {
  const int E = H * D;
  std::vector<double> p;
  for (int b = 0; b < B; ++b)
    for (int s = 0; s < S; ++s)
      for (int h = 0; h < H; ++h) {
        const float* q = qkv + static_cast<long long>(b * S + s) * 3 * E + h * D;
        const int n = past + s + 1;
        p.assign(n, 0.0);
        double mx = -std::numeric_limits<double>::infinity();
        for (int j = 0; j < n; ++j) {
          const float* k = kc + ((static_cast<long long>(b) * H + h) * max_t + j) * D;
          double d = 0;
          for (int i = 0; i < D; ++i) d += static_cast<double>(q[i]) * k[i];
          p[j] = d * scale;
          mx = std::max(mx, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; ++j) sum += (p[j] = std::exp(p[j] - mx));
        for (int i = 0; i < D; ++i) {
          double o = 0;
          for (int j = 0; j < n; ++j)
            o += p[j] * vc[((static_cast<long long>(b) * H + h) * max_t + j) * D + i];
          out[static_cast<long long>(b * S + s) * E + h * D + i] = o / sum;
        }
      }
}

// Variants a golden comparison must be sensitive to (DESIGN.md "Tolerances").
struct ForwardOptions {
  int position_offset = 0;   // positions shifted: wrong position handling
  bool causal = true;        // false: every token sees every token of the sequence
  bool exact_gelu = false;   // erf GELU instead of gelu_new
  // > 0: every LayerNorm input element is scaled by (1 +- ln_jitter), signs drawn from
  // jitter_seed (the residual stream itself is unchanged): the conditioning probe of
  // cuda_validate (how far an error of a precision's size in LayerNorm inputs moves the logits).
  double ln_jitter = 0;
  std::uint64_t jitter_seed = 0;
};

// GPT-2 forward of one sequence in double from HF-layout fp32 weights; returns the logits of the
// positions listed in `want` (each [V]).  Recomputes everything from the tokens (no KV cache), so
// it checks an engine's cache handling independently.  final_hidden (optional): the final
// LayerNorm output of those positions (each [n_embd]), the LM head's input.
inline std::vector<std::vector<double>> forward(const model::GptWeights& w,
                                                std::span<const std::int32_t> tokens,
                                                std::span<const int> want,
                                                const ForwardOptions& o = {},
                                                std::vector<std::vector<double>>* final_hidden = nullptr) {
  const auto& c = w.config;
  const int T = static_cast<int>(tokens.size()), E = c.n_embd, H = c.n_head, D = E / H,
            I = c.inner(), V = c.vocab_size;
  const double eps = c.layer_norm_epsilon;
  const double scale = c.scale_attn_weights ? 1.0 / std::sqrt(static_cast<double>(D)) : 1.0;
  std::vector<double> h(static_cast<std::size_t>(T) * E), a(h.size()), qkv(3ull * T * E),
      att(h.size()), f(static_cast<std::size_t>(T) * I);
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e)
      h[t * E + e] = static_cast<double>(w.wte[static_cast<long long>(tokens[t]) * E + e]) +
                     w.wpe[static_cast<long long>(t + o.position_offset) * E + e];
  std::uint64_t jit = (o.jitter_seed * 0x9E3779B97F4A7C15ull) | 1;
  std::vector<double> xin(E);
  auto ln = [&](const std::vector<float>& g, const std::vector<float>& b) {
    for (int t = 0; t < T; ++t) {
      for (int e = 0; e < E; ++e) {
        xin[e] = h[t * E + e];
        if (o.ln_jitter > 0) {
          jit ^= jit >> 12, jit ^= jit << 25, jit ^= jit >> 27;  // xorshift64
          xin[e] *= 1.0 + ((jit * 0x2545F4914F6CDD1Dull) >> 63 ? o.ln_jitter : -o.ln_jitter);
        }
      }
      double mean = 0, var = 0;
      for (int e = 0; e < E; ++e) mean += xin[e];
      mean /= E;
      for (int e = 0; e < E; ++e) var += (xin[e] - mean) * (xin[e] - mean);
      var /= E;
      const double r = 1.0 / std::sqrt(var + eps);
      for (int e = 0; e < E; ++e) a[t * E + e] = (xin[e] - mean) * r * g[e] + b[e];
    }
  };
  // y[t, o] = x[t, :] @ W[:, o] + b[o] with W HF [in, out].
  auto linear = [&](const std::vector<double>& x, int in, const std::vector<float>& W,
                    const std::vector<float>& b, int out, std::vector<double>& y) {
    std::vector<double> acc(out);
    for (int t = 0; t < T; ++t) {
      for (int j = 0; j < out; ++j) acc[j] = b[j];
      for (int i = 0; i < in; ++i) {
        const double xi = x[static_cast<long long>(t) * in + i];
        const float* wr = W.data() + static_cast<long long>(i) * out;
        for (int j = 0; j < out; ++j) acc[j] += xi * wr[j];
      }
      std::copy(acc.begin(), acc.end(), y.begin() + static_cast<long long>(t) * out);
    }
  };
  std::vector<double> p(T);
  for (const auto& l : w.layers) {
    ln(l.ln_1_weight, l.ln_1_bias);
    linear(a, E, l.attn_c_attn_weight, l.attn_c_attn_bias, 3 * E, qkv);
    for (int hh = 0; hh < H; ++hh)
      for (int t = 0; t < T; ++t) {
        const int n = o.causal ? t + 1 : T;
        double mx = -std::numeric_limits<double>::infinity();
        for (int j = 0; j < n; ++j) {
          double d = 0;
          for (int i = 0; i < D; ++i)
            d += qkv[t * 3 * E + hh * D + i] * qkv[j * 3 * E + E + hh * D + i];
          p[j] = d * scale;
          mx = std::max(mx, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; ++j) sum += (p[j] = std::exp(p[j] - mx));
        for (int i = 0; i < D; ++i) {
          double acc = 0;
          for (int j = 0; j < n; ++j) acc += p[j] * qkv[j * 3 * E + 2 * E + hh * D + i];
          att[t * E + hh * D + i] = acc / sum;
        }
      }
    linear(att, E, l.attn_c_proj_weight, l.attn_c_proj_bias, E, a);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += a[i];
    ln(l.ln_2_weight, l.ln_2_bias);
    linear(a, E, l.mlp_c_fc_weight, l.mlp_c_fc_bias, I, f);
    for (auto& v : f) v = o.exact_gelu ? gelu_erf(v) : gelu_new(v);
    linear(f, I, l.mlp_c_proj_weight, l.mlp_c_proj_bias, E, a);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += a[i];
  }
  ln(w.ln_f_weight, w.ln_f_bias);
  std::vector<std::vector<double>> logits;
  if (final_hidden != nullptr) {
    final_hidden->clear();
    for (int t : want) final_hidden->emplace_back(a.begin() + static_cast<long long>(t) * E, a.begin() + static_cast<long long>(t + 1) * E);
  }
  for (int t : want) {
    std::vector<double> z(V);
    for (int v = 0; v < V; ++v) {
      double s = 0;
      const float* er = w.wte.data() + static_cast<long long>(v) * E;
      for (int e = 0; e < E; ++e) s += a[t * E + e] * er[e];
      z[v] = s;
    }
    logits.push_back(std::move(z));
  }
  return logits;
}

}  // namespace sb::engine::cuda_ref
