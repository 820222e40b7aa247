// accuracy/evaluate — perplexity, logit comparison and greedy agreement over Engines.
// Contract:
//  - Anything that produces logits is an engine::Engine (native-cpu, native-cuda, ONNX Runtime,
//    an external worker adapter, or a test wrapper).  Only prefill(kAll) is used for perplexity
//    and comparison, and prefill/decode(kNone) for greedy agreement: never a token loop.
//  - Windows come from plan_windows(); windows of equal length run together in one batched
//    prefill (at most max_batch windows, and at most max_logits_bytes of float logits).
//  - The reference and every candidate see the same batches in lockstep, so comparisons need
//    only one batch of logits per engine in memory, and the reference runs once for all.
//  - Per counted position (each token except the first, once): NLL of the label, and against
//    the reference KL(ref || cand), top-1 equality, |logit difference|.  Sums are taken in token
//    order in double, so results do not depend on the thread count.
//  - An engine that throws is recorded as failed with its message and dropped; the others go
//    on.  A failed reference leaves candidates with perplexity but no comparison.
//  - Greedy agreement (see GreedyResult) uses `prompts` prompts of `prompt_tokens` corpus tokens
//    at evenly spaced offsets, generating `new_tokens` tokens each.  An engine that also derives
//    from GreedyGenerator and offers it generates each continuation in one call (an external
//    worker with its own KV cache) instead of prefill + N - 1 decode() calls.
//  - Cost is visible: with EvaluationOptions::log set, every perplexity batch and every greedy
//    continuation logs each engine's wall time, and a summary line per engine closes the run.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace sb::accuracy {

struct GreedyOptions {
  int prompts = 8;
  int prompt_tokens = 32;
  int new_tokens = 32;
};

// Optional ability of an Engine: a whole greedy continuation in one call.  External workers
// (transformers) serve it with their own KV cache (docs/formats.md, worker op `generate`): one
// request per continuation, through the KV-cache decode path their timed loop measures, instead
// of one whole-sequence forward pass (no cache) per generated token.
class GreedyGenerator {
 public:
  virtual ~GreedyGenerator() = default;
  // Declared ability; false = evaluate() uses prefill/decode as for any engine.
  virtual bool offers_greedy() const = 0;
  // prompts: [batch][prompt_len] row-major.  forced: nullptr (free-running: each step feeds the
  // engine's own previous choice) or [batch][>= n - 1] tokens fed after the prompt (teacher
  // forcing).  Returns [batch][n]: the greedy token after the prompt and after each fed token.
  virtual std::vector<std::vector<std::int32_t>> generate_greedy(
      int batch, int prompt_len, std::span<const std::int32_t> prompts, int n,
      const std::vector<std::vector<std::int32_t>>* forced) = 0;
};

struct EvaluationOptions {
  int max_length = 0;                              // window, tokens (required)
  int stride = 0;                                  // tokens (required)
  int max_batch = 8;                               // windows per prefill
  std::uint64_t max_logits_bytes = 256ull << 20;   // cap on one batch's float logits
  int threads = 0;                                 // for the log-softmax work; 0 = all cores
  GreedyOptions greedy;
  bool run_greedy = true;
  std::function<void(const std::string&)> log;     // progress and per-engine cost; empty = quiet
};

struct PerplexityResult {
  double nll_sum = 0;               // nats, summed over counted tokens
  std::int64_t tokens_counted = 0;
  double ppl = 0;                   // exp(nll_sum / tokens_counted)
  int window = 0;
  int stride = 0;
  std::int64_t n_tokens = 0;        // corpus tokens
  int windows = 0;
  double seconds = 0;               // this engine's prefill calls + its log-softmax/NLL work
  double tokens_per_s = 0;          // tokens_counted / seconds
};

struct ComparisonResult {
  std::int64_t positions = 0;       // == tokens_counted
  double kl_mean = 0, kl_p99 = 0, kl_max = 0;   // KL(ref || cand), nats per position
  double top1_agreement = 0;        // fraction of positions with equal argmax
  double logit_max_abs = 0;         // max over positions and vocab of |ref - cand|
  double logit_mean_abs = 0;        // mean over positions and vocab of |ref - cand|
};

// Greedy continuation agreement, defined precisely:
//  - The reference generates `new_tokens` tokens greedily from each prompt (prefill + decode).
//  - agreement (teacher-forced): the candidate is fed the same prompt and then the REFERENCE's
//    tokens through its own decode path, so both see identical prefixes at every step; the
//    fraction of the prompts x new_tokens generated positions where the candidate's greedy
//    token equals the reference's (equal to the mean of the per-prompt fractions, all prompts
//    having the same length).  A single early divergence does not cascade.
//  - prefix_match (free-running): the candidate generates from its own tokens; per prompt, the
//    number of leading generated tokens identical to the reference's / new_tokens, averaged.
struct GreedyResult {
  int prompts = 0;
  int prompt_tokens = 0;
  int new_tokens = 0;
  double agreement = 0;
  double prefix_match = 0;
};

struct EngineEvaluation {
  std::string label;
  bool ok = true;
  std::string error;                              // when !ok
  PerplexityResult perplexity;
  std::optional<ComparisonResult> comparison;     // absent for the reference or without one
  std::optional<GreedyResult> greedy;             // absent for the reference, or when skipped
  std::string greedy_skipped;                     // why greedy is absent, if it is
  double greedy_seconds = 0;                      // wall time of this engine's greedy generation(s)
  std::string greedy_path;                        // "generate_greedy" | "prefill+decode" | "" (not run)
};

struct Evaluation {
  std::optional<EngineEvaluation> reference;
  std::vector<EngineEvaluation> candidates;
};

struct NamedEngine {
  std::string label;
  engine::Engine* engine = nullptr;
};

Evaluation evaluate(std::span<const std::int32_t> tokens, const NamedEngine* reference,
                    std::span<const NamedEngine> candidates, const EvaluationOptions& options);

// Perplexity of one engine (no comparison, no greedy).  Throws what the engine throws.
PerplexityResult perplexity(engine::Engine& engine, std::span<const std::int32_t> tokens,
                            int max_length, int stride, int max_batch = 8);

}  // namespace sb::accuracy
