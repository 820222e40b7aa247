// tests/engine/golden_compare — runs an Engine through a golden case and compares it with
// Hugging Face's numbers.
// Contract: prefill with the case's prompt (kAll when the fixture holds every position, else
// kLast), then decode_steps steps fed with the fixture's tokens (teacher forcing, so a flipped
// token cannot hide later logit errors), each with kLast.  Every stored logit must satisfy
// |engine - hf| <= atol + rtol * |hf| (DESIGN.md, Tolerances); every greedy token must equal
// HF's.  Prefill and decode are reported separately, so a test can say which one a fault breaks.
#pragma once
#include <cstdint>
#include <string>

#include "engine/engine.h"
#include "engine/golden_file.h"

namespace sb::testing {

// fp32 engine vs fp32 HF: atol = rtol = 1e-4 (DESIGN.md).  Observed errors are ~1e-6..1e-5
// (summation order of GEMMs differs), so the bound has a 10x margin and still catches any
// structural mistake (the sensitivity tests prove it).
inline constexpr double kFp32Atol = 1e-4;
inline constexpr double kFp32Rtol = 1e-4;

struct CompareReport {
  std::int64_t values_checked = 0;
  std::int64_t values_failed = 0;
  double max_abs_diff = 0;
  double worst_ratio = 0;          // max over values of |diff| / (atol + rtol |ref|); <= 1 passes
  std::string first_failure;
  int tokens_checked = 0;
  int tokens_failed = 0;
  std::string first_token_failure;
  bool ok() const { return values_failed == 0 && tokens_failed == 0 && values_checked > 0; }
  std::string summary() const;
};

struct GoldenResult {
  CompareReport prefill;
  CompareReport decode;
  bool ok() const { return prefill.ok() && decode.ok(); }
  std::string summary() const;
};

GoldenResult run_golden_case(engine::Engine& engine, const GoldenCase& c,
                             double atol = kFp32Atol, double rtol = kFp32Rtol);

}  // namespace sb::testing
