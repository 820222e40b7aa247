#include "bench/results.h"

#include <sqlite3.h>

#include <map>
#include <ostream>
#include <set>

#include "bench/record.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;

const std::vector<ResultColumn>& result_columns() {
  static const std::vector<ResultColumn> c = {
      {"run_id", "TEXT"},          {"cell_id", "TEXT"},        {"model", "TEXT"},
      {"backend", "TEXT"},         {"precision", "TEXT"},      {"options", "TEXT"},
      {"device", "TEXT"},          {"scenario", "TEXT"},       {"batch", "INTEGER"},
      {"prompt_len", "INTEGER"},   {"new_tokens", "INTEGER"},  {"phase", "TEXT"},
      {"record", "TEXT"},          {"status", "TEXT"},         {"error", "TEXT"},
      {"sample", "INTEGER"},       {"warmup", "INTEGER"},      {"prefill_ms", "REAL"},
      {"decode_steps", "INTEGER"}, {"decode_step_ms", "TEXT"}, {"logits_mode", "TEXT"},
      {"throttled", "INTEGER"},    {"peak_rss_bytes", "INTEGER"}, {"peak_device_bytes", "INTEGER"},
      {"samples_done", "INTEGER"}, {"samples_planned", "INTEGER"}, {"tokens_produced", "INTEGER"},
      {"elapsed_ms", "REAL"},      {"utc", "TEXT"}};
  return c;
}

namespace {

json empty_row() {
  json r = json::object();
  for (const auto& c : result_columns()) r[c.name] = nullptr;
  return r;
}

void fill_key(json& row, const CellKey& k) {
  row["cell_id"] = k.id();
  row["model"] = k.model;
  row["backend"] = k.backend;
  row["precision"] = k.precision;
  row["options"] = k.options.dump();
  row["device"] = k.device;
  row["scenario"] = k.scenario;
  row["batch"] = k.batch;
  row["prompt_len"] = k.prompt_len;
  row["new_tokens"] = k.new_tokens;
  row["phase"] = k.phase;
}

}  // namespace

std::vector<json> result_rows(const fs::path& dir) {
  json manifest = json::parse(read_file(dir / "manifest.json"), nullptr, false);
  if (manifest.is_discarded()) fail("{}: not valid JSON", (dir / "manifest.json").string());
  fs::path records_path = dir / "records.jsonl";
  RecordFile file;
  if (fs::exists(records_path)) file = read_records(records_path.string());
  std::map<std::string, std::vector<const Record*>> by_cell;
  for (const auto& r : file.records)
    if (r.kind != Record::Kind::kWorkerStart) by_cell[r.cell.id()].push_back(&r);
  std::vector<json> rows;
  std::set<std::string> emitted;
  auto emit_cell = [&](const std::string& id, const CellKey* planned_key) {
    if (!emitted.insert(id).second) return;
    auto it = by_cell.find(id);
    if (it == by_cell.end()) {
      json row = empty_row();
      fill_key(row, *planned_key);
      row["record"] = "none";
      row["status"] = "not_run";
      row["run_id"] = manifest.value("run_id", "");
      rows.push_back(row);
      return;
    }
    for (const Record* r : it->second) {
      json row = empty_row();
      fill_key(row, r->cell);
      row["run_id"] = r->run_id;
      row["status"] = status_name(r->status);
      row["utc"] = r->utc;
      if (r->peak_rss_bytes) row["peak_rss_bytes"] = *r->peak_rss_bytes;
      if (r->peak_device_bytes) row["peak_device_bytes"] = *r->peak_device_bytes;
      if (r->kind == Record::Kind::kSample) {
        row["record"] = "sample";
        row["sample"] = r->sample_index;
        row["warmup"] = r->warmup ? 1 : 0;
        if (r->prefill_ms) row["prefill_ms"] = *r->prefill_ms;
        row["decode_steps"] = r->decode_step_ms.size();
        if (!r->decode_step_ms.empty()) row["decode_step_ms"] = json(r->decode_step_ms).dump();
        row["logits_mode"] = r->logits_mode;
        row["throttled"] = r->throttled ? 1 : 0;
      } else {
        row["record"] = "failure";
        row["error"] = r->error;
        row["samples_done"] = r->observed.samples_done;
        row["samples_planned"] = r->observed.samples_planned;
        row["tokens_produced"] = r->observed.tokens_produced;
        row["elapsed_ms"] = r->observed.elapsed_ms;
      }
      rows.push_back(row);
    }
  };
  if (manifest.contains("plan") && manifest["plan"].contains("cells"))
    for (const auto& c : manifest["plan"]["cells"]) {
      CellKey k = cell_key_from_json(c.at("cell"), (dir / "manifest.json").string());
      emit_cell(k.id(), &k);
    }
  // Records of cells outside the plan (should not happen) are still shown, never dropped.
  for (const auto& [id, recs] : by_cell) emit_cell(id, &recs.front()->cell);
  return rows;
}

