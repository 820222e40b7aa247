// Compact configuration labels and the crossover summary cap.
//  * config_labels: backend options appear in a label only when two configurations of the same
//    report share backend, precision and device; then only the differing keys, shortened, and
//    never so short that two labels become equal.  A lone configuration's options stay out of
//    its label (they are listed once in the Configurations section and stats.json).
//  * The summary keeps at most kMaxCrossoverLines crossover lines, one per pair involving the
//    baseline backend, and says how many more the crossover section holds.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/analysis.h"
#include "report/report.h"
#include "report/report_test_util.h"
#include "util/files.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace sb::report {
namespace {

bench::CellKey key(const std::string& backend, const std::string& precision, json options,
                   const std::string& device = "cuda:0") {
  bench::CellKey k;
  k.model = "m";
  k.backend = backend;
  k.precision = precision;
  k.options = std::move(options);
  k.device = device;
  k.scenario = "single_short";
  k.batch = 1;
  k.prompt_len = 32;
  k.new_tokens = 8;
  k.phase = "prefill";
  return k;
}

TEST(ConfigLabels, SingleConfigurationShowsNoOptions) {
  const std::string calib = "/usr/share/doc/python3.11/html/_sources/library/stdtypes.rst.txt";
  auto a = key("native-cuda", "fp8", {{"calib", calib}});
  auto b = key("native-cuda", "fp16", {{"calib", calib}});  // other precision: nothing shared
  auto c = key("native-cpu", "fp32", {{"threads", 2}}, "cpu");
  auto labels = config_labels({a, b, c, a});  // a repeated (several cells): one configuration
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels.at(config_id(a)), "native-cuda fp8 on cuda:0");
  EXPECT_EQ(labels.at(config_id(b)), "native-cuda fp16 on cuda:0");
  EXPECT_EQ(labels.at(config_id(c)), "native-cpu fp32 on cpu");
}

TEST(ConfigLabels, ConfigurationsDifferingOnlyInOptionsShowTheDifferingKeys) {
  const std::string calib = "/usr/share/doc/python3.11/html/_sources/library/stdtypes.rst.txt";
  auto t2 = key("native-cpu", "fp32", {{"threads", 2}, {"calib", calib}}, "cpu");
  auto t4 = key("native-cpu", "fp32", {{"threads", 4}, {"calib", calib}}, "cpu");
  auto none = key("native-cpu", "fp32", {{"calib", calib}}, "cpu");
  auto other = key("native-cpu", "fp16", {{"threads", 2}}, "cpu");  // alone: no options
  auto labels = config_labels({t2, t4, none, other});
  EXPECT_EQ(labels.at(config_id(t2)), "native-cpu fp32 on cpu [threads=2]");  // calib is shared
  EXPECT_EQ(labels.at(config_id(t4)), "native-cpu fp32 on cpu [threads=4]");
  EXPECT_EQ(labels.at(config_id(none)), "native-cpu fp32 on cpu [threads=(unset)]");
  EXPECT_EQ(labels.at(config_id(other)), "native-cpu fp16 on cpu");
}

TEST(ConfigLabels, LongValuesAreShortenedButStayDistinct) {
  // Different file names: the path is shortened to its last component.
  auto x = key("native-cuda", "int8", {{"calib", "/usr/share/doc/python3.11/html/a/library.txt"}});
  auto y = key("native-cuda", "int8", {{"calib", "/usr/share/doc/python3.11/html/b/tutorial.txt"}});
  auto labels = config_labels({x, y});
  EXPECT_EQ(labels.at(config_id(x)), "native-cuda int8 on cuda:0 [calib=library.txt]");
  EXPECT_EQ(labels.at(config_id(y)), "native-cuda int8 on cuda:0 [calib=tutorial.txt]");
  // Same file name in two folders: shortening would make the labels equal, so full values.
  auto p = key("native-cuda", "int8", {{"calib", "/data/set-one/corpus/text.txt"}});
  auto q = key("native-cuda", "int8", {{"calib", "/data/set-two/corpus/text.txt"}});
  labels = config_labels({p, q});
  EXPECT_EQ(labels.at(config_id(p)), "native-cuda int8 on cuda:0 [calib=/data/set-one/corpus/text.txt]");
  EXPECT_EQ(labels.at(config_id(q)), "native-cuda int8 on cuda:0 [calib=/data/set-two/corpus/text.txt]");
  EXPECT_NE(labels.at(config_id(p)), labels.at(config_id(q)));
}

// ---------------------------------------------------------------------------------------------
// The golden run (tests/report/golden/run) has one native-cpu fp32 configuration with
// options {"threads": 2}: no label carries the options, the Configurations section lists them.
// A per-test folder holding a copy of the golden run.
class GoldenCopy : public testing::TestDir {
 public:
  GoldenCopy() : TestDir("report_labels") { testing::copy_golden_run(path()); }
};

using testing::no_figures;

TEST(ConfigLabels, ReportListsFullOptionsOnceAndLabelsWithout) {
  GoldenCopy run;
  write_report(run.path(), no_figures());
  json st = json::parse(read_file(run.path() / "stats.json"));
  bool threads_listed = false;
  for (const auto& c : st.at("configurations")) {
    EXPECT_THAT(c.at("label").get<std::string>(), Not(HasSubstr("threads")));
    if (c.at("options").contains("threads")) threads_listed = true;
  }
  EXPECT_TRUE(threads_listed);
  for (const auto& c : st.at("cells"))
    EXPECT_THAT(c.at("config_label").get<std::string>(), Not(HasSubstr("{")));
  std::string md = read_file(run.path() / "report.md");
  EXPECT_THAT(md, HasSubstr("## Configurations"));
  EXPECT_THAT(md, HasSubstr("| native-cpu fp32 on cpu | native-cpu | fp32 | cpu | threads = 2 |"));
  EXPECT_THAT(md, Not(HasSubstr("{\"threads\"")));  // options JSON never inside a label
}

