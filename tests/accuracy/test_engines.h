// tests/accuracy/test_engines — Engines written for the accuracy tests.
//  - NaiveGpt2Engine: a direct, unoptimized GPT-2 forward pass (REFERENCE.md formulas) in
//    double, recomputing the whole sequence every call; `causal = false` drops the causal mask
//    (the classic bug the gates must catch).  Independent of the native CPU engine.
//  - BigramEngine: logits at a position depend only on the token there (a table), so the
//    perplexity of any window plan can be computed by hand.  Counts its calls.
//  - PerturbEngine: wraps an engine and adds deterministic pseudo-random noise of a given
//    standard deviation to every logit (and picks greedy tokens from the noisy logits).
//  - ShiftEngine: wraps an engine and returns, at position j, the logits of position j + 1
//    (a position-offset bug that leaks the next token).
//  - FlipEngine: wraps an engine and changes the greedy token at one generated step.
//  - ThrowingEngine: wraps an engine and throws on the n-th prefill.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "accuracy/metrics.h"
#include "engine/engine.h"
#include "model/weights.h"

namespace sb::accuracy::testing {

using engine::LogitsMode;
using engine::StepResult;

// Random GPT-2 weights with a large embedding scale, so the next-token distributions are peaked
// (a near-uniform model would make every gate pass).
inline model::GptWeights tiny_weights(std::uint32_t seed, int vocab = 64, int n_embd = 16, int n_layer = 2,
                                      int n_head = 2, int n_positions = 64, float embed_std = 1.0f) {
  model::GptWeights w;
  auto& c = w.config;
  c.n_layer = n_layer;
  c.n_head = n_head;
  c.n_embd = n_embd;
  c.n_positions = n_positions;
  c.vocab_size = vocab;
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  auto fill = [&](std::vector<float>& v, std::size_t n, float stddev, float mean = 0.0f) {
    v.resize(n);
    for (auto& x : v) x = mean + stddev * nd(rng);
  };
  const std::size_t E = n_embd, I = 4 * E;
  fill(w.wte, vocab * E, embed_std);
  fill(w.wpe, n_positions * E, 0.3f);
  w.layers.resize(n_layer);
  for (auto& l : w.layers) {
    fill(l.ln_1_weight, E, 0.1f, 1.0f);
    fill(l.ln_1_bias, E, 0.1f);
    fill(l.attn_c_attn_weight, E * 3 * E, 0.3f);
    fill(l.attn_c_attn_bias, 3 * E, 0.1f);
    fill(l.attn_c_proj_weight, E * E, 0.3f);
    fill(l.attn_c_proj_bias, E, 0.1f);
    fill(l.ln_2_weight, E, 0.1f, 1.0f);
    fill(l.ln_2_bias, E, 0.1f);
    fill(l.mlp_c_fc_weight, E * I, 0.3f);
    fill(l.mlp_c_fc_bias, I, 0.1f);
    fill(l.mlp_c_proj_weight, I * E, 0.2f);
    fill(l.mlp_c_proj_bias, E, 0.1f);
  }
  fill(w.ln_f_weight, E, 0.1f, 1.0f);
  fill(w.ln_f_bias, E, 0.1f);
  return w;
}

// Shared bookkeeping: per-sequence history so decode() can recompute from scratch.
class HistoryEngine : public engine::Engine {
 public:
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode m, StepResult& out) override {
    ++prefill_calls;
    max_prefill_batch = std::max(max_prefill_batch, batch);
    if (static_cast<int>(tokens.size()) != batch * seq) throw std::runtime_error("tokens size != batch*seq");
    hist_.assign(batch, {});
    for (int b = 0; b < batch; ++b) hist_[b].assign(tokens.begin() + b * seq, tokens.begin() + (b + 1) * seq);
    emit(m, true, out);
  }
  void decode(std::span<const std::int32_t> tokens, LogitsMode m, StepResult& out) override {
    ++decode_calls;
    for (std::size_t b = 0; b < hist_.size(); ++b) hist_[b].push_back(tokens[b]);
    emit(m, false, out);
  }
  void reset() override { hist_.clear(); }
  void synchronize() override {}
  int past_length() const override { return hist_.empty() ? 0 : static_cast<int>(hist_[0].size()); }
  std::string describe() const override { return "test engine"; }

  int prefill_calls = 0, decode_calls = 0, max_prefill_batch = 0;

 protected:
  // All-position logits of one sequence: [len, vocab].
  virtual std::vector<float> sequence_logits(const std::vector<std::int32_t>& seq) const = 0;

