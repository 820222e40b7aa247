#include "bench/merge.h"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "bench/record.h"
#include "bench/runner.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;

MergeSummary merge_runs(const std::vector<fs::path>& inputs, const fs::path& out) {
  if (inputs.empty()) throw UsageError("merge: no input folders");
  if (fs::exists(out / "manifest.json") || fs::exists(out / "records.jsonl"))
    fail("{}: already holds a run; merge into a new folder", out.string());
  std::vector<json> manifests;
  for (const auto& d : inputs) {
    if (fs::absolute(d).lexically_normal() == fs::absolute(out).lexically_normal())
      throw UsageError("merge: --out must differ from the inputs");
    json m = json::parse(read_file(d / "manifest.json"), nullptr, false);
    if (m.is_discarded()) fail("{}: not valid JSON", (d / "manifest.json").string());
    manifests.push_back(m);
  }
  // Same study and binary, or nothing.
  std::vector<std::string> problems;
  const json& first = manifests.front();
  for (std::size_t i = 1; i < manifests.size(); ++i) {
    const json& m = manifests[i];
    if (m["study"].value("sha256", "") != first["study"].value("sha256", ""))
      problems.push_back(fmt::format("{} ran a different study ({} vs {})", inputs[i].string(),
                                     m["study"].value("sha256", "?").substr(0, 12),
                                     first["study"].value("sha256", "?").substr(0, 12)));
    if (m["scalebench"].value("binary_sha256", "") != first["scalebench"].value("binary_sha256", ""))
      problems.push_back(fmt::format("{} was run by a different scalebench binary ({} vs {})", inputs[i].string(),
                                     m["scalebench"].value("git_sha", "?"), first["scalebench"].value("git_sha", "?")));
  }
  if (!problems.empty()) {
    std::string all;
    for (auto& p : problems) all += "\n  - " + p;
    fail("merge refused:{}", all);
  }
  MergeSummary s;
  s.inputs = static_cast<int>(inputs.size());
  s.study_cells = first["plan"].value("study_cells", 0);
  int shard_count = first["plan"].value("shard", json::object()).value("count", 1);
  std::set<int> shards_seen;
  std::set<std::string> hosts, gpus;
  json sources = json::array();
  json plan_cells = json::array();
  std::set<std::string> planned_ids;
  std::map<std::string, std::size_t> finished_in;   // cell id -> first input that finished it
  std::string merged_records;
  json models = json::object(), artifacts = json::object(), command_lines = json::array();
  std::string started, finished;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const json& m = manifests[i];
    auto shard = m["plan"].value("shard", json::object());
    if (shard.value("count", 1) != shard_count)
      fail("merge refused: {} was split into {} shards, {} into {}", inputs[i].string(), shard.value("count", 1),
           inputs[0].string(), shard_count);
    shards_seen.insert(shard.value("index", 0));
    std::string host = m["host"].value("hostname", "?") + " / " + m["host"].value("cpu_model", "?");
    hosts.insert(host);
    std::string gpu_list;
    for (const auto& g : m.value("gpus", json::array())) gpu_list += g.value("name", "?") + " " + g.value("uuid", "") + ";";
    gpus.insert(gpu_list);
    sources.push_back(json{{"dir", fs::absolute(inputs[i]).string()}, {"run_id", m.value("run_id", "")},
                           {"shard", shard}, {"host", m["host"]}, {"gpus", m.value("gpus", json::array())},
                           {"ceilings", m.value("ceilings", json::object())}});
    std::vector<std::pair<std::string, int>> planned;
    for (const auto& c : m["plan"]["cells"]) {
      std::string id = c.value("cell_id", "");
      planned.emplace_back(id, c.value("repetitions", 0));
      if (planned_ids.insert(id).second) plan_cells.push_back(c);
    }
    auto idx = index_records(inputs[i] / "records.jsonl", planned);
    std::set<std::string> take;
    for (const auto& id : idx.finished_cells) {
      if (finished_in.count(id)) {
        s.duplicate_cells.push_back(id);
        continue;
      }
      finished_in[id] = i;
      take.insert(id);
    }
    if (fs::exists(inputs[i] / "records.jsonl")) {
      auto file = read_records((inputs[i] / "records.jsonl").string());
      for (const auto& r : file.records)
        if (r.kind == Record::Kind::kWorkerStart || take.count(r.cell.id()))
          merged_records += r.to_json().dump() + "\n";
    }
    // Bind to locals: a range-for over items() of a temporary would dangle.
    const json m_models = m.value("models", json::object());
    const json m_artifacts = m.value("artifacts", json::object());
    const json m_commands = m.value("command_lines", json::array());
    for (const auto& [k, v] : m_models.items())
      if (!models.contains(k) || !models[k].is_object() || models[k].value("params", json()).is_null()) models[k] = v;
    for (const auto& [k, v] : m_artifacts.items()) artifacts[k] = v;
    for (const auto& c : m_commands) command_lines.push_back(c);
    std::string st = m.value("started_utc", "");
    std::string fi = m["finished_utc"].is_string() ? m["finished_utc"].get<std::string>() : "";
    if (started.empty() || (!st.empty() && st < started)) started = st;
    if (fi > finished) finished = fi;
  }
  for (const auto& c : plan_cells) {
    std::string id = c.value("cell_id", "");
    if (!finished_in.count(id)) s.missing_cells.push_back(id);
  }
  for (int i = 0; i < shard_count; ++i)
    if (!shards_seen.count(i)) s.missing_shards.push_back(i);
  s.cells = static_cast<int>(plan_cells.size());
  s.mixed_hosts = hosts.size() > 1;
  s.mixed_gpus = gpus.size() > 1;

  json merged = first;
  merged["run_id"] = first.value("run_id", "") + "+merged";
  merged["plan"]["cells"] = plan_cells;
  merged["plan"]["shard"] = json{{"index", 0}, {"count", 1}};
  {  // The merged plan's group count is that of the merged cells (not the first shard's), so the
     // report's run-count check holds for merged folders.
    std::set<std::string> group_ids;
    for (const auto& c : plan_cells) group_ids.insert(cell_key_from_json(c.at("cell"), "merge").group_id());
    merged["plan"]["groups"] = static_cast<int>(group_ids.size());
  }
  merged["models"] = models;
  merged["artifacts"] = artifacts;
  merged["command_lines"] = command_lines;
  merged["started_utc"] = started;
  merged["finished_utc"] = finished.empty() ? json() : json(finished);
  merged["merge"] = json{{"sources", sources},
                         {"mixed_hosts", s.mixed_hosts},
                         {"mixed_gpus", s.mixed_gpus},
                         {"missing_cells", s.missing_cells},
                         {"missing_shards", s.missing_shards},
                         {"duplicate_cells", s.duplicate_cells},
                         {"utc", utc_now_iso8601()}};
  fs::create_directories(out);
  write_file_atomic(out / "records.jsonl", merged_records);
  write_file_atomic(out / "manifest.json", merged.dump(2) + "\n");
  return s;
}

}  // namespace sb::bench
