// report/metrics — THE metric registry: the one place where every number the report shows is
// defined.  Each entry names the metric (unit in the name), its phase, its formula as text, the
// raw record fields it reads, which direction is better, and (for per-sample metrics) the
// function that computes it from one raw sample.  docs/metrics.md and the report's appendix are
// generated from this table (metrics_doc_markdown), so the text and the code cannot drift.
// Records hold raw measurements only (bench/record.h); nothing here reads a derived value.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/compare.h"

namespace sb::report {

// What one measured sample offers a metric: the scenario shape and the raw timings.
struct SampleInput {
  int batch = 0;          // B
  int prompt_len = 0;     // S
  int new_tokens = 0;     // N
  std::optional<double> prefill_ms;
  const std::vector<double>* decode_step_ms = nullptr;  // N - 1 values (decode phase)
  // Roofline floors of the cell (absent when the manifest has no ceilings for its device).
  std::optional<double> prefill_floor_ms;
  std::optional<double> decode_step_floor_ms;
};

enum class MetricKind {
  kSample,   // computed per measured sample; summarized per cell (mean, CI, percentiles)
  kGroup,    // measured per worker start / group (load, build, memory)
  kDerived,  // computed once from other metrics or stated inputs (floors, cost)
};

struct MetricDef {
  std::string name;       // e.g. prefill_latency_ms — the unit is part of the name
  std::string title;      // human title for tables
  std::string unit;       // "ms", "tokens/s", "MiB", "x", "USD"
  std::string phase;      // "prefill", "decode" or "load" (load/build/memory of a group)
  MetricKind kind = MetricKind::kSample;
  std::string formula;    // the definition, as printed in docs and the appendix
  std::string inputs;     // raw fields / manifest entries it reads
  stats::Better better = stats::Better::kLower;
  bool primary = false;   // the phase's headline metric: comparisons, outliers, crossovers
  // kSample only: nullopt when the sample lacks the raw field (e.g. no ceilings).
  std::function<std::optional<double>(const SampleInput&)> per_sample;
};

const std::vector<MetricDef>& metric_registry();
const MetricDef& metric(std::string_view name);               // throws on unknown names
std::vector<const MetricDef*> sample_metrics(std::string_view phase);
const MetricDef& primary_metric(std::string_view phase);      // prefill or decode

// Roofline floors (see the registry entries prefill_floor_ms / decode_step_floor_ms).
struct ModelShape {
  std::int64_t params = 0;
  int n_layer = 0, n_embd = 0, n_positions = 0;
};
struct Floors {
  double prefill_floor_ms = 0.0;
  double decode_step_floor_ms = 0.0;
  std::string basis;      // which ceilings were used, for the report
};
int bytes_per_element(std::string_view precision);   // fp32 4, fp16/bf16 2, int8/fp8 1
// nullopt when `ceilings` (manifest.ceilings) has no bandwidth for `device`.
std::optional<Floors> roofline_floors(const ModelShape& m, std::string_view precision,
                                      std::string_view device, int batch, int prompt_len,
                                      int new_tokens, const nlohmann::json& ceilings);

// Cost per million tokens: price_per_hour_usd / (3600 * tokens_per_s) * 1e6.
double cost_per_million_tokens_usd(double price_per_hour_usd, double tokens_per_s);

// docs/metrics.md (and the report appendix): every registry entry with its formula.
std::string metrics_doc_markdown();

}  // namespace sb::report
