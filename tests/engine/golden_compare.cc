#include "engine/golden_compare.h"

#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace sb::testing {
namespace {

// Compares `rows` rows of engine logits (row stride vocab) with the golden rows (K values each,
// columns either 0..K-1 or given by `cols`).
void compare_rows(std::span<const float> engine_logits, int vocab, const float* ref,
                  const std::int32_t* cols, std::int64_t rows, std::int64_t k, double atol,
                  double rtol, const std::string& what, CompareReport& rep) {
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t col = cols ? cols[r * k + j] : j;
      const double hf = ref[r * k + j];
      const double got = engine_logits[r * vocab + col];
      const double diff = std::fabs(got - hf);
      const double tol = atol + rtol * std::fabs(hf);
      ++rep.values_checked;
      rep.max_abs_diff = std::max(rep.max_abs_diff, diff);
      rep.worst_ratio = std::max(rep.worst_ratio, diff / tol);
      if (!(diff <= tol)) {  // NaN fails too
        if (rep.values_failed++ == 0) {
          rep.first_failure = fmt::format("{} row {} column {}: engine {:.7g} vs HF {:.7g} "
                                          "(|diff| {:.3g} > tol {:.3g})",
                                          what, r, col, got, hf, diff, tol);
        }
      }
    }
  }
}

void compare_tokens(const std::vector<std::int32_t>& got, const std::int32_t* ref, int n,
                    const std::string& what, CompareReport& rep) {
  for (int i = 0; i < n; ++i) {
    ++rep.tokens_checked;
    if (got.size() != static_cast<std::size_t>(n) || got[i] != ref[i]) {
      if (rep.tokens_failed++ == 0) {
        rep.first_token_failure = fmt::format("{} sequence {}: engine token {} vs HF {}", what, i,
                                              i < static_cast<int>(got.size()) ? got[i] : -1, ref[i]);
      }
    }
  }
}

}  // namespace

std::string CompareReport::summary() const {
  std::string s = fmt::format("{} of {} logits outside tolerance (max |diff| {:.3g}, worst "
                              "|diff|/tol {:.3g}), {} of {} greedy tokens differ",
                              values_failed, values_checked, max_abs_diff, worst_ratio,
                              tokens_failed, tokens_checked);
  if (values_failed) s += "; first: " + first_failure;
  if (tokens_failed) s += "; first token: " + first_token_failure;
  return s;
}

std::string GoldenResult::summary() const {
  std::string s = "prefill: " + prefill.summary() + "\ndecode: " + decode.summary();
  if (!ok()) {
    s += "\nhint: prefill-only failures point at the causal mask or multi-token attention; "
         "decode-only at the KV cache (write position, keys read); both at positions, "
         "LayerNorm, gelu_new, weights layout or the tied head.";
  }
  return s;
}

GoldenResult run_golden_case(engine::Engine& engine, const GoldenCase& c, double atol,
                             double rtol) {
  GoldenResult res;
  const int V = engine.config().vocab_size;
  const int B = c.batch, S = c.prompt_len;
  engine::StepResult out;
  const auto mode = c.prefill_all_positions ? engine::LogitsMode::kAll : engine::LogitsMode::kLast;
  engine.prefill(B, S, c.prompt_tokens->i32, mode, out);
  const std::int64_t k = c.prefill_logits->shape.back();
  const std::int64_t rows = c.prefill_logits->elements() / k;
  if (out.logits.size() != static_cast<std::size_t>(rows) * V) {
    res.prefill.values_failed = 1;
    res.prefill.first_failure = fmt::format("engine returned {} logits, expected {} rows x {}",
                                            out.logits.size(), rows, V);
  } else {
    compare_rows(out.logits, V, c.prefill_logits->f32.data(),
                 c.column_subset ? c.prefill_logit_columns->i32.data() : nullptr, rows, k, atol,
                 rtol, "prefill", res.prefill);
  }
  compare_tokens(out.next_tokens, c.prefill_next->i32.data(), B, "prefill next token", res.prefill);

  for (int t = 0; t < c.decode_steps; ++t) {
    std::span<const std::int32_t> in(c.decode_tokens->i32.data() + static_cast<std::size_t>(t) * B, B);
    engine.decode(in, engine::LogitsMode::kLast, out);
    const std::string what = fmt::format("decode step {}", t);
    if (out.logits.size() != static_cast<std::size_t>(B) * V) {
      ++res.decode.values_failed;
      res.decode.first_failure = what + ": wrong logits size";
      continue;
    }
    compare_rows(out.logits, V, c.decode_logits->f32.data() + static_cast<std::size_t>(t) * B * k,
                 c.column_subset ? c.decode_logit_columns->i32.data() + static_cast<std::size_t>(t) * B * k
                                 : nullptr,
                 B, k, atol, rtol, what, res.decode);
    compare_tokens(out.next_tokens, c.decode_next->i32.data() + static_cast<std::size_t>(t) * B, B,
                   what + " next token", res.decode);
  }
  return res;
}

}  // namespace sb::testing
