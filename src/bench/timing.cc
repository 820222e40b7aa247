#include "bench/timing.h"

#include <chrono>

#include "util/error.h"

namespace sb::bench {

SampleTiming time_sample(backends::Backend& backend, int batch, int prompt_len,
                         std::span<const std::int32_t> prompt, int new_tokens, bool decode_phase,
                         backends::StepResult& scratch, std::vector<std::int32_t>& feed) {
  using Clock = std::chrono::steady_clock;
  SampleTiming t;
  if (decode_phase) t.decode_step_ms.reserve(static_cast<std::size_t>(new_tokens - 1));
  feed.resize(static_cast<std::size_t>(batch));
  backend.reset();
  backend.synchronize();
  auto t0 = Clock::now();
  backend.prefill(batch, prompt_len, prompt, backends::LogitsMode::kNone, scratch);
  backend.synchronize();
  auto t1 = Clock::now();
  t.prefill_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  if (scratch.next_tokens.size() != static_cast<std::size_t>(batch))
    fail("backend returned {} next tokens for batch {}", scratch.next_tokens.size(), batch);
  t.tokens_produced = batch;
  if (!decode_phase) return t;
  for (int step = 1; step < new_tokens; ++step) {
    // Copy outside the timed region: the step's input is the previous step's output.
    std::copy(scratch.next_tokens.begin(), scratch.next_tokens.end(), feed.begin());
    backend.synchronize();
    auto s0 = Clock::now();
    backend.decode(feed, backends::LogitsMode::kNone, scratch);
    backend.synchronize();
    auto s1 = Clock::now();
    t.decode_step_ms.push_back(std::chrono::duration<double, std::milli>(s1 - s0).count());
    t.tokens_produced += batch;
  }
  return t;
}

}  // namespace sb::bench
