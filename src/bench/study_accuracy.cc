#include "bench/study_accuracy.h"

#include <fstream>

#include <fmt/format.h>

#include "backends/subprocess.h"
#include "util/files.h"

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

#if defined(SB_HAVE_ACCURACY)
namespace {

std::size_t count_lines(const fs::path& p) {
  std::ifstream in(p);
  std::size_t n = 0;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) ++n;
  return n;
}

// Runs `scalebench study-accuracy ...` and waits; stdout/stderr are the parent's (the run log).
backends::Subprocess::ExitInfo run_child(const std::string& self, const Study& study, const fs::path& out_dir,
                                         const fs::path& rows, int model_index, std::optional<int> candidate,
                                         bool reference_row) {
  backends::Subprocess::Options o;
  o.argv = {self, "study-accuracy", fs::absolute(study.path).string(), "--out", out_dir.string(), "--rows",
            rows.string(), "--model-index", std::to_string(model_index)};
  if (candidate) {
    o.argv.push_back("--candidate");
    o.argv.push_back(std::to_string(*candidate));
    if (reference_row) o.argv.push_back("--reference-row");
  }
  backends::Subprocess child(o);
  child.close_stdin();
  return child.wait();
}

// Keeps the first `n` rows of `path` (what earlier models wrote), atomically.
void keep_first_rows(const fs::path& path, std::size_t n) {
  std::ifstream in(path);
  std::string kept, line;
  for (std::size_t seen = 0; seen < n && std::getline(in, line);)
    if (!line.empty()) {
      kept += line + "\n";
      ++seen;
    }
  in.close();
  write_file_atomic(path, kept);
}

accuracy::AccuracyRow crashed_row(const accuracy::AccuracyConfig& cfg, const accuracy::BackendSpec& c,
                                  const std::string& how) {
  accuracy::AccuracyRow r;
  r.model = cfg.model_id;
  r.backend = c.backend;
  r.precision = c.precision;
  r.device = c.device;
  r.options = c.options;
  r.status = "failed";
  r.error = "the accuracy process evaluating this candidate ended with " + how +
            " before writing its row (the run log has its last words); the other candidates ran in "
            "their own processes";
  r.reference_backend = cfg.reference.backend;
  r.reference_precision = cfg.reference.precision;
  r.verdict = "not_checked";
  r.verdict_reason = "no numbers: " + r.error;
  return r;
}

}  // namespace
#endif

int run_study_accuracy_part(const Study& study, const fs::path& out_dir, const fs::path& rows_path,
                            int model_index, std::optional<int> candidate, bool reference_row,
                            std::ostream& log) {
#if defined(SB_HAVE_ACCURACY)
  auto configs = accuracy_configs(study);
  if (model_index < 0 || model_index >= static_cast<int>(configs.size()))
    fail("study-accuracy: model index {} out of range (the study has {} model(s))", model_index, configs.size());
  auto cfg = configs[static_cast<std::size_t>(model_index)];
  cfg.artifacts_dir = fs::absolute(out_dir / "artifacts");
  if (candidate) {
    if (*candidate < 0 || *candidate >= static_cast<int>(cfg.candidates.size()))
      fail("study-accuracy: candidate {} out of range (model {} has {} candidate(s))", *candidate, cfg.model_id,
           cfg.candidates.size());
    cfg.candidates = {cfg.candidates[static_cast<std::size_t>(*candidate)]};
  }
  log << fmt::format("accuracy: model {} on {} vs {} ({} candidate(s){})\n", cfg.model_id, cfg.corpus.string(),
                     cfg.reference.label(), cfg.candidates.size(),
                     candidate ? fmt::format(", candidate {} alone", *candidate) : "");
  accuracy::RunHooks hooks;
  hooks.log = [&log](const std::string& s) { log << "accuracy: " << s << "\n" << std::flush; };
  auto rows = accuracy::run_accuracy(cfg, hooks);
  if (candidate && !reference_row)
    std::erase_if(rows, [](const accuracy::AccuracyRow& r) { return r.role == "reference"; });
  accuracy::append_accuracy_rows(rows_path, rows);
  log << accuracy::format_accuracy_table(rows) << std::flush;
  return static_cast<int>(rows.size());
#else
  (void)study, (void)out_dir, (void)rows_path, (void)model_index, (void)candidate, (void)reference_row, (void)log;
  fail("study-accuracy: this scalebench was built without the accuracy module (sb_accuracy)");
#endif
}

int run_study_accuracy(const Study& study, const fs::path& out_dir, std::ostream& log,
                       const std::string& self_executable) {
  if (!study_wants_accuracy(study)) return 0;
  int rows_written = 0;
#if defined(SB_HAVE_ACCURACY)
  const fs::path final_rows = out_dir / "accuracy.jsonl";
  const fs::path rows = out_dir / "accuracy.jsonl.partial";
  fs::remove(rows);  // a pass interrupted earlier: redone whole
  const auto configs = accuracy_configs(study);
  for (int i = 0; i < static_cast<int>(configs.size()); ++i) {
    const auto& cfg = configs[static_cast<std::size_t>(i)];
    if (self_executable.empty() || study.path.empty()) {
      try {
        rows_written += run_study_accuracy_part(study, out_dir, rows, i, std::nullopt, true, log);
      } catch (const std::exception& e) {
        // Speed results are on disk already; the accuracy run of this model is lost, say why.
        log << fmt::format("accuracy: model {}: {}\n", cfg.model_id, e.what());
      }
      continue;
    }
    log << std::flush;
    const std::size_t before = count_lines(rows);
    auto how = run_child(self_executable, study, out_dir, rows, i, std::nullopt, true);
    if (how.exited && how.code == 0) {
      rows_written += static_cast<int>(count_lines(rows) - before);
      continue;
    }
    // Died of a signal, or stopped (an error it logged; a sanitizer's report of a crash also ends
    // in an exit code): drop what it wrote for this model and isolate each candidate.
    log << fmt::format("accuracy: model {}: the accuracy process ended with {}; rerunning each of its {} "
                       "candidate(s) in its own process\n",
                       cfg.model_id, how.describe(), cfg.candidates.size());
    keep_first_rows(rows, before);
    bool reference_written = false;
    for (int j = 0; j < static_cast<int>(cfg.candidates.size()); ++j) {
      const std::size_t n0 = count_lines(rows);
      auto cj = run_child(self_executable, study, out_dir, rows, i, j, !reference_written);
      if (cj.exited && cj.code == 0) {
        if (count_lines(rows) > n0) reference_written = true;
      } else {
        const auto& c = cfg.candidates[static_cast<std::size_t>(j)];
        log << fmt::format("accuracy: model {} candidate {}: its process ended with {}; recorded as failed\n",
                           cfg.model_id, c.label(), cj.describe());
        accuracy::append_accuracy_rows(rows, {crashed_row(cfg, c, cj.describe())});
      }
    }
    rows_written += static_cast<int>(count_lines(rows) - before);
  }
  if (fs::exists(rows)) fs::rename(rows, final_rows);
#else
  (void)out_dir, (void)log, (void)self_executable;
#endif
  return rows_written;
}

}  // namespace sb::bench
