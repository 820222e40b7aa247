#include "report/claims.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bench/toml_json.h"

#include "report/crossover.h"
#include "report/metrics.h"
#include "report/text.h"
#include "stats/compare.h"
#include "stats/stats.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::report {
using nlohmann::json;

const char* claim_kind_name(ClaimKind k) {
  switch (k) {
    case ClaimKind::kSpeedup:
      return "speedup";
    case ClaimKind::kSpeedupChange:
      return "speedup_change";
    case ClaimKind::kCrossover:
      return "crossover";
    case ClaimKind::kWinner:
      return "winner";
    case ClaimKind::kAccuracy:
      return "accuracy";
    case ClaimKind::kArchitecture:
      return "architecture";
    case ClaimKind::kParamRatio:
      return "param_ratio";
    case ClaimKind::kNotComparable:
      return "not_comparable";
  }
  return "?";
}

namespace {

constexpr const char* kHolds = "holds";
constexpr const char* kNotHold = "does not hold";
constexpr const char* kNoDiff = "no detectable difference";
constexpr const char* kNotMeasured = "not measured";
constexpr const char* kNotComparable = "not comparable";

// ============================================================================ parsing =========
class ClaimsReader {
 public:
  explicit ClaimsReader(std::string where) : where_(std::move(where)) {}

  // Every message names the file, the position, the claim and the field.
  [[noreturn]] void error(const toml::node* n, const std::string& field, const std::string& problem) const {
    std::string pos;
    if (n && n->source().begin) pos = fmt::format(":{}:{}", n->source().begin.line, n->source().begin.column);
    std::string ctx = claim_index_ < 0 ? std::string()
                                       : fmt::format(" claim '{}' (claim[{}])",
                                                     claim_id_.empty() ? "?" : claim_id_, claim_index_);
    fail("claims file {}{}:{}{}: {}", where_, pos, ctx, field.empty() ? "" : " field '" + field + "'",
         problem);
  }
  void enter_claim(int index, std::string id) {
    claim_index_ = index;
    claim_id_ = std::move(id);
  }

  const toml::node* get(const toml::table& t, const char* key) const { return t.get(key); }

  std::string str(const toml::table& t, const char* key, bool required) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) error(&t, key, "missing (required)");
      return "";
    }
    if (!n->is_string()) error(n, key, fmt::format("must be a string (found {})", type_name(*n)));
    std::string v = n->as_string()->get();
    if (required && v.empty()) error(n, key, "must not be empty");
    return v;
  }
  std::optional<double> number(const toml::table& t, const char* key, bool required) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) error(&t, key, "missing (required)");
      return std::nullopt;
    }
    double v = 0;
    if (n->is_integer())
      v = double(n->as_integer()->get());
    else if (n->is_floating_point())
      v = n->as_floating_point()->get();
    else
      error(n, key, fmt::format("must be a number (found {})", type_name(*n)));
    if (!std::isfinite(v)) error(n, key, "must be finite");
    return v;
  }
  std::vector<std::string> strings(const toml::table& t, const char* key) const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    if (!n->is_array()) error(n, key, fmt::format("must be an array of strings (found {})", type_name(*n)));
    for (const auto& e : *n->as_array()) {
      if (!e.is_string()) error(&e, key, "must be an array of strings");
      out.push_back(e.as_string()->get());
    }
    return out;
  }
  void check_keys(const toml::table& t, const std::string& what, const std::set<std::string>& known) const {
    for (const auto& [k, v] : t)
      if (!known.count(std::string(k.str()))) {
        std::string list;
        for (const auto& x : known) list += (list.empty() ? "" : ", ") + x;
        error(&v, std::string(k.str()), fmt::format("unknown key in {} (known: {})", what, list));
      }
  }
  json to_json(const toml::node& n) const {
    return bench::toml_to_json(n, [this](const toml::node& bad) { error(&bad, "", "dates and times are not allowed here"); });
  }
  ConfigSpec config(const toml::node* n, const std::string& field) const {
    if (!n || !n->is_table())
      error(n, field,
            "must be a table {backend = \"...\", precision = \"...\"} (optional label, device, options)");
    const auto& t = *n->as_table();
    check_keys(t, field, {"label", "backend", "precision", "device", "options"});
    ConfigSpec c;
    c.backend = str(t, "backend", true);
    c.precision = str(t, "precision", true);
    static const std::set<std::string> precisions = {"fp32", "fp16", "bf16", "int8", "fp8"};
    if (!precisions.count(c.precision))
      error(t.get("precision"), field + ".precision",
            fmt::format("unknown precision '{}' (known: bf16, fp16, fp32, fp8, int8)", c.precision));
    c.label = str(t, "label", false);
    if (c.label.empty()) c.label = c.backend + " " + c.precision;
    c.device = str(t, "device", false);
    if (const toml::node* o = t.get("options")) {
      if (!o->is_table()) error(o, field + ".options", "must be a table");
      c.options = to_json(*o);
    }
    return c;
  }

 private:
  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::table:
        return "table";
      case toml::node_type::array:
        return "array";
      case toml::node_type::string:
        return "string";
      case toml::node_type::integer:
        return "integer";
      case toml::node_type::floating_point:
        return "float";
      case toml::node_type::boolean:
        return "boolean";
      default:
        return "date/time";
    }
  }
  std::string where_;
  int claim_index_ = -1;
  std::string claim_id_;
};

ClaimKind kind_from(const ClaimsReader& r, const toml::table& t, const std::string& name) {
  static const std::map<std::string, ClaimKind> kinds = {
      {"speedup", ClaimKind::kSpeedup},        {"speedup_change", ClaimKind::kSpeedupChange},
      {"crossover", ClaimKind::kCrossover},    {"winner", ClaimKind::kWinner},
      {"accuracy", ClaimKind::kAccuracy},      {"architecture", ClaimKind::kArchitecture},
      {"param_ratio", ClaimKind::kParamRatio}, {"not_comparable", ClaimKind::kNotComparable}};
  auto it = kinds.find(name);
  if (it == kinds.end())
    r.error(t.get("kind"), "kind",
            fmt::format("unknown kind '{}' (known: accuracy, architecture, crossover, not_comparable, "
                        "param_ratio, speedup, speedup_change, winner)",
                        name));
  return it->second;
}

void need_phase_metric(const ClaimsReader& r, const toml::table& t, ClaimSpec& c) {
  c.phase = r.str(t, "phase", true);
  if (c.phase != "prefill" && c.phase != "decode")
    r.error(t.get("phase"), "phase", fmt::format("must be 'prefill' or 'decode' (found '{}')", c.phase));
  c.metric = r.str(t, "metric", true);
  std::string known;
  for (const MetricDef* md : sample_metrics(c.phase)) {
    known += (known.empty() ? "" : ", ") + md->name;
    if (md->name == c.metric) return;
  }
  r.error(t.get("metric"), "metric",
          fmt::format("'{}' is not a per-sample metric of phase {} (known: {})", c.metric, c.phase, known));
}

}  // namespace

