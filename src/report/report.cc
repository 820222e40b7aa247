#include "report/report.h"

#include <map>
#include <optional>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "report/analysis.h"
#include "report/claims.h"
#include "report/document.h"
#include "report/figures.h"
#include "report/metrics.h"
#include "report/text.h"
#include "stats/compare.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::report {
using nlohmann::json;

namespace {

constexpr const char* kDash = "—";  // not a Markdown list marker, reads as "none"

// ---- the ONLY formatting of per-cell metric numbers: it needs a MetricSummary, which only
// ---- CellStats can hand out (cells with all samples ok and n >= 2).
struct MetricCells {
  std::string mean_ci, median, p95, cv;
};
MetricCells format_metric(const MetricSummary& ms) {
  const auto& s = ms.summary();
  MetricCells m;
  m.mean_ci = format_number(s.mean);
  if (s.mean_ci95) m.mean_ci += " ± " + format_number((s.mean_ci95->high - s.mean_ci95->low) / 2);
  m.median = format_number(s.median);
  if (ms.median_ci95())
    m.median += " [" + format_number(ms.median_ci95()->low) + ", " +
                format_number(ms.median_ci95()->high) + "]";
  m.p95 = format_number(s.p95);
  m.cv = s.cv ? format_fixed(*s.cv * 100.0, 1) + "%" : kDash;
  return m;
}

std::string n_text(const CellOutcome& c) {
  std::string s = c.stats ? std::to_string(c.stats->n())
                          : fmt::format("{}/{} ok", c.measured_ok, c.plan.repetitions);
  if (c.throttled) s += fmt::format(" ({} throttled)", c.throttled);
  return s;
}

std::string outlier_text(const CellOutcome& c, bool exclude) {
  if (c.outliers == 0) return "0";
  return fmt::format("{} flagged, {}", c.outliers, exclude ? "excluded" : "kept");
}

std::string mib(std::int64_t bytes) { return format_number(double(bytes) / (1024.0 * 1024.0)); }

std::string raw_values_text(const std::vector<double>& v) {
  if (v.empty()) return kDash;
  if (v.size() == 1) return format_number(v[0]) + " (1 worker start)";
  double lo = v[0], hi = v[0], sum = 0;
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  return fmt::format("mean {} (min {}, max {}; {} worker starts)", format_number(sum / v.size()),
                     format_number(lo), format_number(hi), v.size());
}

std::string json_scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return format_number(v.get<double>(), 6);
  if (v.is_null()) return kDash;
  return v.dump();
}

std::string comparison_verdict(const Comparison& c) {
  if (!c.compared) return "not compared: " + c.not_compared_reason;
  if (!c.p_holm) return "not testable: zero variance in both cells";
  std::string p = *c.p_holm < 1e-4 ? "p < 0.0001" : "p = " + format_p(*c.p_holm);
  if (!c.significant) return "no detectable difference (" + p + ", Holm)";
  return fmt::format("candidate {} ({} speedup, {}, Holm)", c.delta.speedup > 1 ? "better" : "worse",
                     format_fixed(c.delta.speedup, 2) + "x", p);
}

void add_header(Document& d, const Inputs& in) {
  const Manifest& m = in.manifest;
  const json& sb = m.raw.value("scalebench", json::object());
  d.paragraph(fmt::format("Run {}; started {}, finished {} (times from the manifest). Produced by "
                          "scalebench {} ({}, {} build).",
                          m.run_id, m.started_utc.empty() ? "unknown" : m.started_utc,
                          m.finished_utc.empty() ? "unknown" : m.finished_utc,
                          json_scalar_text(sb.value("version", json("unknown"))),
                          json_scalar_text(sb.value("git_sha", json("unknown"))),
                          json_scalar_text(sb.value("build_type", json("unknown")))));
  std::string bt = sb.value("build_type", std::string());
  if ((!bt.empty() && bt != "Release" && bt != "RelWithDebInfo") || sb.value("sanitized", false))
    d.paragraph("WARNING: these timings come from a " + bt +
                (sb.value("sanitized", false) ? " sanitized" : "") +
                " build; they do not represent release performance.");
}

