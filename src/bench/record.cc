#include "bench/record.h"

#include <fstream>

#include "util/error.h"

namespace sb::bench {
using nlohmann::json;

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kFailed: return "failed";
    case Status::kTimeout: return "timeout";
    case Status::kOom: return "oom";
    case Status::kCrash: return "crash";
    case Status::kUnsupported: return "unsupported";
  }
  return "unknown";
}

Status parse_status(const std::string& s) {
  for (Status st : {Status::kOk, Status::kFailed, Status::kTimeout, Status::kOom, Status::kCrash,
                    Status::kUnsupported})
    if (s == status_name(st)) return st;
  fail("unknown status '{}' (expected ok, failed, timeout, oom, crash or unsupported)", s);
}

std::string CellKey::group_id() const {
  return model + "|" + backend + "|" + precision + "|" + options.dump() + "|" + device;
}

std::string CellKey::id() const {
  return group_id() + "|" + scenario + "|" + std::to_string(batch) + "x" +
         std::to_string(prompt_len) + "|" + std::to_string(new_tokens) + "|" + phase;
}

json cell_key_to_json(const CellKey& k) {
  return json{{"model", k.model},       {"backend", k.backend}, {"precision", k.precision},
              {"options", k.options},   {"device", k.device},   {"scenario", k.scenario},
              {"batch", k.batch},       {"prompt_len", k.prompt_len},
              {"new_tokens", k.new_tokens}, {"phase", k.phase}};
}

namespace {
template <typename T>
T get_field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end()) fail("{}: missing field '{}'", where, name);
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    fail("{}: field '{}' has the wrong type ({})", where, name, it->type_name());
  }
}
template <typename T>
std::optional<T> opt_field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    fail("{}: field '{}' has the wrong type ({})", where, name, it->type_name());
  }
}
const char* kind_name(Record::Kind k) {
  switch (k) {
    case Record::Kind::kSample: return "sample";
    case Record::Kind::kFailure: return "failure";
    case Record::Kind::kWorkerStart: return "worker_start";
  }
  return "sample";
}
}  // namespace

CellKey cell_key_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) fail("{}: 'cell' must be an object", where);
  CellKey k;
  k.model = get_field<std::string>(j, "model", where);
  k.backend = get_field<std::string>(j, "backend", where);
  k.precision = get_field<std::string>(j, "precision", where);
  k.options = j.contains("options") ? j.at("options") : json::object();
  k.device = get_field<std::string>(j, "device", where);
  k.scenario = j.value("scenario", std::string());
  k.batch = j.value("batch", 0);
  k.prompt_len = j.value("prompt_len", 0);
  k.new_tokens = j.value("new_tokens", 0);
  k.phase = j.value("phase", std::string());
  return k;
}

json Record::to_json() const {
  json j{{"schema", kRecordSchema}, {"kind", kind_name(kind)}, {"cell", cell_key_to_json(cell)},
         {"status", status_name(status)}, {"utc", utc}, {"run_id", run_id}};
  if (kind != Kind::kWorkerStart) j["cell_id"] = cell.id();
  j["group_id"] = cell.group_id();
  if (kind == Kind::kSample) {
    j["sample"] = sample_index;
    j["warmup"] = warmup;
    if (prefill_ms) j["prefill_ms"] = *prefill_ms;
    if (!decode_step_ms.empty()) j["decode_step_ms"] = decode_step_ms;
    j["logits_mode"] = logits_mode;
    j["throttled"] = throttled;
  }
  if (kind == Kind::kFailure) {
    j["error"] = error;
    j["observed"] = json{{"samples_done", observed.samples_done},
                         {"samples_planned", observed.samples_planned},
                         {"tokens_produced", observed.tokens_produced},
                         {"elapsed_ms", observed.elapsed_ms}};
  }
  if (load_ms) j["load_ms"] = *load_ms;
  if (build_ms) j["build_ms"] = *build_ms;
  if (peak_rss_bytes) j["peak_rss_bytes"] = *peak_rss_bytes;
  if (peak_device_bytes) j["peak_device_bytes"] = *peak_device_bytes;
  if (!env.empty()) j["env"] = env;
  if (!worker.empty()) j["worker"] = worker;
  if (!cell_info.empty()) j["cell_info"] = cell_info;
  return j;
}

