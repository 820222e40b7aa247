// `scalebench report DIR [--baseline BACKEND] [--claims FILE] [--no-figures]` and
// `scalebench report --metrics-doc FILE` (regenerates docs/metrics.md from the metric registry).
#include <iostream>

#include "cli/command.h"
#include "report/analysis.h"
#include "report/metrics.h"
#include "report/report.h"
#include "util/error.h"
#include "util/files.h"

namespace {

struct ReportArgs {
  std::string dir;
  std::string baseline;
  std::string metrics_doc;
  std::string claims;
  bool no_figures = false;
};

sb::cli::CommandRegistration reg{"report", [](CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* c = app.add_subcommand(
      "report",
      "Write stats.json, report.md, report.html and figures/*.svg into DIR from its "
      "manifest.json, records.jsonl and accuracy.jsonl. Exits 1 when the records disagree with "
      "the manifest's plan.");
  c->add_option("dir", args->dir, "Run folder (holds manifest.json and records.jsonl)");
  c->add_option("--baseline", args->baseline,
                "Baseline backend for comparisons (default: manifest options.baseline_backend)");
  c->add_option("--claims", args->claims,
                 "Claims file for the 'claims vs measurement' section (default: DIR/claims.toml, else "
                 "the study's [report] claims); copied into DIR/claims.toml")
      ->check(CLI::ExistingFile);
  c->add_flag("--no-figures", args->no_figures, "Do not run gnuplot");
  c->add_option("--metrics-doc", args->metrics_doc,
                "Write the metric registry as Markdown to this file (docs/metrics.md) and exit");
  c->callback([args]() {
    if (!args->metrics_doc.empty()) {
      sb::write_file_atomic(args->metrics_doc, sb::report::metrics_doc_markdown());
      std::cout << args->metrics_doc << "\n";
      if (args->dir.empty()) return;
    }
    if (args->dir.empty()) throw sb::UsageError("report: give the run folder DIR");
    sb::report::ReportOptions o;
    o.baseline_backend = args->baseline;
    o.figures = !args->no_figures;
    if (!args->claims.empty()) o.claims_file = args->claims;
    auto r = sb::report::write_report(args->dir, o);
    if (!r.figures_note.empty()) std::cerr << "scalebench: " << r.figures_note << "\n";
    std::cout << r.report_md.string() << "\n" << r.report_html.string() << "\n"
              << r.stats_json.string() << "\n";
  });
}};

}  // namespace
