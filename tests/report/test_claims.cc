// The claims section ("Claims of the withdrawn report vs this measurement") and the rule that a
// folder merged from several hosts never compares across them.  Inputs: the hand-made runs in
// tests/report/golden/{claims_run,two_hosts} (written by golden/make_claims_inputs.py).
//  * Golden: report.md and stats.json of claims_run byte-for-byte against
//    tests/report/golden/claims_expected/.  Regenerate after an intended change with:
//      SB_UPDATE_GOLDEN=1 build/<dir>/tests/report/test_report --gtest_filter='Claims.Golden'
//    and review the diff before committing.
//  * Each verdict kind appears, each for the reason the fixture was built for.
//  * A bad claims file is refused with a message naming the file, the claim and the field.
//  * The claims file travels with the results (claims.toml), so the folder alone re-renders.
//  * Merged from two hosts: comparisons, crossovers, rankings and claims never pair cells of
//    different hosts.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench/merge.h"
#include "bench/study.h"
#include "report/claims.h"
#include "report/report.h"
#include "report/report_test_util.h"
#include "util/error.h"
#include "util/files.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace sb::report {
namespace {

const fs::path kGolden = testing::kGoldenDir;

struct TempDir : testing::TestDir {
  TempDir() : TestDir("claims") {}
};

fs::path copy_run(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from))
    if (e.is_regular_file()) fs::copy_file(e.path(), to / e.path().filename());
  return to;
}

using testing::no_figures;

std::map<std::string, json> claims_by_id(const json& stats) {
  std::map<std::string, json> out;
  for (const auto& c : stats.at("claims").at("claims")) out[c.at("id").get<std::string>()] = c;
  return out;
}

json render(const fs::path& dir, const ReportOptions& o = no_figures()) {
  write_report(dir, o);
  return json::parse(read_file(dir / "stats.json"));
}

// ---------------------------------------------------------------------------------------------
TEST(Claims, Golden) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  render(run);
  const bool update = std::getenv("SB_UPDATE_GOLDEN") && std::string(std::getenv("SB_UPDATE_GOLDEN")) == "1";
  for (const char* f : {"report.md", "stats.json"}) {
    std::string got = read_file(run / f);
    fs::path want = kGolden / "claims_expected" / f;
    if (update) {
      fs::create_directories(want.parent_path());
      write_file_atomic(want, got);
      std::printf("updated %s\n", want.c_str());
      continue;
    }
    ASSERT_TRUE(fs::exists(want)) << want << " missing: run with SB_UPDATE_GOLDEN=1";
    EXPECT_TRUE(got == read_file(want))
        << f << " differs from " << want << " (if intended: SB_UPDATE_GOLDEN=1, then review the diff)";
  }
}

