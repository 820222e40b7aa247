#include "bench/runner.h"
#include "bench/study_accuracy.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "backends/protocol.h"
#include "backends/registry.h"
#include "backends/subprocess.h"
#include "bench/ceilings.h"
#include "bench/environment.h"
#include "bench/plan.h"
#include "bench/progress.h"
#include "bench/record.h"
#include "bench/study.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/version.h"

#if defined(SB_HAVE_MODEL)
#include "model/model.h"
#endif
#if defined(SB_HAVE_ENGINE_CPU) && __has_include("engine/cpu/ceilings.h")
#include "engine/cpu/ceilings.h"
#define SB_HAVE_CEILINGS 1
#endif

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;
using backends::Subprocess;
using Clock = std::chrono::steady_clock;

std::string utc_now_iso8601() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms));
}

std::string binary_sha256(const std::string& self_executable) {
  try {
    return sha256_file(self_executable);
  } catch (const std::exception&) {
    return "unknown";
  }
}

RecordIndex index_records(const fs::path& records_path,
                          const std::vector<std::pair<std::string, int>>& planned) {
  RecordIndex idx;
  if (!fs::exists(records_path)) return idx;
  auto file = read_records(records_path.string());
  std::map<std::string, std::set<int>> measured;
  std::set<std::string> failed;
  for (const auto& r : file.records) {
    if (r.kind == Record::Kind::kSample && !r.warmup) measured[r.cell.id()].insert(r.sample_index);
    if (r.kind == Record::Kind::kFailure) failed.insert(r.cell.id());
  }
  for (const auto& [id, reps] : planned) {
    if (failed.count(id)) {
      idx.finished_cells.push_back(id);
      idx.failed_cells.push_back(id);
    } else if (static_cast<int>(measured[id].size()) >= reps) {
      idx.finished_cells.push_back(id);
    }
  }
  return idx;
}

namespace {

std::string new_run_id() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  auto salt = sha256_hex(fmt::format("{}-{}-{}", ::getpid(), now.time_since_epoch().count(), buf));
  return std::string(buf) + "-" + salt.substr(0, 8);
}

std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  if (out.size() > 80) out = out.substr(0, 60) + "-" + sha256_hex(s).substr(0, 12);
  return out;
}

// One cell's outcome, before it is written.
struct CellOutcome {
  std::vector<Record> records;    // samples (and a failure, when it failed)
  bool ok = false;
  bool worker_gone = false;       // the worker must be replaced
};

class StudyRunner {
 public:
  StudyRunner(const RunOptions& o, std::ostream& log) : o_(o), log_(log) {}
  RunSummary run();

 private:
  void prepare_folder();
  void write_manifest();
  void append_records(const std::vector<Record>& records);
  void run_group(const PlannedGroup& g);
  bool start_worker(const PlannedGroup& g, const std::deque<int>& remaining, int attempt, std::string* error,
                    Status* status);
  CellOutcome run_cell(const PlannedGroup& g, const PlannedCell& c);
  std::string model_dir_for_external(const PlannedGroup& g);
  void fail_cells(const PlannedGroup& g, std::deque<int>& remaining, Status status, const std::string& error);
  Record base_record(const CellKey& key, Record::Kind kind) const;
  void finish_cell(const PlannedCell& c, Status status);

  const RunOptions& o_;
  std::ostream& log_;
  Study study_;
  Plan plan_;
  fs::path out_;
  fs::path records_path_, manifest_path_;
  json manifest_;
  std::set<std::string> finished_;
  std::unique_ptr<Subprocess> worker_;
  json ready_;
  std::unique_ptr<Progress> progress_;
  RunSummary summary_;
  int worker_counter_ = 0;
};

Record StudyRunner::base_record(const CellKey& key, Record::Kind kind) const {
  Record r;
  r.kind = kind;
  r.cell = key;
  r.run_id = manifest_["run_id"].get<std::string>();
  r.utc = utc_now_iso8601();
  return r;
}

void StudyRunner::write_manifest() { write_file_atomic(manifest_path_, manifest_.dump(2) + "\n"); }

void StudyRunner::append_records(const std::vector<Record>& records) {
  if (records.empty()) return;
  std::string lines;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i) lines.push_back('\n');
    lines += records[i].to_json().dump();
  }
  append_line_durable(records_path_, lines);  // one write + fsync for the whole cell
}

