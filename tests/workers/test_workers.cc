// The external-worker path end to end (issue 8, CI part): a study whose backend is "external"
// with options.command running tests/workers/fake_worker.py goes through the real runner
// (`scalebench run`), and every misbehaviour of the worker becomes a recorded failure with a
// clear reason while the other cells and groups are intact.  Also: the transformers backends
// become `unsupported` with the reason when torch/transformers cannot be imported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "bench/record.h"
#include "bench/test_util.h"

namespace sb::bench {
namespace {
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using sb::testing::read_text;
using sb::testing::run_command;
using sb::testing::TempDir;
using sb::testing::write_text;

const std::string kBinary = SB_BINARY;
const fs::path kFakeWorker = fs::path(SB_SOURCE_DIR) / "tests" / "workers" / "fake_worker.py";

// Absolute path of the python3 found in PATH (resolving pyenv-style shims), "" when none.
std::string real_python() {
  auto r = run_command("python3 -c 'import sys; print(sys.executable)'");
  if (r.exit_code != 0) return "";
  std::string s = r.output;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.find('\n') == std::string::npos ? s : "";
}

struct CellOutcome {
  std::string status = "ok";
  std::string error;
  int samples = 0;     // measured (non-warmup) samples recorded
  int failures = 0;
};

// cell id -> outcome, keyed also by the worker mode (the group's options.command last arg).
std::map<std::string, CellOutcome> outcomes(const fs::path& run_dir) {
  auto file = read_records((run_dir / "records.jsonl").string());
  std::map<std::string, CellOutcome> m;
  for (const auto& r : file.records) {
    if (r.kind == Record::Kind::kWorkerStart) continue;
    auto& o = m[r.cell.id()];
    if (r.kind == Record::Kind::kFailure) {
      o.status = status_name(r.status);
      o.error = r.error;
      o.failures++;
    } else if (!r.warmup) {
      o.samples++;
    }
  }
  return m;
}

class WorkersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = real_python();
    if (python_.empty()) GTEST_SKIP() << "python3 not found in PATH: the external-worker tests need it";
    ASSERT_TRUE(fs::exists(kFakeWorker)) << kFakeWorker;
  }
  std::string python_;
  TempDir dir;
};

