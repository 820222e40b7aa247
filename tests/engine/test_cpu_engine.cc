// Behaviour of the native CPU engine beyond the golden numbers: batch consistency, decode vs
// prefill, logits modes, limits and errors (each error leaves the engine usable).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/cpu/cpu_engine.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/work_threads.h"
#include "engine/golden_compare.h"
#include "engine/golden_fixtures.h"
#include "model/model.h"
#include "model/presets.h"
#include "util/error.h"

namespace sb::testing {
namespace {

using engine::LogitsMode;
using engine::StepResult;

const model::GptWeights& weights(const std::string& name) {
  static std::map<std::string, model::LoadedModel> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, model::load_model((fixtures_dir() / name).string())).first;
  return it->second.weights;
}
const model::GptWeights& medium() { return weights("rand-l3-h2-e128"); }  // V 1000, P 64
const model::GptWeights& tiny() { return weights("rand-tiny-l2-h2-e8"); } // V 64, P 16

// |a - b| <= atol + rtol |b| elementwise; returns the first offending index or -1.
std::int64_t first_mismatch(const std::vector<float>& a, const float* b, std::size_t n,
                            double tol = 1e-4) {
  if (a.size() < n) return 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std::fabs(a[i] - b[i]) <= tol + tol * std::fabs(b[i]))) return static_cast<std::int64_t>(i);
  }
  return -1;
}

std::vector<std::int32_t> prompt(int batch, int seq, int vocab, int salt = 0) {
  std::vector<std::int32_t> t(static_cast<std::size_t>(batch) * seq);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::int32_t>((i * 7919 + 13 + salt * 31) % vocab);
  return t;
}

TEST(CpuEngine, DescribesItself) {
  auto e = engine::make_cpu_engine(tiny(), {.threads = 2});
  EXPECT_NE(e->describe().find("native-cpu fp32"), std::string::npos) << e->describe();
  EXPECT_NE(e->describe().find("2 threads"), std::string::npos) << e->describe();
  EXPECT_EQ(e->config().vocab_size, 64);
}

TEST(CpuEngine, BatchRowsEqualSingleSequenceRuns) {
  const int B = 3, S = 9, V = medium().config.vocab_size;
  const auto tokens = prompt(B, S, V);
  auto batched = engine::make_cpu_engine(medium());
  auto single = engine::make_cpu_engine(medium());
  StepResult rb, rs;
  batched->prefill(B, S, tokens, LogitsMode::kAll, rb);
  std::vector<std::vector<float>> row_logits(B);
  std::vector<std::int32_t> next_b = rb.next_tokens;
  for (int i = 0; i < B; ++i) {
    single->prefill(1, S, std::span(tokens).subspan(static_cast<std::size_t>(i) * S, S), LogitsMode::kAll, rs);
    EXPECT_EQ(first_mismatch(rs.logits, rb.logits.data() + static_cast<std::size_t>(i) * S * V, S * V), -1) << "row " << i;
    EXPECT_EQ(rs.next_tokens[0], rb.next_tokens[i]);
  }
  // Decode: 5 steps of the batch vs each row alone.
  std::vector<std::vector<float>> batch_steps;
  std::vector<std::vector<std::int32_t>> batch_inputs;
  for (int t = 0; t < 5; ++t) {
    batch_inputs.push_back(next_b);
    batched->decode(next_b, LogitsMode::kLast, rb);
    batch_steps.push_back(rb.logits);
    next_b = rb.next_tokens;
  }
  for (int i = 0; i < B; ++i) {
    single->prefill(1, S, std::span(tokens).subspan(static_cast<std::size_t>(i) * S, S), LogitsMode::kNone, rs);
    for (int t = 0; t < 5; ++t) {
      std::int32_t in = batch_inputs[t][i];
      single->decode(std::span(&in, 1), LogitsMode::kLast, rs);
      EXPECT_EQ(first_mismatch(rs.logits, batch_steps[t].data() + static_cast<std::size_t>(i) * V, V), -1)
          << "row " << i << " step " << t;
    }
  }
}