void StudyRunner::prepare_folder() {
  fs::create_directories(out_);
  records_path_ = out_ / "records.jsonl";
  manifest_path_ = out_ / "manifest.json";
  const std::string binary = binary_sha256(o_.self_executable);
  json identity{{"version", kVersion}, {"git_sha", kGitSha}, {"build_type", kBuildType},
                {"compiler", kCompiler}, {"sanitized", kSanitized}, {"binary_sha256", binary}};
  std::vector<std::pair<std::string, int>> planned;
  for (const auto& c : plan_.cells) planned.emplace_back(c.key.id(), c.repetitions);

  if (fs::exists(manifest_path_)) {
    json old = json::parse(read_file(manifest_path_), nullptr, false);
    if (old.is_discarded()) fail("{}: not valid JSON (delete the folder or choose another --out)", manifest_path_.string());
    std::vector<std::string> problems;
    if (old["study"].value("sha256", "") != study_.sha256)
      problems.push_back("the study file changed (sha256 " + old["study"].value("sha256", "?").substr(0, 12) +
                         " -> " + study_.sha256.substr(0, 12) + ")");
    if (old["scalebench"].value("binary_sha256", "") != binary)
      problems.push_back("the scalebench binary changed (" + old["scalebench"].value("git_sha", "?") + " -> " +
                         std::string(kGitSha) + ")");
    json shard{{"index", plan_.shard_index}, {"count", plan_.shard_count}};
    if (old["plan"].value("shard", json()) != shard)
      problems.push_back("the shard differs (" + old["plan"].value("shard", json()).dump() + " -> " + shard.dump() + ")");
    if (!problems.empty()) {
      std::string all;
      for (auto& p : problems) all += "\n  - " + p;
      if (!o_.force)
        fail("{} holds results of a different run:{}\nUse another --out folder, or --force to resume anyway "
             "(the manifest will say so).",
             out_.string(), all);
      log_ << "warning: resuming despite:" << all << "\n";
      old["forced_resumes"].push_back(json{{"utc", utc_now_iso8601()}, {"problems", problems},
                                           {"previous_scalebench", old["scalebench"]}});
    }
    manifest_ = old;
    // Drop records of cells that did not finish (they are rerun whole); keep the rest verbatim.
    if (fs::exists(records_path_)) {
      auto idx = index_records(records_path_, planned);
      finished_.insert(idx.finished_cells.begin(), idx.finished_cells.end());
      auto file = read_records(records_path_.string());
      std::string kept;
      int dropped = 0;
      for (const auto& r : file.records) {
        if (r.kind != Record::Kind::kWorkerStart && !finished_.count(r.cell.id())) {
          ++dropped;
          continue;
        }
        kept += r.to_json().dump() + "\n";
      }
      if (dropped > 0 || file.truncated_tail_lines > 0) {
        write_file_atomic(records_path_, kept);
        log_ << fmt::format("resume: dropped {} record(s) of unfinished cells{}\n", dropped,
                            file.truncated_tail_lines ? " and a truncated last line" : "");
      }
      log_ << fmt::format("resume: {} of {} cells already finished\n", finished_.size(), plan_.cells.size());
    }
  } else {
    if (fs::exists(records_path_) && !o_.force)
      fail("{} exists without a manifest.json: not a scalebench run folder (use another --out, or --force)",
           records_path_.string());
    manifest_ = json{{"schema", "scalebench.manifest/1"},
                     {"run_id", new_run_id()},
                     {"command_lines", json::array()},
                     {"models", json::object()},
                     {"ceilings", json::object()},
                     {"artifacts", json::object()},
                     {"started_utc", utc_now_iso8601()},
                     {"finished_utc", nullptr}};
  }
  manifest_["scalebench"] = identity;
  manifest_["host"] = host_info();
  manifest_["gpus"] = gpu_info();
  manifest_["gpu_monitoring"] = json{{"nvml", nvml_status()}};
  manifest_["study"] = json{{"path", fs::absolute(o_.study_path).string()}, {"sha256", study_.sha256},
                            {"name", study_.name}, {"text", study_.text}};
  manifest_["command_lines"].push_back(o_.command_line);
  manifest_["plan"] = plan_.to_json();
  manifest_["options"] = study_.report;
  manifest_["accuracy"] = study_.accuracy;
  manifest_["seeds"] = json{{"prompts", study_.prompt_seed}, {"order", study_.order_seed},
                            {"weights", study_.weights_seed}, {"study", study_.seed}};
  manifest_["settings"] = json{{"repetitions", study_.repetitions}, {"warmup", study_.warmup},
                               {"new_tokens", study_.new_tokens}, {"load_timeout_s", study_.load_timeout_s},
                               {"cell_timeout_s", study_.cell_timeout_s},
                               {"memory_limit_mb", study_.memory_limit_mb}};
  manifest_["finished_utc"] = nullptr;
  write_manifest();
}

