// The report's honesty tests, on the hand-made run in tests/report/golden/run (written by
// tests/report/golden/make_inputs.py).
//  * Golden: report.md and stats.json byte-for-byte against tests/report/golden/expected/.
//    Regenerate after an intended change with:
//      SB_UPDATE_GOLDEN=1 build/<dir>/tests/report/test_report --gtest_filter='Report.Golden'
//    and review the diff before committing.
//  * A failed cell's number disappears from every table, figure and stats.json.
//  * Run counts that disagree with the plan make the report fail (and write nothing).
//  * Same inputs -> byte-identical outputs; escaping; n = 1; gnuplot missing.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/analysis.h"
#include "report/report.h"
#include "report/report_test_util.h"
#include "report/text.h"
#include "stats/compare.h"
#include "util/files.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace sb::report {
namespace {

const fs::path kGolden = testing::kGoldenDir;

// A fresh copy of the golden inputs in a temp folder, removed at the end of the test.
class RunDir : public testing::TestDir {
 public:
  explicit RunDir(const std::string& tag) : TestDir("report_" + tag), dir_(path()) {
    testing::copy_golden_run(dir_);
  }
  std::string read(const std::string& f) const { return read_file(dir_ / f); }

  // Edit records.jsonl as JSON objects: the callback may modify, and returns false to drop.
  void edit_records(const std::function<bool(json&)>& fn, const std::vector<json>& append = {}) {
    std::ifstream in(dir_ / "records.jsonl");
    std::string line, out;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      json j = json::parse(line);
      if (fn(j)) out += j.dump() + "\n";
    }
    for (const auto& j : append) out += j.dump() + "\n";
    write_file_atomic(dir_ / "records.jsonl", out);
  }
  void edit_manifest(const std::function<void(json&)>& fn) {
    json m = json::parse(read("manifest.json"));
    fn(m);
    write_file_atomic(dir_ / "manifest.json", m.dump(2) + "\n");
  }
  // Replaces a substring in all three input files (raw text).
  void replace_everywhere(const std::string& from, const std::string& to) {
    for (const char* f : {"manifest.json", "records.jsonl", "accuracy.jsonl"}) {
      std::string s = read(f);
      for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, from.size(), to);
      write_file_atomic(dir_ / f, s);
    }
  }

 private:
  const fs::path& dir_;
};

using testing::no_figures;

bool is_cell(const json& r, const std::string& model, const std::string& backend,
             const std::string& scenario, const std::string& phase) {
  const json& c = r.at("cell");
  return c.at("model") == model && c.at("backend") == backend && c.at("scenario") == scenario &&
         c.at("phase") == phase && c.at("precision") == "fp32";
}

const json* find_cell(const json& stats, const std::string& model, const std::string& backend,
                      const std::string& scenario, const std::string& phase) {
  for (const auto& c : stats.at("cells"))
    if (is_cell(c, model, backend, scenario, phase)) return &c;
  return nullptr;
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir));
  std::sort(out.begin(), out.end());
  return out;
}

bool gnuplot_available() { return std::system("gnuplot --version > /dev/null 2>&1") == 0; }

// ---------------------------------------------------------------------------------------------
TEST(Report, Golden) {
  RunDir run("golden");
  write_report(run.path(), no_figures());
  const bool update = std::getenv("SB_UPDATE_GOLDEN") && std::string(std::getenv("SB_UPDATE_GOLDEN")) == "1";
  for (const char* f : {"report.md", "stats.json"}) {
    std::string got = run.read(f);
    fs::path want_path = kGolden / "expected" / f;
    if (update) {
      write_file_atomic(want_path, got);
      std::printf("updated %s\n", want_path.c_str());
      continue;
    }
    ASSERT_TRUE(fs::exists(want_path)) << want_path << " missing: run with SB_UPDATE_GOLDEN=1";
    EXPECT_TRUE(got == read_file(want_path))
        << f << " differs from " << want_path
        << " (if the change is intended: SB_UPDATE_GOLDEN=1, then review the diff)";
  }
}