void add_run_counts(Document& d, const Analysis& a) {
  const RunCounts& r = a.counts;
  d.heading(2, "Run counts (computed from records, checked against the plan)");
  std::vector<std::vector<std::string>> rows = {
      {"planned cells", std::to_string(r.planned_cells)},
      {"planned groups (worker units)", std::to_string(r.planned_groups)},
      {"cells with numbers (all samples ok, n >= 2)", std::to_string(r.cells_with_numbers)},
      {"cells with too few samples (n < 2)", std::to_string(r.cells_too_few)},
      {"failed cells", std::to_string(r.cells_failed)}};
  for (const auto& [st, n] : r.failed_by_status)
    rows.push_back({"failed cells: " + st, std::to_string(n)});
  rows.push_back({"measured samples planned", std::to_string(r.samples_planned)});
  rows.push_back({"measured samples ok", std::to_string(r.samples_ok)});
  rows.push_back({"measured samples not obtained (failed cells)", std::to_string(r.samples_missing)});
  rows.push_back({"warmup samples planned", std::to_string(r.warmups_planned)});
  rows.push_back({"warmup samples recorded (excluded from statistics)", std::to_string(r.warmups_recorded)});
  rows.push_back({"outliers flagged (> 2x cell median of the primary metric)", std::to_string(r.outliers_flagged)});
  rows.push_back({"outliers excluded", std::to_string(r.outliers_excluded)});
  rows.push_back({"throttled samples (flagged by the runner)", std::to_string(r.throttled_samples)});
  rows.push_back({"worker starts", std::to_string(r.worker_starts)});
  rows.push_back({"truncated last lines of records.jsonl ignored", std::to_string(r.truncated_tail_lines)});
  d.table({"Count", "Value"}, rows);
  d.paragraph(a.inputs->manifest.exclude_outliers
                  ? "Outliers are EXCLUDED from statistics (manifest options.exclude_outliers = "
                    "true); they stay in records.jsonl."
                  : "Outliers are flagged and counted but KEPT in statistics (manifest "
                    "options.exclude_outliers = false).");
}

void add_sources(Document& d, const Analysis& a) {
  const Manifest& m = a.inputs->manifest;
  if (!m.merged) return;
  std::vector<std::string> items;
  for (const auto& s : m.sources) items.push_back("run " + s.run_id + ": " + s.label);
  d.heading(2, "Sources of this merged folder");
  d.paragraph(m.mixed_sources()
                  ? "These results were merged from shards measured on different hosts or cards. No "
                    "comparison, crossover, ranking or claim in this report combines cells of two "
                    "different hosts; such pairs are listed as refused."
                  : "These results were merged from shards measured on the same host and cards.");
  d.list(items);
}

void add_architecture(Document& d, const Analysis& a) {
  const Manifest& m = a.inputs->manifest;
  d.heading(2, "Models (architecture and parameter counts from the manifest, measured from tensors)");
  std::vector<std::vector<std::string>> rows;
  for (const auto& id : a.models_in_order) {
    auto it = m.models.find(id);
    if (it == m.models.end()) {
      auto inc = m.models_incomplete.find(id);
      std::string why = inc != m.models_incomplete.end() ? inc->second : "no manifest entry";
      rows.push_back({id, kDash, why, kDash, kDash, kDash, kDash, kDash, kDash, kDash, kDash});
      continue;
    }
    const ModelInfo& mi = it->second;
    rows.push_back({id, mi.spec, std::to_string(mi.params) + " (" + format_params(double(mi.params)) + ")",
                    std::to_string(mi.n_layer), std::to_string(mi.n_head), std::to_string(mi.n_embd),
                    std::to_string(mi.n_positions), std::to_string(mi.vocab_size),
                    mi.bytes_on_disk ? std::to_string(mi.bytes_on_disk) : kDash,
                    mi.synthetic ? "yes (random weights)" : "no", mi.sha256.empty() ? kDash : mi.sha256});
  }
  d.table({"Model", "Spec", "Parameters", "Layers", "Heads", "Width", "Positions", "Vocab",
           "Bytes on disk", "Synthetic", "Weights SHA-256"},
          rows);
}

