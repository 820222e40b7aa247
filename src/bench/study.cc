#include "bench/study.h"
#include "bench/toml_json.h"

#include <algorithm>
#include <set>

#include <toml++/toml.h>

#include "backends/registry.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

#if defined(SB_HAVE_MODEL)
#include "model/model.h"
#endif

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;

const std::vector<ScenarioDef>& builtin_scenarios() {
  static const std::vector<ScenarioDef> s = {
      {"single_micro", 1, 8},   {"single_short", 1, 32}, {"single_medium", 1, 64},
      {"single_long", 1, 128},  {"batch_short", 4, 32},  {"batch_medium", 4, 64}};
  return s;
}

namespace {

// Seeds derived from the study seed (SplitMix64 finalizer over seed + a per-use constant), so
// that prompts, order and weights never share a random stream.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t salt) {
  std::uint64_t z = seed + salt * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Validator {
 public:
  explicit Validator(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void error(const toml::node* node, const std::string& problem) const {
    if (node && node->source().begin.line > 0)
      fail("{}:{}:{}: {}", where_, node->source().begin.line, node->source().begin.column, problem);
    fail("{}: {}", where_, problem);
  }

  void check_keys(const toml::table& t, const std::string& table_name,
                  std::initializer_list<const char*> allowed) const {
    for (const auto& [key, node] : t) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || key.str() == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error(&node, fmt::format("unknown key '{}' in {} (known keys: {})", key.str(), table_name, list));
      }
    }
  }

  std::string get_string(const toml::node& n, const std::string& key) const {
    if (auto v = n.value<std::string>(); v && n.is_string()) return *v;
    error(&n, fmt::format("'{}' must be a string", key));
  }
  std::int64_t get_int(const toml::node& n, const std::string& key) const {
    if (!n.is_integer()) error(&n, fmt::format("'{}' must be an integer", key));
    return *n.value<std::int64_t>();
  }
  double get_number(const toml::node& n, const std::string& key) const {
    if (!n.is_number()) error(&n, fmt::format("'{}' must be a number", key));
    return *n.value<double>();
  }
  bool get_bool(const toml::node& n, const std::string& key) const {
    if (!n.is_boolean()) error(&n, fmt::format("'{}' must be true or false", key));
    return *n.value<bool>();
  }
  // A string or an array of strings.
  std::vector<std::pair<std::string, const toml::node*>> get_strings(const toml::node& n,
                                                                     const std::string& key) const {
    std::vector<std::pair<std::string, const toml::node*>> out;
    if (n.is_string()) {
      out.emplace_back(get_string(n, key), &n);
      return out;
    }
    if (!n.is_array()) error(&n, fmt::format("'{}' must be a string or an array of strings", key));
    for (const auto& e : *n.as_array()) out.emplace_back(get_string(e, key), &e);
    if (out.empty()) error(&n, fmt::format("'{}' must not be empty", key));
    return out;
  }

  json to_json(const toml::node& n) const {
    return toml_to_json(n, [this](const toml::node& bad) { error(&bad, "dates and times are not accepted in study files"); });
  }

 private:
  std::string where_;
};

bool looks_synthetic(const std::string& spec) {
#if defined(SB_HAVE_MODEL)
  return model::is_synthetic_spec(spec);
#else
  static const std::set<std::string> presets = {"tiny-gpt2", "gpt2", "gpt2-medium", "gpt2-large",
                                                "gpt2-xl"};
  return presets.count(spec) > 0 || spec.rfind("shape:", 0) == 0;
#endif
}

}  // namespace

Study load_study(const fs::path& path) {
  std::string text = read_file(path);
  fs::path base = path.has_parent_path() ? path.parent_path() : fs::path(".");
  Study s = parse_study(text, path.string(), base);
  s.path = path;
  return s;
}