ClaimsFile parse_claims(const std::string& text, const std::string& where) {
  ClaimsReader r(where);
  toml::table root;
  try {
    root = toml::parse(text, where);
  } catch (const toml::parse_error& e) {
    fail("claims file {}:{}:{}: not valid TOML: {}", where, e.source().begin.line, e.source().begin.column,
         e.description());
  }
  r.check_keys(root, "the top level", {"schema", "source", "claim"});
  ClaimsFile f;
  f.path = where;
  std::string schema = r.str(root, "schema", true);
  if (schema != kClaimsSchema)
    r.error(root.get("schema"), "schema",
            fmt::format("'{}' is not supported (expected '{}')", schema, kClaimsSchema));
  const toml::node* src = root.get("source");
  if (!src || !src->is_table()) r.error(src ? src : &root, "source", "missing [source] table (required)");
  const auto& st = *src->as_table();
  r.check_keys(st, "[source]", {"title", "url", "date", "status", "hardware", "software", "method", "notes"});
  f.title = r.str(st, "title", true);
  f.url = r.str(st, "url", false);
  f.date = r.str(st, "date", false);
  f.status = r.str(st, "status", false);
  f.hardware = r.str(st, "hardware", true);
  f.software = r.str(st, "software", false);
  f.method = r.str(st, "method", false);
  f.notes = r.str(st, "notes", false);

  const toml::node* cl = root.get("claim");
  if (!cl || !cl->is_array() || cl->as_array()->empty())
    r.error(cl ? cl : &root, "claim", "at least one [[claim]] is required");
  std::set<std::string> ids;
  int index = 0;
  for (const auto& node : *cl->as_array()) {
    r.enter_claim(index, "");
    if (!node.is_table()) r.error(&node, "", "each [[claim]] must be a table");
    const auto& t = *node.as_table();
    ClaimSpec c;
    c.id = r.str(t, "id", true);
    r.enter_claim(index, c.id);
    for (char ch : c.id)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
        r.error(t.get("id"), "id", "may hold only letters, digits, '-', '_' and '.'");
    if (!ids.insert(c.id).second) r.error(t.get("id"), "id", "duplicate id (ids must be unique)");
    c.kind = kind_from(r, t, r.str(t, "kind", true));
    r.check_keys(t, "[[claim]]",
                 {"id",
                  "kind",
                  "section",
                  "quote",
                  "original_text",
                  "original_value",
                  "original_ci",
                  "mapping_note",
                  "reason",
                  "model",
                  "model_from",
                  "model_to",
                  "over_model",
                  "phase",
                  "metric",
                  "scenarios",
                  "candidate",
                  "baseline",
                  "configs",
                  "models",
                  "candidate_better_below",
                  "max_abs_ppl_rel_delta",
                  "backends",
                  "expected",
                  "tolerance"});
    c.section = r.str(t, "section", false);
    c.quote = r.str(t, "quote", true);
    c.original_text = r.str(t, "original_text", true);
    c.mapping_note = r.str(t, "mapping_note", false);
    c.original_value = r.number(t, "original_value", false);
    c.scenarios = r.strings(t, "scenarios");
    if (const toml::node* ci = t.get("original_ci")) {
      if (!ci->is_array() || ci->as_array()->size() != 2)
        r.error(ci, "original_ci", "must be an array of two numbers [low, high]");
      std::vector<double> v;
      for (const auto& e : *ci->as_array()) {
        if (!e.is_number()) r.error(&e, "original_ci", "must be an array of two numbers [low, high]");
        v.push_back(e.is_integer() ? double(e.as_integer()->get()) : e.as_floating_point()->get());
      }
      if (!(v[0] <= v[1])) r.error(ci, "original_ci", "low must not exceed high");
      c.original_ci_low = v[0];
      c.original_ci_high = v[1];
    }
    auto positive_value = [&]() {
      if (!c.original_value)
        r.error(&t, "original_value",
                "missing (required for kind " + std::string(claim_kind_name(c.kind)) + ")");
      if (!(*c.original_value > 0)) r.error(t.get("original_value"), "original_value", "must be > 0");
    };
    switch (c.kind) {
      case ClaimKind::kSpeedup:
        c.model = r.str(t, "model", true);
        need_phase_metric(r, t, c);
        c.candidate = r.config(t.get("candidate"), "candidate");
        c.baseline = r.config(t.get("baseline"), "baseline");
        positive_value();
        break;
      case ClaimKind::kSpeedupChange:
        c.model_from = r.str(t, "model_from", true);
        c.model_to = r.str(t, "model_to", true);
        need_phase_metric(r, t, c);
        c.candidate = r.config(t.get("candidate"), "candidate");
        c.baseline = r.config(t.get("baseline"), "baseline");
        positive_value();
        break;
      case ClaimKind::kCrossover:
        need_phase_metric(r, t, c);
        c.candidate = r.config(t.get("candidate"), "candidate");
        c.baseline = r.config(t.get("baseline"), "baseline");
        c.models = r.strings(t, "models");
        positive_value();
        if (const toml::node* b = t.get("candidate_better_below")) {
          if (!b->is_boolean()) r.error(b, "candidate_better_below", "must be true or false");
          c.candidate_better_below = b->as_boolean()->get();
        }
        break;
      case ClaimKind::kWinner: {
        c.model = r.str(t, "model", true);
        need_phase_metric(r, t, c);
        const toml::node* cs = t.get("configs");
        if (!cs || !cs->is_array() || cs->as_array()->size() < 2)
          r.error(cs ? cs : &t, "configs",
                  "must be an array of at least two configurations, the claimed winner first");
        int k = 0;
        for (const auto& e : *cs->as_array())
          c.configs.push_back(r.config(&e, fmt::format("configs[{}]", k++)));
        break;
      }
      case ClaimKind::kAccuracy: {
        c.model = r.str(t, "model", true);
        c.max_abs_ppl_rel_delta = r.number(t, "max_abs_ppl_rel_delta", true);
        if (!(*c.max_abs_ppl_rel_delta >= 0))
          r.error(t.get("max_abs_ppl_rel_delta"), "max_abs_ppl_rel_delta",
                  "must be >= 0 (a fraction: 0.00022 = 0.022%)");
        if (const toml::node* bs = t.get("backends")) {
          if (!bs->is_array()) r.error(bs, "backends", "must be an array of configurations");
          int k = 0;
          for (const auto& e : *bs->as_array())
            c.accuracy_backends.push_back(r.config(&e, fmt::format("backends[{}]", k++)));
        }
        break;
      }
      case ClaimKind::kArchitecture: {
        c.model = r.str(t, "model", true);
        const toml::node* e = t.get("expected");
        if (!e || !e->is_table() || e->as_table()->empty())
          r.error(e ? e : &t, "expected", "must be a non-empty table of manifest model fields");
        for (const auto& [k, v] : *e->as_table()) {
          static const std::set<std::string> fields = {"params", "n_layer",     "n_head",
                                                       "n_embd", "n_positions", "vocab_size"};
          std::string key(k.str());
          if (!fields.count(key))
            r.error(&v, "expected." + key,
                    "unknown field (known: n_embd, n_head, n_layer, n_positions, params, vocab_size)");
          if (!v.is_integer()) r.error(&v, "expected." + key, "must be an integer");
          c.expected[key] = v.as_integer()->get();
        }
        c.tolerance = r.number(t, "tolerance", false).value_or(0.0);
        if (c.tolerance < 0) r.error(t.get("tolerance"), "tolerance", "must be >= 0");
        break;
      }
      case ClaimKind::kParamRatio:
        c.model = r.str(t, "model", true);
        c.over_model = r.str(t, "over_model", true);
        positive_value();
        c.tolerance = *r.number(t, "tolerance", true);
        if (c.tolerance < 0) r.error(t.get("tolerance"), "tolerance", "must be >= 0");
        break;
      case ClaimKind::kNotComparable:
        c.reason = r.str(t, "reason", true);
        break;
    }
    f.claims.push_back(std::move(c));
    ++index;
  }
  return f;
}

