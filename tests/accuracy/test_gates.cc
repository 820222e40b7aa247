// Gates reject deliberately degraded engines; failures (reference, candidate) are recorded
// without losing the other rows; rows carry the accuracy.jsonl schema.
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "accuracy/accuracy.h"
#include "accuracy/gates.h"
#include "test_engines.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {
using namespace testing;

// Engines by backend name: "naive" (exact), "nomask" (causal mask dropped), "shift" (position
// offset), "perturb-<sigma>" (Gaussian logit noise), "broken" (cannot be built), "dies-<n>"
// (throws on the n-th prefill).
EngineFactory test_factory(const model::GptWeights& w) {
  return [w](const BackendSpec& spec, EngineContext& ctx) -> std::unique_ptr<engine::Engine> {
    ctx.device = "test";
    const std::string& b = spec.backend;
    if (b == "naive") return std::make_unique<NaiveGpt2Engine>(w);
    if (b == "nomask") return std::make_unique<NaiveGpt2Engine>(w, false);
    if (b == "shift") return std::make_unique<ShiftEngine>(std::make_unique<NaiveGpt2Engine>(w));
    if (b.rfind("perturb-", 0) == 0)
      return std::make_unique<PerturbEngine>(std::make_unique<NaiveGpt2Engine>(w), std::stod(b.substr(8)));
    if (b.rfind("dies-", 0) == 0)
      return std::make_unique<ThrowingEngine>(std::make_unique<NaiveGpt2Engine>(w), std::stoi(b.substr(5)));
    sb::fail("test factory: cannot build '{}'", b);
  };
}

struct Fixture {
  model::GptWeights w = tiny_weights(3, /*vocab=*/64, /*n_embd=*/16, /*n_layer=*/2, /*n_head=*/2, /*n_positions=*/32);
  AssessInputs in;
  AccuracyConfig cfg;
  Fixture() {
    std::mt19937 rng(17);
    std::uniform_int_distribution<int> d(0, 63);
    for (int i = 0; i < 150; ++i) in.tokens.push_back(d(rng));
    in.model_id = "tiny";
    in.n_positions = 32;
    in.weights = &w;
    in.corpus.path = "inline";
    in.corpus.sha256 = "abc";
    in.corpus.bytes = 150;
    in.tokenizer_sha256 = "tok";
    cfg.reference = {"naive", "fp32", nlohmann::json::object(), ""};
    cfg.max_length = 16;
    cfg.stride = 8;
    cfg.greedy = {4, 8, 8};
  }
  std::vector<AccuracyRow> run(const std::vector<std::string>& specs) {
    cfg.candidates.clear();
    for (const auto& s : specs) cfg.candidates.push_back(parse_backend_spec(s));
    RunHooks h;
    h.factory = test_factory(w);
    return assess(in, cfg, h);
  }
};

const AccuracyRow& row(const std::vector<AccuracyRow>& rows, const std::string& backend, const std::string& precision) {
  for (const auto& r : rows)
    if (r.backend == backend && r.precision == precision && r.role == "candidate") return r;
  throw std::runtime_error("no row " + backend + ":" + precision);
}

TEST(Gates, ExactCandidatePassesEveryPrecision) {
  Fixture f;
  const auto rows = f.run({"naive:fp32", "naive:fp16", "naive:int8"});
  ASSERT_EQ(rows.size(), 3u);   // the reference is also a candidate: no separate reference row
  for (const auto& r : rows) {
    EXPECT_EQ(r.status, "ok");
    EXPECT_EQ(r.verdict, "pass") << r.verdict_reason;
    EXPECT_EQ(*r.ppl_rel_delta, 0.0);
    EXPECT_EQ(r.comparison->kl_mean, 0.0);
    EXPECT_EQ(r.greedy->agreement, 1.0);
  }
}

TEST(Gates, DroppedCausalMaskFailsEveryPrecisionGate) {
  Fixture f;
  const auto rows = f.run({"nomask:fp32", "nomask:fp16", "nomask:bf16", "nomask:int8", "nomask:fp8"});
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].role, "reference");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].status, "ok");
    EXPECT_EQ(rows[i].verdict, "fail") << rows[i].precision << ": " << rows[i].verdict_reason;
    EXPECT_GT(rows[i].comparison->kl_mean, 2e-2) << rows[i].precision;
    EXPECT_LT(rows[i].comparison->top1_agreement, 1.0);
  }
}

