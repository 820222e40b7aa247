// The external-worker path end to end (issue 8, CI part): a study whose backend is "external"
// with options.command running tests/workers/fake_worker.py goes through the real runner
// (`scalebench run`), and every misbehaviour of the worker becomes a recorded failure with a
// clear reason while the other cells and groups are intact.  Also: the transformers backends
// become `unsupported` with the reason when torch/transformers cannot be imported; compile
// failures (timed recompile, CUDA-graph overwrite) worded by the real worker's
// classify_failure() are recorded as failed; and transformers-eager as accuracy candidate and
// reference (`scalebench accuracy`, the study [accuracy] section) with a fake worker whose
// logits come from an independent pure-Python GPT-2 forward pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

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


// The real worker's failure wording, through the runner: a compile cell that recompiles in its
// first measured sample, and one that hits the CUDA-graph overwrite error.  Each cell is a
// recorded `failed` with that reason, the warmup samples are kept, every cell of the group gets
// a fresh worker, and the other group is intact.
TEST_F(WorkersTest, CompileFailuresAreRecordedWithTheirReason) {
  std::string w = kFakeWorker.string();
  std::string study = R"(models = ["shape:L=1,H=1,E=4,V=300,P=256"]
scenarios = ["single_micro", "single_short"]
phases = ["decode"]
new_tokens = 3
warmup = 2
repetitions = 2
[[backends]]
name = "null"
[[backends]]
name = "external"
options = [
)";
  for (const char* mode : {"recompile", "cudagraph"})
    study += "  { command = [\"" + python_ + "\", \"" + w + "\", \"" + mode + "\"] },\n";
  study += "]\n";
  write_text(dir.path / "s.toml", study);
  auto r = run_command(kBinary + " run " + (dir.path / "s.toml").string() + " --out " + (dir.path / "out").string() +
                       " --skip-ceilings --no-report");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = outcomes(dir.path / "out");
  ASSERT_EQ(m.size(), 6u);
  int recompile = 0, cudagraph = 0;
  for (const auto& [id, o] : m) {
    if (id.find("|null|") != std::string::npos) {
      EXPECT_EQ(o.status, "ok") << id;
      continue;
    }
    EXPECT_EQ(o.status, "failed") << id;
    EXPECT_EQ(o.samples, 0) << id;
    if (id.find("\"recompile\"") != std::string::npos) {
      EXPECT_THAT(o.error, HasSubstr("recompiled during a timed sample (RecompileError: Recompiling function forward"));
      ++recompile;
    } else {
      EXPECT_THAT(o.error, HasSubstr("CUDA-graph output overwritten by a subsequent run"));
      EXPECT_THAT(o.error, HasSubstr("mode=reduce-overhead"));
      ++cudagraph;
    }
  }
  EXPECT_EQ(recompile, 2);
  EXPECT_EQ(cudagraph, 2);
  // Each failed cell kept its two warmup samples, and each had its own worker.
  auto file = read_records((dir.path / "out" / "records.jsonl").string());
  int warmups = 0, starts = 0;
  for (const auto& rec : file.records) {
    if (rec.cell.backend != "external") continue;
    if (rec.kind == Record::Kind::kSample && rec.warmup) ++warmups;
    if (rec.kind == Record::Kind::kWorkerStart) ++starts;
  }
  EXPECT_EQ(warmups, 8);
  EXPECT_EQ(starts, 4);
}

