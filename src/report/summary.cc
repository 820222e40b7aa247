// The generated summary: every sentence is built from stats.json (the parsed JSON object, not
// the in-memory analysis), so the summary can say nothing that stats.json does not hold, and
// each sentence names its scope (model, phase, scenario set, statistic).
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/report.h"
#include "report/text.h"

namespace sb::report {
using nlohmann::json;

namespace {
std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}
std::string speed(double x) { return format_fixed(x, 2) + "x"; }

struct PairPhase {
  int crossing = 0, analysed = 0;  // scenarios with a crossing / with >= 2 common sizes
  double lo = std::numeric_limits<double>::infinity(), hi = 0;  // crossing points (parameters)
  std::string metric;
};
struct PairSummary {
  std::string label_a, label_b;
  bool with_baseline_config = false;  // involves the configuration the comparisons use
  int crossing = 0;
  std::map<std::string, PairPhase> phases;
  std::set<std::string> bracket_models;
  std::size_t max_points = 0;
};

// The crossover sentences: up to kMaxCrossoverLines pair lines, then one line of totals.
std::vector<std::string> crossover_lines(const json& st) {
  std::vector<std::string> out;
  const std::string baseline = st.at("baseline_backend").get<std::string>();
  std::map<std::string, std::string> backend_of;  // config_id -> backend
  for (const auto& c : st.at("cells"))
    backend_of[c.at("config_id").get<std::string>()] = c.at("cell").at("backend").get<std::string>();
  std::set<std::string> baseline_configs;  // the baseline cells' configurations
  for (const auto& c : st.at("comparisons")) baseline_configs.insert(c.at("baseline_config").get<std::string>());

  int crossings_total = 0, entries_with_crossing = 0, none = 0, insufficient = 0, other_entries = 0;
  std::map<std::pair<std::string, std::string>, PairSummary> pairs;
  for (const auto& x : st.at("crossovers")) {
    const std::string r = x.at("result").get<std::string>();
    if (r == "no_crossing") ++none;
    else if (r == "insufficient") ++insufficient;
    else {
      ++entries_with_crossing;
      crossings_total += static_cast<int>(x.at("crossings").size());
    }
    const std::string ca = x.at("config_a").get<std::string>(), cb = x.at("config_b").get<std::string>();
    const bool involves = !baseline.empty() && (backend_of[ca] == baseline || backend_of[cb] == baseline);
    if (!involves) {
      if (r == "crossing") ++other_entries;
      continue;
    }
    if (r == "insufficient") continue;
    PairSummary& p = pairs[{ca, cb}];
    p.label_a = x.at("label_a").get<std::string>();
    p.label_b = x.at("label_b").get<std::string>();
    p.with_baseline_config = baseline_configs.count(ca) || baseline_configs.count(cb);
    PairPhase& ph = p.phases[x.at("phase").get<std::string>()];
    ph.metric = x.at("metric").get<std::string>();
    ph.analysed++;
    if (r != "crossing") continue;
    ph.crossing++;
    p.crossing++;
    p.max_points = std::max(p.max_points, x.at("points").size());
    for (const auto& c : x.at("crossings")) {
      double v = c.at("params").get<double>();
      ph.lo = std::min(ph.lo, v);
      ph.hi = std::max(ph.hi, v);
      p.bracket_models.insert(c.at("bracket_low_model").get<std::string>());
      p.bracket_models.insert(c.at("bracket_high_model").get<std::string>());
    }
  }
  std::vector<const PairSummary*> shown;
  for (const auto& [k, p] : pairs)
    if (p.crossing > 0) shown.push_back(&p);
  // Pairs with the comparisons' baseline configuration first, then the most crossings.
  std::stable_sort(shown.begin(), shown.end(), [](const PairSummary* a, const PairSummary* b) {
    if (a->with_baseline_config != b->with_baseline_config) return a->with_baseline_config;
    return a->crossing > b->crossing;
  });
  const std::size_t pairs_with_crossing = shown.size();
  if (shown.size() > kMaxCrossoverLines) shown.resize(kMaxCrossoverLines);
  std::vector<std::string> models = st.at("models_in_order").get<std::vector<std::string>>();
  for (const PairSummary* p : shown) {
    std::vector<std::string> parts;
    for (const char* phase : {"prefill", "decode"}) {
      auto it = p->phases.find(phase);
      if (it == p->phases.end() || it->second.crossing == 0) continue;
      const PairPhase& ph = it->second;
      std::string at = format_params(ph.lo);
      if (format_params(ph.hi) != at) at += " to " + format_params(ph.hi);
      parts.push_back(fmt::format("{} of {} {} scenarios (mean {}; at about {} parameters)",
                                  ph.crossing, ph.analysed, phase, ph.metric, at));
    }
    std::vector<std::string> brackets;  // in size order
    for (const auto& m : models)
      if (p->bracket_models.count(m)) brackets.push_back(m);
    out.push_back(fmt::format(
        "Crossover, {} vs {}: they cross in {}; {}.", p->label_a, p->label_b, join(parts, " and "),
        p->max_points == 2
            ? "from two measured sizes only (" + join(brackets, ", ") + "): log-log interpolation"
            : "log-log interpolation between the adjacent measured sizes " + join(brackets, ", ")));
  }
  std::string more;
  if (pairs_with_crossing > shown.size())
    more += fmt::format(" {} more pair(s) with {} that cross are not summarised here;",
                        pairs_with_crossing - shown.size(), baseline);
  out.push_back(fmt::format(
      "Crossovers overall (all pairs of configurations x scenarios measured at 2 or more common "
      "sizes, listed in full in the section 'Scaling and crossovers'): {} crossing(s) in {} "
      "pair-scenario(s);{}{} {} showed no crossing within the measured sizes; {} had fewer than "
      "2 sizes measured by both (nothing is extrapolated).",
      crossings_total, entries_with_crossing,
      crossings_total == 0 ? std::string()
      : baseline.empty()   ? std::string(" no baseline backend, so no pair is summarised above;")
                           : fmt::format(" {} pair line(s) above involve baseline backend {};{}", shown.size(),
                                     baseline, more),
      other_entries ? fmt::format(" {} pair-scenario(s) with a crossing between other configurations "
                                  "are only in that section;",
                                  other_entries)
                    : std::string(),
      none, insufficient));
  return out;
}
}  // namespace

