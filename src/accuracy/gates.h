// accuracy/gates — per-precision pass/fail limits and the verdict.
// Contract:
//  - A Gate bounds |relative PPL delta| = |ppl - ppl_ref| / ppl_ref and the mean next-token
//    KL(ref || candidate) in nats.  Both must hold for `pass`.
//  - Defaults (docs/accuracy.md justifies the KL bounds from measurements on pydoc-gpt2-8m):
//      fp32        |dPPL| <= 0.1%   KL mean <= 1e-7
//      fp16, bf16  |dPPL| <= 0.5%   KL mean <= 1e-3
//      int8        |dPPL| <= 2%     KL mean <= 3e-3
//      fp8         |dPPL| <= 2%     KL mean <= 2e-2
//  - Verdict not_checked (never pass) when the candidate or the reference failed, or when the
//    precision has no gate.  The reason always carries the numbers and, for an untrained
//    (synthetic) model, says that a verdict on a near-uniform model proves little.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace sb::accuracy {

struct Gate {
  double max_abs_ppl_rel_delta = 0;   // fraction: 0.001 = 0.1%
  double max_kl_mean = 0;             // nats per position
};

class GatePolicy {
 public:
  static GatePolicy defaults();
  // nullopt when the precision has no gate.
  std::optional<Gate> for_precision(const std::string& precision) const;
  void set(const std::string& precision, Gate gate) { gates_[precision] = gate; }
  const std::map<std::string, Gate>& gates() const { return gates_; }

 private:
  std::map<std::string, Gate> gates_;
};

enum class Verdict { kPass, kFail, kNotChecked };
const char* verdict_name(Verdict v);   // "pass", "fail", "not_checked"

struct VerdictInput {
  bool candidate_ok = true;
  std::string candidate_error;
  bool reference_ok = true;
  std::string reference_label;        // "native-cpu:fp32"
  std::string reference_error;
  std::string precision;
  std::optional<double> ppl_rel_delta;
  std::optional<double> kl_mean;
  bool model_trained = true;
};

struct VerdictResult {
  Verdict verdict = Verdict::kNotChecked;
  std::string reason;
  std::optional<Gate> gate;
};

VerdictResult judge(const VerdictInput& in, const GatePolicy& policy);

}  // namespace sb::accuracy