 private:
  void emit(LogitsMode m, bool is_prefill, StepResult& out) {
    const int V = config().vocab_size;
    out.logits.clear();
    out.next_tokens.clear();
    for (const auto& h : hist_) {
      if (static_cast<int>(h.size()) > config().n_positions) throw std::runtime_error("past n_positions");
      auto all = sequence_logits(h);
      const std::size_t n = h.size();
      std::span<const float> last(all.data() + (n - 1) * V, V);
      out.next_tokens.push_back(argmax(last));
      if (m == LogitsMode::kAll && is_prefill) out.logits.insert(out.logits.end(), all.begin(), all.end());
      if (m == LogitsMode::kLast || (m == LogitsMode::kAll && !is_prefill))
        out.logits.insert(out.logits.end(), last.begin(), last.end());
    }
  }
  std::vector<std::vector<std::int32_t>> hist_;
};

class NaiveGpt2Engine : public HistoryEngine {
 public:
  explicit NaiveGpt2Engine(model::GptWeights w, bool causal = true) : w_(std::move(w)), causal_(causal) {}
  const model::GptConfig& config() const override { return w_.config; }

 protected:
  std::vector<float> sequence_logits(const std::vector<std::int32_t>& x) const override {
    const auto& c = w_.config;
    const int S = static_cast<int>(x.size()), E = c.n_embd, H = c.n_head, D = E / H, I = c.inner(), V = c.vocab_size;
    std::vector<double> h(static_cast<std::size_t>(S) * E);
    for (int t = 0; t < S; ++t)
      for (int e = 0; e < E; ++e) h[t * E + e] = double(w_.wte[std::size_t(x[t]) * E + e]) + w_.wpe[std::size_t(t) * E + e];
    auto layer_norm = [&](const std::vector<double>& in, const std::vector<float>& g, const std::vector<float>& b) {
      std::vector<double> out(in.size());
      for (int t = 0; t < S; ++t) {
        double mean = 0, var = 0;
        for (int e = 0; e < E; ++e) mean += in[t * E + e];
        mean /= E;
        for (int e = 0; e < E; ++e) var += (in[t * E + e] - mean) * (in[t * E + e] - mean);
        var /= E;
        const double inv = 1.0 / std::sqrt(var + c.layer_norm_epsilon);
        for (int e = 0; e < E; ++e) out[t * E + e] = (in[t * E + e] - mean) * inv * g[e] + b[e];
      }
      return out;
    };
    auto matmul = [&](const std::vector<double>& in, int n_in, const std::vector<float>& W, const std::vector<float>& b,
                      int n_out) {
      std::vector<double> out(static_cast<std::size_t>(S) * n_out);
      for (int t = 0; t < S; ++t)
        for (int o = 0; o < n_out; ++o) {
          double s = b[o];
          for (int i = 0; i < n_in; ++i) s += in[t * n_in + i] * W[std::size_t(i) * n_out + o];
          out[std::size_t(t) * n_out + o] = s;
        }
      return out;
    };
    for (const auto& l : w_.layers) {
      auto a = layer_norm(h, l.ln_1_weight, l.ln_1_bias);
      auto qkv = matmul(a, E, l.attn_c_attn_weight, l.attn_c_attn_bias, 3 * E);
      std::vector<double> att(static_cast<std::size_t>(S) * E, 0.0);
      for (int hd = 0; hd < H; ++hd)
        for (int i = 0; i < S; ++i) {
          const int last = causal_ ? i : S - 1;
          std::vector<double> sc(last + 1);
          double mx = -1e300;
          for (int j = 0; j <= last; ++j) {
            double s = 0;
            for (int d = 0; d < D; ++d) s += qkv[i * 3 * E + hd * D + d] * qkv[j * 3 * E + E + hd * D + d];
            sc[j] = s / std::sqrt(double(D));
            mx = std::max(mx, sc[j]);
          }
          double z = 0;
          for (auto& s : sc) z += (s = std::exp(s - mx));
          for (int j = 0; j <= last; ++j)
            for (int d = 0; d < D; ++d) att[i * E + hd * D + d] += sc[j] / z * qkv[j * 3 * E + 2 * E + hd * D + d];
        }
      auto proj = matmul(att, E, l.attn_c_proj_weight, l.attn_c_proj_bias, E);
      for (std::size_t k = 0; k < h.size(); ++k) h[k] += proj[k];
      auto m = layer_norm(h, l.ln_2_weight, l.ln_2_bias);
      auto f = matmul(m, E, l.mlp_c_fc_weight, l.mlp_c_fc_bias, I);
      for (auto& v : f) v = 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
      auto mp = matmul(f, I, l.mlp_c_proj_weight, l.mlp_c_proj_bias, E);
      for (std::size_t k = 0; k < h.size(); ++k) h[k] += mp[k];
    }
    auto hf = layer_norm(h, w_.ln_f_weight, w_.ln_f_bias);
    std::vector<float> logits(static_cast<std::size_t>(S) * V);
    for (int t = 0; t < S; ++t)
      for (int v = 0; v < V; ++v) {
        double s = 0;
        for (int e = 0; e < E; ++e) s += hf[t * E + e] * w_.wte[std::size_t(v) * E + e];
        logits[std::size_t(t) * V + v] = static_cast<float>(s);
      }
    return logits;
  }