TEST(Gates, PositionOffsetFails) {
  Fixture f;
  const auto rows = f.run({"shift:fp16"});
  EXPECT_EQ(row(rows, "shift", "fp16").verdict, "fail");
}

TEST(Gates, EachBoundRejectsOnItsOwn) {
  Fixture f;
  // PPL bound alone (KL bound disabled): the mask bug moves PPL by far more than 0.1%.
  f.cfg.gates = GatePolicy();
  f.cfg.gates.set("fp32", {0.001, std::numeric_limits<double>::infinity()});
  auto rows = f.run({"nomask:fp32"});
  EXPECT_GT(std::fabs(*row(rows, "nomask", "fp32").ppl_rel_delta), 0.001);
  EXPECT_EQ(row(rows, "nomask", "fp32").verdict, "fail");
  EXPECT_NE(row(rows, "nomask", "fp32").verdict_reason.find("|dPPL|"), std::string::npos);
  // KL bound alone (PPL bound disabled).
  f.cfg.gates = GatePolicy();
  f.cfg.gates.set("fp32", {std::numeric_limits<double>::infinity(), 1e-4});
  rows = f.run({"perturb-0.05:fp32"});
  EXPECT_EQ(row(rows, "perturb-0.05", "fp32").verdict, "fail") << row(rows, "perturb-0.05", "fp32").verdict_reason;
}

TEST(Gates, PerturbationIsRejectedInProportionToTheGate) {
  // Gaussian logit noise of std sigma gives KL of about sigma^2 / 2 (second-order expansion
  // times the distribution's spread); the test only relies on monotonicity and the gates.
  Fixture f;
  const auto rows = f.run({"perturb-0.0001:fp32", "perturb-0.05:fp32", "perturb-0.05:fp16", "perturb-0.5:int8",
                           "perturb-0.5:fp8"});
  const auto& tiny = row(rows, "perturb-0.0001", "fp32");
  EXPECT_EQ(tiny.verdict, "pass") << tiny.verdict_reason;
  EXPECT_LT(tiny.comparison->kl_mean, 1e-7);
  EXPECT_GT(tiny.comparison->logit_max_abs, 0.0);
  EXPECT_EQ(row(rows, "perturb-0.05", "fp32").verdict, "fail");
  EXPECT_GT(row(rows, "perturb-0.05", "fp32").comparison->kl_mean, 1e-4);
  EXPECT_EQ(row(rows, "perturb-0.5", "int8").verdict, "fail") << row(rows, "perturb-0.5", "int8").verdict_reason;
  EXPECT_EQ(row(rows, "perturb-0.5", "fp8").verdict, "fail");
  EXPECT_GT(row(rows, "perturb-0.5", "fp8").comparison->kl_mean, 2e-2);
}

TEST(Gates, ReferenceThatCannotBeBuiltLeavesCandidatesMeasuredButNotChecked) {
  Fixture f;
  f.cfg.reference = {"broken", "fp32", nlohmann::json::object(), ""};
  const auto rows = f.run({"naive:fp32", "nomask:fp16"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].role, "reference");
  EXPECT_EQ(rows[0].status, "failed");
  EXPECT_NE(rows[0].error.find("cannot build 'broken'"), std::string::npos) << rows[0].error;
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(rows[i].status, "ok");
    EXPECT_TRUE(rows[i].ppl.has_value());
    EXPECT_FALSE(rows[i].ppl_rel_delta.has_value());
    EXPECT_FALSE(rows[i].comparison.has_value());
    EXPECT_EQ(rows[i].verdict, "not_checked");
    EXPECT_NE(rows[i].verdict_reason.find("reference broken:fp32 failed"), std::string::npos) << rows[i].verdict_reason;
  }
  const auto j = rows[1].to_json();
  EXPECT_TRUE(j["kl_mean"].is_null());
  EXPECT_TRUE(j["ppl"].is_number());
}

TEST(Gates, ReferenceDyingMidRunLeavesCandidatesNotChecked) {
  Fixture f;
  f.cfg.reference = {"dies-3", "fp32", nlohmann::json::object(), ""};
  const auto rows = f.run({"naive:fp32"});
  EXPECT_EQ(rows[0].status, "failed");
  EXPECT_NE(rows[0].error.find("injected failure"), std::string::npos) << rows[0].error;
  EXPECT_EQ(rows[1].status, "ok");
  EXPECT_EQ(rows[1].verdict, "not_checked");
  EXPECT_FALSE(rows[1].comparison.has_value());
}

