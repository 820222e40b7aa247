#include "accuracy/gates.h"

#include <cmath>

#include <fmt/format.h>

namespace sb::accuracy {

GatePolicy GatePolicy::defaults() {
  GatePolicy p;
  // PPL limits are the issue's.  KL limits: see docs/accuracy.md ("Gate justification") —
  // each is several times the KL measured when pydoc-gpt2-8m's weights are rounded to that
  // precision, and far below what a broken engine (perturbed logits, no causal mask) produces.
  p.set("fp32", {0.001, 1e-7});
  p.set("fp16", {0.005, 1e-3});
  p.set("bf16", {0.005, 1e-3});
  p.set("int8", {0.02, 3e-3});
  p.set("fp8", {0.02, 2e-2});
  return p;
}

std::optional<Gate> GatePolicy::for_precision(const std::string& precision) const {
  auto it = gates_.find(precision);
  if (it == gates_.end()) return std::nullopt;
  return it->second;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kNotChecked: return "not_checked";
  }
  return "not_checked";
}

VerdictResult judge(const VerdictInput& in, const GatePolicy& policy) {
  VerdictResult r;
  r.gate = policy.for_precision(in.precision);
  const std::string untrained =
      in.model_trained ? "" : "; model untrained (synthetic weights): a verdict on a near-uniform model proves little";
  if (!in.candidate_ok) {
    r.reason = "candidate failed: " + in.candidate_error;
  } else if (!in.reference_ok) {
    r.reason = fmt::format("reference {} failed: {}", in.reference_label, in.reference_error);
  } else if (!r.gate) {
    r.reason = fmt::format("no gate for precision '{}'", in.precision);
  } else if (!in.ppl_rel_delta || !in.kl_mean) {
    r.reason = "no comparison with the reference";
  } else {
    const double d = std::fabs(*in.ppl_rel_delta);
    const bool ppl_ok = d <= r.gate->max_abs_ppl_rel_delta;
    const bool kl_ok = *in.kl_mean <= r.gate->max_kl_mean;
    r.verdict = ppl_ok && kl_ok ? Verdict::kPass : Verdict::kFail;
    r.reason = fmt::format("|dPPL| {:.4g}% {} {:.4g}%, KL mean {:.3g} {} {:.3g} nats vs {}",
                           d * 100, ppl_ok ? "<=" : ">", r.gate->max_abs_ppl_rel_delta * 100,
                           *in.kl_mean, kl_ok ? "<=" : ">", r.gate->max_kl_mean, in.reference_label);
  }
  r.reason += untrained;
  return r;
}

}  // namespace sb::accuracy