TEST(Claims, EachVerdictForItsReason) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  auto c = claims_by_id(render(run));
  auto verdict = [&](const std::string& id) { return c.at(id).at("verdict").get<std::string>(); };
  auto why = [&](const std::string& id) { return c.at(id).at("explanation").get<std::string>(); };

  EXPECT_EQ(verdict("int8-faster-big"), "holds");
  EXPECT_GT(c.at("int8-faster-big").at("ci95").at("low").get<double>(), 1.0);
  EXPECT_EQ(verdict("cpu-faster-big"), "does not hold");
  EXPECT_LT(c.at("cpu-faster-big").at("ci95").at("high").get<double>(), 1.0);
  EXPECT_EQ(verdict("cpu-faster-mid-latency"), "no detectable difference");
  EXPECT_LT(c.at("cpu-faster-mid-latency").at("ci95").at("low").get<double>(), 1.0);
  EXPECT_GT(c.at("cpu-faster-mid-latency").at("ci95").at("high").get<double>(), 1.0);
  EXPECT_EQ(verdict("int8-faster-small-one-scenario"), "holds");
  EXPECT_THAT(c.at("int8-faster-small-one-scenario").at("measured").get<std::string>(),
              HasSubstr("in the single scenario single_micro"));

  // Failed and unsupported cells: not measured, with their status, and no number anywhere.
  EXPECT_EQ(verdict("fp16-faster-big"), "not measured");
  EXPECT_TRUE(c.at("fp16-faster-big").at("measured_value").is_null());
  std::string ev = c.at("fp16-faster-big").at("evidence").dump();
  EXPECT_THAT(ev, HasSubstr("failed after 1/4 samples"));
  EXPECT_THAT(ev, HasSubstr("unsupported: fp16 needs compute capability 5.3"));
  EXPECT_EQ(verdict("gpu-fp16-never-planned"), "not measured");
  EXPECT_THAT(why("gpu-fp16-never-planned"), HasSubstr("not planned"));

  EXPECT_EQ(verdict("int8-speedup-grows"), "holds");
  EXPECT_EQ(verdict("cpu-crossover"), "holds");
  double x = c.at("cpu-crossover").at("measured_value").get<double>();
  EXPECT_GT(x, 5e6);
  EXPECT_LT(x, 20e6);
  EXPECT_EQ(verdict("cpu-crossover-near"), "no detectable difference");
  EXPECT_THAT(why("cpu-crossover-near"), HasSubstr("band overlaps"));
  EXPECT_EQ(verdict("cpu-crossover-far"), "does not hold");
  EXPECT_EQ(verdict("cpu-crossover-reversed"), "does not hold");
  EXPECT_THAT(why("cpu-crossover-reversed"), HasSubstr("the other way"));
  EXPECT_EQ(verdict("int8-crossover-beyond"), "not measured");
  EXPECT_THAT(why("int8-crossover-beyond"), HasSubstr("nothing is extrapolated"));
  EXPECT_EQ(verdict("int8-crossover-inside"), "does not hold");

  EXPECT_EQ(verdict("winner-big"), "holds");
  EXPECT_THAT(why("winner-big"), HasSubstr("not measured: trt-fp16"));
  EXPECT_EQ(verdict("winner-small-torch"), "does not hold");
  EXPECT_EQ(verdict("winner-big-ort-gpu"), "no detectable difference");

  EXPECT_EQ(verdict("ppl-preserved"), "holds");
  EXPECT_EQ(verdict("ppl-int8-tiny"), "does not hold");
  EXPECT_EQ(verdict("ppl-big"), "not measured");
  EXPECT_EQ(verdict("small-architecture"), "holds");
  EXPECT_EQ(verdict("mid-architecture"), "does not hold");
  EXPECT_THAT(why("mid-architecture"), HasSubstr("n_layer 4 (claimed 12)"));
  EXPECT_EQ(verdict("span"), "holds");
  EXPECT_EQ(verdict("pipeline-failures"), "not comparable");

  const json again = render(run);
  const json& counts = again.at("claims").at("verdict_counts");
  for (const char* v :
       {"holds", "does not hold", "no detectable difference", "not measured", "not comparable"})
    EXPECT_GT(counts.at(v).get<int>(), 0) << v;
}

TEST(Claims, EveryNumberNamesItsCells) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  auto c = claims_by_id(render(run));
  for (const char* id : {"int8-faster-big", "cpu-faster-big", "winner-big", "int8-speedup-grows"}) {
    bool any = false;
    for (const auto& e : c.at(id).at("evidence")) {
      if (e.at("result").get<std::string>().find('x') == std::string::npos) continue;
      if (e.at("result").get<std::string>().rfind("not compared", 0) == 0) continue;
      any = true;
      EXPECT_THAT(e.at("baseline_cell").get<std::string>(), HasSubstr("|prefill")) << id;
      EXPECT_THAT(e.at("candidate_cell").get<std::string>(), HasSubstr("|prefill")) << id;
    }
    EXPECT_TRUE(any) << id;
  }
  std::string md = read_file(run / "report.md");
  EXPECT_THAT(md, HasSubstr("Claims of the withdrawn report vs this measurement"));
  // The report names evidence cells by model and the one configuration label (the scenario is
  // the row's first column); stats.json above keeps their full records.jsonl cell ids.
  EXPECT_THAT(md, HasSubstr("| batch\\_short (4x32, N=8) | c-big: transformers-compile fp32 on cuda:0 |"));
  EXPECT_THAT(md, HasSubstr("c-big: native-cuda int8 on cuda:0"));
  EXPECT_THAT(md, HasSubstr("Original: Example Laptop GPU, Example CPU"));
  EXPECT_THAT(md, HasSubstr("This measurement: host gpu-box (CPU Example Xeon; GPU Example GPU 80GB)"));
  // Strings from the claims file are text, not markup.
  std::string html = read_file(run / "report.html");
  EXPECT_THAT(html, Not(HasSubstr("<b>with markup</b>")));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;with markup&lt;/b&gt;"));
}

