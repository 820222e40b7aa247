// Results export: failed and never-run cells are rows with empty values, never missing rows;
// the three formats carry the same rows.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <sstream>

#include "bench/record.h"
#include "bench/results.h"
#include "bench/test_util.h"
#include "util/files.h"

namespace sb::bench {
namespace {
using nlohmann::json;

CellKey key(const std::string& scenario, const std::string& phase) {
  CellKey k;
  k.model = "tiny-gpt2";
  k.backend = "null";
  k.precision = "fp32";
  k.device = "cpu";
  k.scenario = scenario;
  k.batch = 1;
  k.prompt_len = 8;
  k.new_tokens = 3;
  k.phase = phase;
  return k;
}

class ResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json cells = json::array();
    for (auto k : {key("a", "decode"), key("b", "prefill"), key("c", "prefill")})
      cells.push_back({{"cell", cell_key_to_json(k)}, {"cell_id", k.id()}, {"warmup", 0}, {"repetitions", 2}});
    json manifest = {{"schema", "scalebench.manifest/1"}, {"run_id", "r1"}, {"plan", {{"cells", cells}}}};
    write_file_atomic(dir.path / "manifest.json", manifest.dump());
    Record s;
    s.cell = key("a", "decode");
    s.run_id = "r1";
    s.prefill_ms = 1.5;
    s.decode_step_ms = {0.5, 0.25};
    for (int i = 0; i < 2; ++i) {
      s.sample_index = i;
      append_line_durable(dir.path / "records.jsonl", s.to_json().dump());
    }
    Record f;
    f.kind = Record::Kind::kFailure;
    f.cell = key("b", "prefill");
    f.status = Status::kCrash;
    f.error = "worker died, \"signal 11\"";
    f.observed = {1, 2, 1, 12.5};
    append_line_durable(dir.path / "records.jsonl", f.to_json().dump());
    // cell c has no record at all.
  }
  sb::testing::TempDir dir;
};

TEST_F(ResultsTest, EveryPlannedCellHasRows) {
  auto rows = result_rows(dir.path);
  ASSERT_EQ(rows.size(), 4u);  // 2 samples + 1 failure + 1 not run
  EXPECT_EQ(rows[0]["status"], "ok");
  EXPECT_EQ(rows[0]["decode_steps"], 2);
  EXPECT_EQ(rows[2]["status"], "crash");
  EXPECT_TRUE(rows[2]["prefill_ms"].is_null());
  EXPECT_EQ(rows[2]["samples_done"], 1);
  EXPECT_EQ(rows[3]["status"], "not_run");
  EXPECT_EQ(rows[3]["scenario"], "c");
}

TEST_F(ResultsTest, CsvHasOneLinePerRowAndQuotesText) {
  std::ostringstream out;
  write_results_csv(result_rows(dir.path), out);
  std::string csv = out.str();
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);  // header + 4
  EXPECT_NE(csv.find("\"worker died, \"\"signal 11\"\"\""), std::string::npos) << csv;
  // Failed row: empty prefill value between commas.
  EXPECT_NE(csv.find(",crash,"), std::string::npos);
}

TEST_F(ResultsTest, JsonlAndSqliteCarryTheSameRows) {
  std::ostringstream out;
  write_results_jsonl(result_rows(dir.path), out);
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  auto db_path = dir.path / "r.sqlite";
  write_results_sqlite(result_rows(dir.path), dir.path, db_path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT status, COUNT(*), SUM(prefill_ms IS NULL) FROM results GROUP BY status ORDER BY status",
                               -1, &st, nullptr), SQLITE_OK);
  std::map<std::string, std::pair<int, int>> got;
  while (sqlite3_step(st) == SQLITE_ROW)
    got[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = {sqlite3_column_int(st, 1), sqlite3_column_int(st, 2)};
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(got["ok"], std::make_pair(2, 0));
  EXPECT_EQ(got["crash"], std::make_pair(1, 1));
  EXPECT_EQ(got["not_run"], std::make_pair(1, 1));
}

}  // namespace
}  // namespace sb::bench
