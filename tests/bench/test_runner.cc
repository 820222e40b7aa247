// End-to-end runs of the scalebench binary with the null and the test-only fault backends:
// failures are recorded with their status and the study still finishes; resume after SIGKILL
// gives the same cells as an uninterrupted run; merged shards equal one unsharded run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

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

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("SCALEBENCH_ENABLE_FAULT_BACKEND", "1", 1); }
  sb::testing::CommandResult run(const std::string& args) {
    return run_command(kBinary + " run " + args + " --skip-ceilings --no-report");
  }
  TempDir dir;
};

// cell id -> (status of its failure record or "ok", measured sample indices)
struct CellState {
  std::string status;
  std::set<int> samples;
  int failures = 0;
  bool operator==(const CellState& o) const { return status == o.status && samples == o.samples && failures == o.failures; }
};
std::map<std::string, CellState> cell_states(const fs::path& run_dir, int* worker_starts = nullptr) {
  auto file = read_records((run_dir / "records.jsonl").string());
  std::map<std::string, CellState> m;
  if (worker_starts) *worker_starts = 0;
  for (const auto& r : file.records) {
    if (r.kind == Record::Kind::kWorkerStart) {
      if (worker_starts) ++*worker_starts;
      continue;
    }
    auto& s = m[r.cell.id()];
    if (s.status.empty()) s.status = "ok";
    if (r.kind == Record::Kind::kFailure) {
      s.status = status_name(r.status);
      s.failures++;
    } else if (!r.warmup) {
      EXPECT_TRUE(s.samples.insert(r.sample_index).second) << "duplicate sample " << r.sample_index << " of " << r.cell.id();
    }
  }
  return m;
}

std::string find_cell(const std::map<std::string, CellState>& m, const std::string& backend, const std::string& scenario,
                      const std::string& phase) {
  for (const auto& [id, s] : m)
    if (id.find("|" + backend + "|") != std::string::npos && id.find("|" + scenario + "|") != std::string::npos &&
        id.size() >= phase.size() && id.compare(id.size() - phase.size(), phase.size(), phase) == 0)
      return id;
  return "";
}