TEST(Claims, ByteIdenticalRerender) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  render(run);
  std::string md = read_file(run / "report.md"), html = read_file(run / "report.html"),
              st = read_file(run / "stats.json");
  render(run);
  EXPECT_EQ(md, read_file(run / "report.md"));
  EXPECT_EQ(html, read_file(run / "report.html"));
  EXPECT_EQ(st, read_file(run / "stats.json"));
}

// The claims file travels with the results: an explicit file is copied in, a later render of
// the folder alone uses the copy; without any, a study-named file is resolved next to the study.
TEST(Claims, FileTravelsWithTheResults) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  fs::path elsewhere = t.path() / "mine.toml";
  fs::rename(run / "claims.toml", elsewhere);
  std::string claims_text = read_file(elsewhere);

  // No claims.toml, and the study path in the manifest does not exist: a clear error.
  try {
    write_report(run, no_figures());
    FAIL() << "expected an error for a missing claims file";
  } catch (const sb::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("options.claims names 'claims.toml' but no such file was found"));
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/examples/claims.toml"));
  }
  EXPECT_FALSE(fs::exists(run / "report.md"));

  ReportOptions o = no_figures();
  o.claims_file = elsewhere;
  render(run, o);
  ASSERT_TRUE(fs::exists(run / "claims.toml"));
  EXPECT_EQ(read_file(run / "claims.toml"), claims_text);
  std::string first = read_file(run / "report.md");
  EXPECT_THAT(first, HasSubstr("claims.toml: SHA-256"));
  fs::remove(elsewhere);
  render(run);  // the folder alone
  EXPECT_EQ(read_file(run / "report.md"), first);

  // Resolved next to the study file the manifest names.
  fs::remove(run / "claims.toml");
  fs::create_directories(t.path() / "study");
  write_file_atomic(t.path() / "study" / "claims.toml", claims_text);
  json m = json::parse(read_file(run / "manifest.json"));
  m["study"]["path"] = (t.path() / "study" / "claims-test.toml").string();
  write_file_atomic(run / "manifest.json", m.dump(2) + "\n");
  render(run);
  EXPECT_EQ(read_file(run / "claims.toml"), claims_text);
}

TEST(Claims, NoClaimsNoSection) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  fs::remove(run / "claims.toml");
  json m = json::parse(read_file(run / "manifest.json"));
  m["options"].erase("claims");
  write_file_atomic(run / "manifest.json", m.dump(2) + "\n");
  json st = render(run);
  EXPECT_FALSE(st.contains("claims"));
  std::string md = read_file(run / "report.md");
  EXPECT_THAT(md, Not(HasSubstr("Claims of the withdrawn report")));
  EXPECT_THAT(md, Not(HasSubstr("Appendix A2")));
}

// ---------------------------------------------------------------------------------------------
// Bad claims files: each message names the file, the claim (id and index) and the field.
struct BadCase {
  std::string name, from, to;
  std::vector<std::string> want;
};