// Each configuration's full backend options, listed once: labels elsewhere show options only
// where two configurations would otherwise read the same (see config_labels).
void add_configurations(Document& d, const Analysis& a) {
  d.heading(2, "Configurations (labels used in this report, with their full backend options)");
  d.paragraph("A label is 'backend precision on device'. Backend options appear in a label only when "
              "two configurations share backend, precision and device, and then only the keys that "
              "differ (long values shortened); the full options of every configuration are here.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, ci] : a.configurations) {
    std::string opts;
    if (ci.options.is_object()) {
      for (auto it = ci.options.begin(); it != ci.options.end(); ++it)
        opts += (opts.empty() ? "" : "; ") + it.key() + " = " + json_scalar_text(it.value());
    } else if (!ci.options.is_null()) {
      opts = ci.options.dump();
    }
    std::set<std::string> models;
    for (const auto& c : a.cells)
      if (c.config_id == id) models.insert(c.plan.key.model);
    std::string model_list;
    for (const auto& m : a.models_in_order)
      if (models.count(m)) model_list += (model_list.empty() ? "" : ", ") + m;
    rows.push_back({ci.label, ci.backend, ci.precision, ci.device, opts.empty() ? "none" : opts, model_list});
  }
  d.table({"Label", "Backend", "Precision", "Device", "Backend options (as planned)", "Models planned"}, rows);
}

void add_metric_tables(Document& d, const Analysis& a) {
  const bool excl = a.inputs->manifest.exclude_outliers;
  for (const auto& model : a.models_in_order) {
    const Manifest& m = a.inputs->manifest;
    auto mit = m.models.find(model);
    d.heading(2, "Results: model " + model +
                     (mit != m.models.end() ? " (" + format_params(double(mit->second.params)) + " parameters)" : ""));
    for (const char* phase : {"prefill", "decode"}) {
      std::vector<const CellOutcome*> cells;
      for (const auto& c : a.cells)
        if (c.plan.key.model == model && c.plan.key.phase == phase) cells.push_back(&c);
      if (cells.empty()) continue;
      d.heading(3, std::string("Phase: ") + phase);
      for (const MetricDef* md : sample_metrics(phase)) {
        bool any = false;
        for (const auto* c : cells) any = any || (c->stats && c->stats->metric(md->name));
        bool is_roofline = md->name.find("roofline") != std::string::npos;
        if (is_roofline && !any) continue;  // no ceilings: the section would be empty
        d.heading(4, md->title + ": " + md->name + " (" + md->unit + ")");
        std::vector<std::vector<std::string>> rows;
        for (const auto* c : cells) {
          std::vector<std::string> row = {c->config_label, c->scenario_label};
          const MetricSummary* ms = c->stats ? c->stats->metric(md->name) : nullptr;
          if (ms) {
            MetricCells mc = format_metric(*ms);
            row.insert(row.end(), {mc.mean_ci, mc.median, mc.p95, mc.cv});
          } else if (c->stats) {
            row.insert(row.end(), {"not recorded for this cell", kDash, kDash, kDash});
          } else {
            row.insert(row.end(), {c->status_text, kDash, kDash, kDash});
          }
          row.push_back(n_text(*c));
          row.push_back(outlier_text(*c, excl));
          row.push_back(accuracy_text(*a.inputs, model, c->plan.key));
          rows.push_back(std::move(row));
        }
        d.table({"Backend configuration", "Scenario", "Mean ± 95% CI", "Median [95% bootstrap CI]",
                 "p95", "CV", "n", "Outliers", "Accuracy"},
                rows);
      }
    }
    // Load / build / memory per group of this model.
    d.heading(3, "Load, build and memory");
    std::vector<std::vector<std::string>> rows;
    for (const auto& [gid, g] : a.groups) {
      if (g.model != model) continue;
      std::string load = raw_values_text(g.load_ms);
      if (!g.start_failures.empty()) {
        std::string f;
        for (const auto& s : g.start_failures) f += (f.empty() ? "" : "; ") + s;
        load += " | failed starts: " + f;
      }
      const CellOutcome* any = nullptr;
      for (const auto& c : a.cells)
        if (c.group_id == gid) {
          any = &c;
          break;
        }
      rows.push_back({g.config_label, std::to_string(g.worker_starts), load,
                      raw_values_text(g.build_ms),
                      g.peak_rss_bytes ? mib(*g.peak_rss_bytes) : kDash,
                      g.peak_device_bytes ? mib(*g.peak_device_bytes) : kDash,
                      any ? accuracy_text(*a.inputs, model, any->plan.key) : kDash});
    }
    d.table({"Backend configuration", "Worker starts", "load_ms", "build_ms", "peak_rss_mib",
             "peak_device_mib", "Accuracy"},
            rows);
  }
}

