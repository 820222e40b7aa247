// Golden tests: the native CPU engine against Hugging Face transformers' own fp32 numbers, and
// the proof that each comparison is sensitive (a deliberately broken engine must fail it).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "engine/cpu/cpu_engine.h"
#include "engine/cpu/cpu_engine_testing.h"
#include "engine/golden_compare.h"
#include "engine/golden_file.h"
#include "engine/golden_fixtures.h"
#include "model/model.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::testing {
namespace {

struct Fixture {
  model::LoadedModel model;
  GoldenFile golden;
};

// Loads (once per process) the model and golden file of a fixture; nullptr when the model is
// absent (pydoc on a machine without shared/).
const Fixture* load_fixture(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Fixture>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  const auto dir = golden_model_dir(name);
  std::unique_ptr<Fixture> f;
  if (!dir.empty()) {
    f = std::make_unique<Fixture>(
        Fixture{model::load_model(dir.string()), GoldenFile::load(golden_file_path(name))});
  }
  return cache.emplace(name, std::move(f)).first->second.get();
}

#define LOAD_FIXTURE_OR_SKIP(var, name)                                                      \
  const Fixture* var = load_fixture(name);                                                   \
  if (!var) {                                                                                \
    GTEST_SKIP() << "trained model " << name << " not found: set SCALEBENCH_PYDOC_MODEL or " \
                 << "provide ../shared/models/" << name;                                      \
  }

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, FixtureDescribesTheLoadedModel) {
  LOAD_FIXTURE_OR_SKIP(f, GetParam());
  // A stale fixture (model retrained or re-saved) must say so rather than fail obscurely.
  EXPECT_EQ(f->golden.model_sha256(), f->model.inventory.weights_sha256)
      << "model.safetensors of " << GetParam() << " is not the file the fixture was made from: "
      << "rerun tests/fixtures/make_golden.py (header comment)";
  const auto& cfg = f->golden.header().at("model").at("config");
  EXPECT_EQ(cfg.at("n_layer").get<int>(), f->model.weights.config.n_layer);
  EXPECT_EQ(cfg.at("n_head").get<int>(), f->model.weights.config.n_head);
  EXPECT_EQ(cfg.at("n_embd").get<int>(), f->model.weights.config.n_embd);
  EXPECT_EQ(cfg.at("vocab_size").get<int>(), f->model.weights.config.vocab_size);
  ASSERT_EQ(f->golden.cases().size(), 2u);
  EXPECT_EQ(f->golden.cases()[0].batch, 1);
  EXPECT_EQ(f->golden.cases()[1].batch, 3);
  for (const auto& c : f->golden.cases()) EXPECT_EQ(c.decode_steps, 8);
}

TEST_P(GoldenTest, MatchesHuggingFace) {
  LOAD_FIXTURE_OR_SKIP(f, GetParam());
  auto engine = engine::make_cpu_engine(f->model.weights);
  for (const auto& c : f->golden.cases()) {
    const GoldenResult r = run_golden_case(*engine, c);
    EXPECT_TRUE(r.ok()) << GetParam() << "/" << c.name << "\n" << r.summary();
    EXPECT_GT(r.decode.tokens_checked, 0);
    std::printf("[golden] %s/%s: prefill worst |diff|/tol %.3g (max |diff| %.3g), decode worst "
                "%.3g (max |diff| %.3g)\n",
                GetParam().c_str(), c.name.c_str(), r.prefill.worst_ratio, r.prefill.max_abs_diff,
                r.decode.worst_ratio, r.decode.max_abs_diff);
  }
}

TEST_P(GoldenTest, MatchesHuggingFaceSingleThreaded) {
  LOAD_FIXTURE_OR_SKIP(f, GetParam());
  auto engine = engine::make_cpu_engine(f->model.weights, {.threads = 1});
  for (const auto& c : f->golden.cases()) {
    const GoldenResult r = run_golden_case(*engine, c);
    EXPECT_TRUE(r.ok()) << GetParam() << "/" << c.name << "\n" << r.summary();
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenTest, ::testing::ValuesIn(golden_fixture_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& ch : s) if (ch == '-') ch = '_';
                           return s;
                         });