TEST(Claims, BadFilesAreRefusedWithWhereAndWhat) {
  const std::string good = read_file(kGolden / "claims_run" / "claims.toml");
  ASSERT_NO_THROW(parse_claims(good, "good.toml"));
  const std::vector<BadCase> cases = {
      {"schema",
       "schema = \"scalebench.claims/1\"",
       "schema = \"scalebench.claims/9\"",
       {"bad.toml", "field 'schema'", "not supported"}},
      {"kind",
       "kind = \"speedup_change\"",
       "kind = \"speedup_chnage\"",
       {"claims file bad.toml:91:8: claim 'int8-speedup-grows' (claim[6]) field 'kind': unknown kind "
        "'speedup_chnage'"}},
      {"metric",
       "metric = \"prefill_latency_ms\"\ncandidate = { label = \"ort-cpu\"",
       "metric = \"tpot_ms\"\ncandidate = { label = \"ort-cpu\"",
       {"claim 'cpu-faster-mid-latency' (claim[2])", "field 'metric'",
        "'tpot_ms' is not a per-sample metric of phase prefill"}},
      {"typo key",
       "original_value = 21.9",
       "orignal_value = 21.9",
       {"claim 'cpu-faster-big' (claim[1])", "field 'orignal_value'", "unknown key"}},
      {"missing quote",
       "quote = \"INT8 is 2.96x faster\"\n",
       "",
       {"claim 'int8-faster-big' (claim[0])", "field 'quote'", "missing (required)"}},
      {"duplicate id",
       "id = \"cpu-faster-big\"",
       "id = \"int8-faster-big\"",
       {"claim 'int8-faster-big' (claim[1])", "field 'id'", "duplicate id"}},
      {"precision",
       "precision = \"fp16\" }\nbaseline",
       "precision = \"fp17\" }\nbaseline",
       {"claim 'fp16-faster-big'", "field 'candidate.precision'", "unknown precision 'fp17'"}},
      {"ci order",
       "original_ci = [5e6, 20e6]",
       "original_ci = [20e6, 5e6]",
       {"claim 'cpu-crossover'", "field 'original_ci'", "low must not exceed high"}},
      {"negative value",
       "original_value = 2.96",
       "original_value = -2.96",
       {"claim 'int8-faster-big'", "field 'original_value'", "must be > 0"}},
      {"missing reason",
       "reason = \"A failure of the original's own pipeline; nothing here corresponds to it.\"",
       "",
       {"claim 'pipeline-failures'", "field 'reason'", "missing (required)"}},
      {"architecture field",
       "expected = { params = 1000000, n_layer = 2 }",
       "expected = { params = 1000000, layers = 2 }",
       {"claim 'small-architecture'", "field 'expected.layers'", "unknown field"}},
      {"not toml", "[source]", "[source", {"claims file bad.toml:", "not valid TOML"}},
  };
  for (const auto& bc : cases) {
    std::string text = good;
    auto p = text.find(bc.from);
    ASSERT_NE(p, std::string::npos) << bc.name << ": fixture text changed";
    text.replace(p, bc.from.size(), bc.to);
    try {
      parse_claims(text, "bad.toml");
      ADD_FAILURE() << bc.name << ": accepted";
    } catch (const sb::Error& e) {
      for (const auto& w : bc.want) EXPECT_THAT(e.what(), HasSubstr(w)) << bc.name;
    }
  }
}

TEST(Claims, BadFileWritesNothing) {
  TempDir t;
  fs::path run = copy_run(kGolden / "claims_run", t.path() / "run");
  std::string text = read_file(run / "claims.toml");
  text.replace(text.find("kind = \"winner\""), 15, "kind = \"loser\"");
  write_file_atomic(run / "claims.toml", text);
  EXPECT_THROW(write_report(run, no_figures()), sb::Error);
  EXPECT_FALSE(fs::exists(run / "report.md"));
  EXPECT_FALSE(fs::exists(run / "stats.json"));
}

// ---------------------------------------------------------------------------------------------
// A study's [report] claims key reaches the manifest options (bench/study.cc).
TEST(Claims, StudyKeyPassesThrough) {
  const std::string base =
      "name = \"s\"\nmodels = [\"tiny-gpt2\"]\nscenarios = [\"single_micro\"]\nphases = [\"prefill\"]\n"
      "new_tokens = 4\nwarmup = 0\nrepetitions = 2\n[[backends]]\nname = \"native-cpu\"\nprecisions = "
      "[\"fp32\"]\n";
  auto with = bench::parse_study(base + "[report]\nclaims = \"tr118-claims.toml\"\n", "s.toml", ".");
  EXPECT_EQ(with.report.at("claims"), "tr118-claims.toml");
  auto without = bench::parse_study(base + "[report]\nbaseline_backend = \"native-cpu\"\n", "s.toml", ".");
  EXPECT_FALSE(without.report.contains("claims"));
  EXPECT_THROW(bench::parse_study(base + "[report]\nclaims = \"\"\n", "s.toml", "."), sb::Error);
  EXPECT_THROW(bench::parse_study(base + "[report]\nclaims = 3\n", "s.toml", "."), sb::Error);
}

// The shipped claims file of the withdrawn report parses.
TEST(Claims, ShippedTr118ClaimsParse) {
  ClaimsFile f = load_claims(fs::path(SB_SOURCE_DIR) / "examples/tr118-claims.toml");
  EXPECT_GE(f.claims.size(), 20u);
  int not_comparable = 0;
  for (const auto& c : f.claims) {
    EXPECT_FALSE(c.quote.empty()) << c.id;
    if (c.kind == ClaimKind::kNotComparable) ++not_comparable;
    for (const auto* cfg : {c.candidate ? &*c.candidate : nullptr, c.baseline ? &*c.baseline : nullptr})
      if (cfg && cfg->label.rfind("tensorrt", 0) == 0) {
        EXPECT_EQ(cfg->backend, "native-cuda") << c.id;
        EXPECT_THAT(c.mapping_note, HasSubstr("NOT TensorRT")) << c.id;
      }
  }
  EXPECT_GE(not_comparable, 3);
}