namespace {
std::string csv_field(const json& v) {
  if (v.is_null()) return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += "\"\"";
    else q.push_back(c);
  }
  return q + "\"";
}
}  // namespace

void write_results_csv(const std::vector<json>& rows, std::ostream& out) {
  const auto& cols = result_columns();
  for (std::size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << cols[i].name;
  out << "\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_field(r[cols[i].name]);
    out << "\n";
  }
}

void write_results_jsonl(const std::vector<json>& rows, std::ostream& out) {
  for (const auto& r : rows) {
    // Column order, not alphabetical: ordered_json keeps insertion order.
    nlohmann::ordered_json o;
    for (const auto& c : result_columns()) o[c.name] = r[c.name];
    out << o.dump() << "\n";
  }
}

namespace {
class Db {
 public:
  explicit Db(const fs::path& p) {
    if (sqlite3_open(p.c_str(), &db_) != SQLITE_OK)
      fail("{}: cannot open SQLite database ({})", p.string(), db_ ? sqlite3_errmsg(db_) : "?");
  }
  ~Db() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string e = err ? err : "?";
      sqlite3_free(err);
      fail("SQLite: {} (in: {})", e, sql.substr(0, 120));
    }
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

void bind(sqlite3_stmt* st, int i, const json& v) {
  if (v.is_null()) sqlite3_bind_null(st, i);
  else if (v.is_number_integer() || v.is_boolean()) sqlite3_bind_int64(st, i, v.get<std::int64_t>());
  else if (v.is_number()) sqlite3_bind_double(st, i, v.get<double>());
  else {
    std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    sqlite3_bind_text(st, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
}
}  // namespace

void write_results_sqlite(const std::vector<json>& rows, const fs::path& dir, const fs::path& db_path) {
  fs::path tmp = db_path;
  tmp += ".tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  {
    Db db(tmp);
    const auto& cols = result_columns();
    std::string create = "CREATE TABLE results (";
    std::string insert = "INSERT INTO results VALUES (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      create += std::string(i ? ", " : "") + cols[i].name + " " + cols[i].sql_type;
      insert += i ? ", ?" : "?";
    }
    db.exec(create + ")");
    db.exec("CREATE TABLE workers (run_id TEXT, group_id TEXT, model TEXT, backend TEXT, precision TEXT, "
            "options TEXT, device TEXT, load_ms REAL, build_ms REAL, peak_rss_bytes INTEGER, worker TEXT, utc TEXT)");
    db.exec("BEGIN");
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), (insert + ")").c_str(), -1, &st, nullptr) != SQLITE_OK)
      fail("SQLite: {}", sqlite3_errmsg(db.get()));
    for (const auto& r : rows) {
      for (std::size_t i = 0; i < cols.size(); ++i) bind(st, static_cast<int>(i) + 1, r[cols[i].name]);
      if (sqlite3_step(st) != SQLITE_DONE) fail("SQLite insert: {}", sqlite3_errmsg(db.get()));
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (fs::exists(dir / "records.jsonl")) {
      auto file = read_records((dir / "records.jsonl").string());
      sqlite3_prepare_v2(db.get(), "INSERT INTO workers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, nullptr);
      for (const auto& r : file.records) {
        if (r.kind != Record::Kind::kWorkerStart) continue;
        json v[] = {r.run_id, r.cell.group_id(), r.cell.model, r.cell.backend, r.cell.precision,
                    r.cell.options.dump(), r.cell.device, r.load_ms ? json(*r.load_ms) : json(),
                    r.build_ms ? json(*r.build_ms) : json(), r.peak_rss_bytes ? json(*r.peak_rss_bytes) : json(),
                    r.worker.dump(), r.utc};
        for (int i = 0; i < 12; ++i) bind(st, i + 1, v[i]);
        if (sqlite3_step(st) != SQLITE_DONE) fail("SQLite insert: {}", sqlite3_errmsg(db.get()));
        sqlite3_reset(st);
      }
      sqlite3_finalize(st);
    }
    db.exec("COMMIT");
  }
  fs::rename(tmp, db_path);
}

}  // namespace sb::bench