ClaimsFile load_claims(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) fail("claims file {}: not found", path.string());
  std::string text = read_file(path);
  ClaimsFile f = parse_claims(text, path.string());
  f.sha256 = sha256_hex(text);
  return f;
}

// ========================================================================= evaluation =========
namespace {

std::string config_text(const ConfigSpec& c) {
  std::string s = c.backend + " " + c.precision;
  if (!c.device.empty()) s += " on " + c.device;
  if (c.options) s += " " + c.options->dump();
  return s;
}

std::string scen_key(const bench::CellKey& k) {
  return fmt::format("{}|{}x{}|{}", k.scenario, k.batch, k.prompt_len, k.new_tokens);
}
auto scen_order(const bench::CellKey& k) {
  return std::make_tuple(k.batch, k.prompt_len, k.new_tokens, k.scenario);
}

// The cells of one configuration for one model and phase, by scenario key.
struct ConfigCells {
  std::map<std::string, const CellOutcome*> by_scenario;
  std::string label;    // the configuration as scalebench names it
  std::string problem;  // not empty: no usable configuration (reason)
};

ConfigCells find_config(const Analysis& a, const std::string& model, const std::string& phase,
                        const ConfigSpec& spec, const std::vector<std::string>& scenarios) {
  ConfigCells out;
  std::map<std::string, std::vector<const CellOutcome*>> by_config;
  for (const auto& c : a.cells) {
    const auto& k = c.plan.key;
    if (k.model != model || k.phase != phase || k.backend != spec.backend || k.precision != spec.precision)
      continue;
    if (!spec.device.empty() && k.device != spec.device) continue;
    if (spec.options && k.options != *spec.options) continue;
    by_config[c.config_id].push_back(&c);
  }
  if (by_config.empty()) {
    out.problem = fmt::format("no cell of {} for model {}, phase {} in these results (not planned)",
                              config_text(spec), model, phase);
    return out;
  }
  if (by_config.size() > 1) {
    std::string list;
    for (const auto& [id, cells] : by_config)
      list += (list.empty() ? "" : "; ") + cells.front()->config_label;
    out.problem = fmt::format(
        "several configurations match {} for model {} ({}); the claims file must "
        "name device or options",
        config_text(spec), model, list);
    return out;
  }
  for (const CellOutcome* c : by_config.begin()->second) {
    if (!scenarios.empty() &&
        std::find(scenarios.begin(), scenarios.end(), c->plan.key.scenario) == scenarios.end())
      continue;
    out.by_scenario[scen_key(c->plan.key)] = c;
  }
  out.label = by_config.begin()->second.front()->config_label;
  if (out.by_scenario.empty())
    out.problem = fmt::format("{} has no cell of the claimed scenarios for model {}, phase {}", out.label,
                              model, phase);
  return out;
}

std::string value_text(const CellOutcome& c, const std::string& metric) {
  const MetricSummary* ms = c.stats ? c.stats->metric(metric) : nullptr;
  if (!ms) return c.stats ? "metric not recorded" : c.status_text;
  const auto& s = ms->summary();
  std::string t = format_number(s.mean);
  if (s.mean_ci95) t += " ± " + format_number((s.mean_ci95->high - s.mean_ci95->low) / 2);
  return t + fmt::format(" (n={})", s.n);
}

// A (geometric-mean) speedup with its delta-method CI on the log scale.
struct Component {
  double w = 0;  // contribution to Var(ln estimate)
  int n = 0;     // sample count of the cell it came from
};
struct RatioEstimate {
  bool ok = false;
  double value = 1.0, low = 1.0, high = 1.0;
  std::vector<Component> components;
  std::vector<std::string> covered, missing;  // scenario names
  std::string host_key, host_label;
  std::string problem;  // when !ok
  std::vector<ClaimEvidence> evidence;
};

double log_var(const std::vector<Component>& cs) {
  double v = 0;
  for (const auto& c : cs) v += c.w;
  return v;
}
// Welch-Satterthwaite degrees of freedom of a sum of independent variance terms.
double ws_df(const std::vector<Component>& cs) {
  double num = 0, den = 0;
  for (const auto& c : cs) {
    num += c.w;
    if (c.n > 1) den += c.w * c.w / double(c.n - 1);
  }
  if (!(den > 0)) return std::numeric_limits<double>::infinity();
  return num * num / den;
}
void set_ci(RatioEstimate& e) {
  double v = log_var(e.components);
  if (!(v > 0)) {  // zero variance in every cell: the CI degenerates to the point
    e.low = e.high = e.value;
    return;
  }
  double df = ws_df(e.components);
  double t = std::isfinite(df) ? stats::student_t_quantile(df, 0.975) : 1.959963984540054;
  double half = t * std::sqrt(v);
  e.low = std::exp(std::log(e.value) - half);
  e.high = std::exp(std::log(e.value) + half);
}

RatioEstimate geomean_speedup(const ConfigCells& base, const ConfigCells& cand,
                              const std::string& metric_name) {
  RatioEstimate e;
  if (!base.problem.empty() || !cand.problem.empty()) {
    e.problem = !base.problem.empty() ? base.problem : cand.problem;
    return e;
  }
  const MetricDef& md = metric(metric_name);
  std::vector<std::pair<std::tuple<int, int, int, std::string>, std::string>> keys;
  std::set<std::string> seen;
  for (const auto* m : {&base.by_scenario, &cand.by_scenario})
    for (const auto& [k, c] : *m)
      if (seen.insert(k).second) keys.push_back({scen_order(c->plan.key), k});
  std::sort(keys.begin(), keys.end());
  std::vector<double> speedups;
  std::vector<Component> comps;
  for (const auto& [order, k] : keys) {
    auto bi = base.by_scenario.find(k);
    auto ci = cand.by_scenario.find(k);
    const CellOutcome* b = bi == base.by_scenario.end() ? nullptr : bi->second;
    const CellOutcome* c = ci == cand.by_scenario.end() ? nullptr : ci->second;
    const CellOutcome* any = b ? b : c;
    ClaimEvidence ev;
    ev.what = any->scenario_label;
    ev.baseline_cell = b ? b->cell_id : "";
    ev.candidate_cell = c ? c->cell_id : "";
    ev.baseline_label = b ? b->plan.key.model + ": " + b->config_label : "";
    ev.candidate_label = c ? c->plan.key.model + ": " + c->config_label : "";
    ev.baseline_value = b ? value_text(*b, metric_name) : "not planned";
    ev.candidate_value = c ? value_text(*c, metric_name) : "not planned";
    const std::string sname = any->plan.key.scenario;
    const MetricSummary* bm = b && b->stats ? b->stats->metric(metric_name) : nullptr;
    const MetricSummary* cm = c && c->stats ? c->stats->metric(metric_name) : nullptr;
    if (!b || !c) {
      ev.result = std::string("not compared: ") + (!b ? "baseline" : "candidate") + " not planned";
      e.missing.push_back(sname);
    } else if (!same_host(*b, *c)) {
      ev.result = "not compared: " + cross_host_reason(*b, *c);
      e.missing.push_back(sname);
    } else if (!bm || !cm) {
      const CellOutcome* without = !bm ? b : c;
      ev.result = std::string("not compared: ") + (!bm ? "baseline" : "candidate") + " cell " +
                  (without->stats ? "has no value of " + metric_name
                                  : "shows no numbers (" + without->status_text + ")");
      e.missing.push_back(sname);
    } else if (!e.host_key.empty() && b->host_key != e.host_key) {
      ev.result =
          "not compared: this pair was measured on " + b->host_label + ", the first pair on " + e.host_label;
      e.missing.push_back(sname);
    } else {
      if (e.host_key.empty()) {
        e.host_key = b->host_key;
        e.host_label = b->host_label;
      }
      const auto& sb = bm->summary();
      const auto& sc = cm->summary();
      stats::Delta d = stats::compare_values(sb.mean, sc.mean, md.better);
      speedups.push_back(d.speedup);
      for (const auto* s : {&sb, &sc}) {
        double sd = s->stddev.value_or(0.0);
        comps.push_back({sd * sd / (double(s->n) * s->mean * s->mean), int(s->n)});
      }
      ev.result = format_fixed(d.speedup, 3) + "x";
      e.covered.push_back(sname);
    }
    e.evidence.push_back(std::move(ev));
  }
  if (speedups.empty()) {
    e.problem = "no scenario with numbers for both configurations on one host";
    for (const auto& ev : e.evidence) e.problem += "; " + ev.what + ": " + ev.result;
    return e;
  }
  const double k2 = double(speedups.size()) * double(speedups.size());
  for (auto& c : comps) c.w /= k2;
  e.components = std::move(comps);
  e.value = stats::geometric_mean(speedups);
  set_ci(e);
  e.ok = true;
  return e;
}

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string ratio_text(double v, double lo, double hi) {
  return format_fixed(v, 3) + "x [" + format_fixed(lo, 3) + ", " + format_fixed(hi, 3) + "]";
}

int direction(double lo, double hi) { return lo > 1.0 ? 1 : (hi < 1.0 ? -1 : 0); }

void ratio_verdict(ClaimResult& r, double claimed, const std::string& better_text,
                   const std::string& worse_text) {
  int want = claimed > 1.0 ? 1 : (claimed < 1.0 ? -1 : 0);
  int got = direction(*r.ci_low, *r.ci_high);
  if (got == 0) {
    r.verdict = want == 0 ? kHolds : kNoDiff;
    r.explanation = "the 95% CI contains 1";
  } else {
    r.verdict = got == want ? kHolds : kNotHold;
    r.explanation = "the 95% CI lies " + std::string(got > 0 ? "above" : "below") +
                    " 1: " + (got > 0 ? better_text : worse_text);
  }
}

void eval_speedup(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  auto base = find_config(a, s.model, s.phase, *s.baseline, s.scenarios);
  auto cand = find_config(a, s.model, s.phase, *s.candidate, s.scenarios);
  RatioEstimate e = geomean_speedup(base, cand, s.metric);
  r.evidence = e.evidence;
  if (!e.ok) {
    r.verdict = kNotMeasured;
    r.explanation = e.problem;
    return;
  }
  r.host_label = e.host_label;
  r.measured_value = e.value;
  r.ci_low = e.low;
  r.ci_high = e.high;
  r.measured_text =
      ratio_text(e.value, e.low, e.high) +
      (e.covered.size() == 1
           ? fmt::format(", speedup of mean {} in the single scenario {} ({} vs {})", s.metric,
                         e.covered.front(), cand.label, base.label)
           : fmt::format(", geometric mean of per-scenario speedups of mean {} ({} vs {}) over [{}]",
                         s.metric, cand.label, base.label, join(e.covered)));
  if (!e.missing.empty()) r.measured_text += "; scenarios without a comparison: " + join(e.missing);
  ratio_verdict(r, *s.original_value, s.candidate->label + "'s counterpart is faster",
                s.candidate->label + "'s counterpart is slower");
}

void eval_speedup_change(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  auto from = geomean_speedup(find_config(a, s.model_from, s.phase, *s.baseline, s.scenarios),
                              find_config(a, s.model_from, s.phase, *s.candidate, s.scenarios), s.metric);
  auto to = geomean_speedup(find_config(a, s.model_to, s.phase, *s.baseline, s.scenarios),
                            find_config(a, s.model_to, s.phase, *s.candidate, s.scenarios), s.metric);
  for (auto* e : {&from, &to})
    for (auto ev : e->evidence) {
      ev.what = (e == &from ? s.model_from : s.model_to) + ": " + ev.what;
      r.evidence.push_back(ev);
    }
  if (!from.ok || !to.ok) {
    r.verdict = kNotMeasured;
    r.explanation = !from.ok ? s.model_from + ": " + from.problem : s.model_to + ": " + to.problem;
    return;
  }
  if (from.host_key != to.host_key) {
    r.verdict = kNotMeasured;
    r.explanation = s.model_from + " was measured on " + from.host_label + ", " + s.model_to + " on " +
                    to.host_label + ": comparisons across hosts are refused";
    return;
  }
  RatioEstimate e;
  // The change of the speedup: speedup(to) / speedup(from), through the one ratio function.
  e.value = stats::compare_values(from.value, to.value, stats::Better::kHigher).speedup;
  e.components = from.components;
  e.components.insert(e.components.end(), to.components.begin(), to.components.end());
  set_ci(e);
  r.host_label = from.host_label;
  r.measured_value = e.value;
  r.ci_low = e.low;
  r.ci_high = e.high;
  r.measured_text = ratio_text(e.value, e.low, e.high) +
                    fmt::format(
                        " = speedup on {} ({}) / speedup on {} ({}); geometric means of per-scenario "
                        "speedups of mean {}",
                        s.model_to, ratio_text(to.value, to.low, to.high), s.model_from,
                        ratio_text(from.value, from.low, from.high), s.metric);
  ratio_verdict(r, *s.original_value, "the speedup grows from " + s.model_from + " to " + s.model_to,
                "the speedup shrinks from " + s.model_from + " to " + s.model_to);
}

void eval_crossover(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  const Manifest& m = a.inputs->manifest;
  std::vector<std::string> models = s.models;
  if (models.empty()) models = a.models_in_order;
  struct Pt {
    std::string model;
    double params;
    RatioEstimate e;
  };
  std::vector<Pt> pts;
  std::vector<std::string> left_out;
  for (const auto& mid : models) {
    auto mit = m.models.find(mid);
    ConfigCells base = find_config(a, mid, s.phase, *s.baseline, s.scenarios);
    ConfigCells cand = find_config(a, mid, s.phase, *s.candidate, s.scenarios);
    if (!base.problem.empty() && !cand.problem.empty() && s.models.empty())
      continue;  // not in this size ladder
    RatioEstimate e = geomean_speedup(base, cand, s.metric);
    ClaimEvidence ev;
    ev.what = mid + (mit != m.models.end() ? " (" + format_params(double(mit->second.params)) + ")" : "");
    if (mit == m.models.end()) {
      ev.result = "left out: the manifest has no measured parameter count";
    } else if (!e.ok) {
      ev.result = "left out: " + e.problem;
    } else if (!pts.empty() && e.host_key != pts.front().e.host_key) {
      ev.result =
          "left out: measured on " + e.host_label + ", the smallest size on " + pts.front().e.host_label;
    } else {
      ev.result = ratio_text(e.value, e.low, e.high) + " over [" + join(e.covered) + "]";
      ev.baseline_value = base.label;
      ev.candidate_value = cand.label;
      r.evidence.push_back(ev);
      for (auto row : e.evidence) {  // the cells behind this size's ratio
        row.what = mid + ": " + row.what;
        r.evidence.push_back(row);
      }
      pts.push_back({mid, double(mit->second.params), e});
      continue;
    }
    left_out.push_back(mid);
    r.evidence.push_back(ev);
  }
  std::sort(pts.begin(), pts.end(), [](const Pt& x, const Pt& y) { return x.params < y.params; });
  bool distinct = true;
  for (std::size_t i = 1; i < pts.size(); ++i) distinct = distinct && pts[i].params > pts[i - 1].params;
  if (pts.size() < 2 || !distinct) {
    r.verdict = kNotMeasured;
    r.explanation = fmt::format(
        "{} model size(s) with numbers for both configurations on one host; a "
        "crossover needs at least 2 distinct sizes (nothing is extrapolated)",
        pts.size());
    return;
  }
  std::vector<double> p, g, lo, hi, ones(pts.size(), 1.0);
  for (const auto& pt : pts) {
    p.push_back(pt.params);
    g.push_back(pt.e.value);
    lo.push_back(pt.e.low);
    hi.push_back(pt.e.high);
  }
  r.host_label = pts.front().e.host_label;
  CrossoverResult cr = find_crossings(p, g, ones);
  CrossoverResult cl = find_crossings(p, lo, ones);
  CrossoverResult ch = find_crossings(p, hi, ones);
  const std::string range = format_params(p.front()) + " and " + format_params(p.back()) + " parameters";
  auto who = [&](int sign) {
    return sign > 0   ? s.candidate->label + "'s counterpart faster"
           : sign < 0 ? s.candidate->label + "'s counterpart slower"
                      : "equal";
  };
  if (cr.crossings.empty()) {
    r.measured_text = "no crossing measured between " + range + " (" + who(cr.sign_first) + " throughout)";
    bool covers = *s.original_value >= p.front() && *s.original_value <= p.back();
    if (covers) {
      r.verdict = kNotHold;
      r.explanation = "the measured sizes span the claimed crossover (" + format_params(*s.original_value) +
                      ") but the geometric-mean speedup does not cross 1";
    } else {
      r.verdict = kNotMeasured;
      r.explanation = "the measured sizes (between " + range + ") do not reach the claimed crossover (" +
                      format_params(*s.original_value) + "); nothing is extrapolated";
    }
    return;
  }
  std::vector<std::string> at;
  for (const auto& c : cr.crossings)
    at.push_back("~" + format_params(c.params) + " (between " + pts[c.lo].model + " and " + pts[c.hi].model +
                 ")");
  r.measured_value = cr.crossings.front().params;
  std::string band = "95% band not bounded within the measured sizes";
  if (cl.crossings.size() == 1 && ch.crossings.size() == 1) {
    r.ci_low = std::min(cl.crossings[0].params, ch.crossings[0].params);
    r.ci_high = std::max(cl.crossings[0].params, ch.crossings[0].params);
    band = "95% band " + format_params(*r.ci_low) + " to " + format_params(*r.ci_high);
  }
  r.measured_text = "crossing at " + join(at, "; ") + "; " + band +
                    "; log-log interpolation of the geometric-mean speedup of mean " + s.metric +
                    " between adjacent measured sizes";
  if (cr.crossings.size() > 1) {
    r.verdict = kNotHold;
    r.explanation = fmt::format("the measured curve crosses 1 {} times, the claim describes one crossover",
                                cr.crossings.size());
    return;
  }
  const bool want_first_positive = s.candidate_better_below;
  const bool dir_ok =
      want_first_positive ? (cr.sign_first > 0 && cr.sign_last < 0) : (cr.sign_first < 0 && cr.sign_last > 0);
  if (!dir_ok) {
    r.verdict = kNotHold;
    r.explanation = "the crossing goes the other way: " + who(cr.sign_first) + " at the smallest size, " +
                    who(cr.sign_last) + " at the largest";
    return;
  }
  const double x = cr.crossings.front().params;
  double lo_ok = s.original_ci_low.value_or(*s.original_value),
         hi_ok = s.original_ci_high.value_or(*s.original_value);
  const std::string interval =
      lo_ok == hi_ok ? format_params(lo_ok)
                     : "the original's interval " + format_params(lo_ok) + " to " + format_params(hi_ok);
  if (x >= lo_ok && x <= hi_ok) {
    r.verdict = kHolds;
    r.explanation = "one crossing, in the claimed direction, inside " + interval;
  } else if (!r.ci_low || (*r.ci_low <= hi_ok && lo_ok <= *r.ci_high)) {
    // The point misses, but the measurement's own uncertainty reaches the claimed location.
    r.verdict = kNoDiff;
    r.explanation = "the direction matches and the crossing (" + format_params(x) + ") lies outside " +
                    interval + ", but its 95% band " +
                    (r.ci_low ? "overlaps it" : "is not bounded within the measured sizes");
  } else {
    r.verdict = kNotHold;
    r.explanation = "the direction matches but the crossing (" + format_params(x) +
                    ") and its whole 95% band lie outside " + interval;
  }
}

void eval_winner(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  const ConfigSpec& w = s.configs.front();
  ConfigCells wc = find_config(a, s.model, s.phase, w, s.scenarios);
  if (!wc.problem.empty()) {
    r.verdict = kNotMeasured;
    r.explanation = "the claimed winner: " + wc.problem;
    return;
  }
  std::vector<std::string> better, tied, worse, unmeasured, parts;
  for (std::size_t i = 1; i < s.configs.size(); ++i) {
    const ConfigSpec& o = s.configs[i];
    RatioEstimate e = geomean_speedup(wc, find_config(a, s.model, s.phase, o, s.scenarios), s.metric);
    for (auto ev : e.evidence) {
      ev.what = o.label + " vs " + w.label + ": " + ev.what;
      r.evidence.push_back(ev);
    }
    if (!e.ok) {
      unmeasured.push_back(o.label + " (" + e.problem + ")");
      continue;
    }
    if (r.host_label.empty()) r.host_label = e.host_label;
    parts.push_back(o.label + " " + ratio_text(e.value, e.low, e.high));
    int d = direction(e.low, e.high);
    (d > 0 ? better : d < 0 ? worse : tied).push_back(o.label);
  }
  r.measured_text = "speedup of each other configuration vs " + w.label + "'s counterpart (" + wc.label +
                    "), geometric mean over scenarios of mean " + s.metric + ": " +
                    (parts.empty() ? std::string("none measured") : join(parts, "; "));
  std::string tail = unmeasured.empty() ? "" : "; not measured: " + join(unmeasured, "; ");
  if (!better.empty()) {
    r.verdict = kNotHold;
    r.explanation = "faster than the claimed winner (95% CI above 1): " + join(better) + tail;
  } else if (!tied.empty()) {
    r.verdict = kNoDiff;
    r.explanation = "not distinguishable from the claimed winner (95% CI contains 1): " + join(tied) + tail;
  } else if (!worse.empty()) {
    r.verdict = kHolds;
    r.explanation = "every measured rival is slower (95% CI below 1)" + tail;
  } else {
    r.verdict = kNotMeasured;
    r.explanation = "no rival configuration has numbers" + tail;
  }
}

void eval_accuracy(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  const Inputs& in = *a.inputs;
  if (!in.accuracy_present) {
    r.verdict = kNotMeasured;
    r.explanation = "no accuracy.jsonl in these results";
    return;
  }
  std::optional<double> worst;
  std::string worst_label;
  int rows = 0;
  for (const auto& x : in.accuracy) {
    if (x.model != s.model) continue;
    if (x.backend == x.reference_backend && x.precision == x.reference_precision)
      continue;  // the reference itself
    if (!s.accuracy_backends.empty()) {
      bool match = false;
      for (const auto& c : s.accuracy_backends)
        match = match || (c.backend == x.backend && c.precision == x.precision &&
                          (c.device.empty() || c.device == x.device));
      if (!match) continue;
    }
    ClaimEvidence ev;
    ev.what =
        x.backend + " " + x.precision + (x.device.empty() ? "" : " on " + x.device) + " (accuracy.jsonl)";
    ev.baseline_value = x.reference_backend.empty()
                            ? "reference not recorded"
                            : "reference " + x.reference_backend + " " + x.reference_precision;
    if (x.status != "ok" || !x.ppl_rel_delta) {
      ev.result = x.status != "ok" ? "accuracy run " + x.status + (x.error.empty() ? "" : ": " + x.error)
                                   : "no ppl_rel_delta recorded";
    } else {
      ++rows;
      double d = std::abs(*x.ppl_rel_delta);
      ev.candidate_value = x.ppl ? "ppl " + format_number(*x.ppl, 6) : "";
      ev.result = "ppl delta " + format_number(*x.ppl_rel_delta * 100.0, 3) + "%";
      if (!worst || d > *worst) {
        worst = d;
        worst_label = x.backend + " " + x.precision;
      }
    }
    r.evidence.push_back(ev);
  }
  if (!worst) {
    r.verdict = kNotMeasured;
    r.explanation = "no successful accuracy row for model " + s.model + " matches the claim";
    return;
  }
  r.measured_value = *worst;
  r.measured_text = fmt::format(
      "largest |ppl delta| {}% ({}) over {} row(s) of model {}; a deterministic "
      "computation (no sampling CI)",
      format_number(*worst * 100.0, 3), worst_label, rows, s.model);
  bool ok = *worst <= *s.max_abs_ppl_rel_delta;
  r.verdict = ok ? kHolds : kNotHold;
  r.explanation = fmt::format("{} the claimed bound {}%", ok ? "within" : "exceeds",
                              format_number(*s.max_abs_ppl_rel_delta * 100.0, 3));
}

std::optional<std::int64_t> model_field(const ModelInfo& mi, const std::string& f) {
  if (f == "params") return mi.params;
  if (f == "n_layer") return mi.n_layer;
  if (f == "n_head") return mi.n_head;
  if (f == "n_embd") return mi.n_embd;
  if (f == "n_positions") return mi.n_positions;
  if (f == "vocab_size") return mi.vocab_size;
  return std::nullopt;
}

const ModelInfo* model_info(const Analysis& a, const std::string& id, std::string& why) {
  const Manifest& m = a.inputs->manifest;
  auto it = m.models.find(id);
  if (it != m.models.end()) return &it->second;
  auto inc = m.models_incomplete.find(id);
  why = "model " + id + ": " + (inc != m.models_incomplete.end() ? inc->second : "not in the manifest");
  return nullptr;
}

void eval_architecture(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  std::string why;
  const ModelInfo* mi = model_info(a, s.model, why);
  if (!mi) {
    r.verdict = kNotMeasured;
    r.explanation = why;
    return;
  }
  std::vector<std::string> wrong, shown;
  for (auto it = s.expected.begin(); it != s.expected.end(); ++it) {
    std::int64_t want = it.value().get<std::int64_t>();
    std::int64_t got = *model_field(*mi, it.key());
    double tol = it.key() == "params" ? s.tolerance : 0.0;
    bool ok = std::abs(double(got - want)) <= tol;
    shown.push_back(fmt::format("{} = {}", it.key(), got));
    ClaimEvidence ev;
    ev.what = "manifest.models." + s.model + "." + it.key();
    ev.baseline_value = fmt::format("claimed {}", want);
    ev.candidate_value = fmt::format("measured {}", got);
    ev.result = ok ? "matches" : "differs";
    r.evidence.push_back(std::move(ev));
    if (!ok) wrong.push_back(fmt::format("{} {} (claimed {})", it.key(), got, want));
  }
  r.measured_text = "from the loaded tensors (manifest): " + join(shown);
  r.verdict = wrong.empty() ? kHolds : kNotHold;
  r.explanation = wrong.empty()
                      ? "every claimed field matches" +
                            (s.tolerance > 0 ? fmt::format(" (params within ±{})", format_number(s.tolerance))
                                             : std::string())
                      : "differs: " + join(wrong);
}

void eval_param_ratio(const Analysis& a, const ClaimSpec& s, ClaimResult& r) {
  std::string why;
  const ModelInfo* top = model_info(a, s.model, why);
  const ModelInfo* bottom = top ? model_info(a, s.over_model, why) : nullptr;
  if (!top || !bottom) {
    r.verdict = kNotMeasured;
    r.explanation = why;
    return;
  }
  double ratio =
      stats::compare_values(double(bottom->params), double(top->params), stats::Better::kHigher).speedup;
  r.measured_value = ratio;
  r.measured_text = fmt::format("{} / {} parameters = {} / {} = {}x (from the loaded tensors)", s.model,
                                s.over_model, top->params, bottom->params, format_fixed(ratio, 1));
  ClaimEvidence ev;
  ev.what = "manifest.models";
  ev.baseline_value = s.over_model + ": " + std::to_string(bottom->params);
  ev.candidate_value = s.model + ": " + std::to_string(top->params);
  ev.result = format_fixed(ratio, 1) + "x";
  r.evidence.push_back(std::move(ev));
  bool ok = std::abs(ratio - *s.original_value) <= s.tolerance;
  r.verdict = ok ? kHolds : kNotHold;
  r.explanation = fmt::format("{} the claimed {}x ± {}", ok ? "within" : "outside",
                              format_number(*s.original_value), format_number(s.tolerance));
}

}  // namespace