Record Record::from_json(const json& j, const std::string& where) {
  if (!j.is_object()) fail("{}: a record must be a JSON object", where);
  auto schema = get_field<std::string>(j, "schema", where);
  if (schema != kRecordSchema)
    fail("{}: schema '{}' is not supported (expected '{}')", where, schema, kRecordSchema);
  Record r;
  auto kind = get_field<std::string>(j, "kind", where);
  if (kind == "sample") r.kind = Kind::kSample;
  else if (kind == "failure") r.kind = Kind::kFailure;
  else if (kind == "worker_start") r.kind = Kind::kWorkerStart;
  else fail("{}: unknown record kind '{}' (expected sample, failure or worker_start)", where, kind);
  if (!j.contains("cell")) fail("{}: missing field 'cell'", where);
  r.cell = cell_key_from_json(j.at("cell"), where);
  r.status = parse_status(get_field<std::string>(j, "status", where));
  r.utc = j.value("utc", std::string());
  r.run_id = j.value("run_id", std::string());
  if (r.kind == Kind::kSample) {
    r.sample_index = get_field<int>(j, "sample", where);
    r.warmup = j.value("warmup", false);
    r.prefill_ms = opt_field<double>(j, "prefill_ms", where);
    r.decode_step_ms = j.value("decode_step_ms", std::vector<double>{});
    r.logits_mode = j.value("logits_mode", std::string("last"));
    r.throttled = j.value("throttled", false);
    if (r.status != Status::kOk)
      fail("{}: a sample record must have status ok (failures are 'failure' records)", where);
  }
  if (r.kind == Kind::kFailure) {
    r.error = j.value("error", std::string());
    if (r.status == Status::kOk) fail("{}: a failure record cannot have status ok", where);
    if (j.contains("observed")) {
      const auto& o = j.at("observed");
      r.observed.samples_done = o.value("samples_done", 0);
      r.observed.samples_planned = o.value("samples_planned", 0);
      r.observed.tokens_produced = o.value("tokens_produced", std::int64_t{0});
      r.observed.elapsed_ms = o.value("elapsed_ms", 0.0);
    }
  }
  r.load_ms = opt_field<double>(j, "load_ms", where);
  r.build_ms = opt_field<double>(j, "build_ms", where);
  r.peak_rss_bytes = opt_field<std::int64_t>(j, "peak_rss_bytes", where);
  r.peak_device_bytes = opt_field<std::int64_t>(j, "peak_device_bytes", where);
  if (j.contains("env")) r.env = j.at("env");
  if (j.contains("worker")) r.worker = j.at("worker");
  if (j.contains("cell_info")) r.cell_info = j.at("cell_info");
  return r;
}

RecordFile read_records(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open records file", path);
  RecordFile out;
  std::string line;
  int lineno = 0;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  // A line without its newline at EOF may be a write cut off by kill -9.
  bool last_complete = true;
  {
    std::ifstream tail(path, std::ios::binary | std::ios::ate);
    auto size = static_cast<std::streamoff>(tail.tellg());
    if (size > 0) {
      tail.seekg(size - 1);
      char c = 0;
      tail.get(c);
      last_complete = (c == '\n');
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    lineno = static_cast<int>(i) + 1;
    const std::string& l = lines[i];
    if (l.empty()) continue;
    std::string where = path + ":" + std::to_string(lineno);
    json j = json::parse(l, nullptr, false);
    if (j.is_discarded()) {
      if (i + 1 == lines.size() && !last_complete) {
        out.truncated_tail_lines++;
        continue;
      }
      fail("{}: not valid JSON", where);
    }
    out.records.push_back(Record::from_json(j, where));
  }
  return out;
}

}  // namespace sb::bench