TEST(Gates, FailedCandidateIsRecordedAndOthersGoOn) {
  Fixture f;
  const auto rows = f.run({"broken:fp16", "dies-2:fp16", "naive:fp16"});
  ASSERT_EQ(rows.size(), 4u);
  const auto& broken = row(rows, "broken", "fp16");
  EXPECT_EQ(broken.status, "failed");
  EXPECT_EQ(broken.verdict, "not_checked");
  EXPECT_NE(broken.verdict_reason.find("candidate failed"), std::string::npos);
  const auto& dies = row(rows, "dies-2", "fp16");
  EXPECT_EQ(dies.status, "failed");
  EXPECT_NE(dies.error.find("window tokens"), std::string::npos) << dies.error;
  EXPECT_TRUE(dies.to_json()["ppl"].is_null());   // no number for a failed run
  EXPECT_EQ(row(rows, "naive", "fp16").verdict, "pass");
}

TEST(Gates, UnknownPrecisionIsNotChecked) {
  Fixture f;
  const auto rows = f.run({"naive:int4"});
  EXPECT_EQ(row(rows, "naive", "int4").verdict, "not_checked");
  EXPECT_NE(row(rows, "naive", "int4").verdict_reason.find("no gate"), std::string::npos);
}

TEST(Gates, UntrainedModelIsSaidInTheVerdict) {
  Fixture f;
  f.in.model_trained = false;
  const auto rows = f.run({"naive:fp32"});
  EXPECT_EQ(rows[0].verdict, "pass");
  EXPECT_NE(rows[0].verdict_reason.find("untrained"), std::string::npos);
  EXPECT_FALSE(rows[0].to_json()["model_trained"].get<bool>());
}

TEST(Gates, BadInputIsAnErrorBeforeAnyEngineRuns) {
  Fixture f;
  f.cfg.stride = 0;
  EXPECT_THROW(f.run({"naive:fp32"}), sb::Error);
  f.cfg.stride = 17;   // > max_length 16
  EXPECT_THROW(f.run({"naive:fp32"}), sb::Error);
  f.cfg.stride = 8;
  f.cfg.max_length = 33;   // > n_positions 32
  EXPECT_THROW(f.run({"naive:fp32"}), sb::Error);
  f.cfg.max_length = 16;
  f.in.tokens = {5};
  EXPECT_THROW(f.run({"naive:fp32"}), sb::Error);
  EXPECT_THROW(parse_backend_spec(":fp16"), sb::UsageError);
  EXPECT_THROW(parse_backend_spec("a:b:c"), sb::UsageError);
  EXPECT_EQ(parse_backend_spec("native-cpu").precision, "fp32");
}

TEST(Rows, JsonHasTheContractKeys) {
  Fixture f;
  const auto rows = f.run({"perturb-0.01:fp16"});
  for (const auto& r : rows) {
    const auto j = r.to_json();
    for (const char* k : {"schema", "model", "backend", "precision", "options", "device", "status", "error",
                          "reference", "corpus", "tokenizer_sha256", "window", "stride", "tokens_counted", "nll_sum",
                          "ppl", "ppl_rel_delta", "kl_mean", "kl_p99", "kl_max", "top1_agreement", "logit_max_abs",
                          "logit_mean_abs", "greedy_agreement", "gate", "verdict", "verdict_reason", "model_trained"})
      EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j["schema"], "scalebench.accuracy/1");
    EXPECT_EQ(j["corpus"]["sha256"], "abc");
    EXPECT_EQ(j["window"], 16);
    EXPECT_EQ(j["stride"], 8);
  }
  const auto j = row(rows, "perturb-0.01", "fp16").to_json();
  EXPECT_EQ(j["reference"]["backend"], "naive");
  EXPECT_EQ(j["gate"]["max_abs_ppl_rel_delta"], 0.005);
  EXPECT_TRUE(j["kl_p99"].is_number());
  EXPECT_GE(j["kl_p99"].get<double>(), j["kl_mean"].get<double>() * 0.0);
  EXPECT_LE(j["kl_p99"].get<double>(), j["kl_max"].get<double>());
  EXPECT_EQ(j["tokens_counted"], 149);
  const auto table = format_accuracy_table(rows);
  EXPECT_NE(table.find("perturb-0.01:fp16"), std::string::npos);
  EXPECT_NE(table.find("naive:fp32 (ref)"), std::string::npos);
}

}  // namespace
}  // namespace sb::accuracy