 private:
  model::GptWeights w_;
  bool causal_;
};

class BigramEngine : public HistoryEngine {
 public:
  BigramEngine(int vocab, int n_positions, std::uint32_t seed) {
    cfg_.vocab_size = vocab;
    cfg_.n_positions = n_positions;
    cfg_.n_layer = 1;
    cfg_.n_head = 1;
    cfg_.n_embd = 4;
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 2.0f);
    table_.resize(static_cast<std::size_t>(vocab) * vocab);
    for (auto& x : table_) x = nd(rng);
  }
  const model::GptConfig& config() const override { return cfg_; }
  std::span<const float> row(std::int32_t token) const {
    return {table_.data() + std::size_t(token) * cfg_.vocab_size, std::size_t(cfg_.vocab_size)};
  }

 protected:
  std::vector<float> sequence_logits(const std::vector<std::int32_t>& x) const override {
    std::vector<float> out;
    for (auto t : x) out.insert(out.end(), row(t).begin(), row(t).end());
    return out;
  }

 private:
  model::GptConfig cfg_;
  std::vector<float> table_;
};

// Base for wrappers: forwards everything.
class WrapperEngine : public engine::Engine {
 public:
  explicit WrapperEngine(std::unique_ptr<engine::Engine> inner) : inner_(std::move(inner)) {}
  const model::GptConfig& config() const override { return inner_->config(); }
  std::string describe() const override { return "wrapper(" + inner_->describe() + ")"; }
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    inner_->prefill(b, s, t, m, o);
  }
  void decode(std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override { inner_->decode(t, m, o); }
  void reset() override { inner_->reset(); }
  void synchronize() override { inner_->synchronize(); }
  int past_length() const override { return inner_->past_length(); }

 protected:
  std::unique_ptr<engine::Engine> inner_;
};

class PerturbEngine : public WrapperEngine {
 public:
  PerturbEngine(std::unique_ptr<engine::Engine> inner, double sigma, std::uint32_t seed = 7)
      : WrapperEngine(std::move(inner)), sigma_(sigma), rng_(seed) {}
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    const LogitsMode want = m == LogitsMode::kNone ? LogitsMode::kLast : m;
    inner_->prefill(b, s, t, want, o);
    finish(b, want == LogitsMode::kAll ? s : 1, m, o);
  }
  void decode(std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    inner_->decode(t, LogitsMode::kLast, o);
    finish(static_cast<int>(t.size()), 1, m, o);
  }

 private:
  void finish(int batch, int rows_per_seq, LogitsMode m, StepResult& o) {
    std::normal_distribution<double> nd(0.0, sigma_);
    for (auto& x : o.logits) x = static_cast<float>(x + nd(rng_));
    const int V = config().vocab_size;
    for (int b = 0; b < batch; ++b) {
      const std::size_t last = (static_cast<std::size_t>(b) * rows_per_seq + rows_per_seq - 1) * V;
      o.next_tokens[b] = argmax({o.logits.data() + last, std::size_t(V)});
    }
    if (m == LogitsMode::kNone) o.logits.clear();
  }
  double sigma_;
  std::mt19937 rng_;
};

class ShiftEngine : public WrapperEngine {
 public:
  using WrapperEngine::WrapperEngine;
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    inner_->prefill(b, s, t, m, o);
    if (m != LogitsMode::kAll) return;
    const std::size_t V = config().vocab_size;
    for (int bi = 0; bi < b; ++bi)
      for (int j = 0; j + 1 < s; ++j) {
        float* dst = o.logits.data() + (std::size_t(bi) * s + j) * V;
        std::copy(dst + V, dst + 2 * V, dst);
      }
  }
};

class FlipEngine : public WrapperEngine {
 public:
  // Changes the greedy token produced at generated position `step` (0 = the prefill's token).
  FlipEngine(std::unique_ptr<engine::Engine> inner, int step) : WrapperEngine(std::move(inner)), step_(step) {}
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    inner_->prefill(b, s, t, m, o);
    pos_ = 0;
    if (m == LogitsMode::kNone) flip(o);
  }
  void decode(std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    inner_->decode(t, m, o);
    ++pos_;
    flip(o);
  }

 private:
  void flip(StepResult& o) {
    if (pos_ != step_) return;
    for (auto& x : o.next_tokens) x = (x + 1) % config().vocab_size;
  }
  int step_, pos_ = 0;
};

class ThrowingEngine : public WrapperEngine {
 public:
  ThrowingEngine(std::unique_ptr<engine::Engine> inner, int throw_on_prefill)
      : WrapperEngine(std::move(inner)), n_(throw_on_prefill) {}
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    if (++calls_ == n_) throw std::runtime_error("injected failure on prefill " + std::to_string(n_));
    inner_->prefill(b, s, t, m, o);
  }

 private:
  int n_, calls_ = 0;
};

}  // namespace sb::accuracy::testing