// External workers (the transformers worker) read Hugging Face folders: synthetic models are
// written once per (spec, weights seed) under artifacts/models/ with the same seeded weights
// the native backends generate, so every backend runs the same model.
std::string StudyRunner::model_dir_for_external(const PlannedGroup& g) {
#if defined(SB_HAVE_MODEL)
  if (!model::is_synthetic_spec(g.model_spec)) return g.model_spec;
  std::string key = sha256_hex(g.model_spec + "|" + std::to_string(study_.weights_seed)).substr(0, 12);
  fs::path dir = fs::absolute(out_ / "artifacts" / "models" / (safe_name(g.model_id) + "-" + key));
  if (!fs::exists(dir / ".complete")) {
    progress_->message("writing synthetic model " + g.model_id + " as a Hugging Face folder for " + g.backend);
    auto t0 = Clock::now();
    auto lm = model::load_model(g.model_spec, study_.weights_seed);
    model::write_model_folder(lm.weights, model::DType::F32, dir);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    write_file_atomic(dir / ".complete", json{{"spec", g.model_spec}, {"weights_seed", study_.weights_seed},
                                              {"sha256", lm.inventory.weights_sha256}, {"build_ms", ms}}.dump());
    manifest_["artifacts"]["model:" + g.model_id] = json{{"kind", "hf_folder"}, {"path", dir.string()},
                                                         {"spec", g.model_spec}, {"build_ms", ms},
                                                         {"weights_sha256", lm.inventory.weights_sha256}};
  }
  return dir.string();
#else
  return g.model_spec;
#endif
}

