// report/report — `scalebench report DIR`, also callable as a library (scalebench run ends by
// calling write_report on its output folder).
// Contract: reads DIR/manifest.json, DIR/records.jsonl and (when present) DIR/accuracy.jsonl;
// writes DIR/stats.json, DIR/report.md, DIR/report.html (self-contained: inline CSS and inline
// SVG) and DIR/figures/*.svg (+ the *.gp scripts that drew them).  Same inputs give
// byte-identical outputs: no clock is read, keys are sorted, numbers have one fixed format.
// Throws RunCountError (an sb::Error) without writing anything when the records disagree with
// the manifest's plan.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::report {

struct ReportOptions {
  std::string baseline_backend;  // overrides manifest.options.baseline_backend when set
  bool figures = true;           // false: skip gnuplot entirely (figures noted as not drawn)
};

struct ReportResult {
  std::filesystem::path stats_json, report_md, report_html;
  std::vector<std::filesystem::path> figures;  // SVGs written
  std::string figures_note;                    // why figures are missing, if they are
};

ReportResult write_report(const std::filesystem::path& dir, const ReportOptions& options);

// The generated summary: sentences built from stats.json alone, each stating its scope.
std::vector<std::string> summary_sentences(const nlohmann::json& stats);

}  // namespace sb::report