TEST(Report, GoldenContentHonesty) {
  RunDir run("content");
  write_report(run.path(), no_figures());
  std::string md = run.read("report.md");
  json st = json::parse(run.read("stats.json"));
  // Statuses instead of numbers.
  EXPECT_NE(md.find("timeout after 2/4 samples"), std::string::npos);
  EXPECT_NE(md.find("unsupported: fp16 GEMM is not available on this CPU"), std::string::npos);
  EXPECT_NE(md.find("n=1, too few samples"), std::string::npos);
  EXPECT_NE(md.find("untrained model"), std::string::npos);
  EXPECT_NE(md.find("1 flagged, kept"), std::string::npos);
  EXPECT_NE(md.find("1 throttled"), std::string::npos);
  // Run counts.
  const json& rc = st.at("run_counts");
  EXPECT_EQ(rc.at("planned_cells"), 26);
  EXPECT_EQ(rc.at("cells_failed"), 2);
  EXPECT_EQ(rc.at("cells_too_few_samples"), 1);
  EXPECT_EQ(rc.at("cells_with_numbers"), 23);
  EXPECT_EQ(rc.at("samples_planned"), 25 * 4 + 1);
  EXPECT_EQ(rc.at("samples_ok"), 23 * 4 + 2 + 1);
  EXPECT_EQ(rc.at("outliers_flagged"), 1);
  EXPECT_EQ(rc.at("worker_starts"), 8);
  // Failed cells carry no metrics in stats.json.
  for (const auto& c : st.at("cells")) {
    EXPECT_EQ(c.contains("metrics"), c.at("has_numbers").get<bool>()) << c.at("cell_id");
    if (c.at("status") != "ok") {
      EXPECT_FALSE(c.contains("metrics")) << c.at("cell_id");
    }
  }
  // Comparisons use the one delta function, and Holm never lowers a p-value.
  int compared = 0;
  for (const auto& c : st.at("comparisons")) {
    if (!c.at("compared").get<bool>()) continue;
    ++compared;
    auto d = stats::compare_values(c.at("baseline_mean").get<double>(),
                                   c.at("candidate_mean").get<double>(), stats::Better::kLower);
    EXPECT_NEAR(c.at("speedup").get<double>(), d.speedup, 1e-6 * d.speedup);
    EXPECT_GE(c.at("p_holm").get<double>(), c.at("welch").at("p").get<double>());
  }
  EXPECT_GT(compared, 10);
  // The prefill single_short curves of the two fp32 backends cross between m-small and m-mid.
  bool found = false;
  for (const auto& x : st.at("crossovers")) {
    if (x.at("phase") != "prefill" || x.at("scenario") != "single_short") continue;
    ASSERT_EQ(x.at("result"), "crossing");
    const json& c = x.at("crossings").at(0);
    EXPECT_EQ(c.at("bracket_low_model"), "m-small");
    EXPECT_EQ(c.at("bracket_high_model"), "m-mid");
    EXPECT_GT(c.at("params").get<double>(), 102714);
    EXPECT_LT(c.at("params").get<double>(), 2000000);
    found = true;
  }
  EXPECT_TRUE(found);
  // Cost appears because the manifest sets a price, with its formula.
  EXPECT_NE(md.find("price\\_per\\_hour\\_usd / (3600 \\* tokens\\_per\\_s) \\* 1e6"), std::string::npos);
}