void add_comparisons(Document& d, const Analysis& a) {
  d.heading(2, "Comparisons vs baseline" + (a.baseline_backend.empty() ? std::string(" (none chosen)")
                                                                         : " " + a.baseline_backend));
  if (a.baseline_backend.empty()) {
    d.paragraph("No baseline backend was chosen (manifest options.baseline_backend or "
                "--baseline), so no comparisons were made.");
    return;
  }
  d.paragraph(std::string("Sign convention: ") + stats::delta_convention_text() +
              " Each comparison is between two cells of the same model, scenario and phase, on "
              "the phase's primary metric (prefill_latency_ms, tpot_ms). Diff CI = Welch 95% CI of "
              "mean(candidate) - mean(baseline) in the metric's unit. p = Welch's two-sided test; "
              "Holm = Holm-Bonferroni adjusted over every tested comparison in this report; "
              "significant when Holm p < 0.05. g = Hedges' g (exact correction) of candidate - "
              "baseline.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : a.comparisons) {
    std::vector<std::string> row = {c.model, c.phase, c.scenario_label, c.metric, c.baseline_label,
                                    c.candidate_label};
    if (c.compared) {
      row.push_back(format_number(c.baseline_mean));
      row.push_back(format_number(c.candidate_mean));
      row.push_back(format_fixed(c.delta.speedup, 2) + "x");
      row.push_back(format_fixed(c.delta.delta_pct, 1) + "%");
      row.push_back(c.welch ? "[" + format_number(c.welch->diff_ci95.low) + ", " +
                                  format_number(c.welch->diff_ci95.high) + "]"
                            : kDash);
      row.push_back(c.welch ? format_p(c.welch->p_two_sided) : kDash);
      row.push_back(c.p_holm ? format_p(*c.p_holm) : kDash);
      row.push_back(c.effect ? format_fixed(c.effect->hedges_g, 2) : kDash);
    } else {
      for (int i = 0; i < 8; ++i) row.push_back(kDash);
    }
    row.push_back(comparison_verdict(c));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    d.paragraph("No cell of the baseline backend shares a model, scenario and phase with another "
                "configuration.");
    return;
  }
  d.table({"Model", "Phase", "Scenario", "Metric", "Baseline", "Candidate", "Baseline mean",
           "Candidate mean", "Speedup", "Delta", "Diff 95% CI", "p (Welch)", "p (Holm)",
           "Hedges' g", "Verdict"},
          rows);

  d.heading(3, "Overall (geometric means of per-scenario speedups)");
  std::vector<std::vector<std::string>> orows;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string(kDash) : s;
  };
  for (const auto& o : a.overall)
    orows.push_back({o.model, o.phase, o.metric, o.candidate_label, o.baseline_label,
                     format_fixed(o.geomean_speedup, 2) + "x", join(o.scenarios_covered),
                     join(o.scenarios_missing),
                     fmt::format("{} better, {} worse, {} no detectable difference",
                                 o.significant_better, o.significant_worse, o.not_significant)});
  if (orows.empty()) d.paragraph("No configuration had a comparable scenario.");
  else
    d.table({"Model", "Phase", "Metric", "Candidate", "Baseline", "Geomean speedup",
             "Scenarios covered", "Scenarios not covered (no numbers)", "Per-scenario verdicts"},
            orows);
}

