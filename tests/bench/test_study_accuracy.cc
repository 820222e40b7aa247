// The study's [accuracy] section: `scalebench run` measures accuracy after the speed cells,
// writes OUT/accuracy.jsonl and the report reads it; a bad section fails before any cell runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bench/study.h"
#include "bench/study_accuracy.h"
#include "bench/test_util.h"
#include "util/error.h"
#include "util/version.h"

namespace sb::bench {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using sb::testing::read_text;
using sb::testing::run_command;
using sb::testing::TempDir;
using sb::testing::write_text;

const std::string kBinary = SB_BINARY;

// GPT-2 vocabulary (the default tokenizer's ids must fit), otherwise tiny.
constexpr const char* kModel = "shape:L=1,H=2,E=16,V=50257,P=64";

TEST(StudyAccuracy, RunWritesAccuracyRowsAndTheReportUsesThem) {
#if !defined(SB_HAVE_ACCURACY)
  GTEST_SKIP() << "this build has no accuracy module (sb_accuracy)";
#endif
  TempDir dir;
  write_text(dir.path / "corpus.txt",
             "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return a + b\n\n"
             "The for statement iterates over the items of any sequence, in the order that they "
             "appear in the sequence. Lists are mutable; strings are not.\n");
  write_text(dir.path / "s.toml", std::string(R"(name = "acc"
models = [")") + kModel + R"("]
scenarios = ["single_micro"]
phases = ["prefill"]
repetitions = 2
warmup = 0
[[backends]]
name = "native-cpu"
[backends.options]
threads = 1
[accuracy]
corpus = "corpus.txt"
max_length = 32
stride = 16
threads = 1
greedy = false
)");
  auto r = run_command(kBinary + " run " + (dir.path / "s.toml").string() + " --out " +
                       (dir.path / "out").string() + " --skip-ceilings");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("accuracy: 1 row(s)"));
  fs::path acc = dir.path / "out" / "accuracy.jsonl";
  ASSERT_TRUE(fs::exists(acc)) << r.output;
  auto text = read_text(acc);
  ASSERT_FALSE(text.empty());
  auto row = nlohmann::json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(row.value("schema", ""), "scalebench.accuracy/1");
  EXPECT_EQ(row.value("backend", ""), "native-cpu");
  EXPECT_EQ(row.value("precision", ""), "fp32");
  EXPECT_EQ(row.value("status", ""), "ok") << row.dump();
  EXPECT_EQ(row.value("window", 0), 32);
  EXPECT_EQ(row.value("stride", 0), 16);
  EXPECT_GT(row.value("tokens_counted", 0), 10);
  EXPECT_GT(row.value("ppl", 0.0), 1.0);
  EXPECT_FALSE(row.value("model_trained", true)) << "synthetic weights are untrained";
  EXPECT_EQ(row["corpus"].value("bytes", 0), static_cast<int>(fs::file_size(dir.path / "corpus.txt")));
  // The report read the rows.
  fs::path md = dir.path / "out" / "report.md";
  if (fs::exists(md)) {
    auto report = read_text(md);
    EXPECT_THAT(report, Not(HasSubstr("no accuracy.jsonl")));
    EXPECT_THAT(report, HasSubstr("Accuracy (accuracy.jsonl"));
  } else {
    ADD_FAILURE() << "no report.md written: " << r.output;
  }
  // A resume of the finished run does not append the rows again.
  auto again = run_command(kBinary + " run " + (dir.path / "s.toml").string() + " --out " +
                           (dir.path / "out").string() + " --skip-ceilings --no-report");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(read_text(acc), text);
}

