#include "report/inputs.h"

#include <fstream>

#include "util/error.h"
#include "util/files.h"

namespace sb::report {
using nlohmann::json;

namespace {
const json& need(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) fail("{}: missing field '{}'", where, key);
  return *it;
}
template <typename T>
T need_as(const json& j, const char* key, const std::string& where) {
  const json& v = need(j, key, where);
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    fail("{}: field '{}' has the wrong type ({})", where, key, v.type_name());
  }
}
template <typename T>
std::optional<T> opt_as(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    fail("{}: field '{}' has the wrong type ({})", where, key, it->type_name());
  }
}
std::string str_or(const json& j, const char* key, const std::string& dflt = "") {
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : dflt;
}
// The identity of a measuring machine: host name, CPU model and every GPU (name + UUID).
Source source_of(const json& host, const json& gpus, const std::string& run_id) {
  Source s;
  s.run_id = run_id;
  std::string hostname = host.is_object() ? str_or(host, "hostname", "?") : "?";
  std::string cpu = host.is_object() ? str_or(host, "cpu_model", "?") : "?";
  std::string gpu_key, gpu_label;
  if (gpus.is_array())
    for (const auto& g : gpus) {
      if (!g.is_object()) continue;
      gpu_key += str_or(g, "name", "?") + " " + str_or(g, "uuid") + ";";
      gpu_label += (gpu_label.empty() ? "" : ", ") + str_or(g, "name", "?");
    }
  s.key = hostname + "|" + cpu + "|" + gpu_key;
  s.label = "host " + hostname + " (CPU " + cpu + "; GPU " + (gpu_label.empty() ? "none" : gpu_label) + ")";
  return s;
}
}  // namespace

bool Manifest::mixed_sources() const {
  for (const auto& s : sources)
    if (s.key != sources.front().key) return true;
  return false;
}
std::string Manifest::source_key_of_run(const std::string& run_id) const {
  if (!merged) return sources.empty() ? std::string() : sources.front().key;
  for (const auto& s : sources)
    if (s.run_id == run_id) return s.key;
  return "";
}
std::string Manifest::source_label_of_run(const std::string& run_id) const {
  if (!merged) return sources.empty() ? std::string() : sources.front().label;
  for (const auto& s : sources)
    if (s.run_id == run_id) return s.label;
  return "";
}

Manifest parse_manifest(const json& j, const std::string& where) {
  if (!j.is_object()) fail("{}: the manifest must be a JSON object", where);
  Manifest m;
  m.raw = j;
  auto schema = need_as<std::string>(j, "schema", where);
  if (schema != "scalebench.manifest/1")
    fail("{}: schema '{}' is not supported (expected 'scalebench.manifest/1')", where, schema);
  m.run_id = need_as<std::string>(j, "run_id", where);
  if (j.contains("study") && j.at("study").is_object()) m.study_name = str_or(j.at("study"), "name");
  m.started_utc = str_or(j, "started_utc");
  m.finished_utc = str_or(j, "finished_utc");

  const json& plan = need(j, "plan", where);
  const json& cells = need(plan, "cells", where + ": plan");
  if (!cells.is_array()) fail("{}: plan.cells must be an array", where);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string w = where + ": plan.cells[" + std::to_string(i) + "]";
    PlannedCell pc;
    pc.key = bench::cell_key_from_json(need(cells[i], "cell", w), w);
    pc.warmup = need_as<int>(cells[i], "warmup", w);
    pc.repetitions = need_as<int>(cells[i], "repetitions", w);
    if (pc.repetitions < 1 || pc.warmup < 0)
      fail("{}: repetitions must be >= 1 and warmup >= 0 (found {} and {})", w, pc.repetitions,
           pc.warmup);
    if (pc.key.phase != "prefill" && pc.key.phase != "decode")
      fail("{}: cell.phase must be 'prefill' or 'decode' (found '{}')", w, pc.key.phase);
    m.plan.push_back(std::move(pc));
  }
  m.plan_groups = need_as<int>(plan, "groups", where + ": plan");
  m.order_seed = plan.value("order_seed", std::uint64_t{0});

  if (j.contains("options") && j.at("options").is_object()) {
    const json& o = j.at("options");
    std::string w = where + ": options";
    m.baseline_backend = opt_as<std::string>(o, "baseline_backend", w).value_or("");
    m.exclude_outliers = opt_as<bool>(o, "exclude_outliers", w).value_or(false);
    m.price_per_hour_usd = opt_as<double>(o, "price_per_hour_usd", w);
    m.claims_file = opt_as<std::string>(o, "claims", w).value_or("");
  }
  // Sources: a merged folder lists where each shard ran; records name their shard by run_id.
  if (j.contains("merge") && j.at("merge").is_object() && j.at("merge").contains("sources")) {
    const json& srcs = j.at("merge").at("sources");
    if (!srcs.is_array()) fail("{}: merge.sources must be an array", where);
    m.merged = true;
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      std::string w = where + ": merge.sources[" + std::to_string(i) + "]";
      if (!srcs[i].is_object()) fail("{}: must be an object", w);
      m.sources.push_back(source_of(srcs[i].value("host", json()), srcs[i].value("gpus", json()),
                                    need_as<std::string>(srcs[i], "run_id", w)));
    }
  } else {
    m.sources.push_back(source_of(j.value("host", json()), j.value("gpus", json()), m.run_id));
  }
  if (j.contains("models")) {
    const json& models = j.at("models");
    if (!models.is_object()) fail("{}: 'models' must be an object keyed by model id", where);
    for (auto it = models.begin(); it != models.end(); ++it) {
      std::string w = where + ": models." + it.key();
      if (!it->is_object()) fail("{}: must be an object", w);
      std::string missing;
      for (const char* f : {"params", "n_layer", "n_head", "n_embd", "n_positions", "vocab_size"})
        if (!it->contains(f) || !it->at(f).is_number_integer())
          missing += std::string(missing.empty() ? "" : ", ") + f;
      if (!missing.empty()) {
        m.models_incomplete[it.key()] = "not recorded: " + missing;
        continue;
      }
      ModelInfo mi;
      mi.id = it.key();
      mi.params = need_as<std::int64_t>(*it, "params", w);
      mi.n_layer = need_as<int>(*it, "n_layer", w);
      mi.n_head = need_as<int>(*it, "n_head", w);
      mi.n_embd = need_as<int>(*it, "n_embd", w);
      mi.n_positions = need_as<int>(*it, "n_positions", w);
      mi.vocab_size = need_as<int>(*it, "vocab_size", w);
      mi.spec = str_or(*it, "spec");
      mi.sha256 = str_or(*it, "sha256");
      mi.bytes_on_disk = opt_as<std::uint64_t>(*it, "bytes_on_disk", w).value_or(0);
      mi.synthetic = opt_as<bool>(*it, "synthetic", w).value_or(false);
      m.models.emplace(mi.id, std::move(mi));
    }
  }
  return m;
}