// ---------------------------------------------------------------------------------------------
// Two shards of one study on two machines, merged: nothing is compared across them.
TEST(Claims, MergedFromTwoHostsNeverComparesAcross) {
  TempDir t;
  fs::path merged = t.path() / "merged";
  bench::MergeSummary s =
      bench::merge_runs({kGolden / "two_hosts" / "a", kGolden / "two_hosts" / "b"}, merged);
  ASSERT_TRUE(s.mixed_hosts);
  write_file_atomic(merged / "claims.toml", R"(schema = "scalebench.claims/1"
[source]
title = "two hosts"
hardware = "one laptop"
[[claim]]
id = "cpu-vs-torch"
kind = "speedup"
quote = "ONNX CPU beats PyTorch on the small model"
original_text = "5x"
original_value = 5.0
model = "c-small"
phase = "prefill"
metric = "prefill_tokens_per_s"
candidate = { backend = "onnxruntime-cpu", precision = "fp32" }
baseline = { backend = "transformers-compile", precision = "fp32" }
[[claim]]
id = "int8-vs-torch"
kind = "speedup"
quote = "INT8 beats PyTorch"
original_text = "2x"
original_value = 2.0
model = "c-big"
phase = "prefill"
metric = "prefill_tokens_per_s"
candidate = { backend = "native-cuda", precision = "int8" }
baseline = { backend = "transformers-compile", precision = "fp32" }
[[claim]]
id = "cpu-crossover"
kind = "crossover"
quote = "crossover at 9M"
original_text = "9M"
original_value = 9e6
phase = "prefill"
metric = "prefill_tokens_per_s"
candidate = { backend = "onnxruntime-cpu", precision = "fp32" }
baseline = { backend = "transformers-compile", precision = "fp32" }
[[claim]]
id = "winner"
kind = "winner"
quote = "ONNX CPU is the fastest on the small model"
original_text = "1st"
model = "c-small"
phase = "prefill"
metric = "prefill_tokens_per_s"
configs = [ { backend = "onnxruntime-cpu", precision = "fp32" }, { backend = "native-cuda", precision = "int8" } ]
)");
  json st = render(merged);

  // Every comparison vs the baseline: the CPU host's cells are refused, the GPU host's compared.
  int refused = 0, compared = 0;
  for (const auto& c : st.at("comparisons")) {
    bool cpu = c.at("candidate_label").get<std::string>().rfind("onnxruntime-cpu", 0) == 0;
    if (cpu) {
      EXPECT_FALSE(c.at("compared").get<bool>());
      EXPECT_THAT(c.at("not_compared_reason").get<std::string>(), HasSubstr("different hosts"));
      ++refused;
    } else {
      EXPECT_TRUE(c.at("compared").get<bool>());
      ++compared;
    }
  }
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(compared, 6);
  for (const auto& o : st.at("overall"))
    EXPECT_THAT(o.at("candidate_label").get<std::string>(), Not(HasSubstr("onnxruntime-cpu")));
  // No crossover curve pairs a CPU-host config with a GPU-host config.
  for (const auto& x : st.at("crossovers")) {
    bool cpu_a = x.at("label_a").get<std::string>().find("onnxruntime-cpu") != std::string::npos;
    bool cpu_b = x.at("label_b").get<std::string>().find("onnxruntime-cpu") != std::string::npos;
    if (cpu_a != cpu_b) {
      EXPECT_EQ(x.at("result"), "insufficient");
      EXPECT_TRUE(x.at("points").empty());
    }
  }
  // Rankings are per host.
  std::set<std::string> hosts;
  for (const auto& b : st.at("best_by_size")) hosts.insert(b.at("host").get<std::string>());
  EXPECT_EQ(hosts.size(), 2u);
  for (const auto& c : st.at("cells")) EXPECT_TRUE(c.contains("host"));

  auto c = claims_by_id(st);
  EXPECT_EQ(c.at("cpu-vs-torch").at("verdict"), "not measured");
  EXPECT_THAT(c.at("cpu-vs-torch").at("explanation").get<std::string>(), HasSubstr("different hosts"));
  EXPECT_TRUE(c.at("cpu-vs-torch").at("measured_value").is_null());
  EXPECT_EQ(c.at("int8-vs-torch").at("verdict"), "holds");
  EXPECT_THAT(c.at("int8-vs-torch").at("host").get<std::string>(), HasSubstr("gpu-box"));
  EXPECT_EQ(c.at("cpu-crossover").at("verdict"), "not measured");
  EXPECT_EQ(c.at("winner").at("verdict"), "not measured");
  std::string md = read_file(merged / "report.md");
  EXPECT_THAT(md, HasSubstr("Sources of this merged folder"));
  EXPECT_THAT(md, HasSubstr("Series come from different hosts"));
  EXPECT_THAT(md, HasSubstr("0 not compared (a cell without numbers), 6 refused (cells measured on different hosts)"));
  EXPECT_THAT(md, HasSubstr("host cpu-box (CPU Example EPYC; GPU none)"));
}