TEST(CpuEngine, DecodeEqualsPrefillOfTheExtendedSequence) {
  const int B = 2, S = 6, T = 4, V = medium().config.vocab_size;
  auto e = engine::make_cpu_engine(medium());
  const auto tokens = prompt(B, S, V, 1);
  StepResult r;
  e->prefill(B, S, tokens, LogitsMode::kNone, r);
  std::vector<std::vector<std::int32_t>> generated(B);
  std::vector<std::vector<float>> step_logits;
  for (int t = 0; t < T; ++t) {
    for (int b = 0; b < B; ++b) generated[b].push_back(r.next_tokens[b]);
    const auto in = r.next_tokens;
    e->decode(in, LogitsMode::kLast, r);
    step_logits.push_back(r.logits);
  }
  EXPECT_EQ(e->past_length(), S + T);
  std::vector<std::int32_t> extended;
  for (int b = 0; b < B; ++b) {
    extended.insert(extended.end(), tokens.begin() + b * S, tokens.begin() + (b + 1) * S);
    extended.insert(extended.end(), generated[b].begin(), generated[b].end());
  }
  e->prefill(B, S + T, extended, LogitsMode::kAll, r);
  for (int t = 0; t < T; ++t) {
    for (int b = 0; b < B; ++b) {
      const float* full = r.logits.data() + (static_cast<std::size_t>(b) * (S + T) + S + t) * V;
      std::vector<float> dec(step_logits[t].begin() + b * V, step_logits[t].begin() + (b + 1) * V);
      EXPECT_EQ(first_mismatch(dec, full, V), -1) << "step " << t << " sequence " << b;
    }
  }
}

TEST(CpuEngine, LogitsModes) {
  const int B = 2, S = 5, V = medium().config.vocab_size;
  auto e = engine::make_cpu_engine(medium());
  const auto tokens = prompt(B, S, V, 2);
  StepResult all, last, none;
  e->prefill(B, S, tokens, LogitsMode::kAll, all);
  e->prefill(B, S, tokens, LogitsMode::kLast, last);
  e->prefill(B, S, tokens, LogitsMode::kNone, none);
  ASSERT_EQ(all.logits.size(), static_cast<std::size_t>(B) * S * V);
  ASSERT_EQ(last.logits.size(), static_cast<std::size_t>(B) * V);
  EXPECT_TRUE(none.logits.empty());
  for (int b = 0; b < B; ++b) {
    std::vector<float> l(last.logits.begin() + b * V, last.logits.begin() + (b + 1) * V);
    EXPECT_EQ(first_mismatch(l, all.logits.data() + (static_cast<std::size_t>(b) * S + S - 1) * V, V), -1);
    // The greedy token is the argmax of the returned row, lowest id on ties.
    int best = 0;
    for (int v = 1; v < V; ++v) if (l[v] > l[best]) best = v;
    EXPECT_EQ(last.next_tokens[b], best);
  }
  EXPECT_EQ(all.next_tokens, last.next_tokens);
  EXPECT_EQ(none.next_tokens, last.next_tokens);
  // kAll at decode means the one new position.
  e->decode(last.next_tokens, LogitsMode::kAll, all);
  EXPECT_EQ(all.logits.size(), static_cast<std::size_t>(B) * V);
}

TEST(CpuEngine, RepeatedPrefillIsDeterministicAndResetClears) {
  const int V = medium().config.vocab_size;
  auto e = engine::make_cpu_engine(medium());
  const auto tokens = prompt(1, 10, V, 3);
  StepResult a, b;
  e->prefill(1, 10, tokens, LogitsMode::kLast, a);
  EXPECT_EQ(e->past_length(), 10);
  e->decode(a.next_tokens, LogitsMode::kNone, b);
  EXPECT_EQ(e->past_length(), 11);
  e->prefill(1, 10, tokens, LogitsMode::kLast, b);
  EXPECT_EQ(e->past_length(), 10);
  EXPECT_EQ(a.logits, b.logits);  // same threads, same shapes: bit-identical
  e->reset();
  EXPECT_EQ(e->past_length(), 0);
  EXPECT_THROW(e->decode(a.next_tokens, LogitsMode::kNone, b), sb::Error);
}

TEST(CpuEngine, ThreadCountsAgree) {
  const int B = 3, S = 12, V = medium().config.vocab_size;
  const auto tokens = prompt(B, S, V, 4);
  auto one = engine::make_cpu_engine(medium(), {.threads = 1});
  auto two = engine::make_cpu_engine(medium(), {.threads = 2});
  StepResult r1, r2;
  one->prefill(B, S, tokens, LogitsMode::kAll, r1);
  two->prefill(B, S, tokens, LogitsMode::kAll, r2);
  EXPECT_EQ(first_mismatch(r1.logits, r2.logits.data(), r2.logits.size()), -1);
  EXPECT_EQ(r1.next_tokens, r2.next_tokens);
}

