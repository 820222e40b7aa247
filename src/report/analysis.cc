#include "report/analysis.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "report/text.h"

namespace sb::report {
using nlohmann::json;

namespace {

// FNV-1a 64: a stable, platform-independent seed per (cell, metric) for the bootstrap.
std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string scenario_label_of(const bench::CellKey& k) {
  return fmt::format("{} ({}x{}, N={})", k.scenario, k.batch, k.prompt_len, k.new_tokens);
}

std::string status_text_of(const CellOutcome& c) {
  const int planned = c.plan.repetitions;
  if (c.has_failure) {
    std::string err = c.error;
    if (err.size() > 160) err = err.substr(0, 157) + "...";
    if (c.status == "unsupported")
      return "unsupported: " + (err.empty() ? std::string("no reason given") : err);
    std::string s = fmt::format("{} after {}/{} samples", c.status, c.measured_ok, planned);
    if (!err.empty()) s += ": " + err;
    return s;
  }
  int used = c.measured_ok - c.excluded;
  if (used < 2) {
    if (c.excluded > 0)
      return fmt::format("n={}, too few samples ({} outliers excluded)", used, c.excluded);
    return fmt::format("n={}, too few samples", used);
  }
  return "";
}

}  // namespace

std::string cross_host_reason(const CellOutcome& a, const CellOutcome& b) {
  return "cells measured on different hosts or cards (" + a.host_label + " vs " + b.host_label +
         "): comparisons across hosts are refused";
}

// ---------------------------------------------------------------------------------------------
std::string config_id(const bench::CellKey& k) {
  return k.backend + "|" + k.precision + "|" + k.options.dump() + "|" + k.device;
}

namespace {
// An option value as text: strings without quotes, anything else as compact JSON.
std::string option_value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A long value shortened for a label: a path keeps its last component, anything still longer
// than kMaxOptionChars keeps its head and tail.
constexpr std::size_t kMaxOptionChars = 24;
std::string short_option_value(const json& v) {
  std::string s = option_value_text(v);
  if (s.size() <= kMaxOptionChars) return s;
  if (v.is_string()) {
    auto slash = s.find_last_of('/');
    if (slash != std::string::npos && slash + 1 < s.size()) s = s.substr(slash + 1);
  }
  if (s.size() <= kMaxOptionChars) return s;
  return s.substr(0, 11) + "..." + s.substr(s.size() - 10);
}
}  // namespace

std::map<std::string, std::string> config_labels(const std::vector<bench::CellKey>& keys) {
  // Distinct configurations, grouped by what a label shows without options.
  std::map<std::string, std::map<std::string, const bench::CellKey*>> by_base;  // base -> id -> key
  for (const auto& k : keys)
    by_base[k.backend + " " + k.precision + " on " + k.device].emplace(config_id(k), &k);
  std::map<std::string, std::string> out;
  for (const auto& [base, configs] : by_base) {
    if (configs.size() == 1) {  // nothing to tell apart: options only in the configurations list
      out[configs.begin()->first] = base;
      continue;
    }
    // Keys whose value (or presence) differs between the configurations of this base.
    auto value_of = [](const bench::CellKey& k, const std::string& key) -> const json* {
      if (!k.options.is_object()) return nullptr;
      auto it = k.options.find(key);
      return it == k.options.end() ? nullptr : &*it;
    };
    std::set<std::string> all_keys;
    bool non_object = false;
    for (const auto& [id, k] : configs) {
      if (k->options.is_object()) {
        for (auto it = k->options.begin(); it != k->options.end(); ++it) all_keys.insert(it.key());
      } else if (!k->options.is_null()) {
        non_object = true;
      }
    }
    std::vector<std::string> differing;
    for (const auto& key : all_keys) {
      const json* first = value_of(*configs.begin()->second, key);
      for (const auto& [id, k] : configs) {
        const json* v = value_of(*k, key);
        if ((v == nullptr) != (first == nullptr) || (v && *v != *first)) {
          differing.push_back(key);
          break;
        }
      }
    }
    auto make = [&](bool shorten) {
      std::map<std::string, std::string> labels;
      std::set<std::string> seen;
      bool unique = true;
      for (const auto& [id, k] : configs) {
        std::string opts;
        if (non_object) {
          opts = k->options.dump();  // not a key/value table: the whole value tells them apart
        } else {
          for (const auto& key : differing) {
            const json* v = value_of(*k, key);
            opts += (opts.empty() ? "" : ", ") + key + "=" +
                    (v ? (shorten ? short_option_value(*v) : option_value_text(*v)) : "(unset)");
          }
        }
        std::string label = base + " [" + opts + "]";
        unique = seen.insert(label).second && unique;
        labels[id] = label;
      }
      return std::make_pair(unique, labels);
    };
    auto [unique, labels] = make(true);
    if (!unique) labels = make(false).second;
    out.insert(labels.begin(), labels.end());
  }
  return out;
}
// ---------------------------------------------------------------------------------------------
std::optional<CellStats> CellStats::from_samples(bool all_ok, const std::string& cell_id,
                                                 const std::vector<SampleRow>& rows) {
  if (!all_ok) return std::nullopt;
  std::vector<const SampleRow*> used;
  for (const auto& r : rows)
    if (!r.excluded) used.push_back(&r);
  if (used.size() < 2) return std::nullopt;
  CellStats cs;
  cs.n_ = static_cast<int>(used.size());
  std::set<std::string> names;
  for (const auto* r : used)
    for (const auto& [k, v] : r->values) names.insert(k);
  for (const auto& name : names) {
    MetricSummary ms;
    bool complete = true;
    for (const auto* r : used) {
      auto it = r->values.find(name);
      if (it == r->values.end()) {
        complete = false;  // a metric missing in some samples is not summarized at all
        break;
      }
      ms.values_.push_back(it->second);
    }
    if (!complete) continue;
    ms.summary_ = stats::summarize(ms.values_);
    ms.median_ci95_ = stats::bootstrap_median_ci(ms.values_, fnv1a64(cell_id + "|" + name),
                                                 kBootstrapResamples);
    cs.metrics_.emplace(name, std::move(ms));
  }
  // Per-step means (decode): only when every used sample has the same number of steps.
  std::size_t steps = used.front()->decode_step_ms.size();
  bool same = steps > 0;
  for (const auto* r : used) same = same && r->decode_step_ms.size() == steps;
  if (same) {
    cs.step_means_ms_.assign(steps, 0.0);
    for (std::size_t k = 0; k < steps; ++k) {
      stats::Welford w;
      for (const auto* r : used) w.add(r->decode_step_ms[k]);
      cs.step_means_ms_[k] = w.mean();
    }
  }
  return cs;
}

const MetricSummary* CellStats::metric(const std::string& name) const {
  auto it = metrics_.find(name);
  return it == metrics_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
std::string accuracy_text(const Inputs& in, const std::string& model, const bench::CellKey& key) {
  if (!in.accuracy_present) return "not checked (no accuracy.jsonl)";
  const AccuracyLine* found = nullptr;
  for (const auto& a : in.accuracy) {
    if (a.model != model || a.backend != key.backend || a.precision != key.precision) continue;
    if (!found || (a.device == key.device && found->device != key.device)) found = &a;
  }
  if (!found) return "not checked";
  const AccuracyLine& a = *found;
  std::string s;
  if (a.status != "ok") {
    s = "accuracy run " + a.status + (a.error.empty() ? "" : ": " + a.error);
  } else {
    s = a.verdict == "not_checked" ? "not checked" : a.verdict;
    std::vector<std::string> parts;
    if (a.ppl_rel_delta) parts.push_back("ppl delta " + format_number(*a.ppl_rel_delta * 100.0, 3) + "%");
    if (a.kl_mean) parts.push_back("KL mean " + format_number(*a.kl_mean, 3));
    if (a.top1_agreement) parts.push_back("top-1 " + format_number(*a.top1_agreement * 100.0, 4) + "%");
    if (!parts.empty()) {
      s += " (";
      for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
      s += ")";
    }
    if (!a.verdict_reason.empty() && a.verdict != "pass") s += ": " + a.verdict_reason;
  }
  if (a.model_trained && !*a.model_trained) s += "; untrained model";
  return s;
}

// ---------------------------------------------------------------------------------------------
Analysis analyze(const Inputs& in, const AnalysisOptions& opt) {
  const Manifest& m = in.manifest;
  Analysis a;
  a.inputs = &in;
  a.baseline_backend = opt.baseline_backend.empty() ? m.baseline_backend : opt.baseline_backend;
  std::vector<std::string> problems;
  auto problem = [&](std::string s) { problems.push_back(std::move(s)); };

  // ---- plan -------------------------------------------------------------------------------
  std::map<std::string, std::size_t> index;  // cell id -> cells[i]
  std::set<std::string> plan_groups;
  std::vector<bench::CellKey> plan_keys;
  for (const auto& pc : m.plan) plan_keys.push_back(pc.key);
  const std::map<std::string, std::string> labels = config_labels(plan_keys);
  for (const auto& pc : m.plan) {
    CellOutcome c;
    c.plan = pc;
    c.cell_id = pc.key.id();
    c.group_id = pc.key.group_id();
    c.config_id = config_id(pc.key);
    c.config_label = labels.at(c.config_id);
    if (!a.configurations.count(c.config_id))
      a.configurations[c.config_id] = {c.config_id, c.config_label, pc.key.backend, pc.key.precision,
                                       pc.key.device, pc.key.options};
    c.scenario_label = scenario_label_of(pc.key);
    if (index.count(c.cell_id)) {
      problem("manifest plan lists cell " + c.cell_id + " twice");
      continue;
    }
    if (!m.models.count(pc.key.model) && !m.models_incomplete.count(pc.key.model))
      problem("manifest plan cell " + c.cell_id + " names model '" + pc.key.model +
              "' which manifest.models does not describe");
    plan_groups.insert(c.group_id);
    index[c.cell_id] = a.cells.size();
    a.cells.push_back(std::move(c));
  }
  if (static_cast<int>(plan_groups.size()) != m.plan_groups)
    problem(fmt::format("manifest plan.groups is {} but plan.cells form {} groups", m.plan_groups,
                        plan_groups.size()));
  for (const auto& g : plan_groups) {
    GroupInfo gi;
    gi.group_id = g;
    a.groups[g] = gi;
  }
  for (const auto& c : a.cells) {
    auto& gi = a.groups[c.group_id];
    gi.model = c.plan.key.model;
    gi.config_id = c.config_id;
    gi.config_label = c.config_label;
  }

  // ---- records ----------------------------------------------------------------------------
  std::map<std::string, std::set<int>> seen_measured, seen_warmup;
  auto track_memory = [](GroupInfo& g, const bench::Record& r) {
    if (r.peak_rss_bytes) g.peak_rss_bytes = std::max(g.peak_rss_bytes.value_or(0), *r.peak_rss_bytes);
    if (r.peak_device_bytes)
      g.peak_device_bytes = std::max(g.peak_device_bytes.value_or(0), *r.peak_device_bytes);
  };
  for (std::size_t ri = 0; ri < in.records.size(); ++ri) {
    const bench::Record& r = in.records[ri];
    std::string where = "records.jsonl record " + std::to_string(ri + 1);
    if (r.kind == bench::Record::Kind::kWorkerStart) {
      auto g = a.groups.find(r.cell.group_id());
      if (g == a.groups.end()) {
        problem(where + ": worker start for group " + r.cell.group_id() + " which is not planned");
        continue;
      }
      g->second.worker_starts++;
      a.counts.worker_starts++;
      track_memory(g->second, r);
      if (r.status == bench::Status::kOk) {
        if (r.load_ms) g->second.load_ms.push_back(*r.load_ms);
        if (r.build_ms) g->second.build_ms.push_back(*r.build_ms);
      } else {
        g->second.start_failures.push_back(std::string(bench::status_name(r.status)) +
                                           (r.error.empty() ? "" : ": " + r.error));
      }
      continue;
    }
    auto it = index.find(r.cell.id());
    if (it == index.end()) {
      problem(where + ": cell " + r.cell.id() + " is not in the manifest plan");
      continue;
    }
    CellOutcome& c = a.cells[it->second];
    track_memory(a.groups[c.group_id], r);
    {  // Where this record was measured; every record of a cell must come from one source.
      std::string key = m.source_key_of_run(r.run_id);
      std::string label = m.source_label_of_run(r.run_id);
      if (key.empty()) {
        key = "unknown:" + r.run_id;
        label = "unknown source (run_id '" + r.run_id + "' is not in manifest merge.sources)";
      }
      if (c.host_key.empty()) {
        c.host_key = key;
        c.host_label = label;
      } else if (c.host_key != key) {
        problem(fmt::format("{}: cell {} has records from two sources ({} and {})", where, c.cell_id,
                            c.host_label, label));
        continue;
      }
    }
    if (r.kind == bench::Record::Kind::kFailure) {
      if (c.has_failure) {
        problem(where + ": second failure record for cell " + c.cell_id);
        continue;
      }
      c.has_failure = true;
      c.status = bench::status_name(r.status);
      c.error = r.error;
      c.observed = r.observed;
      continue;
    }
    // A measured or warmup sample.
    if (r.warmup) {
      if (r.sample_index < 0 || r.sample_index >= c.plan.warmup)
        problem(fmt::format("{}: warmup sample index {} outside the {} planned warmups of {}",
                            where, r.sample_index, c.plan.warmup, c.cell_id));
      else if (!seen_warmup[c.cell_id].insert(r.sample_index).second)
        problem(fmt::format("{}: duplicate warmup sample {} of {}", where, r.sample_index, c.cell_id));
      c.warmups_recorded++;
      continue;
    }
    if (r.sample_index < 0 || r.sample_index >= c.plan.repetitions) {
      problem(fmt::format("{}: sample index {} outside the {} planned repetitions of {}", where,
                          r.sample_index, c.plan.repetitions, c.cell_id));
      continue;
    }
    if (!seen_measured[c.cell_id].insert(r.sample_index).second) {
      problem(fmt::format("{}: duplicate measured sample {} of {}", where, r.sample_index, c.cell_id));
      continue;
    }
    if (c.plan.key.phase == "decode" &&
        static_cast<int>(r.decode_step_ms.size()) != c.plan.key.new_tokens - 1) {
      problem(fmt::format("{}: decode sample {} of {} has {} step latencies, expected N - 1 = {}",
                          where, r.sample_index, c.cell_id, r.decode_step_ms.size(),
                          c.plan.key.new_tokens - 1));
      continue;
    }
    if (c.plan.key.phase == "prefill" && !r.prefill_ms) {
      problem(fmt::format("{}: prefill sample {} of {} has no prefill_ms", where, r.sample_index,
                          c.cell_id));
      continue;
    }
    SampleRow row;
    row.index = r.sample_index;
    row.decode_step_ms = r.decode_step_ms;
    row.throttled = r.throttled;
    row.prefill_ms = r.prefill_ms;
    c.samples.push_back(std::move(row));
    c.measured_ok++;
    if (r.throttled) c.throttled++;
  }

  // ---- per-cell consistency, metrics, outliers, stats --------------------------------------
  for (auto& c : a.cells) {
    const int R = c.plan.repetitions;
    if (!c.has_failure && c.measured_ok != R)
      problem(fmt::format("cell {}: {} of {} planned measured samples recorded and no failure "
                          "record explains the rest",
                          c.cell_id, c.measured_ok, R));
    if (c.has_failure) {
      if (c.observed.samples_done != c.measured_ok)
        problem(fmt::format("cell {}: failure record says {} samples were done but {} measured "
                            "samples are recorded",
                            c.cell_id, c.observed.samples_done, c.measured_ok));
      if (c.observed.samples_planned != 0 && c.observed.samples_planned != R)
        problem(fmt::format("cell {}: failure record says {} samples were planned, the manifest "
                            "plans {}",
                            c.cell_id, c.observed.samples_planned, R));
    }
    if (c.warmups_recorded > c.plan.warmup)
      problem(fmt::format("cell {}: {} warmup samples recorded, {} planned", c.cell_id,
                          c.warmups_recorded, c.plan.warmup));

    std::sort(c.samples.begin(), c.samples.end(),
              [](const SampleRow& x, const SampleRow& y) { return x.index < y.index; });
    auto mit = m.models.find(c.plan.key.model);
    if (mit != m.models.end()) {
      ModelShape shape{mit->second.params, mit->second.n_layer, mit->second.n_embd,
                       mit->second.n_positions};
      try {
        c.floors = roofline_floors(shape, c.plan.key.precision, c.plan.key.device,
                                   c.plan.key.batch, c.plan.key.prompt_len,
                                   c.plan.key.new_tokens,
                                   m.raw.contains("ceilings") ? m.raw.at("ceilings") : json());
      } catch (const sb::Error&) {
        c.floors.reset();  // unknown precision name: no floor rather than a wrong one
      }
    }
    for (auto& row : c.samples) {
      SampleInput si;
      si.batch = c.plan.key.batch;
      si.prompt_len = c.plan.key.prompt_len;
      si.new_tokens = c.plan.key.new_tokens;
      si.prefill_ms = row.prefill_ms;
      si.decode_step_ms = &row.decode_step_ms;
      if (c.floors) {
        si.prefill_floor_ms = c.floors->prefill_floor_ms;
        si.decode_step_floor_ms = c.floors->decode_step_floor_ms;
      }
      for (const MetricDef* md : sample_metrics(c.plan.key.phase))
        if (auto v = md->per_sample(si)) row.values[md->name] = *v;
    }
    // Outliers on the phase's primary metric.
    const std::string primary = primary_metric(c.plan.key.phase).name;
    std::vector<double> prim;
    for (const auto& row : c.samples)
      if (row.values.count(primary)) prim.push_back(row.values.at(primary));
    if (!prim.empty()) {
      double med = stats::median(prim);
      for (auto& row : c.samples) {
        auto it = row.values.find(primary);
        if (it != row.values.end() && it->second > kOutlierFactor * med) {
          row.outlier = true;
          c.outliers++;
          if (m.exclude_outliers) {
            row.excluded = true;
            c.excluded++;
          }
        }
      }
    }
    c.stats = CellStats::from_samples(!c.has_failure && c.measured_ok == R, c.cell_id, c.samples);
    c.status_text = c.stats ? "" : status_text_of(c);

    // Counts.
    a.counts.samples_planned += R;
    a.counts.samples_ok += c.measured_ok;
    a.counts.warmups_planned += c.plan.warmup;
    a.counts.warmups_recorded += c.warmups_recorded;
    a.counts.outliers_flagged += c.outliers;
    a.counts.outliers_excluded += c.excluded;
    a.counts.throttled_samples += c.throttled;
    if (c.has_failure) {
      a.counts.cells_failed++;
      a.counts.failed_by_status[c.status]++;
    } else if (c.stats) {
      a.counts.cells_with_numbers++;
    } else {
      a.counts.cells_too_few++;
    }
  }
  a.counts.planned_cells = static_cast<int>(a.cells.size());
  a.counts.planned_groups = m.plan_groups;
  a.counts.samples_missing = a.counts.samples_planned - a.counts.samples_ok;
  a.counts.truncated_tail_lines = in.truncated_tail_lines;

  if (!problems.empty()) {
    std::string msg = fmt::format(
        "run counts disagree with the manifest plan ({} problem{}); refusing to write a report:",
        problems.size(), problems.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < problems.size() && i < 25; ++i) msg += "\n  - " + problems[i];
    if (problems.size() > 25) msg += fmt::format("\n  ... and {} more", problems.size() - 25);
    throw RunCountError(msg);
  }

  // ---- ordering ---------------------------------------------------------------------------
  std::vector<std::pair<std::int64_t, std::string>> order;
  std::set<std::string> planned_models;
  for (const auto& c : a.cells) planned_models.insert(c.plan.key.model);
  for (const auto& id : planned_models)
    order.push_back({m.models.count(id) ? m.models.at(id).params : 0, id});
  std::sort(order.begin(), order.end());
  std::map<std::string, int> model_rank;
  for (const auto& [p, id] : order) {
    model_rank[id] = static_cast<int>(a.models_in_order.size());
    a.models_in_order.push_back(id);
  }
  auto cell_order = [&](const CellOutcome& c) {
    return std::make_tuple(model_rank[c.plan.key.model], c.plan.key.phase == "decode" ? 1 : 0,
                           c.plan.key.batch, c.plan.key.prompt_len, c.plan.key.new_tokens,
                           c.plan.key.scenario, c.config_id);
  };
  std::sort(a.cells.begin(), a.cells.end(),
            [&](const CellOutcome& x, const CellOutcome& y) { return cell_order(x) < cell_order(y); });

  // ---- comparisons vs baseline ------------------------------------------------------------
  // Index: (model, phase, scenario key) -> cells.
  auto scen_key = [](const bench::CellKey& k) {
    return fmt::format("{}|{}x{}|{}", k.scenario, k.batch, k.prompt_len, k.new_tokens);
  };
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const CellOutcome*>> by_slot;
  for (const auto& c : a.cells)
    by_slot[{c.plan.key.model, c.plan.key.phase, scen_key(c.plan.key)}].push_back(&c);

  if (!a.baseline_backend.empty()) {
    for (const auto& [slot, cells] : by_slot) {
      const auto& [model, phase, sk] = slot;
      // The baseline cell: the baseline backend's fp32 configuration if it has one, else its
      // first configuration by id.  Chosen from the plan only, never from the outcomes.
      // In a folder merged from several hosts the baseline is taken from the candidate's own
      // host when it has one; otherwise the comparison is listed as refused (never computed).
      auto pick_base = [&](const std::string* host) {
        const CellOutcome* base = nullptr;
        for (const auto* c : cells)  // sorted by config id
          if (c->plan.key.backend == a.baseline_backend && (!host || c->host_key == *host) &&
              (!base || (base->plan.key.precision != "fp32" && c->plan.key.precision == "fp32")))
            base = c;
        return base;
      };
      const CellOutcome* default_base = pick_base(nullptr);
      if (!default_base) continue;
      const MetricDef& pm = primary_metric(phase);
      for (const auto* c : cells) {
        const CellOutcome* base = pick_base(&c->host_key);
        if (!base) base = default_base;
        if (c == base) continue;
        Comparison cmp;
        cmp.model = model;
        cmp.scenario = c->plan.key.scenario;
        cmp.scenario_label = c->scenario_label;
        cmp.phase = phase;
        cmp.metric = pm.name;
        cmp.baseline_cell = base->cell_id;
        cmp.candidate_cell = c->cell_id;
        cmp.baseline_config = base->config_id;
        cmp.candidate_config = c->config_id;
        cmp.baseline_label = base->config_label;
        cmp.candidate_label = c->config_label;
        const MetricSummary* bm = base->stats ? base->stats->metric(pm.name) : nullptr;
        const MetricSummary* cm = c->stats ? c->stats->metric(pm.name) : nullptr;
        if (!same_host(*base, *c)) {
          cmp.not_compared_reason = cross_host_reason(*base, *c);
        } else if (!bm || !cm) {
          cmp.not_compared_reason =
              !base->stats ? "baseline cell: " + base->status_text
              : !c->stats  ? "candidate cell: " + c->status_text
                           : "metric not available";
        } else {
          cmp.compared = true;
          cmp.baseline_mean = bm->summary().mean;
          cmp.candidate_mean = cm->summary().mean;
          cmp.delta = stats::compare_values(cmp.baseline_mean, cmp.candidate_mean, pm.better);
          cmp.welch = stats::welch_t_test(cm->values(), bm->values());
          cmp.effect = stats::effect_size(cm->values(), bm->values());
        }
        a.comparisons.push_back(std::move(cmp));
      }
    }
    // Holm over the family: every comparison with a defined Welch p in this report.
    std::vector<double> ps;
    std::vector<Comparison*> fam;
    for (auto& cmp : a.comparisons)
      if (cmp.compared && cmp.welch) {
        ps.push_back(cmp.welch->p_two_sided);
        fam.push_back(&cmp);
      }
    auto adj = stats::holm_adjust(ps);
    for (std::size_t i = 0; i < fam.size(); ++i) {
      fam[i]->p_holm = adj[i];
      fam[i]->significant = adj[i] < kAlpha;
    }
    // Overall: geometric mean of per-scenario speedups per (model, phase, candidate config).
    std::map<std::tuple<std::string, std::string, std::string>, Overall> ov;
    for (const auto& cmp : a.comparisons) {
      auto& o = ov[{cmp.model, cmp.phase, cmp.candidate_config}];
      o.model = cmp.model;
      o.phase = cmp.phase;
      o.metric = cmp.metric;
      o.candidate_config = cmp.candidate_config;
      o.candidate_label = cmp.candidate_label;
      if (o.baseline_config.empty() || cmp.compared) {
        o.baseline_config = cmp.baseline_config;
        o.baseline_label = cmp.baseline_label;
      }
      if (cmp.compared) {
        o.scenarios_covered.push_back(cmp.scenario);
        if (cmp.significant) (cmp.delta.speedup > 1 ? o.significant_better : o.significant_worse)++;
        else o.not_significant++;
      } else {
        o.scenarios_missing.push_back(cmp.scenario);
      }
    }
    for (auto& [k, o] : ov) {
      if (o.scenarios_covered.empty()) continue;
      std::vector<double> ratios;
      for (const auto& cmp : a.comparisons)
        if (cmp.compared && cmp.model == o.model && cmp.phase == o.phase &&
            cmp.candidate_config == o.candidate_config)
          ratios.push_back(cmp.delta.speedup);
      o.geomean_speedup = stats::geometric_mean(ratios);
      a.overall.push_back(o);
    }
    std::sort(a.overall.begin(), a.overall.end(), [&](const Overall& x, const Overall& y) {
      return std::make_tuple(model_rank[x.model], x.phase, x.candidate_config) <
             std::make_tuple(model_rank[y.model], y.phase, y.candidate_config);
    });
  }

  // ---- scaling: crossovers and best backend per size --------------------------------------
  // (phase, scenario key) -> config -> model -> cell
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::map<std::string, const CellOutcome*>>> curves;
  for (const auto& c : a.cells)
    curves[{c.plan.key.phase, scen_key(c.plan.key)}][c.config_id][c.plan.key.model] = &c;
  for (const auto& [slot, configs] : curves) {
    const auto& [phase, sk] = slot;
    const MetricDef& pm = primary_metric(phase);
    std::vector<std::string> cfgs;
    for (const auto& [cfg, mm] : configs) cfgs.push_back(cfg);
    for (std::size_t i = 0; i < cfgs.size(); ++i)
      for (std::size_t j = i + 1; j < cfgs.size(); ++j) {
        const auto& ma = configs.at(cfgs[i]);
        const auto& mb = configs.at(cfgs[j]);
        std::set<std::string> both_planned;
        for (const auto& [mid, c] : ma)
          if (mb.count(mid)) both_planned.insert(mid);
        if (both_planned.size() < 2) continue;  // not a scaling comparison
        CrossoverEntry e;
        e.phase = phase;
        const CellOutcome* any = ma.begin()->second;
        e.scenario = any->plan.key.scenario;
        e.scenario_label = any->scenario_label;
        e.metric = pm.name;
        e.config_a = cfgs[i];
        e.config_b = cfgs[j];
        e.label_a = ma.begin()->second->config_label;
        e.label_b = mb.begin()->second->config_label;
        for (const auto& mid : a.models_in_order) {
          if (!both_planned.count(mid)) continue;
          const CellOutcome* ca = ma.at(mid);
          const CellOutcome* cb = mb.at(mid);
          const MetricSummary* sa = ca->stats ? ca->stats->metric(pm.name) : nullptr;
          const MetricSummary* sb2 = cb->stats ? cb->stats->metric(pm.name) : nullptr;
          if (!sa || !sb2 || !m.models.count(mid)) {
            e.sizes_missing.push_back(mid);
            continue;
          }
          if (!same_host(*ca, *cb)) {
            e.sizes_missing.push_back(mid);
            e.note = "sizes whose two cells were measured on different hosts are left out";
            continue;
          }
          if (!e.points.empty() && ma.at(e.points.front().model)->host_key != ca->host_key) {
            e.sizes_missing.push_back(mid);
            e.note = "sizes measured on a different host than the smallest size are left out "
                     "(a curve never mixes hosts)";
            continue;
          }
          e.points.push_back({mid, double(m.models.at(mid).params), sa->summary().mean, sb2->summary().mean});
        }
        bool distinct = true;
        for (std::size_t k = 1; k < e.points.size(); ++k)
          distinct = distinct && e.points[k].params > e.points[k - 1].params;
        if (e.points.size() < 2 || !distinct) {
          e.result = "insufficient";
        } else {
          std::vector<double> p, va, vb;
          for (const auto& pt : e.points) {
            p.push_back(pt.params);
            va.push_back(pt.a_mean);
            vb.push_back(pt.b_mean);
          }
          CrossoverResult cr = find_crossings(p, va, vb);
          e.crossings = cr.crossings;
          e.sign_first = cr.sign_first;
          e.sign_last = cr.sign_last;
          e.result = cr.crossings.empty() ? "no_crossing" : "crossing";
        }
        a.crossovers.push_back(std::move(e));
      }
    // Best config at each size.
    for (const auto& mid : a.models_in_order) {
      if (!m.models.count(mid)) continue;  // no measured size: nothing to place on the size axis
      // Ranked within one host: a folder merged from several hosts gets one ranking per host.
      std::map<std::string, std::vector<const CellOutcome*>> by_host;
      for (const auto& [cfg, mm] : configs) {
        auto it = mm.find(mid);
        if (it != mm.end()) by_host[it->second->host_key].push_back(it->second);
      }
      for (const auto& [host, host_cells] : by_host) {
      std::vector<std::pair<double, const CellOutcome*>> ranked;
      int without = 0;
      for (const CellOutcome* c : host_cells) {
        const MetricSummary* s = c->stats ? c->stats->metric(pm.name) : nullptr;
        if (s) ranked.push_back({s->summary().mean, c});
        else without++;
      }
      if (ranked.empty()) continue;
      std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
        return pm.better == stats::Better::kLower ? x.first < y.first : x.first > y.first;
      });
      BestAtSize b;
      b.phase = phase;
      b.scenario = ranked[0].second->plan.key.scenario;
      b.scenario_label = ranked[0].second->scenario_label;
      b.metric = pm.name;
      b.model = mid;
      b.params = double(m.models.at(mid).params);
      b.best_config = ranked[0].second->config_id;
      b.best_label = ranked[0].second->config_label;
      b.best_mean = ranked[0].first;
      b.configs_without_numbers = without;
      if (ranked.size() > 1) {
        b.runner_up_config = ranked[1].second->config_id;
        b.runner_up_label = ranked[1].second->config_label;
        b.runner_up_mean = ranked[1].first;
        auto ci0 = ranked[0].second->stats->metric(pm.name)->summary().mean_ci95;
        auto ci1 = ranked[1].second->stats->metric(pm.name)->summary().mean_ci95;
        b.ci_overlap = ci0 && ci1 && ci0->low <= ci1->high && ci1->low <= ci0->high;
      }
      if (m.mixed_sources()) b.host_label = ranked[0].second->host_label;
      a.best.push_back(std::move(b));
      }  // host
    }
  }
  std::sort(a.best.begin(), a.best.end(), [&](const BestAtSize& x, const BestAtSize& y) {
    return std::make_tuple(x.phase, x.scenario_label, model_rank[x.model], x.host_label) <
           std::make_tuple(y.phase, y.scenario_label, model_rank[y.model], y.host_label);
  });

