// Study files: a valid study parses with defaults applied; every invalid one is rejected before
// anything runs, with the file, the line and the problem in the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/study.h"
#include "bench/test_util.h"
#include "util/error.h"

namespace sb::bench {
namespace {
using ::testing::HasSubstr;

const char* kValid = R"(name = "t"
models = ["tiny-gpt2", { id = "small", spec = "shape:L=2,H=2,E=8,V=300,P=64" }]
scenarios = ["single_micro", "tiny"]
new_tokens = 4
warmup = 1
repetitions = 2

[[scenario]]
name = "tiny"
batch = 2
prompt_len = 3

[[backends]]
name = "onnxruntime-gpu"
precisions = ["fp32", "fp16"]
device = "cuda:1"
options = [{ threads = 1 }, { threads = 2 }]

[[backends]]
name = "null"

[report]
price_per_hour_usd = 2.5

[accuracy]
corpus = "x.txt"
stride = 512
)";

TEST(Study, ValidStudyParsesWithDefaultsAndAliasesResolved) {
  Study s = parse_study(kValid, "t.toml", ".");
  EXPECT_EQ(s.name, "t");
  ASSERT_EQ(s.models.size(), 2u);
  EXPECT_EQ(s.models[0].id, "tiny-gpt2");
  EXPECT_EQ(s.models[1].id, "small");
  ASSERT_EQ(s.scenarios.size(), 2u);
  EXPECT_EQ(s.scenarios[1].batch, 2);
  EXPECT_EQ(s.scenarios[1].prompt_len, 3);
  ASSERT_EQ(s.backends.size(), 2u);
  EXPECT_EQ(s.backends[0].name, "onnxruntime-cuda");  // alias resolved
  EXPECT_EQ(s.backends[0].options.size(), 2u);
  EXPECT_EQ(s.backends[0].devices, std::vector<std::string>{"cuda:1"});
  EXPECT_EQ(s.backends[1].precisions, std::vector<std::string>{"fp32"});
  EXPECT_EQ(s.phases, (std::vector<std::string>{"prefill", "decode"}));
  EXPECT_EQ(s.report["baseline_backend"], "onnxruntime-cuda");
  EXPECT_EQ(s.report["price_per_hour_usd"], 2.5);
  EXPECT_EQ(s.accuracy["stride"], 512);
  // Seeds are derived and distinct.
  EXPECT_NE(s.prompt_seed, s.order_seed);
  EXPECT_NE(s.order_seed, s.weights_seed);
}

TEST(Study, AllBuiltinScenariosWhenNoneSelected) {
  Study s = parse_study("models = [\"tiny-gpt2\"]\nbackends = [\"null\"]\n", "t.toml", ".");
  ASSERT_EQ(s.scenarios.size(), 6u);
  EXPECT_EQ(s.scenarios[5].name, "batch_medium");
  EXPECT_EQ(s.scenarios[5].batch, 4);
  EXPECT_EQ(s.scenarios[5].prompt_len, 64);
}

struct BadCase {
  const char* name;
  std::string text;
  std::string where;    // "t.toml:<line>:"
  std::string problem;  // substring of the message
};

class StudyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(StudyErrors, NamesLineAndProblem) {
  const auto& c = GetParam();
  try {
    parse_study(c.text, "t.toml", "/nonexistent-base");
    FAIL() << "expected an error for " << c.name;
  } catch (const sb::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(c.where)) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(c.problem)) << e.what();
  }
}

const std::string kHead = "models = [\"tiny-gpt2\"]\nbackends = [\"null\"]\n";