// transformers-eager through the accuracy module, with tests/workers/fake_worker.py standing in
// for workers/transformers_worker.py (SCALEBENCH_WORKERS_DIR) and empty `torch`/`transformers`
// packages on PYTHONPATH so that the availability check passes.  The fake worker's logits come
// from its own float64 GPT-2 forward over the model folder the accuracy module writes for the
// synthetic model, so they must match the native CPU engine.
class TransformersAccuracyTest : public WorkersTest {
 protected:
  void SetUp() override {
    WorkersTest::SetUp();
    if (IsSkipped()) return;
    fs::create_directories(dir.path / "workers");
    fs::create_directories(dir.path / "pylib" / "torch");
    fs::create_directories(dir.path / "pylib" / "transformers");
    write_text(dir.path / "pylib" / "torch" / "__init__.py", "# fake: availability check only\n");
    write_text(dir.path / "pylib" / "transformers" / "__init__.py", "# fake: availability check only\n");
    write_text(dir.path / "workers" / "transformers_worker.py",
               "import runpy\nrunpy.run_path(\"" + kFakeWorker.string() + "\", run_name=\"__main__\")\n");
    // ~170 GPT-2 tokens of plain English.
    write_text(dir.path / "corpus.txt",
               "The quick brown fox jumps over the lazy dog. A benchmark measures how fast a program runs, "
               "and a good one also checks that the program still computes the right answer. Perplexity "
               "tells how surprised a language model is by a text; a lower value means the model predicts "
               "the text better. When two backends compute the same model, their next-token distributions "
               "agree, and the divergence between them is tiny. When one of them is wrong, the divergence "
               "grows and the verdict says so, with the numbers beside it.\n");
  }
  std::string env(const std::string& mode) const {
    return "SCALEBENCH_WORKERS_DIR=" + (dir.path / "workers").string() + " PYTHONPATH=" +
           (dir.path / "pylib").string() + " FAKE_WORKER_MODE=" + mode + " ";
  }
  static std::vector<nlohmann::json> rows(const fs::path& file) {
    std::vector<nlohmann::json> out;
    std::istringstream in(read_text(file));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  static const nlohmann::json* find_row(const std::vector<nlohmann::json>& rs, const std::string& backend) {
    for (const auto& r : rs)
      if (r["backend"] == backend) return &r;
    return nullptr;
  }
  const std::string kSmall =
      " --max-length 32 --stride 32 --corpus-max-bytes 400 --greedy-prompts 2 --greedy-prompt-tokens 8 "
      "--greedy-new-tokens 4 --threads 1";
};

void expect_same_model(const nlohmann::json& r) {
  ASSERT_EQ(r["status"], "ok") << r.dump();
  EXPECT_LT(std::abs(r["ppl_rel_delta"].get<double>()), 1e-6) << r.dump();
  EXPECT_LT(r["kl_mean"].get<double>(), 1e-9) << r.dump();
  EXPECT_EQ(r["top1_agreement"].get<double>(), 1.0) << r.dump();
  EXPECT_LT(r["logit_max_abs"].get<double>(), 1e-4) << r.dump();
  ASSERT_TRUE(r["greedy"].is_object()) << r.dump();
  EXPECT_EQ(r["greedy"]["agreement"].get<double>(), 1.0);
  EXPECT_EQ(r["greedy"]["prefix_match"].get<double>(), 1.0);
  EXPECT_EQ(r["greedy"]["new_tokens"].get<int>(), 4);
  EXPECT_EQ(r["verdict"], "pass") << r.dump();
}

TEST_F(TransformersAccuracyTest, EagerAsCandidateMatchesTheNativeOracle) {
  auto r = run_command(env("gpt2") + kBinary + " accuracy --model tiny-gpt2 --backend transformers-eager:fp32 --corpus " +
                       (dir.path / "corpus.txt").string() + kSmall + " --out " + (dir.path / "a").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = rows(dir.path / "a" / "accuracy.jsonl");
  ASSERT_EQ(rs.size(), 2u) << r.output;
  const auto* ref = find_row(rs, "native-cpu");
  const auto* cand = find_row(rs, "transformers-eager");
  ASSERT_TRUE(ref && cand) << r.output;
  EXPECT_EQ((*ref)["role"], "reference");
  EXPECT_EQ((*cand)["role"], "candidate");
  EXPECT_EQ((*cand)["engine"], "fake worker (gpt2)");
  EXPECT_GT((*cand)["tokens_counted"].get<int>(), 60);
  EXPECT_EQ((*cand)["tokens_counted"], (*ref)["tokens_counted"]);
  expect_same_model(*cand);
}

TEST_F(TransformersAccuracyTest, EagerAsReferenceJudgesTheNativeEngine) {
  auto r = run_command(env("gpt2") + kBinary + " accuracy --model tiny-gpt2 --backend native-cpu:fp32 --reference " +
                       "transformers-eager:fp32 --corpus " + (dir.path / "corpus.txt").string() + kSmall +
                       " --out " + (dir.path / "a").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = rows(dir.path / "a" / "accuracy.jsonl");
  ASSERT_EQ(rs.size(), 2u) << r.output;
  const auto* ref = find_row(rs, "transformers-eager");
  const auto* cand = find_row(rs, "native-cpu");
  ASSERT_TRUE(ref && cand) << r.output;
  EXPECT_EQ((*ref)["role"], "reference");
  EXPECT_EQ((*ref)["status"], "ok") << ref->dump();
  EXPECT_TRUE((*ref)["ppl"].is_number());
  EXPECT_EQ((*cand)["reference"]["backend"], "transformers-eager");
  expect_same_model(*cand);
}

// The gates see through the external path: a worker whose logits are off by 0.5 * sin(7 id)
// fails on KL, top-1 and PPL, with the numbers.
TEST_F(TransformersAccuracyTest, AWrongExternalBackendFailsItsGate) {
  auto r = run_command(env("gpt2_noisy") + kBinary + " accuracy --model tiny-gpt2 --backend transformers-eager:fp32 " +
                       "--corpus " + (dir.path / "corpus.txt").string() + kSmall + " --out " +
                       (dir.path / "a").string() + " --check");
  EXPECT_EQ(r.exit_code, 1) << "--check exits 1 on a failed verdict\n" << r.output;
  auto rs = rows(dir.path / "a" / "accuracy.jsonl");
  const auto* cand = find_row(rs, "transformers-eager");
  ASSERT_TRUE(cand) << r.output;
  EXPECT_EQ((*cand)["status"], "ok");
  EXPECT_EQ((*cand)["verdict"], "fail") << cand->dump();
  EXPECT_GT((*cand)["kl_mean"].get<double>(), 1e-3);
  EXPECT_GT((*cand)["logit_max_abs"].get<double>(), 0.4);
  EXPECT_THAT((*cand)["verdict_reason"].get<std::string>(), HasSubstr("KL"));
}

// The study's [accuracy] section with transformers-eager as the reference (options and device
// from the study's own [[backends]] entry) and transformers-compile + native-cpu as candidates,
// after the speed cells; the synthetic model's folder written by the runner is reused.
TEST_F(TransformersAccuracyTest, StudyAccuracySectionWithEagerReference) {
  write_text(dir.path / "s.toml", R"(models = ["tiny-gpt2"]
scenarios = ["single_micro"]
phases = ["prefill"]
new_tokens = 2
warmup = 1
repetitions = 2
[[backends]]
name = "transformers-eager"
device = "cpu"
options = { threads = 1 }
[[backends]]
name = "transformers-compile"
device = "cpu"
options = { compile_mode = "default" }
[accuracy]
corpus = "corpus.txt"
corpus_max_bytes = 400
max_length = 32
stride = 32
threads = 1
reference = "transformers-eager:fp32"
backends = ["native-cpu:fp32", "transformers-compile:fp32"]
greedy_prompts = 2
greedy_prompt_tokens = 8
greedy_new_tokens = 4
)");
  auto r = run_command(env("gpt2") + kBinary + " run " + (dir.path / "s.toml").string() + " --out " +
                       (dir.path / "out").string() + " --skip-ceilings --no-report");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = outcomes(dir.path / "out");
  ASSERT_EQ(m.size(), 2u);
  for (const auto& [id, o] : m) EXPECT_EQ(o.status, "ok") << id << ": " << o.error;
  auto rs = rows(dir.path / "out" / "accuracy.jsonl");
  ASSERT_EQ(rs.size(), 3u) << r.output;
  const auto* ref = find_row(rs, "transformers-eager");
  ASSERT_TRUE(ref) << r.output;
  EXPECT_EQ((*ref)["role"], "reference");
  EXPECT_EQ((*ref)["status"], "ok") << ref->dump();
  EXPECT_EQ((*ref)["device"], "cpu") << "the reference runs on the study entry's device";
  EXPECT_EQ((*ref)["options"], nlohmann::json({{"threads", 1}}));
  for (const char* b : {"native-cpu", "transformers-compile"}) {
    const auto* c = find_row(rs, b);
    ASSERT_TRUE(c) << b;
    EXPECT_EQ((*c)["reference"]["backend"], "transformers-eager");
    expect_same_model(*c);
  }
  EXPECT_EQ((*find_row(rs, "transformers-compile"))["options"], nlohmann::json({{"compile_mode", "default"}}));
  // One Hugging Face folder for the synthetic model, shared by the speed cells and accuracy.
  int folders = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "out" / "artifacts" / "models")) {
    (void)e;
    ++folders;
  }
  EXPECT_EQ(folders, 1);
}

}  // namespace
}  // namespace sb::bench