AccuracyLine parse_accuracy_line(const json& j, const std::string& where) {
  if (!j.is_object()) fail("{}: an accuracy line must be a JSON object", where);
  auto schema = need_as<std::string>(j, "schema", where);
  if (schema != "scalebench.accuracy/1")
    fail("{}: schema '{}' is not supported (expected 'scalebench.accuracy/1')", where, schema);
  AccuracyLine a;
  a.model = need_as<std::string>(j, "model", where);
  a.backend = need_as<std::string>(j, "backend", where);
  a.precision = need_as<std::string>(j, "precision", where);
  a.device = str_or(j, "device");
  a.status = need_as<std::string>(j, "status", where);
  a.error = str_or(j, "error");
  a.verdict = str_or(j, "verdict", "not_checked");
  if (a.verdict != "pass" && a.verdict != "fail" && a.verdict != "not_checked")
    fail("{}: verdict '{}' is not pass, fail or not_checked", where, a.verdict);
  a.verdict_reason = str_or(j, "verdict_reason");
  a.ppl = opt_as<double>(j, "ppl", where);
  a.ppl_rel_delta = opt_as<double>(j, "ppl_rel_delta", where);
  a.kl_mean = opt_as<double>(j, "kl_mean", where);
  a.top1_agreement = opt_as<double>(j, "top1_agreement", where);
  a.model_trained = opt_as<bool>(j, "model_trained", where);
  if (j.contains("reference") && j.at("reference").is_object()) {
    a.reference_backend = str_or(j.at("reference"), "backend");
    a.reference_precision = str_or(j.at("reference"), "precision");
  }
  return a;
}

Inputs read_inputs(const std::filesystem::path& dir) {
  Inputs in;
  auto manifest_path = dir / "manifest.json";
  if (!std::filesystem::exists(manifest_path))
    fail("{}: not found (a report needs the run's manifest)", manifest_path.string());
  json mj = json::parse(read_file(manifest_path), nullptr, false);
  if (mj.is_discarded()) fail("{}: not valid JSON", manifest_path.string());
  in.manifest = parse_manifest(mj, manifest_path.string());

  auto records_path = dir / "records.jsonl";
  if (!std::filesystem::exists(records_path))
    fail("{}: not found (a report needs the run's raw records)", records_path.string());
  auto rf = bench::read_records(records_path.string());
  in.records = std::move(rf.records);
  in.truncated_tail_lines = rf.truncated_tail_lines;

  auto acc_path = dir / "accuracy.jsonl";
  if (std::filesystem::exists(acc_path)) {
    in.accuracy_present = true;
    std::ifstream f(acc_path);
    std::string line;
    int lineno = 0;
    while (std::getline(f, line)) {
      ++lineno;
      if (line.empty()) continue;
      std::string w = acc_path.string() + ":" + std::to_string(lineno);
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) fail("{}: not valid JSON", w);
      in.accuracy.push_back(parse_accuracy_line(j, w));
    }
  }
  return in;
}

}  // namespace sb::report