void add_scaling(Document& d, const Analysis& a) {
  d.heading(2, "Scaling and crossovers");
  d.paragraph("For each pair of backend configurations, phase and scenario, the primary metric's "
              "mean is compared across the model sizes both measured. Between adjacent measured "
              "sizes ln(a/b) is interpolated linearly in ln(parameters); a sign change is a "
              "crossover, shown with its bracketing measurements. Nothing is extrapolated beyond "
              "the smallest or largest measured size.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : a.crossovers) {
    std::string result, brackets;
    auto pt = [&](const CrossoverPoint& p) {
      return fmt::format("{} ({}): {} vs {} ms", p.model, format_params(p.params),
                         format_number(p.a_mean), format_number(p.b_mean));
    };
    if (e.result == "insufficient") {
      result = "fewer than 2 sizes measured by both; no analysis";
    } else if (e.result == "no_crossing") {
      std::string who = e.sign_first < 0 ? e.label_a + " lower" : e.sign_first > 0 ? e.label_b + " lower" : "equal";
      result = "no crossing measured between " + format_params(e.points.front().params) + " and " +
               format_params(e.points.back().params) + " parameters (" + who + " throughout)";
      brackets = pt(e.points.front()) + "; " + pt(e.points.back());
    } else {
      for (const auto& c : e.crossings) {
        result += (result.empty() ? "" : "; ") +
                  fmt::format("cross at ~{} parameters (~{} ms)", format_params(c.params),
                              format_number(c.value));
        brackets += (brackets.empty() ? "" : " | ") + pt(e.points[c.lo]) +
                    (c.lo == c.hi ? " (at this size)" : "; " + pt(e.points[c.hi]));
      }
    }
    if (!e.sizes_missing.empty()) {
      std::string miss;
      for (const auto& s : e.sizes_missing) miss += (miss.empty() ? "" : ", ") + s;
      result += e.note.empty() ? " [sizes without numbers: " + miss + "]"
                               : " [sizes left out: " + miss + "; " + e.note + "]";
    }
    rows.push_back({e.phase, e.scenario_label, e.metric, e.label_a, e.label_b, result,
                    brackets.empty() ? kDash : brackets});
  }
  if (rows.empty()) d.paragraph("No pair of configurations measured at least two common model sizes.");
  else
    d.table({"Phase", "Scenario", "Metric (mean)", "A", "B", "Result", "Bracketing measurements (A vs B)"},
            rows);

  d.heading(3, "Which backend for which size (lowest mean of the primary metric)");
  std::vector<std::vector<std::string>> brows;
  const bool mixed = a.inputs->manifest.mixed_sources();
  for (const auto& b : a.best)
    brows.push_back({b.phase, b.scenario_label, mixed ? b.model + " on " + b.host_label : b.model,
                     format_params(b.params),
                     b.best_label + " (" + format_number(b.best_mean) + " ms)",
                     b.runner_up_label ? *b.runner_up_label + " (" + format_number(*b.runner_up_mean) + " ms)"
                                       : std::string("none with numbers"),
                     b.runner_up_label ? (b.ci_overlap ? "yes: not distinguishable by CI" : "no")
                                       : kDash,
                     std::to_string(b.configs_without_numbers)});
  if (brows.empty()) d.paragraph("No cell produced numbers.");
  else
    d.table({"Phase", "Scenario", "Model", "Parameters", "Lowest mean", "Runner-up",
             "95% CIs overlap", "Configurations without numbers"},
            brows);
}