ClaimsResult evaluate_claims(const Analysis& a, const ClaimsFile& f) {
  ClaimsResult out;
  out.file = &f;
  for (const auto& s : f.claims) {
    ClaimResult r;
    r.spec = &s;
    switch (s.kind) {
      case ClaimKind::kSpeedup:
        eval_speedup(a, s, r);
        break;
      case ClaimKind::kSpeedupChange:
        eval_speedup_change(a, s, r);
        break;
      case ClaimKind::kCrossover:
        eval_crossover(a, s, r);
        break;
      case ClaimKind::kWinner:
        eval_winner(a, s, r);
        break;
      case ClaimKind::kAccuracy:
        eval_accuracy(a, s, r);
        break;
      case ClaimKind::kArchitecture:
        eval_architecture(a, s, r);
        break;
      case ClaimKind::kParamRatio:
        eval_param_ratio(a, s, r);
        break;
      case ClaimKind::kNotComparable:
        r.verdict = kNotComparable;
        r.explanation = s.reason;
        break;
    }
    out.results.push_back(std::move(r));
  }
  return out;
}

// ===================================================================== JSON and document ======
namespace {
json num_or_null(const std::optional<double>& v) { return v ? json(round_for_json(*v)) : json(nullptr); }

std::map<std::string, int> verdict_counts(const ClaimsResult& r) {
  std::map<std::string, int> c = {
      {kHolds, 0}, {kNotHold, 0}, {kNoDiff, 0}, {kNotMeasured, 0}, {kNotComparable, 0}};
  for (const auto& x : r.results) c[x.verdict]++;
  return c;
}

std::string mapping_text(const ClaimSpec& s) {
  auto cfg = [](const ConfigSpec& c) { return config_text(c) + " (for " + c.label + ")"; };
  std::string scen = s.scenarios.empty() ? "every planned scenario" : join(s.scenarios);
  switch (s.kind) {
    case ClaimKind::kSpeedup:
      return fmt::format("{}, {}, mean {} over {}: {} vs {}", s.model, s.phase, s.metric, scen,
                         cfg(*s.candidate), cfg(*s.baseline));
    case ClaimKind::kSpeedupChange:
      return fmt::format("{} -> {}, {}, mean {} over {}: {} vs {}", s.model_from, s.model_to, s.phase,
                         s.metric, scen, cfg(*s.candidate), cfg(*s.baseline));
    case ClaimKind::kCrossover:
      return fmt::format("{} sizes, {}, mean {} over {}: {} vs {}",
                         s.models.empty() ? std::string("all measured") : join(s.models), s.phase, s.metric,
                         scen, cfg(*s.candidate), cfg(*s.baseline));
    case ClaimKind::kWinner: {
      std::vector<std::string> cs;
      for (const auto& c : s.configs) cs.push_back(cfg(c));
      return fmt::format("{}, {}, mean {} over {}: winner {} among {}", s.model, s.phase, s.metric, scen,
                         cs.front(), join(cs, "; "));
    }
    case ClaimKind::kAccuracy: {
      std::vector<std::string> cs;
      for (const auto& c : s.accuracy_backends) cs.push_back(cfg(c));
      return fmt::format("accuracy.jsonl, model {}: |ppl_rel_delta| of {} vs the reference", s.model,
                         cs.empty() ? std::string("every non-reference row") : join(cs, "; "));
    }
    case ClaimKind::kArchitecture:
      return "manifest.models." + s.model + " (measured from tensors)";
    case ClaimKind::kParamRatio:
      return "manifest params of " + s.model + " / " + s.over_model;
    case ClaimKind::kNotComparable:
      return "none";
  }
  return "";
}
}  // namespace