TEST(Report, FailedCellNumberVanishesEverywhere) {
  // The ORT m-mid prefill single_short cell first succeeds; note its mean as every writer
  // would print it, and check it is there (so the test can fail).
  RunDir ok("ok");
  write_report(ok.path(), ReportOptions{});
  json st = json::parse(ok.read("stats.json"));
  const json* cell = find_cell(st, "m-mid", "onnxruntime-cpu", "single_short", "prefill");
  ASSERT_NE(cell, nullptr);
  double mean = cell->at("metrics").at("prefill_latency_ms").at("mean").get<double>();
  double tput = cell->at("metrics").at("prefill_tokens_per_s").at("mean").get<double>();
  const std::string shown = format_number(mean), shown_tput = format_number(tput);
  const std::string plotted = fmt::format("{:.9g}", mean);
  ASSERT_NE(ok.read("report.md").find(shown), std::string::npos);
  ASSERT_NE(ok.read("report.html").find(shown), std::string::npos);
  ASSERT_NE(ok.read("report.md").find(shown_tput), std::string::npos);
  if (gnuplot_available()) {
    bool in_fig = false;
    for (const auto& f : files_under(ok.path() / "figures"))
      in_fig = in_fig || read_file(ok.path() / "figures" / f).find(plotted) != std::string::npos;
    ASSERT_TRUE(in_fig) << "the cell's mean should be in some figure's data";
  }

  // Now the same run, but the cell crashed after 2 of its 4 samples.
  RunDir bad("bad");
  json failure;
  bad.edit_records([&](json& r) {
    if (r.at("kind") == "sample" && !r.at("warmup").get<bool>() &&
        is_cell(r, "m-mid", "onnxruntime-cpu", "single_short", "prefill")) {
      if (failure.is_null()) {
        failure = r;
        failure["kind"] = "failure";
        failure["status"] = "crash";
        failure["error"] = "worker killed by signal 11 (SIGSEGV)";
        failure["observed"] = {{"samples_done", 2}, {"samples_planned", 4},
                               {"tokens_produced", 2}, {"elapsed_ms", 12.5}};
        for (const char* k : {"sample", "warmup", "prefill_ms", "logits_mode", "throttled"})
          failure.erase(k);
      }
      return r.at("sample").get<int>() < 2;  // keep samples 0 and 1
    }
    return true;
  }, {});
  bad.edit_records([](json&) { return true; }, {failure});
  auto res = write_report(bad.path(), ReportOptions{});
  std::string md = bad.read("report.md"), html = bad.read("report.html");
  EXPECT_EQ(md.find(shown), std::string::npos) << shown << " still in report.md";
  EXPECT_EQ(html.find(shown), std::string::npos) << shown << " still in report.html";
  EXPECT_EQ(md.find(shown_tput), std::string::npos) << shown_tput << " still in report.md";
  EXPECT_NE(md.find("crash after 2/4 samples: worker killed by signal 11 (SIGSEGV)"), std::string::npos);
  EXPECT_NE(html.find("crash after 2/4 samples: worker killed by signal 11 (SIGSEGV)"), std::string::npos);
  json st2 = json::parse(bad.read("stats.json"));
  const json* c2 = find_cell(st2, "m-mid", "onnxruntime-cpu", "single_short", "prefill");
  ASSERT_NE(c2, nullptr);
  EXPECT_FALSE(c2->contains("metrics"));
  EXPECT_EQ(c2->at("status_text"), "crash after 2/4 samples: worker killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(bad.read("stats.json").find(plotted), std::string::npos);
  for (const auto& f : files_under(bad.path() / "figures"))
    EXPECT_EQ(read_file(bad.path() / "figures" / f).find(plotted), std::string::npos) << f;
  if (gnuplot_available()) {
    EXPECT_FALSE(res.figures.empty());
    // The figure captions say what was not plotted and why.
    EXPECT_NE(html.find("onnxruntime-cpu fp32 on cpu, single_short (1x32, N=8): crash after 2/4 samples"),
              std::string::npos);
    EXPECT_NE(html.find("Not plotted (no numbers): "), std::string::npos);
  }
  // The comparison and crossover that needed the cell say why they are missing.
  EXPECT_NE(md.find("not compared: candidate cell: crash after 2/4 samples"), std::string::npos);
  EXPECT_NE(md.find("sizes without numbers: m-mid"), std::string::npos);
}

TEST(Report, RunCountMismatchIsAnError) {
  struct Case {
    const char* name;
    std::function<void(RunDir&)> mutate;
    const char* message;
  };
  std::vector<Case> cases = {
      {"missing_sample",
       [](RunDir& r) {
         r.edit_records([](json& j) {
           return !(j.at("kind") == "sample" && !j.at("warmup").get<bool>() &&
                    j.at("sample") == 3 && is_cell(j, "m-large", "native-cpu", "batch_short", "decode"));
         });
       },
       "3 of 4 planned measured samples recorded and no failure record"},
      {"unplanned_cell",
       [](RunDir& r) {
         json extra;
         r.edit_records([&](json& j) {
           if (extra.is_null() && j.at("kind") == "sample") {
             extra = j;
             extra["cell"]["scenario"] = "ghost";
           }
           return true;
         });
         r.edit_records([](json&) { return true; }, {extra});
       },
       "is not in the manifest plan"},
      {"duplicate_sample",
       [](RunDir& r) {
         json dup;
         r.edit_records([&](json& j) {
           if (dup.is_null() && j.at("kind") == "sample" && !j.at("warmup").get<bool>()) dup = j;
           return true;
         });
         r.edit_records([](json&) { return true; }, {dup});
       },
       "duplicate measured sample"},
      {"observed_mismatch",
       [](RunDir& r) {
         r.edit_records([](json& j) {
           if (j.at("kind") == "failure" && j.at("status") == "timeout")
             j["observed"]["samples_done"] = 3;
           return true;
         });
       },
       "failure record says 3 samples were done but 2 measured samples are recorded"},
      {"group_count",
       [](RunDir& r) { r.edit_manifest([](json& m) { m["plan"]["groups"] = 99; }); },
       "plan.groups is 99"},
      {"plan_repetitions",
       [](RunDir& r) {
         r.edit_manifest([](json& m) { m["plan"]["cells"][0]["repetitions"] = 5; });
       },
       "4 of 5 planned measured samples"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RunDir run(c.name);
    c.mutate(run);
    try {
      write_report(run.path(), no_figures());
      ADD_FAILURE() << "report written despite a run-count mismatch";
    } catch (const RunCountError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(run.path() / "report.md"));
    EXPECT_FALSE(fs::exists(run.path() / "stats.json"));
  }
}

TEST(Report, CliExitsNonZeroOnMismatch) {
  if (!fs::exists(SB_BINARY)) GTEST_SKIP() << "scalebench binary not built: " << SB_BINARY;
  RunDir run("cli");
  run.edit_manifest([](json& m) { m["plan"]["groups"] = 99; });
  std::string cmd = fmt::format("'{}' report '{}' --no-figures > '{}' 2>&1", SB_BINARY,
                                run.path().string(), (run.path() / "out.txt").string());
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(run.read("out.txt").find("run counts disagree with the manifest plan"), std::string::npos);
  // And a consistent run exits 0.
  RunDir good("cli_ok");
  cmd = fmt::format("'{}' report '{}' --no-figures > /dev/null 2>&1", SB_BINARY, good.path().string());
  rc = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  EXPECT_TRUE(fs::exists(good.path() / "report.html"));
}

TEST(Report, ByteIdenticalRerender) {
  RunDir a("a"), b("b");
  write_report(a.path(), ReportOptions{});
  write_report(b.path(), ReportOptions{});
  auto fa = files_under(a.path()), fb = files_under(b.path());
  ASSERT_EQ(fa, fb);
  for (const auto& f : fa) EXPECT_TRUE(read_file(a.path() / f) == read_file(b.path() / f)) << f;
  // Re-rendering in place changes nothing either.
  std::map<fs::path, std::string> before;
  for (const auto& f : fa) before[f] = read_file(a.path() / f);
  write_report(a.path(), ReportOptions{});
  for (const auto& f : files_under(a.path())) EXPECT_TRUE(before[f] == read_file(a.path() / f)) << f;
}

TEST(Report, HostileNamesAreEscaped) {
  RunDir run("escape");
  run.replace_everywhere("m-small", "<script>|a|b|");
  run.replace_everywhere("cell exceeded its 30 s timeout", "<img src=x onerror=alert(1)> *boom*");
  write_report(run.path(), ReportOptions{});
  std::string md = run.read("report.md"), html = run.read("report.html");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;|a|b|"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt; *boom*"), std::string::npos);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_NE(md.find("\\<script\\>\\|a\\|b\\|"), std::string::npos);
  EXPECT_NE(md.find("\\<img src=x onerror=alert(1)\\> \\*boom\\*"), std::string::npos);
  // Every Markdown table row keeps its column count (no pipe leaked from a name).
  std::size_t pos = md.find("| Backend configuration | Scenario | Mean");
  ASSERT_NE(pos, std::string::npos);
  // SVGs are inlined into the HTML: gnuplot escapes text there (.gp scripts are not markup).
  for (const auto& f : files_under(run.path() / "figures"))
    if (f.extension() == ".svg") {
      EXPECT_EQ(read_file(run.path() / "figures" / f).find("<script>"), std::string::npos) << f;
    }
}