INSTANTIATE_TEST_SUITE_P(
    All, StudyErrors,
    ::testing::Values(
        BadCase{"unknown_key", kHead + "repetitons = 3\n", "t.toml:3:", "unknown key 'repetitons'"},
        BadCase{"unknown_backend", "models = [\"tiny-gpt2\"]\n[[backends]]\nname = \"tensorrt\"\n", "t.toml:3:",
                "unknown backend 'tensorrt'"},
        BadCase{"unknown_precision",
                "models = [\"tiny-gpt2\"]\n[[backends]]\nname = \"null\"\nprecisions = [\"fp32\", \"int4\"]\n",
                "t.toml:4:", "unknown precision 'int4'"},
        BadCase{"precision_not_declared",
                "models = [\"tiny-gpt2\"]\n[[backends]]\nname = \"native-cpu\"\nprecisions = [\"fp16\"]\n",
                "t.toml:4:", "does not support precision 'fp16'"},
        BadCase{"unknown_option",
                "models = [\"tiny-gpt2\"]\n[[backends]]\nname = \"native-cpu\"\noptions = { thread = 2 }\n",
                "t.toml:4:", "unknown option 'thread'"},
        BadCase{"batch_zero", kHead + "[[scenario]]\nname = \"z\"\nbatch = 0\nprompt_len = 8\n", "t.toml:5:",
                "batch 0 must be at least 1"},
        BadCase{"n_below_two", kHead + "new_tokens = 1\n", "t.toml:3:", "N >= 2"},
        BadCase{"too_long", "models = [\"shape:L=1,H=1,E=4,V=100,P=64\"]\nbackends = [\"null\"]\nnew_tokens = 8\n",
                "t.toml:1:", "needs S + N"},
        BadCase{"missing_folder", "models = [\"no/such/model\"]\nbackends = [\"null\"]\n", "t.toml:1:",
                "model folder 'no/such/model' does not exist"},
        BadCase{"unknown_scenario", kHead + "scenarios = [\"single_huge\"]\n", "t.toml:3:",
                "unknown scenario 'single_huge'"},
        BadCase{"bad_device", "models = [\"tiny-gpt2\"]\n[[backends]]\nname = \"native-cpu\"\ndevice = \"cuda:0\"\n",
                "t.toml:4:", "does not run on cuda devices"},
        BadCase{"syntax", kHead + "warmup = = 3\n", "t.toml:3:", ""},
        BadCase{"wrong_type", kHead + "repetitions = \"five\"\n", "t.toml:3:", "must be an integer"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Study, TooLongCheckUsesTheModelsRealContextLength) {
#if !defined(SB_HAVE_MODEL)
  GTEST_SKIP() << "needs sb_model (config_for_spec)";
#else
  // P = 64: single_medium (S = 64) fits prefill-only, but not with N = 8 decode tokens.
  std::string ok = "models = [\"shape:L=1,H=1,E=4,V=100,P=64\"]\nbackends = [\"null\"]\n"
                   "scenarios = [\"single_medium\"]\nphases = [\"prefill\"]\n";
  EXPECT_NO_THROW(parse_study(ok, "t.toml", "."));
  std::string bad = "models = [\"shape:L=1,H=1,E=4,V=100,P=64\"]\nbackends = [\"null\"]\n"
                    "scenarios = [\"single_medium\"]\nnew_tokens = 2\n";
  EXPECT_THROW(parse_study(bad, "t.toml", "."), sb::Error);
#endif
}

TEST(Study, ModelFolderResolvedAgainstTheStudyFile) {
  sb::testing::TempDir dir;
  std::filesystem::create_directories(dir.path / "models" / "m");
  sb::testing::write_text(dir.path / "models" / "m" / "config.json",
                          R"({"model_type":"gpt2","n_layer":1,"n_head":1,"n_embd":4,"n_positions":256,"vocab_size":100})");
  sb::testing::write_text(dir.path / "s.toml", "models = [\"models/m\"]\nbackends = [\"null\"]\n");
  Study s = load_study(dir.path / "s.toml");
  ASSERT_EQ(s.models.size(), 1u);
  EXPECT_EQ(s.models[0].id, "m");
  EXPECT_TRUE(std::filesystem::path(s.models[0].spec).is_absolute());
}

TEST(Study, ExampleStudiesAreValid) {
  for (const char* f : {"quick.toml", "tr118.toml", "sweep.toml"}) {
    std::filesystem::path p = std::filesystem::path(SB_SOURCE_DIR) / "examples" / f;
    EXPECT_NO_THROW(load_study(p)) << p;
  }
}

}  // namespace
}  // namespace sb::bench