// The fused decode step (engine/cpu/gemv.h) against the OpenBLAS path it replaces, for every
// batch it serves, several thread counts (including more threads than heads), and both a
// medium and the tiny (E = 8, head dim 4) shape; logits per DESIGN.md's fp32 tolerance.
TEST(CpuEngine, FusedDecodeMatchesTheBlasPath) {
  for (const auto* w : {&medium(), &tiny()}) {
    const int V = w->config.vocab_size;
    for (int threads : {1, 2, 3}) {
      for (int B = 1; B <= 8; ++B) {
        const int S = 5;
        const auto tokens = prompt(B, S, V, B + threads);
        auto fused = engine::make_cpu_engine(*w, {.threads = threads});
        auto blas = engine::make_cpu_engine(*w, {.threads = threads, .fused_gemv = false});
        EXPECT_NE(fused->describe().find("fused gemv"), std::string::npos) << fused->describe();
        EXPECT_NE(blas->describe().find("decode sgemv"), std::string::npos) << blas->describe();
        StepResult rf, rb;
        fused->prefill(B, S, tokens, LogitsMode::kNone, rf);
        blas->prefill(B, S, tokens, LogitsMode::kNone, rb);
        for (int t = 0; t < 4; ++t) {
          const auto in = rb.next_tokens;  // same inputs for both
          fused->decode(in, t == 3 ? LogitsMode::kNone : LogitsMode::kLast, rf);
          blas->decode(in, LogitsMode::kLast, rb);
          if (t == 3) {
            EXPECT_TRUE(rf.logits.empty());
          } else {
            ASSERT_EQ(rf.logits.size(), rb.logits.size());
            EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1)
                << "threads " << threads << " batch " << B << " step " << t;
          }
          EXPECT_EQ(rf.next_tokens, rb.next_tokens) << "threads " << threads << " batch " << B << " step " << t;
        }
        EXPECT_EQ(fused->past_length(), S + 4);
      }
    }
  }
}

// Prompts of at most 8 rows (batch x seq) go through the fused step too: same as OpenBLAS,
// for every logits mode, and the decode steps after them agree as well.
TEST(CpuEngine, FusedSmallPrefillMatchesTheBlasPath) {
  const int V = medium().config.vocab_size;
  for (auto [B, S] : {std::pair{1, 1}, std::pair{3, 1}, std::pair{1, 8}, std::pair{2, 4},
                      std::pair{3, 2}, std::pair{1, 5}, std::pair{4, 2}}) {
    for (auto mode : {LogitsMode::kAll, LogitsMode::kLast, LogitsMode::kNone}) {
      for (int threads : {1, 2, 3}) {
        auto fused = engine::make_cpu_engine(medium(), {.threads = threads});
        auto blas = engine::make_cpu_engine(medium(), {.threads = threads, .fused_gemv = false});
        const auto tokens = prompt(B, S, V, 9 + S);
        StepResult rf, rb;
        fused->prefill(B, S, tokens, mode, rf);
        blas->prefill(B, S, tokens, mode, rb);
        const std::string where = fmt::format("batch {} seq {} mode {} threads {}", B, S,
                                              static_cast<int>(mode), threads);
        ASSERT_EQ(rf.logits.size(), rb.logits.size()) << where;
        EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1) << where;
        EXPECT_EQ(rf.next_tokens, rb.next_tokens) << where;
        const auto in = rb.next_tokens;
        fused->decode(in, LogitsMode::kLast, rf);
        blas->decode(in, LogitsMode::kLast, rb);
        EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1) << where;
        EXPECT_EQ(fused->past_length(), S + 1);
      }
    }
  }
}

// Where the matrices live (huge-page arena or the loader's vectors) changes nothing computed.
TEST(CpuEngine, WeightPlacementDoesNotChangeResults) {
  const int B = 2, S = 7, V = medium().config.vocab_size;
  const auto tokens = prompt(B, S, V, 5);
  auto arena = engine::make_cpu_engine(medium(), {.threads = 2});
  auto plain = engine::make_cpu_engine(medium(), {.threads = 2, .huge_page_weights = false});
  StepResult ra, rp;
  arena->prefill(B, S, tokens, LogitsMode::kAll, ra);
  plain->prefill(B, S, tokens, LogitsMode::kAll, rp);
  EXPECT_EQ(ra.logits, rp.logits);
  for (int t = 0; t < 3; ++t) {
    const auto in = rp.next_tokens;
    arena->decode(in, LogitsMode::kLast, ra);
    plain->decode(in, LogitsMode::kLast, rp);
    EXPECT_EQ(ra.logits, rp.logits) << "step " << t;
    EXPECT_EQ(ra.next_tokens, rp.next_tokens);
  }
}

