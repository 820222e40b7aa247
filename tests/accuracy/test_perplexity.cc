// Perplexity equals a direct computation; windows are batched (no token loop); greedy agreement
// follows its stated definition.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "accuracy/evaluate.h"
#include "accuracy/metrics.h"
#include "accuracy/windows.h"
#include "test_engines.h"

namespace sb::accuracy {
namespace {
using namespace testing;

std::vector<std::int32_t> random_tokens(int n, int vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, vocab - 1);
  std::vector<std::int32_t> t(n);
  for (auto& x : t) x = d(rng);
  return t;
}

TEST(Perplexity, BigramEqualsHandComputationForEveryPlan) {
  const int V = 32;
  const auto tokens = random_tokens(57, V, 1);
  for (int L : {4, 8, 16}) {
    for (int S : {1, L / 2, L}) {
      BigramEngine e(V, 64, 3);
      // By hand: a bigram's NLL of token t depends only on token t-1; sum over the counted set.
      double want = 0;
      std::int64_t count = 0;
      for (const auto& w : plan_windows(static_cast<std::int64_t>(tokens.size()), L, S))
        for (auto t = w.first_label; t < w.end; ++t) {
          want += token_nll(e.row(tokens[t - 1]), tokens[t]);
          ++count;
        }
      const auto r = perplexity(e, tokens, L, S, /*max_batch=*/3);
      EXPECT_EQ(r.tokens_counted, count) << "L=" << L << " S=" << S;
      EXPECT_NEAR(r.nll_sum, want, 1e-9 * want) << "L=" << L << " S=" << S;
      EXPECT_NEAR(r.ppl, std::exp(want / count), 1e-9 * r.ppl);
      EXPECT_EQ(r.window, L);
      EXPECT_EQ(r.stride, S);
      EXPECT_EQ(e.decode_calls, 0) << "perplexity must not run a token-by-token loop";
    }
  }
}

TEST(Perplexity, EqualLengthWindowsShareOnePrefill) {
  const int V = 16;
  const auto tokens = random_tokens(100, V, 2);
  BigramEngine e(V, 64, 5);
  // L=8, S=8: windows [0,8) ... [96,100): 12 full windows + 1 partial.  With max_batch 5:
  // full windows in prefills of 5, 5, 2, then the partial one alone = 4 prefills.
  perplexity(e, tokens, 8, 8, 5);
  EXPECT_EQ(e.prefill_calls, 4);
  EXPECT_EQ(e.max_prefill_batch, 5);
}

TEST(Perplexity, TinyGpt2EqualsDirectPrefixComputation) {
  // The direct computation: for every counted token, run the model on exactly the context the
  // method gives it (its window's tokens before it) and take -log p.  Independent of batching
  // and of all-position logits.
  auto w = tiny_weights(11, /*vocab=*/48, /*n_embd=*/16, /*n_layer=*/2, /*n_head=*/2, /*n_positions=*/32);
  const auto tokens = random_tokens(41, 48, 3);
  for (auto [L, S] : std::vector<std::pair<int, int>>{{16, 16}, {16, 5}, {32, 32}}) {
    NaiveGpt2Engine e(w), direct(w);
    double want = 0;
    std::int64_t count = 0;
    engine::StepResult out;
    for (const auto& win : plan_windows(static_cast<std::int64_t>(tokens.size()), L, S))
      for (auto t = win.first_label; t < win.end; ++t) {
        std::vector<std::int32_t> ctx(tokens.begin() + win.begin, tokens.begin() + t);
        direct.prefill(1, static_cast<int>(ctx.size()), ctx, engine::LogitsMode::kLast, out);
        want += token_nll(out.logits, tokens[t]);
        ++count;
      }
    const auto r = perplexity(e, tokens, L, S, 4);
    EXPECT_EQ(r.tokens_counted, count);
    EXPECT_NEAR(r.nll_sum, want, 1e-9 * want) << "L=" << L << " S=" << S;
    // Sanity: the tiny model is far from uniform (its PPL on random tokens is far from 48).
    EXPECT_GT(std::fabs(std::log(r.ppl) - std::log(48.0)), 1.0) << r.ppl;
  }
}

TEST(Perplexity, ResultDoesNotDependOnBatchOrThreads) {
  auto w = tiny_weights(5, 40, 16, 1, 2, 32);
  const auto tokens = random_tokens(70, 40, 9);
  NaiveGpt2Engine a(w), b(w);
  const auto r1 = perplexity(a, tokens, 8, 4, 1);
  const auto r2 = perplexity(b, tokens, 8, 4, 8);
  EXPECT_EQ(r1.nll_sum, r2.nll_sum);   // bitwise: sums run in token order
}

EvaluationOptions greedy_options(int prompts, int prompt_tokens, int new_tokens) {
  EvaluationOptions o;
  o.max_length = 16;
  o.stride = 16;
  o.greedy = {prompts, prompt_tokens, new_tokens};
  return o;
}

TEST(Greedy, IdenticalEnginesAgreeFully) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  const auto tokens = random_tokens(60, 40, 4);
  NaiveGpt2Engine ref(w), cand(w);
  NamedEngine r{"ref", &ref};
  std::vector<NamedEngine> c{{"cand", &cand}};
  const auto ev = evaluate(tokens, &r, c, greedy_options(3, 8, 10));
  ASSERT_TRUE(ev.candidates[0].greedy);
  EXPECT_EQ(ev.candidates[0].greedy->agreement, 1.0);
  EXPECT_EQ(ev.candidates[0].greedy->prefix_match, 1.0);
  EXPECT_EQ(ev.candidates[0].greedy->prompts, 3);
  ASSERT_TRUE(ev.candidates[0].comparison);
  EXPECT_EQ(ev.candidates[0].comparison->kl_max, 0.0);
  EXPECT_EQ(ev.candidates[0].comparison->top1_agreement, 1.0);
  EXPECT_EQ(ev.candidates[0].comparison->logit_max_abs, 0.0);
}

