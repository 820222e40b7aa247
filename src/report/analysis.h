// report/analysis — turns inputs (manifest, raw records, accuracy) into the statistics that
// stats.json holds and every report section is written from.
// Contract:
//  * Run counts are computed from the records and checked against manifest.plan; any
//    disagreement (record for an unplanned cell, duplicate sample, missing samples without a
//    failure record, observed counts that do not match, group count) throws RunCountError
//    listing every problem.  A report is never written from inconsistent inputs.
//  * CellStats — the only holder of per-cell numbers — exists only for a cell whose planned
//    measured samples ALL succeeded (no failure record) and that keeps n >= 2 samples after
//    outlier handling.  Every other cell carries status text and counts, never a number;
//    renderers can only format numbers they get from a CellStats (or from a Comparison, which
//    is built from two of them).
//  * Comparisons are always between two cells of the same model, scenario and phase; the
//    speedup/delta comes from stats::compare_values; Welch p-values are Holm-adjusted over the
//    whole family of comparisons in the report.
//  * Deterministic: containers are ordered, bootstrap seeds derive from cell ids.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/crossover.h"
#include "report/inputs.h"
#include "report/metrics.h"
#include "stats/compare.h"
#include "stats/stats.h"
#include "util/error.h"

namespace sb::report {

class RunCountError : public sb::Error {
 public:
  using sb::Error::Error;
};

inline constexpr int kBootstrapResamples = 2000;
inline constexpr double kOutlierFactor = 2.0;   // sample > 2 x cell median of the primary metric
inline constexpr double kAlpha = 0.05;

class CellStats;

// One metric of one cell: constructible only by CellStats, so holding one proves the cell
// passed CellStats' rule (all samples ok, n >= 2).
class MetricSummary {
 public:
  const stats::Summary& summary() const { return summary_; }
  const std::optional<stats::ConfidenceInterval>& median_ci95() const { return median_ci95_; }
  const std::vector<double>& values() const { return values_; }  // samples used, sample order

 private:
  friend class CellStats;
  MetricSummary() = default;
  stats::Summary summary_;
  std::optional<stats::ConfidenceInterval> median_ci95_;  // seeded bootstrap
  std::vector<double> values_;
};

struct SampleRow {
  int index = 0;
  std::optional<double> prefill_ms;      // raw
  std::map<std::string, double> values;  // per-sample metrics that could be computed
  std::vector<double> decode_step_ms;
  bool throttled = false;
  bool outlier = false;    // primary metric > kOutlierFactor x cell median
  bool excluded = false;   // outlier and manifest.options.exclude_outliers
};

class CellStats {
 public:
  // The one constructor: nullopt unless `all_ok` and at least 2 rows are not excluded.
  static std::optional<CellStats> from_samples(bool all_ok, const std::string& cell_id,
                                               const std::vector<SampleRow>& rows);
  int n() const { return n_; }
  const MetricSummary* metric(const std::string& name) const;
  const std::map<std::string, MetricSummary>& metrics() const { return metrics_; }
  // Decode cells: mean latency of step k (k = 0 .. N-2) over the used samples.
  const std::vector<double>& step_means_ms() const { return step_means_ms_; }