json claims_to_json(const ClaimsResult& r) {
  const ClaimsFile& f = *r.file;
  json j;
  j["file"] = std::filesystem::path(f.path).filename().string();
  j["sha256"] = f.sha256;
  j["source"] = {{"title", f.title},   {"url", f.url},           {"date", f.date},
                 {"status", f.status}, {"hardware", f.hardware}, {"software", f.software},
                 {"method", f.method}, {"notes", f.notes}};
  j["verdict_counts"] = verdict_counts(r);
  json arr = json::array();
  for (const auto& x : r.results) {
    const ClaimSpec& s = *x.spec;
    json ev = json::array();
    for (const auto& e : x.evidence)
      ev.push_back({{"what", e.what},
                    {"baseline_cell", e.baseline_cell},
                    {"candidate_cell", e.candidate_cell},
                    {"baseline", e.baseline_value},
                    {"candidate", e.candidate_value},
                    {"result", e.result}});
    arr.push_back(
        {{"id", s.id},
         {"kind", claim_kind_name(s.kind)},
         {"section", s.section},
         {"quote", s.quote},
         {"original_text", s.original_text},
         {"original_value", num_or_null(s.original_value)},
         {"mapping", mapping_text(s)},
         {"mapping_note", s.mapping_note},
         {"verdict", x.verdict},
         {"measured_value", num_or_null(x.measured_value)},
         {"ci95", x.ci_low ? json{{"low", round_for_json(*x.ci_low)}, {"high", round_for_json(*x.ci_high)}}
                           : json(nullptr)},
         {"measured", x.measured_text},
         {"explanation", x.explanation},
         {"host", x.host_label},
         {"evidence", ev}});
  }
  j["claims"] = arr;
  return j;
}

