// `scalebench run STUDY.toml [--out DIR] [--shard i/N] [--force] [--skip-ceilings]`
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/runner.h"
#include "cli/command.h"
#include "util/error.h"

#if defined(SB_HAVE_REPORT)
#include "report/report.h"
#endif

namespace {

struct Args {
  std::string study, out, shard;
  bool force = false, skip_ceilings = false, no_report = false;
  std::vector<std::string> raw;
};

// "i/N"; when absent, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX with SCALEBENCH_SHARDS=N.
std::pair<int, int> parse_shard(const std::string& s) {
  std::string spec = s;
  if (spec.empty()) {
    const char* n = std::getenv("SCALEBENCH_SHARDS");
    const char* i = std::getenv("SLURM_ARRAY_TASK_ID");
    if (!i) i = std::getenv("JOB_COMPLETION_INDEX");
    if (!n || !i) return {0, 1};
    spec = std::string(i) + "/" + n;
  }
  auto slash = spec.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    int i = std::stoi(spec.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    int n = std::stoi(spec.substr(slash + 1), &used);
    if (used != spec.size() - slash - 1) throw std::invalid_argument("count");
    if (n < 1 || i < 0 || i >= n) throw std::invalid_argument("range");
    return {i, n};
  } catch (const std::exception&) {
    throw sb::UsageError("--shard '" + spec + "': expected i/N with 0 <= i < N (e.g. 0/4)");
  }
}

sb::cli::CommandRegistration reg{"run", [](CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* c = app.add_subcommand("run", "Run a study: plan its cells, run each group in a worker process, write "
                                      "records.jsonl + manifest.json (and the report)");
  c->add_option("study", args->study, "Study file (TOML; see docs/formats.md)")->required()->check(CLI::ExistingFile);
  c->add_option("-o,--out", args->out, "Output folder (default: the study's `out`, else results/<name>)");
  c->add_option("--shard", args->shard,
                "Run shard i of N (groups split deterministically), e.g. 0/4. Default from "
                "SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX with SCALEBENCH_SHARDS=N");
  c->add_flag("--force", args->force, "Resume even if the study file or the binary changed");
  c->add_flag("--skip-ceilings", args->skip_ceilings, "Do not measure machine ceilings (tests)");
  c->add_flag("--no-report", args->no_report, "Do not write the report at the end");
  c->callback([args] {
    sb::bench::RunOptions o;
    o.study_path = args->study;
    o.out_dir = args->out;
    auto [i, n] = parse_shard(args->shard);
    o.shard_index = i;
    o.shard_count = n;
    o.force = args->force;
    o.skip_ceilings = args->skip_ceilings;
    o.self_executable = sb::cli::self_executable();
    o.command_line = "scalebench run " + args->study + (args->out.empty() ? "" : " --out " + args->out) +
                     (n > 1 ? " --shard " + std::to_string(i) + "/" + std::to_string(n) : "") +
                     (args->force ? " --force" : "") + (args->skip_ceilings ? " --skip-ceilings" : "");
    auto summary = sb::bench::run_study(o);
    std::cerr << summary.cells_ok << " cells ok, " << summary.cells_not_ok << " not ok, "
              << summary.cells_skipped << " already done\n";
    std::filesystem::path last = summary.out_dir / "records.jsonl";
#if defined(SB_HAVE_REPORT)
    if (!args->no_report) {
      try {
        auto r = sb::report::write_report(summary.out_dir, sb::report::ReportOptions{});
        last = r.report_md;
      } catch (const std::exception& e) {
        // The measurements are on disk either way; say why there is no report.
        std::cerr << "scalebench: the report could not be written: " << e.what() << "\n";
      }
    }
#endif
    std::cout << last.string() << "\n";
  });
}};
}  // namespace