// --- Work-size-aware threading (engine/cpu/work_threads.h) -------------------------------------

// The policy: a model whose layers are a few KB runs its layers on the caller alone, a real
// model on every thread, and the count never falls as the work grows; a smaller share per thread
// (a cheap barrier: many quiet cores) never uses fewer threads than a larger one.
TEST(WorkThreads, SmallWorkStaysOnTheCallerAndLargeWorkUsesEveryThread) {
  namespace wt = engine::work_threads;
  const auto tiny_gpt2 = *model::preset_config("tiny-gpt2");
  const auto gpt2 = *model::preset_config("gpt2");
  const auto e16 = model::parse_shape_spec("shape:L=2,H=2,E=16");  // synthetic-0.8m
  for (double share : {wt::kMinShareFloorUs, wt::kDefaultMinShareUs, wt::kMinShareCeilUs}) {
    const wt::Costs costs{share};
    for (int rows : {1, 4, 8}) {
      EXPECT_EQ(wt::fused_step(tiny_gpt2, rows, rows, 64, true, 16, costs).layers, 1) << rows;
      EXPECT_EQ(wt::fused_step(e16, rows, rows, 64, true, 16, costs).layers, 1) << rows;
      EXPECT_EQ(wt::fused_step(gpt2, rows, rows, 64, false, 4, costs).layers, 4) << rows << " " << share;
      EXPECT_EQ(wt::fused_step(gpt2, rows, rows, 64, false, 16, costs).head, 16) << rows;
    }
    // The limit is respected, and 1 is the floor.
    EXPECT_EQ(wt::fused_step(gpt2, 1, 1, 1, false, 2, costs).layers, 2);
    EXPECT_EQ(wt::fused_step(gpt2, 1, 1, 1, false, 0, costs).layers, 1);
    // tiny-gpt2's GEMMs (E = 2) never wake a thread; gpt2's 4x64 ones use all.
    EXPECT_EQ(wt::gemm(256, 3 * 2, 2, 16, costs), 1);
    EXPECT_EQ(wt::gemm(256, 3 * 768, 768, 16, costs), 16);
    EXPECT_EQ(wt::attention(tiny_gpt2, 4, 64, 0, 16, costs), 1);
    EXPECT_EQ(wt::elementwise(256 * 2, 16, costs), 1);
    EXPECT_EQ(wt::elementwise(256.0 * 3072, 8, costs), 8);
  }
  // The 16-core host's case (docs/perf.md, session 4): tiny-gpt2's LM head at batch 4 (2 MB
  // streamed) stayed on 2 of 16 threads with session 4's fixed amounts; with that host's
  // barrier (~4 µs: share 16 µs) it gets more, with the loaded VM's (ceiling share) one.
  EXPECT_GE(wt::fused_step(tiny_gpt2, 4, 4, 64, true, 16, wt::Costs{16}).head, 4);
  EXPECT_EQ(wt::fused_step(tiny_gpt2, 4, 4, 64, true, 16, wt::Costs{wt::kMinShareCeilUs}).head, 1);
  // synthetic-0.8m's wte (3.2 MB) is worth splitting although its layers are not.
  EXPECT_GT(wt::fused_step(e16, 1, 1, 64, true, 16, wt::Costs{16}).head, 1);
  // Monotonic in the work, and in the share.
  int last = 1;
  for (int past = 0; past < 1024; past += 37) {
    const int t = wt::fused_step(model::parse_shape_spec("shape:L=2,H=4,E=64"), 4, 4, past + 1, false, 64).layers;
    EXPECT_GE(t, last) << past;
    last = t;
  }
  for (double share = 1; share < 200; share *= 1.5) {
    EXPECT_GE(wt::head(tiny_gpt2, 4, true, 16, wt::Costs{share}),
              wt::head(tiny_gpt2, 4, true, 16, wt::Costs{share * 1.5})) << share;
  }
}