 private:
  CellStats() = default;
  int n_ = 0;
  std::map<std::string, MetricSummary> metrics_;
  std::vector<double> step_means_ms_;
};

struct CellOutcome {
  PlannedCell plan;
  std::string cell_id, group_id;
  std::string config_id;      // backend|precision|options|device (the cell minus model/scenario)
  std::string config_label;   // "backend precision [options] on device"
  std::string scenario_label; // "single_short (1x32, N=16)"
  std::string status = "ok";  // ok or the failure record's status
  std::string error;
  bench::Observed observed;
  bool has_failure = false;
  int measured_ok = 0, warmups_recorded = 0, throttled = 0, outliers = 0, excluded = 0;
  std::vector<SampleRow> samples;
  std::optional<Floors> floors;
  std::optional<CellStats> stats;
  std::string status_text;    // what tables print instead of numbers ("" when stats exist)
  // Where the cell's records were measured (Manifest::sources).  Two cells are compared only
  // when their host keys are equal (DESIGN.md "Beyond one machine").
  std::string host_key, host_label;
};

// True when two cells were measured on the same host and cards (the only comparable case).
inline bool same_host(const CellOutcome& a, const CellOutcome& b) { return a.host_key == b.host_key; }
// "cells measured on different hosts/cards (A; B): comparisons across hosts are refused"
std::string cross_host_reason(const CellOutcome& a, const CellOutcome& b);

struct GroupInfo {
  std::string group_id, model, config_id, config_label;
  int worker_starts = 0;
  std::vector<double> load_ms, build_ms;            // ok worker starts only
  std::optional<std::int64_t> peak_rss_bytes, peak_device_bytes;  // max over group records
  std::vector<std::string> start_failures;          // "status: error" of failed worker starts
};

struct Comparison {
  std::string model, scenario, scenario_label, phase, metric;
  std::string baseline_cell, candidate_cell, baseline_config, candidate_config;
  std::string baseline_label, candidate_label;
  bool compared = false;
  std::string not_compared_reason;
  // Only when compared (both cells have CellStats):
  double baseline_mean = 0, candidate_mean = 0;
  stats::Delta delta;
  std::optional<stats::WelchResult> welch;   // candidate - baseline; absent: zero variance
  std::optional<stats::EffectSize> effect;
  std::optional<double> p_holm;
  bool significant = false;
};

struct Overall {
  std::string model, phase, metric, baseline_config, candidate_config, baseline_label,
      candidate_label;
  double geomean_speedup = 1.0;
  std::vector<std::string> scenarios_covered, scenarios_missing;
  int significant_better = 0, significant_worse = 0, not_significant = 0;
};

struct CrossoverPoint {
  std::string model;
  double params = 0, a_mean = 0, b_mean = 0;
};
struct CrossoverEntry {
  std::string phase, scenario, scenario_label, metric, config_a, config_b, label_a, label_b;
  std::vector<CrossoverPoint> points;  // sizes both measured, ascending params
  std::vector<std::string> sizes_missing;  // models where either config has no numbers
  std::string result;                  // "crossing", "no_crossing", "insufficient"
  std::string note;                    // why sizes were left out (e.g. measured on other hosts)
  std::vector<Crossing> crossings;
  int sign_first = 0, sign_last = 0;
};

struct BestAtSize {
  std::string phase, scenario, scenario_label, metric, model;
  double params = 0;
  std::string best_config, best_label;
  double best_mean = 0;
  std::optional<std::string> runner_up_config, runner_up_label;
  std::optional<double> runner_up_mean;
  bool ci_overlap = false;
  int configs_without_numbers = 0;
  std::string host_label;              // set when the folder mixes hosts: ranked within one host
};

struct CostEntry {
  std::string cell_id, model, config_label, scenario_label, phase, throughput_metric;
  double tokens_per_s = 0, usd_per_million_tokens = 0;
};

// One configuration as planned: its label and its full backend options (listed once).
struct ConfigInfo {
  std::string config_id, label, backend, precision, device;
  nlohmann::json options;
};

struct RunCounts {
  int planned_cells = 0, planned_groups = 0;
  int cells_with_numbers = 0, cells_too_few = 0, cells_failed = 0;
  std::map<std::string, int> failed_by_status;
  std::int64_t samples_planned = 0, samples_ok = 0, samples_missing = 0;
  std::int64_t warmups_planned = 0, warmups_recorded = 0;
  int outliers_flagged = 0, outliers_excluded = 0, throttled_samples = 0;
  int worker_starts = 0, truncated_tail_lines = 0;
};

struct Analysis {
  const Inputs* inputs = nullptr;
  std::string baseline_backend;
  std::vector<CellOutcome> cells;          // sorted: model (params), phase, scenario, config
  std::map<std::string, GroupInfo> groups;
  std::map<std::string, ConfigInfo> configurations;  // by config_id
  std::vector<Comparison> comparisons;
  std::vector<Overall> overall;
  std::vector<CrossoverEntry> crossovers;
  std::vector<BestAtSize> best;
  std::vector<CostEntry> costs;
  RunCounts counts;
  std::vector<std::string> models_in_order;  // by params, then id
};

struct AnalysisOptions {
  std::string baseline_backend;  // overrides manifest.options.baseline_backend when not empty
};

// Throws RunCountError when records disagree with the plan, sb::Error on other bad input.
Analysis analyze(const Inputs& in, const AnalysisOptions& opt);

// stats.json: sorted keys, numbers rounded by round_for_json, no time other than the
// manifest's.
nlohmann::json analysis_to_json(const Analysis& a);

// ---- configuration labels (the ONE labelling used by every table, figure legend, summary
// sentence and claims evidence; stats.json carries the result) ----
// A configuration is a cell minus model and scenario: backend|precision|options|device.
std::string config_id(const bench::CellKey& k);
// Labels for every configuration of one report, keyed by config_id.  A label reads
// "backend precision on device"; backend options appear only when another configuration of the
// same report shares backend, precision and device but has other options, and then only the
// keys whose values differ within that set, shortened ("[calib=stdtypes.rst.txt]", a key the
// configuration lacks reads "key=(unset)").  Shortened values fall back to full values when
// shortening would make two labels equal, so labels are always unique per config_id.  The
// full options of each configuration are listed once (stats.json "configurations", the
// report's Configurations section).
std::map<std::string, std::string> config_labels(const std::vector<bench::CellKey>& keys);

// Accuracy verdict text shown beside a config's speed ("pass (ppl delta +0.01%, KL 1.2e-05)").
std::string accuracy_text(const Inputs& in, const std::string& model, const bench::CellKey& key);

}  // namespace sb::report