void add_claims_section(Document& d, const Analysis& a, const ClaimsResult& r) {
  const ClaimsFile& f = *r.file;
  const Manifest& m = a.inputs->manifest;
  d.heading(2, "Claims of the withdrawn report vs this measurement");
  auto counts = verdict_counts(r);
  d.paragraph(fmt::format(
      "Source: {}{}{}{}. The claims, their original figures and their mapping onto scalebench's "
      "measurements are data in {} (SHA-256 {}): {} claims. Verdicts: holds {}, does not hold {}, no "
      "detectable difference {}, not measured {}, not comparable {}.",
      f.title, f.url.empty() ? "" : " (" + f.url + ")", f.date.empty() ? "" : ", dated " + f.date,
      f.status.empty() ? "" : ", status: " + f.status, std::filesystem::path(f.path).filename().string(),
      f.sha256, r.results.size(), counts[kHolds], counts[kNotHold], counts[kNoDiff], counts[kNotMeasured],
      counts[kNotComparable]));
  std::vector<std::string> hosts;
  std::set<std::string> seen;
  for (const auto& s : m.sources)
    if (seen.insert(s.key).second) hosts.push_back(s.label);
  d.paragraph(
      "Hardware differs, so magnitudes are not expected to match; verdicts judge each claim's "
      "direction only. Original: " +
      f.hardware + (f.software.empty() ? "" : "; " + f.software) + ". This measurement: " +
      join(hosts, "; ") + " (from the manifest; each claim names the host of the cells it used).");
  if (!f.method.empty()) d.paragraph("The original's statistic: " + f.method);
  d.paragraph(
      std::string("Here: speedup > 1 means the claim's first configuration (the candidate) is better; ") +
      stats::delta_convention_text() +
      " Per scenario the speedup is the ratio of the two cells' means; several scenarios are "
      "summarized by the geometric mean of per-scenario speedups, with a 95% CI from the delta method on "
      "the log scale (Welch-Satterthwaite df; not adjusted for the number of claims). A claim holds when "
      "the CI lies on the claimed side of 1, does not hold when it lies on the other side, and shows no "
      "detectable difference when it contains 1. Cells measured on different hosts are never compared. "
      "Formulas: Appendix A2.");
  if (!f.notes.empty()) d.paragraph("Notes from the claims file: " + f.notes);
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : r.results) {
    const ClaimSpec& s = *x.spec;
    std::string mapped = mapping_text(s) + (s.mapping_note.empty() ? "" : ". " + s.mapping_note);
    rows.push_back({s.id, "\"" + s.quote + "\"" + (s.section.empty() ? "" : " (" + s.section + ")"),
                    s.original_text, mapped, x.measured_text.empty() ? std::string("—") : x.measured_text,
                    x.verdict,
                    x.explanation + (x.host_label.empty() ? "" : " [measured on " + x.host_label + "]")});
  }
  d.table({"ID", "Claim (original wording)", "Original figure", "Mapped to", "Measured (95% CI)", "Verdict",
           "Why"},
          rows);
  d.heading(3, "Evidence per claim (cells from records.jsonl; values are mean ± 95% CI half-width)");
  d.paragraph("Cells are named by model and configuration label (section Configurations); their "
              "records.jsonl cell ids are in stats.json (claims.claims[].evidence).");
  for (const auto& x : r.results) {
    if (x.evidence.empty()) continue;
    std::vector<std::vector<std::string>> er;
    for (const auto& e : x.evidence)
      er.push_back({e.what, e.baseline_label.empty() ? "—" : e.baseline_label,
                    e.baseline_value.empty() ? "—" : e.baseline_value,
                    e.candidate_label.empty() ? "—" : e.candidate_label,
                    e.candidate_value.empty() ? "—" : e.candidate_value, e.result});
    d.heading(4, "Claim " + x.spec->id + ": " + x.verdict);
    d.table({"Scenario / item", "Baseline cell", "Baseline", "Candidate cell", "Candidate", "Result"}, er);
  }
}

