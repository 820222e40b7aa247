#include "bench/study_accuracy.h"

#include <fmt/format.h>

#include "util/error.h"

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> k = {
      "corpus", "corpus_max_bytes", "tokenizer", "max_length", "stride", "max_batch", "threads", "reference",
      "backends", "greedy", "greedy_prompts", "greedy_prompt_tokens", "greedy_new_tokens", "gates"};
  return k;
}

void check_keys(const json& a) {
  for (const auto& [k, v] : a.items())
    if (std::find(known_keys().begin(), known_keys().end(), k) == known_keys().end()) {
      std::string list;
      for (const auto& x : known_keys()) list += (list.empty() ? "" : ", ") + x;
      fail("study [accuracy]: unknown key '{}' (known: {})", k, list);
    }
  if (!a.contains("corpus") || !a["corpus"].is_string() || a["corpus"].get<std::string>().empty())
    fail("study [accuracy]: 'corpus' (a text file or folder) is required, found {}",
         a.contains("corpus") ? a["corpus"].dump() : "nothing");
}

#if defined(SB_HAVE_ACCURACY)
int int_key(const json& a, const char* key, int fallback, int min_value) {
  auto it = a.find(key);
  if (it == a.end()) return fallback;
  if (!it->is_number_integer()) fail("study [accuracy]: '{}' must be an integer, found {}", key, it->dump());
  auto v = it->get<std::int64_t>();
  if (v < min_value) fail("study [accuracy]: '{}' must be at least {}, found {}", key, min_value, v);
  return static_cast<int>(v);
}

std::string string_key(const json& a, const char* key, const std::string& fallback) {
  auto it = a.find(key);
  if (it == a.end()) return fallback;
  if (!it->is_string()) fail("study [accuracy]: '{}' must be a string, found {}", key, it->dump());
  return it->get<std::string>();
}

fs::path study_relative(const Study& s, const std::string& p) {
  fs::path path(p);
  if (path.is_absolute() || s.path.empty()) return path;
  return fs::absolute(s.path).parent_path() / path;
}
#endif

}  // namespace

bool study_wants_accuracy(const Study& study) {
  if (!study.accuracy.is_object() || study.accuracy.empty()) return false;
  check_keys(study.accuracy);
#if !defined(SB_HAVE_ACCURACY)
  fail("study [accuracy]: this scalebench was built without the accuracy module (sb_accuracy)");
#else
  (void)accuracy_configs(study);  // full validation
#endif
  return true;
}