// When the barrier measurement stops and what it reports, from injected round medians: the GPU
// machine's fresh 16-core host (rounds of 150-210 µs before the cores settle at 2-4 µs) must end
// with the settled cost, not the first rounds'; a host whose barriers stay slow spends the time
// budget and keeps the slow cost; a quiet host stops after a few rounds.
TEST(ThreadPool, BarrierMeasurementWaitsForTheCoresToSettle) {
  using engine::BarrierSettling;
  const auto feed = [](const std::vector<double>& medians_us, double ms_per_round) {
    BarrierSettling s;
    int used = 0;
    for (double us : medians_us) {
      ++used;
      if (!s.add_round(us, used * ms_per_round)) break;
    }
    return std::pair{s, used};
  };
  // Quiet, settled from the start: the minimum rule needs min_rounds (3) and 2 still rounds.
  {
    auto [s, used] = feed({3.0, 2.8, 3.1, 2.9, 3.0, 3.0}, 0.05);
    EXPECT_EQ(used, 3);
    EXPECT_TRUE(s.settled());
    EXPECT_DOUBLE_EQ(s.result_us(), 2.8);
    EXPECT_DOUBLE_EQ(s.first_us(), 3.0);
  }
  // Fresh host: slow and stable for several rounds (a "stopped falling" rule alone would stop
  // there), then falling to the woken cost; the result is the settled minimum.
  {
    auto [s, used] = feed({206, 180, 190, 155, 60, 9, 2.7, 2.6, 2.9, 2.8, 2.7}, 2.0);
    EXPECT_EQ(used, 9);  // 2.6 did not fall 20% below 2.7; nor did 2.9: settled after round 9
    EXPECT_TRUE(s.settled());
    EXPECT_DOUBLE_EQ(s.result_us(), 2.6);
    EXPECT_DOUBLE_EQ(s.first_us(), 206);
  }
  // Still falling: no stop while each round is 20% below the best so far.
  {
    auto [s, used] = feed({12, 9, 7, 5, 3.5, 2.5, 2.4, 2.45}, 0.05);
    EXPECT_EQ(used, 8);
    EXPECT_DOUBLE_EQ(s.result_us(), 2.4);
  }
  // Barriers that stay slow (descheduled workers): measured until the 25 ms budget, slow result.
  {
    std::vector<double> slow(100, 150.0);
    auto [s, used] = feed(slow, 3.2);
    EXPECT_EQ(used, 8);  // 7 x 3.2 = 22.4 ms < 25: an 8th round; 25.6 ms: stop
    EXPECT_FALSE(s.settled());
    EXPECT_DOUBLE_EQ(s.result_us(), 150.0);
    EXPECT_EQ(engine::work_threads::from_measurements(s.result_us(), 0.0).min_share_us,
              engine::work_threads::kMinShareCeilUs);
  }
}

// The share comes from a measured barrier and the load: clamped, rounded to a power of two (so
// that a measurement's small spread rarely moves a thread count), the ceiling on a contended
// host; and a pool measures something.
TEST(WorkThreads, ShareFollowsTheMeasuredBarrierWithinBounds) {
  namespace wt = engine::work_threads;
  EXPECT_EQ(wt::from_measurements(0.0, 0.0).min_share_us, wt::kMinShareFloorUs);
  EXPECT_EQ(wt::from_measurements(1e6, 0.0).min_share_us, wt::kMinShareCeilUs);
  EXPECT_EQ(wt::from_measurements(4.0, 0.0).min_share_us, 16.0);
  EXPECT_EQ(wt::from_measurements(4.4, 0.1).min_share_us, 16.0);
  EXPECT_EQ(wt::from_measurements(3.6, 0.2).min_share_us, 16.0);
  // Other work on the cores (load >= 0.5 per CPU): the ceiling, whatever the barrier measured.
  EXPECT_EQ(wt::from_measurements(0.05, 2.5).min_share_us, wt::kMinShareCeilUs);
  // The 16-core host's barrier (2-4 µs): gpt2's decode layers use all 16 threads.
  EXPECT_EQ(wt::fused_step(*model::preset_config("gpt2"), 1, 1, 64, false, 16, wt::from_measurements(3.7, 0.2)).layers, 16);
  engine::ThreadPool pool(2);
  const auto m = pool.measure_barrier();
  EXPECT_GT(m.barrier_us, 0.0);
  EXPECT_LT(m.barrier_us, 1e5);  // a barrier between two threads: far below 0.1 s even loaded
  EXPECT_GE(m.rounds, 1);
  EXPECT_LE(m.barrier_us, m.first_round_us);
  // The cost stays small: the budget (25 ms) plus one round; the bound leaves room for a
  // round of 16 barriers that each wait for a descheduled thread on a loaded 2-vCPU host.
  EXPECT_LT(m.elapsed_ms, 500.0) << m.rounds << " rounds";
  // The stop protocol: no budget = exactly one round; a result that can never settle runs until
  // the budget is spent.  (A worker that left one barrier early would hang the run.)
  engine::BarrierLimits none;
  none.budget_ms = 0;
  EXPECT_EQ(pool.measure_barrier(none).rounds, 1);
  engine::BarrierLimits never;
  never.woken_max_us = -1;
  never.budget_ms = 5;
  const auto spent = pool.measure_barrier(never);
  EXPECT_FALSE(spent.settled);
  EXPECT_GE(spent.elapsed_ms, 5.0);
  EXPECT_GE(spent.rounds, 1);
  engine::ThreadPool pool4(4);  // more workers than this VM's CPUs: stacked rounds, same protocol
  const auto four = pool4.measure_barrier(none);
  EXPECT_EQ(four.rounds, 1);
  EXPECT_GT(four.barrier_us, 0.0);
  // The pool still works after a measurement (every worker left it after the same barrier).
  std::atomic<int> calls{0};
  pool.parallel_for(10, [&](int, int) { calls.fetch_add(1); });
  EXPECT_EQ(calls.load(), 10);
  EXPECT_EQ(engine::ThreadPool(1).measure_barrier().rounds, 0);
  // Engines of one process agree: the measurement is shared (bitwise-equal results).
  auto a = engine::make_cpu_engine(medium(), {.threads = 2});
  auto b = engine::make_cpu_engine(medium(), {.threads = 2});
  EXPECT_EQ(a->describe(), b->describe());
  auto pinned = engine::make_cpu_engine(medium(), {.threads = 2, .min_share_us = 8});
  EXPECT_NE(pinned->describe().find(">= 8 us per thread"), std::string::npos) << pinned->describe();
}