// --- Sensitivity: each fault must make the comparison fail --------------------------------

struct Fault {
  const char* name;
  engine::CpuEngineFaults faults;
  bool breaks_prefill;  // the prefill comparison must fail
  bool breaks_decode;   // the decode comparison must fail
  bool spares_prefill;  // ... and the prefill comparison must still pass (specificity)
};

std::vector<Fault> faults() {
  std::vector<Fault> v;
  v.push_back({"causal_mask_off", {.no_causal_mask = true}, true, false, false});
  v.push_back({"erf_gelu", {.erf_gelu = true}, true, true, false});
  v.push_back({"position_offset_plus_1", {.position_offset = 1}, true, true, false});
  v.push_back({"kv_cache_read_one_short", {.kv_read_length_delta = -1}, false, true, true});
  v.push_back({"layer_norm_eps_1e-3", {.layer_norm_epsilon = 1e-3}, true, true, false});
  v.push_back({"layer_norm_eps_1e-12", {.layer_norm_epsilon = 1e-12}, true, true, false});
  return v;
}

class SensitivityTest
    : public ::testing::TestWithParam<std::tuple<std::string, int /* fault index */>> {};

TEST_P(SensitivityTest, BrokenEngineFailsTheGoldenComparison) {
  const auto& [name, fault_index] = GetParam();
  const Fault fault = faults()[fault_index];
  LOAD_FIXTURE_OR_SKIP(f, name);
  auto engine = engine::make_cpu_engine_with_faults(f->model.weights, {}, fault.faults);
  bool prefill_failed = false, decode_failed = false, prefill_passed_everywhere = true;
  int completed = 0;
  for (const auto& c : f->golden.cases()) {
    GoldenResult r;
    try {
      r = run_golden_case(*engine, c);
    } catch (const sb::Error& e) {
      // A shifted position can run off the end of wpe on the fixture that fills n_positions:
      // that case proves nothing either way; the other case must.
      continue;
    }
    ++completed;
    std::printf("[sensitivity] %s/%s with %s: prefill worst |diff|/tol %.3g, decode %.3g, "
                "tokens differing %d\n", name.c_str(), c.name.c_str(), fault.name,
                r.prefill.worst_ratio, r.decode.worst_ratio,
                r.prefill.tokens_failed + r.decode.tokens_failed);
    prefill_failed |= !r.prefill.ok();
    decode_failed |= !r.decode.ok();
    prefill_passed_everywhere &= r.prefill.ok();
  }
  ASSERT_GT(completed, 0) << "no golden case ran to the end with fault " << fault.name;
  if (fault.breaks_prefill) {
    EXPECT_TRUE(prefill_failed) << fault.name << " went unnoticed in prefill";
  }
  if (fault.breaks_decode) {
    EXPECT_TRUE(decode_failed) << fault.name << " went unnoticed in decode";
  }
  if (fault.spares_prefill) {
    EXPECT_TRUE(prefill_passed_everywhere) << fault.name << " should not touch prefill";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, SensitivityTest,
    ::testing::Combine(::testing::ValuesIn(golden_fixture_names()),
                       ::testing::Range(0, static_cast<int>(faults().size()))),
    [](const auto& info) {
      std::string s = std::get<0>(info.param) + "_" + faults()[std::get<1>(info.param)].name;
      for (char& ch : s) if (ch == '-' || ch == '.') ch = '_';
      return s;
    });

// The reader itself refuses files that are not fixtures.
TEST(GoldenFileTest, RejectsWrongMagicAndTruncation) {
  const auto dir = std::filesystem::temp_directory_path() / "sb_golden_bad";
  std::filesystem::create_directories(dir);
  const std::string good = read_file(golden_file_path("rand-tiny-l2-h2-e8"));
  write_file_atomic(dir / "magic.sbg", "NOTGOLD!" + good.substr(8));
  EXPECT_THROW(GoldenFile::load(dir / "magic.sbg"), sb::Error);
  write_file_atomic(dir / "short.sbg", good.substr(0, good.size() / 2));
  EXPECT_THROW(GoldenFile::load(dir / "short.sbg"), sb::Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sb::testing