TEST_F(WorkersTest, EveryFakeWorkerModeIsRecordedAndTheStudyFinishes) {
  std::string w = kFakeWorker.string();
  std::string study = R"(name = "workers"
models = ["shape:L=1,H=1,E=4,V=300,P=256"]
scenarios = ["single_micro", "single_short"]
new_tokens = 3
warmup = 1
repetitions = 3
[timeouts]
cell_s = 2
load_s = 20
[[backends]]
name = "null"
[[backends]]
name = "external"
options = [
)";
  for (const char* mode : {"ok", "crash", "hang", "malformed", "refuse"})
    study += "  { command = [\"" + python_ + "\", \"" + w + "\", \"" + mode + "\"] },\n";
  study += "]\n";
  write_text(dir.path / "s.toml", study);
  auto r = run_command(kBinary + " run " + (dir.path / "s.toml").string() + " --out " +
                       (dir.path / "out").string() + " --skip-ceilings --no-report");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("24 cells in 6 groups"));

  // Which mode ran a cell is visible in its options (part of the cell id).
  auto m = outcomes(dir.path / "out");
  ASSERT_EQ(m.size(), 24u) << "every cell has records";
  std::map<std::string, std::vector<CellOutcome>> by_mode;
  int null_cells = 0;
  for (const auto& [id, o] : m) {
    if (id.find("|null|") != std::string::npos) {
      EXPECT_EQ(o.status, "ok") << id << ": " << o.error;
      EXPECT_EQ(o.samples, 3) << id;
      ++null_cells;
      continue;
    }
    bool found = false;
    for (const char* mode : {"ok", "crash", "hang", "malformed", "refuse"})
      if (id.find("fake_worker.py\",\"" + std::string(mode) + "\"") != std::string::npos) {
        by_mode[mode].push_back(o);
        found = true;
      }
    EXPECT_TRUE(found) << "cannot tell the worker mode from the cell id " << id;
  }
  EXPECT_EQ(null_cells, 4) << "the other group is intact";
  for (const char* mode : {"ok", "crash", "hang", "malformed", "refuse"})
    ASSERT_EQ(by_mode[mode].size(), 4u) << mode;

  for (const auto& o : by_mode["ok"]) {
    EXPECT_EQ(o.status, "ok") << o.error;
    EXPECT_EQ(o.samples, 3);
    EXPECT_EQ(o.failures, 0);
  }
  // crash: SIGSEGV after the first measured sample of the first cell of each fresh worker.
  for (const auto& o : by_mode["crash"]) {
    EXPECT_EQ(o.status, "crash");
    EXPECT_EQ(o.samples, 1);
    EXPECT_THAT(o.error, HasSubstr("signal 11"));
  }
  for (const auto& o : by_mode["hang"]) {
    EXPECT_EQ(o.status, "timeout");
    EXPECT_EQ(o.samples, 0);
    EXPECT_THAT(o.error, HasSubstr("timeouts.cell_s"));
  }
  // malformed: the garbage line comes before measured sample 1; sample 0 was recorded.
  for (const auto& o : by_mode["malformed"]) {
    EXPECT_EQ(o.status, "failed");
    EXPECT_EQ(o.samples, 1);
    EXPECT_THAT(o.error, HasSubstr("malformed protocol line"));
    EXPECT_THAT(o.error, HasSubstr("this is not json"));
  }
  for (const auto& o : by_mode["refuse"]) {
    EXPECT_EQ(o.status, "unsupported");
    EXPECT_EQ(o.samples, 0);
    EXPECT_THAT(o.error, HasSubstr("fake worker refuses: no such accelerator"));
  }
  // The timeout was real: each hung cell took at least the cell timeout.
  auto file = read_records((dir.path / "out" / "records.jsonl").string());
  for (const auto& rec : file.records)
    if (rec.kind == Record::Kind::kFailure && rec.status == Status::kTimeout) {
      EXPECT_GE(rec.observed.elapsed_ms, 1900.0);
    }
}

// CI has no torch: the transformers backends' availability check makes their cells
// `unsupported` with the reason, without starting a worker.  A python3 wrapper that runs
// without site-packages (-S) makes this hold on machines that do have torch as well.
TEST_F(WorkersTest, TransformersCellsAreUnsupportedWithoutTorch) {
  fs::path bin = dir.path / "bin";
  fs::create_directories(bin);
  write_text(bin / "python3", "#!/bin/sh\nexec \"" + python_ + "\" -S \"$@\"\n");
  fs::permissions(bin / "python3", fs::perms::owner_all);
  write_text(dir.path / "s.toml", R"(models = ["shape:L=1,H=1,E=4,V=300,P=256"]
scenarios = ["single_micro"]
new_tokens = 3
repetitions = 2
[[backends]]
name = "transformers-eager"
device = "cpu"
[[backends]]
name = "null"
)");
  auto r = run_command("PATH=" + bin.string() + ":$PATH " + kBinary + " run " + (dir.path / "s.toml").string() +
                       " --out " + (dir.path / "out").string() + " --skip-ceilings --no-report");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = outcomes(dir.path / "out");
  ASSERT_EQ(m.size(), 4u);
  int unsupported = 0;
  for (const auto& [id, o] : m) {
    if (id.find("|transformers-eager|") != std::string::npos) {
      EXPECT_EQ(o.status, "unsupported") << id;
      EXPECT_THAT(o.error, HasSubstr("lacks the Python package(s): torch,transformers"));
      ++unsupported;
    } else {
      EXPECT_EQ(o.status, "ok") << id << ": " << o.error;
      EXPECT_EQ(o.samples, 2) << id;
    }
  }
  EXPECT_EQ(unsupported, 2);
  EXPECT_THAT(r.output, HasSubstr("unsupported here"));
}

}  // namespace
}  // namespace sb::bench