// The AVX-512 path (weights packed at load, fused bias / gelu_new / residual epilogues, prefill
// attention in blocks of 32 queries, the fused LM head after a long prompt, decode over the
// packed copy) against the OpenBLAS path (row-major weights, per-query attention): long and
// ragged prompts (several query blocks, a partial last one), one and three threads, every
// logits mode, then decode steps.
TEST(CpuEngine, PackedGemmAndBlockedAttentionMatchTheOpenBlasPath) {
  const int V = medium().config.vocab_size;
  for (auto [B, S] : {std::pair{2, 64}, std::pair{3, 45}, std::pair{1, 33}}) {
    for (int threads : {1, 3}) {
      auto native = engine::make_cpu_engine(medium(), {.threads = threads});
      auto blas = engine::make_cpu_engine(medium(), {.threads = threads, .native_gemm = false});
      if (native->describe().find("prefill gemm avx512") == std::string::npos) {
        GTEST_SKIP() << "no AVX-512F: both engines are the OpenBLAS path";
      }
      const auto tokens = prompt(B, S, V, 5 + S);
      const std::string where = fmt::format("batch {} seq {} threads {}", B, S, threads);
      for (LogitsMode mode : {LogitsMode::kAll, LogitsMode::kLast, LogitsMode::kNone}) {
        StepResult rn, rb;
        native->prefill(B, S, tokens, mode, rn);
        blas->prefill(B, S, tokens, mode, rb);
        ASSERT_EQ(rn.logits.size(), rb.logits.size()) << where;
        EXPECT_EQ(first_mismatch(rn.logits, rb.logits.data(), rb.logits.size()), -1) << where;
        EXPECT_EQ(rn.next_tokens, rb.next_tokens) << where;
      }
      StepResult rn, rb;  // after kNone: decode from the same cache contents
      for (int step = 0; step < 3 && S + step < medium().config.n_positions; ++step) {
        std::vector<std::int32_t> next(B);
        for (int b = 0; b < B; ++b) next[b] = (7 * b + step) % V;
        native->decode(next, LogitsMode::kLast, rn);
        blas->decode(next, LogitsMode::kLast, rb);
        EXPECT_EQ(first_mismatch(rn.logits, rb.logits.data(), rb.logits.size()), -1) << where << " step " << step;
      }
    }
  }
}

