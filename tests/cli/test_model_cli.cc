// `scalebench model info|create` end to end through the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_util.h"

namespace sb::cli {
namespace {
using ::testing::HasSubstr;
using testing::run_scalebench;
using testing::ScratchDir;

TEST(ModelCli, CreateThenInfoJson) {
  ScratchDir dir;
  const auto out = (dir / "tiny").string();
  auto r = run_scalebench({"model", "create", "tiny-gpt2", "--seed", "3", "--dtype", "fp16", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("102,714 parameters"));
  EXPECT_TRUE(std::filesystem::exists(dir / "tiny" / "config.json"));

  r = run_scalebench({"model", "info", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"], 102714);
  EXPECT_EQ(j["dtype"], "F16");
  EXPECT_EQ(j["synthetic"], false);
  EXPECT_EQ(j["bytes_on_disk"], std::filesystem::file_size(dir / "tiny" / "model.safetensors"));
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);

  // Refuses to overwrite without --force (usage error), accepts with it.
  r = run_scalebench({"model", "create", "tiny-gpt2", "-o", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--force"));
  r = run_scalebench({"model", "create", "tiny-gpt2", "-o", out, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ModelCli, InfoOfPresetAndShapeTables) {
  auto r = run_scalebench({"model", "info", "tiny-gpt2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("102,714"));
  EXPECT_THAT(r.out, HasSubstr("h.1.mlp.c_proj.weight"));
  EXPECT_THAT(r.out, HasSubstr("n_head"));
  r = run_scalebench({"model", "info", "shape:L=1,H=2,E=8,V=10,P=4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 10*8 + 4*8 + (12*64 + 13*8) + 2*8
  EXPECT_EQ(nlohmann::json::parse(r.out)["params"], 10 * 8 + 4 * 8 + 12 * 64 + 13 * 8 + 2 * 8);
}

TEST(ModelCli, BadInputsExitOneWithFileAndProblem) {
  ScratchDir dir;
  // Empty folder.
  auto r = run_scalebench({"model", "info", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir.path().string()));
  EXPECT_THAT(r.err, HasSubstr("empty folder"));

  // Header length past the end of the file.
  const auto out = (dir / "m").string();
  ASSERT_EQ(run_scalebench({"model", "create", "shape:L=1,H=1,E=4,V=5,P=3", "-o", out}).exit_code, 0);
  const auto st = dir / "m" / "model.safetensors";
  std::string bytes = testing::slurp(st);
  bytes[3] = '\x7f';
  { std::ofstream(st, std::ios::binary | std::ios::trunc) << bytes; }
  r = run_scalebench({"model", "info", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(st.string()));
  EXPECT_THAT(r.err, HasSubstr("runs past the end of the file"));

  // Heads that do not divide the width, in config.json.
  { std::ofstream(dir / "m" / "config.json") << R"({"model_type":"gpt2","n_embd":4,"n_head":3})"; }
  r = run_scalebench({"model", "info", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("config.json"));
  EXPECT_THAT(r.err, HasSubstr("do not divide"));

  // Non-GPT-2 model_type.
  { std::ofstream(dir / "m" / "config.json") << R"({"model_type":"bert"})"; }
  r = run_scalebench({"model", "info", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("model_type"));
}

TEST(ModelCli, UsageErrorsExitTwo) {
  auto r = run_scalebench({"model", "create", "tiny-gpt2", "--dtype", "fp8", "-o", "/tmp/x"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_scalebench({"model", "info"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_scalebench({"model", "info", "shape:L=1,H=3,E=8"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("shape:L=1,H=3,E=8"));
}

}  // namespace
}  // namespace sb::cli