TEST_F(RunnerTest, InjectedFaultsAreRecordedAndTheStudyFinishes) {
  write_text(dir.path / "s.toml", R"(name = "faults"
models = ["shape:L=1,H=1,E=4,V=300,P=256"]
new_tokens = 4
warmup = 1
repetitions = 2
[timeouts]
cell_s = 8
load_s = 30
[[backends]]
name = "null"
[[backends]]
name = "fault"
[backends.options]
faults = [
  { action = "abort",    scenario = "single_micro",  phase = "prefill", sample = 1 },
  { action = "segv",     scenario = "single_short",  phase = "decode",  sample = 0 },
  { action = "hang",     scenario = "single_medium", phase = "prefill", sample = 0 },
  { action = "throw",    scenario = "single_long",   phase = "decode",  sample = 1 },
  { action = "oom",      scenario = "batch_short",   phase = "prefill", sample = 0 },
  { action = "oom_kill", scenario = "batch_medium",  phase = "decode",  sample = 0, warmup = true },
]
)");
  auto r = run(dir.path.string() + "/s.toml --out " + (dir.path / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("24 cells in 2 groups"));
  int starts = 0;
  auto m = cell_states(dir.path / "out", &starts);
  ASSERT_EQ(m.size(), 24u) << "every cell has records";
  struct Expect {
    const char* scenario;
    const char* phase;
    const char* status;
    int samples_done;
  };
  for (auto e : {Expect{"single_micro", "prefill", "crash", 1}, Expect{"single_short", "decode", "crash", 0},
                 Expect{"single_medium", "prefill", "timeout", 0}, Expect{"single_long", "decode", "failed", 1},
                 Expect{"batch_short", "prefill", "oom", 0}, Expect{"batch_medium", "decode", "oom", 0}}) {
    auto id = find_cell(m, "fault", e.scenario, e.phase);
    ASSERT_FALSE(id.empty()) << e.scenario;
    EXPECT_EQ(m[id].status, e.status) << id;
    EXPECT_EQ(m[id].failures, 1) << id;
    EXPECT_EQ(static_cast<int>(m[id].samples.size()), e.samples_done) << id;
  }
  int fault_ok = 0, null_ok = 0;
  for (const auto& [id, s] : m) {
    if (s.status != "ok") continue;
    EXPECT_EQ(s.samples, (std::set<int>{0, 1})) << id;
    (id.find("|fault|") != std::string::npos ? fault_ok : null_ok)++;
  }
  EXPECT_EQ(fault_ok, 6) << "the rest of the faulty group still ran";
  EXPECT_EQ(null_ok, 12) << "other groups are intact";
  // Four faults kill the worker (abort, segv, hang, oom_kill) and two make it exit (throw, oom):
  // a fresh worker follows each one that still has cells left.
  EXPECT_GE(starts, 2);
  // The failure keeps what was observed and the error text.
  auto file = read_records((dir.path / "out" / "records.jsonl").string());
  for (const auto& rec : file.records)
    if (rec.kind == Record::Kind::kFailure) {
      EXPECT_FALSE(rec.error.empty());
      EXPECT_EQ(rec.observed.samples_planned, 2);
      EXPECT_GT(rec.observed.elapsed_ms, 0.0);
      // cell_s = 8: the hang is timed out; the oom cell (memset up to its address-space cap,
      // ~3 s on a loaded 2-core machine) is not.
      if (rec.status == Status::kTimeout) {
        EXPECT_GE(rec.observed.elapsed_ms, 7900.0);
      }
      if (rec.status == Status::kFailed) {
        EXPECT_THAT(rec.error, HasSubstr("injected failure"));
      }
    }
  // Results export: one row per sample and per failure, failures with empty values.
  auto csv = run_command(kBinary + " results " + (dir.path / "out").string() + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  int samples = 0;
  for (const auto& rec : file.records) samples += rec.kind != Record::Kind::kWorkerStart;
  // Rows end at line breaks outside quoted fields (a failure's error text may span lines, e.g.
  // a sanitizer's report in the worker's stderr, and is then quoted per RFC 4180).
  int rows = 0;
  bool quoted = false;
  for (char c : csv.output) {
    if (c == '"') quoted = !quoted;
    else if (c == '\n' && !quoted) ++rows;
  }
  EXPECT_FALSE(quoted) << "unbalanced quotes in the CSV";
  EXPECT_EQ(rows, samples + 1);
}

TEST_F(RunnerTest, ALoadFailureFailsTheGroupOnly) {
  write_text(dir.path / "s.toml", R"(models = ["shape:L=1,H=1,E=4,V=300,P=256"]
scenarios = ["single_micro", "single_short"]
new_tokens = 3
warmup = 0
repetitions = 2
[[backends]]
name = "null"
[[backends]]
name = "fault"
options = { faults = [{ action = "segv", at = "load" }] }
)");
  auto r = run(dir.path.string() + "/s.toml --out " + (dir.path / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = cell_states(dir.path / "out");
  ASSERT_EQ(m.size(), 8u);
  for (const auto& [id, s] : m) {
    if (id.find("|fault|") != std::string::npos) {
      EXPECT_EQ(s.status, "crash") << id;
    } else {
      EXPECT_EQ(s.status, "ok") << id;
    }
  }
  // Each crashed worker left a backtrace in its log (worker.cc's fatal-signal handler).
  int traced = 0, fault_logs = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "out" / "logs")) {
    if (e.path().filename().string().find("fault") == std::string::npos) continue;
    ++fault_logs;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // One line: marker, frames as library(+offset), end marker.
    const auto at = text.find("scalebench worker: fatal signal SIGSEGV (11); backtrace, innermost first: ");
    const auto end = text.find("; end of backtrace");
    if (at != std::string::npos && end != std::string::npos && end > at &&
        text.find('\n', at) == std::string::npos && text.find("(+0x", at) < end) {
      ++traced;
    } else {
      ADD_FAILURE() << e.path() << " lacks the backtrace:\n" << text;
    }
  }
  EXPECT_GE(fault_logs, 1);
  EXPECT_EQ(traced, fault_logs);
}

TEST_F(RunnerTest, ResumeAfterSigkillEqualsAnUninterruptedRun) {
  const std::string study = R"(name = "resume"
models = ["shape:L=1,H=1,E=4,V=300,P=256"]
scenarios = ["single_micro", "single_short", "batch_short"]
new_tokens = 6
warmup = 1
repetitions = 3
[[backends]]
name = "null"
options = [{ step_us = 15000 }, { step_us = 14000 }]
)";
  write_text(dir.path / "s.toml", study);
  auto full = run(dir.path.string() + "/s.toml --out " + (dir.path / "full").string());
  ASSERT_EQ(full.exit_code, 0) << full.output;

  // Start a second run and kill -9 it once it has written something, mid-study.
  fs::path out = dir.path / "killed";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::freopen("/dev/null", "w", stderr);
    ::execl(kBinary.c_str(), kBinary.c_str(), "run", (dir.path / "s.toml").c_str(), "--out", out.c_str(),
            "--skip-ceilings", "--no-report", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::string text = fs::exists(out / "records.jsonl") ? read_text(out / "records.jsonl") : "";
    if (std::count(text.begin(), text.end(), '\n') >= 8) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the run never got going";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto partial = cell_states(out);
  auto expected = cell_states(dir.path / "full");
  ASSERT_LT(partial.size(), expected.size()) << "killed too late to test resume";

  auto resumed = run(dir.path.string() + "/s.toml --out " + out.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("already finished"));
  EXPECT_EQ(cell_states(out), expected);

  // Running once more does nothing new.
  auto again = run(dir.path.string() + "/s.toml --out " + out.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(cell_states(out), expected);

  // A changed study is refused unless --force.
  write_text(dir.path / "s.toml", study + "# changed\n");
  auto refused = run(dir.path.string() + "/s.toml --out " + out.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.output, HasSubstr("study file changed"));
  auto forced = run(dir.path.string() + "/s.toml --out " + out.string() + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
}

TEST_F(RunnerTest, MergedShardsEqualOneUnshardedRun) {
  write_text(dir.path / "s.toml", R"(models = ["shape:L=1,H=1,E=4,V=300,P=256", "tiny-gpt2"]
scenarios = ["single_micro", "batch_short"]
new_tokens = 3
warmup = 0
repetitions = 2
[[backends]]
name = "null"
precisions = ["fp32", "fp16"]
)");
  auto whole = run(dir.path.string() + "/s.toml --out " + (dir.path / "whole").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  std::string shards;
  for (int i = 0; i < 3; ++i) {
    auto p = dir.path / ("shard" + std::to_string(i));
    auto r = run(dir.path.string() + "/s.toml --out " + p.string() + " --shard " + std::to_string(i) + "/3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    shards += " " + p.string();
  }
  auto merged = run_command(kBinary + " merge" + shards + " --out " + (dir.path / "merged").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_THAT(merged.output, ::testing::Not(HasSubstr("missing")));
  EXPECT_THAT(merged.output, ::testing::Not(HasSubstr("duplicate")));
  EXPECT_EQ(cell_states(dir.path / "merged"), cell_states(dir.path / "whole"));

  // Leaving a shard out is reported; merging a shard twice reports duplicates.
  auto partial = run_command(kBinary + " merge " + (dir.path / "shard0").string() + " " +
                             (dir.path / "shard1").string() + " --out " + (dir.path / "partial").string());
  EXPECT_THAT(partial.output, HasSubstr("missing shard: 2"));
  auto twice = run_command(kBinary + " merge " + (dir.path / "shard0").string() + " " + (dir.path / "shard0").string() +
                           " --out " + (dir.path / "twice").string());
  EXPECT_THAT(twice.output, HasSubstr("duplicate cell"));
}

TEST_F(RunnerTest, InvalidStudyFailsBeforeRunningWithTheLine) {
  write_text(dir.path / "s.toml", "models = [\"tiny-gpt2\"]\nbackends = [\"null\"]\nnew_tokens = 1\n");
  auto r = run(dir.path.string() + "/s.toml --out " + (dir.path / "out").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("s.toml:3:"));
  EXPECT_FALSE(fs::exists(dir.path / "out"));
}

TEST_F(RunnerTest, BackendsListsEveryBackendWithAvailability) {
  auto r = run_command(kBinary + " backends --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  std::set<std::string> names;
  for (const auto& b : j) {
    names.insert(b["name"]);
    if (!b["available"].get<bool>()) {
      EXPECT_FALSE(b["reason"].get<std::string>().empty()) << b.dump();
    }
  }
  for (const char* n : {"native-cpu", "native-cuda", "onnxruntime-cpu", "onnxruntime-cuda", "transformers-eager",
                        "transformers-compile", "null", "fault"})
    EXPECT_TRUE(names.count(n)) << n;
  ::unsetenv("SCALEBENCH_ENABLE_FAULT_BACKEND");
  auto plain = run_command(kBinary + " backends");
  EXPECT_THAT(plain.output, ::testing::Not(HasSubstr("fault")));
  EXPECT_THAT(plain.output, HasSubstr("onnxruntime-gpu"));
}

}  // namespace
}  // namespace sb::bench
