// engine/cpu/cpu_engine_testing — TEST ONLY: deliberate faults injected into the CPU engine.
// Contract: the golden tests build engines with one fault on and assert that the comparison
// with Hugging Face's numbers then FAILS — proof that each comparison guards what it claims to.
// A default-constructed CpuEngineFaults is the correct engine.  Nothing outside tests/ may
// include this header.
#pragma once
#include <memory>

#include "engine/cpu/cpu_engine.h"

namespace sb::engine {

struct CpuEngineFaults {
  bool no_causal_mask = false;      // prefill queries also attend to later positions
  bool erf_gelu = false;            // exact erf GELU instead of gelu_new (tanh form)
  int position_offset = 0;          // positions become past_len + offset + i
  int kv_read_length_delta = 0;     // decode attends over past_len + 1 + delta cached keys
  double layer_norm_epsilon = -1;   // >= 0: replaces the config's epsilon in every LayerNorm
};

std::unique_ptr<Engine> make_cpu_engine_with_faults(const model::GptWeights& w,
                                                    const CpuEngineOptions& o,
                                                    const CpuEngineFaults& faults);

}  // namespace sb::engine