TEST(Report, NonSignificantDifferenceIsNotASpeedup) {
  // Give the ORT m-small prefill single_short cell the baseline's own samples, permuted:
  // identical means, so the report must say "no detectable difference".
  RunDir run("nodiff");
  std::map<int, double> base;
  run.edit_records([&](json& r) {
    if (r.at("kind") == "sample" && !r.at("warmup").get<bool>() &&
        is_cell(r, "m-small", "native-cpu", "single_short", "prefill"))
      base[r.at("sample").get<int>()] = r.at("prefill_ms").get<double>();
    return true;
  });
  ASSERT_EQ(base.size(), 4u);
  run.edit_records([&](json& r) {
    if (r.at("kind") == "sample" && !r.at("warmup").get<bool>() &&
        is_cell(r, "m-small", "onnxruntime-cpu", "single_short", "prefill"))
      r["prefill_ms"] = base[(r.at("sample").get<int>() + 1) % 4];
    return true;
  });
  write_report(run.path(), no_figures());
  json st = json::parse(run.read("stats.json"));
  bool seen = false;
  for (const auto& c : st.at("comparisons"))
    if (c.at("model") == "m-small" && c.at("phase") == "prefill" &&
        c.at("scenario") == "single_short" && c.at("candidate_label") == "onnxruntime-cpu fp32 on cpu") {
      EXPECT_FALSE(c.at("significant").get<bool>());
      EXPECT_NEAR(c.at("speedup").get<double>(), 1.0, 1e-9);
      seen = true;
    }
  EXPECT_TRUE(seen);
  EXPECT_NE(run.read("report.md").find("no detectable difference (p = 1.0000, Holm)"), std::string::npos);
}

