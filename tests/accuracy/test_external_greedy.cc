// Greedy agreement of external workers through the worker's `generate` op, end to end:
// `scalebench accuracy` with transformers-eager served by tests/accuracy/fake_greedy_worker.py (a
// float64 pure-Python GPT-2, no torch).  A worker declaring capabilities.greedy gets exactly one
// `generate` request per continuation (teacher-forced with the reference's tokens, then
// free-running) and no per-token `logits` request; one that does not declare it gets the old
// per-token requests; the tokens it answers decide the agreement numbers; a malformed answer fails
// the row with the reason; the per-engine, per-phase cost lines reach the log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bench/test_util.h"

namespace sb::accuracy {
namespace {
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using sb::testing::read_text;
using sb::testing::run_command;
using sb::testing::TempDir;
using sb::testing::write_text;

const std::string kBinary = SB_BINARY;
const fs::path kFake = fs::path(SB_SOURCE_DIR) / "tests" / "accuracy" / "fake_greedy_worker.py";

std::vector<nlohmann::json> json_lines(const fs::path& file) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

class ExternalGreedy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("python3 -c 'import sys'").exit_code != 0) GTEST_SKIP() << "python3 not found: needed for the fake worker";
    ASSERT_TRUE(fs::exists(kFake)) << kFake;
    // The transformers backends' availability check imports torch and transformers: empty
    // packages satisfy it; the worker script itself is replaced by the fake (SCALEBENCH_WORKERS_DIR).
    fs::create_directories(dir.path / "workers");
    fs::create_directories(dir.path / "pylib" / "torch");
    fs::create_directories(dir.path / "pylib" / "transformers");
    write_text(dir.path / "pylib" / "torch" / "__init__.py", "# fake: availability check only\n");
    write_text(dir.path / "pylib" / "transformers" / "__init__.py", "# fake: availability check only\n");
    write_text(dir.path / "workers" / "transformers_worker.py",
               "import runpy\nrunpy.run_path(\"" + kFake.string() + "\", run_name=\"__main__\")\n");
    write_text(dir.path / "corpus.txt",
               "The quick brown fox jumps over the lazy dog. A benchmark measures how fast a program runs, "
               "and a good one also checks that the program still computes the right answer. Perplexity "
               "tells how surprised a language model is by a text; a lower value means the model predicts "
               "the text better.\n");
  }
  // Runs `scalebench accuracy` on tiny-gpt2; returns the rows; the ops the fake received go to trace().
  std::vector<nlohmann::json> accuracy(const std::string& mode, const std::string& backends, std::string& output,
                                       int& exit_code) {
    const auto r = run_command("SCALEBENCH_WORKERS_DIR=" + (dir.path / "workers").string() +
                               " PYTHONPATH=" + (dir.path / "pylib").string() + " FAKE_GREEDY_MODE=" + mode +
                               " FAKE_GREEDY_TRACE=" + (dir.path / "trace.jsonl").string() + " " + kBinary +
                               " accuracy --model tiny-gpt2 " + backends + " --corpus " +
                               (dir.path / "corpus.txt").string() +
                               " --max-length 32 --stride 32 --corpus-max-bytes 300 --greedy-prompts 2 "
                               "--greedy-prompt-tokens 8 --greedy-new-tokens 4 --threads 1 --out " +
                               (dir.path / "a").string());
    output = r.output;
    exit_code = r.exit_code;
    return fs::exists(dir.path / "a" / "accuracy.jsonl") ? json_lines(dir.path / "a" / "accuracy.jsonl")
                                                          : std::vector<nlohmann::json>{};
  }
  std::vector<nlohmann::json> trace() const { return json_lines(dir.path / "trace.jsonl"); }
  static int count(const std::vector<nlohmann::json>& ops, const std::string& op, const std::string& mode = "") {
    int n = 0;
    for (const auto& o : ops) n += o.value("op", "") == op && (mode.empty() || o.value("mode", "") == mode);
    return n;
  }
  static const nlohmann::json& row(const std::vector<nlohmann::json>& rows, const std::string& backend) {
    for (const auto& r : rows)
      if (r["backend"] == backend) return r;
    throw std::runtime_error("no row for " + backend);
  }
  TempDir dir;
};