std::vector<std::string> summary_sentences(const json& st) {
  std::vector<std::string> out;
  const json& cells = st.at("cells");
  std::set<std::string> configs, scenarios, phases;
  for (const auto& c : cells) {
    configs.insert(c.at("config_label").get<std::string>());
    scenarios.insert(c.at("cell").at("scenario").get<std::string>());
    phases.insert(c.at("cell").at("phase").get<std::string>());
  }
  std::vector<std::string> models = st.at("models_in_order").get<std::vector<std::string>>();
  out.push_back(fmt::format(
      "Scope: study '{}', run {}; {} model(s) ({}), {} backend configuration(s), {} scenario(s), "
      "phase(s) {}. Statistics are over measured samples only (warmups excluded); means carry "
      "95% Student's t confidence intervals.",
      st.at("study").get<std::string>(), st.at("run_id").get<std::string>(), models.size(),
      join(models, ", "), configs.size(), scenarios.size(),
      join(std::vector<std::string>(phases.begin(), phases.end()), " and ")));

  const json& rc = st.at("run_counts");
  std::vector<std::string> by_status;
  for (auto it = rc.at("failed_by_status").begin(); it != rc.at("failed_by_status").end(); ++it)
    by_status.push_back(fmt::format("{}: {}", it.key(), it->get<int>()));
  out.push_back(fmt::format(
      "Run counts (all models, both phases): {} of {} planned cells produced numbers; {} failed{}; "
      "{} had too few samples; {} of {} planned measured samples succeeded; {} outlier(s) "
      "flagged ({} excluded); {} throttled sample(s).",
      rc.at("cells_with_numbers").get<int>(), rc.at("planned_cells").get<int>(),
      rc.at("cells_failed").get<int>(), by_status.empty() ? "" : " (" + join(by_status, ", ") + ")",
      rc.at("cells_too_few_samples").get<int>(), rc.at("samples_ok").get<std::int64_t>(),
      rc.at("samples_planned").get<std::int64_t>(), rc.at("outliers_flagged").get<int>(),
      rc.at("outliers_excluded").get<int>(), rc.at("throttled_samples").get<int>()));

  // Rankings by overall speedup per (model, phase).
  std::string baseline = st.at("baseline_backend").get<std::string>();
  std::map<std::pair<std::string, std::string>, std::vector<const json*>> ov;
  for (const auto& o : st.at("overall"))
    ov[{o.at("model").get<std::string>(), o.at("phase").get<std::string>()}].push_back(&o);
  for (const auto& model : models)
    for (const char* phase : {"prefill", "decode"}) {
      auto it = ov.find({model, phase});
      if (it == ov.end()) continue;
      auto entries = it->second;
      std::stable_sort(entries.begin(), entries.end(), [](const json* a, const json* b) {
        return a->at("geomean_speedup").get<double>() > b->at("geomean_speedup").get<double>();
      });
      // When every entry covers the same scenarios the list is stated once, not per entry.
      const json& first_cov = entries.front()->at("scenarios_covered");
      bool same_cov = true;
      for (const json* o : entries) same_cov = same_cov && o->at("scenarios_covered") == first_cov;
      std::vector<std::string> parts;
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const json& o = *entries[i];
        std::string part = fmt::format("{}. {} {}", i + 1, o.at("candidate_label").get<std::string>(),
                                       speed(o.at("geomean_speedup").get<double>()));
        if (!same_cov)
          part += " over [" + join(o.at("scenarios_covered").get<std::vector<std::string>>(), ", ") + "]";
        parts.push_back(part);
      }
      out.push_back(fmt::format(
          "Ranking, model {}, phase {}, metric {}: geometric mean of per-scenario speedups vs "
          "baseline {} (speedup > 1 = faster than the baseline; {}): {}.",
          model, phase, entries.front()->at("metric").get<std::string>(),
          entries.front()->at("baseline_label").get<std::string>(),
          same_cov ? "every entry covers the scenarios [" +
                         join(first_cov.get<std::vector<std::string>>(), ", ") + "]"
                   : std::string("each entry lists the scenarios it covers"),
          join(parts, "; ")));
    }

  // Comparison outcome counts.
  int better = 0, worse = 0, nodiff = 0, untestable = 0, notcmp = 0, cross_host = 0;
  for (const auto& c : st.at("comparisons")) {
    if (!c.at("compared").get<bool>()) {
      // Refused pairs of a folder merged from several hosts are counted apart from failed cells.
      if (c.value("not_compared_reason", std::string()).find("different hosts") != std::string::npos)
        ++cross_host;
      else
        ++notcmp;
    } else if (c.at("p_holm").is_null()) {
      ++untestable;
    } else if (c.at("significant").get<bool>()) {
      (c.at("speedup").get<double>() > 1 ? better : worse)++;
    } else {
      ++nodiff;
    }
  }
  if (!st.at("comparisons").empty())
    out.push_back(fmt::format(
        "Comparisons vs baseline backend {} (same model, scenario and phase; primary metric per "
        "phase; Welch p Holm-adjusted over the report's {} tested comparisons, alpha 0.05): {} "
        "candidate better, {} candidate worse, {} no detectable difference, {} not testable "
        "(zero variance), {} not compared (a cell without numbers){}.",
        baseline, better + worse + nodiff, better, worse, nodiff, untestable, notcmp,
        cross_host ? fmt::format(", {} refused (cells measured on different hosts)", cross_host)
                   : std::string()));
  else if (baseline.empty())
    out.push_back("No baseline backend was chosen (manifest options.baseline_backend or "
                  "--baseline): no comparisons were made.");
  else
    out.push_back("No cell of baseline backend " + baseline +
                  " shares a model, scenario and phase with another backend: no comparisons.");

  // Fastest per (model, phase) across scenarios.
  std::map<std::pair<std::string, std::string>, std::vector<const json*>> best;
  for (const auto& b : st.at("best_by_size"))
    best[{b.at("model").get<std::string>(), b.at("phase").get<std::string>()}].push_back(&b);
  for (const auto& model : models)
    for (const char* phase : {"prefill", "decode"}) {
      auto it = best.find({model, phase});
      if (it == best.end()) continue;
      std::vector<std::string> parts;
      for (const json* b : it->second) {
        std::string s = b->at("scenario").get<std::string>() + ": " +
                        b->at("best_label").get<std::string>();
        if (b->at("runner_up_label").is_null()) s += " (only configuration with numbers)";
        else if (b->at("ci_overlap").get<bool>())
          s += " (95% CI overlaps runner-up " + b->at("runner_up_label").get<std::string>() + ")";
        parts.push_back(s);
      }
      out.push_back(fmt::format("Lowest mean {}, model {}, phase {}, per scenario: {}.",
                                it->second.front()->at("metric").get<std::string>(), model, phase,
                                join(parts, "; ")));
    }

  // Crossovers: the summary keeps one line per pair of configurations that involves the
  // baseline backend (the pairs a reader compares against), at most kMaxCrossoverLines of them;
  // every crossing stays in the "Scaling and crossovers" section.
  if (!st.at("crossovers").empty())
    for (auto& line : crossover_lines(st)) out.push_back(std::move(line));

  // Claims of another report.
  if (st.contains("claims")) {
    const json& cl = st.at("claims");
    const json& vc = cl.at("verdict_counts");
    out.push_back(fmt::format(
        "Claims of '{}' ({}, {} claims; direction only, each with its own scope in the claims "
        "section): holds {}, does not hold {}, no detectable difference {}, not measured {}, not "
        "comparable {}.",
        cl.at("source").at("title").get<std::string>(), cl.at("file").get<std::string>(),
        cl.at("claims").size(), vc.at("holds").get<int>(), vc.at("does not hold").get<int>(),
        vc.at("no detectable difference").get<int>(), vc.at("not measured").get<int>(),
        vc.at("not comparable").get<int>()));
  }

  // Accuracy.
  if (!st.at("accuracy_present").get<bool>()) {
    out.push_back("Accuracy: no accuracy.jsonl in this run, so no backend's accuracy was checked.");
  } else {
    int pass = 0, fail = 0, nc = 0, untrained = 0, errored = 0;
    for (const auto& a : st.at("accuracy")) {
      if (a.at("status").get<std::string>() != "ok") ++errored;
      else if (a.at("verdict") == "pass") ++pass;
      else if (a.at("verdict") == "fail") ++fail;
      else ++nc;
      if (a.at("model_trained").is_boolean() && !a.at("model_trained").get<bool>()) ++untrained;
    }
    out.push_back(fmt::format(
        "Accuracy (accuracy.jsonl, per model x backend x precision): {} pass, {} fail, {} not "
        "checked, {} accuracy run(s) failed; {} verdict(s) came from an untrained model "
        "(near-uniform outputs prove little).",
        pass, fail, nc, errored, untrained));
  }
  return out;
}

}  // namespace sb::report