TEST(Report, ExcludedOutliersChangeNAndSayWhich) {
  RunDir run("exclude");
  run.edit_manifest([](json& m) { m["options"]["exclude_outliers"] = true; });
  write_report(run.path(), no_figures());
  json st = json::parse(run.read("stats.json"));
  const json* c = find_cell(st, "m-small", "native-cpu", "batch_short", "prefill");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->at("n"), 3);
  EXPECT_EQ(c->at("outliers_excluded"), 1);
  std::string md = run.read("report.md");
  EXPECT_NE(md.find("1 flagged, excluded"), std::string::npos);
  EXPECT_NE(md.find("Outliers are EXCLUDED"), std::string::npos);
}

TEST(Report, GnuplotMissingOmitsFiguresWithANote) {
  RunDir run("nognuplot");
  setenv("SB_GNUPLOT", "/nonexistent/gnuplot", 1);
  ReportResult r;
  EXPECT_NO_THROW(r = write_report(run.path(), ReportOptions{}));
  unsetenv("SB_GNUPLOT");
  EXPECT_NE(r.figures_note.find("not found"), std::string::npos) << r.figures_note;
  EXPECT_TRUE(r.figures.empty());
  for (const auto& f : files_under(run.path() / "figures")) EXPECT_NE(f.extension(), ".svg") << f;
  EXPECT_NE(run.read("report.md").find("Figures omitted: gnuplot not found"), std::string::npos);
  EXPECT_EQ(run.read("report.md").find("](figures/"), std::string::npos);
}

TEST(Report, HtmlIsSelfContained) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  RunDir run("html");
  auto r = write_report(run.path(), ReportOptions{});
  std::string html = run.read("report.html");
  EXPECT_FALSE(r.figures.empty());
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);   // nothing loaded from elsewhere
  EXPECT_EQ(html.find("href=\""), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

}  // namespace
}  // namespace sb::report