// ---------------------------------------------------------------------------------------------
// Crossover summary: a stats.json with 9 configurations of other backends, each crossing the
// baseline backend's configuration in k of 6 decode scenarios, plus crossings between pairs of
// the other configurations.
TEST(CrossoverSummary, OneLinePerBaselinePairCappedWithCount) {
  GoldenCopy run;
  write_report(run.path(), no_figures());
  json st = json::parse(read_file(run.path() / "stats.json"));
  const std::string baseline = st.at("baseline_backend").get<std::string>();
  ASSERT_FALSE(baseline.empty());
  auto id = [](int i) { return fmt::format("other-{}|fp32|{{}}|cpu", i); };
  auto label = [](int i) { return fmt::format("other-{} fp32 on cpu", i); };
  const std::string base_id = baseline + "|fp32|{}|gpu", base_label = baseline + " fp32 on gpu";
  json cells = st.at("cells");
  auto add_cell = [&](const std::string& cid, const std::string& lab, const std::string& backend) {
    json c = cells.at(0);
    c["config_id"] = cid;
    c["config_label"] = lab;
    c["cell"]["backend"] = backend;
    cells.push_back(c);
  };
  add_cell(base_id, base_label, baseline);
  for (int i = 1; i <= 9; ++i) add_cell(id(i), label(i), fmt::format("other-{}", i));
  st["cells"] = cells;
  auto entry = [](const std::string& a, const std::string& la, const std::string& b, const std::string& lb,
                  int scenario, bool cross, double at) {
    json pts = json::array({{{"model", "m-small"}, {"params", 1e5}, {"a_mean", 1.0}, {"b_mean", 2.0}},
                            {{"model", "m-mid"}, {"params", 2e6}, {"a_mean", 3.0}, {"b_mean", cross ? 2.0 : 4.0}}});
    json cr = json::array();
    if (cross)
      cr.push_back({{"params", at}, {"value", 2.0}, {"bracket_low_model", "m-small"}, {"bracket_high_model", "m-mid"}});
    return json{{"phase", "decode"}, {"scenario", fmt::format("s{}", scenario)},
                {"scenario_label", fmt::format("s{} (1x8, N=8)", scenario)}, {"metric", "tpot_ms"},
                {"config_a", a}, {"config_b", b}, {"label_a", la}, {"label_b", lb}, {"points", pts},
                {"sizes_missing", json::array()}, {"result", cross ? "crossing" : "no_crossing"},
                {"crossings", cr}, {"sign_first", -1}, {"sign_last", cross ? 1 : -1}};
  };
  json xo = json::array();
  for (int i = 1; i <= 9; ++i)
    for (int s = 0; s < 6; ++s) {
      const bool cross = s < (i % 6) + 1;  // other-i crosses in (i % 6) + 1 of 6 scenarios
      xo.push_back(entry(id(i), label(i), base_id, base_label, s, cross, 3e5 + 1e5 * s));
    }
  int other_crossing = 0;
  for (int i = 1; i <= 9; ++i)
    for (int j = i + 1; j <= 9; ++j) {
      xo.push_back(entry(id(i), label(i), id(j), label(j), 0, true, 5e5));
      ++other_crossing;
    }
  st["crossovers"] = xo;

  std::vector<std::string> lines = summary_sentences(st);
  std::vector<std::string> pair_lines;
  std::string totals;
  for (const auto& l : lines) {
    if (l.rfind("Crossover, ", 0) == 0) pair_lines.push_back(l);
    if (l.rfind("Crossovers overall", 0) == 0) totals = l;
  }
  ASSERT_EQ(pair_lines.size(), kMaxCrossoverLines);
  std::set<std::string> pairs_seen;
  for (const auto& l : pair_lines) {
    EXPECT_THAT(l, HasSubstr(base_label));  // every line involves the baseline backend
    int others = 0;
    for (int i = 1; i <= 9; ++i)
      if (l.find(label(i) + " vs") != std::string::npos) {
        ++others;
        EXPECT_TRUE(pairs_seen.insert(label(i)).second) << "pair listed twice: " << l;
      }
    EXPECT_EQ(others, 1) << l;
    EXPECT_THAT(l, HasSubstr("from two measured sizes only (m-small, m-mid): log-log interpolation"));
  }
  // Most crossings first: other-5 crosses in all 6 scenarios, at 300.0K to 800.0K parameters.
  EXPECT_THAT(pair_lines.front(), HasSubstr(label(5) + " vs " + base_label));
  EXPECT_THAT(pair_lines.front(), HasSubstr("6 of 6 decode scenarios (mean tpot_ms; at about 300.0K to 800.0K parameters)"));
  // The totals line counts what is not shown.
  EXPECT_THAT(totals, HasSubstr(fmt::format("{} more pair(s) with {} that cross are not summarised here",
                                            9 - kMaxCrossoverLines, baseline)));
  EXPECT_THAT(totals, HasSubstr(fmt::format("{} pair-scenario(s) with a crossing between other configurations",
                                            other_crossing)));
}

}  // namespace
}  // namespace sb::report
