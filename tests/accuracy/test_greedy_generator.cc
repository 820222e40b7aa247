// Greedy continuations through GreedyGenerator (evaluate.h): an engine that offers it is asked
// once per continuation (teacher-forced with the reference's tokens, then free-running) and never
// through prefill/decode; its answers are checked (shape, vocabulary) and give the defined
// fractions; an engine that declines falls back to prefill + decode.  evaluate() logs every
// perplexity batch and greedy continuation per engine with its wall time, and a summary per engine.
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accuracy/evaluate.h"
#include "test_engines.h"

namespace sb::accuracy {
namespace {
using namespace testing;
using ::testing::HasSubstr;

std::vector<std::int32_t> random_tokens(int n, int vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, vocab - 1);
  std::vector<std::int32_t> t(n);
  for (auto& x : t) x = d(rng);
  return t;
}

// Stands in for an external worker with a `generate` op: perplexity through prefill(kAll) of an
// inner engine; greedy only through generate_greedy(), which runs the inner engine's own steps
// (so its tokens are right unless told otherwise).  prefill/decode for greedy (LogitsMode kNone)
// throw: a test that reaches them fails.
class GeneratingEngine : public WrapperEngine, public GreedyGenerator {
 public:
  enum class Fault { kNone, kFlipStep1OfRow0, kShortRow, kOutOfVocab };
  GeneratingEngine(std::unique_ptr<engine::Engine> inner, bool offers, Fault fault = Fault::kNone)
      : WrapperEngine(std::move(inner)), offers_(offers), fault_(fault) {}
  void prefill(int b, int s, std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    if (m != LogitsMode::kAll && offers_) throw std::runtime_error("greedy must go through generate_greedy");
    inner_->prefill(b, s, t, m, o);
  }
  void decode(std::span<const std::int32_t> t, LogitsMode m, StepResult& o) override {
    if (offers_) throw std::runtime_error("greedy must go through generate_greedy");
    inner_->decode(t, m, o);
  }
  bool offers_greedy() const override { return offers_; }
  std::vector<std::vector<std::int32_t>> generate_greedy(int batch, int prompt_len, std::span<const std::int32_t> prompts,
                                                         int n, const std::vector<std::vector<std::int32_t>>* forced) override {
    calls.push_back({batch, prompt_len, n, forced ? *forced : std::vector<std::vector<std::int32_t>>{}});
    std::vector<std::vector<std::int32_t>> gen(batch, std::vector<std::int32_t>(n));
    StepResult out;
    inner_->prefill(batch, prompt_len, prompts, LogitsMode::kNone, out);
    std::vector<std::int32_t> feed(batch);
    for (int step = 0; step < n; ++step) {
      if (step > 0) {
        for (int b = 0; b < batch; ++b) feed[b] = forced ? (*forced)[b][step - 1] : gen[b][step - 1];
        inner_->decode(feed, LogitsMode::kNone, out);
      }
      for (int b = 0; b < batch; ++b) gen[b][step] = out.next_tokens[b];
      if (fault_ == Fault::kFlipStep1OfRow0 && step == 1) gen[0][1] = (gen[0][1] + 1) % config().vocab_size;
    }
    if (fault_ == Fault::kShortRow) gen[0].pop_back();
    if (fault_ == Fault::kOutOfVocab) gen[1][2] = config().vocab_size;
    return gen;
  }

  struct Call {
    int batch, prompt_len, n;
    std::vector<std::vector<std::int32_t>> forced;   // empty = free-running
  };
  std::vector<Call> calls;

 private:
  bool offers_;
  Fault fault_;
};

struct Run {
  Evaluation ev;
  std::vector<std::string> log;
};

Run run(engine::Engine& ref, engine::Engine& cand, int prompts = 2, int prompt_tokens = 8, int new_tokens = 6) {
  NamedEngine r{"ref", &ref};
  std::vector<NamedEngine> c{{"cand", &cand}};
  EvaluationOptions o;
  o.max_length = 16;
  o.stride = 16;
  o.max_batch = 2;   // 60 tokens -> windows of 16, 16, 16, 12 -> batches [2 x 16], [1 x 16], [1 x 12]
  o.greedy = {prompts, prompt_tokens, new_tokens};
  Run out;
  o.log = [&](const std::string& line) { out.log.push_back(line); };
  const auto tokens = random_tokens(60, 40, 4);
  out.ev = evaluate(tokens, &r, c, o);
  return out;
}

TEST(GreedyGenerator, OneRequestPerContinuationTeacherForcedWithTheReferenceTokens) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  NaiveGpt2Engine ref(w);
  GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), true);
  const auto r = run(ref, cand);
  const auto& e = r.ev.candidates.at(0);
  ASSERT_TRUE(e.ok) << e.error;
  ASSERT_TRUE(e.greedy);
  EXPECT_EQ(e.greedy->agreement, 1.0);
  EXPECT_EQ(e.greedy->prefix_match, 1.0);
  EXPECT_EQ(e.greedy_path, "generate_greedy");
  EXPECT_EQ(r.ev.reference->greedy_path, "prefill+decode");
  // Exactly two requests: teacher-forced (carrying the reference's own continuation), then free.
  ASSERT_EQ(cand.calls.size(), 2u);
  EXPECT_EQ(cand.calls[0].batch, 2);
  EXPECT_EQ(cand.calls[0].prompt_len, 8);
  EXPECT_EQ(cand.calls[0].n, 6);
  ASSERT_EQ(cand.calls[0].forced.size(), 2u);
  EXPECT_TRUE(cand.calls[1].forced.empty());
  // The forced tokens are what the reference generated: replaying them through the reference's
  // own steps reproduces them.
  NaiveGpt2Engine check(w);
  const auto tokens = random_tokens(60, 40, 4);
  std::vector<std::int32_t> prompts(tokens.begin(), tokens.begin() + 8);
  const std::int64_t off = (60 - 8) / 2;
  prompts.insert(prompts.end(), tokens.begin() + off, tokens.begin() + off + 8);
  StepResult out;
  check.prefill(2, 8, prompts, LogitsMode::kNone, out);
  for (int step = 0; step < 6; ++step) {
    if (step > 0) check.decode(std::vector<std::int32_t>{out.next_tokens[0], out.next_tokens[1]}, LogitsMode::kNone, out);
    for (int b = 0; b < 2; ++b) EXPECT_EQ(cand.calls[0].forced[b][step], out.next_tokens[b]) << b << " " << step;
  }
}

