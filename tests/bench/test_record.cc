// Record schema: every kind survives to_json -> from_json unchanged; bad input is rejected with
// the location and field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/record.h"
#include "bench/test_util.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::bench {
namespace {
using ::testing::HasSubstr;
using nlohmann::json;

CellKey key() {
  CellKey k;
  k.model = "gpt2";
  k.backend = "onnxruntime-cpu";
  k.precision = "fp32";
  k.options = {{"threads", 4}, {"graph_optimization", "all"}};
  k.device = "cpu";
  k.scenario = "batch_short";
  k.batch = 4;
  k.prompt_len = 32;
  k.new_tokens = 16;
  k.phase = "decode";
  return k;
}

void expect_same(const Record& a, const Record& b) {
  EXPECT_EQ(a.to_json(), b.to_json());
  EXPECT_EQ(a.cell.id(), b.cell.id());
}

TEST(Record, SampleRoundTrip) {
  Record r;
  r.cell = key();
  r.sample_index = 3;
  r.prefill_ms = 1.25;
  r.decode_step_ms = {0.5, 0.25, 0.125};
  r.env = {{"loadavg_1m", 0.5}};
  r.throttled = true;
  r.peak_rss_bytes = 123456789;
  r.utc = "2026-01-01T00:00:00.000Z";
  r.run_id = "x";
  auto back = Record::from_json(json::parse(r.to_json().dump()), "t");
  expect_same(r, back);
  EXPECT_EQ(back.decode_step_ms, r.decode_step_ms);
  EXPECT_TRUE(back.throttled);
  EXPECT_EQ(*back.peak_rss_bytes, 123456789);
}

TEST(Record, FailureAndWorkerStartRoundTrip) {
  Record f;
  f.kind = Record::Kind::kFailure;
  f.cell = key();
  f.status = Status::kTimeout;
  f.error = "cell did not finish";
  f.observed = {2, 5, 96, 30000.5};
  auto fb = Record::from_json(json::parse(f.to_json().dump()), "t");
  expect_same(f, fb);
  EXPECT_EQ(fb.observed.samples_done, 2);
  EXPECT_EQ(fb.observed.tokens_produced, 96);

  Record w;
  w.kind = Record::Kind::kWorkerStart;
  w.cell = key();
  w.load_ms = 12.5;
  w.build_ms = 100.0;
  w.worker = {{"attempt", 2}, {"info", {{"name", "onnxruntime-cpu"}}}};
  auto wb = Record::from_json(json::parse(w.to_json().dump()), "t");
  expect_same(w, wb);
  EXPECT_EQ(wb.worker["attempt"], 2);
}

TEST(Record, EveryStatusNameParses) {
  for (auto s : {Status::kOk, Status::kFailed, Status::kTimeout, Status::kOom, Status::kCrash, Status::kUnsupported})
    EXPECT_EQ(parse_status(status_name(s)), s);
  EXPECT_THROW(parse_status("slow"), sb::Error);
}

TEST(Record, RejectsInconsistentRecordsWithLocation) {
  Record r;
  r.cell = key();
  r.sample_index = 0;
  auto j = r.to_json();
  j["status"] = "timeout";  // a sample cannot be a failure
  try {
    Record::from_json(j, "records.jsonl:7");
    FAIL();
  } catch (const sb::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("records.jsonl:7"));
  }
  j = r.to_json();
  j.erase("cell");
  EXPECT_THROW(Record::from_json(j, "x"), sb::Error);
  j = r.to_json();
  j["schema"] = "scalebench.record/999";
  EXPECT_THROW(Record::from_json(j, "x"), sb::Error);
}

TEST(Record, TruncatedLastLineIsIgnoredButCounted) {
  sb::testing::TempDir d;
  Record r;
  r.cell = key();
  r.sample_index = 0;
  std::string line = r.to_json().dump();
  sb::testing::write_text(d.path / "r.jsonl", line + "\n" + line.substr(0, line.size() / 2));
  auto file = read_records((d.path / "r.jsonl").string());
  EXPECT_EQ(file.records.size(), 1u);
  EXPECT_EQ(file.truncated_tail_lines, 1);
  // The same damage in the middle is an error naming the line.
  sb::testing::write_text(d.path / "r2.jsonl", line.substr(0, 10) + "\n" + line + "\n");
  try {
    read_records((d.path / "r2.jsonl").string());
    FAIL();
  } catch (const sb::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("r2.jsonl:1"));
  }
}

}  // namespace
}  // namespace sb::bench
