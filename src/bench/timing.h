// bench/timing — the timing loop, run inside the worker process (DESIGN.md "Metrics").
// Contract: the clock is std::chrono::steady_clock, read only after backend.synchronize();
// prefill latency runs from submitting the [B, S] prompt until every sequence's first token is
// on the host (the backend returns it there); each decode step is timed on its own and kept.
// Benchmarks ask for no logits (LogitsMode::kNone): the backend computes only what greedy
// selection needs (the last position's LM head), and records say so ("logits_mode": "last").
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "backends/backend.h"

namespace sb::bench {

struct SampleTiming {
  double prefill_ms = 0;
  std::vector<double> decode_step_ms;   // N - 1 entries for a decode sample, else empty
  std::int64_t tokens_produced = 0;     // B for prefill, B * N for decode
};

// One sample: reset, prefill, and (decode phase) N - 1 decode steps, each step fed the
// previous step's greedy tokens.  `scratch` is reused across samples (no allocation timed).
SampleTiming time_sample(backends::Backend& backend, int batch, int prompt_len,
                         std::span<const std::int32_t> prompt, int new_tokens, bool decode_phase,
                         backends::StepResult& scratch, std::vector<std::int32_t>& feed);

}  // namespace sb::bench