bool StudyRunner::start_worker(const PlannedGroup& g, const std::deque<int>& remaining, int attempt,
                               std::string* error, Status* status) {
  const auto* d = backends::find_backend(g.backend);
  int max_batch = 1, max_seq = 0;
  for (int ci : remaining) {
    const auto& k = plan_.cells[ci].key;
    max_batch = std::max(max_batch, k.batch);
    max_seq = std::max(max_seq, k.prompt_len + (k.phase == "decode" ? k.new_tokens : 0));
  }
  Subprocess::Options so;
  std::string model_dir = g.model_spec;
  try {
    if (d->external) model_dir = model_dir_for_external(g);
    so.argv = backends::worker_command(*d, g.options, o_.self_executable);
  } catch (const std::exception& e) {
    *error = e.what();
    *status = Status::kFailed;
    return false;
  }
  fs::create_directories(out_ / "logs");
  so.stderr_path = (out_ / "logs" / fmt::format("worker-{:04d}-{}.log", ++worker_counter_, safe_name(g.id))).string();
  so.address_space_limit_bytes = study_.memory_limit_mb * 1024ull * 1024ull;
  try {
    worker_ = std::make_unique<Subprocess>(so);
  } catch (const std::exception& e) {
    *error = e.what();
    *status = Status::kFailed;
    return false;
  }
  json load{{"op", "load"},          {"protocol", backends::kWorkerProtocol},
            {"backend", g.backend},  {"model_id", g.model_id},
            {"model_spec", g.model_spec}, {"model_dir", model_dir},
            {"weights_seed", study_.weights_seed},
            {"precision", g.precision}, {"device", g.device},
            {"options", g.options},  {"artifacts_dir", fs::absolute(out_ / "artifacts").string()},
            {"max_batch", max_batch}, {"max_seq", max_seq}};
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(static_cast<long long>(study_.load_timeout_s * 1000));
  try {
    worker_->write_line(load.dump());
  } catch (const std::exception&) {
    // The worker died at once; what it said (if anything) is read below.
  }
  std::string line;
  for (;;) {
    auto st = worker_->read_line(line, deadline);
    if (st == Subprocess::ReadStatus::kTimeout) {
      worker_->kill_group();
      worker_->wait();
      *status = Status::kTimeout;
      *error = fmt::format("worker did not finish loading within {} s (timeouts.load_s)", study_.load_timeout_s);
      worker_.reset();
      return false;
    }
    if (st == Subprocess::ReadStatus::kEof) {
      auto e = worker_->wait();
      *status = (!e.exited && e.signal == SIGKILL && !e.killed_by_us) ? Status::kOom
                : e.exited ? Status::kFailed : Status::kCrash;
      std::string tail = worker_->stderr_tail(600);
      *error = fmt::format("worker ended while loading ({}){}{}", e.describe(), tail.empty() ? "" : ": ", tail);
      worker_.reset();
      return false;
    }
    json m;
    try {
      m = backends::parse_protocol_line(line, "worker");
    } catch (const std::exception& ex) {
      worker_->kill_group();
      worker_->wait();
      *status = Status::kFailed;
      *error = ex.what();
      worker_.reset();
      return false;
    }
    std::string kind = m.value("msg", "");
    if (kind == "log") continue;
    if (kind == "error") {
      *status = parse_status(m.value("status", "failed"));
      if (*status == Status::kOk) *status = Status::kFailed;
      *error = m.value("error", "");
      worker_->kill_group();
      worker_->wait();
      worker_.reset();
      return false;
    }
    if (kind != "ready") {
      worker_->kill_group();
      worker_->wait();
      *status = Status::kFailed;
      *error = "worker protocol: expected 'ready', got '" + kind + "'";
      worker_.reset();
      return false;
    }
    ready_ = m;
    break;
  }
  // worker_start record + manifest models/artifacts.
  Record r = base_record(plan_.cells[remaining.front()].key, Record::Kind::kWorkerStart);
  r.cell.scenario.clear();
  r.cell.phase.clear();
  r.cell.batch = r.cell.prompt_len = r.cell.new_tokens = 0;
  r.load_ms = ready_.value("load_ms", 0.0);
  if (ready_.contains("build_ms") && ready_["build_ms"].is_number()) r.build_ms = ready_["build_ms"].get<double>();
  if (ready_.contains("peak_rss_bytes") && ready_["peak_rss_bytes"].is_number())
    r.peak_rss_bytes = ready_["peak_rss_bytes"].get<std::int64_t>();
  if (ready_.contains("peak_device_bytes") && ready_["peak_device_bytes"].is_number())
    r.peak_device_bytes = ready_["peak_device_bytes"].get<std::int64_t>();
  r.worker = json{{"info", ready_.value("info", json::object())},
                  {"capabilities", ready_.value("capabilities", json::object())},
                  {"artifact", ready_.value("artifact", json())},
                  {"attempt", attempt},
                  {"pid", worker_->pid()}};
  append_records({r});
  // The first worker's inventory of a model is kept; a later worker only fills fields it lacks
  // (an external worker reports less than the native inventory measured from the tensors, and
  // must never replace it).
  if (ready_.contains("model") && ready_["model"].is_object() && !ready_["model"].empty()) {
    json& entry = manifest_["models"][g.model_id];
    if (!entry.is_object()) entry = json::object();
    for (auto it = ready_["model"].begin(); it != ready_["model"].end(); ++it)
      if (!entry.contains(it.key()) || entry[it.key()].is_null()) entry[it.key()] = it.value();
  }
  if (ready_.contains("artifact") && ready_["artifact"].is_object() && !ready_["artifact"].empty())
    manifest_["artifacts"][g.id] = ready_["artifact"];
  write_manifest();
  return true;
}