TEST(Greedy, OneFlippedStepGivesTheDefinedFractions) {
  // The candidate differs from the reference only at generated position 3 of 10.
  // Teacher-forced agreement: 9/10 per prompt.  Free-running prefix match: 3/10.
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  const auto tokens = random_tokens(60, 40, 4);
  NaiveGpt2Engine ref(w);
  FlipEngine cand(std::make_unique<NaiveGpt2Engine>(w), 3);
  NamedEngine r{"ref", &ref};
  std::vector<NamedEngine> c{{"flip", &cand}};
  const auto ev = evaluate(tokens, &r, c, greedy_options(4, 8, 10));
  ASSERT_TRUE(ev.candidates[0].greedy);
  EXPECT_DOUBLE_EQ(ev.candidates[0].greedy->agreement, 0.9);
  EXPECT_DOUBLE_EQ(ev.candidates[0].greedy->prefix_match, 0.3);
  // Perplexity logits are untouched by the flip.
  EXPECT_EQ(ev.candidates[0].comparison->kl_max, 0.0);
}

TEST(Greedy, SkippedWithAReasonWhenPromptsDoNotFit) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 16);
  const auto tokens = random_tokens(30, 40, 4);
  NaiveGpt2Engine ref(w), cand(w);
  NamedEngine r{"ref", &ref};
  std::vector<NamedEngine> c{{"cand", &cand}};
  auto o = greedy_options(2, 8, 10);   // 8 + 10 > 16 positions
  const auto ev = evaluate(tokens, &r, c, o);
  EXPECT_FALSE(ev.candidates[0].greedy);
  EXPECT_NE(ev.candidates[0].greedy_skipped.find("exceed n_positions"), std::string::npos)
      << ev.candidates[0].greedy_skipped;
}

}  // namespace
}  // namespace sb::accuracy
