// `scalebench report DIR --claims FILE` end to end through the real binary: the claims file given
// on the command line drives the claims section and travels with the results (DIR/claims.toml).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"

namespace sb::cli {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::run_scalebench;
using testing::ScratchDir;
using testing::slurp;

// The report module's claims fixture (a small results folder and a claims file) without its
// claims.toml, so only --claims can supply one.
fs::path copy_fixture_without_claims(const ScratchDir& dir) {
  const fs::path src = fs::path(SB_SOURCE_DIR) / "tests/report/golden/claims_run";
  const fs::path run = dir / "run";
  fs::create_directories(run);
  for (const char* f : {"manifest.json", "records.jsonl", "accuracy.jsonl"})
    if (fs::exists(src / f)) fs::copy_file(src / f, run / f);
  return run;
}

TEST(ReportCli, ClaimsOptionDrivesTheSectionAndIsCopiedIntoTheFolder) {
  ScratchDir dir;
  const fs::path run = copy_fixture_without_claims(dir);
  const fs::path claims = dir / "my-claims.toml";
  fs::copy_file(fs::path(SB_SOURCE_DIR) / "tests/report/golden/claims_run/claims.toml", claims);
  auto r = run_scalebench({"report", run.string(), "--claims", claims.string(), "--no-figures"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(slurp(run / "report.md"), HasSubstr("Claims of the withdrawn report vs this measurement"));
  ASSERT_TRUE(fs::exists(run / "claims.toml"));
  EXPECT_EQ(slurp(run / "claims.toml"), slurp(claims));
}

TEST(ReportCli, MissingClaimsFileIsAUsageErrorNamingIt) {
  ScratchDir dir;
  const fs::path run = copy_fixture_without_claims(dir);
  auto r = run_scalebench({"report", run.string(), "--claims", (dir / "nope.toml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.toml"));
  EXPECT_FALSE(fs::exists(run / "report.md"));
}

}  // namespace
}  // namespace sb::cli