TEST_F(ExternalGreedy, OneGenerateRequestPerContinuationAndNoPerTokenLogits) {
  std::string out;
  int rc = 0;
  const auto rows = accuracy("greedy", "--backend transformers-eager:fp32", out, rc);
  ASSERT_EQ(rc, 0) << out;
  const auto& c = row(rows, "transformers-eager");
  ASSERT_EQ(c["status"], "ok") << c.dump();
  EXPECT_EQ(c["engine"], "fake greedy worker (greedy)");
  EXPECT_EQ(c["greedy"]["agreement"].get<double>(), 1.0) << c.dump();
  EXPECT_EQ(c["greedy"]["prefix_match"].get<double>(), 1.0) << c.dump();
  EXPECT_LT(c["kl_mean"].get<double>(), 1e-9);
  const auto ops = trace();
  ASSERT_EQ(count(ops, "generate"), 2) << out;
  EXPECT_EQ(count(ops, "logits", "last"), 0) << "no per-token requests";
  EXPECT_GE(count(ops, "logits", "all"), 1);
  // First the teacher-forced request with the reference's N - 1 fed tokens per row, then the free one.
  std::vector<nlohmann::json> gen;
  for (const auto& o : ops)
    if (o["op"] == "generate") gen.push_back(o);
  EXPECT_EQ(gen[0]["batch"], 2);
  EXPECT_EQ(gen[0]["prompt_len"], 8);
  EXPECT_EQ(gen[0]["new_tokens"], 4);
  EXPECT_EQ(gen[0]["rows"], 2);
  ASSERT_TRUE(gen[0]["forced"].is_array());
  ASSERT_EQ(gen[0]["forced"].size(), 2u);
  EXPECT_EQ(gen[0]["forced"][0].size(), 3u);
  EXPECT_TRUE(gen[1]["forced"].is_null());
  // The cost of each engine and phase is in the log.
  EXPECT_THAT(out, HasSubstr("greedy (2 prompts x 8 tokens, 4 new, generate_greedy): transformers-eager:fp32 "));
  EXPECT_THAT(out, HasSubstr("greedy (2 prompts x 8 tokens, 4 new, prefill+decode): native-cpu:fp32 "));
  EXPECT_THAT(out, HasSubstr("perplexity batch 1/"));
  EXPECT_THAT(out, HasSubstr("time transformers-eager:fp32: perplexity "));
}

TEST_F(ExternalGreedy, TheReferenceGeneratesThroughTheWorkerToo) {
  std::string out;
  int rc = 0;
  const auto rows = accuracy("greedy", "--backend native-cpu:fp32 --reference transformers-eager:fp32", out, rc);
  ASSERT_EQ(rc, 0) << out;
  const auto& c = row(rows, "native-cpu");
  EXPECT_EQ(c["greedy"]["agreement"].get<double>(), 1.0) << c.dump();
  const auto ops = trace();
  ASSERT_EQ(count(ops, "generate"), 1) << "the reference generates once, free-running\n" << out;
  EXPECT_EQ(count(ops, "logits", "last"), 0);
}

TEST_F(ExternalGreedy, AWorkerWithoutTheCapabilityGetsPerTokenRequests) {
  std::string out;
  int rc = 0;
  const auto rows = accuracy("nogreedy", "--backend transformers-eager:fp32", out, rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(row(rows, "transformers-eager")["greedy"]["agreement"].get<double>(), 1.0);
  const auto ops = trace();
  EXPECT_EQ(count(ops, "generate"), 0);
  EXPECT_EQ(count(ops, "logits", "last"), 2 * 4) << "teacher-forced and free-running, one request per token";
  EXPECT_THAT(out, HasSubstr("4 new, prefill+decode): transformers-eager:fp32 "));
}

TEST_F(ExternalGreedy, TheWorkersTokensDecideTheAgreement) {
  // Generated position 1 of prompt 0 changed: teacher-forced 7/8, free-running (1/4 + 1) / 2.
  std::string out;
  int rc = 0;
  const auto rows = accuracy("flip", "--backend transformers-eager:fp32", out, rc);
  ASSERT_EQ(rc, 0) << out;
  const auto& c = row(rows, "transformers-eager");
  EXPECT_DOUBLE_EQ(c["greedy"]["agreement"].get<double>(), 0.875) << c.dump();
  EXPECT_DOUBLE_EQ(c["greedy"]["prefix_match"].get<double>(), 0.625) << c.dump();
}

TEST_F(ExternalGreedy, AMalformedAnswerFailsTheRowWithTheReason) {
  std::string out;
  int rc = 0;
  const auto rows = accuracy("short", "--backend transformers-eager:fp32", out, rc);
  ASSERT_EQ(rc, 0) << "failed rows are results\n" << out;
  const auto& c = row(rows, "transformers-eager");
  EXPECT_EQ(c["status"], "failed");
  EXPECT_THAT(c["error"].get<std::string>(), HasSubstr("'generated' row 0 must hold 4 tokens (got 3)"));
  EXPECT_EQ(row(rows, "native-cpu")["status"], "ok");
}

}  // namespace
}  // namespace sb::accuracy