#if defined(SB_HAVE_ACCURACY)
std::vector<accuracy::AccuracyConfig> accuracy_configs(const Study& study) {
  const json& a = study.accuracy;
  std::vector<accuracy::AccuracyConfig> out;
  if (!a.is_object() || a.empty()) return out;
  check_keys(a);
  accuracy::AccuracyConfig base;
  base.weights_seed = study.weights_seed;
  base.corpus = study_relative(study, a["corpus"].get<std::string>());
  if (auto it = a.find("corpus_max_bytes"); it != a.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
      fail("study [accuracy]: 'corpus_max_bytes' must be a non-negative integer, found {}", it->dump());
    base.corpus_options.max_bytes = it->get<std::uint64_t>();
  }
  if (a.contains("tokenizer")) base.tokenizer_dir = study_relative(study, string_key(a, "tokenizer", ""));
  if (a.contains("max_length")) base.max_length = int_key(a, "max_length", 0, 2);
  if (a.contains("stride")) base.stride = int_key(a, "stride", 0, 1);
  if (base.max_length && base.stride && *base.stride > *base.max_length)
    fail("study [accuracy]: stride {} exceeds max_length {}", *base.stride, *base.max_length);
  base.max_batch = int_key(a, "max_batch", base.max_batch, 1);
  base.threads = int_key(a, "threads", base.threads, 0);
  if (auto it = a.find("greedy"); it != a.end()) {
    if (!it->is_boolean()) fail("study [accuracy]: 'greedy' must be true or false, found {}", it->dump());
    base.run_greedy = it->get<bool>();
  }
  base.greedy.prompts = int_key(a, "greedy_prompts", base.greedy.prompts, 1);
  base.greedy.prompt_tokens = int_key(a, "greedy_prompt_tokens", base.greedy.prompt_tokens, 1);
  base.greedy.new_tokens = int_key(a, "greedy_new_tokens", base.greedy.new_tokens, 1);
  try {
    base.reference = accuracy::parse_backend_spec(string_key(a, "reference", "native-cpu:fp32"));
  } catch (const std::exception& e) {
    fail("study [accuracy]: 'reference': {}", e.what());
  }
  // A reference that is one of the study's backends (e.g. transformers-eager, as the original
  // study had it) runs with that entry's options and device, like the candidates below.
  for (const auto& e : study.backends)
    if (e.name == base.reference.backend) {
      if (!e.options.empty()) base.reference.options = e.options.front();
      if (!e.devices.empty()) base.reference.device = e.devices.front();
      break;
    }
  if (auto it = a.find("gates"); it != a.end()) {
    if (!it->is_object()) fail("study [accuracy]: 'gates' must be a table precision = [ppl, kl], found {}", it->dump());
    for (const auto& [prec, g] : it->items()) {
      if (!g.is_array() || g.size() != 2 || !g[0].is_number() || !g[1].is_number() || g[0].get<double>() < 0 ||
          g[1].get<double>() < 0)
        fail("study [accuracy]: gates.{} must be [max_abs_ppl_rel_delta, max_kl_mean] (non-negative numbers), "
             "found {}",
             prec, g.dump());
      base.gates.set(prec, accuracy::Gate{g[0].get<double>(), g[1].get<double>()});
    }
  }
  if (auto it = a.find("backends"); it != a.end()) {
    if (!it->is_array() || it->empty())
      fail("study [accuracy]: 'backends' must be a non-empty array of \"backend:precision\", found {}", it->dump());
    for (const auto& b : *it) {
      if (!b.is_string()) fail("study [accuracy]: 'backends' holds strings only, found {}", b.dump());
      accuracy::BackendSpec spec;
      try {
        spec = accuracy::parse_backend_spec(b.get<std::string>());
      } catch (const std::exception& e) {
        fail("study [accuracy]: 'backends': {}", e.what());
      }
      // Options and device come from the study's own entry for that backend, when it has one.
      for (const auto& e : study.backends)
        if (e.name == spec.backend) {
          if (!e.options.empty()) spec.options = e.options.front();
          if (!e.devices.empty()) spec.device = e.devices.front();
          break;
        }
      base.candidates.push_back(spec);
    }
  } else {
    for (const auto& e : study.backends)
      for (const auto& p : e.precisions) {
        accuracy::BackendSpec spec;
        spec.backend = e.name;
        spec.precision = p;
        if (!e.options.empty()) spec.options = e.options.front();
        if (!e.devices.empty()) spec.device = e.devices.front();
        base.candidates.push_back(spec);
      }
  }
  for (const auto& m : study.models) {
    auto c = base;
    c.model = m.spec;
    c.model_id = m.id;
    out.push_back(std::move(c));
  }
  return out;
}
#endif

int run_study_accuracy(const Study& study, const fs::path& out_dir, std::ostream& log) {
  if (!study_wants_accuracy(study)) return 0;
  int rows_written = 0;
#if defined(SB_HAVE_ACCURACY)
  for (auto cfg : accuracy_configs(study)) {
    cfg.artifacts_dir = fs::absolute(out_dir / "artifacts");
    log << fmt::format("accuracy: model {} on {} vs {} ({} candidate(s))\n", cfg.model_id, cfg.corpus.string(),
                       cfg.reference.label(), cfg.candidates.size());
    try {
      accuracy::RunHooks hooks;
      hooks.log = [&log](const std::string& s) { log << "accuracy: " << s << "\n"; };
      auto rows = accuracy::run_accuracy(cfg, hooks);
      accuracy::append_accuracy_rows(out_dir / "accuracy.jsonl", rows);
      rows_written += static_cast<int>(rows.size());
      log << accuracy::format_accuracy_table(rows);
    } catch (const std::exception& e) {
      // Speed results are on disk already; the accuracy run of this model is lost, say why.
      log << fmt::format("accuracy: model {}: {}\n", cfg.model_id, e.what());
    }
  }
#endif
  return rows_written;
}

}  // namespace sb::bench