  // ---- cost ------------------------------------------------------------------------------
  if (m.price_per_hour_usd) {
    for (const auto& c : a.cells) {
      if (!c.stats) continue;
      const char* tm = c.plan.key.phase == "prefill" ? "prefill_tokens_per_s" : "decode_tokens_per_s";
      const MetricSummary* s = c.stats->metric(tm);
      if (!s || !(s->summary().mean > 0)) continue;
      CostEntry ce;
      ce.cell_id = c.cell_id;
      ce.model = c.plan.key.model;
      ce.config_label = c.config_label;
      ce.scenario_label = c.scenario_label;
      ce.phase = c.plan.key.phase;
      ce.throughput_metric = tm;
      ce.tokens_per_s = s->summary().mean;
      ce.usd_per_million_tokens = cost_per_million_tokens_usd(*m.price_per_hour_usd, ce.tokens_per_s);
      a.costs.push_back(std::move(ce));
    }
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
namespace {
json num(double x) { return round_for_json(x); }
json ci_json(const std::optional<stats::ConfidenceInterval>& ci) {
  if (!ci) return nullptr;
  return json{{"low", num(ci->low)}, {"high", num(ci->high)}};
}
json metric_json(const MetricSummary& ms) {
  const auto& s = ms.summary();
  json j{{"n", s.n},          {"mean", num(s.mean)},     {"median", num(s.median)},
         {"min", num(s.min)}, {"max", num(s.max)},       {"p50", num(s.median)},
         {"p90", num(s.p90)}, {"p95", num(s.p95)},       {"p99", num(s.p99)},
         {"mean_ci95", ci_json(s.mean_ci95)}, {"median_ci95_bootstrap", ci_json(ms.median_ci95())}};
  j["std"] = s.stddev ? json(num(*s.stddev)) : json(nullptr);
  j["cv"] = s.cv ? json(num(*s.cv)) : json(nullptr);
  return j;
}
}  // namespace

json analysis_to_json(const Analysis& a) {
  const Inputs& in = *a.inputs;
  const Manifest& m = in.manifest;
  json j;
  j["schema"] = "scalebench.stats/1";
  j["run_id"] = m.run_id;
  j["study"] = m.study_name;
  j["baseline_backend"] = a.baseline_backend;
  j["options"] = {{"exclude_outliers", m.exclude_outliers},
                  {"price_per_hour_usd", m.price_per_hour_usd ? json(num(*m.price_per_hour_usd)) : json(nullptr)},
                  {"alpha", kAlpha},
                  {"outlier_factor", kOutlierFactor},
                  {"bootstrap_resamples", kBootstrapResamples}};
  j["models_in_order"] = a.models_in_order;
  json cfgs = json::array();
  for (const auto& [id, ci] : a.configurations)
    cfgs.push_back({{"config_id", id}, {"label", ci.label}, {"backend", ci.backend},
                    {"precision", ci.precision}, {"device", ci.device}, {"options", ci.options}});
  j["configurations"] = cfgs;
  const auto& rc = a.counts;
  j["run_counts"] = {{"planned_cells", rc.planned_cells},
                     {"planned_groups", rc.planned_groups},
                     {"cells_with_numbers", rc.cells_with_numbers},
                     {"cells_too_few_samples", rc.cells_too_few},
                     {"cells_failed", rc.cells_failed},
                     {"failed_by_status", rc.failed_by_status},
                     {"samples_planned", rc.samples_planned},
                     {"samples_ok", rc.samples_ok},
                     {"samples_missing", rc.samples_missing},
                     {"warmups_planned", rc.warmups_planned},
                     {"warmups_recorded_excluded", rc.warmups_recorded},
                     {"outliers_flagged", rc.outliers_flagged},
                     {"outliers_excluded", rc.outliers_excluded},
                     {"throttled_samples", rc.throttled_samples},
                     {"worker_starts", rc.worker_starts},
                     {"truncated_tail_lines", rc.truncated_tail_lines}};
  json cells = json::array();
  for (const auto& c : a.cells) {
    json cj;
    cj["cell_id"] = c.cell_id;
    cj["group_id"] = c.group_id;
    cj["config_id"] = c.config_id;
    cj["config_label"] = c.config_label;
    cj["scenario_label"] = c.scenario_label;
    cj["cell"] = bench::cell_key_to_json(c.plan.key);
    cj["status"] = c.status;
    cj["has_numbers"] = c.stats.has_value();
    cj["status_text"] = c.status_text;
    cj["samples_planned"] = c.plan.repetitions;
    cj["samples_ok"] = c.measured_ok;
    cj["warmups_planned"] = c.plan.warmup;
    cj["warmups_recorded"] = c.warmups_recorded;
    cj["outliers_flagged"] = c.outliers;
    cj["outliers_excluded"] = c.excluded;
    cj["throttled"] = c.throttled;
    if (m.mixed_sources()) cj["host"] = c.host_label;  // only in folders merged from several hosts
    cj["accuracy"] = accuracy_text(in, c.plan.key.model, c.plan.key);
    if (c.has_failure) {
      cj["error"] = c.error;
      cj["observed"] = {{"samples_done", c.observed.samples_done},
                        {"samples_planned", c.observed.samples_planned},
                        {"tokens_produced", c.observed.tokens_produced},
                        {"elapsed_ms", num(c.observed.elapsed_ms)}};
    }
    if (c.floors)
      cj["roofline"] = {{"prefill_floor_ms", num(c.floors->prefill_floor_ms)},
                        {"decode_step_floor_ms", num(c.floors->decode_step_floor_ms)},
                        {"basis", c.floors->basis}};
    json outl = json::array();
    for (const auto& row : c.samples)
      if (row.outlier) outl.push_back(row.index);
    cj["outlier_samples"] = outl;
    if (c.stats) {  // numbers only for cells with CellStats
      json mj = json::object();
      for (const auto& [name, ms] : c.stats->metrics()) mj[name] = metric_json(ms);
      cj["metrics"] = mj;
      cj["n"] = c.stats->n();
      if (!c.stats->step_means_ms().empty()) {
        json st = json::array();
        for (double v : c.stats->step_means_ms()) st.push_back(num(v));
        cj["decode_step_mean_ms"] = st;
      }
    }
    cells.push_back(cj);
  }
  j["cells"] = cells;
  json groups = json::array();
  for (const auto& [id, g] : a.groups) {
    json gj{{"group_id", id}, {"model", g.model}, {"config_id", g.config_id},
            {"config_label", g.config_label}, {"worker_starts", g.worker_starts},
            {"start_failures", g.start_failures}};
    json l = json::array(), b = json::array();
    for (double v : g.load_ms) l.push_back(num(v));
    for (double v : g.build_ms) b.push_back(num(v));
    gj["load_ms"] = l;
    gj["build_ms"] = b;
    gj["peak_rss_bytes"] = g.peak_rss_bytes ? json(*g.peak_rss_bytes) : json(nullptr);
    gj["peak_device_bytes"] = g.peak_device_bytes ? json(*g.peak_device_bytes) : json(nullptr);
    groups.push_back(gj);
  }
  j["groups"] = groups;
  json comps = json::array();
  for (const auto& c : a.comparisons) {
    json cj{{"model", c.model},
            {"scenario", c.scenario},
            {"scenario_label", c.scenario_label},
            {"phase", c.phase},
            {"metric", c.metric},
            {"baseline_cell", c.baseline_cell},
            {"candidate_cell", c.candidate_cell},
            {"baseline_config", c.baseline_config},
            {"candidate_config", c.candidate_config},
            {"baseline_label", c.baseline_label},
            {"candidate_label", c.candidate_label},
            {"compared", c.compared}};
    if (!c.compared) {
      cj["not_compared_reason"] = c.not_compared_reason;
    } else {
      cj["baseline_mean"] = num(c.baseline_mean);
      cj["candidate_mean"] = num(c.candidate_mean);
      cj["speedup"] = num(c.delta.speedup);
      cj["delta_pct"] = num(c.delta.delta_pct);
      cj["significant"] = c.significant;
      if (c.welch) {
        cj["welch"] = {{"t", num(c.welch->t)},
                       {"df", num(c.welch->df)},
                       {"p", num(c.welch->p_two_sided)},
                       {"diff_ci95", {{"low", num(c.welch->diff_ci95.low)},
                                      {"high", num(c.welch->diff_ci95.high)}}}};
      } else {
        cj["welch"] = nullptr;
      }
      cj["p_holm"] = c.p_holm ? json(num(*c.p_holm)) : json(nullptr);
      if (c.effect)
        cj["effect"] = {{"cohens_d", num(c.effect->cohens_d)}, {"hedges_g", num(c.effect->hedges_g)}};
      else
        cj["effect"] = nullptr;
    }
    comps.push_back(cj);
  }
  j["comparisons"] = comps;
  json ov = json::array();
  for (const auto& o : a.overall)
    ov.push_back({{"model", o.model},
                  {"phase", o.phase},
                  {"metric", o.metric},
                  {"baseline_config", o.baseline_config},
                  {"candidate_config", o.candidate_config},
                  {"baseline_label", o.baseline_label},
                  {"candidate_label", o.candidate_label},
                  {"geomean_speedup", num(o.geomean_speedup)},
                  {"scenarios_covered", o.scenarios_covered},
                  {"scenarios_missing", o.scenarios_missing},
                  {"significant_better", o.significant_better},
                  {"significant_worse", o.significant_worse},
                  {"not_significant", o.not_significant}});
  j["overall"] = ov;
  json xo = json::array();
  for (const auto& e : a.crossovers) {
    json pts = json::array(), cr = json::array();
    for (const auto& p : e.points)
      pts.push_back({{"model", p.model}, {"params", num(p.params)}, {"a_mean", num(p.a_mean)},
                     {"b_mean", num(p.b_mean)}});
    for (const auto& c : e.crossings)
      cr.push_back({{"params", num(c.params)}, {"value", num(c.value)},
                    {"bracket_low_model", e.points[c.lo].model},
                    {"bracket_high_model", e.points[c.hi].model}});
    xo.push_back({{"phase", e.phase}, {"scenario", e.scenario}, {"scenario_label", e.scenario_label},
                  {"metric", e.metric}, {"config_a", e.config_a}, {"config_b", e.config_b},
                  {"label_a", e.label_a}, {"label_b", e.label_b}, {"points", pts},
                  {"sizes_missing", e.sizes_missing}, {"result", e.result}, {"crossings", cr},
                  {"sign_first", e.sign_first}, {"sign_last", e.sign_last}});
    if (!e.note.empty()) xo.back()["note"] = e.note;
  }
  j["crossovers"] = xo;
  json best = json::array();
  for (const auto& b : a.best) {
    json bj{{"phase", b.phase}, {"scenario", b.scenario}, {"scenario_label", b.scenario_label},
            {"metric", b.metric}, {"model", b.model}, {"params", num(b.params)},
            {"best_config", b.best_config}, {"best_label", b.best_label},
            {"best_mean", num(b.best_mean)}, {"ci_overlap", b.ci_overlap},
            {"configs_without_numbers", b.configs_without_numbers}};
    bj["runner_up_config"] = b.runner_up_config ? json(*b.runner_up_config) : json(nullptr);
    bj["runner_up_label"] = b.runner_up_label ? json(*b.runner_up_label) : json(nullptr);
    bj["runner_up_mean"] = b.runner_up_mean ? json(num(*b.runner_up_mean)) : json(nullptr);
    if (!b.host_label.empty()) bj["host"] = b.host_label;
    best.push_back(bj);
  }
  j["best_by_size"] = best;
  json costs = json::array();
  for (const auto& c : a.costs)
    costs.push_back({{"cell_id", c.cell_id}, {"model", c.model}, {"config_label", c.config_label},
                     {"scenario_label", c.scenario_label}, {"phase", c.phase},
                     {"throughput_metric", c.throughput_metric},
                     {"tokens_per_s", num(c.tokens_per_s)},
                     {"usd_per_million_tokens", num(c.usd_per_million_tokens)}});
  j["costs"] = costs;
  json acc = json::array();
  for (const auto& x : in.accuracy) {
    auto opt = [](const std::optional<double>& v) { return v ? json(num(*v)) : json(nullptr); };
    acc.push_back({{"model", x.model}, {"backend", x.backend}, {"precision", x.precision},
                   {"device", x.device}, {"status", x.status}, {"error", x.error},
                   {"verdict", x.verdict}, {"verdict_reason", x.verdict_reason},
                   {"ppl", opt(x.ppl)}, {"ppl_rel_delta", opt(x.ppl_rel_delta)},
                   {"kl_mean", opt(x.kl_mean)}, {"top1_agreement", opt(x.top1_agreement)},
                   {"model_trained", x.model_trained ? json(*x.model_trained) : json(nullptr)},
                   {"reference_backend", x.reference_backend},
                   {"reference_precision", x.reference_precision}});
  }
  j["accuracy"] = acc;
  j["accuracy_present"] = in.accuracy_present;
  return j;
}

}  // namespace sb::report