void add_cost(Document& d, const Analysis& a) {
  const Manifest& m = a.inputs->manifest;
  if (!m.price_per_hour_usd) return;  // no cost figure without the user's price
  d.heading(2, "Cost per million tokens");
  d.paragraph("Formula: " + metric("cost_per_million_tokens_usd").formula +
              ". Price per hour (manifest options.price_per_hour_usd): " +
              format_number(*m.price_per_hour_usd) + " USD.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : a.costs)
    rows.push_back({c.model, c.phase, c.scenario_label, c.config_label, c.throughput_metric,
                    format_number(c.tokens_per_s), format_number(c.usd_per_million_tokens)});
  d.table({"Model", "Phase", "Scenario", "Backend configuration", "Throughput metric",
           "Mean tokens/s", "USD per million tokens"},
          rows);
}

void add_accuracy(Document& d, const Analysis& a) {
  const Inputs& in = *a.inputs;
  d.heading(2, "Accuracy");
  if (!in.accuracy_present) {
    d.paragraph("No accuracy.jsonl in this run: every backend's accuracy is 'not checked'.");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  auto opt = [](const std::optional<double>& v, double scale, int sig) {
    return v ? format_number(*v * scale, sig) : std::string(kDash);
  };
  for (const auto& x : in.accuracy)
    rows.push_back({x.model, x.backend, x.precision, x.device.empty() ? kDash : x.device, x.status,
                    x.status == "ok" ? x.verdict : kDash, opt(x.ppl, 1, 6),
                    opt(x.ppl_rel_delta, 100, 3) + (x.ppl_rel_delta ? "%" : ""), opt(x.kl_mean, 1, 3),
                    opt(x.top1_agreement, 100, 4) + (x.top1_agreement ? "%" : ""),
                    x.model_trained ? (*x.model_trained ? "yes" : "no: untrained model") : kDash,
                    x.reference_backend.empty() ? kDash : x.reference_backend + " " + x.reference_precision,
                    !x.error.empty() ? x.error : (x.verdict_reason.empty() ? kDash : x.verdict_reason)});
  d.table({"Model", "Backend", "Precision", "Device", "Status", "Verdict", "PPL", "PPL delta",
           "KL mean", "Top-1 agreement", "Trained model", "Reference", "Reason / error"},
          rows);
}

void add_failures(Document& d, const Analysis& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : a.cells) {
    if (c.stats) continue;
    rows.push_back({c.plan.key.model, c.plan.key.phase, c.scenario_label, c.config_label,
                    c.has_failure ? c.status : "ok (too few samples)", c.status_text,
                    c.has_failure ? c.error : kDash,
                    c.has_failure ? fmt::format("{} samples, {} tokens, {} ms elapsed",
                                                c.observed.samples_done, c.observed.tokens_produced,
                                                format_number(c.observed.elapsed_ms))
                                  : kDash});
  }
  d.heading(2, "Cells without numbers");
  if (rows.empty()) {
    d.paragraph("Every planned cell produced numbers.");
    return;
  }
  d.paragraph("These cells show their status instead of numbers everywhere in this report; their "
              "successful raw samples, if any, remain in records.jsonl.");
  d.table({"Model", "Phase", "Scenario", "Backend configuration", "Status", "Shown as",
           "Error text", "Observed before failing"},
          rows);
}

void add_artifacts(Document& d, const Inputs& in) {
  d.heading(2, "Artifacts (exports and engines)");
  const json arts = in.manifest.raw.value("artifacts", json::object());
  if (!arts.is_object() || arts.empty()) {
    d.paragraph("The manifest lists no artifacts.");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (auto it = arts.begin(); it != arts.end(); ++it) {
    const json& v = *it;
    auto f = [&](const char* k) { return v.contains(k) ? json_scalar_text(v.at(k)) : std::string(kDash); };
    std::string other;
    for (auto kv = v.begin(); kv != v.end(); ++kv) {
      static const std::set<std::string> known = {"kind", "sha256", "bytes", "opset", "build_ms"};
      if (known.count(kv.key())) continue;
      other += (other.empty() ? "" : "; ") + kv.key() + " = " + json_scalar_text(kv.value());
    }
    rows.push_back({it.key(), f("kind"), f("sha256"), f("bytes"), f("opset"), f("build_ms"),
                    other.empty() ? kDash : other});
  }
  d.table({"Group", "Kind", "SHA-256", "Bytes", "Opset", "build_ms", "Other metadata"}, rows);
}

void add_appendix(Document& d, const Analysis& a, const std::filesystem::path& dir, bool with_claims) {
  const Manifest& m = a.inputs->manifest;
  d.heading(2, "Appendix A: metric definitions (generated from the metric registry)");
  std::vector<std::vector<std::string>> rows;
  for (const auto& md : metric_registry())
    rows.push_back({md.name, md.unit, md.phase,
                    md.better == stats::Better::kLower ? "lower" : "higher", md.formula, md.inputs});
  d.table({"Metric", "Unit", "Phase", "Better", "Formula", "Inputs"}, rows);

  if (with_claims) {
    d.heading(2, "Appendix A2: statistics of the claims section");
    d.paragraph(claims_statistics_intro());
    d.list(claims_statistics_items());
  }

  d.heading(2, "Appendix B: statistical methods");
  d.list({
      "Mean and standard deviation: Welford's algorithm in double precision; sample std (n - 1).",
      "Percentiles (median, p90, p95, p99): linear interpolation between order statistics, "
      "Hyndman & Fan definition 7 (R's default, numpy's 'linear').",
      "95% CI of the mean: mean ± t(0.975, n - 1) * s / sqrt(n), Student's t from Boost.Math.",
      fmt::format("95% CI of the median: percentile bootstrap, {} resamples, std::mt19937_64 "
                  "seeded with FNV-1a-64 of '<cell id>|<metric>', indices by rejection sampling "
                  "(identical on every platform).",
                  kBootstrapResamples),
      "CV = std / mean.",
      "Cells: numbers only when every planned measured sample succeeded and n >= 2; otherwise "
      "the status and counts are shown.",
      "Outliers: a sample whose primary metric exceeds 2x the cell median is flagged; it is "
      "excluded only when manifest options.exclude_outliers is true.",
      "Comparisons: Welch's unequal-variance t-test (Welch-Satterthwaite df), two-sided; "
      "Holm-Bonferroni step-down adjustment over all tested comparisons of this report; alpha "
      "0.05; not significant reads 'no detectable difference'.",
      "Effect size: Cohen's d with pooled std sqrt(((n1-1)s1^2 + (n2-1)s2^2)/(n1+n2-2)); Hedges' "
      "g = J * d with the exact J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)), df = n1+n2-2.",
      std::string("Speedup and delta: ") + stats::delta_convention_text(),
      "Overall: geometric mean of per-scenario speedups, labelled with the scenarios it covers.",
      "Crossovers: log-log linear interpolation of ln(a/b) between adjacent sizes measured by "
      "both configurations; never extrapolated."});

  d.heading(2, "Appendix C: environment (from the manifest)");
  std::vector<std::string> env;
  for (const char* key : {"scalebench", "host"}) {
    if (!m.raw.contains(key) || !m.raw.at(key).is_object()) continue;
    for (auto it = m.raw.at(key).begin(); it != m.raw.at(key).end(); ++it)
      env.push_back(std::string(key) + "." + it.key() + ": " + json_scalar_text(it.value()));
  }
  if (m.raw.contains("gpus") && m.raw.at("gpus").is_array())
    for (std::size_t i = 0; i < m.raw.at("gpus").size(); ++i)
      for (auto it = m.raw.at("gpus")[i].begin(); it != m.raw.at("gpus")[i].end(); ++it)
        env.push_back(fmt::format("gpus[{}].{}: {}", i, it.key(), json_scalar_text(it.value())));
  if (m.raw.contains("seeds") && m.raw.at("seeds").is_object())
    for (auto it = m.raw.at("seeds").begin(); it != m.raw.at("seeds").end(); ++it)
      env.push_back("seeds." + it.key() + ": " + json_scalar_text(it.value()));
  if (env.empty()) env.push_back("The manifest records no environment.");
  d.list(env);

  d.heading(2, "Appendix D: measured ceilings");
  if (m.raw.contains("ceilings") && !m.raw.at("ceilings").empty())
    d.code(m.raw.at("ceilings").dump(2));
  else
    d.paragraph("No ceilings in the manifest: roofline ratios are not computed.");

  d.heading(2, "Appendix E: command lines");
  std::string cmds;
  if (m.raw.contains("command_lines") && m.raw.at("command_lines").is_array())
    for (const auto& c : m.raw.at("command_lines")) cmds += json_scalar_text(c) + "\n";
  if (cmds.empty()) d.paragraph("The manifest records no command lines.");
  else d.code(cmds);

  d.heading(2, "Appendix F: inputs of this report");
  std::vector<std::string> files;
  for (const char* f : {"manifest.json", "records.jsonl", "accuracy.jsonl", "claims.toml"}) {
    auto p = dir / f;
    if (!with_claims && std::string(f) == "claims.toml") continue;  // listed only when used
    if (std::filesystem::exists(p)) files.push_back(std::string(f) + ": SHA-256 " + sha256_file(p));
    else files.push_back(std::string(f) + ": absent");
  }
  d.list(files);
  if (m.raw.contains("study") && m.raw.at("study").is_object() && m.raw.at("study").contains("text")) {
    const json& s = m.raw.at("study");
    d.paragraph("Study file " + s.value("path", std::string("(unnamed)")) + " (SHA-256 " +
                s.value("sha256", std::string("unknown")) + "):");
    d.code(json_scalar_text(s.at("text")));
  }
}

}  // namespace

std::filesystem::path resolve_claims_file(const std::filesystem::path& dir, const json& manifest,
                                          const std::filesystem::path& explicit_file) {
  namespace fs = std::filesystem;
  if (!explicit_file.empty()) return explicit_file;
  if (fs::exists(dir / "claims.toml")) return dir / "claims.toml";
  const json opts = manifest.value("options", json::object());
  if (!opts.is_object() || !opts.contains("claims") || !opts.at("claims").is_string()) return {};
  fs::path named = opts.at("claims").get<std::string>();
  std::vector<fs::path> tried;
  // A merged folder: the copy a shard's own report kept is exactly the file that run used.
  const json merge = manifest.value("merge", json::object());
  if (merge.is_object() && merge.contains("sources") && merge.at("sources").is_array())
    for (const auto& src : merge.at("sources"))
      if (src.is_object() && src.contains("dir") && src.at("dir").is_string()) {
        tried.push_back(fs::path(src.at("dir").get<std::string>()) / "claims.toml");
        if (fs::exists(tried.back())) return tried.back();
      }
  fs::path resolved = named;
  if (named.is_relative()) {
    const json study = manifest.value("study", json::object());
    std::string study_path = study.is_object() ? study.value("path", std::string()) : std::string();
    if (!study_path.empty()) resolved = fs::path(study_path).parent_path() / named;
  }
  if (named.is_absolute() || resolved != named) {
    tried.push_back(resolved);
    if (fs::exists(resolved)) return resolved;
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t.string();
  fail("{}: options.claims names '{}' but no such file was found (tried {}{}); copy the claims file to {}",
       (dir / "manifest.json").string(), named.string(), (dir / "claims.toml").string(),
       list.empty() ? "" : ", " + list, (dir / "claims.toml").string());
}

ReportResult write_report(const std::filesystem::path& dir, const ReportOptions& options) {
  Inputs in = read_inputs(dir);
  AnalysisOptions ao;
  ao.baseline_backend = options.baseline_backend;
  Analysis a = analyze(in, ao);  // throws RunCountError before anything is written
  // Claims: validated before anything is written; the file the report used is kept in the
  // folder as claims.toml so the folder alone reproduces this report.
  std::optional<ClaimsFile> claims;
  std::optional<ClaimsResult> claims_result;
  std::filesystem::path claims_path = resolve_claims_file(dir, in.manifest.raw, options.claims_file);
  if (!claims_path.empty()) {
    claims = load_claims(claims_path);
    claims->path = "claims.toml";  // the name it has inside the results folder
    claims_result = evaluate_claims(a, *claims);
  }
  json st = analysis_to_json(a);
  if (claims_result) st["claims"] = claims_to_json(*claims_result);
  if (!claims_path.empty()) {
    std::filesystem::path kept = dir / "claims.toml";
    std::error_code ec;
    if (!std::filesystem::equivalent(claims_path, kept, ec)) write_file_atomic(kept, read_file(claims_path));
  }

  ReportResult res;
  res.stats_json = dir / "stats.json";
  res.report_md = dir / "report.md";
  res.report_html = dir / "report.html";

  std::vector<Figure> figs = build_figures(a);
  if (options.figures) {
    res.figures_note = render_figures(figs, dir / "figures");
  } else {
    res.figures_note = "Figures were not drawn (figures disabled for this render).";
  }
  for (const auto& f : figs)
    if (!f.svg.empty()) res.figures.push_back(dir / "figures" / (f.name + ".svg"));

  Document d;
  d.title = "scalebench report: " + (in.manifest.study_name.empty() ? in.manifest.run_id
                                                                     : in.manifest.study_name);
  add_header(d, in);
  d.heading(2, "Summary (generated from stats.json)");
  d.list(summary_sentences(st));
  add_run_counts(d, a);
  add_sources(d, a);
  add_architecture(d, a);
  add_configurations(d, a);
  add_metric_tables(d, a);
  add_comparisons(d, a);
  add_scaling(d, a);
  if (claims_result) add_claims_section(d, a, *claims_result);
  add_cost(d, a);
  add_accuracy(d, a);
  add_failures(d, a);
  add_artifacts(d, in);
  d.heading(2, "Figures");
  if (!res.figures_note.empty()) d.paragraph(res.figures_note);
  if (figs.empty()) d.paragraph("No cell produced numbers to plot.");
  for (const auto& f : figs) d.figure("figures/" + f.name + ".svg", f.caption, f.svg);
  add_appendix(d, a, dir, claims_result.has_value());

  write_file_atomic(res.stats_json, st.dump(2) + "\n");
  write_file_atomic(res.report_md, render_markdown(d));
  write_file_atomic(res.report_html, render_html(d));
  return res;
}

}  // namespace sb::report