// A candidate that dies of a signal inside the accuracy pass (as ONNX Runtime's CUDA provider
// did on a GPU, aborting the whole `scalebench run`) costs only its own row: the pass runs in
// child processes, the crash is retried candidate by candidate, the crasher gets status failed
// naming the signal, the others keep their numbers and the run finishes with its report.
TEST(StudyAccuracy, ACandidateThatCrashesCostsOnlyItsOwnRow) {
#if !defined(SB_HAVE_ACCURACY)
  GTEST_SKIP() << "this build has no accuracy module (sb_accuracy)";
#endif
  ::setenv("SCALEBENCH_ENABLE_FAULT_BACKEND", "1", 1);
  TempDir dir;
  write_text(dir.path / "corpus.txt",
             "The for statement iterates over the items of any sequence, in the order that they "
             "appear in the sequence. Lists are mutable; strings are not. Tuples are immutable.\n");
  write_text(dir.path / "s.toml", std::string(R"(name = "acc-crash"
models = [")") + kModel + R"("]
scenarios = ["single_micro"]
phases = ["prefill"]
repetitions = 2
warmup = 0
[[backends]]
name = "native-cpu"
[backends.options]
threads = 1
[[backends]]
name = "null"
[[backends]]
name = "fault"
precisions = ["fp16"]
[backends.options]
faults = [{ action = "segv", at = "load" }]
[accuracy]
corpus = "corpus.txt"
max_length = 16
stride = 16
threads = 1
greedy = false
backends = ["null:fp32", "fault:fp16"]
)");
  auto r = run_command(kBinary + " run " + (dir.path / "s.toml").string() + " --out " +
                       (dir.path / "out").string() + " --skip-ceilings");
  ::unsetenv("SCALEBENCH_ENABLE_FAULT_BACKEND");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("rerunning each of its 2 candidate(s) in its own process"));
  fs::path acc = dir.path / "out" / "accuracy.jsonl";
  ASSERT_TRUE(fs::exists(acc)) << r.output;
  EXPECT_FALSE(fs::exists(dir.path / "out" / "accuracy.jsonl.partial"));
  std::map<std::string, nlohmann::json> rows;
  std::istringstream in(read_text(acc));
  int reference_rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    if (j.value("role", "") == "reference") ++reference_rows;
    rows[j.value("backend", "") + ":" + j.value("precision", "")] = j;
  }
  EXPECT_EQ(reference_rows, 1) << "the reference's own row once, not once per isolated candidate";
  ASSERT_TRUE(rows.count("native-cpu:fp32")) << read_text(acc);
  ASSERT_TRUE(rows.count("null:fp32")) << read_text(acc);
  ASSERT_TRUE(rows.count("fault:fp16")) << read_text(acc);
  EXPECT_EQ(rows["null:fp32"].value("status", ""), "ok") << rows["null:fp32"].dump();
  EXPECT_EQ(rows["fault:fp16"].value("status", ""), "failed");
  // "signal 11 (Segmentation fault)"; under AddressSanitizer its report ends in an exit code.
  EXPECT_THAT(rows["fault:fp16"].value("error", ""), HasSubstr("ended with"));
  if (!sb::kSanitized) {
    EXPECT_THAT(rows["fault:fp16"].value("error", ""), HasSubstr("signal 11"));
  }
  EXPECT_EQ(rows["fault:fp16"].value("verdict", ""), "not_checked");
  EXPECT_TRUE(fs::exists(dir.path / "out" / "report.md")) << r.output;
}

TEST(StudyAccuracy, BadSectionsFailBeforeAnyCellRuns) {
  TempDir dir;
  auto study = [&](const std::string& section) {
    return parse_study(std::string(R"(models = [")") + kModel + R"("]
backends = ["null"]
scenarios = ["single_micro"]
[accuracy]
)" + section,
                       "s.toml", dir.path);
  };
  EXPECT_FALSE(study_wants_accuracy(parse_study(std::string(R"(models = [")") + kModel + R"("]
backends = ["null"]
scenarios = ["single_micro"]
)",
                                                "s.toml", dir.path)));
  EXPECT_THROW(study_wants_accuracy(study("max_length = 32\n")), sb::Error);       // no corpus
  EXPECT_THROW(study_wants_accuracy(study("corpus = \"c.txt\"\ncorpuz = 1\n")), sb::Error);
#if defined(SB_HAVE_ACCURACY)
  EXPECT_THROW(study_wants_accuracy(study("corpus = \"c.txt\"\nmax_length = 8\nstride = 9\n")), sb::Error);
  EXPECT_THROW(study_wants_accuracy(study("corpus = \"c.txt\"\ngates = { fp16 = [0.1] }\n")), sb::Error);
  EXPECT_THROW(study_wants_accuracy(study("corpus = \"c.txt\"\nreference = \"\"\n")), sb::Error);
  auto cfgs = accuracy_configs(study("corpus = \"c.txt\"\nbackends = [\"native-cpu:fp32\"]\n"
                                     "gates = { fp32 = [0.01, 1e-6] }\n"));
  ASSERT_EQ(cfgs.size(), 1u);
  EXPECT_EQ(cfgs[0].candidates.size(), 1u);
  EXPECT_EQ(cfgs[0].corpus.filename(), "c.txt");
  ASSERT_TRUE(cfgs[0].gates.for_precision("fp32").has_value());
  EXPECT_DOUBLE_EQ(cfgs[0].gates.for_precision("fp32")->max_kl_mean, 1e-6);
  // Default candidates: every study backend x precision.
  auto d = accuracy_configs(study("corpus = \"c.txt\"\n"));
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(d[0].candidates.size(), 1u);
  EXPECT_EQ(d[0].candidates[0].backend, "null");
#endif
  // The runner refuses the study before measuring anything.
  write_text(dir.path / "bad.toml", std::string(R"(models = [")") + kModel + R"("]
backends = ["null"]
scenarios = ["single_micro"]
[accuracy]
max_length = 32
)");
  auto r = run_command(kBinary + " run " + (dir.path / "bad.toml").string() + " --out " +
                       (dir.path / "out").string() + " --skip-ceilings --no-report");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("'corpus'"));
  EXPECT_FALSE(fs::exists(dir.path / "out" / "records.jsonl"));
}

}  // namespace
}  // namespace sb::bench