Study parse_study(const std::string& text, const std::string& where, const fs::path& base_dir) {
  Validator v(where);
  toml::table root;
  try {
    root = toml::parse(text, where);
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: {}", where, e.source().begin.line, e.source().begin.column, e.description());
  }
  Study s;
  s.text = text;
  s.sha256 = sha256_hex(text);
  v.check_keys(root, "the study",
               {"name", "description", "out", "seed", "seeds", "repetitions", "warmup",
                "new_tokens", "phases", "scenarios", "scenario", "models", "backends", "timeouts",
                "memory_limit_mb", "report", "accuracy"});

  s.name = root.contains("name") ? v.get_string(*root.get("name"), "name")
                                 : fs::path(where).stem().string();
  if (auto* n = root.get("description")) s.description = v.get_string(*n, "description");
  if (auto* n = root.get("out")) s.out = v.get_string(*n, "out");
  if (auto* n = root.get("seed")) s.seed = static_cast<std::uint64_t>(v.get_int(*n, "seed"));
  s.prompt_seed = derive_seed(s.seed, 1);
  s.order_seed = derive_seed(s.seed, 2);
  s.weights_seed = derive_seed(s.seed, 3);
  if (auto* n = root.get("seeds")) {
    if (!n->is_table()) v.error(n, "'seeds' must be a table");
    v.check_keys(*n->as_table(), "[seeds]", {"prompts", "order", "weights"});
    if (auto* x = n->as_table()->get("prompts")) s.prompt_seed = static_cast<std::uint64_t>(v.get_int(*x, "seeds.prompts"));
    if (auto* x = n->as_table()->get("order")) s.order_seed = static_cast<std::uint64_t>(v.get_int(*x, "seeds.order"));
    if (auto* x = n->as_table()->get("weights")) s.weights_seed = static_cast<std::uint64_t>(v.get_int(*x, "seeds.weights"));
  }
  auto positive_int = [&](const char* key, int& out, int min_value, const char* why) {
    if (auto* n = root.get(key)) {
      auto x = v.get_int(*n, key);
      if (x < min_value || x > 1000000)
        v.error(n, fmt::format("'{}' = {}: must be at least {} ({})", key, x, min_value, why));
      out = static_cast<int>(x);
    }
  };
  positive_int("repetitions", s.repetitions, 1, "measured samples per cell");
  positive_int("warmup", s.warmup, 0, "unmeasured samples before them");
  positive_int("new_tokens", s.new_tokens, 2,
               "N >= 2: one token from prefill and at least one decode step");
  if (auto* n = root.get("memory_limit_mb")) {
    auto x = v.get_int(*n, "memory_limit_mb");
    if (x < 0) v.error(n, "'memory_limit_mb' must be >= 0 (0 = no limit)");
    s.memory_limit_mb = static_cast<std::uint64_t>(x);
  }
  if (auto* n = root.get("timeouts")) {
    if (!n->is_table()) v.error(n, "'timeouts' must be a table");
    v.check_keys(*n->as_table(), "[timeouts]", {"load_s", "cell_s"});
    if (auto* x = n->as_table()->get("load_s")) s.load_timeout_s = v.get_number(*x, "timeouts.load_s");
    if (auto* x = n->as_table()->get("cell_s")) s.cell_timeout_s = v.get_number(*x, "timeouts.cell_s");
    if (s.load_timeout_s <= 0) v.error(n, "timeouts.load_s must be positive");
    if (s.cell_timeout_s <= 0) v.error(n, "timeouts.cell_s must be positive");
  }

  // Phases.
  s.phases = {"prefill", "decode"};
  if (auto* n = root.get("phases")) {
    s.phases.clear();
    for (auto& [p, node] : v.get_strings(*n, "phases")) {
      if (p != "prefill" && p != "decode")
        v.error(node, fmt::format("unknown phase '{}' (expected prefill or decode)", p));
      if (std::find(s.phases.begin(), s.phases.end(), p) != s.phases.end())
        v.error(node, fmt::format("phase '{}' is listed twice", p));
      s.phases.push_back(p);
    }
  }

  // Scenarios: built-ins plus [[scenario]] definitions; `scenarios` selects.
  std::vector<ScenarioDef> defined = builtin_scenarios();
  std::vector<std::string> user_defined;
  if (auto* n = root.get("scenario")) {
    if (!n->is_array_of_tables()) v.error(n, "'scenario' must be an array of tables ([[scenario]])");
    for (const auto& e : *n->as_array()) {
      const auto& t = *e.as_table();
      v.check_keys(t, "[[scenario]]", {"name", "batch", "prompt_len"});
      ScenarioDef d;
      for (const char* k : {"name", "batch", "prompt_len"})
        if (!t.contains(k)) v.error(&e, fmt::format("[[scenario]] needs '{}'", k));
      d.name = v.get_string(*t.get("name"), "name");
      auto b = v.get_int(*t.get("batch"), "batch");
      if (b < 1) v.error(t.get("batch"), fmt::format("scenario '{}': batch {} must be at least 1", d.name, b));
      auto sl = v.get_int(*t.get("prompt_len"), "prompt_len");
      if (sl < 1)
        v.error(t.get("prompt_len"), fmt::format("scenario '{}': prompt_len {} must be at least 1", d.name, sl));
      d.batch = static_cast<int>(b);
      d.prompt_len = static_cast<int>(sl);
      for (const auto& x : defined)
        if (x.name == d.name) v.error(&e, fmt::format("scenario '{}' is already defined", d.name));
      defined.push_back(d);
      user_defined.push_back(d.name);
    }
  }
  if (auto* n = root.get("scenarios")) {
    for (auto& [name, node] : v.get_strings(*n, "scenarios")) {
      auto it = std::find_if(defined.begin(), defined.end(), [&](auto& d) { return d.name == name; });
      if (it == defined.end()) {
        std::string known;
        for (auto& d : defined) known += (known.empty() ? "" : ", ") + d.name;
        v.error(node, fmt::format("unknown scenario '{}' (known: {}; define others with [[scenario]])", name, known));
      }
      for (auto& x : s.scenarios)
        if (x.name == name) v.error(node, fmt::format("scenario '{}' is listed twice", name));
      s.scenarios.push_back(*it);
    }
  } else {
    s.scenarios = defined;
  }

  // Models: strings or tables {id, spec}.
  auto* models = root.get("models");
  if (!models) v.error(nullptr, "the study names no models (models = [\"tiny-gpt2\", ...])");
  if (!models->is_array()) v.error(models, "'models' must be an array");
  std::set<std::string> model_ids;
  for (const auto& e : *models->as_array()) {
    ModelEntry m;
    if (e.is_string()) {
      m.spec = v.get_string(e, "models");
    } else if (e.is_table()) {
      const auto& t = *e.as_table();
      v.check_keys(t, "a model", {"id", "spec"});
      if (!t.contains("spec")) v.error(&e, "a model table needs 'spec' (preset, shape:... or folder)");
      m.spec = v.get_string(*t.get("spec"), "spec");
      if (auto* x = t.get("id")) m.id = v.get_string(*x, "id");
    } else {
      v.error(&e, "each model is a string (preset, shape:... or folder) or a table {id, spec}");
    }
    if (m.spec.empty()) v.error(&e, "empty model spec");
    if (m.id.empty()) m.id = looks_synthetic(m.spec) ? m.spec : fs::path(m.spec).filename().string();
    if (!looks_synthetic(m.spec)) {
      fs::path folder = m.spec;
      if (folder.is_relative()) folder = base_dir / folder;
      if (!fs::is_directory(folder))
        v.error(&e, fmt::format("model folder '{}' does not exist (looked at {}); a synthetic model "
                                "is a preset (tiny-gpt2, gpt2, gpt2-medium, gpt2-large, gpt2-xl) "
                                "or shape:L=..,H=..,E=..,V=..,P=..",
                                m.spec, folder.string()));
      m.spec = fs::absolute(folder).lexically_normal().string();
    }
    if (!model_ids.insert(m.id).second) v.error(&e, fmt::format("model id '{}' is used twice", m.id));
    int max_seq = 0;
#if defined(SB_HAVE_MODEL)
    model::GptConfig cfg;
    try {
      cfg = model::config_for_spec(m.spec);
    } catch (const std::exception& ex) {
      v.error(&e, fmt::format("model '{}': {}", m.id, ex.what()));
    }
    max_seq = cfg.n_positions;
#endif
    if (max_seq > 0) {
      bool decode = std::find(s.phases.begin(), s.phases.end(), "decode") != s.phases.end();
      for (const auto& sc : s.scenarios) {
        int needed = sc.prompt_len + (decode ? s.new_tokens : 0);
        if (needed > max_seq)
          v.error(&e, fmt::format("model '{}' has n_positions {}, but scenario '{}' needs S + N = "
                                  "{} + {} = {} positions",
                                  m.id, max_seq, sc.name, sc.prompt_len,
                                  decode ? s.new_tokens : 0, needed));
      }
    }
    s.models.push_back(m);
  }
  if (s.models.empty()) v.error(models, "'models' is empty");

  // Backends: [[backends]] tables or plain names.
  auto* backends = root.get("backends");
  if (!backends) v.error(nullptr, "the study names no backends ([[backends]] name = \"native-cpu\")");
  if (!backends->is_array()) v.error(backends, "'backends' must be an array");
  for (const auto& e : *backends->as_array()) {
    BackendEntry b;
    const toml::table* t = nullptr;
    const toml::node* name_node = &e;
    if (e.is_string()) {
      b.name = v.get_string(e, "backends");
    } else if (e.is_table()) {
      t = e.as_table();
      v.check_keys(*t, "[[backends]]", {"name", "precision", "precisions", "device", "devices", "options"});
      if (!t->contains("name")) v.error(&e, "[[backends]] needs 'name'");
      name_node = t->get("name");
      b.name = v.get_string(*name_node, "name");
    } else {
      v.error(&e, "each backend is a name or a [[backends]] table");
    }
    const auto* d = backends::find_backend(b.name);
    if (!d) v.error(name_node, fmt::format("unknown backend '{}' (known: {})", b.name, backends::known_backend_names()));
    b.name = d->name;
    auto precisions_node = t ? (t->contains("precisions") ? t->get("precisions") : t->get("precision")) : nullptr;
    if (precisions_node) {
      for (auto& [p, node] : v.get_strings(*precisions_node, "precisions")) {
        const auto& known = backends::known_precisions();
        if (std::find(known.begin(), known.end(), p) == known.end())
          v.error(node, fmt::format("unknown precision '{}' (known: fp32, fp16, bf16, int8, fp8)", p));
        if (std::find(d->precisions.begin(), d->precisions.end(), p) == d->precisions.end()) {
          std::string list;
          for (auto& x : d->precisions) list += (list.empty() ? "" : ", ") + x;
          v.error(node, fmt::format("backend '{}' does not support precision '{}' (it declares: {})", d->name, p, list));
        }
        b.precisions.push_back(p);
      }
    } else {
      b.precisions = {"fp32"};
    }
    auto devices_node = t ? (t->contains("devices") ? t->get("devices") : t->get("device")) : nullptr;
    if (devices_node) {
      for (auto& [dev, node] : v.get_strings(*devices_node, "devices")) {
        std::string kind = backends::device_kind(dev);
        if (kind.empty()) v.error(node, fmt::format("device '{}' is not 'cpu' or 'cuda:N'", dev));
        if (std::find(d->device_kinds.begin(), d->device_kinds.end(), kind) == d->device_kinds.end())
          v.error(node, fmt::format("backend '{}' does not run on {} devices", d->name, kind));
        b.devices.push_back(dev);
      }
    } else {
      b.devices = {d->default_device};
    }
    const toml::node* opt = t ? t->get("options") : nullptr;
    std::vector<const toml::node*> option_nodes;
    if (!opt) {
      b.options.push_back(json::object());
    } else if (opt->is_table()) {
      option_nodes.push_back(opt);
    } else if (opt->is_array()) {
      for (const auto& x : *opt->as_array()) {
        if (!x.is_table()) v.error(&x, "'options' must be a table or an array of tables");
        option_nodes.push_back(&x);
      }
      if (option_nodes.empty()) v.error(opt, "'options' must not be an empty array");
    } else {
      v.error(opt, "'options' must be a table or an array of tables");
    }
    bool any_key = std::find(d->option_keys.begin(), d->option_keys.end(), "*") != d->option_keys.end();
    for (const auto* on : option_nodes) {
      for (const auto& [k, node] : *on->as_table()) {
        if (any_key) continue;
        if (std::find(d->option_keys.begin(), d->option_keys.end(), std::string(k.str())) == d->option_keys.end()) {
          std::string list;
          for (auto& x : d->option_keys) list += (list.empty() ? "" : ", ") + x;
          v.error(&node, fmt::format("unknown option '{}' for backend '{}' (known: {})", k.str(), d->name,
                                     list.empty() ? "none" : list));
        }
      }
      b.options.push_back(v.to_json(*on));
    }
    s.backends.push_back(std::move(b));
  }
  if (s.backends.empty()) v.error(backends, "'backends' is empty");

  if (auto* n = root.get("report")) {
    if (!n->is_table()) v.error(n, "'report' must be a table");
    v.check_keys(*n->as_table(), "[report]",
                 {"baseline_backend", "exclude_outliers", "price_per_hour_usd", "claims"});
    const auto& t = *n->as_table();
    s.report = json{{"baseline_backend", nullptr}, {"exclude_outliers", false}, {"price_per_hour_usd", nullptr}};
    if (auto* x = t.get("baseline_backend")) {
      auto name = v.get_string(*x, "baseline_backend");
      const auto* d = backends::find_backend(name);
      if (!d) v.error(x, fmt::format("unknown baseline backend '{}' (known: {})", name, backends::known_backend_names()));
      s.report["baseline_backend"] = d->name;
    }
    if (auto* x = t.get("exclude_outliers")) s.report["exclude_outliers"] = v.get_bool(*x, "exclude_outliers");
    if (auto* x = t.get("price_per_hour_usd")) {
      double p = v.get_number(*x, "price_per_hour_usd");
      if (p < 0) v.error(x, "price_per_hour_usd must be >= 0");
      s.report["price_per_hour_usd"] = p;
    }
    // A claims file for the report's "claims vs measurement" section, kept as written (resolved
    // by the report relative to the study file); only present when given, so other manifests'
    // options stay as they were.
    if (auto* x = t.get("claims")) {
      auto c = v.get_string(*x, "claims");
      if (c.empty()) v.error(x, "claims must name a file (relative to the study file or absolute)");
      s.report["claims"] = c;
    }
  } else {
    s.report = json{{"baseline_backend", nullptr}, {"exclude_outliers", false}, {"price_per_hour_usd", nullptr}};
  }
  if (s.report["baseline_backend"].is_null()) s.report["baseline_backend"] = s.backends.front().name;
  if (auto* n = root.get("accuracy")) {
    if (!n->is_table()) v.error(n, "'accuracy' must be a table");
    s.accuracy = v.to_json(*n);
  }
  return s;
}

}  // namespace sb::bench