TEST(GreedyGenerator, ItsTokensGiveTheDefinedFractions) {
  // Generated position 1 of prompt 0 differs (in both requests): teacher-forced agreement is
  // 11/12; free-running prefix match is (1/6 + 6/6) / 2.
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  NaiveGpt2Engine ref(w);
  GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), true, GeneratingEngine::Fault::kFlipStep1OfRow0);
  const auto r = run(ref, cand);
  const auto& e = r.ev.candidates.at(0);
  ASSERT_TRUE(e.greedy) << e.error;
  EXPECT_DOUBLE_EQ(e.greedy->agreement, 11.0 / 12.0);
  EXPECT_DOUBLE_EQ(e.greedy->prefix_match, (1.0 / 6.0 + 1.0) / 2.0);
  EXPECT_EQ(e.comparison->kl_max, 0.0) << "perplexity logits are untouched";
}

TEST(GreedyGenerator, MalformedAnswersFailTheCandidateWithTheReason) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  for (auto fault : {GeneratingEngine::Fault::kShortRow, GeneratingEngine::Fault::kOutOfVocab}) {
    NaiveGpt2Engine ref(w);
    GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), true, fault);
    const auto r = run(ref, cand);
    const auto& e = r.ev.candidates.at(0);
    EXPECT_FALSE(e.ok);
    EXPECT_FALSE(e.greedy);
    if (fault == GeneratingEngine::Fault::kShortRow)
      EXPECT_THAT(e.error, HasSubstr("returned 5 tokens for sequence 0, expected 6"));
    else
      EXPECT_THAT(e.error, HasSubstr("token id 40 (sequence 1, step 2) outside the vocabulary of 40"));
    EXPECT_TRUE(r.ev.reference->ok) << "the reference is not blamed";
  }
}

TEST(GreedyGenerator, AnEngineThatDeclinesUsesPrefillAndDecode) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  NaiveGpt2Engine ref(w);
  GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), false);
  const auto r = run(ref, cand);
  const auto& e = r.ev.candidates.at(0);
  ASSERT_TRUE(e.greedy) << e.error;
  EXPECT_EQ(e.greedy->agreement, 1.0);
  EXPECT_TRUE(cand.calls.empty());
  EXPECT_EQ(e.greedy_path, "prefill+decode");
}

TEST(GreedyGenerator, CostIsLoggedPerEngineAndPhase) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  NaiveGpt2Engine ref(w);
  GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), true);
  const auto r = run(ref, cand);
  auto count = [&](const std::string& a, const std::string& b) {
    int n = 0;
    for (const auto& l : r.log) n += l.find(a) != std::string::npos && l.find(b) != std::string::npos;
    return n;
  };
  // Three perplexity batches ([2 x 16], [1 x 16], [1 x 12]), each engine once per batch.
  EXPECT_EQ(count("perplexity batch 1/3 (2 window(s) x 16 tokens): ref ", " s"), 1);
  EXPECT_EQ(count("perplexity batch 3/3 (1 window(s) x 12 tokens): cand ", " s"), 1);
  EXPECT_EQ(count("perplexity batch", ": cand "), 3);
  EXPECT_EQ(count("greedy (2 prompts x 8 tokens, 6 new, prefill+decode): ref ", " s"), 1);
  EXPECT_EQ(count("greedy (2 prompts x 8 tokens, 6 new, generate_greedy): cand ", "teacher-forced"), 1);
  EXPECT_EQ(count("time ref: perplexity ", "over 3 batch(es), greedy"), 1);
  EXPECT_EQ(count("time cand: perplexity ", "(generate_greedy)"), 1);
  EXPECT_GT(r.ev.candidates[0].greedy_seconds, 0.0);
  EXPECT_GT(r.ev.reference->greedy_seconds, 0.0);
}

TEST(GreedyGenerator, AFailedGreedyIsLoggedAsFailed) {
  auto w = tiny_weights(21, 40, 16, 1, 2, 48);
  NaiveGpt2Engine ref(w);
  GeneratingEngine cand(std::make_unique<NaiveGpt2Engine>(w), true, GeneratingEngine::Fault::kShortRow);
  const auto r = run(ref, cand);
  int failed = 0;
  for (const auto& l : r.log) failed += l.find("greedy: cand failed after") != std::string::npos;
  EXPECT_EQ(failed, 1);
}

}  // namespace
}  // namespace sb::accuracy
