#include "accuracy/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "accuracy/metrics.h"
#include "accuracy/windows.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs f(i) for i in [0, n) on up to `threads` threads, in contiguous chunks.  Results must be
// written to per-index slots so the caller can reduce in a fixed order.
template <typename F>
void parallel_for(std::int64_t n, int threads, F&& f) {
  int t = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  t = static_cast<int>(std::min<std::int64_t>(t, std::max<std::int64_t>(1, n / 4)));
  if (t <= 1) {
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::exception_ptr first_error;
  std::mutex m;
  std::vector<std::thread> pool;
  const std::int64_t chunk = (n + t - 1) / t;
  for (int k = 0; k < t; ++k) {
    pool.emplace_back([&, k] {
      try {
        for (std::int64_t i = k * chunk; i < std::min(n, (k + 1) * chunk); ++i) f(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!first_error) first_error = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  if (first_error) std::rethrow_exception(first_error);
}

struct Row {
  std::int64_t index;     // row in the [batch * seq] logits
  std::int32_t label;     // token whose NLL counts
};

struct Slot {
  const NamedEngine* named = nullptr;
  EngineEvaluation eval;
  bool alive = true;
  int vocab = 0;
  engine::StepResult out;
  ComparisonAccumulator acc;
  double nll_sum = 0;
  std::int64_t counted = 0;
  double seconds = 0;

  void fail(const std::string& what) {
    alive = false;
    eval.ok = false;
    eval.error = what;
  }
};

// Runs one batched prefill with all-position logits and adds the counted labels' NLL.
void run_batch(Slot& s, int nb, int seq, std::span<const std::int32_t> batch_tokens,
               const std::vector<Row>& rows, int threads) {
  const auto t0 = Clock::now();
  s.named->engine->prefill(nb, seq, batch_tokens, engine::LogitsMode::kAll, s.out);
  const std::size_t expect = static_cast<std::size_t>(nb) * seq * s.vocab;
  if (s.out.logits.size() != expect)
    sb::fail("prefill with LogitsMode::kAll returned {} logits, expected batch {} x seq {} x "
             "vocab {} = {}", s.out.logits.size(), nb, seq, s.vocab, expect);
  std::vector<double> nll(rows.size());
  const float* base = s.out.logits.data();
  const int vocab = s.vocab;
  parallel_for(static_cast<std::int64_t>(rows.size()), threads, [&](std::int64_t r) {
    nll[r] = token_nll({base + rows[r].index * vocab, static_cast<std::size_t>(vocab)}, rows[r].label);
  });
  for (double v : nll) s.nll_sum += v;   // token order: deterministic
  s.counted += static_cast<std::int64_t>(rows.size());
  s.seconds += seconds_since(t0);
}

void compare_batch(const Slot& ref, Slot& cand, const std::vector<Row>& rows, int threads) {
  std::vector<PositionComparison> cmp(rows.size());
  const int vocab = ref.vocab;
  parallel_for(static_cast<std::int64_t>(rows.size()), threads, [&](std::int64_t r) {
    const std::size_t off = static_cast<std::size_t>(rows[r].index) * vocab;
    cmp[r] = compare_position({ref.out.logits.data() + off, static_cast<std::size_t>(vocab)},
                              {cand.out.logits.data() + off, static_cast<std::size_t>(vocab)});
  });
  for (const auto& c : cmp) cand.acc.add(c, vocab);
}

PerplexityResult finish_perplexity(const Slot& s, const EvaluationOptions& o, std::int64_t n_tokens,
                                   int windows) {
  PerplexityResult p;
  p.nll_sum = s.nll_sum;
  p.tokens_counted = s.counted;
  p.ppl = s.counted > 0 ? std::exp(s.nll_sum / static_cast<double>(s.counted)) : 0;
  p.window = o.max_length;
  p.stride = o.stride;
  p.n_tokens = n_tokens;
  p.windows = windows;
  p.seconds = s.seconds;
  p.tokens_per_s = s.seconds > 0 ? static_cast<double>(s.counted) / s.seconds : 0;
  return p;
}

// Greedy generation of `n` tokens for a batch of prompts; `forced` (if non-null) supplies the
// tokens fed back at each decode step instead of the engine's own.  Returns [batch][n].  An engine
// that offers GreedyGenerator does it in one call (its answer is checked here: shape and
// vocabulary); any other engine through prefill + decode.  `path` says which one ran.
std::vector<std::vector<std::int32_t>> generate(engine::Engine& e, int batch, int prompt_len,
                                                std::span<const std::int32_t> prompts, int n,
                                                const std::vector<std::vector<std::int32_t>>* forced,
                                                std::string& path) {
  if (auto* g = dynamic_cast<GreedyGenerator*>(&e); g && g->offers_greedy()) {
    path = "generate_greedy";
    auto gen = g->generate_greedy(batch, prompt_len, prompts, n, forced);
    if (static_cast<int>(gen.size()) != batch)
      sb::fail("greedy generation returned {} sequences for a batch of {}", gen.size(), batch);
    const int vocab = e.config().vocab_size;
    for (int b = 0; b < batch; ++b) {
      if (static_cast<int>(gen[b].size()) != n)
        sb::fail("greedy generation returned {} tokens for sequence {}, expected {}", gen[b].size(), b, n);
      for (int t = 0; t < n; ++t)
        if (gen[b][t] < 0 || gen[b][t] >= vocab)
          sb::fail("greedy generation returned token id {} (sequence {}, step {}) outside the vocabulary of {}",
                   gen[b][t], b, t, vocab);
    }
    return gen;
  }
  path = "prefill+decode";
  std::vector<std::vector<std::int32_t>> gen(batch, std::vector<std::int32_t>(n));
  engine::StepResult out;
  e.prefill(batch, prompt_len, prompts, engine::LogitsMode::kNone, out);
  std::vector<std::int32_t> feed(batch);
  for (int step = 0; step < n; ++step) {
    if (step > 0) {
      for (int b = 0; b < batch; ++b) feed[b] = forced ? (*forced)[b][step - 1] : gen[b][step - 1];
      e.decode(feed, engine::LogitsMode::kNone, out);
    }
    if (static_cast<int>(out.next_tokens.size()) != batch)
      sb::fail("engine returned {} next tokens for a batch of {}", out.next_tokens.size(), batch);
    for (int b = 0; b < batch; ++b) gen[b][step] = out.next_tokens[b];
  }
  return gen;
}

}  // namespace

Evaluation evaluate(std::span<const std::int32_t> tokens, const NamedEngine* reference,
                    std::span<const NamedEngine> candidates, const EvaluationOptions& o) {
  auto log = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  std::vector<Window> windows;   // those that count at least one token (see windows.h)
  for (const auto& w : plan_windows(static_cast<std::int64_t>(tokens.size()), o.max_length, o.stride))
    if (w.counted() > 0) windows.push_back(w);
  if (o.max_batch < 1) sb::fail("max_batch {} must be at least 1", o.max_batch);

  std::vector<Slot> slots;   // slots[0] is the reference when there is one
  slots.reserve(candidates.size() + 1);
  const bool has_ref = reference != nullptr;
  auto add_slot = [&](const NamedEngine* n) {
    slots.emplace_back();
    slots.back().named = n;
  };
  if (has_ref) add_slot(reference);
  for (const auto& c : candidates) add_slot(&c);
  for (auto& s : slots) {
    s.eval.label = s.named->label;
    if (!s.named->engine) {
      s.fail("no engine");
      continue;
    }
    const auto& cfg = s.named->engine->config();
    s.vocab = cfg.vocab_size;
    if (o.max_length > cfg.n_positions)
      s.fail(fmt::format("max_length {} exceeds the model's n_positions {}", o.max_length, cfg.n_positions));
  }
  Slot* ref = has_ref ? &slots[0] : nullptr;
  std::string ref_failure;
  auto ref_alive = [&] { return ref && ref->alive; };
  if (ref && !ref->alive) ref_failure = ref->eval.error;
  for (std::size_t k = has_ref ? 1 : 0; k < slots.size(); ++k) {
    if (ref_alive() && slots[k].alive && slots[k].vocab != ref->vocab)
      slots[k].fail(fmt::format("vocabulary size {} differs from the reference's {}", slots[k].vocab, ref->vocab));
  }

  // Batches are planned first so that progress lines can say "batch k of n".
  struct Batch {
    std::size_t first, end;   // windows [first, end), all of one length
  };
  std::vector<Batch> batches;
  for (std::size_t i = 0; i < windows.size();) {
    const std::int64_t seq = windows[i].length();
    const int vocab_for_cap = std::max(1, slots.empty() ? 1 : slots.front().vocab);
    const auto cap = std::max<std::uint64_t>(1, o.max_logits_bytes / (static_cast<std::uint64_t>(seq) * vocab_for_cap * sizeof(float)));
    std::size_t j = i;
    while (j < windows.size() && windows[j].length() == seq && j - i < static_cast<std::size_t>(o.max_batch) &&
           j - i < cap)
      ++j;
    batches.push_back({i, j});
    i = j;
  }

  std::vector<std::int32_t> batch_tokens;
  std::vector<Row> rows;
  for (std::size_t bi = 0; bi < batches.size(); ++bi) {
    const std::size_t i = batches[bi].first, j = batches[bi].end;
    const std::int64_t seq = windows[i].length();
    const int nb = static_cast<int>(j - i);
    batch_tokens.clear();
    rows.clear();
    for (std::size_t w = i; w < j; ++w) {
      const auto& win = windows[w];
      batch_tokens.insert(batch_tokens.end(), tokens.begin() + win.begin, tokens.begin() + win.end);
      const std::int64_t b = static_cast<std::int64_t>(w - i);
      for (std::int64_t t = win.first_label; t < win.end; ++t)
        rows.push_back({b * seq + (t - 1 - win.begin), tokens[t]});
    }
    for (std::size_t k = 0; k < slots.size(); ++k) {
      Slot& s = slots[k];
      if (!s.alive) continue;
      const auto t0 = Clock::now();
      try {
        run_batch(s, nb, static_cast<int>(seq), batch_tokens, rows, o.threads);
        if (&s != ref && ref_alive()) compare_batch(*ref, s, rows, o.threads);
        log(fmt::format("perplexity batch {}/{} ({} window(s) x {} tokens): {} {:.2f} s", bi + 1, batches.size(),
                        nb, seq, s.eval.label, seconds_since(t0)));
      } catch (const std::exception& e) {
        s.fail(fmt::format("window tokens [{}, {}): {}", windows[i].begin, windows[j - 1].end, e.what()));
        if (&s == ref) ref_failure = s.eval.error;
        log(fmt::format("perplexity batch {}/{} ({} window(s) x {} tokens): {} failed after {:.2f} s", bi + 1,
                        batches.size(), nb, seq, s.eval.label, seconds_since(t0)));
      }
    }
  }

  // Greedy continuation agreement.
  const GreedyOptions& g = o.greedy;
  std::string greedy_skip;
  std::vector<std::vector<std::int32_t>> ref_gen;
  std::vector<std::int32_t> prompts;
  int n_prompts = std::min(g.prompts, o.max_batch);
  if (!o.run_greedy) {
    greedy_skip = "greedy agreement not requested";
  } else if (!ref_alive()) {
    greedy_skip = "no working reference";
  } else if (n_prompts < 1 || g.prompt_tokens < 1 || g.new_tokens < 1) {
    greedy_skip = "greedy options ask for no prompts or no tokens";
  } else if (static_cast<std::int64_t>(tokens.size()) < g.prompt_tokens) {
    greedy_skip = fmt::format("corpus has {} tokens, fewer than the {}-token greedy prompt",
                              tokens.size(), g.prompt_tokens);
  } else if (g.prompt_tokens + g.new_tokens > ref->named->engine->config().n_positions) {
    greedy_skip = fmt::format("prompt {} + new tokens {} exceed n_positions {}", g.prompt_tokens,
                              g.new_tokens, ref->named->engine->config().n_positions);
  } else {
    const std::int64_t span = static_cast<std::int64_t>(tokens.size()) - g.prompt_tokens;
    for (int p = 0; p < n_prompts; ++p) {
      const std::int64_t off = span * p / n_prompts;   // evenly spaced, first at 0
      prompts.insert(prompts.end(), tokens.begin() + off, tokens.begin() + off + g.prompt_tokens);
    }
    const auto t0 = Clock::now();
    try {
      ref_gen = generate(*ref->named->engine, n_prompts, g.prompt_tokens, prompts, g.new_tokens, nullptr,
                         ref->eval.greedy_path);
      ref->eval.greedy_seconds = seconds_since(t0);
      log(fmt::format("greedy ({} prompts x {} tokens, {} new, {}): {} {:.2f} s", n_prompts, g.prompt_tokens,
                      g.new_tokens, ref->eval.greedy_path, ref->eval.label, ref->eval.greedy_seconds));
    } catch (const std::exception& e) {
      ref->fail(fmt::format("greedy generation: {}", e.what()));
      ref_failure = ref->eval.error;
      log(fmt::format("greedy: {} failed after {:.2f} s", ref->eval.label, seconds_since(t0)));
    }
  }
  if (greedy_skip.empty() && ref_alive()) {
    for (std::size_t k = has_ref ? 1 : 0; k < slots.size(); ++k) {
      Slot& s = slots[k];
      if (!s.alive) continue;
      const auto t0 = Clock::now();
      try {
        const auto forced = generate(*s.named->engine, n_prompts, g.prompt_tokens, prompts, g.new_tokens, &ref_gen,
                                     s.eval.greedy_path);
        const double forced_s = seconds_since(t0);
        const auto free_run = generate(*s.named->engine, n_prompts, g.prompt_tokens, prompts, g.new_tokens, nullptr,
                                       s.eval.greedy_path);
        s.eval.greedy_seconds = seconds_since(t0);
        log(fmt::format("greedy ({} prompts x {} tokens, {} new, {}): {} {:.2f} s (teacher-forced {:.2f} s, "
                        "free-running {:.2f} s)", n_prompts, g.prompt_tokens, g.new_tokens, s.eval.greedy_path,
                        s.eval.label, s.eval.greedy_seconds, forced_s, s.eval.greedy_seconds - forced_s));
        std::int64_t equal = 0;
        double prefix_sum = 0;
        for (int b = 0; b < n_prompts; ++b) {
          int prefix = 0;
          while (prefix < g.new_tokens && free_run[b][prefix] == ref_gen[b][prefix]) ++prefix;
          prefix_sum += static_cast<double>(prefix) / g.new_tokens;
          for (int t = 0; t < g.new_tokens; ++t) equal += forced[b][t] == ref_gen[b][t];
        }
        GreedyResult r;
        r.prompts = n_prompts;
        r.prompt_tokens = g.prompt_tokens;
        r.new_tokens = g.new_tokens;
        r.agreement = static_cast<double>(equal) / (static_cast<double>(n_prompts) * g.new_tokens);
        r.prefix_match = prefix_sum / n_prompts;
        s.eval.greedy = r;
      } catch (const std::exception& e) {
        s.fail(fmt::format("greedy generation: {}", e.what()));
        s.eval.greedy_seconds = seconds_since(t0);
        log(fmt::format("greedy: {} failed after {:.2f} s", s.eval.label, s.eval.greedy_seconds));
      }
    }
  }
  if (ref && !ref->alive && greedy_skip.empty()) greedy_skip = "no working reference";

  Evaluation result;
  for (const Slot& s : slots)
    log(fmt::format("time {}: perplexity {:.2f} s over {} batch(es), greedy {:.2f} s ({}){}", s.eval.label,
                    s.seconds, batches.size(), s.eval.greedy_seconds,
                    s.eval.greedy_path.empty() ? "not run" : s.eval.greedy_path, s.alive ? "" : ", failed"));
  for (std::size_t k = 0; k < slots.size(); ++k) {
    Slot& s = slots[k];
    s.eval.perplexity = finish_perplexity(s, o, static_cast<std::int64_t>(tokens.size()),
                                          static_cast<int>(windows.size()));
    const bool is_ref = has_ref && k == 0;
    if (!is_ref) {
      if (ref_alive() && s.alive) {
        ComparisonResult c;
        c.positions = s.acc.positions();
        c.kl_mean = s.acc.kl_mean();
        c.kl_p99 = s.acc.kl_quantile(0.99);
        c.kl_max = s.acc.kl_max();
        c.top1_agreement = s.acc.top1_agreement();
        c.logit_max_abs = s.acc.logit_max_abs();
        c.logit_mean_abs = s.acc.logit_mean_abs();
        s.eval.comparison = c;
      }
      if (!s.eval.greedy) s.eval.greedy_skipped = greedy_skip.empty() ? "engine failed" : greedy_skip;
      if (!ref_alive()) s.eval.greedy.reset();   // a reference that failed late invalidates it
      result.candidates.push_back(std::move(s.eval));
    } else {
      result.reference = std::move(s.eval);
    }
  }
  return result;
}

PerplexityResult perplexity(engine::Engine& engine, std::span<const std::int32_t> tokens, int max_length,
                            int stride, int max_batch) {
  EvaluationOptions o;
  o.max_length = max_length;
  o.stride = stride;
  o.max_batch = max_batch;
  o.run_greedy = false;
  NamedEngine ne{"engine", &engine};
  auto ev = evaluate(tokens, nullptr, {&ne, 1}, o);
  const auto& c = ev.candidates.at(0);
  if (!c.ok) sb::fail("{}", c.error);
  return c.perplexity;
}

}  // namespace sb::accuracy