// The engine with a fixed thread count (adapt_threads = false: every operation on every
// thread, fused and OpenBLAS paths) agrees with the adaptive one and with each other; three
// threads on the medium shape exercise the split layers, heads and LM head.
TEST(CpuEngine, FixedThreadCountsMatchTheAdaptiveEngine) {
  const int V = medium().config.vocab_size;
  for (auto [B, S] : {std::pair{1, 5}, std::pair{2, 5}, std::pair{4, 1}}) {  // BLAS and fused prefill
    const auto tokens = prompt(B, S, V, 17 + B);
    auto adaptive = engine::make_cpu_engine(medium(), {.threads = 3});
    auto fixed = engine::make_cpu_engine(medium(), {.threads = 3, .adapt_threads = false});
    auto fixed_blas = engine::make_cpu_engine(medium(), {.threads = 3, .fused_gemv = false, .adapt_threads = false});
    EXPECT_NE(adaptive->describe().find("3 threads (fewer for small work: >= "), std::string::npos) << adaptive->describe();
    EXPECT_EQ(fixed->describe().find("fewer"), std::string::npos) << fixed->describe();
    StepResult ra, rf, rb;
    adaptive->prefill(B, S, tokens, LogitsMode::kAll, ra);
    fixed->prefill(B, S, tokens, LogitsMode::kAll, rf);
    fixed_blas->prefill(B, S, tokens, LogitsMode::kAll, rb);
    const std::string where = fmt::format("batch {} seq {}", B, S);
    EXPECT_EQ(first_mismatch(ra.logits, rb.logits.data(), rb.logits.size()), -1) << where;
    EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1) << where;
    for (int t = 0; t < 4; ++t) {
      const auto in = rb.next_tokens;
      adaptive->decode(in, LogitsMode::kLast, ra);
      fixed->decode(in, LogitsMode::kLast, rf);
      fixed_blas->decode(in, LogitsMode::kLast, rb);
      EXPECT_EQ(first_mismatch(ra.logits, rb.logits.data(), rb.logits.size()), -1) << where << " step " << t;
      EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1) << where << " step " << t;
      EXPECT_EQ(ra.next_tokens, rb.next_tokens) << where << " step " << t;
      EXPECT_EQ(rf.next_tokens, rb.next_tokens) << where << " step " << t;
    }
  }
}

// The transposed LM head of narrow models (E < 64: the tiny fixture, E = 8) against the BLAS
// head, with the logits stored (kLast) and not (kNone: greedy tokens only), on 1-3 threads.
TEST(CpuEngine, NarrowModelHeadMatchesTheBlasPath) {
  const int V = tiny().config.vocab_size;
  for (int threads : {1, 2, 3}) {
    for (int B : {1, 3, 8}) {
      const auto tokens = prompt(B, 4, V, 3 * B + threads);
      auto fused = engine::make_cpu_engine(tiny(), {.threads = threads, .adapt_threads = false});
      auto blas = engine::make_cpu_engine(tiny(), {.threads = threads, .fused_gemv = false});
      StepResult rf, rb;
      fused->prefill(B, 4, tokens, LogitsMode::kNone, rf);
      blas->prefill(B, 4, tokens, LogitsMode::kNone, rb);
      for (int t = 0; t < 3; ++t) {
        const auto in = rb.next_tokens;
        fused->decode(in, t == 1 ? LogitsMode::kNone : LogitsMode::kLast, rf);
        blas->decode(in, LogitsMode::kLast, rb);
        if (t != 1) {
          EXPECT_EQ(first_mismatch(rf.logits, rb.logits.data(), rb.logits.size()), -1)
              << "threads " << threads << " batch " << B << " step " << t;
        }
        EXPECT_EQ(rf.next_tokens, rb.next_tokens) << "threads " << threads << " batch " << B << " step " << t;
      }
    }
  }
}

// The engine's prefill GEMM (engine/cpu/gemm.h) against OpenBLAS on prompts of more than 8
// rows, with the pool's threads forced onto every GEMM (fixed engines), every logits mode.
TEST(CpuEngine, NativeGemmMatchesOpenBlas) {
  const int V = medium().config.vocab_size;
  for (auto [B, S] : {std::pair{1, 9}, std::pair{2, 12}, std::pair{3, 17}}) {
    const auto tokens = prompt(B, S, V, 40 + S);
    for (auto mode : {LogitsMode::kAll, LogitsMode::kLast}) {
      for (int threads : {1, 2, 3}) {
        auto own = engine::make_cpu_engine(medium(), {.threads = threads, .adapt_threads = false});
        auto blas = engine::make_cpu_engine(medium(), {.threads = threads, .adapt_threads = false, .native_gemm = false});
        EXPECT_NE(blas->describe().find("prefill gemm OpenBLAS"), std::string::npos) << blas->describe();
        StepResult ro, rb;
        own->prefill(B, S, tokens, mode, ro);
        blas->prefill(B, S, tokens, mode, rb);
        const std::string where = fmt::format("batch {} seq {} mode {} threads {}", B, S, static_cast<int>(mode), threads);
        ASSERT_EQ(ro.logits.size(), rb.logits.size()) << where;
        EXPECT_EQ(first_mismatch(ro.logits, rb.logits.data(), rb.logits.size()), -1) << where;
        EXPECT_EQ(ro.next_tokens, rb.next_tokens) << where;
      }
    }
  }
}