CellOutcome StudyRunner::run_cell(const PlannedGroup& g, const PlannedCell& c) {
  CellOutcome out;
  const auto& k = c.key;
  int vocab = ready_["config"].value("vocab_size", 0);
  json prompt = json::array();
  auto ids = make_prompt(study_.prompt_seed, k.batch, k.prompt_len, vocab);
  for (int b = 0; b < k.batch; ++b)
    prompt.push_back(std::vector<std::int32_t>(ids.begin() + b * k.prompt_len, ids.begin() + (b + 1) * k.prompt_len));
  json op{{"op", "run"},          {"cell_id", k.id()},        {"scenario", k.scenario},
          {"phase", k.phase},     {"batch", k.batch},         {"prompt_len", k.prompt_len},
          {"new_tokens", k.new_tokens}, {"warmup", c.warmup}, {"repetitions", c.repetitions},
          {"prompt", prompt}};
  json env_before = sample_environment();
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(static_cast<long long>(study_.cell_timeout_s * 1000));
  Observed observed;
  observed.samples_planned = c.repetitions;
  std::optional<Status> fail_status;
  std::string fail_error;
  std::optional<std::int64_t> peak_rss, peak_dev;
  json cell_info = json::object();   // extra cell_done fields (e.g. compile statistics)
  auto elapsed_ms = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  try {
    worker_->write_line(op.dump());
  } catch (const std::exception&) {
    // Dead worker: the read below sees EOF and classifies it.
  }
  std::string line;
  for (;;) {
    auto st = worker_->read_line(line, deadline);
    if (st == Subprocess::ReadStatus::kTimeout) {
      worker_->kill_group();
      worker_->wait();
      fail_status = Status::kTimeout;
      fail_error = fmt::format("cell did not finish within {} s (timeouts.cell_s); worker killed", study_.cell_timeout_s);
      out.worker_gone = true;
      break;
    }
    if (st == Subprocess::ReadStatus::kEof) {
      auto e = worker_->wait();
      out.worker_gone = true;
      fail_status = (!e.exited && e.signal == SIGKILL && !e.killed_by_us) ? Status::kOom
                    : e.exited ? Status::kFailed : Status::kCrash;
      std::string tail = worker_->stderr_tail(600);
      fail_error = fmt::format("worker died during the cell ({}){}{}", e.describe(),
                               *fail_status == Status::kOom ? " — killed without being asked, as the OOM killer does" : "",
                               tail.empty() ? "" : "; stderr: " + tail);
      break;
    }
    json m;
    try {
      m = backends::parse_protocol_line(line, "worker");
      std::string kind = m.value("msg", "");
      if (kind == "log") continue;
      if (kind == "sample") {
        Record r = base_record(k, Record::Kind::kSample);
        r.sample_index = m.at("sample").get<int>();
        r.warmup = m.value("warmup", false);
        r.prefill_ms = m.at("prefill_ms").get<double>();
        if (m.contains("decode_step_ms")) r.decode_step_ms = m["decode_step_ms"].get<std::vector<double>>();
        if (k.phase == "decode" && static_cast<int>(r.decode_step_ms.size()) != k.new_tokens - 1)
          fail("worker sent {} decode step latencies for N = {} (expected N - 1)", r.decode_step_ms.size(),
               k.new_tokens);
        r.logits_mode = m.value("logits_mode", "last");
        observed.tokens_produced += m.value("tokens", std::int64_t{0});
        if (!r.warmup) observed.samples_done++;
        out.records.push_back(std::move(r));
        continue;
      }
      if (kind == "cell_done") {
        for (auto& [key, value] : m.items())
          if (key != "msg" && key != "cell_id" && key != "peak_rss_bytes" && key != "peak_device_bytes")
            cell_info[key] = value;
        if (m.contains("peak_rss_bytes") && m["peak_rss_bytes"].is_number()) peak_rss = m["peak_rss_bytes"].get<std::int64_t>();
        if (m.contains("peak_device_bytes") && m["peak_device_bytes"].is_number())
          peak_dev = m["peak_device_bytes"].get<std::int64_t>();
        if (observed.samples_done != c.repetitions)
          fail("worker finished the cell with {} of {} measured samples", observed.samples_done, c.repetitions);
        break;
      }
      if (kind == "error") {
        fail_status = parse_status(m.value("status", "failed"));
        if (*fail_status == Status::kOk) fail_status = Status::kFailed;
        fail_error = m.value("error", "");
        // After failed/oom the worker exits by protocol; make sure of it.
        if (*fail_status != Status::kUnsupported) {
          worker_->kill_group();
          worker_->wait();
          out.worker_gone = true;
        }
        break;
      }
      fail("unexpected worker message '{}'", kind);
    } catch (const std::exception& ex) {
      worker_->kill_group();
      worker_->wait();
      out.worker_gone = true;
      fail_status = Status::kFailed;
      fail_error = std::string("worker protocol: ") + ex.what();
      break;
    }
  }
  observed.elapsed_ms = elapsed_ms();
  json env_after = sample_environment();
  bool throttled = throttled_between(env_before, env_after);
  json env{{"before", env_before}, {"after", env_after}};
  for (auto& r : out.records) {
    r.env = env;
    r.throttled = throttled;
    r.peak_rss_bytes = peak_rss;
    r.peak_device_bytes = peak_dev;
    r.cell_info = cell_info;
  }
  if (fail_status) {
    Record f = base_record(k, Record::Kind::kFailure);
    f.status = *fail_status;
    f.error = fail_error;
    f.observed = observed;
    f.env = env;
    out.records.push_back(std::move(f));
    out.ok = false;
  } else {
    out.ok = true;
  }
  return out;
}

