// The metric registry: hand-computed values for every per-sample formula, roofline floors,
// cost, and docs/metrics.md kept in sync with the registry.
#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/metrics.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::report {
namespace {

double eval(const char* name, const SampleInput& s) {
  auto v = metric(name).per_sample(s);
  EXPECT_TRUE(v.has_value()) << name;
  return v.value_or(-1);
}

TEST(Metrics, PrefillFormulas) {
  SampleInput s;
  s.batch = 4;
  s.prompt_len = 32;
  s.new_tokens = 8;
  s.prefill_ms = 8.0;
  EXPECT_DOUBLE_EQ(eval("prefill_latency_ms", s), 8.0);
  EXPECT_DOUBLE_EQ(eval("prefill_tokens_per_s", s), 4 * 32 / 0.008);  // 16000
  EXPECT_FALSE(metric("prefill_roofline_ratio").per_sample(s).has_value());  // no ceilings
  s.prefill_floor_ms = 2.0;
  EXPECT_DOUBLE_EQ(eval("prefill_roofline_ratio", s), 4.0);
}

TEST(Metrics, DecodeFormulas) {
  std::vector<double> steps = {2.0, 4.0, 6.0};  // N = 4: N - 1 = 3 steps
  SampleInput s;
  s.batch = 4;
  s.prompt_len = 32;
  s.new_tokens = 4;
  s.decode_step_ms = &steps;
  EXPECT_DOUBLE_EQ(eval("tpot_ms", s), 4.0);
  EXPECT_DOUBLE_EQ(eval("decode_tokens_per_s", s), 4.0 * 3 / 0.012);  // 1000
  EXPECT_FALSE(metric("e2e_latency_ms").per_sample(s).has_value());   // no prefill recorded
  s.prefill_ms = 8.0;
  EXPECT_DOUBLE_EQ(eval("e2e_latency_ms", s), 20.0);
  s.decode_step_floor_ms = 0.5;
  EXPECT_DOUBLE_EQ(eval("decode_roofline_ratio", s), 8.0);
}

TEST(Metrics, RegistryShape) {
  EXPECT_EQ(primary_metric("prefill").name, "prefill_latency_ms");
  EXPECT_EQ(primary_metric("decode").name, "tpot_ms");
  EXPECT_THROW(metric("no_such_metric"), sb::Error);
  for (const auto& m : metric_registry()) {
    EXPECT_FALSE(m.formula.empty()) << m.name;
    EXPECT_FALSE(m.unit.empty()) << m.name;
    EXPECT_EQ(m.kind == MetricKind::kSample, static_cast<bool>(m.per_sample)) << m.name;
  }
}

TEST(Metrics, RooflineFloorsHandComputed) {
  ModelShape m{1000000, 2, 64, 128};
  nlohmann::json ceilings = {{"cpu", {{"mem_bandwidth_gbps", 10.0}, {"sgemm_gflops", 100.0}}}};
  auto f = roofline_floors(m, "fp32", "cpu", 1, 32, 8, ceilings);
  ASSERT_TRUE(f);
  // weights (1e6 - 128*64) * 4 B = 3,967,232 B at 10 GB/s = 0.3967 ms; 2 * 1e6 * 32 FLOP at
  // 100 GFLOP/s = 0.64 ms: prefill is compute bound.
  EXPECT_NEAR(f->prefill_floor_ms, 0.64, 1e-12);
  // decode: + KV 2 * 2 layers * 1 * (32 + 4) * 64 * 4 B = 36,864 B -> 4,004,096 B = 0.4004 ms;
  // FLOPs 2e6 / 1e11 = 0.02 ms: memory bound.
  EXPECT_NEAR(f->decode_step_floor_ms, 0.4004096, 1e-12);
  EXPECT_FALSE(roofline_floors(m, "fp32", "cuda:0", 1, 32, 8, ceilings).has_value());
  EXPECT_FALSE(roofline_floors(m, "fp32", "cpu", 1, 32, 8, nlohmann::json()).has_value());
  EXPECT_EQ(bytes_per_element("bf16"), 2);
  EXPECT_THROW(bytes_per_element("fp64"), sb::Error);
}

TEST(Metrics, CostPerMillionTokens) {
  EXPECT_DOUBLE_EQ(cost_per_million_tokens_usd(3.6, 1000.0), 1.0);
  EXPECT_THROW(cost_per_million_tokens_usd(1.0, 0.0), sb::Error);
}

TEST(Metrics, DocsAreGeneratedFromTheRegistry) {
  // docs/metrics.md must be exactly what the registry generates; regenerate with
  // `scalebench report --metrics-doc docs/metrics.md` (or SB_UPDATE_GOLDEN=1 on this test).
  const std::string path = std::string(SB_SOURCE_DIR) + "/docs/metrics.md";
  if (std::getenv("SB_UPDATE_GOLDEN") && std::string(std::getenv("SB_UPDATE_GOLDEN")) == "1")
    write_file_atomic(path, metrics_doc_markdown());
  std::string committed = read_file(path);
  EXPECT_EQ(committed, metrics_doc_markdown())
      << "docs/metrics.md is stale: run scalebench report --metrics-doc docs/metrics.md";
}

}  // namespace
}  // namespace sb::report