// A merged folder finds the claims file a shard's own report kept (merge copies only records
// and the manifest), before the study-relative path of another machine.
TEST(Claims, MergedFolderUsesTheShardsCopy) {
  TempDir t;
  fs::path a = copy_run(kGolden / "two_hosts" / "a", t.path() / "a");
  fs::path b = copy_run(kGolden / "two_hosts" / "b", t.path() / "b");
  for (const auto& d : {a, b}) {
    json m = json::parse(read_file(d / "manifest.json"));
    m["options"]["claims"] = "claims.toml";
    write_file_atomic(d / "manifest.json", m.dump(2) + "\n");
  }
  const std::string text = read_file(kGolden / "claims_run" / "claims.toml");
  write_file_atomic(b / "claims.toml", text);
  fs::path merged = t.path() / "merged";
  bench::merge_runs({a, b}, merged);
  ASSERT_FALSE(fs::exists(merged / "claims.toml"));
  json st = render(merged);
  EXPECT_EQ(read_file(merged / "claims.toml"), text);
  EXPECT_EQ(st.at("claims").at("claims").size(), 23u);
}

// The real GPU smoke study still renders (the claims and host changes keep old folders working).
TEST(Claims, GpuSmokeStudyStillRenders) {
  fs::path study = fs::path(SB_SOURCE_DIR) / "docs/studies/gpu-smoke-2026-11-26";
  if (!fs::exists(study / "manifest.json")) GTEST_SKIP() << study << " is absent";
  TempDir t;
  fs::path run = t.path() / "run";
  fs::create_directories(run);
  for (const char* f : {"manifest.json", "records.jsonl", "accuracy.jsonl"})
    if (fs::exists(study / f)) fs::copy_file(study / f, run / f);
  json st = render(run);
  EXPECT_FALSE(st.contains("claims"));
  EXPECT_GT(st.at("run_counts").at("cells_with_numbers").get<int>(), 0);
  EXPECT_GT(st.at("comparisons").size(), 0u);

  // The shipped TR118 claims against that real (smaller) study: every claim gets a verdict;
  // configurations the smoke study did not plan are "not measured", never a number.
  ReportOptions o = no_figures();
  o.claims_file = fs::path(SB_SOURCE_DIR) / "examples/tr118-claims.toml";
  st = render(run, o);
  auto c = claims_by_id(st);
  EXPECT_GE(c.size(), 20u);
  for (const auto& [id, claim] : c) {
    std::string v = claim.at("verdict").get<std::string>();
    if (v == "not measured" || v == "not comparable") {
      EXPECT_TRUE(claim.at("measured_value").is_null()) << id;
    }
    if (std::getenv("SB_PRINT_CLAIMS"))
      std::printf("%s | %s | %s | %s\n", id.c_str(), v.c_str(),
                  claim.at("measured").get<std::string>().c_str(),
                  claim.at("explanation").get<std::string>().c_str());
  }
  EXPECT_EQ(c.at("trt-generate-fails").at("verdict"), "not comparable");
  EXPECT_EQ(c.at("ort-cpu-vs-pytorch-tiny").at("verdict"), "not measured");  // no onnxruntime-cpu there
}

}  // namespace
}  // namespace sb::report