void StudyRunner::finish_cell(const PlannedCell& c, Status status) {
  const bool ok = status == Status::kOk;
  if (ok) summary_.cells_ok++;
  else summary_.cells_not_ok++;
  finished_.insert(c.key.id());
  progress_->cell_done(c.key, status);
}

void StudyRunner::fail_cells(const PlannedGroup& g, std::deque<int>& remaining, Status status,
                             const std::string& error) {
  while (!remaining.empty()) {
    const auto& c = plan_.cells[remaining.front()];
    remaining.pop_front();
    Record f = base_record(c.key, Record::Kind::kFailure);
    f.status = status;
    f.error = error;
    f.observed.samples_planned = c.repetitions;
    append_records({f});
    finish_cell(c, status);
  }
}

void StudyRunner::run_group(const PlannedGroup& g) {
  std::deque<int> remaining;
  for (int ci : g.cells)
    if (!finished_.count(plan_.cells[ci].key.id())) remaining.push_back(ci);
  if (remaining.empty()) return;
  const auto* d = backends::find_backend(g.backend);
  std::string why;
  if (!d || !d->available(&why)) {
    progress_->message(fmt::format("{}: unsupported here ({}); {} cell(s) recorded as unsupported", g.backend, why,
                                   remaining.size()));
    fail_cells(g, remaining, Status::kUnsupported, g.backend + " is not available on this machine: " + why);
    return;
  }
  int attempt = 0;
  while (!remaining.empty()) {
    std::string error;
    Status status = Status::kFailed;
    progress_->cell_started(plan_.cells[remaining.front()].key, "loading");
    if (!start_worker(g, remaining, ++attempt, &error, &status)) {
      // Loading is per group: what stopped it stops every remaining cell of the group.
      progress_->message(fmt::format("{} {} {} {}: load {}: {}", g.model_id, g.backend, g.precision, g.device,
                                     status_name(status), error));
      fail_cells(g, remaining, status, "worker load " + std::string(status_name(status)) + ": " + error);
      return;
    }
    while (!remaining.empty()) {
      const auto& c = plan_.cells[remaining.front()];
      progress_->cell_started(c.key, "");
      auto outcome = run_cell(g, c);
      append_records(outcome.records);
      remaining.pop_front();
      if (!outcome.ok) {
        const auto& f = outcome.records.back();
        progress_->message(fmt::format("{} {} {} {} {}: {} after {}/{} samples: {}", c.key.model, c.key.backend,
                                       c.key.precision, c.key.scenario, c.key.phase, status_name(f.status),
                                       f.observed.samples_done, f.observed.samples_planned, f.error));
      }
      finish_cell(c, outcome.ok ? Status::kOk : outcome.records.back().status);
      if (outcome.worker_gone) {
        worker_.reset();
        break;  // a fresh worker for the rest of the group
      }
    }
  }
  if (worker_) {
    try {
      worker_->write_line(json{{"op", "shutdown"}}.dump());
      worker_->close_stdin();
    } catch (const std::exception&) {
    }
    if (!worker_->wait_for(std::chrono::seconds(10))) {
      worker_->kill_group();
      worker_->wait();
    }
    worker_.reset();
  }
}

