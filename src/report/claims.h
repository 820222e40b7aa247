// report/claims — "Claims of the withdrawn report vs this measurement".
// Contract:
//  * A claims file (TOML, schema "scalebench.claims/1"; docs/formats.md "Claims files") is DATA:
//    each claim carries the original's exact wording, its figure(s), and a machine-readable
//    mapping onto what scalebench measures (model, phase, metric, scenario set, the two
//    backend configurations, the statistic).  parse_claims() validates all of it and throws
//    sb::Error naming the file, the claim (id and index), the field and the line:column.
//  * evaluate_claims() computes every measured figure from the analysis only (CellStats of
//    cells with all samples ok): ratios come from stats::compare_values (the one speedup
//    function), geometric means from stats::geometric_mean, crossings from find_crossings;
//    the 95% CI of a (geometric-mean) speedup is the delta-method CI of its logarithm with a
//    Welch-Satterthwaite df (claims_statistics_doc() states the formulas).
//  * A claim's verdict is one of: holds, does not hold, no detectable difference (the CI
//    contains 1), not measured (with the reason: cell failed/unsupported/not planned, cells on
//    different hosts, too few sizes), not comparable (the claim has no honest counterpart here,
//    with the reason from the claims file).  Cells measured on different hosts are never
//    compared.  Every measured figure lists the cells it came from.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/analysis.h"
#include "report/document.h"

namespace sb::report {

inline constexpr const char* kClaimsSchema = "scalebench.claims/1";

// One backend configuration a claim names.  device / options are optional filters; when a
// claim's filters match several configurations the claim is "not measured: ambiguous".
struct ConfigSpec {
  std::string label;             // the original's name for it ("tensorrt-int8")
  std::string backend, precision;
  std::string device;            // "" = any
  std::optional<nlohmann::json> options;  // exact match when given
};

enum class ClaimKind {
  kSpeedup,        // candidate vs baseline on one model: geomean over scenarios of speedups
  kSpeedupChange,  // speedup(model_to) / speedup(model_from): "grows" (> 1) or "shrinks"
  kCrossover,      // parameter count where candidate-vs-baseline speedup crosses 1
  kWinner,         // configs[0] is the best of configs on one model
  kAccuracy,       // every matching accuracy row has |ppl_rel_delta| <= a bound
  kArchitecture,   // manifest fields of a model (params within a tolerance, the rest exact)
  kParamRatio,     // params(model) / params(over_model) within a tolerance
  kNotComparable,  // listed with the reason it has no counterpart here
};
const char* claim_kind_name(ClaimKind k);

struct ClaimSpec {
  std::string id, section, quote, original_text, mapping_note;
  ClaimKind kind = ClaimKind::kNotComparable;
  std::optional<double> original_value;            // the figure as a number (1.35, 76e6, ...)
  std::optional<double> original_ci_low, original_ci_high;  // crossover: the original's CI
  std::string reason;                              // not_comparable
  // Mapping.
  std::string model, model_from, model_to, over_model, phase, metric;
  std::vector<std::string> scenarios;              // empty: every scenario both configs planned
  std::optional<ConfigSpec> candidate, baseline;
  std::vector<ConfigSpec> configs;                 // winner: claimed order, winner first
  std::vector<std::string> models;                 // crossover: empty = every measured size
  bool candidate_better_below = true;              // crossover: side on which candidate wins
  std::optional<double> max_abs_ppl_rel_delta;     // accuracy (a fraction: 0.00022 = 0.022%)
  std::vector<ConfigSpec> accuracy_backends;       // accuracy: empty = every non-reference row
  nlohmann::json expected = nlohmann::json::object();  // architecture: field -> value
  double tolerance = 0.0;                          // architecture params / param_ratio
};

struct ClaimsFile {
  std::string path;            // as read (for messages and the report)
  std::string sha256;
  std::string title, url, date, status, hardware, software, method, notes;
  std::vector<ClaimSpec> claims;
};

ClaimsFile parse_claims(const std::string& text, const std::string& where);
ClaimsFile load_claims(const std::filesystem::path& path);

// One row of evidence: which cells gave which number.
struct ClaimEvidence {
  std::string what;            // "single_short (1x32, N=32)" or a model id
  std::string baseline_cell, candidate_cell;   // cell ids ("" when not applicable)
  std::string baseline_label, candidate_label; // "model: configuration label" shown in the report
  std::string baseline_value, candidate_value; // formatted mean ± CI, or the cell's status
  std::string result;          // formatted ratio / note
};

struct ClaimResult {
  const ClaimSpec* spec = nullptr;
  std::string verdict;         // holds | does not hold | no detectable difference | not measured | not comparable
  std::string measured_text;   // "0.52x [0.49, 0.55], geomean over 6 scenarios" or "" when none
  std::optional<double> measured_value, ci_low, ci_high;
  std::string explanation;     // why this verdict (the reason when not measured)
  std::string host_label;      // host of the cells used ("" when none)
  std::vector<ClaimEvidence> evidence;
};

struct ClaimsResult {
  const ClaimsFile* file = nullptr;
  std::vector<ClaimResult> results;
};

ClaimsResult evaluate_claims(const Analysis& a, const ClaimsFile& f);
nlohmann::json claims_to_json(const ClaimsResult& r);
void add_claims_section(Document& d, const Analysis& a, const ClaimsResult& r);
// The statistics used for claims: plain-text intro and items (report appendix), and the same
// as Markdown (docs/metrics.md).
std::string claims_statistics_intro();
std::vector<std::string> claims_statistics_items();
std::string claims_statistics_doc();

}  // namespace sb::report