std::string claims_statistics_intro() {
  return "Claims of another report are compared with this measurement through a claims file "
         "(docs/formats.md, \"Claims files\"). For a claim comparing a candidate configuration "
         "with a baseline on one model and phase:";
}

std::vector<std::string> claims_statistics_items() {
  return {
      "Per scenario s: speedup_s from the one delta function applied to the two cells' means of "
      "the claim's metric (m_b, m_c); only cells with numbers (all samples ok, n >= 2), measured on "
      "the same host, are used.",
      "Several scenarios: G = geometric mean of speedup_s over the K scenarios both cells cover, "
      "labelled with that scenario list.",
      "95% CI of G (delta method on the log scale): Var(ln G) = (1/K^2) * sum over s of (s_b^2 / "
      "(n_b * m_b^2) + s_c^2 / (n_c * m_c^2)); df = (sum of the variance terms)^2 / sum of (term^2 / "
      "(n - 1)) (Welch-Satterthwaite); CI = exp(ln G -/+ t(0.975, df) * sqrt(Var(ln G))). Not "
      "adjusted for the number of claims.",
      "Change of a speedup between two models: G_to / G_from (through the delta function), "
      "Var = Var(ln G_to) + Var(ln G_from), df as above over all terms.",
      "Crossover: the parameter count where ln G crosses 0, interpolated linearly in ln(parameters) "
      "between adjacent measured sizes (never extrapolated); its 95% band is where the CI bounds of "
      "G cross 1. It holds when there is one crossing, in the claimed direction, inside the "
      "original's interval; no detectable difference when the point is outside but the band "
      "overlaps the interval (or is unbounded); otherwise it does not hold.",
      "Winner: G of every rival vs the claimed winner; the claim holds when every measured rival's "
      "CI lies below 1.",
      "Verdicts: holds (CI on the claimed side of 1), does not hold (CI on the other side), no "
      "detectable difference (CI contains 1), not measured (with the reason), not comparable (no "
      "honest counterpart; the reason comes from the claims file). Accuracy, architecture and "
      "parameter-ratio claims are deterministic comparisons against a stated bound or tolerance."};
}

std::string claims_statistics_doc() {
  std::string out = escape_markdown(claims_statistics_intro()) + "\n\n";
  for (const auto& item : claims_statistics_items()) out += "- " + escape_markdown(item) + "\n";
  return out + "\n";
}

}  // namespace sb::report