// --- Limits and errors ---------------------------------------------------------------------

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(CpuEngineErrors, PromptLongerThanPositions) {
  auto e = engine::make_cpu_engine(tiny());
  StepResult r;
  const auto t = prompt(1, 17, 64);
  const std::string msg = error_of([&] { e->prefill(1, 17, t, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("17 tokens"), std::string::npos) << msg;
  EXPECT_NE(msg.find("n_positions 16"), std::string::npos) << msg;
  // Exactly n_positions is fine.
  EXPECT_NO_THROW(e->prefill(1, 16, prompt(1, 16, 64), LogitsMode::kNone, r));
}

TEST(CpuEngineErrors, DecodePastPositions) {
  auto e = engine::make_cpu_engine(tiny());
  StepResult r;
  e->prefill(1, 8, prompt(1, 8, 64), LogitsMode::kNone, r);
  for (int t = 0; t < 8; ++t) {
    const auto in = r.next_tokens;
    ASSERT_NO_THROW(e->decode(in, LogitsMode::kNone, r)) << "step " << t;
  }
  EXPECT_EQ(e->past_length(), 16);
  const auto in = r.next_tokens;
  const std::string msg = error_of([&] { e->decode(in, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("n_positions 16"), std::string::npos) << msg;
  EXPECT_EQ(e->past_length(), 16);
}

TEST(CpuEngineErrors, TokenIdOutOfRangeNamesIdAndVocab) {
  auto e = engine::make_cpu_engine(medium());
  StepResult r;
  auto t = prompt(2, 4, 1000);
  t[6] = 1000;
  std::string msg = error_of([&] { e->prefill(2, 4, t, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("token id 1000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("vocab_size 1000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[batch 1, position 2]"), std::string::npos) << msg;
  t[6] = -5;
  msg = error_of([&] { e->prefill(2, 4, t, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("token id -5"), std::string::npos) << msg;
  // In decode too, and a rejected call leaves the sequences intact.
  t[6] = 6;
  e->prefill(2, 4, t, LogitsMode::kNone, r);
  const std::vector<std::int32_t> bad = {3, 123456};
  msg = error_of([&] { e->decode(bad, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("token id 123456"), std::string::npos) << msg;
  EXPECT_EQ(e->past_length(), 4);
  auto ref = engine::make_cpu_engine(medium());
  StepResult a, b;
  ref->prefill(2, 4, t, LogitsMode::kNone, a);
  const std::vector<std::int32_t> good = {3, 4};
  ref->decode(good, LogitsMode::kLast, a);
  e->decode(good, LogitsMode::kLast, b);
  EXPECT_EQ(a.logits, b.logits);
}

TEST(CpuEngineErrors, BatchLimitsAndShapes) {
  auto e = engine::make_cpu_engine(tiny(), {.max_batch = 2});
  StepResult r;
  std::string msg = error_of([&] { e->prefill(3, 4, prompt(3, 4, 64), LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("max_batch (2)"), std::string::npos) << msg;
  EXPECT_NO_THROW(e->prefill(2, 4, prompt(2, 4, 64), LogitsMode::kNone, r));
  msg = error_of([&] { e->prefill(2, 4, prompt(2, 3, 64), LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("6 token ids for batch 2 x seq 4"), std::string::npos) << msg;
  const std::vector<std::int32_t> one = {1};
  msg = error_of([&] { e->decode(one, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("1 token ids for a batch of 2"), std::string::npos) << msg;
  EXPECT_THROW(e->prefill(0, 4, {}, LogitsMode::kNone, r), sb::Error);
  auto fresh = engine::make_cpu_engine(tiny());
  msg = error_of([&] { fresh->decode(one, LogitsMode::kNone, r); });
  EXPECT_NE(msg.find("before prefill"), std::string::npos) << msg;
}

TEST(CpuEngineErrors, OptionsAndWeightsAreValidated) {
  EXPECT_THROW(engine::make_cpu_engine(tiny(), {.max_seq = 17}), sb::Error);
  EXPECT_THROW(engine::make_cpu_engine(tiny(), {.max_batch = 0}), sb::Error);
  auto e = engine::make_cpu_engine(tiny(), {.max_seq = 10});
  StepResult r;
  EXPECT_THROW(e->prefill(1, 11, prompt(1, 11, 64), LogitsMode::kNone, r), sb::Error);
  model::GptWeights broken = tiny();
  broken.layers[1].attn_c_attn_weight.pop_back();
  const std::string msg = error_of([&] { engine::make_cpu_engine(broken); });
  EXPECT_NE(msg.find("h.1.attn.c_attn.weight"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sb::testing