RunSummary StudyRunner::run() {
  ::signal(SIGPIPE, SIG_IGN);
  study_ = load_study(o_.study_path);
  // A bad [accuracy] section fails before any cell runs, not after hours of measurements.
  const bool want_accuracy = study_wants_accuracy(study_);
  Plan full = make_plan(study_);
  plan_ = shard_plan(full, o_.shard_index, o_.shard_count);
  out_ = !o_.out_dir.empty() ? o_.out_dir : !study_.out.empty() ? fs::path(study_.out) : fs::path("results") / study_.name;
  summary_.out_dir = out_;
  summary_.cells_planned = static_cast<int>(plan_.cells.size());
  if (std::string(kBuildType) != "Release" || kSanitized)
    log_ << fmt::format("WARNING: this is a {}{} build: its timings are not representative.\n", kBuildType,
                        kSanitized ? " + sanitizer" : "");
  log_ << fmt::format("study {}: {} cells in {} groups{}, {} measured + {} warmup samples\n", study_.name,
                      plan_.cells.size(), plan_.groups.size(),
                      plan_.shard_count > 1 ? fmt::format(" (shard {}/{} of {} cells)", plan_.shard_index,
                                                          plan_.shard_count, plan_.total_cells_in_study)
                                            : "",
                      plan_.measured_samples(), plan_.warmup_samples());
  prepare_folder();
  summary_.cells_skipped = static_cast<int>(finished_.size());

  if (!o_.skip_ceilings && (!manifest_["ceilings"].is_object() || !manifest_["ceilings"].contains("cpu"))) {
#if defined(SB_HAVE_CEILINGS)
    log_ << "measuring machine ceilings (CPU read bandwidth, SGEMM)...\n";
    auto c = engine::measure_cpu_ceilings(0);
    manifest_["ceilings"]["cpu"] = json{{"mem_bandwidth_gbps", c.mem_bandwidth_gbps},
                                        {"sgemm_gflops", c.sgemm_gflops}, {"threads", c.threads}};
    write_manifest();
#else
    log_ << "note: this build has no CPU ceiling probes; the manifest has no ceilings\n";
#endif
  }
  if (!o_.skip_ceilings) {
    // GPU ceilings for every CUDA device the groups use (or why they are absent).
    auto devices = cuda_devices_of(plan_);
    if (!devices.empty()) {
      add_gpu_ceilings(manifest_["ceilings"], devices, log_);
      write_manifest();
    }
  }

  progress_ = std::make_unique<Progress>(log_, static_cast<int>(plan_.cells.size()), summary_.cells_skipped);
  for (const auto& g : plan_.groups) run_group(g);
  progress_->finish();

#if defined(SB_HAVE_MODEL)
  // Models no worker loaded still get their architecture (parameter counts only from tensors).
  for (const auto& m : study_.models)
    if (!manifest_["models"].contains(m.id)) {
      try {
        auto cfg = model::config_for_spec(m.spec);
        manifest_["models"][m.id] = json{{"spec", m.spec}, {"params", nullptr}, {"n_layer", cfg.n_layer},
                                         {"n_head", cfg.n_head}, {"n_embd", cfg.n_embd},
                                         {"n_positions", cfg.n_positions}, {"vocab_size", cfg.vocab_size},
                                         {"loaded", false}};
      } catch (const std::exception&) {
      }
    }
#endif
  manifest_["finished_utc"] = utc_now_iso8601();
  write_manifest();

  // [accuracy]: after the speed cells (never while they are timed), once per study: shard 0
  // only, and not again on a resume that finds the rows written.
  if (want_accuracy && plan_.shard_index == 0) {
    if (fs::exists(out_ / "accuracy.jsonl")) {
      log_ << "accuracy: " << (out_ / "accuracy.jsonl").string() << " exists; not run again\n";
    } else {
      int rows = run_study_accuracy(study_, out_, log_, o_.self_executable);
      log_ << fmt::format("accuracy: {} row(s) in {}\n", rows, (out_ / "accuracy.jsonl").string());
    }
  }
  return summary_;
}

}  // namespace

RunSummary run_study(const RunOptions& options) {
  StudyRunner runner(options, options.log ? *options.log : std::cerr);
  return runner.run();
}

}  // namespace sb::bench
